//! The demo sample has one finding per fake credential (and one suppressed by an inline
//! allow); the clean sample has none.

use std::path::Path;

use stagegate::finding::SuppressionKind;
use stagegate::scanners::secrets::SecretsScanner;
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions, ScanOutput, Scanner};

fn scan(root: &str) -> ScanOutput {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
    let config = Config::default();
    let options = ScanOptions::default();
    let ctx = ScanContext::new(&root, &config, &options).explicit(true);
    SecretsScanner.scan(&ctx)
}

#[test]
fn demo_sample_findings() {
    let out = scan("samples/demo");
    let mut got: Vec<(String, String, bool)> = out
        .findings
        .iter()
        .filter(|f| f.location.path.starts_with("src/") || f.location.path.starts_with("config/"))
        .map(|f| {
            (
                f.location.path.clone(),
                f.rule_id.clone(),
                f.suppression.is_some(),
            )
        })
        .collect();
    got.sort();
    let want: Vec<(String, String, bool)> = [
        ("config/deploy-key.pem", "secret/private-key", false),
        ("config/prod.env", "secret/database-uri-postgres", false),
        ("config/prod.env", "secret/slack-webhook-url", false),
        (
            "src/billing/aws_client.py",
            "secret/aws-access-key-id",
            false,
        ),
        (
            "src/billing/aws_client.py",
            "secret/aws-secret-access-key",
            false,
        ),
        (
            "src/billing/stripe_gateway.js",
            "secret/database-uri-postgres",
            true,
        ),
        (
            "src/billing/stripe_gateway.js",
            "secret/stripe-secret-key",
            false,
        ),
        ("src/release.sh", "secret/github-pat-classic", false),
    ]
    .iter()
    .map(|(p, r, s)| (p.to_string(), r.to_string(), *s))
    .collect();
    assert_eq!(got, want);
    let gh = out
        .findings
        .iter()
        .find(|f| f.rule_id == "secret/github-pat-classic")
        .unwrap();
    assert_eq!(
        gh.properties["validated"], true,
        "the demo PAT has a valid checksum"
    );
    assert_eq!(gh.properties["redacted"], "ghp_…(40)");
    let allowed = out
        .findings
        .iter()
        .find(|f| f.suppression.is_some())
        .unwrap();
    assert_eq!(
        allowed.suppression.as_ref().map(|s| s.kind),
        Some(SuppressionKind::InSource)
    );
}

#[test]
fn clean_sample_has_no_findings() {
    let out = scan("samples/clean");
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    assert!(out.stats.files >= 2);
}
