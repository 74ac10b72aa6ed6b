//! Pipeline integration with hand-built findings: baselines end to end, the CI formats against
//! their documented shapes (GitHub workflow commands, JUnit XML, GitLab security report v15),
//! and the SARIF profile with `baselineState`. CLI-level checks live in `pipeline_cli.rs`.

use crate::common;

use std::path::Path;

use serde_json::{json, Value};
use stagegate::baseline::{self, Baseline};
use stagegate::config::FailOn;
use stagegate::finding::{
    BaselineState, Finding, Location, Notification, ScannerKind, Severity, Suppression,
    SuppressionKind,
};
use stagegate::gate::{self, Verdict};
use stagegate::report::{self, Format, Report};
use stagegate::scan;
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions, ScanOutput, Scanner};

use common::fake::{failing, fake, opts, report_of, run_fakes};

fn token(line: u32, identity: &str) -> Finding {
    Finding::new(
        "secret/github-pat",
        Severity::Critical,
        "GitHub token ghp_…(40) committed",
        Location::span("src/app, main.rs", line, 9, 49),
        identity,
    )
}

fn drift(line: u32) -> Finding {
    Finding::new(
        "policy/prod-debug-enabled",
        Severity::Medium,
        "DEBUG is on: 100% <unsafe> & \"loud\"\nsecond line",
        Location::line("deploy/prod/.env", line),
        "/DEBUG",
    )
}

fn render(report: &Report, format: Format) -> String {
    String::from_utf8(report::render(report, format, &opts())).expect("UTF-8 output")
}

// ---------------------------------------------------------------- baselines

#[test]
fn baseline_accepts_known_findings_across_line_moves_and_blocks_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".stagegate-baseline.json");
    let first = run_fakes(vec![
        fake(ScannerKind::Secrets, vec![token(3, "tok-A")]),
        fake(ScannerKind::Drift, vec![drift(2)]),
    ]);
    assert_eq!(
        gate::evaluate(&first, FailOn::default()).verdict,
        Verdict::Block
    );
    Baseline::from_findings(&first.findings)
        .write(&path)
        .unwrap();
    let written = std::fs::read(&path).unwrap();

    // Lines moved (reformatting, rebase), plus one new token.
    let mut second = run_fakes(vec![
        fake(
            ScannerKind::Secrets,
            vec![token(40, "tok-A"), token(41, "tok-B")],
        ),
        fake(ScannerKind::Drift, vec![drift(9)]),
    ]);
    let all = [ScannerKind::Secrets, ScannerKind::Drift];
    let outcome = baseline::run(
        &mut second,
        &baseline::Options {
            path: &path,
            root: dir.path(),
            ran: &all,
            update: false,
            regenerate: false,
        },
    )
    .expect("valid baseline");
    assert_eq!(outcome.applied.unchanged, 2);
    assert_eq!(outcome.applied.new, 1);
    let g = gate::evaluate(&second, FailOn::default());
    assert_eq!(g.blocking, 1, "only the new token counts");
    assert_eq!(g.suppressed, 2);
    assert_eq!(g.verdict, Verdict::Block);
    let fresh = second
        .findings
        .iter()
        .find(|f| f.location.start_line == 41)
        .unwrap();
    assert_eq!(fresh.baseline_state, Some(BaselineState::New));

    // Without the new token the gate passes, and the file did not churn.
    let mut third = run_fakes(vec![
        fake(ScannerKind::Secrets, vec![token(7, "tok-A")]),
        fake(ScannerKind::Drift, vec![drift(1)]),
    ]);
    baseline::run(
        &mut third,
        &baseline::Options {
            path: &path,
            root: dir.path(),
            ran: &all,
            update: true,
            regenerate: false,
        },
    )
    .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), written, "no churn");
    assert_eq!(
        gate::evaluate(&third, FailOn::default()).verdict,
        Verdict::Pass
    );
}

#[test]
fn update_drops_fixed_findings_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bl.json");
    let before = run_fakes(vec![fake(
        ScannerKind::Secrets,
        vec![token(1, "fixed"), token(2, "still")],
    )]);
    Baseline::from_findings(&before.findings)
        .write(&path)
        .unwrap();
    let mut after = run_fakes(vec![fake(ScannerKind::Secrets, vec![token(2, "still")])]);
    let out = baseline::run(
        &mut after,
        &baseline::Options {
            path: &path,
            root: dir.path(),
            ran: &[ScannerKind::Secrets],
            update: true,
            regenerate: false,
        },
    )
    .unwrap();
    let u = out.updated.expect("rewritten");
    assert_eq!((u.total, u.added, u.dropped), (1, 0, 1));
    assert_eq!(Baseline::load(&path).unwrap().len(), 1);
}

#[test]
fn a_scanner_error_never_drops_its_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bl.json");
    let before = run_fakes(vec![fake(ScannerKind::Secrets, vec![token(1, "kept")])]);
    Baseline::from_findings(&before.findings)
        .write(&path)
        .unwrap();
    let mut broken = run_fakes(vec![failing(
        ScannerKind::Secrets,
        vec![Notification::error(
            ScannerKind::Secrets,
            "cannot read index",
        )],
    )]);
    let out = baseline::run(
        &mut broken,
        &baseline::Options {
            path: &path,
            root: dir.path(),
            ran: &[ScannerKind::Secrets],
            update: true,
            regenerate: false,
        },
    )
    .unwrap();
    assert_eq!(out.updated.unwrap().dropped, 0);
    assert_eq!(out.applied.unmatched, 0, "not reported as unmatched either");
    assert_eq!(Baseline::load(&path).unwrap().len(), 1);
}

#[test]
fn sarif_with_a_baseline_has_baseline_state_and_suppressions_and_meets_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bl.json");
    let known = run_fakes(vec![fake(ScannerKind::Secrets, vec![token(1, "old")])]);
    let gone = Finding::new(
        "drift/value",
        Severity::High,
        "gone",
        Location::line("deploy/prod/values.yaml", 4),
        "/gone",
    );
    let mut b = known.findings.clone();
    b.push(gone);
    Baseline::from_findings(&b).write(&path).unwrap();
    let mut r = run_fakes(vec![
        fake(ScannerKind::Secrets, vec![token(5, "old"), token(6, "new")]),
        fake(ScannerKind::Drift, vec![]),
    ]);
    baseline::run(
        &mut r,
        &baseline::Options::apply(
            &path,
            dir.path(),
            &[ScannerKind::Secrets, ScannerKind::Drift],
        ),
    )
    .unwrap();
    let sarif = common::parse_json(
        report::render(&report_of(r, FailOn::default()), Format::Sarif, &opts()).as_slice(),
    );
    common::assert_profile(&sarif);
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for res in results {
        let state = res["baselineState"]
            .as_str()
            .expect("baselineState on every result");
        if state == "unchanged" {
            assert_eq!(res["suppressions"][0]["kind"], "external");
            assert_eq!(res["suppressions"][0]["justification"], "in baseline");
        } else {
            assert_eq!(state, "new");
            assert!(res.get("suppressions").is_none());
        }
    }
    // The entry that matched nothing is a note naming the baseline file.
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes.iter().any(|n| n["level"] == "note"
            && n["message"]["text"]
                .as_str()
                .unwrap()
                .contains("matched no finding")
            && n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bl.json"),
        "{notes:?}"
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn sarif_without_a_baseline_has_no_baseline_state() {
    let r = run_fakes(vec![fake(ScannerKind::Secrets, vec![token(1, "x")])]);
    let sarif = render(&report_of(r, FailOn::default()), Format::Sarif);
    assert!(!sarif.contains("baselineState"));
}

// ---------------------------------------------------------------- GitHub annotations

#[test]
fn github_annotations_are_workflow_commands_with_escaped_properties() {
    let mut accepted = token(9, "accepted");
    accepted.suppression = Some(Suppression {
        kind: SuppressionKind::External,
        justification: "in baseline".into(),
    });
    let mut r = run_fakes(vec![
        fake(ScannerKind::Secrets, vec![token(3, "t"), accepted]),
        fake(ScannerKind::Drift, vec![drift(2)]),
    ]);
    r.notifications.push(
        Notification::error(ScannerKind::Drift, "bad YAML").at(Location::line("deploy/x.yaml", 4)),
    );
    let out = render(&report_of(r, FailOn::default()), Format::Github);
    let lines: Vec<&str> = out.lines().collect();
    // Two unsuppressed findings, one notification, one summary line.
    assert_eq!(lines.len(), 4, "{out}");
    // Sorted by path: deploy/prod/.env first.
    assert_eq!(
        lines[0],
        "::warning file=deploy/prod/.env,line=2,col=1,title=policy/prod-debug-enabled (medium)::\
         DEBUG is on: 100%25 <unsafe> & \"loud\"%0Asecond line"
    );
    assert_eq!(
        lines[1],
        "::error file=src/app%2C main.rs,line=3,col=9,endColumn=48,\
         title=secret/github-pat (critical)::GitHub token ghp_…(40) committed"
    );
    assert_eq!(
        lines[2],
        "::error file=deploy/x.yaml,line=4,title=stagegate drift::bad YAML"
    );
    assert!(
        lines[3].starts_with("stagegate: ERROR: 1 critical"),
        "{}",
        lines[3]
    );
    // Every command line matches GitHub's grammar: ::cmd k=v,k=v::data (no raw newline in data).
    let grammar = regex::Regex::new(
        r"^::(error|warning|notice)( [a-zA-Z]+=[^,:\r\n]*(,[a-zA-Z]+=[^,:\r\n]*)*)?::[^\r\n]*$",
    )
    .unwrap();
    for l in &lines[..3] {
        assert!(grammar.is_match(l), "not a workflow command: {l}");
    }
}

// ---------------------------------------------------------------- JUnit

#[test]
fn junit_has_one_case_per_rule_and_file_and_fails_only_blocking_ones() {
    let mut accepted = Finding::new(
        "drift/value",
        Severity::High,
        "replicas differ",
        Location::line("deploy/prod/values.yaml", 3),
        "/replicas",
    );
    accepted.suppression = Some(Suppression {
        kind: SuppressionKind::External,
        justification: "in baseline".into(),
    });
    let mut weird = token(8, "other");
    weird.message = "ctrl \u{1} and <tag> & ]]>".into();
    let r = run_fakes(vec![
        fake(
            ScannerKind::Secrets,
            vec![token(3, "a"), token(4, "b"), weird],
        ),
        fake(ScannerKind::Drift, vec![drift(2), accepted]),
    ]);
    let xml = render(&report_of(r, FailOn::default()), Format::Junit);
    let doc =
        roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("invalid XML ({e}):\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 2, "one suite per scanner that ran");
    let attr = |n: &roxmltree::Node, a: &str| n.attribute(a).unwrap_or_default().to_string();
    let secrets = suites
        .iter()
        .find(|s| attr(s, "name") == "stagegate.secrets")
        .unwrap();
    // 3 findings of one rule in one file → one case, plus the `scan` case.
    assert_eq!(attr(secrets, "tests"), "2");
    assert_eq!(attr(secrets, "failures"), "1");
    let case = secrets
        .children()
        .find(|n| {
            n.has_tag_name("testcase") && n.attribute("classname") == Some("secret/github-pat")
        })
        .unwrap();
    assert_eq!(attr(&case, "name"), "src/app, main.rs");
    let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
    assert!(attr(&failure, "message").starts_with("3 blocking finding(s)"));
    let body = failure.text().unwrap_or_default();
    assert!(
        body.contains("<tag> & ]]>"),
        "escaped text round-trips: {body}"
    );
    assert!(body.contains('\u{FFFD}'), "illegal control char replaced");

    let drift_suite = suites
        .iter()
        .find(|s| attr(s, "name") == "stagegate.drift")
        .unwrap();
    assert_eq!(attr(drift_suite, "tests"), "3");
    assert_eq!(
        attr(drift_suite, "failures"),
        "0",
        "medium does not block at high"
    );
    assert_eq!(
        attr(drift_suite, "skipped"),
        "1",
        "baselined case is skipped"
    );
    assert_eq!(attr(&root, "tests"), "5");
    assert_eq!(attr(&root, "failures"), "1");
    assert_eq!(attr(&root, "errors"), "0");
    // Totals agree with the children.
    let cases = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    assert_eq!(cases, 5);
}

#[test]
fn junit_reports_scanner_errors_as_errors_and_a_clean_run_still_has_tests() {
    let clean = run_fakes(vec![fake(ScannerKind::Secrets, vec![])]);
    let xml = render(&report_of(clean, FailOn::default()), Format::Junit);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.root_element().attribute("tests"), Some("1"));
    assert_eq!(doc.root_element().attribute("errors"), Some("0"));

    let broken = run_fakes(vec![failing(
        ScannerKind::Advisories,
        vec![Notification::error(
            ScannerKind::Advisories,
            "Cargo.lock:3: bad \"lock\"",
        )],
    )]);
    let xml = render(&report_of(broken, FailOn::default()), Format::Junit);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let err = doc.descendants().find(|n| n.has_tag_name("error")).unwrap();
    assert_eq!(err.attribute("message"), Some("Cargo.lock:3: bad \"lock\""));
    assert_eq!(doc.root_element().attribute("errors"), Some("1"));
}

// ---------------------------------------------------------------- GitLab

/// The parts of GitLab's security report schema v15 (`dist/sast-report-format.json` and
/// `dist/secret-detection-report-format.json`, security-report-schemas v15.0.x) that a consumer
/// relies on: required keys, enums and patterns.
fn gitlab_schema(secret_detection: bool) -> Value {
    let mut location = json!({
        "type": "object",
        "required": ["file", "start_line"],
        "properties": {
            "file": { "type": "string", "minLength": 1 },
            "start_line": { "type": "integer", "minimum": 1 },
            "end_line": { "type": "integer", "minimum": 1 }
        }
    });
    if secret_detection {
        location["required"] = json!(["file", "commit"]);
        location["properties"]["commit"] = json!({
            "type": "object", "required": ["sha"],
            "properties": { "sha": { "type": "string", "minLength": 1 } }
        });
    }
    let tool = json!({
        "type": "object",
        "required": ["id", "name", "version", "vendor"],
        "properties": {
            "id": { "type": "string", "minLength": 1 },
            "name": { "type": "string", "minLength": 1 },
            "version": { "type": "string", "minLength": 1 },
            "url": { "type": "string", "pattern": "^https?://.+" },
            "vendor": { "type": "object", "required": ["name"],
                        "properties": { "name": { "type": "string", "minLength": 1 } } }
        }
    });
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "required": ["version", "vulnerabilities", "scan"],
        "properties": {
            "version": { "type": "string", "pattern": "^15\\.[0-9]+\\.[0-9]+$" },
            "scan": {
                "type": "object",
                "required": ["analyzer", "scanner", "start_time", "end_time", "status", "type"],
                "properties": {
                    "analyzer": tool.clone(),
                    "scanner": tool,
                    "type": { "const": if secret_detection { "secret_detection" } else { "sast" } },
                    "start_time": { "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$" },
                    "end_time": { "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$" },
                    "status": { "enum": ["success", "failure"] },
                    "messages": { "type": "array", "items": {
                        "type": "object", "required": ["level", "value"],
                        "properties": { "level": { "enum": ["info", "warn", "fatal"] },
                                        "value": { "type": "string" } } } }
                }
            },
            "vulnerabilities": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "identifiers", "location"],
                    "properties": {
                        "id": { "type": "string", "minLength": 1 },
                        "name": { "type": "string", "maxLength": 255 },
                        "description": { "type": "string", "maxLength": 1048576 },
                        "severity": { "enum": ["Info", "Unknown", "Low", "Medium", "High", "Critical"] },
                        "solution": { "type": "string", "maxLength": 7000 },
                        "identifiers": {
                            "type": "array", "minItems": 1,
                            "items": { "type": "object", "required": ["type", "name", "value"],
                                       "properties": { "type": { "type": "string", "minLength": 1 },
                                                       "name": { "type": "string", "minLength": 1 },
                                                       "value": { "type": "string", "minLength": 1 },
                                                       "url": { "type": "string", "pattern": "^https?://.+" } } }
                        },
                        "location": location
                    }
                }
            }
        }
    })
}

fn gitlab_errors(doc: &Value, secret_detection: bool) -> Vec<String> {
    let schema = gitlab_schema(secret_detection);
    let v = jsonschema::validator_for(&schema).expect("valid schema");
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn gitlab_sast_report_matches_the_v15_shape() {
    let mut accepted = token(9, "accepted");
    accepted.suppression = Some(Suppression {
        kind: SuppressionKind::External,
        justification: "in baseline".into(),
    });
    let adv = Finding::new(
        "advisory/RUSTSEC-2021-0124",
        Severity::High,
        "tokio 1.8.0: data race",
        Location::line("Cargo.lock", 40),
        "tokio@1.8.0",
    );
    let r = run_fakes(vec![
        fake(ScannerKind::Secrets, vec![token(3, "t"), accepted]),
        fake(ScannerKind::Drift, vec![drift(2)]),
        fake(ScannerKind::Advisories, vec![adv]),
    ]);
    let doc =
        common::parse_json(render(&report_of(r, FailOn::default()), Format::GitlabSast).as_bytes());
    let errs = gitlab_errors(&doc, false);
    assert!(errs.is_empty(), "{}", errs.join("\n"));
    let vulns = doc["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 3, "suppressed findings are left out");
    let ids: std::collections::BTreeSet<&str> =
        vulns.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 3, "ids are unique");
    let a = vulns
        .iter()
        .find(|v| v["location"]["file"] == "Cargo.lock")
        .unwrap();
    assert_eq!(a["severity"], "High");
    assert_eq!(a["location"]["start_line"], 40);
    assert!(a["identifiers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["type"] == "rustsec" && i["value"] == "RUSTSEC-2021-0124"));
    assert_eq!(doc["scan"]["status"], "success");
    // Deterministic: same input, same bytes.
    let again = run_fakes(vec![fake(ScannerKind::Drift, vec![drift(2)])]);
    let x = render(
        &report_of(again.clone(), FailOn::default()),
        Format::GitlabSast,
    );
    let y = render(&report_of(again, FailOn::default()), Format::GitlabSast);
    assert_eq!(x, y);
    // And the shape check can fail: drop a required key.
    let mut broken = doc.clone();
    broken["vulnerabilities"][0]
        .as_object_mut()
        .unwrap()
        .remove("identifiers");
    assert!(!gitlab_errors(&broken, false).is_empty());
}

#[test]
fn gitlab_report_of_the_secrets_scanner_is_secret_detection_with_commit() {
    let mut historic = token(2, "h");
    historic.location.commit = Some("a1b2c3d".into());
    let r = run_fakes(vec![fake(
        ScannerKind::Secrets,
        vec![token(1, "t"), historic],
    )]);
    let doc =
        common::parse_json(render(&report_of(r, FailOn::default()), Format::GitlabSast).as_bytes());
    let errs = gitlab_errors(&doc, true);
    assert!(errs.is_empty(), "{}", errs.join("\n"));
    assert_eq!(doc["scan"]["type"], "secret_detection");
    let shas: Vec<&str> = doc["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["location"]["commit"]["sha"].as_str().unwrap())
        .collect();
    assert_eq!(shas, vec!["0000000", "a1b2c3d"]);
}

#[test]
fn gitlab_report_marks_scanner_errors_as_failure() {
    let r = run_fakes(vec![failing(
        ScannerKind::Drift,
        vec![Notification::error(ScannerKind::Drift, "bad YAML")
            .at(Location::line("deploy/a.yaml", 3))],
    )]);
    let doc =
        common::parse_json(render(&report_of(r, FailOn::default()), Format::GitlabSast).as_bytes());
    assert_eq!(doc["scan"]["status"], "failure");
    assert_eq!(doc["scan"]["messages"][0]["level"], "fatal");
    assert_eq!(
        doc["scan"]["messages"][0]["value"],
        "deploy/a.yaml: bad YAML"
    );
}

// ---------------------------------------------------------------- progress

/// Bumps the progress counters the way a real scanner does, from several threads.
struct Busy;

impl Scanner for Busy {
    fn kind(&self) -> ScannerKind {
        ScannerKind::Secrets
    }
    fn scan(&self, ctx: &ScanContext<'_>) -> ScanOutput {
        if let Some(p) = &ctx.options.progress {
            std::thread::scope(|s| {
                for _ in 0..3 {
                    s.spawn(|| {
                        for _ in 0..100 {
                            p.inc_files(1);
                            p.inc_bytes(512);
                        }
                        p.inc_blobs(1);
                    });
                }
            });
        }
        ScanOutput::default()
    }
}

#[test]
fn scanners_see_the_progress_handle_and_their_counts_add_up() {
    let progress = stagegate::progress::Progress::new();
    let config = Config::default();
    let options = ScanOptions {
        progress: Some(progress.clone()),
        ..ScanOptions::default()
    };
    let ctx = ScanContext::new(Path::new("."), &config, &options);
    let scanners: Vec<Box<dyn Scanner>> = vec![Box::new(Busy)];
    scan::run(&scanners, &ctx);
    let snap = progress.snapshot();
    assert_eq!((snap.files, snap.bytes, snap.blobs), (300, 300 * 512, 3));
}

// ---------------------------------------------------------------- determinism

#[test]
fn ci_formats_are_byte_identical_whatever_the_scanner_order() {
    let a = run_fakes(vec![
        fake(ScannerKind::Drift, vec![drift(2)]),
        fake(ScannerKind::Secrets, vec![token(3, "x"), token(1, "y")]),
    ]);
    let b = run_fakes(vec![
        fake(ScannerKind::Secrets, vec![token(1, "y"), token(3, "x")]),
        fake(ScannerKind::Drift, vec![drift(2)]),
    ]);
    for format in [Format::Github, Format::Junit, Format::GitlabSast] {
        assert_eq!(
            render(&report_of(a.clone(), FailOn::default()), format),
            render(&report_of(b.clone(), FailOn::default()), format),
            "{format:?}"
        );
    }
}
