//! Atomic output (reports are written by `stagegate::output::write_atomic`: a
//! `.stagegate-*.tmp` file beside the destination, then a rename). The semantics tested here:
//! - a run that exits 2 because of bad input still writes its reports (the findings are
//!   reported), each complete: a parseable JSON / SARIF document, never a prefix;
//! - a run that stops before it has a report (a config error, SIGINT during the scan) leaves
//!   the previous files at `--output` / `--sarif` untouched and no `.stagegate-*.tmp` behind.

use crate::common::util;

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PREVIOUS: &str = "PREVIOUS REPORT\n";

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".stagegate-") && n.ends_with(".tmp"))
        .collect()
}

#[test]
fn exit_2_still_writes_complete_reports() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    util::write_canaries(p);
    std::fs::create_dir_all(p.join("deploy/uat")).unwrap();
    std::fs::create_dir_all(p.join("deploy/prod")).unwrap();
    std::fs::write(p.join("deploy/uat/app.json"), "{\"a\": ").unwrap();
    std::fs::write(p.join("deploy/prod/app.json"), "{\"a\": 1}").unwrap();
    std::fs::create_dir(p.join("out")).unwrap();
    std::fs::write(p.join("out/r.json"), PREVIOUS).unwrap();
    std::fs::write(p.join("out/r.sarif"), PREVIOUS).unwrap();
    let out = util::run_in(
        p,
        [
            "scan",
            ".",
            "--format",
            "json",
            "--output",
            "out/r.json",
            "--sarif",
            "out/r.sarif",
        ],
        &[],
    );
    out.assert_sane("exit 2");
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.join("out/r.json")).unwrap()).unwrap();
    assert!(util::has_finding(
        &json,
        "secret/aws-access-key-id",
        "canary.py"
    ));
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.join("out/r.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["runs"][0]["results"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));
    assert!(temp_files(&p.join("out")).is_empty());
}

#[test]
fn a_config_error_leaves_previous_reports_untouched() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    util::write_canaries(p);
    std::fs::write(p.join("stagegate.toml"), "fail_on = 3\n").unwrap();
    std::fs::write(p.join("r.json"), PREVIOUS).unwrap();
    std::fs::write(p.join("r.sarif"), PREVIOUS).unwrap();
    let out = util::run_in(
        p,
        [
            "scan", ".", "--format", "json", "-o", "r.json", "--sarif", "r.sarif",
        ],
        &[],
    );
    out.assert_sane("config error");
    assert_eq!(out.code, Some(2));
    assert_eq!(std::fs::read_to_string(p.join("r.json")).unwrap(), PREVIOUS);
    assert_eq!(
        std::fs::read_to_string(p.join("r.sarif")).unwrap(),
        PREVIOUS
    );
    assert!(temp_files(p).is_empty());
}

/// A tree the debug binary needs a few seconds for.
fn big_tree(p: &Path, files: usize) {
    let line = "let password_hint = \"token secret api_key passwd credential\"; // filler text\n";
    let body = line.repeat(40_000 / line.len());
    for i in 0..files {
        let dir = p.join(format!("src/d{}", i % 50));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("f{i}.rs")), &body).unwrap();
    }
    util::write_canaries(p);
}

#[test]
fn sigint_during_the_scan_leaves_previous_reports_untouched() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let mut files = 1500;
    big_tree(p, files);
    let out_dir = p.join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let mut interrupted = 0;
    let interrupt = interrupt_signal();
    for attempt in 0..4 {
        std::fs::write(out_dir.join("r.json"), PREVIOUS).unwrap();
        std::fs::write(out_dir.join("r.sarif"), PREVIOUS).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_stagegate"))
            .args([
                "scan",
                ".",
                "--scanners",
                "secrets,drift",
                "--format",
                "json",
            ])
            .args(["-o", "out/r.json", "--sarif", "out/r.sarif"])
            .current_dir(p)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let pid = child.id().to_string();
        let _ = Command::new("kill").args([interrupt.0, &pid]).status();
        let start = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            assert!(
                start.elapsed() < util::WATCHDOG,
                "did not stop after SIGINT"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let json = std::fs::read_to_string(out_dir.join("r.json")).unwrap();
        let sarif = std::fs::read_to_string(out_dir.join("r.sarif")).unwrap();
        assert!(
            temp_files(&out_dir).is_empty(),
            "temp files left: {:?}",
            temp_files(&out_dir)
        );
        if status.signal() == Some(interrupt.1) || status.code() == Some(128 + interrupt.1) {
            interrupted += 1;
            assert_eq!(
                json, PREVIOUS,
                "attempt {attempt}: --output changed by an interrupted run"
            );
            assert_eq!(
                sarif, PREVIOUS,
                "attempt {attempt}: --sarif changed by an interrupted run"
            );
        } else {
            // Finished before the signal: then both files must be complete reports.
            serde_json::from_str::<serde_json::Value>(&json).expect("complete JSON");
            serde_json::from_str::<serde_json::Value>(&sarif).expect("complete SARIF");
            files *= 2;
            big_tree(p, files);
        }
        if interrupted >= 2 {
            break;
        }
    }
    assert!(
        interrupted >= 1,
        "the scan always finished before SIGINT: the test checked nothing"
    );
}

/// The signal that interrupts the scan, as `kill`'s flag and its number: SIGINT (Ctrl-C), unless
/// this process ignores SIGINT (as background jobs of a non-interactive shell do, and children
/// inherit that), in which case SIGTERM, which ends the run just as abruptly.
fn interrupt_signal() -> (&'static str, i32) {
    const SIGINT: i32 = 2;
    const SIGTERM: i32 = 15;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let ignored = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .unwrap_or(0);
    if ignored & (1 << (SIGINT - 1)) != 0 {
        ("-TERM", SIGTERM)
    } else {
        ("-INT", SIGINT)
    }
}
