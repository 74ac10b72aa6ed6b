//! Dev-set report for rule authors: recall and false-positive rate of the built-in secret rules
//! per set and per family, through the real engine.
//!
//! ```text
//! cargo run --release --example devset -- --set ../shared/secrets-devset/cases.jsonl \
//!     [--set ../shared/secrets-devset/kingfisher.jsonl] [--misses] [--fps]
//! ```
//!
//! Without `--set`, both files of `../shared/secrets-devset/` that exist are read. The
//! false-positive rate is printed raw (every `no-match` text) and adjusted (leaving out
//! `no-match` texts that another family labels `match`, as the shared-data test asserts).
//! Texts shown with `--misses`/`--fps` have their credential-like words redacted.

// A report tool for a human: it prints.
#![allow(clippy::disallowed_macros)]

use std::process::ExitCode;

use stagegate::scanners::secrets::builtin_rules;
use stagegate::scanners::secrets::devset::{evaluate, parse_cases, Counts, Miss};

fn main() -> ExitCode {
    let mut sets = Vec::new();
    let (mut misses, mut fps) = (false, false);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--set" => match args.next() {
                Some(p) => sets.push(p),
                None => return usage("--set needs a path"),
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
        println!("\n== {path}: {} cases", cases.len());
        print_counts("total", &report.total);
        println!("\nper family ({}):", report.families.len());
        println!(
            "  {:<52} {:>9} {:>7} {:>9}",
            "family", "recall", "", "fp (raw)"
        );
        for (family, c) in &report.families {
            println!(
                "  {:<52} {:>9} {:>6.1}% {:>9}",
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
            println!("  MISS {} | {text}", m.family);
        } else {
            println!("  FP {} {:?} | {text}", m.family, m.rule_ids);
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    if !problem.is_empty() {
        eprintln!("devset: {problem}");
    }
    eprintln!(
        "usage: cargo run --release --example devset -- [--set FILE.jsonl]... [--misses] [--fps]"
    );
    if problem.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
