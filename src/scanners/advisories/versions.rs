//! Which versions an advisory affects, and the smallest upgrade that fixes it.
//!
//! RustSec advisories list `patched` and `unaffected` semver requirements; every version in
//! neither is vulnerable. Like the `rustsec` crate (and so cargo-audit), requirements are turned
//! into half-open version *ranges* and compared with semver precedence, not with
//! `VersionReq::matches`: that keeps pre-releases such as `0.14.0-rc.1` inside `< 0.14.10`
//! instead of silently unaffected.

use std::cmp::Ordering;
use std::fmt;

use semver::{Comparator, Op, Prerelease, Version, VersionReq};

/// One end of a range of versions.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Bound {
    Unbounded,
    Inclusive(Version),
    Exclusive(Version),
}

impl Bound {
    fn version(&self) -> Option<&Version> {
        match self {
            Bound::Unbounded => None,
            Bound::Inclusive(v) | Bound::Exclusive(v) => Some(v),
        }
    }
}

/// A range of versions that is *not* affected (one `patched` or `unaffected` requirement).
#[derive(Debug, Clone, PartialEq, Eq)]
struct SafeRange {
    start: Bound,
    end: Bound,
}

impl SafeRange {
    /// Whether `self` starts at or before where `other` ends (`start <= end`, with exclusive
    /// bounds on equal versions meaning "empty").
    fn starts_before_end_of(&self, other: &SafeRange) -> bool {
        match (self.start.version(), other.end.version()) {
            (None, _) | (_, None) => true,
            (Some(s), Some(e)) => match s.cmp(e) {
                Ordering::Less => true,
                Ordering::Equal => matches!(
                    (&self.start, &other.end),
                    (Bound::Inclusive(_), Bound::Inclusive(_))
                ),
                Ordering::Greater => false,
            },
        }
    }

    fn overlaps(&self, other: &SafeRange) -> bool {
        self.starts_before_end_of(other) && other.starts_before_end_of(self)
    }

    #[cfg(test)]
    fn contains(&self, v: &Version) -> bool {
        let above = match &self.start {
            Bound::Unbounded => true,
            Bound::Inclusive(s) => v >= s,
            Bound::Exclusive(s) => v > s,
        };
        let below = match &self.end {
            Bound::Unbounded => true,
            Bound::Inclusive(e) => v <= e,
            Bound::Exclusive(e) => v < e,
        };
        above && below
    }
}

/// `[introduced, fixed)`: the versions an advisory affects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedRange {
    /// First affected version (`None`: from the beginning).
    pub introduced: Option<Version>,
    /// First version no longer affected (`None`: no fix yet).
    pub fixed: Option<Version>,
}

impl AffectedRange {
    fn contains(&self, v: &Version) -> bool {
        self.introduced.as_ref().is_none_or(|i| v >= i) && self.fixed.as_ref().is_none_or(|f| v < f)
    }
}

/// Why an advisory's `[versions]` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct VersionsError(String);

/// The `[versions]` table of an advisory, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    patched: Vec<VersionReq>,
    unaffected: Vec<VersionReq>,
    patched_ranges: Vec<SafeRange>,
    affected: Vec<AffectedRange>,
}

impl Versions {
    /// Validates `patched` and `unaffected` (no overlapping ranges, supported operators only).
    pub fn new(
        patched: Vec<VersionReq>,
        unaffected: Vec<VersionReq>,
    ) -> Result<Self, VersionsError> {
        let patched_ranges = patched
            .iter()
            .map(to_range)
            .collect::<Result<Vec<_>, _>>()?;
        let mut safe = unaffected
            .iter()
            .map(to_range)
            .collect::<Result<Vec<_>, _>>()?;
        safe.extend(patched_ranges.iter().cloned());
        let affected = affected_ranges(safe)?;
        Ok(Versions {
            patched,
            unaffected,
            patched_ranges,
            affected,
        })
    }

    /// Whether `version` is affected.
    pub fn is_vulnerable(&self, version: &Version) -> bool {
        self.affected.iter().any(|r| r.contains(version))
    }

    /// The `patched` requirements as written.
    pub fn patched(&self) -> &[VersionReq] {
        &self.patched
    }

    /// The `unaffected` requirements as written.
    pub fn unaffected(&self) -> &[VersionReq] {
        &self.unaffected
    }

    /// The affected ranges.
    pub fn affected(&self) -> &[AffectedRange] {
        &self.affected
    }

    /// The smallest patched version above `version`, and whether moving to it is a
    /// semver-compatible update (`cargo update`) or a breaking upgrade (edit Cargo.toml).
    pub fn fix_for(&self, version: &Version) -> Option<Fix> {
        let best = self
            .patched_ranges
            .iter()
            .filter_map(|r| match &r.start {
                Bound::Unbounded => None,
                Bound::Inclusive(v) => Some(v.clone()),
                Bound::Exclusive(v) => Some(next_patch(v)),
            })
            .filter(|c| c > version)
            .min()?;
        let kind = if semver_compatible(version, &best) {
            FixKind::Compatible
        } else {
            FixKind::Breaking
        };
        Some(Fix {
            version: best,
            kind,
        })
    }
}

/// An upgrade that leaves the affected range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// The smallest fixed version.
    pub version: Version,
    /// Whether it is reachable with `cargo update`.
    pub kind: FixKind,
}

/// How hard the fix is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixKind {
    /// Same semver-compatible line: `cargo update -p NAME` is enough.
    Compatible,
    /// A new major (or 0.x minor) line: a Cargo.toml change, maybe code changes.
    Breaking,
}

impl FixKind {
    /// `compatible` or `breaking`, as in the `fix_kind` property.
    pub fn as_str(self) -> &'static str {
        match self {
            FixKind::Compatible => "compatible",
            FixKind::Breaking => "breaking",
        }
    }
}

impl fmt::Display for FixKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Cargo's caret rule: same major, or same minor for 0.x, or same patch for 0.0.x.
pub fn semver_compatible(from: &Version, to: &Version) -> bool {
    if from.major != to.major {
        return false;
    }
    if from.major > 0 {
        return true;
    }
    if from.minor != to.minor {
        return false;
    }
    from.minor > 0 || from.patch == to.patch
}

fn next_patch(v: &Version) -> Version {
    Version::new(v.major, v.minor, v.patch + 1)
}

/// The version just above `v` in precedence (used to turn inclusive ends into exclusive ones).
fn increment(v: &Version) -> Version {
    let mut v = v.clone();
    v.build = semver::BuildMetadata::EMPTY;
    if v.pre.is_empty() {
        v.patch += 1;
        v.pre = Prerelease::new("0").unwrap_or(Prerelease::EMPTY);
    } else {
        let next = format!("{}.0", v.pre);
        v.pre = Prerelease::new(&next).unwrap_or(Prerelease::EMPTY);
    }
    v
}

fn comparator_version(c: &Comparator) -> Version {
    Version {
        major: c.major,
        minor: c.minor.unwrap_or(0),
        patch: c.patch.unwrap_or(0),
        pre: c.pre.clone(),
        build: semver::BuildMetadata::EMPTY,
    }
}

fn pre_zero(mut v: Version) -> Version {
    v.pre = Prerelease::new("0").unwrap_or(Prerelease::EMPTY);
    v
}

fn to_range(req: &VersionReq) -> Result<SafeRange, VersionsError> {
    let err = |m: &str| Err(VersionsError(format!("`{req}`: {m}")));
    if req.comparators.len() > 2 {
        return err("more than two comparators");
    }
    let alone = req.comparators.len() == 1;
    let mut start = Bound::Unbounded;
    let mut end = Bound::Unbounded;
    for c in &req.comparators {
        let v = comparator_version(c);
        match c.op {
            Op::Greater | Op::GreaterEq if start != Bound::Unbounded => {
                return err("two lower bounds")
            }
            Op::Less | Op::LessEq if end != Bound::Unbounded => return err("two upper bounds"),
            Op::Greater => start = Bound::Exclusive(v),
            Op::GreaterEq => start = Bound::Inclusive(v),
            Op::Less => end = Bound::Exclusive(v),
            Op::LessEq => end = Bound::Inclusive(v),
            Op::Exact | Op::Caret | Op::Tilde if !alone => {
                return err("`=`, `^` and `~` must be alone in their requirement")
            }
            Op::Exact => {
                start = Bound::Inclusive(v.clone());
                end = Bound::Inclusive(v);
            }
            Op::Caret => {
                let upper = if c.major > 0 {
                    Version::new(c.major + 1, 0, 0)
                } else {
                    match (c.minor, c.patch) {
                        (Some(0), Some(p)) => Version::new(0, 0, p + 1),
                        (Some(m), _) => Version::new(0, m + 1, 0),
                        (None, _) => Version::new(1, 0, 0),
                    }
                };
                start = Bound::Inclusive(v);
                end = Bound::Exclusive(pre_zero(upper));
            }
            Op::Tilde => {
                let upper = match c.minor {
                    Some(m) => Version::new(c.major, m + 1, 0),
                    None => Version::new(c.major + 1, 0, 0),
                };
                start = Bound::Inclusive(v);
                end = Bound::Exclusive(pre_zero(upper));
            }
            _ => return err("unsupported operator"),
        }
    }
    let range = SafeRange { start, end };
    if !range.starts_before_end_of(&range) {
        return err("empty range (start after end)");
    }
    Ok(range)
}

/// The gaps between the safe ranges.
fn affected_ranges(mut safe: Vec<SafeRange>) -> Result<Vec<AffectedRange>, VersionsError> {
    if safe.is_empty() {
        return Ok(vec![AffectedRange {
            introduced: None,
            fixed: None,
        }]);
    }
    for (i, a) in safe.iter().enumerate() {
        for b in &safe[i + 1..] {
            if a.overlaps(b) {
                return Err(VersionsError(format!(
                    "overlapping version ranges {} and {}",
                    show(a),
                    show(b)
                )));
            }
        }
    }
    safe.sort_by(|a, b| match (a.start.version(), b.start.version()) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Less,
        (_, None) => Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(y),
    });
    let mut out = Vec::new();
    if let Some(first) = safe.first() {
        match &first.start {
            Bound::Unbounded => {}
            Bound::Inclusive(v) => out.push(AffectedRange {
                introduced: None,
                fixed: Some(v.clone()),
            }),
            Bound::Exclusive(v) => out.push(AffectedRange {
                introduced: None,
                fixed: Some(increment(v)),
            }),
        }
    }
    for w in safe.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let introduced = match &a.end {
            Bound::Unbounded => continue,
            Bound::Exclusive(v) => v.clone(),
            Bound::Inclusive(v) => increment(v),
        };
        let fixed = match &b.start {
            Bound::Unbounded => continue,
            Bound::Exclusive(v) => increment(v),
            Bound::Inclusive(v) => v.clone(),
        };
        out.push(AffectedRange {
            introduced: Some(introduced),
            fixed: Some(fixed),
        });
    }
    if let Some(last) = safe.last() {
        match &last.end {
            Bound::Unbounded => {}
            Bound::Exclusive(v) => out.push(AffectedRange {
                introduced: Some(v.clone()),
                fixed: None,
            }),
            Bound::Inclusive(v) => out.push(AffectedRange {
                introduced: Some(increment(v)),
                fixed: None,
            }),
        }
    }
    Ok(out)
}

fn show(r: &SafeRange) -> String {
    let s = match &r.start {
        Bound::Unbounded => "[0".to_string(),
        Bound::Inclusive(v) => format!("[{v}"),
        Bound::Exclusive(v) => format!("({v}"),
    };
    let e = match &r.end {
        Bound::Unbounded => "∞)".to_string(),
        Bound::Inclusive(v) => format!("{v}]"),
        Bound::Exclusive(v) => format!("{v})"),
    };
    format!("{s}, {e}")
}

/// Whether `v` is inside one of `reqs`' ranges (used for `unaffected`-only checks in tests).
#[cfg(test)]
fn in_any(reqs: &[VersionReq], v: &Version) -> bool {
    reqs.iter()
        .filter_map(|r| to_range(r).ok())
        .any(|r| r.contains(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vs(patched: &[&str], unaffected: &[&str]) -> Versions {
        let p = patched
            .iter()
            .map(|s| VersionReq::parse(s).unwrap())
            .collect();
        let u = unaffected
            .iter()
            .map(|s| VersionReq::parse(s).unwrap())
            .collect();
        Versions::new(p, u).unwrap()
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn simple_patched_lower_bound() {
        let x = vs(&[">= 0.14.10"], &[]);
        assert!(x.is_vulnerable(&v("0.14.9")));
        assert!(x.is_vulnerable(&v("0.1.0")));
        assert!(!x.is_vulnerable(&v("0.14.10")));
        assert!(!x.is_vulnerable(&v("1.0.0")));
        // Pre-releases of the fixed line are still below the fix.
        assert!(x.is_vulnerable(&v("0.14.10-rc.1")));
    }

    #[test]
    fn backported_fixes_and_unaffected() {
        let x = vs(&["^0.13.5", ">= 0.14.2"], &["< 0.12.0"]);
        assert!(!x.is_vulnerable(&v("0.11.9")));
        assert!(x.is_vulnerable(&v("0.12.0")));
        assert!(x.is_vulnerable(&v("0.13.4")));
        assert!(!x.is_vulnerable(&v("0.13.5")));
        assert!(!x.is_vulnerable(&v("0.13.99")));
        assert!(x.is_vulnerable(&v("0.14.0")));
        assert!(!x.is_vulnerable(&v("0.14.2")));
        assert!(in_any(x.unaffected(), &v("0.11.0")));
    }

    #[test]
    fn no_patched_means_everything_affected() {
        let x = vs(&[], &[]);
        assert!(x.is_vulnerable(&v("0.0.1")));
        assert!(x.is_vulnerable(&v("99.0.0")));
        assert_eq!(x.fix_for(&v("1.0.0")), None);
    }

    #[test]
    fn range_with_upper_bound() {
        let x = vs(&[">= 1.2.3, < 1.3.0", ">= 1.3.4"], &["<= 0.1.2"]);
        assert!(!x.is_vulnerable(&v("0.1.2")));
        assert!(x.is_vulnerable(&v("0.1.3")));
        assert!(!x.is_vulnerable(&v("1.2.5")));
        assert!(x.is_vulnerable(&v("1.3.0")));
        assert!(x.is_vulnerable(&v("1.3.3")));
        assert!(!x.is_vulnerable(&v("1.3.4")));
    }

    #[test]
    fn exact_and_tilde() {
        let x = vs(&["=1.0.5", "~1.1.2", ">=2.0.0"], &[]);
        assert!(!x.is_vulnerable(&v("1.0.5")));
        assert!(x.is_vulnerable(&v("1.0.6")));
        assert!(x.is_vulnerable(&v("1.1.1")));
        assert!(!x.is_vulnerable(&v("1.1.9")));
        assert!(x.is_vulnerable(&v("1.2.0")));
    }

    #[test]
    fn overlapping_or_bad_ranges_are_rejected() {
        let p = vec![VersionReq::parse(">= 1.0").unwrap()];
        let u = vec![VersionReq::parse(">= 1.5").unwrap()];
        assert!(Versions::new(p, u).is_err());
        let p = vec![VersionReq::parse(">= 2.0, < 1.0").unwrap()];
        assert!(Versions::new(p, vec![]).is_err());
        let p = vec![VersionReq::parse("^1, ^2").unwrap()];
        assert!(Versions::new(p, vec![]).is_err());
    }

    #[test]
    fn fix_prefers_the_smallest_upgrade_and_classifies_it() {
        let x = vs(&["^0.13.5", ">= 0.14.2"], &[]);
        let f = x.fix_for(&v("0.13.1")).unwrap();
        assert_eq!(
            (f.version.to_string(), f.kind),
            ("0.13.5".into(), FixKind::Compatible)
        );
        let f = x.fix_for(&v("0.14.0")).unwrap();
        assert_eq!(
            (f.version.to_string(), f.kind),
            ("0.14.2".into(), FixKind::Compatible)
        );
        let f = x.fix_for(&v("0.12.0")).unwrap();
        assert_eq!(
            (f.version.to_string(), f.kind),
            ("0.13.5".into(), FixKind::Breaking)
        );
        let y = vs(&[">= 2.0.0"], &[]);
        assert_eq!(y.fix_for(&v("1.9.0")).unwrap().kind, FixKind::Breaking);
        let z = vs(&["> 1.2.3"], &[]);
        assert_eq!(z.fix_for(&v("1.2.3")).unwrap().version, v("1.2.4"));
    }

    #[test]
    fn caret_compatibility_rules() {
        assert!(semver_compatible(&v("1.2.3"), &v("1.9.0")));
        assert!(!semver_compatible(&v("1.2.3"), &v("2.0.0")));
        assert!(semver_compatible(&v("0.3.1"), &v("0.3.9")));
        assert!(!semver_compatible(&v("0.3.1"), &v("0.4.0")));
        assert!(!semver_compatible(&v("0.0.3"), &v("0.0.4")));
    }
}
