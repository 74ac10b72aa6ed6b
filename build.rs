//! Generates the list of built-in secret rule files, so that adding `rules/secrets/<family>.toml`
//! needs no Rust change: every `*.toml` in that folder is compiled into the binary.
//!
//! Each file is also compiled here into static Rust data (`StaticRule`: its fields as
//! `&'static str`s, slices and numbers, the `{{assign}}` placeholders of its regex expanded,
//! the regex's reach computed), because parsing 900 KB of rules (TOML, or JSON made from it)
//! costs a pre-commit run milliseconds at every start. The program still turns every rule into
//! its `RuleDef` and validates it with the checks user rule files go through. A file that does
//! not convert (invalid TOML, an unknown key, a missing field, a value of the wrong type, a
//! regex placeholder that does not expand) gets no static form, so the program parses its TOML
//! and reports the error at its line as before.
// Cargo reads build-script directives from stdout.
#![allow(clippy::disallowed_macros)]

use std::fmt::Write as _;
use std::path::Path;

// The regex facts the token tables need (`classify::regex_facts`), computed here once for every
// built-in rule instead of at every start of the program.
#[allow(dead_code)]
#[path = "src/classify/regex_facts.rs"]
mod regex_facts;
// Facts are of a rule regex after its `{{assign}}` placeholders are expanded, as at run time.
#[allow(dead_code)]
#[path = "src/scanners/secrets/grammar.rs"]
mod grammar;

#[derive(serde::Deserialize)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<toml::Spanned<toml::Value>>,
}

/// The keys of a `[[rule]]` table that hold one string, a list of strings, and all keys the
/// format knows (`RuleDef` in `src/scanners/secrets/rule.rs`; a test checks that every built-in
/// rule's static form equals what parsing its TOML gives).
const STRING_KEYS: &[&str] = &[
    "id",
    "name",
    "severity",
    "regex",
    "description",
    "validator",
    "precision",
    "within",
];
const LIST_KEYS: &[&str] = &[
    "keywords",
    "references",
    "examples",
    "negative_examples",
    "doubtful_examples",
    "context",
];
const REQUIRED_KEYS: &[&str] = &["id", "name", "severity", "keywords", "regex", "description"];

/// Rust source of one `StaticRule` for the table at `line`, with its regex facts, or `None`
/// when the table is not a well-formed rule (the program then parses the TOML and reports why).
fn static_rule(line: usize, table: &toml::Table) -> Option<(String, regex_facts::RegexFacts)> {
    for key in REQUIRED_KEYS {
        table.get(*key)?;
    }
    let regex = grammar::expand(table.get("regex")?.as_str()?).ok()?;
    let mut out = format!("crate::scanners::secrets::rule::StaticRule {{ line: {line}, ");
    for key in STRING_KEYS {
        let value = match table.get(*key) {
            Some(v) => Some(v.as_str()?),
            None => None,
        };
        let value = match (*key, value) {
            ("regex", Some(_)) => Some(regex.clone()),
            (_, v) => v.map(str::to_string),
        };
        match value {
            Some(v) if REQUIRED_KEYS.contains(key) => {
                let _ = write!(out, "{key}: {v:?}, ");
            }
            Some(v) => {
                let _ = write!(out, "{key}: Some({v:?}), ");
            }
            None => {
                let _ = write!(out, "{key}: None, ");
            }
        }
    }
    for key in LIST_KEYS {
        let _ = write!(out, "{key}: &[");
        if let Some(v) = table.get(*key) {
            for item in v.as_array()? {
                let _ = write!(out, "{:?}, ", item.as_str()?);
            }
        }
        out.push_str("], ");
    }
    match table.get("entropy") {
        Some(toml::Value::Float(f)) if f.is_finite() => {
            let _ = write!(out, "entropy: Some({f:?}), ");
        }
        Some(toml::Value::Integer(i)) => {
            let _ = write!(out, "entropy: Some({:?}), ", *i as f64);
        }
        Some(_) => return None,
        None => out.push_str("entropy: None, "),
    }
    let placeholders = match table.get("allow_placeholders") {
        Some(v) => v.as_bool()?,
        None => false,
    };
    let _ = write!(out, "allow_placeholders: {placeholders}, ");
    let known = |k: &str| {
        STRING_KEYS.contains(&k)
            || LIST_KEYS.contains(&k)
            || k == "entropy"
            || k == "allow_placeholders"
    };
    if !table.keys().all(|k| known(k)) {
        return None;
    }
    let reach = match regex_facts::reach_fact(&regex) {
        regex_facts::ReachFact::Bounded(n) => format!("Bounded({n})"),
        regex_facts::ReachFact::Unbounded => "Unbounded".to_string(),
        regex_facts::ReachFact::LongBody => "LongBody".to_string(),
    };
    let keywords: Vec<&str> = table
        .get("keywords")?
        .as_array()?
        .iter()
        .map(toml::Value::as_str)
        .collect::<Option<_>>()?;
    let [a, u] = [false, true].map(|unicode| {
        format!(
            "crate::classify::regex_facts::KeywordStart::{:?}",
            regex_facts::keyword_start(&regex, &keywords, unicode)
        )
    });
    let _ = write!(
        out,
        "reach: crate::classify::regex_facts::ReachFact::{reach}, starts: [{a}, {u}], ascii_exact: {} }}",
        regex_facts::ascii_build_is_exact(&regex)
    );
    Some((out, regex_facts::regex_facts(&regex)))
}

/// The static form of a rule file (`&[StaticRule, …]` source) with the regex facts of each
/// rule (by line), or `None` when it is not valid TOML of that shape.
fn to_static(text: &str) -> Option<(String, Vec<(usize, regex_facts::RegexFacts)>)> {
    let file: RuleFile = toml::from_str(text).ok()?;
    let mut lines_before = 0usize;
    let mut counted = 0usize;
    let mut list = String::from("&[\n");
    let mut facts = Vec::new();
    for spanned in file.rule {
        // The 1-based line of the `[[rule]]` header, as the runtime parser computes it.
        let start = spanned.span().start.min(text.len());
        if start >= counted {
            lines_before += text.as_bytes()[counted..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
        } else {
            lines_before = text.as_bytes()[..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
        }
        counted = start;
        let rule = spanned.into_inner();
        let (source, f) = static_rule(lines_before + 1, rule.as_table()?)?;
        list.push_str("        ");
        list.push_str(&source);
        list.push_str(",\n");
        facts.push((lines_before + 1, f));
    }
    list.push_str("    ]");
    Some((list, facts))
}

/// Rust source for one file's facts: `&[(line, StaticFacts { … }), …]`, sorted by line.
fn facts_source(facts: &[(usize, regex_facts::RegexFacts)]) -> String {
    let mut out = String::from("&[");
    for (line, f) in facts {
        let _ = write!(
            out,
            "({line}, crate::classify::regex_facts::StaticFacts {{ prefix: "
        );
        match &f.prefix {
            Some((lits, part)) => {
                out.push_str("Some((&[");
                for l in lits {
                    let _ = write!(out, "&{l:?}, ");
                }
                let _ = write!(out, "], {part:?}))");
            }
            None => out.push_str("None"),
        }
        match &f.format {
            Some(fmt) => {
                let _ = write!(out, ", format: Some({fmt:?}) }}), ");
            }
            None => out.push_str(", format: None }), "),
        }
    }
    out.push(']');
    out
}

fn main() {
    let dir = Path::new("rules/secrets");
    println!("cargo:rerun-if-changed=rules/secrets");
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".to_string());
    let mut out = String::from(
        "/// Every built-in rule file: (path relative to the crate root, content).\n\
         pub static BUILTIN_RULE_FILES: &[(&str, &str)] = &[\n",
    );
    let mut facts = String::from(
        "/// The regex facts of every rule of the same files, `(line of its [[rule]], facts)` \
         sorted by line; empty when a file did not convert.\n\
         pub static BUILTIN_REGEX_FACTS: &[&[(usize, crate::classify::regex_facts::StaticFacts)]] = &[\n",
    );
    let mut rules = String::from(
        "/// The same files as static rules ([`crate::scanners::secrets::rule::StaticRule`]), in \
         the same order; `None` when a file did not convert.\n\
         pub static BUILTIN_RULES: &[Option<&[crate::scanners::secrets::rule::StaticRule]>] = &[\n",
    );
    for n in &names {
        println!("cargo:rerun-if-changed=rules/secrets/{n}");
        let _ = writeln!(
            out,
            "    (\"rules/secrets/{n}\", include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/rules/secrets/{n}\"))),"
        );
        let converted = std::fs::read_to_string(dir.join(n))
            .ok()
            .and_then(|t| to_static(&t));
        match converted {
            Some((list, f)) => {
                let _ = writeln!(facts, "    {},", facts_source(&f));
                let _ = writeln!(rules, "    Some({list}),");
            }
            None => {
                rules.push_str("    None,\n");
                facts.push_str("    &[],\n");
            }
        }
    }
    out.push_str("];\n");
    rules.push_str("];\n");
    facts.push_str("];\n");
    out.push_str(&rules);
    out.push_str(&facts);
    let dest = Path::new(&out_dir).join("secret_rule_files.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
        std::process::exit(1);
    }
}
