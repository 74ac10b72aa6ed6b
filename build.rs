//! Generates the list of built-in secret rule files, so that adding `rules/secrets/<family>.toml`
//! needs no Rust change: every `*.toml` in that folder is compiled into the binary.
// Cargo reads build-script directives from stdout.
#![allow(clippy::disallowed_macros)]

use std::fmt::Write as _;
use std::path::Path;

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
    let mut out = String::from(
        "/// Every built-in rule file: (path relative to the crate root, content).\n\
         pub static BUILTIN_RULE_FILES: &[(&str, &str)] = &[\n",
    );
    for n in &names {
        println!("cargo:rerun-if-changed=rules/secrets/{n}");
        let _ = writeln!(
            out,
            "    (\"rules/secrets/{n}\", include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/rules/secrets/{n}\"))),"
        );
    }
    out.push_str("];\n");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".to_string());
    let dest = Path::new(&out_dir).join("secret_rule_files.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
        std::process::exit(1);
    }
}
