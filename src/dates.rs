//! Calendar dates (`until` expiries, advisory dates) and "today".
//!
//! A leaf module: configuration sections, scanners and the pipeline all use dates, so they
//! live below all of them (no `config` ↔ `scanners::*::cfg` import cycle). "Today" is an
//! explicit input of a scan ([`crate::scanners::ScanContext::today`]); [`IsoDate::today`] is
//! only its default.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

/// A calendar date `YYYY-MM-DD`, for `until` expiry of ignores and allowances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate(pub time::Date);

impl IsoDate {
    /// Today in UTC, or `STAGEGATE_TODAY=YYYY-MM-DD` when set (so runs of the binary in tests
    /// are reproducible). The default of a scan's "today"; library callers pass their own.
    pub fn today() -> IsoDate {
        if let Ok(s) = std::env::var("STAGEGATE_TODAY") {
            if let Ok(d) = s.parse() {
                return d;
            }
        }
        IsoDate(time::OffsetDateTime::now_utc().date())
    }

    /// Whether the date is strictly before `today`: an `until` that has passed.
    pub fn has_passed(self, today: IsoDate) -> bool {
        self < today
    }
}

impl FromStr for IsoDate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(s.trim(), &fmt)
            .map(IsoDate)
            .map_err(|_| format!("invalid date `{s}`: expected YYYY-MM-DD"))
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )
    }
}

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Accept both a TOML date literal (2027-01-31) and a string ("2027-01-31").
        let v = toml::Value::deserialize(d)?;
        let s = match v {
            toml::Value::String(s) => s,
            toml::Value::Datetime(dt) => dt.to_string(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "expected a date YYYY-MM-DD, found {}",
                    other.type_str()
                )))
            }
        };
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for IsoDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_from_literal_or_string() {
        #[derive(Deserialize)]
        struct T {
            a: IsoDate,
            b: IsoDate,
        }
        let t: T = toml::from_str("a = 2027-01-31\nb = \"2026-02-01\"").unwrap();
        assert_eq!(t.a.to_string(), "2027-01-31");
        assert_eq!(t.b.to_string(), "2026-02-01");
        assert!(toml::from_str::<T>("a = 3\nb = 4").is_err());
    }

    #[test]
    fn has_passed_is_strictly_before() {
        let d: IsoDate = "2026-01-02".parse().unwrap();
        assert!(d.has_passed("2026-01-03".parse().unwrap()));
        assert!(!d.has_passed(d));
    }
}
