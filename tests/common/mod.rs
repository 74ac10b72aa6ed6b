//! Helpers shared by the integration tests: the SARIF profile check every produced SARIF goes
//! through, and a temp-dir helper.
#![allow(dead_code)]

pub mod dbremote;
pub mod drift;
pub mod fake;
pub mod util;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Crate root (where `SARIF-schema/` and `samples/` live).
pub fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Errors of `instance` against the JSON Schema at `schema_path` (empty = valid).
pub fn schema_errors(schema_path: &Path, instance: &Value) -> Vec<String> {
    let schema = load_json(schema_path);
    let validator = jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("{}: invalid schema: {e}", schema_path.display()));
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Asserts that `sarif` satisfies stagegate's SARIF profile, plus what JSON Schema cannot say:
/// every `ruleIndex` points at the rule with the same id, rule ids are unique, and every rule
/// has at least one result.
pub fn assert_profile(sarif: &Value) {
    let errors = schema_errors(
        &crate_root().join("SARIF-schema/stagegate-profile.schema.json"),
        sarif,
    );
    assert!(
        errors.is_empty(),
        "SARIF profile violations:\n{}",
        errors.join("\n")
    );
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules array");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().unwrap_or(""))
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "duplicate rule ids: {ids:?}");
    let results = run["results"].as_array().expect("results array");
    for r in results {
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert!(idx < rules.len(), "ruleIndex {idx} out of range");
        assert_eq!(
            rules[idx]["id"], r["ruleId"],
            "ruleIndex points at another rule"
        );
    }
    for id in &ids {
        assert!(
            results.iter().any(|r| r["ruleId"].as_str() == Some(id)),
            "rule {id} listed without a result"
        );
    }
}

/// Parses bytes as JSON, with the text in the panic message.
pub fn parse_json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(bytes)))
}
