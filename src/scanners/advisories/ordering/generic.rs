//! Dotted versions with PHP-style words (Packagist, and the fallback ordering): numbers compare
//! numerically and missing ones count as 0 (`1.0` == `1.0.0`, as Composer normalizes them);
//! words rank as PHP's `version_compare` does: any other word < `dev` < `alpha`/`a` <
//! `beta`/`b` < `RC` < a number < `patch`/`pl`/`p`. A leading `v` is ignored.

use std::cmp::Ordering;
use std::str::FromStr;

/// A parsed generic version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericVersion {
    items: Vec<(u8, u64)>,
}

/// Not a version (it must start with a digit after an optional `v`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAVersion;

const NUMBER: u8 = 5;

fn word_rank(w: &str) -> u8 {
    match w {
        "dev" => 1,
        "alpha" | "a" => 2,
        "beta" | "b" => 3,
        "rc" => 4,
        "patch" | "pl" | "p" => 6,
        _ => 0,
    }
}

impl FromStr for GenericVersion {
    type Err = NotAVersion;

    fn from_str(s: &str) -> Result<Self, NotAVersion> {
        let lower = s.trim().to_ascii_lowercase();
        let body = lower.strip_prefix('v').unwrap_or(&lower);
        if !body.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(NotAVersion);
        }
        let mut items = Vec::new();
        for part in body.split(['.', '-', '_', '+']) {
            let mut rest = part;
            while !rest.is_empty() {
                let digits = rest.starts_with(|c: char| c.is_ascii_digit());
                let end = rest
                    .find(|c: char| c.is_ascii_digit() != digits)
                    .unwrap_or(rest.len());
                let tok = &rest[..end];
                items.push(if digits {
                    (NUMBER, tok.parse().unwrap_or(u64::MAX))
                } else if tok.bytes().all(|b| b.is_ascii_alphabetic()) {
                    (word_rank(tok), 0)
                } else {
                    return Err(NotAVersion);
                });
                rest = &rest[end..];
            }
        }
        Ok(GenericVersion { items })
    }
}

impl Ord for GenericVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.items.len().max(other.items.len());
        (0..n)
            .map(|i| {
                let a = self.items.get(i).copied().unwrap_or((NUMBER, 0));
                let b = other.items.get(i).copied().unwrap_or((NUMBER, 0));
                a.cmp(&b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for GenericVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> GenericVersion {
        s.parse().unwrap_or_else(|_| panic!("{s}"))
    }

    #[test]
    fn php_style_order() {
        let ordered = [
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-beta2",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-p1",
            "1.0.1",
            "v1.10",
            "2",
        ];
        for w in ordered.windows(2) {
            assert_eq!(v(w[0]).cmp(&v(w[1])), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        assert_eq!(v("v5.4").cmp(&v("5.4.0")), Ordering::Equal);
        assert!("dev-main".parse::<GenericVersion>().is_err());
    }
}
