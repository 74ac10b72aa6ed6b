//! Reports: SARIF 2.1.0, JSON, text and Markdown renderings of one [`Report`].
//!
//! Printers take any `io::Write` so tests can render into a `Vec<u8>`. Every renderer is
//! deterministic: the same [`Report`] gives byte-identical output.

use serde::Serialize;

use crate::config::FailOn;
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

impl Report {
    /// A report of `result` with the gate applied at `fail_on`: the one way a scan result
    /// becomes something to print, so the verdict every printer shows is the gate's.
    pub fn new(result: ScanResult, fail_on: FailOn, root_display: impl Into<String>) -> Report {
        let summary = crate::gate::evaluate(&result, fail_on);
        Report {
            result,
            summary,
            root_display: root_display.into(),
        }
    }
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

pub mod github;
pub mod gitlab_sast;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

/// Output formats of `--format`. The binary maps them to its flag (the library does not
/// depend on clap): [`Format::ALL`], [`Format::as_str`] and [`Format::help`] say what it offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human report (default).
    Text,
    /// Versioned JSON (`docs/json-report.md`).
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
    /// Markdown summary for a pull request or `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// GitHub Actions workflow-command annotations (`::error file=…::…`).
    Github,
    /// JUnit XML test report (Jenkins, Azure DevOps, GitLab test reports).
    Junit,
    /// GitLab security report, schema v15 (`sast` / `secret_detection`).
    GitlabSast,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 7] = [
        Format::Text,
        Format::Json,
        Format::Sarif,
        Format::Markdown,
        Format::Github,
        Format::Junit,
        Format::GitlabSast,
    ];

    /// The `--format` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Markdown => "markdown",
            Format::Github => "github",
            Format::Junit => "junit",
            Format::GitlabSast => "gitlab-sast",
        }
    }

    /// One line for `--help`.
    pub fn help(self) -> &'static str {
        match self {
            Format::Text => "Human report (default)",
            Format::Json => "Versioned JSON (`docs/json-report.md`)",
            Format::Sarif => "SARIF 2.1.0 for code-scanning dashboards",
            Format::Markdown => "Markdown summary for a pull request or `$GITHUB_STEP_SUMMARY`",
            Format::Github => "GitHub Actions workflow-command annotations (`::error file=…::…`)",
            Format::Junit => "JUnit XML test report (Jenkins, Azure DevOps, GitLab test reports)",
            Format::GitlabSast => {
                "GitLab security report, schema v15 (`sast` / `secret_detection`)"
            }
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
                format!("unknown format `{s}`: expected one of {}", all.join(", "))
            })
    }
}

/// Renders `report` in `format` into a byte buffer.
pub fn render(report: &Report, format: Format, opts: &RenderOptions) -> Vec<u8> {
    let mut buf = Vec::new();
    // Writing into a Vec<u8> cannot fail.
    let _ = match format {
        Format::Text => text::write(report, opts.text, &mut buf),
        Format::Json => json::write(report, &mut buf),
        Format::Sarif => sarif::write(report, &opts.sarif, &mut buf),
        Format::Markdown => markdown::write(report, &mut buf),
        Format::Github => github::write(report, &mut buf),
        Format::Junit => junit::write(report, &mut buf),
        Format::GitlabSast => gitlab_sast::write(report, &mut buf),
    };
    buf
}

/// Printer options, gathered from the command line.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Text printer.
    pub text: text::TextOptions,
    /// SARIF printer.
    pub sarif: sarif::SarifOptions,
}
