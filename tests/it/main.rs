//! The integration tests, as one binary: one link instead of one per area, and one place that
//! says which suites exist. Shared helpers live in `tests/common/`. Modules that read `../shared/`
//! start with `#![cfg(feature = "shared-data")]` and are compiled only with `--features shared-data`.

#[path = "../common/mod.rs"]
mod common;

mod advisories;
mod atomic_output;
mod bad_inputs;
mod cli;
mod determinism;
mod drift_compare;
mod drift_corpus;
mod drift_discover;
mod drift_errors;
mod drift_expect;
mod drift_layouts;
mod drift_parse;
mod drift_parse_fuzz;
mod drift_samples;
mod frame;
mod fuzz_regressions;
mod no_leaks;
mod pipeline;
mod pipeline_cli;
mod pipeline_shared;
mod samples;
mod secrets_identifiers;
mod secrets_rules;
mod secrets_samples;
mod secrets_scan;
mod shared_advisories;
mod shared_sarif;
mod shared_secrets;
