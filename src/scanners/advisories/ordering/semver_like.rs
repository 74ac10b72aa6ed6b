//! Semver precedence for npm, Go and crates.io versions, lenient about the prefix.

use std::cmp::Ordering;

/// Parses `1.2.3`, `v1.2.3`, `=1.2.3`, and `1.2` / `v1` (missing parts are zero, as Go and
/// npm treat them). Go pseudo-versions are ordinary semver pre-releases, so they order
/// correctly: `v0.0.0-20210101000000-abc` < `v0.0.0`, and `v1.2.4-0.2021…` sits between
/// `v1.2.3` and `v1.2.4`.
pub(super) fn parse(s: &str) -> Option<semver::Version> {
    let s = s.trim();
    let s = s.strip_prefix('=').unwrap_or(s).trim();
    let s = s.strip_prefix('v').unwrap_or(s);
    if let Ok(v) = semver::Version::parse(s) {
        return Some(v);
    }
    // Pad `1.2` / `1` / `1.2-pre` to three parts.
    let cut = s.find(['-', '+']).unwrap_or(s.len());
    let (core, rest) = s.split_at(cut);
    let parts = core.split('.').count();
    if parts == 0 || parts > 2 || core.is_empty() {
        return None;
    }
    let padded = format!("{core}{}{rest}", ".0".repeat(3 - parts));
    semver::Version::parse(&padded).ok()
}

/// Semver precedence: build metadata is ignored (`1.0.0+a` == `1.0.0+b`), as SemVer 2.0
/// says and OSV's evaluation expects.
pub(super) fn cmp(a: &semver::Version, b: &semver::Version) -> Ordering {
    (a.major, a.minor, a.patch)
        .cmp(&(b.major, b.minor, b.patch))
        .then_with(|| a.pre.cmp(&b.pre))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(a: &str, b: &str) -> Ordering {
        cmp(&parse(a).unwrap(), &parse(b).unwrap())
    }

    #[test]
    fn prefixes_padding_and_go_pseudo_versions() {
        assert_eq!(parse("v1.2").unwrap().to_string(), "1.2.0");
        assert_eq!(parse("=1.0.0").unwrap().to_string(), "1.0.0");
        assert!(parse("1.2.3.4").is_none());
        assert!(parse("latest").is_none());
        assert_eq!(c("v2.0.0+incompatible", "2.0.0"), Ordering::Equal);
        assert_eq!(
            c("v0.0.0-20210101000000-abcdef123456", "0.0.0"),
            Ordering::Less
        );
        assert_eq!(
            c("v1.2.4-0.20210101000000-abcdef123456", "v1.2.3"),
            Ordering::Greater
        );
        assert_eq!(
            c("v1.2.4-0.20210101000000-abcdef123456", "v1.2.4"),
            Ordering::Less
        );
        assert_eq!(
            c(
                "v0.0.0-20200101000000-aaaaaaaaaaaa",
                "v0.0.0-20210101000000-000000000000"
            ),
            Ordering::Less
        );
        assert_eq!(c("1.0.0-alpha", "1.0.0-alpha.1"), Ordering::Less);
        assert_eq!(c("1.0.0-rc.1", "1.0.0"), Ordering::Less);
    }
}
