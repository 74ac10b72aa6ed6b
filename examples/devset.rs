//! Dev-set report for rule authors: recall and false-positive rate of the built-in secret rules
//! per set and per family, through the real engine.
//!
//! ```text
//! cargo run --release --example devset -- --set ../shared/secrets-devset/cases.jsonl \
//!     [--set ../shared/secrets-devset/kingfisher.jsonl] [--misses] [--fps] \
//!     [--unreported docs/secrets/unreported-families.toml]
//! ```
//!
//! Recall is printed raw (every `match` text) and over the reported families: the families
//! listed in `--unreported` (default `docs/secrets/unreported-families.toml`, when it exists)
//! are those whose examples are placeholders or identifiers, each with its reason; a listed
//! family that is not in the set, or that the rules do find, is printed as a problem.
//!
//! Without `--set`, both files of `../shared/secrets-devset/` that exist are read. The
//! false-positive rate is printed raw (every `no-match` text) and adjusted (leaving out
//! `no-match` texts that another family labels `match`, as the shared-data test asserts).
//! Texts shown with `--misses`/`--fps` have their credential-like words redacted.

// A report tool for a human: it prints.
#![allow(clippy::disallowed_macros)]

use std::process::ExitCode;

use stagegate::scanners::secrets::builtin_rules;
use stagegate::scanners::secrets::devset::{evaluate, parse_cases, Counts, Miss, Unreported};

const DEFAULT_UNREPORTED: &str = "docs/secrets/unreported-families.toml";

fn main() -> ExitCode {
    let mut sets = Vec::new();
    let (mut misses, mut fps) = (false, false);
    let mut unreported_path: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--set" => match args.next() {
                Some(p) => sets.push(p),
                None => return usage("--set needs a path"),
            },
            "--unreported" => match args.next() {
                Some(p) => unreported_path = Some(p),
                None => return usage("--unreported needs a path"),
            },
            "--misses" => misses = true,
            "--fps" => fps = true,
            "-h" | "--help" => return usage(""),
            other => return usage(&format!("unknown argument `{other}`")),
        }
    }
    if sets.is_empty() {
        sets = ["cases.jsonl", "kingfisher.jsonl"]
            .iter()
            .map(|f| format!("../shared/secrets-devset/{f}"))
            .filter(|p| std::path::Path::new(p).is_file())
            .collect();
        if sets.is_empty() {
            return usage("no --set given and ../shared/secrets-devset/ not found");
        }
    }
    let rules = builtin_rules();
    println!("rules: {}", rules.rules().len());
    for path in &sets {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("devset: {path}: {e}");
                return ExitCode::from(2);
            }
        };
        let cases = match parse_cases(&text, path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("devset: {e}");
                return ExitCode::from(2);
            }
        };
        let report = evaluate(rules, &cases);
        let set_name = std::path::Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let unreported = match load_unreported(unreported_path.as_deref(), &set_name) {
            Ok(u) => u,
            Err(e) => {
                eprintln!("devset: {e}");
                return ExitCode::from(2);
            }
        };
        println!("\n== {path}: {} cases", cases.len());
        print_counts("total", &report.total);
        let listed: Vec<_> = unreported.families().collect();
        if !listed.is_empty() {
            let reported = report.reported(&unreported);
            println!(
                "reported families (all but {} listed as placeholder/identifier examples): recall {}/{} = {:.1} %",
                listed.len(),
                reported.hits,
                reported.positives,
                reported.recall() * 100.0
            );
            for p in unreported.problems(&report) {
                println!("  unreported-list problem: {p}");
            }
        }
        println!("\nper family ({}):", report.families.len());
        println!(
            "  {:<52} {:>9} {:>7} {:>9}",
            "family", "recall", "", "fp (raw)"
        );
        for (family, c) in &report.families {
            let mark = if unreported.contains(family) {
                " (not reported)"
            } else {
                ""
            };
            println!(
                "  {:<52} {:>9} {:>6.1}% {:>9}{mark}",
                family,
                format!("{}/{}", c.hits, c.positives),
                c.recall() * 100.0,
                format!("{}/{}", c.false_positives, c.negatives),
            );
        }
        if misses {
            println!("\nmisses ({}):", report.misses.len());
            print_cases(&report.misses);
        }
        if fps {
            println!("\nfalse positives ({}):", report.false_positives.len());
            print_cases(&report.false_positives);
        }
    }
    ExitCode::SUCCESS
}

/// The unreported list for `set_name`: from `path`, or from the default file when it exists.
fn load_unreported(path: Option<&str>, set_name: &str) -> Result<Unreported, String> {
    let path = match path {
        Some(p) => p,
        None if std::path::Path::new(DEFAULT_UNREPORTED).is_file() => DEFAULT_UNREPORTED,
        None => return Ok(Unreported::default()),
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    Unreported::parse(&text, path, set_name)
}

fn print_counts(label: &str, c: &Counts) {
    println!(
        "{label}: recall {}/{} = {:.1} %; false positives raw {}/{} = {:.1} %, adjusted {}/{} = {:.1} %",
        c.hits,
        c.positives,
        c.recall() * 100.0,
        c.false_positives,
        c.negatives,
        c.raw_fp_rate() * 100.0,
        c.false_positives_clean,
        c.negatives_clean,
        c.adjusted_fp_rate() * 100.0
    );
}

fn print_cases(cases: &[Miss]) {
    for m in cases {
        let text: String = m
            .masked_text
            .replace('\n', "\\n")
            .chars()
            .take(160)
            .collect();
        if m.rule_ids.is_empty() {
            println!("  MISS {} (line {}) | {text}", m.family, m.line);
        } else {
            println!(
                "  FP {} (line {}) {:?} | {text}",
                m.family, m.line, m.rule_ids
            );
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    if !problem.is_empty() {
        eprintln!("devset: {problem}");
    }
    eprintln!(
        "usage: cargo run --release --example devset -- [--set FILE.jsonl]... [--misses] [--fps] [--unreported FILE.toml]"
    );
    if problem.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
