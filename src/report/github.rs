//! GitHub Actions workflow commands: one `::error|warning|notice file=…,line=…::message`
//! annotation per unsuppressed finding, so findings show inline on the pull request diff
//! without a SARIF upload (which needs GitHub Advanced Security on private repositories).
//!
//! Escaping follows GitHub's runner (`toolkit/packages/core/src/command.ts`): in the message
//! `%`, `\r`, `\n`; in properties also `:` and `,`. Messages are already redacted by the scanners.

use std::io::{self, Write};

use super::Report;
use crate::finding::{Finding, NotificationLevel, Severity};

/// Workflow command of a severity: GitHub has only three annotation levels.
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::High | Severity::Critical => "error",
        Severity::Low | Severity::Medium => "warning",
        Severity::Note => "notice",
    }
}

/// Escapes the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`) of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Writes one annotation per unsuppressed finding, one per error/warning notification, and a
/// closing plain line with the verdict.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in report.result.findings.iter().filter(|f| !f.is_suppressed()) {
        annotation(f, out)?;
    }
    for n in &report.result.notifications {
        let cmd = match n.level {
            NotificationLevel::Error => "error",
            NotificationLevel::Warning => "warning",
            NotificationLevel::Note => "notice",
        };
        let mut props = vec![format!(
            "title={}",
            escape_property(&match n.scanner {
                Some(s) => format!("stagegate {s}"),
                None => "stagegate".to_string(),
            })
        )];
        if let Some(l) = &n.location {
            props.insert(0, format!("file={}", escape_property(&l.path)));
            props.insert(1, format!("line={}", l.start_line.max(1)));
        }
        writeln!(
            out,
            "::{cmd} {}::{}",
            props.join(","),
            escape_data(&n.message)
        )?;
    }
    let s = &report.summary;
    writeln!(
        out,
        "stagegate: {}: {} critical, {} high, {} medium, {} low, {} note; {} suppressed; {} blocking at --fail-on {}",
        s.verdict.as_str(),
        s.count(Severity::Critical),
        s.count(Severity::High),
        s.count(Severity::Medium),
        s.count(Severity::Low),
        s.count(Severity::Note),
        s.suppressed,
        s.blocking,
        s.fail_on
    )
}

fn annotation(f: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let l = &f.location;
    let mut props = vec![
        format!("file={}", escape_property(&l.path)),
        format!("line={}", l.start_line.max(1)),
    ];
    if l.end_line > l.start_line {
        props.push(format!("endLine={}", l.end_line));
    }
    props.push(format!("col={}", l.start_column.max(1)));
    // GitHub accepts endColumn only on single-line annotations; ours is exclusive, theirs inclusive.
    if l.end_line <= l.start_line && l.end_column > l.start_column + 1 {
        props.push(format!("endColumn={}", l.end_column - 1));
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("{} ({})", f.rule_id, f.severity))
    ));
    let mut message = f.message.clone();
    if let Some(c) = &l.commit {
        message.push_str(&format!(" (introduced in commit {c})"));
    }
    writeln!(
        out,
        "::{} {}::{}",
        command(f.severity),
        props.join(","),
        escape_data(&message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn levels_follow_severity() {
        assert_eq!(command(Severity::Critical), "error");
        assert_eq!(command(Severity::High), "error");
        assert_eq!(command(Severity::Medium), "warning");
        assert_eq!(command(Severity::Low), "warning");
        assert_eq!(command(Severity::Note), "notice");
    }
}
