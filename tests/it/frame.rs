//! The frame with test-only scanners: merging, sorting, determinism, the gate, every report
//! format, and the SARIF profile. Real scanners are tested in their own files.

use crate::common;

use stagegate::config::FailOn;
use stagegate::finding::{
    Finding, Location, Notification, ScannerKind, Severity, Suppression, SuppressionKind,
};
use stagegate::gate::{self, Verdict};
use stagegate::report::{self, Format};

use common::fake::{fake, opts, report_of, run_fakes, Fake};

fn sample_findings() -> (Vec<Finding>, Vec<Finding>) {
    let secrets = vec![
        Finding::new(
            "secret/github-pat",
            Severity::Critical,
            "GitHub token ghp_…(40) in source",
            Location::span("src/a b.rs", 12, 5, 45),
            "token-1",
        ),
        Finding::new(
            "secret/generic-high-entropy",
            Severity::Medium,
            "High-entropy value",
            Location::span("src/a b.rs", 3, 1, 9),
            "token-2",
        ),
    ];
    let mut accepted = Finding::new(
        "drift/value",
        Severity::High,
        "replicas differs",
        Location::line("deploy/prod/values.yaml", 7),
        "/replicas",
    )
    .with_related(Location::line("deploy/uat/values.yaml", 7));
    accepted.suppression = Some(Suppression {
        kind: SuppressionKind::External,
        justification: "sized per env".into(),
    });
    let drift = vec![
        accepted,
        Finding::new(
            "policy/prod-debug-enabled",
            Severity::High,
            "DEBUG is on in production",
            Location::span("deploy/prod/.env", 2, 7, 11),
            "/DEBUG",
        )
        .with_related(Location::line("deploy/uat/.env", 2))
        .with_property("key", "/DEBUG"),
    ];
    (secrets, drift)
}

#[test]
fn findings_are_merged_sorted_and_rules_deduplicated() {
    let (s, d) = sample_findings();
    let r = run_fakes(vec![
        fake(ScannerKind::Drift, d),
        fake(ScannerKind::Secrets, s),
    ]);
    let keys: Vec<(String, u32)> = r
        .findings
        .iter()
        .map(|f| (f.location.path.clone(), f.location.start_line))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(r.findings.len(), 4);
    assert_eq!(r.rules.len(), 4);
    assert_eq!(r.runs.len(), 2);
    assert_eq!(
        r.runs[0].kind,
        ScannerKind::Secrets,
        "runs in a fixed order"
    );
}

#[test]
fn output_is_byte_identical_whatever_the_scanner_order() {
    let (s, d) = sample_findings();
    let a = run_fakes(vec![
        fake(ScannerKind::Drift, d.clone()),
        fake(ScannerKind::Secrets, s.clone()),
    ]);
    let mut s_rev = s;
    s_rev.reverse();
    let b = run_fakes(vec![
        fake(ScannerKind::Secrets, s_rev),
        fake(ScannerKind::Drift, d),
    ]);
    let fail_on = FailOn::default();
    for format in [Format::Text, Format::Json, Format::Sarif, Format::Markdown] {
        let x = report::render(&report_of(a.clone(), fail_on), format, &opts());
        let y = report::render(&report_of(b.clone(), fail_on), format, &opts());
        assert_eq!(x, y, "{format:?} differs");
    }
}

#[test]
fn a_panicking_scanner_is_an_error_and_hides_nothing() {
    let (s, _) = sample_findings();
    let boom = Fake {
        kind: ScannerKind::Drift,
        findings: vec![],
        notifications: vec![],
        panic: true,
    };
    let r = run_fakes(vec![boom, fake(ScannerKind::Secrets, s)]);
    assert_eq!(r.findings.len(), 2, "secrets findings survive");
    assert_eq!(r.notifications.len(), 1);
    assert!(r.notifications[0].message.contains("boom"));
    let g = gate::evaluate(&r, FailOn::default());
    assert_eq!(g.verdict, Verdict::Error);
    assert_eq!(g.verdict.exit_code(), 2);
}

#[test]
fn sarif_satisfies_the_profile_and_carries_everything() {
    let (s, d) = sample_findings();
    let boom = common::fake::failing(
        ScannerKind::Advisories,
        vec![
            Notification::error(ScannerKind::Advisories, "Cargo.lock:3: bad")
                .at(Location::line("Cargo.lock", 3)),
        ],
    );
    let r = run_fakes(vec![
        fake(ScannerKind::Drift, d),
        fake(ScannerKind::Secrets, s),
        boom,
    ]);
    let bytes = report::render(&report_of(r, FailOn::default()), Format::Sarif, &opts());
    let v = common::parse_json(&bytes);
    common::assert_profile(&v);
    std::fs::write(std::env::temp_dir().join("stagegate-frame.sarif"), &bytes).unwrap();
    let run = &v["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert_eq!(
        run["invocations"][0]["toolExecutionNotifications"][0]["level"],
        "error"
    );
    let results = run["results"].as_array().unwrap();
    let uri = results
        .iter()
        .find_map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .filter(|u| u.starts_with("src/"))
        })
        .unwrap();
    assert_eq!(uri, "src/a%20b.rs");
    let drift = results
        .iter()
        .find(|r| r["ruleId"] == "drift/value")
        .unwrap();
    assert_eq!(drift["suppressions"][0]["kind"], "external");
    assert_eq!(
        drift["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );
    let rule = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "secret/github-pat")
        .unwrap();
    assert_eq!(rule["properties"]["security-severity"], "9.5");
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
}

#[test]
fn profile_rejects_a_result_without_region() {
    let (s, _) = sample_findings();
    let r = run_fakes(vec![fake(ScannerKind::Secrets, s)]);
    let bytes = report::render(&report_of(r, FailOn::default()), Format::Sarif, &opts());
    let mut v = common::parse_json(&bytes);
    let loc = &mut v["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    loc.as_object_mut().unwrap().remove("region");
    let errs = common::schema_errors(
        &common::crate_root().join("SARIF-schema/stagegate-profile.schema.json"),
        &v,
    );
    assert!(!errs.is_empty(), "the profile must require regions");
}

#[test]
fn json_report_is_versioned_and_matches_its_schema() {
    let (s, d) = sample_findings();
    let r = run_fakes(vec![
        fake(ScannerKind::Drift, d),
        fake(ScannerKind::Secrets, s),
    ]);
    let bytes = report::render(&report_of(r, FailOn::default()), Format::Json, &opts());
    let v = common::parse_json(&bytes);
    assert_eq!(v["format"], "stagegate-report");
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["verdict"], "block");
    assert_eq!(v["summary"]["exit_code"], 1);
    assert_eq!(v["summary"]["counts"]["critical"], 1);
    assert_eq!(v["summary"]["suppressed"], 1);
    let errs = common::schema_errors(
        &common::crate_root().join("docs/schemas/report-v1.schema.json"),
        &v,
    );
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

#[test]
fn text_report_groups_by_scanner_and_file_and_closes_with_verdict() {
    let (s, d) = sample_findings();
    let r = run_fakes(vec![
        fake(ScannerKind::Drift, d),
        fake(ScannerKind::Secrets, s),
    ]);
    let text = String::from_utf8(report::render(
        &report_of(r, FailOn::default()),
        Format::Text,
        &opts(),
    ))
    .unwrap();
    let secrets_at = text.find("== secrets").unwrap();
    let drift_at = text.find("== drift").unwrap();
    assert!(secrets_at < drift_at);
    assert_eq!(
        text.matches("  src/a b.rs\n").count(),
        1,
        "one file header:\n{text}"
    );
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with(
            "BLOCK: 1 critical, 1 high, 1 medium, 0 low, 0 note; 1 suppressed; 2 blocking"
        ),
        "{last}"
    );
    assert!(!text.contains('\x1b'), "no colour unless asked");
    let mut o = opts();
    o.text.color = true;
    let (s, _) = sample_findings();
    let r = run_fakes(vec![fake(ScannerKind::Secrets, s)]);
    let coloured = String::from_utf8(report::render(
        &report_of(r, FailOn::default()),
        Format::Text,
        &o,
    ))
    .unwrap();
    assert!(coloured.contains("\x1b[1;35mCRITICAL"), "{coloured}");
}

#[test]
fn markdown_summary_has_verdict_table_and_escapes_cells() {
    let mut f = Finding::new(
        "secret/x",
        Severity::High,
        "a | b",
        Location::line("p", 1),
        "i",
    );
    f.message = "pipe | inside".into();
    let r = run_fakes(vec![fake(ScannerKind::Secrets, vec![f])]);
    let md = String::from_utf8(report::render(
        &report_of(r, FailOn::None),
        Format::Markdown,
        &opts(),
    ))
    .unwrap();
    assert!(md.starts_with("## ✅ stagegate: PASS"), "{md}");
    assert!(md.contains("| high | 1 |"));
    assert!(md.contains("pipe \\| inside"));
}

#[test]
fn gate_thresholds() {
    let (s, _) = sample_findings();
    let r = run_fakes(vec![fake(ScannerKind::Secrets, s)]);
    assert_eq!(
        gate::evaluate(&r, FailOn::AtLeast(Severity::Critical)).verdict,
        Verdict::Block
    );
    assert_eq!(gate::evaluate(&r, FailOn::None).verdict, Verdict::Pass);
    let only_medium: Vec<Finding> = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Medium)
        .cloned()
        .collect();
    let r2 = run_fakes(vec![fake(ScannerKind::Secrets, only_medium)]);
    assert_eq!(
        gate::evaluate(&r2, FailOn::default()).verdict,
        Verdict::Pass
    );
    assert_eq!(
        gate::evaluate(&r2, FailOn::AtLeast(Severity::Medium)).verdict,
        Verdict::Block
    );
}
