//! The integration tests, as one binary: one link instead of one per area, and one place that
//! says which suites exist. Shared helpers live in `tests/common/`. Modules that read `../shared/`
//! start with `#![cfg(feature = "shared-data")]` and are compiled only with `--features shared-data`.

#[path = "../common/mod.rs"]
mod common;

mod advisories;
mod architecture;
mod atomic_output;
mod bad_inputs;
mod classify;
mod cli;
mod cli_paths;
mod config_sections;
mod db_lifecycle;
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
mod gitlab_reports;
mod ignore_files;
mod no_leaks;
mod osv;
mod osv_cli;
mod pipeline;
mod pipeline_cli;
mod rule_ids;
mod samples;
mod sarif_limits;
mod secrets_engine;
mod secrets_history_packs;
mod secrets_identifiers;
mod secrets_rules;
mod secrets_samples;
mod secrets_scan;
mod shared_advisories;
mod shared_breadth;
mod shared_osv;
mod shared_pipeline;
mod shared_sarif;
mod shared_secrets;
mod snapshots;
