#![cfg(feature = "shared-data")]
//! Shared-data suite for the pipeline: a SARIF log that uses a baseline (`baselineState` on every
//! result, `external` "in baseline" suppressions, a note for an unmatched entry) is valid
//! against the official OASIS schema in `../shared/SARIF-schema/` and passes
//! `../shared/sarif-validate/validate.sh` (GitHub's upload gate and the multitool's rules).

use crate::common;

use std::path::{Path, PathBuf};

use stagegate::baseline::{self, Baseline};
use stagegate::config::FailOn;
use stagegate::finding::{Finding, Location, RuleMeta, ScannerKind, Severity};
use stagegate::report::{self, Format, RenderOptions, Report};
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions, ScanOutput, Scanner};

struct Fake(Vec<Finding>);

impl Scanner for Fake {
    fn kind(&self) -> ScannerKind {
        ScannerKind::Secrets
    }
    fn scan(&self, _ctx: &ScanContext<'_>) -> ScanOutput {
        let mut rule = RuleMeta::new(
            "secret/github-pat",
            "GitHub personal access token",
            "A GitHub token is committed",
            Severity::Critical,
        );
        rule.help_markdown = "Revoke the token, then load it from a secret store.".into();
        rule.help_uri = Some("https://docs.github.com/en/authentication".into());
        ScanOutput {
            findings: self.0.clone(),
            rules: vec![rule],
            ..ScanOutput::default()
        }
    }
}

fn token(line: u32, identity: &str) -> Finding {
    Finding::new(
        "secret/github-pat",
        Severity::Critical,
        "GitHub token ghp_…(40) committed",
        Location::span("app/settings.py", line, 10, 50),
        identity,
    )
}

fn scan(findings: Vec<Finding>) -> stagegate::scan::ScanResult {
    let config = Config::default();
    let options = ScanOptions::default();
    let ctx = ScanContext::new(Path::new("."), &config, &options);
    let scanners: Vec<Box<dyn Scanner>> = vec![Box::new(Fake(findings))];
    stagegate::scan::run(&scanners, &ctx)
}

fn shared(rel: &str) -> PathBuf {
    let p = common::crate_root().join("../shared").join(rel);
    assert!(
        p.exists(),
        "{} is missing: the shared-data suite needs ../shared",
        p.display()
    );
    p
}

#[test]
fn baseline_sarif_is_valid_for_the_official_schema_and_github() {
    let dir = tempfile::tempdir().unwrap();
    let bl = dir.path().join(".stagegate-baseline.json");
    let mut accepted = scan(vec![token(1, "old"), token(2, "fixed")]).findings;
    accepted.push(Finding::new(
        "secret/github-pat",
        Severity::Critical,
        "m",
        Location::line("gone.py", 1),
        "gone",
    ));
    Baseline::from_findings(&accepted).write(&bl).unwrap();
    let mut result = scan(vec![token(7, "old"), token(9, "new")]);
    baseline::run(
        &mut result,
        &baseline::Options {
            path: &bl,
            root: dir.path(),
            ran: &[ScannerKind::Secrets],
            update: false,
            regenerate: false,
        },
    )
    .unwrap();
    let rep = Report::new(result, FailOn::default(), ".");
    let opts = RenderOptions {
        sarif: report::sarif::SarifOptions {
            src_root_uri: Some("file:///work/repo/".into()),
            automation_id: "stagegate/scan/".into(),
            ..Default::default()
        },
        ..RenderOptions::default()
    };
    let bytes = report::render(&rep, Format::Sarif, &opts);
    let v = common::parse_json(&bytes);
    let errors = common::schema_errors(&shared("SARIF-schema/sarif-schema-2.1.0.json"), &v);
    assert!(errors.is_empty(), "official schema:\n{}", errors.join("\n"));
    common::assert_profile(&v);
    let states: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["baselineState"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["unchanged", "new"]);

    let file = dir.path().join("baseline.sarif");
    std::fs::write(&file, &bytes).unwrap();
    let out = std::process::Command::new("bash")
        .arg(shared("sarif-validate/validate.sh"))
        .arg(&file)
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "validate.sh failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
