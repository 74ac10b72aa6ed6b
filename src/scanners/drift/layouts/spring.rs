//! Spring profiles inside one `application.yml`: documents activated by
//! `spring.config.activate.on-profile` (or the older `spring.profiles`).
//!
//! Such a file holds every environment at once; parsed as is, its documents are `/0`, `/1`, …
//! and nothing pairs them. The effective configuration of profile `prod` is every document
//! without an activation, then those activated for `prod`, in file order (later wins), as
//! Spring Boot loads them.

use std::collections::BTreeMap;

use crate::scanners::drift::envtok::{env_of_token, Env, DISCOVER_PROD, DISCOVER_UAT};
use crate::scanners::drift::model::{FlatConfig, Value};

/// Activation keys, relative to a document.
const ACTIVATION: [&str; 2] = ["/spring/config/activate/on-profile", "/spring/profiles"];

/// Documents of a multi-document file, by index, with their keys relative to the document.
fn documents(c: &FlatConfig) -> Option<BTreeMap<usize, FlatConfig>> {
    let mut docs: BTreeMap<usize, FlatConfig> = BTreeMap::new();
    for (k, e) in &c.entries {
        let rest = k.strip_prefix('/')?;
        let (idx, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let i: usize = idx.parse().ok()?;
        let doc = docs.entry(i).or_default();
        if !tail.is_empty() {
            doc.entries.insert(format!("/{tail}"), e.clone());
        }
    }
    (docs.len() > 1).then_some(docs)
}

/// Profile names a document is activated for (empty: always active). `prod | eu`, `prod,eu`
/// and lists all count; negations (`!prod`) are not activations.
fn activation(doc: &FlatConfig) -> Vec<String> {
    let mut out = Vec::new();
    for key in ACTIVATION {
        let prefix = format!("{key}/");
        for (k, e) in &doc.entries {
            if k != key && !k.starts_with(&prefix) {
                continue;
            }
            if let Value::String(s) = &e.value {
                out.extend(
                    s.split([',', '|', '&', '(', ')'])
                        .map(str::trim)
                        .filter(|p| !p.is_empty() && !p.starts_with('!'))
                        .map(str::to_string),
                );
            }
        }
    }
    out
}

/// Profiles named in a file's activations.
pub fn profiles(c: &FlatConfig) -> Vec<String> {
    let mut v: Vec<String> = documents(c)
        .map(|d| d.values().flat_map(activation).collect())
        .unwrap_or_default();
    v.sort();
    v.dedup();
    v
}

/// The UAT and production profiles of a file, when it has both.
pub fn env_profiles(c: &FlatConfig) -> Option<(String, String)> {
    let ps = profiles(c);
    let pick = |order: &[&str], env: Env| {
        order
            .iter()
            .find_map(|t| ps.iter().find(|p| p.eq_ignore_ascii_case(t)))
            .or_else(|| ps.iter().find(|p| env_of_token(p) == Some(env)))
            .cloned()
    };
    Some((
        pick(DISCOVER_UAT, Env::Uat)?,
        pick(DISCOVER_PROD, Env::Prod)?,
    ))
}

/// The effective configuration for `profile` (`None`: the default documents only).
pub fn effective(c: &FlatConfig, profile: Option<&str>) -> FlatConfig {
    let Some(docs) = documents(c) else {
        return c.clone();
    };
    let mut out = FlatConfig::default();
    for doc in docs.into_values() {
        let act = activation(&doc);
        let on = act.is_empty()
            || profile.is_some_and(|p| act.iter().any(|a| a.eq_ignore_ascii_case(p)));
        if !on {
            continue;
        }
        let mut doc = doc;
        doc.entries.retain(|k, _| {
            !ACTIVATION
                .iter()
                .any(|a| k == a || k.starts_with(&format!("{a}/")))
        });
        // Maps left empty by that (`/spring/config/activate`, …) go too.
        for a in ACTIVATION {
            let mut cur = a;
            while let Some(i) = cur.rfind('/').filter(|&i| i > 0) {
                cur = &cur[..i];
                let prefix = format!("{cur}/");
                if doc.entries.keys().any(|k| k.starts_with(&prefix)) {
                    break;
                }
                doc.entries.remove(cur);
            }
        }
        out.overlay(doc);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanners::drift::parse::{parse, Format, Limits};

    const YML: &str = "server:\n  port: 8080\nlogging:\n  level: INFO\n---\nspring:\n  config:\n    activate:\n      on-profile: staging\nlogging:\n  level: DEBUG\n---\nspring:\n  config:\n    activate:\n      on-profile: prod\nserver:\n  port: 80\n";

    #[test]
    fn profile_documents_over_defaults() {
        let c = parse("application.yml", YML, Format::Yaml, &Limits::default()).unwrap();
        assert_eq!(env_profiles(&c), Some(("staging".into(), "prod".into())));
        let uat = effective(&c, Some("staging"));
        assert_eq!(
            uat.entries["/logging/level"].value,
            Value::String("DEBUG".into())
        );
        assert_eq!(uat.entries["/server/port"].value, Value::Int(8080));
        assert_eq!(uat.entries["/logging/level"].location.start_line, 11);
        let prod = effective(&c, Some("prod"));
        assert_eq!(
            prod.entries["/logging/level"].value,
            Value::String("INFO".into())
        );
        assert_eq!(prod.entries["/server/port"].value, Value::Int(80));
        assert!(!prod.entries.keys().any(|k| k.starts_with("/spring")));
    }
}
