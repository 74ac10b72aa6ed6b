//! Whether a locked version is affected by an OSV `affected[]` entry, and the fix to advise.
//!
//! Evaluation follows the OSV schema's algorithm: a version is affected when it is listed in
//! `versions`, or when some range, with its events sorted by version, leaves it "inside" —
//! `introduced` ≤ v opens, `fixed` ≤ v closes, `last_affected` < v closes — and, if the range
//! has `limit` events, v is below one of them. Versions are compared in the range's ordering;
//! a locked version that ordering cannot parse is matched only against `versions`.

use std::cmp::Ordering;

use super::record::{Affected, Event, Range};
use crate::scanners::advisories::ordering::{Scheme, Version};

/// Whether `version` (as locked) is affected.
pub fn is_affected(a: &Affected, version: &str) -> bool {
    let listed = a.versions.iter().any(|v| same_version(a, v, version));
    listed || a.ranges.iter().any(|r| in_range(r, version))
}

fn same_version(a: &Affected, listed: &str, locked: &str) -> bool {
    if listed.trim() == locked.trim() {
        return true;
    }
    // `1.0` and `1.0.0` are one PyPI version; `v1.2.3` and `1.2.3` one Go version.
    let scheme = Scheme::for_ecosystem(a.ecosystem);
    match (scheme.parse(listed), scheme.parse(locked)) {
        (Some(x), Some(y)) => x.compare(&y) == Some(Ordering::Equal),
        _ => false,
    }
}

fn lt(a: &Version, b: &Version) -> bool {
    a.compare(b) == Some(Ordering::Less)
}

fn in_range(r: &Range, version: &str) -> bool {
    let Some(v) = r.scheme.parse(version) else {
        return false;
    };
    // Sort events by version ("0" first); at one version, a closing event after an opening one.
    let mut events: Vec<&Event> = r
        .events
        .iter()
        .filter(|e| !matches!(e, Event::Limit(_)))
        .collect();
    events.sort_by(|a, b| {
        let (va, vb) = (event_version(a), event_version(b));
        match (va, vb) {
            (None, None) => Ordering::Equal,
            (None, _) => Ordering::Less,
            (_, None) => Ordering::Greater,
            (Some(x), Some(y)) => x.compare(y).unwrap_or(Ordering::Equal),
        }
        .then_with(|| rank(a).cmp(&rank(b)))
    });
    let mut affected = false;
    for e in events {
        match e {
            Event::Introduced(None) => affected = true,
            Event::Introduced(Some(i)) => {
                if !lt(&v, i) {
                    affected = true;
                }
            }
            Event::Fixed(f, _) => {
                if !lt(&v, f) {
                    affected = false;
                }
            }
            Event::LastAffected(l) => {
                if lt(l, &v) {
                    affected = false;
                }
            }
            Event::Limit(_) => {}
        }
    }
    let limits: Vec<&Version> = r
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Limit(l) => Some(l),
            _ => None,
        })
        .collect();
    affected && (limits.is_empty() || limits.iter().any(|l| lt(&v, l)))
}

fn event_version(e: &Event) -> Option<&Version> {
    match e {
        Event::Introduced(v) => v.as_ref(),
        Event::Fixed(v, _) | Event::LastAffected(v) | Event::Limit(v) => Some(v),
    }
}

fn rank(e: &Event) -> u8 {
    match e {
        Event::Introduced(_) => 0,
        _ => 1,
    }
}

/// The advice for an affected version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// The smallest `fixed` version above the locked one, as written.
    pub version: String,
    /// `Some(true)`: same semver-compatible line; `Some(false)`: a breaking upgrade; `None`:
    /// the ecosystem has no such notion.
    pub compatible: Option<bool>,
}

/// The smallest `fixed` event above `version` in any range of `a`.
pub fn fix_for(a: &Affected, version: &str) -> Option<Fix> {
    let mut best: Option<(&Version, &String, Version)> = None;
    for r in &a.ranges {
        let Some(v) = r.scheme.parse(version) else {
            continue;
        };
        for e in &r.events {
            if let Event::Fixed(f, raw) = e {
                if !lt(&v, f) {
                    continue;
                }
                if best.as_ref().is_none_or(|(b, _, _)| lt(f, b)) {
                    best = Some((f, raw, v.clone()));
                }
            }
        }
    }
    best.map(|(f, raw, v)| Fix {
        version: raw.clone(),
        compatible: v.semver_compatible(f),
    })
}

/// Every `fixed` version of `a`, as written (for the `patched` property).
pub fn fixed_versions(a: &Affected) -> Vec<String> {
    let mut out: Vec<String> = a
        .ranges
        .iter()
        .flat_map(|r| r.events.iter())
        .filter_map(|e| match e {
            Event::Fixed(_, raw) => Some(raw.clone()),
            _ => None,
        })
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanners::advisories::osv::Record;

    fn affected(eco: &str, ranges: &str, versions: &str) -> Affected {
        let text = format!(
            r#"{{"id":"T","affected":[{{"package":{{"ecosystem":"{eco}","name":"p"}},"ranges":[{ranges}],"versions":[{versions}]}}]}}"#
        );
        Record::parse(&text).unwrap().affected.remove(0)
    }

    #[test]
    fn introduced_fixed_pairs_in_any_order() {
        let a = affected(
            "PyPI",
            r#"{"type":"ECOSYSTEM","events":[{"fixed":"2.2.1"},{"introduced":"2.0"},{"introduced":"0"},{"fixed":"1.11.29"}]}"#,
            "",
        );
        for (v, hit) in [
            ("1.0", true),
            ("1.11.28", true),
            ("1.11.29", false),
            ("1.11.30", false),
            ("2.0rc1", false),
            ("2.0", true),
            ("2.2.1rc1", true),
            ("2.2.1", false),
            ("3", false),
        ] {
            assert_eq!(is_affected(&a, v), hit, "{v}");
        }
        assert_eq!(fix_for(&a, "2.1").unwrap().version, "2.2.1");
        assert_eq!(fix_for(&a, "1.5").unwrap().version, "1.11.29");
        assert_eq!(fix_for(&a, "1.5").unwrap().compatible, None);
    }

    #[test]
    fn last_affected_limit_and_versions() {
        let a = affected(
            "RubyGems",
            r#"{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"last_affected":"1.4.2"}]}"#,
            r#""0.9.1""#,
        );
        assert!(is_affected(&a, "1.4.2"));
        assert!(!is_affected(&a, "1.0.0.rc1"));
        assert!(!is_affected(&a, "1.4.3"));
        assert!(is_affected(&a, "0.9.1"), "listed");
        assert!(!is_affected(&a, "0.9.2"));
        assert_eq!(fix_for(&a, "1.2"), None, "no fixed event");
        let l = affected(
            "npm",
            r#"{"type":"SEMVER","events":[{"introduced":"0"},{"limit":"2.0.0"}]}"#,
            "",
        );
        assert!(is_affected(&l, "1.9.9"));
        assert!(!is_affected(&l, "2.0.0"));
        let go = affected(
            "Go",
            r#"{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.0.0-20220314234659-1baeb1ce4c0b"}]}"#,
            "",
        );
        assert!(is_affected(&go, "v0.0.0-20210711020723-a769d52b0f44"));
        assert!(!is_affected(&go, "v0.0.0-20220315000000-000000000000"));
        assert!(!is_affected(&go, "v0.1.0"));
        let npm = affected(
            "npm",
            r#"{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.21"}]}"#,
            "",
        );
        let f = fix_for(&npm, "4.17.20").unwrap();
        assert_eq!((f.version.as_str(), f.compatible), ("4.17.21", Some(true)));
        assert_eq!(fix_for(&npm, "3.10.1").unwrap().compatible, Some(false));
        assert!(!is_affected(&npm, "not-a-version"));
    }
}
