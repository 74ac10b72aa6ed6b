//! Identifier rules (`severity = "note"`) end to end: they are reported, never block at the
//! default gate, carry a review message rather than a rotation one, and sit next to real
//! credentials in the same file without hiding them.

use std::path::Path;

use stagegate::finding::Severity;
use stagegate::scanners::secrets::SecretsScanner;
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions, ScanOutput, Scanner};

fn scan(root: &Path) -> ScanOutput {
    let config = Config::default();
    let options = ScanOptions::default();
    let ctx = ScanContext::new(root, &config, &options).explicit(true);
    SecretsScanner.scan(&ctx)
}

#[test]
fn identifiers_are_notes_with_a_review_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("deploy.env"),
        "ROLE_ARN=arn:aws:iam::583920174658:role/ci-deploy\n\
         ARTIFACTS=https://s3-us-west-2.amazonaws.com/acme-build-cache/linux.tar.gz\n\
         SHOP=acme-outdoor.myshopify.com\n\
         DB_PASSWORD=Zq8xR2mK9pLw\n",
    )
    .unwrap();
    let out = scan(dir.path());
    let mut ids: Vec<&str> = out.findings.iter().map(|f| f.rule_id.as_str()).collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "secret/aws-arn",
            "secret/aws-s3-bucket",
            "secret/generic-password-unquoted",
            "secret/shopify-domain"
        ]
    );
    for f in &out.findings {
        let is_note = f.rule_id != "secret/generic-password-unquoted";
        assert_eq!(f.severity == Severity::Note, is_note, "{}", f.rule_id);
        assert_eq!(
            f.message.contains("not a credential"),
            is_note,
            "{}",
            f.message
        );
        assert_eq!(f.message.contains("revoke"), !is_note, "{}", f.message);
        // Values stay redacted in messages, identifiers included.
        assert!(!f.message.contains("583920174658"), "{}", f.message);
        assert!(!f.message.contains("Zq8xR2mK9pLw"), "{}", f.message);
    }
    // Every reported rule id is described.
    for id in &ids {
        assert!(
            out.rules.iter().any(|r| r.id == *id),
            "{id} has no RuleMeta"
        );
    }
}
