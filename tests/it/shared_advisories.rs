#![cfg(feature = "shared-data")]
//! The advisories scanner against the shared RustSec snapshot (`../shared/advisory-db`), compared
//! with what cargo-audit 0.22.2 reported on the same lockfiles and database
//! (`tests/fixtures/advisories/expected/*.json`, produced once by hand with the command stored
//! in each file).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use stagegate::finding::NotificationLevel;
use stagegate::scanners::advisories::{audit, db::Database, Sources};
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions, ScanOutput};

/// `../shared/advisory-db` beside the clone (CI), or under `$STAGEGATE_SHARED_DIR` (a git
/// worktree elsewhere).
fn db_root() -> PathBuf {
    match std::env::var_os("STAGEGATE_SHARED_DIR") {
        Some(d) => PathBuf::from(d).join("advisory-db"),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/advisory-db"),
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/advisories")
        .join(name)
}

fn run(root: &Path) -> ScanOutput {
    let config = Config::default();
    let options = ScanOptions::default();
    let ctx = ScanContext::new(root, &config, &options).explicit(true);
    let sources = Sources {
        db: db_root(),
        cargo_home: None,
        full_load: false,
    };
    audit(&ctx, &sources)
}

type Key = (String, String, String, String);

fn ours(out: &ScanOutput) -> BTreeSet<Key> {
    out.findings
        .iter()
        .filter(|f| f.properties.contains_key("advisory_id") && f.properties.contains_key("kind"))
        // cargo-audit does not report `notice` advisories by default.
        .filter(|f| f.properties["kind"] != "notice")
        .map(|f| {
            let s = |k: &str| f.properties[k].as_str().unwrap_or_default().to_string();
            (s("kind"), s("package"), s("version"), s("advisory_id"))
        })
        .collect()
}

fn expected(name: &str) -> BTreeSet<Key> {
    let text = std::fs::read_to_string(fixture("expected").join(format!("{name}.json"))).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let s = |i: usize| row[i].as_str().unwrap().to_string();
            (s(0), s(1), s(2), s(3))
        })
        .collect()
}

fn check(name: &str) -> ScanOutput {
    let out = run(&fixture(name));
    let errors: Vec<_> = out
        .notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Error)
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}");
    let exp = expected(name);
    assert!(!exp.is_empty(), "{name}: expectations must not be empty");
    assert_eq!(ours(&out), exp, "{name}: differs from cargo-audit");
    out
}

#[test]
fn v1_lockfile_matches_cargo_audit() {
    check("v1");
}

#[test]
fn v3_lockfile_matches_cargo_audit() {
    check("v3");
}

#[test]
fn v4_lockfile_matches_cargo_audit_and_v1_of_the_same_tree() {
    let out = check("v4");
    assert_eq!(expected("v1"), expected("v4"));
    assert_eq!(ours(&out).len(), 14);
}

#[test]
fn workspace_with_git_and_path_deps_matches_cargo_audit() {
    let out = check("workspace");
    let notes: Vec<&str> = out
        .notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Note)
        .map(|n| n.message.as_str())
        .collect();
    assert!(
        notes
            .iter()
            .any(|m| m.contains("regex 1.5.4 is a git dependency")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|m| m.contains("patched-log 0.4.99 is a path dependency")),
        "{notes:?}"
    );
    // Workspace members are neither audited nor reported as path dependencies.
    assert!(
        !notes.iter().any(|m| m.contains("util 0.3.0 is a path")),
        "{notes:?}"
    );
    let tokio = out
        .findings
        .iter()
        .find(|f| f.rule_id == "advisory/RUSTSEC-2023-0001")
        .unwrap();
    assert_eq!(tokio.properties["dependency_path"], "web → tokio 1.18.0");
}

#[test]
fn selective_load_finds_what_a_full_load_finds() {
    let root = db_root();
    let all = Database::load_all(&root).unwrap();
    assert!(all.len() >= 1200, "{}", all.len());
    assert!(all.problems().is_empty(), "{:?}", all.problems());
    let some = Database::load_for(&root, ["hyper", "tokio"]).unwrap();
    assert_eq!(
        some.advisories_for("hyper").len(),
        all.advisories_for("hyper").len()
    );
    assert!(some.len() < 40);
}

#[test]
fn large_lockfile_matches_cargo_audit_with_either_load_strategy() {
    let out = check("large");
    assert!(out.stats.packages > 400, "{}", out.stats.packages);
    let config = Config::default();
    let options = ScanOptions::default();
    let root = fixture("large");
    let ctx = ScanContext::new(&root, &config, &options).explicit(true);
    let full = audit(
        &ctx,
        &Sources {
            db: db_root(),
            cargo_home: None,
            full_load: true,
        },
    );
    assert_eq!(ours(&full), ours(&out));
    assert!(full.stats.advisories > 1000, "{}", full.stats.advisories);
    assert!(out.stats.advisories < 200, "{}", out.stats.advisories);
}

#[test]
fn database_age_is_the_newest_advisory_date() {
    let root = db_root();
    let all = Database::load_all(&root).unwrap();
    let newest = all.iter().map(|a| a.date).max().unwrap();
    let (date, how) = Database::last_updated(&root).unwrap();
    assert_eq!(date, newest);
    assert_eq!(how, "newest advisory date");
}
