//! Human report for a terminal or a CI log: grouped by scanner, then file; severity in colour
//! on a terminal; a closing line with counts by severity, what was scanned and the verdict.

use std::io::{self, Write};

use super::Report;
use crate::finding::{Finding, NotificationLevel, ScannerKind, Severity};
use crate::gate::Verdict;
use crate::scanners::ScanStats;

/// Options of the text printer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Emit ANSI colours.
    pub color: bool,
    /// Include wall-clock timings per scanner (off in tests: timings are not deterministic).
    pub timings: bool,
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn severity(&self, s: Severity) -> String {
        let label = format!("{:<8}", s.as_str().to_ascii_uppercase());
        let code = match s {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Note => "2",
        };
        self.wrap(code, &label)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
}

/// Writes the text report.
pub fn write(report: &Report, opts: TextOptions, out: &mut dyn Write) -> io::Result<()> {
    let p = Paint { on: opts.color };
    let findings = &report.result.findings;
    for kind in ScannerKind::ALL {
        let ran = report.result.runs.iter().find(|r| r.kind == kind);
        let Some(run) = ran else { continue };
        let mine: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.scanner() == Some(kind))
            .collect();
        let timing = if opts.timings {
            format!(" in {} ms", run.millis)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{} {}",
            p.bold(&format!("== {kind}")),
            p.dim(&format!(
                "({}; {} finding(s){timing})",
                describe_stats(kind, &run.stats),
                mine.len()
            ))
        )?;
        let mut current_path: Option<&str> = None;
        for f in mine {
            if current_path != Some(f.location.path.as_str()) {
                current_path = Some(f.location.path.as_str());
                writeln!(out, "  {}", p.bold(&f.location.path))?;
            }
            let commit = f
                .location
                .commit
                .as_deref()
                .map(|c| format!(" @{}", &c[..c.len().min(12)]))
                .unwrap_or_default();
            let suppressed = f
                .suppression
                .as_ref()
                .map(|s| p.dim(&format!(" [suppressed: {}]", s.justification)))
                .unwrap_or_default();
            writeln!(
                out,
                "    {} {:>5}:{:<4} {} {}{}{}",
                p.severity(f.severity),
                f.location.start_line,
                f.location.start_column,
                p.dim(&f.rule_id),
                f.message,
                commit,
                suppressed
            )?;
            for r in &f.related {
                writeln!(
                    out,
                    "                     {} {}",
                    p.dim("see"),
                    p.dim(&r.display())
                )?;
            }
        }
    }
    for n in &report.result.notifications {
        let label = match n.level {
            NotificationLevel::Error => p.wrap("1;31", "error"),
            NotificationLevel::Warning => p.wrap("33", "warning"),
            NotificationLevel::Note => p.dim("note"),
        };
        let scanner = n.scanner.map(|s| format!("[{s}] ")).unwrap_or_default();
        writeln!(out, "{label}: {scanner}{}", n.message)?;
    }
    let s = &report.summary;
    let verdict = match s.verdict {
        Verdict::Pass => p.wrap("1;32", "PASS"),
        Verdict::Block => p.wrap("1;31", "BLOCK"),
        Verdict::Error => p.wrap("1;31", "ERROR"),
    };
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|sev| format!("{} {}", s.count(*sev), sev.as_str()))
        .collect();
    writeln!(
        out,
        "{}: {}; {} suppressed; {} blocking at --fail-on {}{}; scanned {}",
        verdict,
        counts.join(", "),
        s.suppressed,
        s.blocking,
        s.policy.describe(),
        if s.errors > 0 {
            format!("; {} error(s): results are incomplete", s.errors)
        } else {
            String::new()
        },
        describe_stats_all(report)
    )
}

fn describe_stats(kind: ScannerKind, st: &ScanStats) -> String {
    match kind {
        ScannerKind::Advisories => format!(
            "{} lockfile(s), {} package(s), {} advisories",
            st.lockfiles, st.packages, st.advisories
        ),
        ScannerKind::Secrets => {
            let mut s = format!("{} file(s), {}", st.files, human_bytes(st.bytes));
            if st.blobs > 0 || st.commits > 0 {
                s.push_str(&format!(", {} blob(s), {} commit(s)", st.blobs, st.commits));
            }
            s
        }
        ScannerKind::Drift => format!("{} pair(s), {} key(s)", st.pairs, st.keys),
    }
}

fn describe_stats_all(report: &Report) -> String {
    let parts: Vec<String> = report
        .result
        .runs
        .iter()
        .map(|r| format!("{}: {}", r.kind, describe_stats(r.kind, &r.stats)))
        .collect();
    if parts.is_empty() {
        "nothing".to_string()
    } else {
        parts.join("; ")
    }
}

/// `1.5 MiB`-style size.
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}
