//! Runs the selected scanners in parallel and merges what they return into one [`ScanResult`].

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use rayon::prelude::*;

use crate::finding::{Finding, Notification, RuleMeta, ScannerKind};
use crate::scanners::{ScanContext, ScanOutput, ScanStats, Scanner};

/// What one scanner did.
#[derive(Debug, Clone)]
pub struct ScannerRun {
    /// Which scanner.
    pub kind: ScannerKind,
    /// What it looked at.
    pub stats: ScanStats,
    /// Wall time in milliseconds (reported in text output only: never in SARIF/JSON, which must
    /// be byte-identical across runs).
    pub millis: u128,
}

/// The merged, sorted result of a scan, before the gate.
#[derive(Debug, Clone, Default)]
pub struct ScanResult {
    /// Sorted by (path, line, column, rule, fingerprint).
    pub findings: Vec<Finding>,
    /// One per rule id, sorted by id.
    pub rules: Vec<RuleMeta>,
    /// Sorted.
    pub notifications: Vec<Notification>,
    /// In [`ScannerKind::ALL`] order.
    pub runs: Vec<ScannerRun>,
}

impl ScanResult {
    /// The metadata of `rule_id`.
    pub fn rule(&self, rule_id: &str) -> Option<&RuleMeta> {
        self.rules
            .binary_search_by(|r| r.id.as_str().cmp(rule_id))
            .ok()
            .map(|i| &self.rules[i])
    }

    /// Counts summed over scanners.
    pub fn total_stats(&self) -> ScanStats {
        let mut s = ScanStats::default();
        for r in &self.runs {
            s.add(&r.stats);
        }
        s
    }
}

/// Runs `scanners` in parallel on `ctx` and merges their output deterministically.
///
/// A panicking scanner becomes an error notification; the others' findings are kept.
pub fn run(scanners: &[Box<dyn Scanner>], ctx: &ScanContext<'_>) -> ScanResult {
    let one = |s: &dyn Scanner| {
        let start = Instant::now();
        let errors = ctx.config.section_errors(s.kind());
        if !errors.is_empty() {
            return (s.kind(), section_errors(s.kind(), errors, ctx), 0);
        }
        let mut out = catch_unwind(AssertUnwindSafe(|| s.scan(ctx))).unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            ScanOutput {
                notifications: vec![Notification::error(
                    s.kind(),
                    format!(
                        "internal error in the {} scanner: {what}; please report it",
                        s.kind()
                    ),
                )],
                ..ScanOutput::default()
            }
        });
        // Only what the user pointed at (a file, several paths).
        let targets = &ctx.options.targets;
        out.findings
            .retain(|f| crate::targets::contains(targets, &f.location.path));
        (s.kind(), out, start.elapsed().as_millis())
    };
    // One scanner (a pre-commit `secrets --staged`) runs on this thread: starting the thread
    // pool for it would only put idle workers beside the git process it starts.
    let outputs: Vec<(ScannerKind, ScanOutput, u128)> = if scanners.len() == 1 {
        scanners.iter().map(|s| one(s.as_ref())).collect()
    } else {
        scanners.par_iter().map(|s| one(s.as_ref())).collect()
    };
    let mut result = merge(outputs);
    // A mistake in the section of a scanner that was not selected is still a mistake in the
    // file: report it (exit 2) rather than let it wait for the day that scanner runs.
    let skipped = ScannerKind::ALL
        .into_iter()
        .filter(|k| !scanners.iter().any(|s| s.kind() == *k));
    for kind in skipped {
        let errors = ctx.config.section_errors(kind);
        if !errors.is_empty() {
            let out = section_errors(kind, errors, ctx);
            result.notifications.extend(out.notifications);
        }
    }
    result.notifications.sort();
    result.notifications.dedup();
    result
}

/// An invalid configuration section: its scanner does not run; each mistake is an error
/// notification at its place in the file (the run exits 2; the other scanners still run).
fn section_errors(
    kind: ScannerKind,
    errors: &[crate::error::ConfigError],
    ctx: &ScanContext<'_>,
) -> ScanOutput {
    let notifications = errors
        .iter()
        .map(|e| {
            let path = crate::paths::relative(ctx.root, &e.path);
            let col = e.column.unwrap_or(1);
            // Named like every other location of the report: relative to the scan root.
            let e = crate::error::ConfigError {
                path: path.clone().into(),
                ..e.clone()
            };
            // A mistake may quote the value (a pasted token): scrub like every notification.
            let message = format!("{e} (the {kind} scanner did not run: fix its section)");
            Notification::error(kind, scrub(&message).into_owned())
                .at(crate::finding::Location::span(path, e.line, col, col + 1))
        })
        .collect();
    ScanOutput {
        notifications,
        ..ScanOutput::default()
    }
}

/// Redacts every credential the built-in secret rules recognise in `text` (errors and
/// notifications may quote input). `redact` stays a leaf: the rules are injected here.
pub fn scrub(text: &str) -> std::borrow::Cow<'_, str> {
    crate::redact::scrub(text, crate::scanners::secrets::builtin_rules())
}

fn merge(mut outputs: Vec<(ScannerKind, ScanOutput, u128)>) -> ScanResult {
    outputs.sort_by_key(|(k, _, _)| *k);
    let mut result = ScanResult::default();
    for (kind, out, millis) in outputs {
        result.findings.extend(out.findings);
        result.rules.extend(out.rules);
        // Messages may quote input (a parser's snippet of a bad line): scrub credentials.
        result
            .notifications
            .extend(out.notifications.into_iter().map(|mut n| {
                if let std::borrow::Cow::Owned(m) = scrub(&n.message) {
                    n.message = m;
                }
                n
            }));
        result.runs.push(ScannerRun {
            kind,
            stats: out.stats,
            millis,
        });
    }
    result
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    result.findings.dedup_by(|a, b| {
        a.fingerprint == b.fingerprint && a.location == b.location && a.rule_id == b.rule_id
    });
    result.rules.sort_by(|a, b| a.id.cmp(&b.id));
    result.rules.dedup_by(|a, b| a.id == b.id);
    // Keep only rules that have a result: SARIF's `rules` lists what the results reference.
    let used: std::collections::BTreeSet<&str> =
        result.findings.iter().map(|f| f.rule_id.as_str()).collect();
    result.rules.retain(|r| used.contains(r.id.as_str()));
    // A finding whose scanner forgot its rule metadata still gets a (plain) rule entry, so
    // every SARIF result has a valid `ruleIndex`.
    let mut missing: Vec<RuleMeta> = Vec::new();
    for f in &result.findings {
        let known = result
            .rules
            .binary_search_by(|r| r.id.as_str().cmp(&f.rule_id))
            .is_ok()
            || missing.iter().any(|m| m.id == f.rule_id);
        if !known {
            missing.push(RuleMeta::new(
                f.rule_id.clone(),
                f.rule_id.clone(),
                f.rule_id.clone(),
                f.severity,
            ));
        }
    }
    if !missing.is_empty() {
        result.rules.extend(missing);
        result.rules.sort_by(|a, b| a.id.cmp(&b.id));
    }
    result.notifications.sort();
    result.notifications.dedup();
    result
}
