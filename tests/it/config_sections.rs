//! An invalid configuration section disables only its scanner: the others still run, every
//! mistake of the file is reported at `file:line:column`, and the run exits 2.

use crate::common::util::{self, has_finding, run_in, write_canaries};

/// `[drift]` with three mistakes; the rest of the file is fine.
const BAD_DRIFT: &str = "\
fail_on = \"high\"
[drift]
discover = \"sometimes\"
[[drift.pair]]
name = \"api\"
uat = \"u\"
prod = \"p\"
allow = [{ paths = [\"/a/[\"], kinds = [\"valeu\"] }]
";

fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    write_canaries(d.path());
    std::fs::copy(
        util::root().join("tests/fixtures/advisories/tiny/Cargo.lock"),
        d.path().join("Cargo.lock"),
    )
    .expect("lockfile");
    std::fs::write(d.path().join("stagegate.toml"), BAD_DRIFT).expect("config");
    d
}

#[test]
fn invalid_drift_section_still_runs_secrets_and_advisories_and_exits_2() {
    let d = repo();
    let db = util::fixture_db();
    let out = run_in(
        d.path(),
        [
            "scan",
            ".",
            "--format",
            "json",
            "--db",
            db.to_str().expect("UTF-8 path"),
            "--no-yanked",
        ],
        &[],
    );
    out.assert_sane("invalid [drift]");
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    let report = out.json("invalid [drift]");
    assert!(
        has_finding(&report, "secret/aws-access-key-id", "canary.py"),
        "secrets still ran: {}",
        out.stdout
    );
    let findings = report["findings"].as_array().expect("findings");
    assert!(
        findings.iter().any(|f| f["rule_id"]
            .as_str()
            .is_some_and(|r| r.starts_with("advisory/RUSTSEC-"))
            && f["location"]["path"] == "Cargo.lock"),
        "advisories still ran: {}",
        out.stdout
    );
    assert!(
        !has_finding(&report, "policy/prod-debug-enabled", ".env.production"),
        "drift must not run on an invalid section"
    );
    // Each mistake once, at its line and column, as an error of the drift scanner.
    let errors: Vec<String> = report["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter(|n| n["level"] == "error")
        .map(|n| {
            assert_eq!(n["scanner"], "drift", "{n}");
            n["message"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(
        errors[0].starts_with("stagegate.toml:3:12: ") && errors[0].contains("bool"),
        "{errors:#?}"
    );
    assert!(
        errors[1].starts_with("stagegate.toml:8:20: ") && errors[1].contains("/a/["),
        "{errors:#?}"
    );
    assert!(
        errors[2].starts_with("stagegate.toml:8:38: ") && errors[2].contains("valeu"),
        "{errors:#?}"
    );
}

#[test]
fn an_unselected_scanners_invalid_section_is_still_reported() {
    let d = repo();
    let out = run_in(d.path(), ["secrets", ".", "--format", "json"], &[]);
    out.assert_sane("secrets only");
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(has_finding(
        &out.json("secrets only"),
        "secret/aws-access-key-id",
        "canary.py"
    ));
    assert!(
        out.stderr.contains("stagegate.toml:3:12: "),
        "{}",
        out.stderr
    );
}

#[test]
fn a_broken_top_level_key_stops_the_run_with_every_error() {
    let d = repo();
    let text = format!(
        "exclude = 3\nfial_on = \"low\"\n{}",
        &BAD_DRIFT[BAD_DRIFT.find('[').unwrap_or(0)..]
    );
    std::fs::write(d.path().join("stagegate.toml"), text).expect("config");
    let out = run_in(d.path(), ["scan", ".", "--format", "json"], &[]);
    out.assert_sane("bad top level");
    assert_eq!(out.code, Some(2));
    assert!(out.stdout.is_empty(), "no report: {}", out.stdout);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 5, "{}", out.stderr);
    for (line, at) in lines
        .iter()
        .zip([":1:11: ", ":2:1: ", ":4:12: ", ":9:20: ", ":9:38: "])
    {
        assert!(
            line.starts_with("stagegate: error: ") && line.contains(&format!("stagegate.toml{at}")),
            "{line}"
        );
    }
}
