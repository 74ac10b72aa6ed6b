//! The drift corpus: small repositories modelled on the layouts public repositories use
//! (Kustomize overlays, Helm values, docker-compose overrides, Spring profiles, .NET appsettings,
//! node-config), each with `expected.toml` beside it listing every finding the scanner must
//! report (rule, further rules on the same value, path, line, severity).
//!
//! `kind = "legitimate"` repositories differ only legitimately and must have no finding at
//! high or above; `kind = "problem"` repositories have exactly one real problem at high or
//! above, found at its line. Any other finding, missing finding or moved line fails.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::common::drift::{also, dump, everything, scan};
use stagegate::finding::{NotificationLevel, Severity};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/drift-corpus");

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Legitimate,
    Problem,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    kind: Kind,
    description: String,
    #[serde(default)]
    never_shown: Vec<String>,
    #[serde(default)]
    finding: Vec<ExpectedFinding>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFinding {
    rule: String,
    path: String,
    line: u32,
    severity: Severity,
    #[serde(default)]
    also: Vec<String>,
}

/// (rule, sorted further rules, path, line, severity)
type Row = (String, Vec<String>, String, u32, Severity);

fn repos() -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(CORPUS)
        .expect("corpus folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn expected(repo: &Path) -> Expected {
    let path = repo.join("expected.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_corpus_repository_reports_exactly_its_expected_findings() {
    let repos = repos();
    assert!(
        repos.len() >= 12,
        "at least 12 corpus repositories, found {}",
        repos.len()
    );
    let mut kinds = (0, 0);
    let mut failures = Vec::new();
    for repo in &repos {
        let name = repo
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let exp = expected(repo);
        assert!(
            !exp.description.is_empty(),
            "{name}: describe the repository"
        );
        let high: Vec<&ExpectedFinding> = exp
            .finding
            .iter()
            .filter(|f| f.severity >= Severity::High)
            .collect();
        match exp.kind {
            Kind::Legitimate => {
                kinds.0 += 1;
                assert!(
                    high.is_empty(),
                    "{name}: a legitimate repository expects nothing at high"
                );
            }
            Kind::Problem => {
                kinds.1 += 1;
                assert_eq!(
                    high.len(),
                    1,
                    "{name}: a problem repository has exactly one real problem"
                );
            }
        }
        let out = scan(repo, "");
        let d = dump(&out);
        let problems: Vec<String> = out
            .notifications
            .iter()
            .filter(|n| n.level != NotificationLevel::Note)
            .map(|n| n.message.clone())
            .collect();
        if !problems.is_empty() {
            failures.push(format!("{name}: unexpected notifications {problems:#?}"));
        }
        if out.stats.pairs == 0 {
            failures.push(format!("{name}: no pair compared"));
        }
        let actual: BTreeSet<Row> = out
            .findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .map(|f| {
                let mut a: Vec<String> = also(f).into_iter().map(str::to_string).collect();
                a.sort();
                (
                    f.rule_id.clone(),
                    a,
                    f.location.path.clone(),
                    f.location.start_line,
                    f.severity,
                )
            })
            .collect();
        // Two findings may share a row (the same value reached through two pairs): compare counts too.
        let actual_count = out
            .findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .count();
        let want: BTreeSet<Row> = exp
            .finding
            .iter()
            .map(|f| {
                let mut a = f.also.clone();
                a.sort();
                (f.rule.clone(), a, f.path.clone(), f.line, f.severity)
            })
            .collect();
        if actual != want || actual_count != exp.finding.len() {
            let missing: Vec<&Row> = want.difference(&actual).collect();
            let extra: Vec<&Row> = actual.difference(&want).collect();
            failures.push(format!(
                "{name}: missing {missing:?}\n  unexpected {extra:?}\n  ({actual_count} findings, {} expected)\n{d}",
                exp.finding.len()
            ));
        }
        let all = everything(&out);
        for secret in &exp.never_shown {
            if all.contains(secret.as_str()) {
                failures.push(format!("{name}: a secret value is shown in clear"));
            }
        }
    }
    assert!(
        kinds.0 >= 5,
        "at least 5 legitimate repositories, found {}",
        kinds.0
    );
    assert!(
        kinds.1 >= 5,
        "at least 5 problem repositories, found {}",
        kinds.1
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
