//! A test-only scanner that returns what it is given, to exercise the frame without real input.

use std::path::Path;

use stagegate::config::FailOn;
use stagegate::finding::{Finding, Notification, RuleMeta, ScannerKind};
use stagegate::report::{sarif::SarifOptions, RenderOptions, Report};
use stagegate::scan::ScanResult;
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOutput, ScanStats, Scanner};

/// Emits fixed findings and notifications; `panic` makes it blow up instead.
pub struct Fake {
    pub kind: ScannerKind,
    pub findings: Vec<Finding>,
    pub notifications: Vec<Notification>,
    pub panic: bool,
}

impl Scanner for Fake {
    fn kind(&self) -> ScannerKind {
        self.kind
    }
    fn scan(&self, _ctx: &ScanContext<'_>) -> ScanOutput {
        if self.panic {
            panic!("boom");
        }
        let rules = self
            .findings
            .iter()
            .map(|f| {
                let mut r = RuleMeta::new(
                    f.rule_id.clone(),
                    format!("{} rule", f.rule_id),
                    "A test rule",
                    f.severity,
                );
                r.help_markdown = "Rotate **it**.".into();
                r.help_uri = Some("https://example.com/rule".into());
                r
            })
            .collect();
        ScanOutput {
            findings: self.findings.clone(),
            rules,
            notifications: self.notifications.clone(),
            stats: ScanStats {
                files: 2,
                bytes: 10,
                ..ScanStats::default()
            },
        }
    }
}

/// A fake scanner of `kind` returning `findings`.
pub fn fake(kind: ScannerKind, findings: Vec<Finding>) -> Fake {
    Fake {
        kind,
        findings,
        notifications: vec![],
        panic: false,
    }
}

/// A fake scanner that only reports `notifications`.
pub fn failing(kind: ScannerKind, notifications: Vec<Notification>) -> Fake {
    Fake {
        kind,
        findings: vec![],
        notifications,
        panic: false,
    }
}

/// Runs fakes through the real pipeline (`stagegate::pipeline::run_with`: scan, no baseline,
/// gate), with default config and options; the scan result before the gate.
pub fn run_fakes(fakes: Vec<Fake>) -> ScanResult {
    let plan = stagegate::Plan::new(Path::new("."), Config::default());
    let scanners: Vec<Box<dyn Scanner>> = fakes
        .into_iter()
        .map(|f| Box::new(f) as Box<dyn Scanner>)
        .collect();
    stagegate::pipeline::run_with(&plan, &scanners)
        .expect("no baseline, so no error")
        .report
        .result
}

/// The report the printers get, with the gate at `fail_on`.
pub fn report_of(result: ScanResult, fail_on: FailOn) -> Report {
    Report::new(result, fail_on, ".")
}

/// Printer options with a fixed `%SRCROOT%`, so outputs compare byte for byte.
pub fn opts() -> RenderOptions {
    RenderOptions {
        sarif: SarifOptions {
            src_root_uri: Some("file:///work/repo/".into()),
            automation_id: "stagegate/scan/".into(),
        },
        ..RenderOptions::default()
    }
}
