//! GitLab's three security reports from one `scan --gitlab-dir`: secrets as
//! `secret_detection`, advisories as `dependency_scanning`, drift as `sast`.
//!
//! No package of GitLab's JSON schemas is published on a registry this project can reach, so
//! these checks are the required fields of the published v15 schemas
//! (`security-report-format.json` and the three report formats), written from their
//! documentation: `version`; `scan.{analyzer,scanner}.{id,name,version,vendor.name}`,
//! `scan.type`, `start_time`, `end_time`, `status`; each vulnerability's `id`, `identifiers`
//! (at least one, each with `type`, `name`, `value`) and `location`, whose required shape
//! depends on the type (secret detection: `commit.sha`; dependency scanning: `file`,
//! `dependency.package.name`, `dependency.version`).

use std::path::Path;

use serde_json::Value;

use crate::common::util::{self, fixture_db, run_in, CANARY_KEY};

const SEVERITIES: [&str; 6] = ["Info", "Unknown", "Low", "Medium", "High", "Critical"];
const TIME: &str = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$";

fn check_common(doc: &Value, scan_type: &str) {
    assert!(doc["version"].as_str().unwrap().starts_with("15."), "{doc}");
    let scan = &doc["scan"];
    assert_eq!(scan["type"], scan_type);
    let time = regex::Regex::new(TIME).unwrap();
    for k in ["start_time", "end_time"] {
        assert!(time.is_match(scan[k].as_str().unwrap()), "{k}");
    }
    assert!(["success", "failure"].contains(&scan["status"].as_str().unwrap()));
    for tool in ["analyzer", "scanner"] {
        for k in ["id", "name", "version"] {
            assert!(
                scan[tool][k].as_str().is_some_and(|s| !s.is_empty()),
                "{tool}.{k}"
            );
        }
        assert!(scan[tool]["vendor"]["name"].is_string());
    }
    for v in doc["vulnerabilities"].as_array().unwrap() {
        assert!(v["id"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(SEVERITIES.contains(&v["severity"].as_str().unwrap()));
        let ids = v["identifiers"].as_array().unwrap();
        assert!(!ids.is_empty());
        for i in ids {
            for k in ["type", "name", "value"] {
                assert!(
                    i[k].as_str().is_some_and(|s| !s.is_empty()),
                    "identifier {k}: {i}"
                );
            }
        }
        assert!(v["location"].is_object());
        let t = &v["tracking"];
        assert_eq!(t["type"], "source");
        let sig = &t["items"][0]["signatures"][0];
        assert!(
            sig["algorithm"].is_string() && sig["value"].is_string(),
            "{t}"
        );
    }
}

fn read(dir: &Path, name: &str) -> Value {
    crate::common::parse_json(&std::fs::read(dir.join(name)).unwrap())
}

#[test]
fn one_scan_writes_three_typed_reports() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    util::write_canaries(root);
    std::fs::copy(
        util::root().join("tests/fixtures/advisories/v3/Cargo.lock"),
        root.join("Cargo.lock"),
    )
    .unwrap();
    let out_dir = t.path().join("gl");
    std::fs::create_dir(&out_dir).unwrap();
    let db = fixture_db().display().to_string();
    let out = run_in(
        root,
        [
            "scan",
            ".",
            "--db",
            &db,
            "--no-yanked",
            "--offline",
            "--format",
            "json",
            "--gitlab-dir",
            out_dir.to_str().unwrap(),
        ],
        &[],
    );
    out.assert_sane("scan --gitlab-dir");
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let json = out.json("json report");
    let fingerprints: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();

    let secrets = read(&out_dir, "gl-secret-detection-report.json");
    check_common(&secrets, "secret_detection");
    let sv = secrets["vulnerabilities"].as_array().unwrap();
    assert!(sv.iter().any(|v| v["location"]["file"] == "canary.py"));
    for v in sv {
        assert!(v["location"]["commit"]["sha"].is_string(), "{v}");
        assert!(v["identifiers"][0]["value"]
            .as_str()
            .unwrap()
            .starts_with("secret/"));
    }

    let deps = read(&out_dir, "gl-dependency-scanning-report.json");
    check_common(&deps, "dependency_scanning");
    let dv = deps["vulnerabilities"].as_array().unwrap();
    assert!(!dv.is_empty());
    for v in dv {
        let loc = &v["location"];
        assert_eq!(loc["file"], "Cargo.lock");
        assert!(loc["dependency"]["package"]["name"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
        assert!(loc["dependency"]["version"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
        assert!(loc.get("start_line").is_none());
        // Identifiers are the advisory's own: CVE/GHSA aliases first, then RUSTSEC.
        for i in v["identifiers"].as_array().unwrap() {
            let ty = i["type"].as_str().unwrap();
            let value = i["value"].as_str().unwrap();
            match ty {
                "cve" => assert!(value.starts_with("CVE-")),
                "ghsa" => assert!(value.starts_with("GHSA-")),
                "rustsec" => assert!(value.starts_with("RUSTSEC-")),
                "stagegate_rule" => assert!(value.starts_with("advisory/")),
                other => panic!("unexpected identifier type {other}"),
            }
        }
        let sig = v["tracking"]["items"][0]["signatures"][0]["value"]
            .as_str()
            .unwrap();
        assert!(
            fingerprints.contains(&sig),
            "signature is the finding's fingerprint"
        );
    }
    let regex_vuln = dv
        .iter()
        .find(|v| v["identifiers"].to_string().contains("RUSTSEC-2022-0013"))
        .expect("regex advisory reported");
    assert_eq!(regex_vuln["identifiers"][0]["value"], "CVE-2022-24713");
    assert_eq!(
        regex_vuln["location"]["dependency"]["package"]["name"],
        "regex"
    );

    let sast = read(&out_dir, "gl-sast-report.json");
    check_common(&sast, "sast");
    let dv = sast["vulnerabilities"].as_array().unwrap();
    assert!(dv
        .iter()
        .any(|v| v["location"]["file"] == ".env.production"));
    for v in dv {
        let rule = v["identifiers"][0]["value"].as_str().unwrap();
        assert!(
            rule.starts_with("drift/")
                || rule.starts_with("policy/")
                || (rule.starts_with("advisory/") && v["location"].get("dependency").is_none()),
            "only drift and file-level advisory findings in SAST: {rule}"
        );
    }
    for name in [
        "gl-sast-report.json",
        "gl-secret-detection-report.json",
        "gl-dependency-scanning-report.json",
    ] {
        let text = std::fs::read_to_string(out_dir.join(name)).unwrap();
        assert!(!text.contains(CANARY_KEY), "{name}: key in clear");
    }
}
