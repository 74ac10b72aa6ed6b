//! The pipeline commands through the binary: `baseline`, `init`, `--baseline`,
//! `--update-baseline`, the CI formats and the absence of progress output in CI.
//!
//! These tests assert on files, flags and exit codes that hold whether or not the real scanners
//! are merged (until then every scanner reports "not built yet", i.e. exit 2).

use crate::common;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

/// `baseline`/`init --baseline` exit 0, or 2 when a scanner could not complete (the file is
/// still written); never 1 (nothing blocks while accepting).
const WRITTEN: [i32; 2] = [0, 2];

fn stagegate() -> Command {
    let mut c = Command::cargo_bin("stagegate").expect("binary built");
    c.env_remove("NO_COLOR")
        .env_remove("CI")
        .env("STAGEGATE_TODAY", "2026-11-26");
    c
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(p, text).unwrap();
}

/// A small repository with a lockfile and a UAT/production pair.
fn sample() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "Cargo.lock", "version = 3\n");
    write(
        d.path(),
        "deploy/.env.uat",
        "DEBUG=false\nAPI_URL=https://uat.example.com\n",
    );
    write(
        d.path(),
        "deploy/.env.production",
        "DEBUG=true\nAPI_URL=https://example.com\n",
    );
    d
}

fn json_findings(dir: &Path) -> Value {
    let out = stagegate()
        .args(["scan", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    let v = common::parse_json(&out.stdout);
    v["findings"].clone()
}

#[test]
fn baseline_command_writes_a_stable_sorted_file_without_timestamps() {
    let d = sample();
    stagegate()
        .arg("baseline")
        .arg(d.path())
        .arg("-q")
        .assert()
        .code(predicate::in_iter(WRITTEN));
    let path = d.path().join(".stagegate-baseline.json");
    let first = std::fs::read(&path).expect("baseline written even when a scanner fails");
    let v = common::parse_json(&first);
    assert_eq!(v["format"], "stagegate-baseline");
    assert_eq!(v["version"], 1);
    assert!(v["entries"].is_array());
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["format", "version", "entries"], "no timestamps");
    stagegate()
        .arg("baseline")
        .arg(d.path())
        .arg("-q")
        .assert()
        .code(predicate::in_iter(WRITTEN));
    assert_eq!(std::fs::read(&path).unwrap(), first, "byte-identical rerun");
    // --output chooses the file.
    let other = d.path().join("ci/bl.json");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    stagegate()
        .arg("baseline")
        .arg(d.path())
        .arg("--output")
        .arg(&other)
        .assert()
        .code(predicate::in_iter(WRITTEN));
    assert!(other.is_file());
}

#[test]
fn malformed_baseline_is_exit_2_naming_file_and_line() {
    let d = sample();
    write(
        d.path(),
        "bl.json",
        "{\n  \"format\": \"stagegate-baseline\",\n  \"version\": 1,\n  \"entries\": [\n    { \"fingerprint\": 42 }\n  ]\n}\n",
    );
    stagegate()
        .args(["scan", "--baseline"])
        .arg(d.path().join("bl.json"))
        .arg(d.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bl.json:5: malformed baseline"));
    // From the config file, relative to the scan root.
    write(d.path(), "stagegate.toml", "baseline = \"bl.json\"\n");
    stagegate()
        .arg("scan")
        .arg(d.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bl.json:5:"));
}

#[test]
fn missing_baseline_is_exit_2_with_the_fix() {
    let d = sample();
    stagegate()
        .args(["scan", "--baseline", "nope.json"])
        .arg(d.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("nope.json")
                .and(predicate::str::contains("stagegate baseline")),
        );
}

#[test]
fn update_baseline_rewrites_and_counts_dropped_entries() {
    let d = sample();
    let path = d.path().join(".stagegate-baseline.json");
    // An advisory entry survives a drift-only run; the count is printed.
    write(
        d.path(),
        ".stagegate-baseline.json",
        r#"{"format":"stagegate-baseline","version":1,"entries":[
{"fingerprint":"0123456789abcdef0123456789abcdef","rule":"advisory/RUSTSEC-2020-0001","path":"Cargo.lock","note":"x"}]}"#,
    );
    stagegate()
        .args(["scan", "--scanners", "drift", "--update-baseline"])
        .arg(d.path())
        .assert()
        .stderr(predicate::str::contains("dropped as no longer found"));
    let v = common::parse_json(&std::fs::read(&path).unwrap());
    assert_eq!(v["entries"][0]["rule"], "advisory/RUSTSEC-2020-0001");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("{\n  \"format\""),
        "rewritten pretty: {text}"
    );
}

#[test]
fn init_writes_a_loadable_config_refuses_overwrite_and_force_replaces() {
    let d = sample();
    stagegate().arg("init").arg(d.path()).assert().success();
    let cfg = d.path().join("stagegate.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(text.contains("#   Cargo.lock"), "{text}");
    assert!(text.contains("uat = \"deploy/.env.uat\""), "{text}");
    assert!(text.contains("prod = \"deploy/.env.production\""), "{text}");
    stagegate::scanners::ValidConfig::load(&cfg).expect("init writes a valid config");

    write(d.path(), "stagegate.toml", "fail_on = \"low\"\n");
    stagegate()
        .arg("init")
        .arg(d.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(
        std::fs::read_to_string(&cfg).unwrap(),
        "fail_on = \"low\"\n"
    );
    stagegate()
        .args(["init", "--force"])
        .arg(d.path())
        .assert()
        .success();
    assert!(std::fs::read_to_string(&cfg)
        .unwrap()
        .contains("fail_on = \"high\""));
}

#[test]
fn init_with_baseline_writes_both_and_points_the_config_at_it() {
    let d = sample();
    stagegate()
        .args(["init", "--baseline", "-q"])
        .arg(d.path())
        .assert()
        .code(predicate::in_iter(WRITTEN));
    let cfg = stagegate::scanners::ValidConfig::load(&d.path().join("stagegate.toml")).unwrap();
    assert_eq!(
        cfg.baseline.as_deref(),
        Some(Path::new(".stagegate-baseline.json"))
    );
    let bl = d.path().join(".stagegate-baseline.json");
    stagegate::baseline::Baseline::load(&bl).expect("a valid baseline");
}

#[test]
fn scan_after_init_gives_the_same_findings_as_without_config() {
    let d = sample();
    let before = json_findings(d.path());
    stagegate().arg("init").arg(d.path()).assert().success();
    let after = json_findings(d.path());
    assert_eq!(before, after);
}

#[test]
fn ci_formats_are_accepted_and_well_formed() {
    let d = sample();
    let out = stagegate()
        .args(["scan", "--format", "junit"])
        .arg(d.path())
        .output()
        .unwrap();
    let xml = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("valid XML");
    assert_eq!(doc.root_element().tag_name().name(), "testsuites");
    assert_eq!(
        doc.root_element()
            .children()
            .filter(|n| n.has_tag_name("testsuite"))
            .count(),
        3
    );

    let out = stagegate()
        .args(["scan", "--format", "gitlab-sast"])
        .arg(d.path())
        .output()
        .unwrap();
    let v = common::parse_json(&out.stdout);
    assert_eq!(v["scan"]["type"], "sast");
    assert!(v["vulnerabilities"].is_array());

    let out = stagegate()
        .args(["secrets", "--format", "gitlab-sast"])
        .arg(d.path())
        .output()
        .unwrap();
    let v = common::parse_json(&out.stdout);
    assert_eq!(v["scan"]["type"], "secret_detection");

    let out = stagegate()
        .args(["scan", "--format", "github"])
        .arg(d.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let last = text.lines().last().unwrap();
    assert!(last.starts_with("stagegate: "), "{text}");
    for l in text.lines().filter(|l| l.starts_with("::")) {
        assert!(
            l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice "),
            "{l}"
        );
    }
}

#[test]
fn sarif_file_beside_a_ci_format_keeps_the_profile() {
    let d = sample();
    let sarif = d.path().join("out.sarif");
    stagegate()
        .args(["scan", "--format", "github", "--sarif"])
        .arg(&sarif)
        .arg(d.path())
        .assert()
        .code(predicate::in_iter([0, 1, 2]));
    common::assert_profile(&common::parse_json(&std::fs::read(&sarif).unwrap()));
}

#[test]
fn no_progress_output_when_not_a_terminal_or_in_ci() {
    let d = sample();
    for ci in [None, Some("true")] {
        let mut c = stagegate();
        if let Some(v) = ci {
            c.env("CI", v);
        }
        let out = c
            .args(["scan", "--format", "json"])
            .arg(d.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains('\r') && !err.contains('\x1b'), "{err:?}");
        assert!(!err.contains("scanning"), "{err}");
    }
}

#[test]
fn pre_commit_hooks_file_declares_the_two_hooks() {
    let text =
        std::fs::read_to_string(common::crate_root().join(".pre-commit-hooks.yaml")).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("valid YAML");
    let hooks = docs[0].as_vec().expect("a list of hooks");
    let by_id = |id: &str| {
        hooks
            .iter()
            .find(|h| h["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("hook {id}"))
    };
    let secrets = by_id("stagegate-secrets");
    assert_eq!(
        secrets["entry"].as_str(),
        Some("stagegate secrets --staged")
    );
    assert_eq!(secrets["pass_filenames"].as_bool(), Some(false));
    let drift = by_id("stagegate-drift");
    assert_eq!(drift["entry"].as_str(), Some("stagegate drift"));
    assert_eq!(drift["pass_filenames"].as_bool(), Some(false));
    let files = regex::Regex::new(drift["files"].as_str().expect("files regex")).unwrap();
    for yes in [
        "deploy/.env.production",
        ".env.uat",
        "charts/app/values-prod.yaml",
        "k8s/overlays/staging/kustomization.yaml",
        "config/application-uat.yml",
        "stagegate.toml",
    ] {
        assert!(files.is_match(yes), "{yes} should trigger the drift hook");
    }
    for no in ["src/main.rs", "README.md", "Cargo.lock"] {
        assert!(
            !files.is_match(no),
            "{no} should not trigger the drift hook"
        );
    }
    for h in hooks {
        assert_eq!(
            h["language"].as_str(),
            Some("rust"),
            "installable by pre-commit"
        );
    }
}
