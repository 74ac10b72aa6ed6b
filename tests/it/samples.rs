//! The README demo, end to end through the binary: the demo sample blocks with findings of all
//! three scanners in every format, the clean sample passes, and every report is well-formed.

use crate::common;

use std::collections::BTreeSet;

use assert_cmd::Command;
use serde_json::Value;

fn run(sample: &str, args: &[&str]) -> (i32, Vec<u8>) {
    let out = Command::cargo_bin("stagegate")
        .unwrap()
        .env("STAGEGATE_TODAY", "2026-11-26")
        .env("STAGEGATE_OFFLINE", "1")
        .env_remove("CI")
        .args(["scan"])
        .arg(common::crate_root().join("samples").join(sample))
        .args(args)
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), out.stdout)
}

#[test]
fn demo_blocks_with_findings_of_every_scanner() {
    let (code, json) = run("demo", &["--format", "json"]);
    assert_eq!(code, 1, "the demo must block");
    let v = common::parse_json(&json);
    let errs = common::schema_errors(
        &common::crate_root().join("docs/schemas/report-v1.schema.json"),
        &v,
    );
    assert!(errs.is_empty(), "{}", errs.join("\n"));
    assert_eq!(v["summary"]["errors"], 0, "{:#}", v["notifications"]);
    let prefixes: BTreeSet<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule_id"].as_str()?.split('/').next())
        .collect();
    for p in ["advisory", "secret", "drift", "policy"] {
        assert!(
            prefixes.contains(p),
            "no {p} finding in the demo: {prefixes:?}"
        );
    }
    // Suppressions are shown, not dropped: the inline allow and the declared drift allowance.
    let suppressed = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("suppression").is_some())
        .count();
    assert!(suppressed >= 2, "{suppressed}");
}

#[test]
fn demo_sarif_satisfies_the_profile_with_regions_and_related_locations() {
    let (code, sarif) = run("demo", &["--format", "sarif"]);
    assert_eq!(code, 1);
    let v = common::parse_json(&sarif);
    common::assert_profile(&v);
    let results = v["runs"][0]["results"].as_array().unwrap();
    let advisory = results
        .iter()
        .find(|r| r["ruleId"] == "advisory/RUSTSEC-2021-0078")
        .expect("hyper advisory");
    let region = &advisory["locations"][0]["physicalLocation"]["region"];
    assert!(
        region["startLine"].as_u64().unwrap() > 1,
        "located at the package entry"
    );
    assert!(results
        .iter()
        .any(|r| r["ruleId"].as_str().unwrap().starts_with("drift/")
            && r["relatedLocations"]
                .as_array()
                .is_some_and(|l| !l.is_empty())));
}

#[test]
fn demo_reports_are_identical_across_runs_in_every_format() {
    for format in ["text", "json", "sarif", "markdown"] {
        let a = run("demo", &["--format", format, "--color", "never"]);
        let b = run("demo", &["--format", format, "--color", "never"]);
        assert_eq!(a, b, "{format} differs between runs");
    }
}

#[test]
fn clean_sample_passes_in_every_scanner() {
    let (code, json) = run("clean", &["--format", "json"]);
    let v: Value = common::parse_json(&json);
    assert_eq!(code, 0, "{:#}", v["findings"]);
    let scanners: Vec<&str> = v["scanners"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(scanners, ["advisories", "secrets", "drift"]);
    for s in v["scanners"].as_array().unwrap() {
        let stats = &s["stats"];
        let looked = stats["files"].as_u64().unwrap_or(0)
            + stats["packages"].as_u64().unwrap_or(0)
            + stats["keys"].as_u64().unwrap_or(0);
        assert!(looked > 0, "{} scanned nothing: {stats}", s["name"]);
    }
}

#[test]
fn one_worker_thread_neither_deadlocks_nor_changes_the_report() {
    // Regression: with one rayon worker, the advisories scanner waited on its own database
    // survey (the survey's parallel listing was queued behind the waiting worker).
    let one = Command::cargo_bin("stagegate")
        .unwrap()
        .env("RAYON_NUM_THREADS", "1")
        .env("STAGEGATE_TODAY", "2026-11-26")
        .env("STAGEGATE_OFFLINE", "1")
        .args(["scan", "--format", "json"])
        .arg(common::crate_root().join("samples/demo"))
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(one.status.code(), Some(1), "timed out or failed");
    let (_, many) = run("demo", &["--format", "json"]);
    assert_eq!(one.stdout, many);
}
