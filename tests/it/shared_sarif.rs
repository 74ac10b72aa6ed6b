#![cfg(feature = "shared-data")]
//! Shared-data suite: the SARIF of every sample, in every command, validates against the official
//! OASIS SARIF 2.1.0 schema in `../shared/SARIF-schema/` (not copied into this repository), and
//! against stagegate's own profile.

use crate::common;

use std::path::PathBuf;

use assert_cmd::Command;

fn official_schema() -> PathBuf {
    let p = common::crate_root().join("../shared/SARIF-schema/sarif-schema-2.1.0.json");
    assert!(
        p.is_file(),
        "{} is missing: the shared-data suite needs ../shared",
        p.display()
    );
    p
}

fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(common::crate_root().join("samples"))
        .expect("samples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    assert!(v.len() >= 2, "expected at least the demo and clean samples");
    v
}

#[test]
fn every_sample_sarif_is_valid_against_the_official_schema() {
    let schema = official_schema();
    for sample in samples() {
        for cmd in ["scan", "audit", "secrets", "drift"] {
            let out = Command::cargo_bin("stagegate")
                .unwrap()
                .env("STAGEGATE_TODAY", "2026-11-26")
                .env("STAGEGATE_OFFLINE", "1")
                .args([cmd, "--format", "sarif", "--fail-on", "none"])
                .arg(&sample)
                .output()
                .unwrap();
            let v = common::parse_json(&out.stdout);
            let errors = common::schema_errors(&schema, &v);
            assert!(
                errors.is_empty(),
                "{} {cmd}: official schema violations:\n{}",
                sample.display(),
                errors.join("\n")
            );
            common::assert_profile(&v);
        }
    }
}

#[test]
fn the_official_schema_rejects_an_invalid_level() {
    // Guards the check itself: a log the validator must refuse.
    let schema = official_schema();
    let out = Command::cargo_bin("stagegate")
        .unwrap()
        .args(["scan", "--format", "sarif", "--fail-on", "none"])
        .arg(common::crate_root().join("samples/demo"))
        .output()
        .unwrap();
    let mut v = common::parse_json(&out.stdout);
    v["runs"][0]["invocations"][0]["executionSuccessful"] = serde_json::Value::from("yes");
    assert!(!common::schema_errors(&schema, &v).is_empty());
}
