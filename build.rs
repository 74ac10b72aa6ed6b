//! Generates the list of built-in secret rule files, so that adding `rules/secrets/<family>.toml`
//! needs no Rust change: every `*.toml` in that folder is compiled into the binary.
//!
//! Each file is also converted to JSON here (`[[line, {rule}], …]`), because parsing 900 KB of
//! TOML costs a pre-commit run tens of milliseconds at every start and JSON parses about ten
//! times faster. The conversion is generic (TOML tables to JSON objects, no knowledge of the
//! rule format): the program still deserializes and validates every rule itself, and a file
//! that does not convert (invalid TOML) gets no JSON, so the program parses its TOML and
//! reports the error at its line as before.
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

/// `[[line, rule], …]` for a rule file with the regex facts of each rule (by line), or `None`
/// when it is not valid TOML of that shape.
fn to_json(text: &str) -> Option<(String, Vec<(usize, regex_facts::RegexFacts)>)> {
    let file: RuleFile = toml::from_str(text).ok()?;
    let mut lines_before = 0usize;
    let mut counted = 0usize;
    let mut list = Vec::with_capacity(file.rule.len());
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
        if let Some(Ok(regex)) = rule
            .get("regex")
            .and_then(toml::Value::as_str)
            .map(grammar::expand)
        {
            facts.push((lines_before + 1, regex_facts::regex_facts(&regex)));
        }
        list.push(serde_json::json!([lines_before + 1, rule]));
    }
    Some((serde_json::to_string(&list).ok()?, facts))
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
    let mut json = String::from(
        "/// The same files as JSON (`[[line, rule], …]`), in the same order; empty when a file \
         did not convert.\npub static BUILTIN_RULE_JSON: &[&str] = &[\n",
    );
    for n in &names {
        println!("cargo:rerun-if-changed=rules/secrets/{n}");
        let _ = writeln!(
            out,
            "    (\"rules/secrets/{n}\", include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/rules/secrets/{n}\"))),"
        );
        let converted = std::fs::read_to_string(dir.join(n))
            .ok()
            .and_then(|t| to_json(&t));
        match converted {
            Some((j, f)) => {
                let _ = writeln!(facts, "    {},", facts_source(&f));
                let dest = Path::new(&out_dir).join(format!("{n}.json"));
                if let Err(e) = std::fs::write(&dest, j) {
                    println!("cargo:warning=cannot write {}: {e}", dest.display());
                    std::process::exit(1);
                }
                let _ = writeln!(
                    json,
                    "    include_str!(concat!(env!(\"OUT_DIR\"), \"/{n}.json\")),"
                );
            }
            None => {
                json.push_str("    \"\",\n");
                facts.push_str("    &[],\n");
            }
        }
    }
    out.push_str("];\n");
    json.push_str("];\n");
    facts.push_str("];\n");
    out.push_str(&json);
    out.push_str(&facts);
    let dest = Path::new(&out_dir).join("secret_rule_files.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
        std::process::exit(1);
    }
}
