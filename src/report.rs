//! Reports: SARIF 2.1.0, JSON, text and Markdown renderings of one [`Report`].
//!
//! Printers take any `io::Write` so tests can render into a `Vec<u8>`. Every renderer is
//! deterministic: the same [`Report`] gives byte-identical output.

use serde::Serialize;

use crate::gate::GateSummary;
use crate::scan::ScanResult;

/// Everything a printer needs.
#[derive(Debug, Clone)]
pub struct Report {
    /// Findings, rules, notifications and per-scanner stats.
    pub result: ScanResult,
    /// The gate's decision.
    pub summary: GateSummary,
    /// The scan root as the user gave it (for display only; paths in findings are relative).
    pub root_display: String,
}

/// Tool name and version, as printed in every format.
#[derive(Debug, Clone, Serialize)]
pub struct ToolInfo {
    /// `stagegate`.
    pub name: &'static str,
    /// Semantic version of this build.
    pub version: &'static str,
    /// Project home page.
    pub information_uri: &'static str,
}

/// This build's identity.
pub const TOOL: ToolInfo = ToolInfo {
    name: "stagegate",
    version: env!("CARGO_PKG_VERSION"),
    information_uri: env!("CARGO_PKG_HOMEPAGE"),
};
