//! Declared expected differences (`allow`) and release-parity keys (`require_equal`) of a pair.
//!
//! Globs match key paths segment-wise (`*` inside a segment, `**` across). A key also matches
//! through its relative forms: inside its Kubernetes object (`/spec/replicas` matches
//! `/Deployment/shop-prod/api/spec/replicas`) and inside its file of a folder pair
//! (`/port` matches `/app.yaml/port`). `kinds` are drift kinds (`value`, `missing-in-prod`, …;
//! `value` also covers `sizing-inversion`), `policy` or `policy/<id>`; empty means all.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::dates::IsoDate;

use super::cfg::DriftAllow;
use super::kinds::DriftKind;

/// Compiled key-path globs. `*` stays inside one segment, `**` crosses segments, and a pattern
/// ending in `/**` also matches the container itself.
#[derive(Debug, Clone)]
pub struct KeyGlobs {
    set: GlobSet,
}

impl KeyGlobs {
    /// Compiles `patterns`; the error names the bad pattern.
    pub fn new(patterns: &[String]) -> Result<Self, String> {
        let mut b = GlobSetBuilder::new();
        for p in patterns {
            let mut add = |pat: &str| -> Result<(), String> {
                let g = GlobBuilder::new(pat)
                    .literal_separator(true)
                    .backslash_escape(true)
                    .build()
                    .map_err(|e| format!("invalid key-path glob `{p}`: {e}"))?;
                b.add(g);
                Ok(())
            };
            add(p)?;
            if let Some(stem) = p.strip_suffix("/**") {
                if !stem.is_empty() {
                    add(stem)?;
                }
            }
            // `**/x` must also match `/x` (a leading slash is an empty first segment).
            if let Some(rest) = p.strip_prefix("**/") {
                add(&format!("/{rest}"))?;
            }
        }
        let set = b
            .build()
            .map_err(|e| format!("invalid key-path globs: {e}"))?;
        Ok(KeyGlobs { set })
    }

    /// Whether any of `keys` (the UAT key, the production key, the normalized key) matches,
    /// as a whole or relative to its Kubernetes object or folder file ([`relative_forms`]).
    pub fn matches_any(&self, keys: &[&str]) -> bool {
        !self.set.is_empty()
            && keys
                .iter()
                .any(|k| self.set.is_match(k) || relative_forms(k).any(|r| self.set.is_match(r)))
    }
}

/// Suffixes of a key path that users write in `allow`/`require_equal` without knowing how
/// files were merged: inside a Kubernetes object (`/Deployment/ns/api/spec/replicas` →
/// `/spec/replicas`) and inside a file of a folder pair (`/app.yaml/port` → `/port`).
pub fn relative_forms(key: &str) -> impl Iterator<Item = &str> {
    let segs: Vec<usize> = key.match_indices('/').map(|(i, _)| i).collect();
    let first = key
        .get(1..segs.get(1).copied().unwrap_or(key.len()))
        .unwrap_or_default();
    let mut out = Vec::new();
    // A Kubernetes kind is PascalCase: `/Kind/<namespace>/<name>/…`.
    if first.starts_with(|c: char| c.is_ascii_uppercase()) {
        if let Some(&i) = segs.get(3) {
            out.push(&key[i..]);
        }
    }
    // A folder file prefix is one escaped segment with an extension: `/app.yaml/…`, `/sub~1x.env/…`.
    if first.contains('.') && super::parse::Format::from_path(&first.replace("~1", "/")).is_some() {
        if let Some(&i) = segs.get(1) {
            out.push(&key[i..]);
            let rest = &key[i..];
            let inner: Vec<usize> = rest.match_indices('/').map(|(j, _)| j).collect();
            let kind = rest
                .get(1..inner.get(1).copied().unwrap_or(rest.len()))
                .unwrap_or_default();
            if kind.starts_with(|c: char| c.is_ascii_uppercase()) {
                if let Some(&j) = inner.get(3) {
                    out.push(&rest[j..]);
                }
            }
        }
    }
    out.into_iter()
}

/// What an allowance says about a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowed {
    /// Declared and in force: suppress with this justification.
    Yes(String),
    /// Declared, but its `until` has passed: report, and say so.
    Expired {
        /// The date that passed.
        until: IsoDate,
        /// Index of the allowance in the pair's `allow` list.
        index: usize,
    },
}

#[derive(Debug, Clone)]
struct Allowance {
    globs: KeyGlobs,
    kinds: Vec<String>,
    reason: String,
    until: Option<IsoDate>,
}

/// A pair's expectations, compiled.
#[derive(Debug, Clone)]
pub struct Expectations {
    allows: Vec<Allowance>,
    require_equal: KeyGlobs,
}

impl Expectations {
    /// Compiles `allow` and `require_equal`; errors name the bad glob or kind.
    pub fn new(allow: &[DriftAllow], require_equal: &[String]) -> Result<Self, String> {
        let mut allows = Vec::new();
        for a in allow {
            for k in &a.kinds {
                let ok = k == "policy"
                    || k.starts_with("policy/")
                    || k.parse::<DriftKind>().is_ok()
                    || k == "drift";
                if !ok {
                    return Err(format!(
                        "allow: unknown kind `{k}`: expected a drift kind ({}), `policy` or `policy/<id>`",
                        DriftKind::ALL.map(|k| k.as_str()).join(", ")
                    ));
                }
            }
            allows.push(Allowance {
                globs: KeyGlobs::new(&a.paths)?,
                kinds: a.kinds.clone(),
                reason: a
                    .reason
                    .clone()
                    .unwrap_or_else(|| "declared expected difference".to_string()),
                until: a.until,
            });
        }
        Ok(Expectations {
            allows,
            require_equal: KeyGlobs::new(require_equal)?,
        })
    }

    /// No allowance, no parity key.
    pub fn none() -> Self {
        Expectations {
            allows: Vec::new(),
            require_equal: KeyGlobs {
                set: GlobSet::empty(),
            },
        }
    }

    /// Whether these keys must be equal in UAT and production.
    pub fn requires_equal(&self, keys: &[&str]) -> bool {
        self.require_equal.matches_any(keys)
    }

    /// The first allowance covering a finding of `rule_id` at `keys`. An allowance in force wins
    /// over an expired one (its `until` before `today`).
    pub fn allowed(&self, rule_id: &str, keys: &[&str], today: IsoDate) -> Option<Allowed> {
        let (family, short) = rule_id.split_once('/').unwrap_or(("", rule_id));
        let mut expired = None;
        for (index, a) in self.allows.iter().enumerate() {
            let kind_ok = a.kinds.is_empty()
                || a.kinds.iter().any(|k| {
                    k == rule_id
                        || k == family
                        || (family == "drift" && k == short)
                        || (family == "policy" && k == short)
                        // A declared value difference also covers a smaller production size.
                        || (k == "value" && short == "sizing-inversion")
                });
            if !kind_ok || !a.globs.matches_any(keys) {
                continue;
            }
            match a.until {
                Some(until) if until.has_passed(today) => {
                    expired.get_or_insert(Allowed::Expired { until, index });
                }
                _ => return Some(Allowed::Yes(a.reason.clone())),
            }
        }
        expired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> IsoDate {
        "2026-11-26".parse().unwrap()
    }

    fn allow(paths: &[&str], kinds: &[&str], until: Option<&str>) -> DriftAllow {
        DriftAllow {
            paths: paths.iter().map(|s| s.to_string()).collect(),
            kinds: kinds.iter().map(|s| s.to_string()).collect(),
            reason: Some("sized per env".into()),
            until: until.map(|u| u.parse().unwrap()),
        }
    }

    #[test]
    fn globs_follow_key_path_segments() {
        let g = KeyGlobs::new(&[
            "**/image".into(),
            "/ingress/hosts/**".into(),
            "/version".into(),
        ])
        .unwrap();
        assert!(g.matches_any(&["/spec/template/spec/containers/name=app/image"]));
        assert!(g.matches_any(&["/image"]));
        assert!(g.matches_any(&["/ingress/hosts/0/host"]));
        assert!(g.matches_any(&["/ingress/hosts"]));
        assert!(g.matches_any(&["/version"]));
        assert!(!g.matches_any(&["/versions"]));
        assert!(!g.matches_any(&["/image/tag"]));
        let one = KeyGlobs::new(&["/a/*".into()]).unwrap();
        assert!(one.matches_any(&["/a/b"]));
        assert!(!one.matches_any(&["/a/b/c"]), "* stays in one segment");
        assert!(KeyGlobs::new(&["/a/[".into()]).is_err());
    }

    #[test]
    fn relative_forms_of_merged_keys() {
        let f: Vec<&str> = relative_forms("/Deployment/shop/api/spec/replicas").collect();
        assert_eq!(f, vec!["/spec/replicas"]);
        let f: Vec<&str> = relative_forms("/app.yaml/server/port").collect();
        assert_eq!(f, vec!["/server/port"]);
        assert_eq!(relative_forms("/spring.datasource.url").count(), 0);
        assert_eq!(relative_forms("/DEBUG").count(), 0);
        let g = KeyGlobs::new(&["/spec/replicas".into()]).unwrap();
        assert!(g.matches_any(&["/Deployment/shop-prod/api/spec/replicas"]));
        assert!(!g.matches_any(&["/Deployment/shop-prod/api/spec/template/spec/replicas"]));
    }

    #[test]
    fn allowances_by_kind_and_date() {
        let e = Expectations::new(
            &[
                allow(
                    &["/replicaCount"],
                    &["value", "sizing-inversion"],
                    Some("2999-01-01"),
                ),
                allow(&["/old"], &[], Some("2000-01-01")),
                allow(&["/DEBUG"], &["policy"], None),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(
            e.allowed("drift/value", &["/replicaCount"], today()),
            Some(Allowed::Yes("sized per env".into()))
        );
        assert_eq!(
            e.allowed("drift/missing-in-prod", &["/replicaCount"], today()),
            None
        );
        let v = Expectations::new(&[allow(&["/r"], &["value"], None)], &[]).unwrap();
        assert!(
            v.allowed("drift/sizing-inversion", &["/r"], today())
                .is_some(),
            "value covers sizing"
        );
        assert!(matches!(
            e.allowed("drift/value", &["/old"], today()),
            Some(Allowed::Expired { index: 1, .. })
        ));
        assert!(matches!(
            e.allowed("policy/prod-debug-enabled", &["/DEBUG"], today()),
            Some(Allowed::Yes(_))
        ));
        assert_eq!(e.allowed("drift/value", &["/DEBUG"], today()), None);
        assert!(Expectations::new(&[allow(&["/x"], &["valeu"], None)], &[])
            .unwrap_err()
            .contains("valeu"));
    }
}
