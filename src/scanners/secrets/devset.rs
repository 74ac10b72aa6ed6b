//! Measuring the rules on a labelled development set (`../shared/secrets-devset/*.jsonl`: one
//! `{"family", "kind": "match" | "no-match", "text"}` per line): recall and false-positive rate
//! per set and per family, through the real engine ([`CompiledRules::find_in`]).
//!
//! Used by `cargo run --release --example devset` (a report for rule authors) and by the
//! shared-data test that holds the thresholds, so both count the same way.

use std::collections::{BTreeMap, HashSet};

use super::CompiledRules;
use crate::classify::entropy;
use crate::redact::redact;

/// One labelled text.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Case {
    /// 1-based line of the set file, so a report can point at a case without quoting it.
    #[serde(skip)]
    pub line: usize,
    /// The credential family (provider and token kind) the text is about.
    pub family: String,
    /// `match` (the text holds a credential of `family`) or `no-match` (a near-miss).
    pub kind: String,
    /// The text to scan.
    pub text: String,
}

/// Parses a JSON-lines dev set; an error names the file and line.
pub fn parse_cases(text: &str, path: &str) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut case: Case = serde_json::from_str(line)
            .map_err(|e| format!("{path}:{}: not a dev-set case: {e}", i + 1))?;
        case.line = i + 1;
        if case.kind != "match" && case.kind != "no-match" {
            return Err(format!(
                "{path}:{}: kind `{}` is neither `match` nor `no-match`",
                i + 1,
                case.kind
            ));
        }
        cases.push(case);
    }
    Ok(cases)
}

/// Counts for one family or a whole set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// `match` texts.
    pub positives: usize,
    /// `match` texts where some rule fired.
    pub hits: usize,
    /// `no-match` texts.
    pub negatives: usize,
    /// `no-match` texts where some rule fired.
    pub false_positives: usize,
    /// `no-match` texts that are not, verbatim, a `match` text of another family.
    pub negatives_clean: usize,
    /// False positives among those.
    pub false_positives_clean: usize,
}

impl Counts {
    /// Hits over positives (1.0 when there are none).
    pub fn recall(&self) -> f64 {
        ratio(self.hits, self.positives, 1.0)
    }

    /// False positives over all negatives: the raw rate, no exclusions.
    pub fn raw_fp_rate(&self) -> f64 {
        ratio(self.false_positives, self.negatives, 0.0)
    }

    /// False positives over the negatives that no other family labels `match`: a report on a
    /// cross-labelled text (a Slack user token is a near-miss for the bot-token rule) cannot be
    /// wrong for every family at once.
    pub fn adjusted_fp_rate(&self) -> f64 {
        ratio(self.false_positives_clean, self.negatives_clean, 0.0)
    }

    fn add(&mut self, o: &Counts) {
        self.positives += o.positives;
        self.hits += o.hits;
        self.negatives += o.negatives;
        self.false_positives += o.false_positives;
        self.negatives_clean += o.negatives_clean;
        self.false_positives_clean += o.false_positives_clean;
    }
}

fn ratio(a: usize, b: usize, empty: f64) -> f64 {
    if b == 0 {
        empty
    } else {
        a as f64 / b as f64
    }
}

/// A `match` text no rule reported, or a `no-match` text some rule did.
#[derive(Debug, Clone)]
pub struct Miss {
    /// The case's line in the set file.
    pub line: usize,
    /// The case's family.
    pub family: String,
    /// Rules that fired (empty for a miss).
    pub rule_ids: Vec<String>,
    /// The text with every credential-like word redacted ([`mask_words`]).
    pub masked_text: String,
}

/// The evaluation of one set.
#[derive(Debug, Clone, Default)]
pub struct SetReport {
    /// Totals.
    pub total: Counts,
    /// Per family, sorted by name.
    pub families: BTreeMap<String, Counts>,
    /// Missed `match` texts.
    pub misses: Vec<Miss>,
    /// Reported `no-match` texts.
    pub false_positives: Vec<Miss>,
}

impl SetReport {
    /// Totals over the families that are not in `unreported`: the recall a reader can hold the
    /// rules to once the families a release gate deliberately ignores (placeholder or identifier
    /// examples) are set aside. False positives are counted over every family all the same.
    pub fn reported(&self, unreported: &Unreported) -> Counts {
        let mut c = Counts::default();
        for (family, n) in &self.families {
            if !unreported.contains(family) {
                c.add(n);
            }
        }
        c.negatives = self.total.negatives;
        c.false_positives = self.total.false_positives;
        c.negatives_clean = self.total.negatives_clean;
        c.false_positives_clean = self.total.false_positives_clean;
        c
    }
}

/// Why a family's `match` texts are deliberately not reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// The example values are placeholders (counting runs, keyboard rows, `xxxx`, `YOUR_…`,
    /// documentation sample values): blocking a release on them would be a false alarm.
    Placeholder,
    /// The example values are identifiers (domains, account or organisation ids, usernames,
    /// public keys): not credentials, so not a release blocker.
    Identifier,
}

/// One entry of the list of families deliberately not reported.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnreportedFamily {
    /// The dev-set file name the family belongs to (`kingfisher.jsonl`).
    pub set: String,
    /// The family name, exactly as in the set.
    pub family: String,
    /// The kind of reason.
    pub reason: Reason,
    /// What the examples are, in a few words, so a reviewer can check the claim.
    pub why: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct UnreportedFile {
    #[serde(default)]
    family: Vec<UnreportedFamily>,
}

/// The checked-in list of families deliberately not reported
/// (`docs/secrets/unreported-families.toml`), for one set.
#[derive(Debug, Clone, Default)]
pub struct Unreported {
    families: BTreeMap<String, UnreportedFamily>,
}

impl Unreported {
    /// Parses the list and keeps the entries of the set whose file name is `set_name`; an error
    /// names the file (and line, for TOML errors) or the duplicated family.
    pub fn parse(text: &str, path: &str, set_name: &str) -> Result<Self, String> {
        let file: UnreportedFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            match line {
                Some(l) => format!("{path}:{l}: {}", e.message()),
                None => format!("{path}: {}", e.message()),
            }
        })?;
        let mut families = BTreeMap::new();
        for f in file.family {
            if f.set != set_name {
                continue;
            }
            if f.why.trim().is_empty() {
                return Err(format!("{path}: family `{}` gives no reason", f.family));
            }
            let name = f.family.clone();
            if families.insert(name.clone(), f).is_some() {
                return Err(format!("{path}: family `{name}` is listed twice"));
            }
        }
        Ok(Unreported { families })
    }

    /// Whether `family` is deliberately not reported.
    pub fn contains(&self, family: &str) -> bool {
        self.families.contains_key(family)
    }

    /// The entries, sorted by family.
    pub fn families(&self) -> impl Iterator<Item = &UnreportedFamily> {
        self.families.values()
    }

    /// Entries that name no family of `report` (stale after the set changed), and entries whose
    /// family the rules do find (then the entry is wrong or the rules report a placeholder):
    /// both make the list dishonest, so the report prints them.
    pub fn problems(&self, report: &SetReport) -> Vec<String> {
        let mut out = Vec::new();
        for f in self.families.values() {
            match report.families.get(&f.family) {
                None => out.push(format!("`{}` is not a family of the set", f.family)),
                Some(c) if c.hits > 0 => out.push(format!(
                    "`{}` is listed as not reported but {}/{} of its texts are found",
                    f.family, c.hits, c.positives
                )),
                Some(_) => {}
            }
        }
        out
    }
}

/// Runs `rules` over every case.
pub fn evaluate(rules: &CompiledRules, cases: &[Case]) -> SetReport {
    let match_texts: HashSet<&str> = cases
        .iter()
        .filter(|c| c.kind == "match")
        .map(|c| c.text.as_str())
        .collect();
    let mut report = SetReport::default();
    for c in cases {
        let found = rules.find_in(&c.text);
        let mut n = Counts::default();
        if c.kind == "match" {
            n.positives = 1;
            n.hits = usize::from(!found.is_empty());
        } else {
            let clean = !match_texts.contains(c.text.as_str());
            n.negatives = 1;
            n.false_positives = usize::from(!found.is_empty());
            n.negatives_clean = usize::from(clean);
            n.false_positives_clean = usize::from(clean && !found.is_empty());
        }
        report.total.add(&n);
        report.families.entry(c.family.clone()).or_default().add(&n);
        let miss = || Miss {
            line: c.line,
            family: c.family.clone(),
            rule_ids: found.iter().map(|m| m.rule_id.clone()).collect(),
            masked_text: mask_words(&c.text),
        };
        if n.positives == 1 && n.hits == 0 {
            report.misses.push(miss());
        } else if n.false_positives == 1 {
            report.false_positives.push(miss());
        }
    }
    report
}

/// `text` with every word of 6+ token characters that holds a digit or has 3+ bits of entropy
/// per character [`redact`]ed, so a report about a dev-set text shows its structure (`API_KEY = "abcd…(32)"`)
/// and never a credential, detected or not.
pub fn mask_words(text: &str) -> String {
    let is_tok = |c: char| c.is_ascii_alphanumeric() || "_-+/=.~$:@".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let digit = word.bytes().any(|b| b.is_ascii_digit());
        if word.len() >= 6 && (digit || entropy(word) >= 3.0) {
            out.push_str(&redact(word));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if is_tok(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_recall_and_both_fp_rates() {
        let rules = crate::scanners::secrets::builtin_rules();
        let tok = "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";
        let jsonl = format!(
            "{{\"family\":\"GitHub\",\"kind\":\"match\",\"text\":\"token = {tok}\"}}\n\
             {{\"family\":\"GitHub\",\"kind\":\"match\",\"text\":\"nothing here\"}}\n\
             {{\"family\":\"Other\",\"kind\":\"no-match\",\"text\":\"token = {tok}\"}}\n\
             {{\"family\":\"Other\",\"kind\":\"no-match\",\"text\":\"plain words\"}}\n"
        );
        let cases = parse_cases(&jsonl, "set.jsonl").expect("valid set");
        let r = evaluate(rules, &cases);
        assert_eq!((r.total.hits, r.total.positives), (1, 2));
        assert_eq!((r.total.false_positives, r.total.negatives), (1, 2));
        // The reported no-match text is also a match text: excluded from the adjusted rate.
        assert_eq!(r.total.adjusted_fp_rate(), 0.0);
        assert_eq!(r.total.raw_fp_rate(), 0.5);
        assert_eq!(r.families["GitHub"].recall(), 0.5);
        assert_eq!(r.misses.len(), 1);
        assert_eq!(r.false_positives[0].rule_ids, ["secret/github-pat-classic"]);
        assert!(!r.false_positives[0].masked_text.contains(tok));
    }

    #[test]
    fn bad_lines_are_named() {
        let e = parse_cases("{}\n", "d.jsonl").unwrap_err();
        assert!(e.starts_with("d.jsonl:1:"), "{e}");
        let e = parse_cases(
            "\n{\"family\":\"a\",\"kind\":\"maybe\",\"text\":\"\"}",
            "d.jsonl",
        )
        .unwrap_err();
        assert!(e.starts_with("d.jsonl:2:") && e.contains("maybe"), "{e}");
    }

    #[test]
    fn masking_keeps_structure_and_hides_credentials() {
        assert_eq!(
            mask_words("API_KEY = \"q8W7e6R5t4Y3u2I1o0Pz\""),
            "API_KEY = \"q8W7…(20)\""
        );
        assert_eq!(mask_words("password = hunter2"), "password = …(7)");
        assert_eq!(mask_words("kind: Secret"), "kind: Secret");
    }

    #[test]
    fn unreported_families_leave_the_reported_recall() {
        let rules = crate::scanners::secrets::builtin_rules();
        let tok = "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";
        let jsonl = format!(
            "{{\"family\":\"GitHub\",\"kind\":\"match\",\"text\":\"token = {tok}\"}}\n\
             {{\"family\":\"Filler\",\"kind\":\"match\",\"text\":\"key = abcdef\"}}\n"
        );
        let cases = parse_cases(&jsonl, "k.jsonl").expect("valid set");
        assert_eq!(cases[1].line, 2);
        let r = evaluate(rules, &cases);
        assert_eq!(r.misses[0].line, 2);
        let list = Unreported::parse(
            "[[family]]\nset = \"k.jsonl\"\nfamily = \"Filler\"\nreason = \"placeholder\"\nwhy = \"a counting run\"\n\
             [[family]]\nset = \"other.jsonl\"\nfamily = \"GitHub\"\nreason = \"identifier\"\nwhy = \"x\"\n",
            "u.toml",
            "k.jsonl",
        )
        .expect("valid list");
        assert!(list.contains("Filler") && !list.contains("GitHub"));
        assert_eq!((r.total.hits, r.total.positives), (1, 2));
        let reported = r.reported(&list);
        assert_eq!((reported.hits, reported.positives), (1, 1));
        assert!(list.problems(&r).is_empty(), "{:?}", list.problems(&r));
    }

    #[test]
    fn unreported_list_problems_are_named() {
        let e = Unreported::parse("[[family]]\nset = 1\n", "u.toml", "k.jsonl").unwrap_err();
        assert!(e.starts_with("u.toml:2:"), "{e}");
        let twice = "[[family]]\nset = \"k.jsonl\"\nfamily = \"A\"\nreason = \"placeholder\"\nwhy = \"w\"\n";
        let e = Unreported::parse(&format!("{twice}{twice}"), "u.toml", "k.jsonl").unwrap_err();
        assert!(e.contains("`A` is listed twice"), "{e}");
        let e = Unreported::parse(
            "[[family]]\nset = \"k.jsonl\"\nfamily = \"A\"\nreason = \"hard\"\nwhy = \"w\"\n",
            "u.toml",
            "k.jsonl",
        )
        .unwrap_err();
        assert!(e.contains("hard"), "{e}");
        // A listed family that the rules find, and one the set lacks, are both problems.
        let rules = crate::scanners::secrets::builtin_rules();
        let jsonl = "{\"family\":\"A\",\"kind\":\"match\",\"text\":\"token = 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\"}\n";
        let r = evaluate(rules, &parse_cases(jsonl, "k.jsonl").expect("valid"));
        let list = Unreported::parse(
            &format!("{twice}[[family]]\nset = \"k.jsonl\"\nfamily = \"B\"\nreason = \"identifier\"\nwhy = \"w\"\n"),
            "u.toml",
            "k.jsonl",
        )
        .expect("valid");
        let p = list.problems(&r);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p[0].contains("1/1") && p[1].contains("not a family"),
            "{p:?}"
        );
    }
}
