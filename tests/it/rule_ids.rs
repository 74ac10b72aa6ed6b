//! Every built-in rule id, across all scanners, is unique — qualified and bare (`stagegate
//! explain image` must name one rule) — and `explain` lists each scanner's rules from their
//! definitions.

use std::collections::BTreeMap;

use stagegate::scanners::advisories::rules::AdvisoryRule;
use stagegate::scanners::drift::kinds::DriftKind;

#[test]
fn built_in_rule_ids_are_unique_across_scanners() {
    let all = stagegate::explain::all_rules();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut bare: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in &all {
        *seen.entry(r.id.as_str()).or_default() += 1;
        let (_, b) = r.id.split_once('/').unwrap_or(("", r.id.as_str()));
        bare.entry(b).or_default().push(r.id.as_str());
    }
    let dup: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dup.is_empty(), "duplicate rule ids: {dup:?}");
    let ambiguous: Vec<_> = bare.iter().filter(|(_, ids)| ids.len() > 1).collect();
    assert!(
        ambiguous.is_empty(),
        "bare ids naming several rules: {ambiguous:?}"
    );
    // Each scanner's fixed rules come from its definitions, at their severities.
    for r in AdvisoryRule::ALL {
        let m = all
            .iter()
            .find(|m| m.id == r.id())
            .expect("advisory rule listed");
        assert_eq!(m.default_severity, r.default_severity(), "{}", r.id());
    }
    for k in DriftKind::ALL {
        let m = all
            .iter()
            .find(|m| m.id == k.rule_id())
            .expect("drift rule listed");
        assert_eq!(m.default_severity, k.severity(), "{}", k.rule_id());
    }
    let secrets = stagegate::scanners::secrets::builtin_rules().rules().len();
    let listed = all.iter().filter(|m| m.id.starts_with("secret/")).count();
    assert_eq!(listed, secrets);
}
