//! GitHub Actions workflow commands: one `::error|warning|notice file=…,line=…::message`
//! annotation per unsuppressed finding, so findings show inline on the pull request diff
//! without a SARIF upload (which needs GitHub Advanced Security on private repositories).
//!
//! GitHub shows at most 10 annotations of each level (error, warning, notice) per step, so the
//! most severe go first: error notifications (the scan is incomplete), then findings by
//! severity (critical before high, …), each level capped at [`MAX_PER_LEVEL`]; when anything is
//! left out a closing notice says "N more findings: see the SARIF upload" (it takes one of the
//! ten notice slots).
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

/// Annotations GitHub displays per level and step.
pub const MAX_PER_LEVEL: usize = 10;

/// One annotation to write, with what orders it.
enum Item<'a> {
    Finding(&'a Finding),
    Notification(&'a crate::finding::Notification),
}

impl Item<'_> {
    fn command(&self) -> &'static str {
        match self {
            Item::Finding(f) => command(f.severity),
            Item::Notification(n) => match n.level {
                NotificationLevel::Error => "error",
                NotificationLevel::Warning => "warning",
                NotificationLevel::Note => "notice",
            },
        }
    }

    /// Lower first: notifications of a level before its findings (an error notification
    /// means missing results), then severity, most severe first.
    fn rank(&self) -> (u8, std::cmp::Reverse<Severity>) {
        match self {
            Item::Notification(_) => (0, std::cmp::Reverse(Severity::Critical)),
            Item::Finding(f) => (1, std::cmp::Reverse(f.severity)),
        }
    }
}

/// Writes the annotations (most severe first, at most [`MAX_PER_LEVEL`] per level), a closing
/// notice for what did not fit, and a closing plain line with the verdict.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut items: Vec<Item> = report
        .result
        .notifications
        .iter()
        .map(Item::Notification)
        .chain(
            report
                .result
                .findings
                .iter()
                .filter(|f| !f.is_suppressed())
                .map(Item::Finding),
        )
        .collect();
    // Stable: findings keep the report's path order within one severity.
    items.sort_by_key(|i| i.rank());
    let fits = |level: &str| items.iter().filter(|i| i.command() == level).count();
    let overflow = ["error", "warning", "notice"]
        .iter()
        .any(|l| fits(l) > MAX_PER_LEVEL);
    let mut shown = [0usize; 3];
    for item in &items {
        let slot = match item.command() {
            "error" => 0,
            "warning" => 1,
            _ => 2,
        };
        // The closing notice needs one notice slot.
        let cap = if slot == 2 && overflow {
            MAX_PER_LEVEL - 1
        } else {
            MAX_PER_LEVEL
        };
        if shown[slot] >= cap {
            continue;
        }
        shown[slot] += 1;
        match item {
            Item::Finding(f) => annotation(f, out)?,
            Item::Notification(n) => notification(n, out)?,
        }
    }
    let hidden = items.len() - shown.iter().sum::<usize>();
    if overflow {
        writeln!(
            out,
            "::notice title=stagegate::{}",
            escape_data(&format!(
                "{hidden} more findings: see the SARIF upload (GitHub shows {MAX_PER_LEVEL} \
                 annotations per level)"
            ))
        )?;
    }
    summary_line(report, out)
}

fn notification(n: &crate::finding::Notification, out: &mut dyn Write) -> io::Result<()> {
    let cmd = Item::Notification(n).command();
    {
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
    Ok(())
}

fn summary_line(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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
        s.policy.describe()
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

    fn report(sevs: &[(Severity, usize)]) -> Report {
        use crate::finding::Location;
        let mut findings = Vec::new();
        for (sev, n) in sevs {
            for i in 0..*n {
                // Paths sort the low severities first, as path order would show them.
                let path = format!("{}/{i:03}.env", 9 - *sev as u8);
                findings.push(Finding::new(
                    "secret/x",
                    *sev,
                    "m",
                    Location::line(path, 1),
                    &format!("{sev}{i}"),
                ));
            }
        }
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let result = crate::scan::ScanResult {
            findings,
            ..Default::default()
        };
        Report::new(result, crate::config::FailOn::default(), ".")
    }

    fn render(r: &Report) -> Vec<String> {
        let mut buf = Vec::new();
        write(r, &mut buf).unwrap();
        String::from_utf8(buf)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn most_severe_first_and_capped_per_level() {
        let r = report(&[
            (Severity::Note, 15),
            (Severity::Low, 12),
            (Severity::High, 11),
            (Severity::Critical, 4),
            (Severity::Medium, 3),
        ]);
        let lines = render(&r);
        let level = |l: &str| {
            lines
                .iter()
                .filter(|x| x.starts_with(&format!("::{l} ")))
                .count()
        };
        assert_eq!(level("error"), 10);
        assert_eq!(level("warning"), 10);
        assert_eq!(level("notice"), 10, "9 findings + the closing notice");
        // The four criticals are all among the errors, before any high.
        let errors: Vec<&String> = lines.iter().filter(|l| l.starts_with("::error ")).collect();
        assert!(
            errors[..4].iter().all(|l| l.contains("(critical)")),
            "{errors:?}"
        );
        // Medium before low among the warnings.
        let warnings: Vec<&String> = lines
            .iter()
            .filter(|l| l.starts_with("::warning "))
            .collect();
        assert!(
            warnings[..3].iter().all(|l| l.contains("(medium)")),
            "{warnings:?}"
        );
        // 45 findings, 29 shown.
        let closing = lines.iter().find(|l| l.contains("more findings")).unwrap();
        assert!(closing.starts_with("::notice "), "{closing}");
        assert!(
            closing.contains("16 more findings: see the SARIF upload"),
            "{closing}"
        );
        assert!(lines.last().unwrap().starts_with("stagegate: BLOCK"));
    }

    #[test]
    fn no_closing_notice_when_everything_fits() {
        let lines = render(&report(&[(Severity::Critical, 10), (Severity::Note, 10)]));
        assert!(!lines.iter().any(|l| l.contains("more findings")));
        assert_eq!(lines.iter().filter(|l| l.starts_with("::")).count(), 20);
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
