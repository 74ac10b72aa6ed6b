//! RubyGems versions, ordered as `Gem::Version#<=>`: segments split at dots and at
//! digit/letter boundaries (`1.0.0.rc1` → 1, 0, 0, `rc`, 1); a letter segment marks a
//! pre-release and sorts below any number; missing segments count as 0, so `1.0` == `1.0.0`
//! and `1.0.a` < `1.0`. A `-` is RubyGems' shorthand for `.pre.`.

use std::cmp::Ordering;
use std::str::FromStr;

/// A parsed gem version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GemVersion {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Num(u64),
    Text(String),
}

/// Not a RubyGems version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAGemVersion;

impl FromStr for GemVersion {
    type Err = NotAGemVersion;

    fn from_str(s: &str) -> Result<Self, NotAGemVersion> {
        let s = s.trim();
        // Gem::Version's pattern: digits, letters, dots and dashes, starting with a digit.
        if !s.starts_with(|c: char| c.is_ascii_digit())
            || !s
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        {
            return Err(NotAGemVersion);
        }
        let s = s.replace('-', ".pre.");
        let mut segments = Vec::new();
        for part in s.split('.') {
            if part.is_empty() {
                return Err(NotAGemVersion);
            }
            let mut rest = part;
            while !rest.is_empty() {
                let digits = rest.starts_with(|c: char| c.is_ascii_digit());
                let end = rest
                    .find(|c: char| c.is_ascii_digit() != digits)
                    .unwrap_or(rest.len());
                let (tok, tail) = rest.split_at(end);
                segments.push(if digits {
                    Segment::Num(tok.parse().map_err(|_| NotAGemVersion)?)
                } else {
                    Segment::Text(tok.to_string())
                });
                rest = tail;
            }
        }
        Ok(GemVersion { segments })
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Segment::Num(0);
        let n = self.segments.len().max(other.segments.len());
        for i in 0..n {
            let a = self.segments.get(i).unwrap_or(&zero);
            let b = other.segments.get(i).unwrap_or(&zero);
            let o = match (a, b) {
                (Segment::Num(x), Segment::Num(y)) => x.cmp(y),
                (Segment::Text(x), Segment::Text(y)) => x.cmp(y),
                (Segment::Num(_), Segment::Text(_)) => Ordering::Greater,
                (Segment::Text(_), Segment::Num(_)) => Ordering::Less,
            };
            if o.is_ne() {
                return o;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(s: &str) -> GemVersion {
        s.parse().unwrap_or_else(|_| panic!("{s}"))
    }

    #[test]
    fn gem_version_order() {
        let ordered = [
            "0.9",
            "1.0.a",
            "1.0.a2",
            "1.0.b1",
            "1.0.0.rc1",
            "1.0",
            "1.0.1",
            "1.1.a",
            "1.1",
            "1.10",
            "2",
        ];
        for w in ordered.windows(2) {
            assert_eq!(g(w[0]).cmp(&g(w[1])), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        assert_eq!(g("1.0").cmp(&g("1.0.0.0")), Ordering::Equal);
        assert_eq!(g("1.0.0-rc1").cmp(&g("1.0.0.pre.rc1")), Ordering::Equal);
        assert!(g("1.0.0-rc1") < g("1.0.0"));
        for bad in ["", "a1", "1..0", "1.0 beta", "1.0_1"] {
            assert!(bad.parse::<GemVersion>().is_err(), "{bad}");
        }
    }
}
