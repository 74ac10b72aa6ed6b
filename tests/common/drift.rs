//! Shared helpers of the drift integration tests (`crate::common::drift`).
#![allow(dead_code)]

use std::path::Path;

use stagegate::finding::ScannerKind;
use stagegate::finding::{Finding, NotificationLevel};
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{self, ScanContext, ScanOptions, ScanOutput};

/// Runs the drift scanner on `root` with `stagegate.toml` text `config`.
pub fn scan(root: &Path, config: &str) -> ScanOutput {
    let config = Config::parse(config, &root.join("stagegate.toml")).expect("valid config");
    scan_with(root, &config)
}

/// Runs the drift scanner on `root` with `stagegate.toml` text `config`, on the date `today`
/// (`YYYY-MM-DD`), for allowances with a real `until`.
pub fn scan_on(root: &Path, config: &str, today: &str) -> ScanOutput {
    let config = Config::parse(config, &root.join("stagegate.toml")).expect("valid config");
    let options = ScanOptions::default();
    let today = today.parse().expect("YYYY-MM-DD");
    let ctx = ScanContext::new(root, &config, &options)
        .explicit(true)
        .today(today);
    scanners::builtin(ScannerKind::Drift).scan(&ctx)
}

/// Runs the drift scanner on `root` with an already built configuration.
pub fn scan_with(root: &Path, config: &Config) -> ScanOutput {
    let options = ScanOptions::default();
    let ctx = ScanContext::new(root, config, &options).explicit(true);
    scanners::builtin(ScannerKind::Drift).scan(&ctx)
}

/// Writes `files` (path, content) under a new temp dir.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (p, c) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, c).expect("write");
    }
    dir
}

/// Unsuppressed findings that report `rule`: as their rule, or as a further reason on the same
/// value (a drift and a policy finding on one value are one finding, `also_rules`).
pub fn of<'a>(out: &'a ScanOutput, rule: &str) -> Vec<&'a Finding> {
    out.findings
        .iter()
        .filter(|f| f.suppression.is_none() && (f.rule_id == rule || also(f).contains(&rule)))
        .collect()
}

/// The further rules a finding reports on the same value (`also_rules`).
pub fn also(f: &Finding) -> Vec<&str> {
    f.properties
        .get("also_rules")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|r| r.as_str()).collect())
        .unwrap_or_default()
}

/// The `key` property of a finding.
pub fn key(f: &Finding) -> &str {
    f.properties
        .get("key")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
}

/// Error-level notifications.
pub fn errors(out: &ScanOutput) -> Vec<String> {
    out.notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Error)
        .map(|n| n.message.clone())
        .collect()
}

/// Everything a user could see, serialized.
pub fn everything(out: &ScanOutput) -> String {
    format!(
        "{}\n{}\n{:?}",
        serde_json::to_string(&out.findings).expect("json"),
        serde_json::to_string(&out.notifications).expect("json"),
        out.rules
    )
}

/// One line per finding, for debugging.
pub fn dump(out: &ScanOutput) -> String {
    let mut s = String::new();
    for f in &out.findings {
        s.push_str(&format!(
            "{} {} {}:{} {}{}\n",
            f.rule_id,
            f.severity,
            f.location.path,
            f.location.start_line,
            f.message,
            if f.suppression.is_some() {
                " (suppressed)"
            } else {
                ""
            }
        ));
    }
    for n in &out.notifications {
        s.push_str(&format!("NOTE {:?} {}\n", n.level, n.message));
    }
    s
}
