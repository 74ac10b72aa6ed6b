//! The layering of `src/` as a test: which top-level module may import which, read from the
//! `crate::…` paths of every library file (the binary — `main.rs`, `cli/` — may use anything).
//!
//! A cycle between top-level modules, or an import upwards (a scanner reaching for the
//! pipeline, the configuration file layer reaching for a scanner), fails with the files that
//! do it. The table below is the one in `docs/ARCHITECTURE.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Layers, bottom first. A module imports only modules of its own layer or below.
const LAYERS: &[&[&str]] = &[
    // Leaves: data types and helpers every layer uses.
    &[
        "classify", "dates", "error", "finding", "paths", "progress", "output", "redact", "targets",
    ],
    // The configuration file: TOML, spans, top-level keys (no scanner section types).
    &["config"],
    // Scanners, their sections (`scanners::*::cfg`) and the validated configuration.
    &["scanners"],
    // Running scanners and merging their output.
    &["scan"],
    // What happens to a scan result.
    &["gate", "baseline"],
    // Outputs and side commands.
    &["report", "explain", "init"],
    // The whole pipeline.
    &["pipeline"],
];

/// Known edges that break the layering, each with the work that removes it. Keep it empty.
const KNOWN: &[(&str, &str, &str)] = &[];

type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// `top -> (imported top -> files that import it)`.
fn graph(src: &Path) -> Graph {
    let mut g = Graph::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path
                .strip_prefix(src)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "main.rs" || rel == "lib.rs" || rel == "cli.rs" || rel.starts_with("cli/") {
                continue;
            }
            let top = rel
                .split('/')
                .next()
                .unwrap_or_default()
                .trim_end_matches(".rs")
                .to_string();
            let text = std::fs::read_to_string(&path).expect("read source");
            let node = g.entry(top.clone()).or_default();
            for used in imports(&text, !rel.contains('/')) {
                if used != top {
                    node.entry(used).or_default().insert(rel.clone());
                }
            }
        }
    }
    g
}

/// Top-level modules named by `crate::x`, `crate::{x, y::z}` and — in a top-level file, where
/// `super` is the crate root — `super::x`. Comments are skipped.
fn imports(text: &str, top_file: bool) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> Option<String> {
        let id: String = s
            .trim()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        (!id.is_empty()).then_some(id)
    };
    let mut out = BTreeSet::new();
    let mut roots = vec!["crate::"];
    if top_file {
        roots.push("super::");
    }
    for root in roots {
        for (at, _) in code.match_indices(root) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &code[at + root.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                out.extend(inner.split(',').filter_map(ident));
            } else if let Some(id) = ident(rest) {
                out.insert(id);
            }
        }
    }
    out.retain(|m| m != "self" && m != "super");
    out
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn known(from: &str, to: &str) -> bool {
    KNOWN.iter().any(|(f, t, _)| *f == from && *t == to)
}

/// A cycle through `start`, if any (depth-first over the graph minus the known edges).
fn cycle_from(g: &Graph, start: &str) -> Option<Vec<String>> {
    fn walk(
        g: &Graph,
        node: &str,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in g.get(node).map(|m| m.keys()).into_iter().flatten() {
            if known(node, next) {
                continue;
            }
            if next == start {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(g, next, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    let mut seen = BTreeSet::new();
    walk(g, start, start, &mut path, &mut seen).then_some(path)
}

fn src() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn the_reader_finds_the_real_imports() {
    // Guards the test itself: an empty graph would have no cycle either.
    let g = graph(&src());
    let has = |a: &str, b: &str| g.get(a).is_some_and(|m| m.contains_key(b));
    assert!(has("scanners", "config"), "{g:#?}");
    assert!(has("pipeline", "scanners"), "{g:#?}");
    assert!(has("scan", "finding"), "{g:#?}");
    let found = imports(
        "use crate::{a, b::c};\n// crate::commented\nlet x = crate::d::e();\nuse super::f;\nx::crate::g;",
        true,
    );
    let want: BTreeSet<String> = ["a", "b", "d", "f"].iter().map(|s| s.to_string()).collect();
    assert_eq!(found, want);
}

#[test]
fn every_top_level_module_has_a_layer() {
    let g = graph(&src());
    let missing: Vec<&String> = g.keys().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        missing.is_empty(),
        "add {missing:?} to LAYERS in tests/it/architecture.rs and to docs/ARCHITECTURE.md"
    );
}

#[test]
fn no_module_imports_a_higher_layer() {
    let g = graph(&src());
    let mut bad = Vec::new();
    for (from, uses) in &g {
        for (to, files) in uses {
            let (Some(lf), Some(lt)) = (layer_of(from), layer_of(to)) else {
                continue;
            };
            if lt > lf && !known(from, to) {
                bad.push(format!("{from} → {to} (in {files:?})"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "imports against the layering:\n{}",
        bad.join("\n")
    );
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let g = graph(&src());
    for start in g.keys() {
        if let Some(cycle) = cycle_from(&g, start) {
            let files: Vec<String> = cycle
                .windows(2)
                .map(|w| format!("{} → {}: {:?}", w[0], w[1], g[&w[0]][&w[1]]))
                .collect();
            panic!("import cycle {}:\n{}", cycle.join(" → "), files.join("\n"));
        }
    }
}

#[test]
fn config_never_imports_a_scanner() {
    // The file layer keeps sections unvalidated so that `scanners::*::cfg` can compile them
    // with scanner code: `config` importing `scanners` would close the cycle again.
    let g = graph(&src());
    let uses = g.get("config").cloned().unwrap_or_default();
    assert!(!uses.contains_key("scanners"), "{uses:?}");
}

#[test]
fn known_exceptions_still_exist() {
    // An exception whose edge is gone must be deleted, so it cannot hide a new one.
    let g = graph(&src());
    for (from, to, why) in KNOWN {
        assert!(
            g.get(*from).is_some_and(|m| m.contains_key(*to)),
            "{from} → {to} no longer exists: delete it from KNOWN ({why})"
        );
    }
}

/// `.ci/run` runs the second suite as `cargo test --features shared-data --test it shared_`, so
/// every module gated on the feature must be named `shared_*` (and every `shared_*` module gated):
/// a gated module with another name would be compiled but never run, a silent skip.
#[test]
fn shared_data_suite_is_exactly_the_shared_modules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let gate = "#![cfg(feature = \"shared-data\")]";
    let mut gated = 0;
    for entry in std::fs::read_dir(root.join("tests/it")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let is_gated = text.lines().any(|l| l.trim() == gate);
        gated += usize::from(is_gated);
        assert_eq!(
            is_gated,
            name.starts_with("shared_"),
            "tests/it/{name}.rs: modules gated on `shared-data` are exactly the `shared_*` ones"
        );
    }
    assert!(gated >= 6, "only {gated} shared-data modules found");
    // No library or binary code is gated: the filter only reaches the `it` binary.
    let mut stack = vec![root.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().and_then(|e| e.to_str()) == Some("rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(
                    !text.contains("feature = \"shared-data\""),
                    "{}: src/ must not depend on the shared-data feature",
                    path.display()
                );
            }
        }
    }
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    assert!(
        ci.contains("cargo test --features shared-data --test it shared_"),
        ".ci/run must run the shared-data suite with the `shared_` filter"
    );
}
