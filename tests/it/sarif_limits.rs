//! GitHub's SARIF upload limits: the writer keeps the most severe results, drops the rest with
//! a notification that says how many, never exceeds 25 000 results or 10 MB gzipped, and can
//! leave suppressed findings out.

use std::io::Write;

use sha2::{Digest, Sha256};
use stagegate::config::FailOn;
use stagegate::finding::{Finding, Location, ScannerKind, Severity, Suppression, SuppressionKind};
use stagegate::report::sarif_limits::{MAX_GZIP_BYTES, MAX_RESULTS};
use stagegate::report::{self, Format, RenderOptions};

use crate::common::{self, fake};

fn finding(i: usize, sev: Severity, message: String) -> Finding {
    Finding::new(
        format!("drift/k{}", i % 7),
        sev,
        message,
        Location::line(format!("deploy/values-{:05}.yaml", i), 1),
        &i.to_string(),
    )
}

fn sarif(findings: Vec<Finding>, omit_suppressed: bool) -> (serde_json::Value, Vec<u8>) {
    let result = fake::run_fakes(vec![fake::fake(ScannerKind::Drift, findings)]);
    let report = fake::report_of(result, FailOn::default());
    let mut opts: RenderOptions = fake::opts();
    opts.sarif.omit_suppressed = omit_suppressed;
    let bytes = report::render(&report, Format::Sarif, &opts);
    (common::parse_json(&bytes), bytes)
}

fn notifications(v: &serde_json::Value) -> String {
    v["runs"][0]["invocations"][0]["toolExecutionNotifications"].to_string()
}

#[test]
fn thirty_thousand_results_are_capped_at_twenty_five_thousand_most_severe_kept() {
    // 28 899 like the UAT/production pair, with 3 000 critical ones last in path order.
    let mut findings: Vec<Finding> = (0..25_899)
        .map(|i| finding(i, Severity::Low, "drift".into()))
        .collect();
    findings.extend((25_899..28_899).map(|i| finding(i, Severity::Critical, "drift".into())));
    let (v, _) = sarif(findings, false);
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), MAX_RESULTS);
    let critical = results
        .iter()
        .filter(|r| r["properties"]["severity"] == "critical")
        .count();
    assert_eq!(critical, 3_000, "every critical result is kept");
    let n = notifications(&v);
    assert!(n.contains("3899 less severe findings dropped"), "{n}");
    // Every listed rule still has a result, and indices point at the right rule.
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results.iter().step_by(997) {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
}

#[test]
fn gzipped_size_stays_under_ten_megabytes() {
    // Nearly incompressible messages (a hash stream over 85 printable characters): ~14 MB
    // of SARIF that gzip cannot shrink below 10 MB.
    const ALPHABET: &[u8] =
        b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+,-.:;=?@[]^_{|}~";
    let mut seed = [0u8; 32];
    let findings: Vec<Finding> = (0..4_000)
        .map(|i| {
            let mut msg = String::new();
            for _ in 0..110 {
                seed = Sha256::digest(seed).into();
                msg.extend(
                    seed.iter()
                        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char),
                );
            }
            let sev = if i % 10 == 0 {
                Severity::High
            } else {
                Severity::Low
            };
            finding(i, sev, msg)
        })
        .collect();
    let (v, bytes) = sarif(findings, false);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes).unwrap();
    let size = gz.finish().unwrap().len() as u64;
    assert!(size <= MAX_GZIP_BYTES, "gzipped {size} bytes");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.len() < 9_000 && results.len() > 900,
        "{}",
        results.len()
    );
    assert_eq!(
        results
            .iter()
            .filter(|r| r["properties"]["severity"] == "high")
            .count(),
        400,
        "the high results are kept"
    );
    assert!(notifications(&v).contains("less severe findings dropped"));
}

#[test]
fn suppressed_findings_can_be_left_out() {
    let findings: Vec<Finding> = (0..4)
        .map(|i| {
            let mut f = finding(i, Severity::High, "drift".into());
            if i % 2 == 0 {
                f.suppression = Some(Suppression {
                    kind: SuppressionKind::External,
                    justification: "baseline".into(),
                });
            }
            f
        })
        .collect();
    let (all, _) = sarif(findings.clone(), false);
    assert_eq!(all["runs"][0]["results"].as_array().unwrap().len(), 4);
    let (v, _) = sarif(findings, true);
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r.get("suppressions").is_none()));
    assert!(notifications(&v).contains("2 suppressed findings"));
    common::assert_profile(&v);
}
