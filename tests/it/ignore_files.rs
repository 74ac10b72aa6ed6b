//! The ignore files users already have: cargo-audit's `.cargo/audit.toml`, cargo-deny's
//! `deny.toml`, `.gitleaksignore` fingerprints and `trufflehog:ignore` comments.

use serde_json::Value;

use crate::common::util::{self, fixture_db, run_in, CANARY_KEY};

fn finding(report: &Value, pred: impl Fn(&Value) -> bool) -> &Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| pred(f))
        .unwrap_or_else(|| panic!("no such finding in {report}"))
}

#[test]
fn foreign_ignore_lists_suppress_their_findings() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    std::fs::copy(
        util::root().join("tests/fixtures/advisories/v3/Cargo.lock"),
        root.join("Cargo.lock"),
    )
    .unwrap();
    std::fs::create_dir(root.join(".cargo")).unwrap();
    std::fs::write(
        root.join(".cargo/audit.toml"),
        "[advisories]\nignore = [\"RUSTSEC-2022-0013\"]\n",
    )
    .unwrap();
    std::fs::write(
        root.join("deny.toml"),
        "[advisories]\nignore = [{ id = \"CVE-2021-32715\", reason = \"no HTTP/1 server\" }]\n",
    )
    .unwrap();
    // The AWS key twice: line 1 listed in .gitleaksignore, line 2 marked for trufflehog, line 4 not
    // (a marker also covers the next line).
    std::fs::write(
        root.join("keys.py"),
        format!("a = \"{CANARY_KEY}\"\nb = \"{CANARY_KEY}\"  # trufflehog:ignore\n\nc = \"{CANARY_KEY}\"\n"),
    )
    .unwrap();
    std::fs::write(
        root.join(".gitleaksignore"),
        "# accepted\nkeys.py:aws-access-token:1\n",
    )
    .unwrap();
    let db = fixture_db().display().to_string();
    let out = run_in(
        root,
        ["scan", ".", "--db", &db, "--no-yanked", "-f", "json"],
        &[],
    );
    out.assert_sane("scan");
    let r = out.json("scan");
    let regex = finding(&r, |f| {
        f["properties"]["advisory_id"] == "RUSTSEC-2022-0013"
    });
    assert_eq!(
        regex["suppression"]["justification"],
        "ignored in .cargo/audit.toml"
    );
    let hyper = finding(&r, |f| {
        f["properties"]["aliases"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "CVE-2021-32715"))
    });
    assert!(hyper["suppression"]["justification"]
        .as_str()
        .unwrap()
        .contains("no HTTP/1 server"));
    let at = |line: u64| {
        finding(&r, |f| {
            f["location"]["path"] == "keys.py" && f["location"]["start_line"] == line
        })
    };
    assert!(at(1)["suppression"]["justification"]
        .as_str()
        .unwrap()
        .contains(".gitleaksignore"));
    assert_eq!(at(2)["suppression"]["kind"], "inSource");
    assert!(
        at(4).get("suppression").is_none(),
        "unlisted line still reported"
    );
    assert_eq!(out.code, Some(1), "line 4 still blocks");
}

#[test]
fn a_broken_deny_toml_is_an_error_naming_its_line() {
    let t = tempfile::tempdir().unwrap();
    std::fs::copy(
        util::root().join("tests/fixtures/advisories/v3/Cargo.lock"),
        t.path().join("Cargo.lock"),
    )
    .unwrap();
    std::fs::write(t.path().join("deny.toml"), "[advisories]\nignore = [\n").unwrap();
    let db = fixture_db().display().to_string();
    let out = run_in(t.path(), ["audit", ".", "--db", &db, "--no-yanked"], &[]);
    out.assert_sane("audit");
    assert_eq!(out.code, Some(2));
    assert!(out.stdout.contains("deny.toml:"), "{}", out.stdout);
}
