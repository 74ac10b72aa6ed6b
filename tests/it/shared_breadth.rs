#![cfg(feature = "shared-data")]
//! Breadth of the built-in rules on `../shared/secrets-devset/kingfisher.jsonl` (Kingfisher's
//! published rule examples), with the checked-in list of families whose examples are placeholders
//! or identifiers (`docs/secrets/unreported-families.toml`). The list must stay honest: every
//! listed family exists in the set and none of its texts is found (a found one means the entry is
//! wrong), and the recall over the reported families must not fall below what the rules reach.
// Prints the two recalls (read with --nocapture).
#![allow(clippy::disallowed_macros)]

use stagegate::scanners::secrets::builtin_rules;
use stagegate::scanners::secrets::devset::{evaluate, parse_cases, Unreported};

#[test]
fn breadth_set_recall_over_reported_families() {
    let (path, text) = ["../shared", "../../shared"]
        .iter()
        .find_map(|d| {
            let p = format!("{d}/secrets-devset/kingfisher.jsonl");
            std::fs::read_to_string(&p).ok().map(|t| (p, t))
        })
        .expect("../shared/secrets-devset/kingfisher.jsonl");
    let cases = parse_cases(&text, &path).expect("valid breadth set");
    let list_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/secrets/unreported-families.toml"
    );
    let list_text = std::fs::read_to_string(list_path).expect("unreported-families.toml");
    let unreported =
        Unreported::parse(&list_text, list_path, "kingfisher.jsonl").expect("valid list");
    let report = evaluate(builtin_rules(), &cases);
    let problems = unreported.problems(&report);
    assert!(problems.is_empty(), "unreported list: {problems:#?}");
    let reported = report.reported(&unreported);
    println!(
        "kingfisher raw recall {}/{} = {:.1} %, over reported families {}/{} = {:.1} %",
        report.total.hits,
        report.total.positives,
        report.total.recall() * 100.0,
        reported.hits,
        reported.positives,
        reported.recall() * 100.0
    );
    // Measured 425/673 = 63.2 % after the shared grammar and the run-coverage filter landed,
    // 438/673 = 65.1 % with the rules of `breadth-3.toml`, and 76 %+ once format rules
    // reported stand-in bodies and failing checksums at low severity (issue 11's goal is
    // 75 %); a drop means a rule regressed.
    assert!(
        reported.recall() >= 0.75,
        "recall over reported families {:.3}",
        reported.recall()
    );
    assert_eq!(
        report.total.false_positives,
        0,
        "{:#?}",
        report
            .false_positives
            .iter()
            .map(|m| (&m.family, m.line, &m.rule_ids))
            .collect::<Vec<_>>()
    );
}
