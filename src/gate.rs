//! Turns findings into a verdict and an exit code.
//!
//! Exit codes: 0 = nothing unsuppressed at or above `fail_on`; 1 = the gate blocks;
//! 2 = usage, configuration or input error. An input error wins over a block: the pipeline must
//! know the scan was incomplete, and every finding is still reported.

use serde::Serialize;

use crate::config::FailOn;
use crate::finding::{Finding, NotificationLevel, Severity};
use crate::scan::ScanResult;

/// The gate's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing blocks.
    Pass,
    /// At least one finding at or above the threshold.
    Block,
    /// The scan met an input or configuration error: results are incomplete.
    Error,
}

impl Verdict {
    /// Process exit code of the contract.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Pass => 0,
            Verdict::Block => 1,
            Verdict::Error => 2,
        }
    }

    /// Upper-case word for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Block => "BLOCK",
            Verdict::Error => "ERROR",
        }
    }
}

/// The summary the reports print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateSummary {
    /// Threshold applied.
    pub fail_on: String,
    /// Unsuppressed findings by severity, `[note, low, medium, high, critical]`.
    pub counts: [usize; 5],
    /// Suppressed findings (ignores, inline allows, baseline).
    pub suppressed: usize,
    /// Unsuppressed findings at or above the threshold.
    pub blocking: usize,
    /// Error-level notifications.
    pub errors: usize,
    /// The decision.
    pub verdict: Verdict,
}

impl GateSummary {
    /// Count of unsuppressed findings of `s`.
    pub fn count(&self, s: Severity) -> usize {
        self.counts[s as usize]
    }
}

/// Whether `f` counts against the gate.
pub fn blocks(f: &Finding, fail_on: FailOn) -> bool {
    !f.is_suppressed() && fail_on.blocks(f.severity)
}

/// Applies the threshold to a scan result.
pub fn evaluate(result: &ScanResult, fail_on: FailOn) -> GateSummary {
    let mut counts = [0usize; 5];
    let mut suppressed = 0;
    let mut blocking = 0;
    for f in &result.findings {
        if f.is_suppressed() {
            suppressed += 1;
            continue;
        }
        counts[f.severity as usize] += 1;
        if fail_on.blocks(f.severity) {
            blocking += 1;
        }
    }
    let errors = result
        .notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Error)
        .count();
    let verdict = if errors > 0 {
        Verdict::Error
    } else if blocking > 0 {
        Verdict::Block
    } else {
        Verdict::Pass
    };
    GateSummary {
        fail_on: fail_on.to_string(),
        counts,
        suppressed,
        blocking,
        errors,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Location, Notification, ScannerKind, Suppression, SuppressionKind};

    fn f(sev: Severity) -> Finding {
        Finding::new(
            "secret/x",
            sev,
            "m",
            Location::line("a", 1),
            &format!("{sev}"),
        )
    }

    #[test]
    fn threshold_blocks_at_or_above() {
        let r = ScanResult {
            findings: vec![f(Severity::Medium), f(Severity::High)],
            ..ScanResult::default()
        };
        assert_eq!(
            evaluate(&r, FailOn::AtLeast(Severity::High)).verdict,
            Verdict::Block
        );
        assert_eq!(
            evaluate(&r, FailOn::AtLeast(Severity::Critical)).verdict,
            Verdict::Pass
        );
        assert_eq!(evaluate(&r, FailOn::None).verdict, Verdict::Pass);
        assert_eq!(evaluate(&r, FailOn::AtLeast(Severity::High)).blocking, 1);
    }

    #[test]
    fn suppressed_findings_do_not_block() {
        let mut x = f(Severity::Critical);
        x.suppression = Some(Suppression {
            kind: SuppressionKind::External,
            justification: "accepted".into(),
        });
        let r = ScanResult {
            findings: vec![x],
            ..ScanResult::default()
        };
        let g = evaluate(&r, FailOn::AtLeast(Severity::Note));
        assert_eq!(g.verdict, Verdict::Pass);
        assert_eq!(g.suppressed, 1);
    }

    #[test]
    fn errors_win_over_block() {
        let r = ScanResult {
            findings: vec![f(Severity::Critical)],
            notifications: vec![Notification::error(ScannerKind::Drift, "bad file")],
            ..ScanResult::default()
        };
        let g = evaluate(&r, FailOn::AtLeast(Severity::High));
        assert_eq!(g.verdict, Verdict::Error);
        assert_eq!(g.verdict.exit_code(), 2);
        assert_eq!(g.blocking, 1);
    }
}
