//! JUnit XML for CI systems that show test reports (Jenkins `junit`, Azure DevOps
//! `PublishTestResults`, GitLab `artifacts:reports:junit`).
//!
//! One `<testsuite>` per scanner that ran; in it one `<testcase>` per rule × file, named after
//! the file with the rule as `classname`. A test case fails when it holds a finding that blocks
//! at `--fail-on`; it is skipped when every finding in it is suppressed (baseline, ignore);
//! otherwise it passes with the findings in `<system-out>`. Each suite also has a `scan` test case
//! that errors when the scanner met an input error, so a clean run still shows green tests
//! (Jenkins fails a build whose report has no test case at all). Times are 0: the report must be
//! byte-identical across runs.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::Report;
use crate::finding::{Finding, NotificationLevel, ScannerKind};

/// Escapes text for XML 1.0 content and attribute values; characters XML 1.0 cannot carry
/// (most C0 controls) become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

struct Case<'a> {
    rule: &'a str,
    path: &'a str,
    findings: Vec<&'a Finding>,
}

/// Writes the JUnit report.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let policy = report.summary.policy;
    let mut suites = String::new();
    let (mut total, mut failures, mut errors, mut skipped) = (0usize, 0usize, 0usize, 0usize);
    for run in &report.result.runs {
        let kind = run.kind;
        let mut cases: BTreeMap<(&str, &str), Case<'_>> = BTreeMap::new();
        for f in report
            .result
            .findings
            .iter()
            .filter(|f| f.scanner() == Some(kind))
        {
            cases
                .entry((f.rule_id.as_str(), f.location.path.as_str()))
                .or_insert_with(|| Case {
                    rule: &f.rule_id,
                    path: &f.location.path,
                    findings: Vec::new(),
                })
                .findings
                .push(f);
        }
        let scan_errors: Vec<&str> = report
            .result
            .notifications
            .iter()
            .filter(|n| n.level == NotificationLevel::Error && n.scanner == Some(kind))
            .map(|n| n.message.as_str())
            .collect();
        let mut body = String::new();
        let (mut s_fail, mut s_skip) = (0usize, 0usize);
        for case in cases.values() {
            let (fail, skip) = write_case(case, &policy, &mut body);
            s_fail += usize::from(fail);
            s_skip += usize::from(skip);
        }
        let s_err = usize::from(!scan_errors.is_empty());
        write_scan_case(kind, &scan_errors, &mut body);
        let tests = cases.len() + 1;
        let _ = writeln!(
            suites,
            "  <testsuite name=\"stagegate.{kind}\" tests=\"{tests}\" failures=\"{s_fail}\" errors=\"{s_err}\" skipped=\"{s_skip}\" time=\"0\">"
        );
        suites.push_str(&body);
        suites.push_str("  </testsuite>\n");
        total += tests;
        failures += s_fail;
        errors += s_err;
        skipped += s_skip;
    }
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"stagegate\" tests=\"{total}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"0\">"
    )?;
    out.write_all(suites.as_bytes())?;
    writeln!(out, "</testsuites>")
}

/// Writes one rule × file case; returns (failed, skipped).
fn write_case(case: &Case<'_>, policy: &crate::gate::GatePolicy, out: &mut String) -> (bool, bool) {
    let blocking: Vec<&&Finding> = case.findings.iter().filter(|f| policy.blocks(f)).collect();
    let all_suppressed = case.findings.iter().all(|f| f.is_suppressed());
    let _ = writeln!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" time=\"0\">",
        escape(case.path),
        escape(case.rule),
        escape(case.path)
    );
    let details: String = case
        .findings
        .iter()
        .map(|f| {
            let state = match &f.suppression {
                Some(s) => format!(" [suppressed: {}]", s.justification),
                None => String::new(),
            };
            format!(
                "{} {} {}{}\n",
                f.location.display(),
                f.severity.as_str().to_ascii_uppercase(),
                f.message,
                state
            )
        })
        .collect();
    if let Some(first) = blocking.first() {
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            escape(&format!(
                "{} blocking finding(s) of {}: {}",
                blocking.len(),
                case.rule,
                first.message
            )),
            escape(first.severity.as_str()),
            escape(&details)
        );
    } else if all_suppressed {
        let _ = writeln!(
            out,
            "      <skipped message=\"{}\"/>",
            escape(&format!(
                "{} finding(s) of {} accepted (suppressed)",
                case.findings.len(),
                case.rule
            ))
        );
    } else {
        let _ = writeln!(out, "      <system-out>{}</system-out>", escape(&details));
    }
    out.push_str("    </testcase>\n");
    (!blocking.is_empty(), blocking.is_empty() && all_suppressed)
}

fn write_scan_case(kind: ScannerKind, errors: &[&str], out: &mut String) {
    let _ = writeln!(
        out,
        "    <testcase name=\"scan\" classname=\"stagegate.{kind}\" time=\"0\">"
    );
    if let Some(first) = errors.first() {
        let _ = writeln!(
            out,
            "      <error message=\"{}\" type=\"input-error\">{}</error>",
            escape(first),
            escape(&errors.join("\n"))
        );
    }
    out.push_str("    </testcase>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_illegal_characters() {
        assert_eq!(
            escape("a<b>&\"c'\u{1}\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}\n"
        );
    }
}
