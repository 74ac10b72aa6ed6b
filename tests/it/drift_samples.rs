//! The demo sample reports its drift (policy breaks, image drift, …); the clean sample passes.

use std::path::Path;

use crate::common::drift::*;
use stagegate::finding::Severity;

#[test]
fn demo_sample_reports_drift() {
    let out = scan(Path::new("samples/demo"), "");
    let d = dump(&out);
    assert!(errors(&out).is_empty(), "{d}");
    assert_eq!(out.stats.pairs, 2, "{d}");
    let debug = of(&out, "policy/prod-debug-enabled");
    assert_eq!(debug.len(), 1, "{d}");
    assert_eq!(debug[0].location.path, ".env.production");
    assert_eq!(debug[0].location.start_line, 3);
    assert!(debug[0].severity >= Severity::High);
    let image = of(&out, "drift/image");
    assert_eq!(image.len(), 1, "{d}");
    assert!(
        image[0].message.contains("1.8.0") && image[0].message.contains("1.7.3"),
        "{d}"
    );
    // The deploy pair is a Kustomize overlay pair: the image is rendered by each overlay's
    // `images:` transformer and located at the `newTag` line that sets it.
    assert_eq!(
        (
            image[0].location.path.as_str(),
            image[0].location.start_line
        ),
        ("deploy/prod/kustomization.yaml", 10),
        "{d}"
    );
    assert_eq!(
        (
            image[0].related[0].path.as_str(),
            image[0].related[0].start_line
        ),
        ("deploy/uat/kustomization.yaml", 10)
    );
    assert!(image[0].message.contains("UAT never ran"), "{d}");
    assert_eq!(image[0].severity, Severity::High);
    for rule in [
        "drift/missing-in-prod",
        "drift/value",
        "drift/shared-endpoint",
        "drift/security-regression",
        "drift/sizing-inversion",
        "drift/list-entry",
        "drift/resource",
        "policy/prod-cors-wildcard",
        "policy/prod-plaintext-secret",
    ] {
        assert!(!of(&out, rule).is_empty(), "no {rule}: {d}");
        assert!(
            out.rules.iter().any(|r| r.id == rule),
            "rule meta for {rule}"
        );
    }
    // The shared UAT/production password never appears in clear.
    assert!(!everything(&out).contains("Kq7-vR2x-Lm9p-Wd4z"));
    // Environment names and hosts that differ only by environment are not drift.
    assert!(
        of(&out, "drift/value")
            .iter()
            .all(|f| !key(f).contains("DATABASE_URL") && !key(f).contains("APP_ENV")),
        "{d}"
    );
}

#[test]
fn clean_sample_passes() {
    let out = scan(Path::new("samples/clean"), "");
    let d = dump(&out);
    assert!(errors(&out).is_empty(), "{d}");
    assert_eq!(out.stats.pairs, 1, "{d}");
    assert!(out.stats.keys > 20, "{d}");
    assert!(out.findings.iter().all(|f| f.suppression.is_some()), "{d}");
}

#[test]
fn every_finding_has_rule_metadata_and_stable_fingerprints() {
    let out = scan(Path::new("samples/demo"), "");
    for f in &out.findings {
        let meta = out.rules.iter().find(|r| r.id == f.rule_id);
        let meta = meta.unwrap_or_else(|| panic!("no RuleMeta for {}", f.rule_id));
        assert!(meta.help_markdown.contains("How to fix"), "{}", meta.id);
        assert!(f.location.start_line >= 1 && f.location.start_column >= 1);
        assert!(
            !f.location.path.starts_with('/'),
            "relative paths: {}",
            f.location.path
        );
    }
    let mut ids: Vec<&str> = out.rules.iter().map(|r| r.id.as_str()).collect();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "rules merged by id");
    // Same run twice: identical findings.
    let again = scan(Path::new("samples/demo"), "");
    let fp = |o: &stagegate::scanners::ScanOutput| {
        let mut v: Vec<String> = o.findings.iter().map(|f| f.fingerprint.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(fp(&out), fp(&again));
}

#[test]
fn fingerprints_survive_lines_moving() {
    let a = tree(&[
        (".env.uat", "A=1\nB=2\n"),
        (".env.prod", "A=2\nDEBUG=true\n"),
    ]);
    let b = tree(&[
        (".env.uat", "\n\n# moved\nB=2\nA=1\n"),
        (".env.prod", "# moved\n\nDEBUG=true\n\nA=2\n"),
    ]);
    let (oa, ob) = (scan(a.path(), ""), scan(b.path(), ""));
    let fp = |o: &stagegate::scanners::ScanOutput| {
        let mut v: Vec<(String, String)> = o
            .findings
            .iter()
            .map(|f| (f.rule_id.clone(), f.fingerprint.clone()))
            .collect();
        v.sort();
        v
    };
    // value A, missing B, and DEBUG: missing in UAT *and* debug on in production, one finding
    // with both reasons (one value, one finding).
    assert_eq!(fp(&oa).len(), 3, "{}", dump(&oa));
    assert_eq!(fp(&oa), fp(&ob));
    let lines = |o: &stagegate::scanners::ScanOutput| {
        o.findings
            .iter()
            .map(|f| f.location.start_line)
            .collect::<Vec<_>>()
    };
    assert_ne!(lines(&oa), lines(&ob));
}

/// The `[[drift.pair]]` block suggested for `samples/demo/stagegate.toml`.
const DEMO_PAIR: &str = r#"
[[drift.pair]]
name = "shop-api"
uat = "deploy/uat"
prod = "deploy/prod"
allow = [{ paths = ["**/data/ORDER_EXPORT_CRON"], kinds = ["value"], reason = "exports run after the nightly UAT refresh", until = 2027-06-30 }]
require_equal = ["**/image"]
"#;

#[test]
fn suggested_demo_pair_block_works() {
    // The allowance has a real expiry date: pin "today" (an input of the scan, not the
    // process environment) so the test does not rot.
    let out = scan_on(Path::new("samples/demo"), DEMO_PAIR, "2026-11-26");
    let d = dump(&out);
    assert!(errors(&out).is_empty(), "{d}");
    assert_eq!(
        out.stats.pairs, 2,
        "explicit pair replaces the discovered one: {d}"
    );
    let cron = out
        .findings
        .iter()
        .find(|f| key(f).ends_with("ORDER_EXPORT_CRON"))
        .expect("cron drift kept as suppressed");
    assert!(cron.is_suppressed(), "{d}");
    assert!(
        out.findings
            .iter()
            .all(|f| !f.message.contains("[pair deploy/{env}/]")),
        "{d}"
    );
    let image = of(&out, "drift/image");
    assert_eq!(image.len(), 1, "{d}");
}
