//! `stagegate explain`: every built-in rule's documentation, from the same metadata the SARIF
//! `rules` table carries, so the terminal and the dashboard never disagree.

use crate::finding::RuleMeta;
use crate::scanners::{advisories, drift, secrets};

/// Every built-in rule, sorted by id. Advisory rules (`advisory/RUSTSEC-…`) come from the
/// advisory database at scan time and are not listed, apart from the fixed advisory rules.
pub fn all_rules() -> Vec<RuleMeta> {
    let mut v: Vec<RuleMeta> = secrets::builtin_rules()
        .rules()
        .iter()
        .map(secrets::rule_meta)
        .collect();
    v.extend(drift::all_rules());
    v.extend(
        advisories::rules::AdvisoryRule::ALL
            .iter()
            .map(|r| r.meta()),
    );
    v.sort_by(|a, b| a.id.cmp(&b.id));
    v
}

/// The rule with `id` (qualified `secret/x` or bare `x`).
pub fn find(id: &str) -> Option<RuleMeta> {
    let rules = all_rules();
    let exact = rules.iter().find(|r| r.id == id).cloned();
    exact.or_else(|| {
        rules
            .into_iter()
            .find(|r| r.id.split_once('/').is_some_and(|(_, bare)| bare == id))
    })
}

/// Human rendering of one rule.
pub fn render(rule: &RuleMeta) -> String {
    let mut s = format!(
        "{} ({})\n  severity: {}   precision: {}   tags: {}\n\n{}\n",
        rule.id,
        rule.name,
        rule.default_severity,
        rule.precision.as_str(),
        rule.tags.join(", "),
        rule.help_markdown.trim()
    );
    if let Some(uri) = &rule.help_uri {
        s.push_str(&format!("\nMore: {uri}\n"));
    }
    s
}

/// One line per rule: id, severity, short description.
pub fn render_list(rules: &[RuleMeta]) -> String {
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut s = String::new();
    for r in rules {
        s.push_str(&format!(
            "{:<width$}  {:<8}  {}\n",
            r.id,
            r.default_severity.as_str(),
            r.short_description
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scanner_contributes_rules_with_unique_ids_and_help() {
        let rules = all_rules();
        assert!(rules.iter().any(|r| r.id.starts_with("secret/")));
        assert!(rules.iter().any(|r| r.id.starts_with("drift/")));
        assert!(rules.iter().any(|r| r.id.starts_with("policy/")));
        assert!(rules.iter().any(|r| r.id.starts_with("advisory/")));
        let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), rules.len(), "rule ids are unique");
        for r in &rules {
            assert!(!r.help_markdown.trim().is_empty(), "{} has no help", r.id);
        }
    }

    #[test]
    fn finds_by_qualified_or_bare_id() {
        assert!(find("drift/image").is_some());
        assert!(find("image").is_some());
        assert!(find("no-such-rule").is_none());
        let text = render(&find("policy/prod-debug-enabled").unwrap());
        assert!(text.starts_with("policy/prod-debug-enabled"), "{text}");
    }
}
