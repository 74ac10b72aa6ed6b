//! Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

use std::io::{self, Write};

use super::Report;
use crate::finding::{Finding, ScannerKind, Severity};
use crate::gate::Verdict;

/// At most this many findings are listed per scanner; the rest are counted (a PR comment has a
/// 65 536-character limit).
pub const MAX_ROWS_PER_SCANNER: usize = 50;

/// Writes the Markdown summary.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let icon = match s.verdict {
        Verdict::Pass => "✅",
        Verdict::Block => "⛔",
        Verdict::Error => "⚠️",
    };
    writeln!(out, "## {icon} stagegate: {}", s.verdict.as_str())?;
    writeln!(out)?;
    writeln!(
        out,
        "{} blocking finding(s) at `--fail-on {}`; {} suppressed{}.",
        s.blocking,
        s.fail_on,
        s.suppressed,
        if s.errors > 0 {
            format!("; **{} error(s): results are incomplete**", s.errors)
        } else {
            String::new()
        }
    )?;
    writeln!(out)?;
    writeln!(out, "| Severity | Count |")?;
    writeln!(out, "|---|---:|")?;
    for sev in Severity::ALL.iter().rev() {
        writeln!(out, "| {} | {} |", sev.as_str(), s.count(*sev))?;
    }
    for kind in ScannerKind::ALL {
        if !report.result.runs.iter().any(|r| r.kind == kind) {
            continue;
        }
        let mine: Vec<&Finding> = report
            .result
            .findings
            .iter()
            .filter(|f| f.scanner() == Some(kind))
            .collect();
        writeln!(out)?;
        writeln!(out, "### {kind} ({})", mine.len())?;
        if mine.is_empty() {
            writeln!(out)?;
            writeln!(out, "No findings.")?;
            continue;
        }
        writeln!(out)?;
        writeln!(out, "| Severity | Rule | Location | Message |")?;
        writeln!(out, "|---|---|---|---|")?;
        for f in mine.iter().take(MAX_ROWS_PER_SCANNER) {
            let sev = if f.is_suppressed() {
                format!("~~{}~~ (suppressed)", f.severity)
            } else {
                f.severity.to_string()
            };
            writeln!(
                out,
                "| {} | `{}` | `{}:{}` | {} |",
                sev,
                f.rule_id,
                cell(&f.location.path),
                f.location.start_line,
                cell(&f.message)
            )?;
        }
        if mine.len() > MAX_ROWS_PER_SCANNER {
            writeln!(
                out,
                "\n…and {} more; see the SARIF or JSON report.",
                mine.len() - MAX_ROWS_PER_SCANNER
            )?;
        }
    }
    if !report.result.notifications.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Notifications")?;
        writeln!(out)?;
        for n in &report.result.notifications {
            writeln!(out, "- **{}**: {}", n.level.as_str(), cell(&n.message))?;
        }
    }
    Ok(())
}

/// Escapes text for a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ").replace('`', "'")
}
