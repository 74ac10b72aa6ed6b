//! The demo sample reports its drift (policy breaks, image drift, …); the clean sample passes.

mod drift_util;

use std::path::Path;

use drift_util::*;
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
    assert_eq!(
        image[0].location.path,
        "samples/demo/deploy/prod/deployment.yaml".trim_start_matches("samples/demo/")
    );
    assert_eq!(image[0].related[0].path, "deploy/uat/deployment.yaml");
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
