//! Helm values: `values.yaml` under `values-<env>.yaml`, merged the way Helm merges them.
//!
//! Helm merges maps key by key but *replaces* lists: a production values file that lists two
//! ingress hosts does not inherit the third from `values.yaml`. Merging lists item by item
//! would invent entries production never gets.

use std::ops::Bound;

use crate::scanners::drift::load::Loaded;
use crate::scanners::drift::model::Value;

/// Whether a file name is a Helm values file (`values.yaml`, `values-prod.yaml`,
/// `values.staging.yml`).
pub fn is_values_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("values") && (n.ends_with(".yaml") || n.ends_with(".yml"))
}

/// `base` overlaid by `own`, every list `own` sets replacing the base's list.
pub fn with_base(base: &Loaded, own: Loaded) -> Loaded {
    let mut config = base.config.clone();
    for (k, e) in &own.config.entries {
        if e.value == Value::List {
            // The base's items under the list are one sorted range of keys: remove just that
            // range (a retain over every key per list made large values files quadratic).
            let prefix = format!("{k}/");
            let doomed: Vec<String> = config
                .entries
                .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
                .map(|(p, _)| p)
                .take_while(|p| p.starts_with(&prefix))
                .cloned()
                .collect();
            for p in doomed {
                config.entries.remove(&p);
            }
        }
    }
    config.overlay(own.config);
    Loaded { config, ..own }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Location;
    use crate::scanners::drift::model::FlatConfig;

    fn cfg(items: &[(&str, Value)]) -> Loaded {
        let mut c = FlatConfig::default();
        for (k, v) in items {
            c.insert(k.to_string(), v.clone(), Location::line("v.yaml", 1));
        }
        Loaded {
            config: c,
            ..Loaded::default()
        }
    }

    #[test]
    fn lists_are_replaced_maps_merged() {
        let s = |t: &str| Value::String(t.into());
        let base = cfg(&[
            ("/hosts", Value::List),
            ("/hosts/0", s("a")),
            ("/hosts/1", s("b")),
            ("/image", Value::Map),
            ("/image/tag", s("1")),
            ("/image/repository", s("r")),
        ]);
        let own = cfg(&[
            ("/hosts", Value::List),
            ("/hosts/0", s("c")),
            ("/image", Value::Map),
            ("/image/tag", s("2")),
        ]);
        let out = with_base(&base, own).config;
        assert_eq!(out.entries["/hosts/0"].value, s("c"));
        assert!(
            !out.entries.contains_key("/hosts/1"),
            "list replaced, not merged"
        );
        assert_eq!(out.entries["/image/repository"].value, s("r"));
        assert_eq!(out.entries["/image/tag"].value, s("2"));
        assert!(is_values_name("values-prod.yaml"));
        assert!(!is_values_name("app.yaml"));
    }
}
