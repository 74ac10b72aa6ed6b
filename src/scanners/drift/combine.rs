//! Findings that look at both sides after comparison and policies have run.
//!
//! * A drift finding and policy findings on the same value (same key, same line) are one
//!   finding with every reason: a reader fixes one value, and a gate counts one problem.
//! * A production value that UAT runs too, after environment names are normalized, is not a
//!   production-only mistake: a loopback endpoint both environments use is a sidecar (a Cloud
//!   SQL proxy, a telemetry agent), so those policies drop to low.

use std::collections::BTreeMap;

use crate::finding::{Finding, Severity};

use super::envtok::normalize;
use super::model::FlatConfig;

/// Policies whose finding is lowered when UAT runs the same value.
const TESTED_IN_UAT_LOWERS: &[&str] = &["policy/prod-local-endpoint", "policy/prod-test-domain"];

fn prop<'a>(f: &'a Finding, name: &str) -> &'a str {
    f.properties
        .get(name)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
}

/// Applies both rules to the findings of one pair; `uat` is UAT's effective configuration.
pub fn combine(findings: Vec<Finding>, uat: &FlatConfig) -> Vec<Finding> {
    let mut findings = findings;
    lower_tested(&mut findings, uat);
    merge_same_value(findings)
}

fn lower_tested(findings: &mut [Finding], uat: &FlatConfig) {
    if !findings
        .iter()
        .any(|f| TESTED_IN_UAT_LOWERS.contains(&f.rule_id.as_str()))
    {
        return;
    }
    let by_key: BTreeMap<String, String> = uat
        .entries
        .iter()
        .filter_map(|(k, e)| {
            let t = e.value.as_text()?;
            Some((normalize(k).into_owned(), normalize(&t).into_owned()))
        })
        .collect();
    for f in findings
        .iter_mut()
        .filter(|f| TESTED_IN_UAT_LOWERS.contains(&f.rule_id.as_str()))
    {
        let key = normalize(prop(f, "key")).into_owned();
        let prod = prop(f, "prod_value").trim_matches('"').to_string();
        if by_key.get(&key).is_some_and(|u| *u == normalize(&prod)) && f.severity > Severity::Low {
            f.severity = Severity::Low;
            f.message = format!(
                "{} (UAT runs the same value: tested, lowered to low)",
                f.message
            );
        }
    }
}

fn merge_same_value(findings: Vec<Finding>) -> Vec<Finding> {
    let mut groups: BTreeMap<(String, u32, String), Vec<Finding>> = BTreeMap::new();
    let mut out = Vec::with_capacity(findings.len());
    for f in findings {
        if f.suppression.is_some() {
            out.push(f);
            continue;
        }
        let k = (
            f.location.path.clone(),
            f.location.start_line,
            prop(&f, "key").to_string(),
        );
        groups.entry(k).or_default().push(f);
    }
    for (_, mut g) in groups {
        let has_drift = g.iter().any(|f| f.rule_id.starts_with("drift/"));
        let has_policy = g.iter().any(|f| f.rule_id.starts_with("policy/"));
        if g.len() < 2 || !has_drift || !has_policy {
            out.append(&mut g);
            continue;
        }
        // The most severe reason leads (a drift finding on a tie); the others ride along.
        g.sort_by(|a, b| {
            b.severity.cmp(&a.severity).then_with(|| {
                b.rule_id
                    .starts_with("drift/")
                    .cmp(&a.rule_id.starts_with("drift/"))
            })
        });
        let mut it = g.into_iter();
        let Some(mut lead) = it.next() else { continue };
        let others: Vec<Finding> = it.collect();
        let also: Vec<serde_json::Value> = others
            .iter()
            .map(|o| serde_json::Value::String(o.rule_id.clone()))
            .collect();
        for o in &others {
            lead.message = format!("{} Also {}: {}", lead.message, o.rule_id, o.message);
        }
        lead.properties
            .insert("also_rules".into(), serde_json::Value::Array(also));
        out.push(lead);
    }
    out
}
