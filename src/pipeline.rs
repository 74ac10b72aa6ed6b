//! The whole pipeline as one library call: scan → baseline → gate ([`run`]).
//!
//! `main`, the integration tests, the benches and the fuzz harness all go through here, so the
//! order of the steps (and what an invalid configuration section or a failing scanner does to
//! the verdict) is written once.

use std::path::PathBuf;

use crate::baseline;
use crate::config::FailOn;
use crate::dates::IsoDate;
use crate::error::Error;
use crate::finding::ScannerKind;
use crate::report::Report;
use crate::scanners::{self, ScanContext, ScanOptions, Scanner, ValidConfig};

/// What to run: root, validated configuration, scanners, options, gate threshold, baseline.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Scan root.
    pub root: PathBuf,
    /// The validated configuration.
    pub config: ValidConfig,
    /// Scanner options (command-line flags).
    pub options: ScanOptions,
    /// Scanners to run, in any order.
    pub scanners: Vec<ScannerKind>,
    /// The scanners were asked for by name: nothing to scan is then an error.
    pub explicit: bool,
    /// Lowest severity that blocks.
    pub fail_on: FailOn,
    /// The date expiries are measured against (default: [`IsoDate::today`]).
    pub today: IsoDate,
    /// Baseline to apply or rewrite, if any.
    pub baseline: Option<BaselinePlan>,
}

/// The baseline step of a [`Plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselinePlan {
    /// The file, already resolved against the scan root.
    pub path: PathBuf,
    /// Rewrite it from the current findings first (`--update-baseline`).
    pub update: bool,
    /// `stagegate baseline`: replace an unreadable or malformed old file.
    pub regenerate: bool,
}

impl Plan {
    /// Every scanner over `root` with `config`: `fail_on` from the configuration (default
    /// `high`), today from the clock (or `STAGEGATE_TODAY`), no baseline.
    pub fn new(root: impl Into<PathBuf>, config: ValidConfig) -> Plan {
        Plan {
            root: root.into(),
            fail_on: config.fail_on.unwrap_or_default(),
            config,
            options: ScanOptions::default(),
            scanners: ScannerKind::ALL.to_vec(),
            explicit: false,
            today: IsoDate::today(),
            baseline: None,
        }
    }

    /// The context every scanner of this plan gets.
    pub fn context(&self) -> ScanContext<'_> {
        ScanContext::new(&self.root, &self.config, &self.options)
            .explicit(self.explicit)
            .today(self.today)
    }
}

/// What [`run`] produced.
#[derive(Debug, Clone)]
pub struct Run {
    /// Findings, notifications and the verdict.
    pub report: Report,
    /// What the baseline step did, when the plan has one.
    pub baseline: Option<baseline::Outcome>,
}

/// Scans, applies the baseline and evaluates the gate.
///
/// Scanner problems (including an invalid configuration section) are error notifications in
/// the report, never an `Err`: the other scanners' findings are still reported. `Err` is only
/// for a baseline file that cannot be read, parsed or written.
pub fn run(plan: &Plan) -> Result<Run, Error> {
    let scanners: Vec<_> = plan
        .scanners
        .iter()
        .map(|k| scanners::builtin(*k))
        .collect();
    run_with(plan, &scanners)
}

/// [`run`] with other scanners than the built-in ones of `plan.scanners` (test doubles, the
/// fuzz harness); everything after the scanners is the same.
pub fn run_with(plan: &Plan, scanners: &[Box<dyn Scanner>]) -> Result<Run, Error> {
    let ctx = plan.context();
    let mut result = crate::scan::run(scanners, &ctx);
    let baseline = match &plan.baseline {
        Some(b) => Some(baseline::run(
            &mut result,
            &baseline::Options {
                path: &b.path,
                root: &plan.root,
                ran: &plan.scanners,
                update: b.update,
                regenerate: b.regenerate,
            },
        )?),
        None => None,
    };
    let report = Report::new(result, plan.fail_on, plan.root.display().to_string());
    Ok(Run { report, baseline })
}
