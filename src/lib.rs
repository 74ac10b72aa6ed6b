//! stagegate: the release gate of a Dev → UAT → Production pipeline.
//!
//! Three scanners run in parallel over one repository — `advisories` (lockfiles against
//! vulnerability databases), `secrets` (committed credentials) and `drift` (UAT ↔ production
//! configuration parity and production policies) — and produce one sorted list of
//! [`Finding`](finding::Finding)s. Reports turn them into SARIF 2.1.0, JSON, text or Markdown, and
//! the [`gate`] turns them into an exit code.
//!
//! ```no_run
//! use std::path::Path;
//! use stagegate::scanners::ValidConfig;
//!
//! let root = Path::new(".");
//! let config = ValidConfig::discover(root, None).expect("valid stagegate.toml");
//! let run = stagegate::run(&stagegate::Plan::new(root, config)).expect("readable baseline");
//! std::process::exit(run.report.summary.verdict.exit_code());
//! ```
#![deny(missing_docs)]

pub mod baseline;
pub mod classify;
pub mod config;
pub mod dates;
pub mod error;
pub mod explain;
pub mod finding;
pub mod gate;
pub mod init;
pub mod output;
pub mod paths;
pub mod pipeline;
pub mod progress;
pub mod redact;
pub mod report;
pub mod scan;
pub mod scanners;

pub use pipeline::{run, Plan};
