//! Turns findings into a verdict and an exit code.
//!
//! Exit codes: 0 = nothing unsuppressed at or above `fail_on`; 1 = the gate blocks;
//! 2 = usage, configuration or input error. An input error wins over a block: the pipeline must
//! know the scan was incomplete, and every finding is still reported.

use serde::Serialize;

use crate::config::FailOn;
use crate::finding::{Finding, NotificationLevel, ScannerKind, Severity};
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

/// What blocks: one threshold, per-scanner overrides (`[advisories] fail_on`, `[secrets]
/// fail_on`, `[drift] fail_on`), and cargo-audit's and cargo-deny's default that a
/// vulnerability advisory blocks whatever its CVSS score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GatePolicy {
    /// `--fail-on`, else top-level `fail_on`, else `high`.
    pub default: FailOn,
    /// Overrides by scanner, in [`ScannerKind::ALL`] order.
    pub per_scanner: [Option<FailOn>; 3],
    /// Unsuppressed advisories of kind `vulnerability` block at any severity (unless the
    /// advisories threshold, or the default one when it is `none`, says `none`). On when
    /// `[advisories] fail_on` is not set.
    pub vulnerabilities_block: bool,
}

impl GatePolicy {
    /// One threshold for everything, nothing else (what [`evaluate`] applies).
    pub fn uniform(fail_on: FailOn) -> GatePolicy {
        GatePolicy {
            default: fail_on,
            per_scanner: [None; 3],
            vulnerabilities_block: false,
        }
    }

    /// The policy of a configuration: `default` is `--fail-on`, else the top-level `fail_on`,
    /// else `high`; `per_scanner` are the `[advisories]`, `[secrets]` and `[drift]` `fail_on`
    /// (more specific, so they win over `--fail-on`).
    pub fn new(default: FailOn, per_scanner: [Option<FailOn>; 3]) -> GatePolicy {
        GatePolicy {
            default,
            per_scanner,
            vulnerabilities_block: per_scanner[0].is_none(),
        }
    }

    /// The threshold for findings of `kind`.
    pub fn threshold(&self, kind: Option<ScannerKind>) -> FailOn {
        let slot = kind.and_then(|k| ScannerKind::ALL.iter().position(|x| *x == k));
        slot.and_then(|i| self.per_scanner[i])
            .unwrap_or(self.default)
    }

    /// Whether an unsuppressed `f` counts against the gate.
    pub fn blocks(&self, f: &Finding) -> bool {
        if f.is_suppressed() {
            return false;
        }
        let threshold = self.threshold(f.scanner());
        if self.vulnerabilities_block
            && threshold != FailOn::None
            && f.scanner() == Some(ScannerKind::Advisories)
            && f.properties.get("kind").and_then(|k| k.as_str()) == Some("vulnerability")
        {
            return true;
        }
        threshold.blocks(f.severity)
    }

    /// `high`, or `high; advisories: medium; vulnerabilities: any` — what reports print.
    pub fn describe(&self) -> String {
        let mut parts = vec![self.default.to_string()];
        for (k, t) in ScannerKind::ALL.iter().zip(self.per_scanner) {
            if let Some(t) = t {
                parts.push(format!("{k}: {t}"));
            }
        }
        if self.vulnerabilities_block
            && self.threshold(Some(ScannerKind::Advisories)) != FailOn::None
        {
            parts.push("vulnerabilities: any".to_string());
        }
        parts.join("; ")
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
    /// The policy applied (`fail_on` is its default threshold).
    #[serde(skip)]
    pub policy: GatePolicy,
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
    evaluate_policy(result, &GatePolicy::uniform(fail_on))
}

/// Applies `policy` to a scan result.
pub fn evaluate_policy(result: &ScanResult, policy: &GatePolicy) -> GateSummary {
    let mut counts = [0usize; 5];
    let mut suppressed = 0;
    let mut blocking = 0;
    for f in &result.findings {
        if f.is_suppressed() {
            suppressed += 1;
            continue;
        }
        counts[f.severity as usize] += 1;
        if policy.blocks(f) {
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
        // The JSON report's `fail_on` is a severity name (its schema is an enum): the default
        // threshold. `policy.describe()` has the per-scanner details.
        fail_on: policy.default.to_string(),
        policy: *policy,
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

    fn vuln(sev: Severity, kind: &str) -> Finding {
        Finding::new(
            "advisory/RUSTSEC-2099-0001",
            sev,
            "m",
            Location::line("Cargo.lock", 1),
            &format!("{sev}{kind}"),
        )
        .with_property("kind", kind)
    }

    #[test]
    fn vulnerabilities_block_at_any_severity_by_default() {
        let p = GatePolicy::new(FailOn::AtLeast(Severity::High), [None; 3]);
        assert!(p.blocks(&vuln(Severity::Low, "vulnerability")));
        assert!(!p.blocks(&vuln(Severity::Low, "unmaintained")));
        assert!(p.blocks(&vuln(Severity::High, "unsound")));
        assert!(!p.blocks(&f(Severity::Medium)));
        // `--fail-on none` means report only.
        let none = GatePolicy::new(FailOn::None, [None; 3]);
        assert!(!none.blocks(&vuln(Severity::Critical, "vulnerability")));
        assert_eq!(p.describe(), "high; vulnerabilities: any");
    }

    #[test]
    fn per_scanner_thresholds_override_the_default() {
        let p = GatePolicy::new(
            FailOn::AtLeast(Severity::Critical),
            [
                Some(FailOn::AtLeast(Severity::Medium)),
                Some(FailOn::AtLeast(Severity::Low)),
                Some(FailOn::None),
            ],
        );
        assert!(
            !p.vulnerabilities_block,
            "an explicit advisories threshold governs"
        );
        assert!(!p.blocks(&vuln(Severity::Low, "vulnerability")));
        assert!(p.blocks(&vuln(Severity::Medium, "unmaintained")));
        assert!(p.blocks(&f(Severity::Low)), "secrets: low");
        let drift = Finding::new(
            "drift/value",
            Severity::Critical,
            "m",
            Location::line("a", 1),
            "x",
        );
        assert!(!p.blocks(&drift), "drift: none");
        let r = ScanResult {
            findings: vec![drift, f(Severity::Low)],
            ..ScanResult::default()
        };
        let g = evaluate_policy(&r, &p);
        assert_eq!(g.blocking, 1);
        // The JSON report's `fail_on` stays a severity name; the policy describes the rest.
        assert_eq!(g.fail_on, "critical");
        assert_eq!(
            p.describe(),
            "critical; advisories: medium; secrets: low; drift: none"
        );
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
