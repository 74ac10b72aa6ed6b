//! Versioned JSON report (`docs/json-report.md`, schema `docs/schemas/report-v1.schema.json`).
//!
//! The top-level `version` changes only when a field is removed or changes meaning; new fields
//! may appear in the same version. No timing or absolute path is included, so the same input gives
//! byte-identical output.

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, ToolInfo, TOOL};
use crate::finding::{Finding, Notification, RuleMeta, Severity};
use crate::scanners::ScanStats;

/// Version of the JSON report format.
pub const JSON_REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    format: &'static str,
    version: u32,
    tool: &'a ToolInfo,
    summary: Summary<'a>,
    scanners: Vec<ScannerEntry<'a>>,
    findings: &'a [Finding],
    notifications: &'a [Notification],
    rules: &'a [RuleMeta],
}

#[derive(Serialize)]
struct Summary<'a> {
    verdict: &'static str,
    exit_code: i32,
    fail_on: &'a str,
    counts: Counts,
    suppressed: usize,
    blocking: usize,
    errors: usize,
}

#[derive(Serialize)]
struct Counts {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    note: usize,
}

#[derive(Serialize)]
struct ScannerEntry<'a> {
    name: &'static str,
    stats: &'a ScanStats,
}

/// Writes `report` as JSON (pretty-printed, trailing newline).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let doc = JsonReport {
        format: "stagegate-report",
        version: JSON_REPORT_VERSION,
        tool: &TOOL,
        summary: Summary {
            verdict: match s.verdict {
                crate::gate::Verdict::Pass => "pass",
                crate::gate::Verdict::Block => "block",
                crate::gate::Verdict::Error => "error",
            },
            exit_code: s.verdict.exit_code(),
            fail_on: &s.fail_on,
            counts: Counts {
                critical: s.count(Severity::Critical),
                high: s.count(Severity::High),
                medium: s.count(Severity::Medium),
                low: s.count(Severity::Low),
                note: s.count(Severity::Note),
            },
            suppressed: s.suppressed,
            blocking: s.blocking,
            errors: s.errors,
        },
        scanners: report
            .result
            .runs
            .iter()
            .map(|r| ScannerEntry {
                name: r.kind.as_str(),
                stats: &r.stats,
            })
            .collect(),
        findings: &report.result.findings,
        notifications: &report.result.notifications,
        rules: &report.result.rules,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}
