//! The binary's contract: flags, exit codes, configuration errors, output files, formats.

use crate::common;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn stagegate() -> Command {
    let mut c = Command::cargo_bin("stagegate").expect("binary built");
    c.env_remove("NO_COLOR")
        .env_remove("CI")
        .env("STAGEGATE_TODAY", "2026-11-26")
        .env("STAGEGATE_OFFLINE", "1");
    c
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(p, text).unwrap();
}

#[test]
fn version_and_help() {
    stagegate()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("stagegate "));
    stagegate()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes"));
}

#[test]
fn usage_errors_exit_2() {
    stagegate()
        .args(["scan", "--format", "yaml"])
        .assert()
        .code(2);
    stagegate()
        .args(["scan", "--fail-on", "severe", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid fail-on `severe`"));
    stagegate()
        .args(["scan", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/definitely/not/here"));
    stagegate().arg("frobnicate").assert().code(2);
}

#[test]
fn unknown_config_key_names_file_line_and_valid_keys() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "stagegate.toml",
        "fail_on = \"high\"\n[secrets]\nmax_file_sise = 3\n",
    );
    stagegate()
        .args(["scan"])
        .arg(d.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("stagegate.toml:3:"))
        .stderr(predicate::str::contains("max_file_sise"))
        .stderr(predicate::str::contains("max_file_size"));
}

#[test]
fn explicit_config_must_exist() {
    let d = tempfile::tempdir().unwrap();
    stagegate()
        .args(["scan", "--config", "nope.toml"])
        .arg(d.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.toml"));
}

#[test]
fn empty_folder_passes_and_says_what_was_scanned() {
    let d = tempfile::tempdir().unwrap();
    stagegate()
        .arg("scan")
        .arg(d.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("PASS"))
        .stdout(predicate::str::contains("scanned"));
}

#[test]
fn output_file_is_written_and_stdout_stays_clean() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("report.sarif");
    stagegate()
        .args(["scan", "--format", "sarif", "--output"])
        .arg(&out)
        .arg(d.path())
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
    let v = common::parse_json(&std::fs::read(&out).unwrap());
    common::assert_profile(&v);
    // No automationDetails unless asked: upload-sarif's own `category` input then applies.
    assert!(v["runs"][0].get("automationDetails").is_none(), "{v}");
    stagegate()
        .args([
            "scan",
            "-f",
            "sarif",
            "--category",
            "stagegate-prod",
            "--output",
        ])
        .arg(&out)
        .arg(d.path())
        .assert()
        .code(0);
    let v = common::parse_json(&std::fs::read(&out).unwrap());
    common::assert_profile(&v);
    assert_eq!(v["runs"][0]["automationDetails"]["id"], "stagegate-prod/");
}

#[test]
fn sarif_beside_text_and_json_to_stdout() {
    let d = tempfile::tempdir().unwrap();
    let sarif = d.path().join("x.sarif");
    let out = stagegate()
        .args(["scan", "--format", "json", "--sarif"])
        .arg(&sarif)
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v = common::parse_json(&out.stdout);
    assert_eq!(v["format"], "stagegate-report");
    common::assert_profile(&common::parse_json(&std::fs::read(&sarif).unwrap()));
}

#[test]
fn unwritable_output_is_exit_2_and_leaves_nothing() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("missing-dir/report.sarif");
    stagegate()
        .args(["scan", "--format", "sarif", "--output"])
        .arg(&out)
        .arg(d.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing-dir/report.sarif"));
    assert!(!out.exists());
}

#[test]
fn color_follows_flag_and_no_color() {
    let d = tempfile::tempdir().unwrap();
    // `always` colours even into a pipe; `auto` into a pipe does not.
    let always = stagegate()
        .args(["scan", "--color", "always"])
        .arg(d.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&always.stdout).contains("\x1b["));
    let auto = stagegate().args(["scan"]).arg(d.path()).output().unwrap();
    assert!(!String::from_utf8_lossy(&auto.stdout).contains("\x1b["));
}

#[test]
fn quiet_prints_nothing_on_success() {
    let d = tempfile::tempdir().unwrap();
    stagegate()
        .args(["scan", "--quiet"])
        .arg(d.path())
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
}

#[test]
fn drift_list_pairs_prints_discovered_pairs() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), ".env.uat", "DEBUG=false\n");
    write(d.path(), ".env.production", "DEBUG=false\n");
    stagegate()
        .args(["drift", "--list-pairs"])
        .arg(d.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(".env.uat"))
        .stdout(predicate::str::contains(".env.production"));
}

#[test]
fn explain_lists_and_documents_rules() {
    let list = stagegate().arg("explain").output().unwrap();
    assert_eq!(list.status.code(), Some(0));
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.lines().count() >= 150, "every built-in rule is listed");
    assert!(text.contains("policy/prod-debug-enabled"));
    stagegate()
        .args(["explain", "drift/image"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("drift/image"));
    stagegate()
        .args(["explain", "no-such-rule"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-rule"));
}
