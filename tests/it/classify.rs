//! The shared classification module against the real rule set: token prefixes derived from the
//! rules' keywords, redaction through the rules, and `redact`/`classify` staying leaves.

use stagegate::classify::looks_like_credential;
use stagegate::redact::scrub;
use stagegate::scanners::secrets::{builtin_rules, token_prefixes};

#[test]
fn token_prefixes_come_from_the_rules() {
    let p = token_prefixes();
    let have: Vec<&str> = p.prefixes().iter().map(String::as_str).collect();
    // Formats the drift scanner used to list by hand, now taken from the rules.
    for want in [
        "ghp_",
        "gho_",
        "ghs_",
        "ghu_",
        "github_pat_",
        "glpat-",
        "xoxb-",
        "xoxp-",
        "AKIA",
        "ASIA",
        "AIza",
        "npm_",
    ] {
        assert!(have.contains(&want), "missing `{want}` in {have:?}");
    }
    // Keywords around a secret are not prefixes; nor are identifiers' (severity note).
    for not in ["password", "secret", "token", "arn:aws", "age1", "jdbc:"] {
        assert!(!have.contains(&not), "`{not}` is not a token prefix");
    }
    assert!(looks_like_credential(
        "glpat-Xk9vQ2mLp7zR4tY8wK3n",
        token_prefixes()
    ));
    assert!(!looks_like_credential("glpat-docs", token_prefixes()));
}

#[test]
fn scrub_redacts_credentials_the_rules_recognise() {
    let tok = "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";
    let msg = format!("stagegate.toml:1: invalid fail-on `{tok}`: expected one of none");
    let out = scrub(&msg, builtin_rules());
    assert!(!out.contains(tok), "{out}");
    assert!(!out.contains(&tok[..12]), "{out}");
    assert!(out.contains("invalid fail-on `ghp_…(40)`"), "{out}");
    assert!(matches!(
        scrub("plain message", builtin_rules()),
        std::borrow::Cow::Borrowed(_)
    ));
}

/// `redact` and `classify` are leaves: every module may use them, so they may use no scanner
/// (a scanner importing them back would be a cycle).
#[test]
fn redact_and_classify_import_no_scanner() {
    let root = crate::common::crate_root().join("src");
    let mut files = vec![root.join("redact.rs"), root.join("classify.rs")];
    let dir = std::fs::read_dir(root.join("classify")).expect("src/classify/");
    files.extend(dir.filter_map(|e| e.ok()).map(|e| e.path()));
    assert!(files.len() >= 4, "{files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable source");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            assert!(
                !code.contains("scanners") && !code.contains("crate::report"),
                "{}:{}: a leaf module must not import scanners or reports: {line}",
                f.display(),
                i + 1
            );
        }
    }
}
