//! Fuzz harness shared by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`) and the regression
//! test (`tests/it/fuzz_regressions.rs`), so a saved crashing input is replayed through exactly the
//! code the fuzzer ran. Each function panics when an invariant breaks: that is the fuzzer's
//! signal; on well-behaved input it returns normally.
#![allow(dead_code)]

use std::path::Path;

use stagegate::finding::{Finding, Location, RuleMeta, ScannerKind, Severity};
use stagegate::report;
use stagegate::scanners::advisories::lockfile;
use stagegate::scanners::drift::parse::{self as drift_parse, Format as DriftFormat, Limits};
use stagegate::scanners::secrets::engine::CompiledRules;
use stagegate::scanners::secrets::rule::parse_rule_file;
use stagegate::scanners::secrets::suppress::AllowList;
use stagegate::scanners::secrets::{builtin_rules, Emitter};
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOutput, Scanner};

/// The configuration of a repository without `stagegate.toml`, compiled once per process.
fn default_config() -> &'static Config {
    static CONFIG: std::sync::OnceLock<Config> = std::sync::OnceLock::new();
    CONFIG.get_or_init(Config::default)
}

/// A scanner that returns fixed output, to push fuzzed findings through the pipeline.
struct Emit(ScanOutput);

impl Scanner for Emit {
    fn kind(&self) -> ScannerKind {
        ScannerKind::Secrets
    }
    fn scan(&self, _ctx: &ScanContext<'_>) -> ScanOutput {
        self.0.clone()
    }
}

/// One harness function: panics when an invariant breaks.
pub type Target = fn(&[u8]);

/// Every target, by name (the folder names under `fuzz/seeds/` and
/// `tests/bad_inputs/fuzz-regressions/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("config", config),
    ("secrets_rules", secrets_rules),
    ("lockfile", lockfile_cargo),
    ("drift_parse", drift_parse_any),
    ("secrets_engine", secrets_engine),
    ("sarif", sarif),
    ("baseline", baseline),
    ("advisory", advisory),
];

/// `stagegate.toml`: never panics; an error names the file.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz/stagegate.toml");
    if let Err(e) = Config::parse(text, path) {
        let msg = e.to_string();
        // Every error of the file, one per line, each at `file:line:column`.
        for line in msg.lines() {
            assert!(
                line.starts_with("fuzz/stagegate.toml:"),
                "error does not name the file: {msg}"
            );
        }
    }
}

/// A secrets rule file: good rules compile, every error names the file, and the compiled rules
/// run over the file's own text without panicking.
pub fn secrets_rules(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (rules, errors) = parse_rule_file(text, "fuzz-rules.toml", true);
    for e in &errors {
        assert_eq!(e.path, "fuzz-rules.toml");
        if let Some(line) = e.line {
            assert!(line >= 1, "rule error on line 0: {}", e.message);
        }
    }
    let compiled = CompiledRules::new(rules);
    let _ = compiled.find_in(text);
}

/// Cargo.lock: parse, then every package's location and dependency path.
pub fn lockfile_cargo(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match lockfile::parse("Cargo.lock".to_string(), text, None) {
        Ok(parsed) => {
            let lines = text.lines().count().max(1) as u32 + 1;
            for (i, p) in parsed.lockfile.packages.iter().enumerate() {
                let loc = parsed.location(p);
                assert!(loc.start_line >= 1 && loc.start_line <= lines, "{loc:?}");
                assert!(loc.end_line >= loc.start_line, "{loc:?}");
                let _ = parsed.is_member(i);
                let _ = parsed.dependency_path(i);
            }
        }
        Err(e) => {
            if let Some(line) = e.line {
                assert!(line >= 1, "lockfile error on line 0: {}", e.message);
            }
        }
    }
}

/// Drift config parsers: the first byte picks the format, the rest is the file. Locations are
/// 1-based and inside the file; errors are never the "internal error" of a caught panic.
pub fn drift_parse_any(data: &[u8]) {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let format = DriftFormat::ALL[usize::from(sel) % DriftFormat::ALL.len()];
    drift_parse_one(format, body);
}

/// One drift format over `body`.
pub fn drift_parse_one(format: DriftFormat, body: &[u8]) {
    let limits = Limits::default();
    match drift_parse::parse_bytes("cfg/fuzz", body, format, &limits) {
        Ok(flat) => {
            for (key, e) in &flat.entries {
                let l = &e.location;
                assert_eq!(l.path, "cfg/fuzz");
                assert!(l.start_line >= 1, "{format:?} {key}: line 0");
                assert!(l.end_line >= l.start_line, "{format:?} {key}: {l:?}");
                assert!(l.start_column >= 1, "{format:?} {key}: column 0");
            }
        }
        Err(e) => {
            assert_eq!(e.path, "cfg/fuzz");
            assert!(e.line >= 1, "{format:?}: error on line 0: {}", e.message);
            assert!(
                !e.message.contains("internal error"),
                "{format:?} parser panicked: {}",
                e.message
            );
        }
    }
}

/// The secrets engine on arbitrary bytes, with the built-in rules: locations are 1-based and
/// ordered, and no finding's message or property carries the matched value in clear.
pub fn secrets_engine(data: &[u8]) {
    let rules = builtin_rules();
    let allow = AllowList::default();
    let emitter = Emitter {
        rules,
        allow: &allow,
    };
    let matches = rules.find_in_bytes(data);
    for m in &matches {
        assert!(m.range.start <= m.range.end && m.range.end <= data.len());
    }
    let findings = emitter.findings(data, "src/fuzz.txt", None);
    for f in &findings {
        let l = &f.location;
        assert!(l.start_line >= 1 && l.start_column >= 1, "{l:?}");
        assert!(
            (l.end_line, l.end_column) >= (l.start_line, l.start_column),
            "{l:?}"
        );
        let props = serde_json::to_string(&f.properties).unwrap_or_default();
        for m in &matches {
            let Some(secret) = data.get(m.range.clone()) else {
                continue;
            };
            let Ok(secret) = std::str::from_utf8(secret) else {
                continue;
            };
            // Short or low-variety matches may legitimately equal words of the message.
            let distinct: std::collections::BTreeSet<char> = secret.chars().collect();
            if secret.len() < 16 || distinct.len() < 8 {
                continue;
            }
            assert!(
                !f.message.contains(secret),
                "secret in message: {}",
                f.message
            );
            assert!(!props.contains(secret), "secret in properties");
        }
    }
}

/// Cuts `data` into fields at `\x00`, for building structured values.
struct Fields<'a> {
    parts: std::iter::Cycle<std::vec::IntoIter<&'a [u8]>>,
    n: usize,
}

impl<'a> Fields<'a> {
    fn new(data: &'a [u8]) -> Self {
        let parts: Vec<&[u8]> = data.split(|b| *b == 0).collect();
        let n = parts.len();
        Fields {
            parts: parts.into_iter().cycle(),
            n,
        }
    }
    fn bytes(&mut self) -> &'a [u8] {
        self.parts.next().unwrap_or(&[])
    }
    fn text(&mut self) -> String {
        String::from_utf8_lossy(self.bytes()).into_owned()
    }
    fn num(&mut self) -> u32 {
        self.bytes()
            .iter()
            .fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(*b)))
    }
}

/// Arbitrary findings (paths, messages, properties, related locations, rule metadata with any
/// text) through every report format: SARIF and the JSON formats parse, and SARIF keeps its
/// structural invariants (one run, every result's rule in `tool.driver.rules`, 1-based regions,
/// relative URIs).
pub fn sarif(data: &[u8]) {
    let mut f = Fields::new(data);
    let count = (f.n / 4).clamp(1, 40);
    let mut findings = Vec::new();
    let mut rules: Vec<RuleMeta> = Vec::new();
    for _ in 0..count {
        let scanner = ["secret/", "drift/", "advisory/", "policy/"][(f.num() % 4) as usize];
        let rule_id = format!("{scanner}{}", f.text());
        let severity = Severity::ALL[(f.num() % 5) as usize];
        let line = f.num() % 100_000;
        let col = f.num() % 1000;
        // Scanners only produce root-relative paths (`Location::path` contract; drift refuses
        // pairs outside the root): strip a leading `/`, keep every other byte.
        let path = f.text().trim_start_matches('/').to_string();
        let loc = Location {
            path,
            start_line: line.max(1),
            start_column: col.max(1),
            end_line: line.max(1) + f.num() % 3,
            end_column: col.max(1) + f.num() % 50,
            commit: if f.num() % 3 == 0 {
                Some(f.text())
            } else {
                None
            },
        };
        let mut finding = Finding::new(rule_id.clone(), severity, f.text(), loc, &f.text());
        if f.num() % 2 == 0 {
            finding = finding.with_property(&f.text(), f.text());
        }
        if f.num() % 3 == 0 {
            finding = finding.with_related(Location::line(
                f.text().trim_start_matches('/').to_string(),
                f.num() % 50,
            ));
        }
        findings.push(finding);
        if !rules.iter().any(|r| r.id == rule_id) {
            let mut meta = RuleMeta::new(rule_id, f.text(), f.text(), severity);
            meta.help_markdown = f.text();
            if f.num() % 2 == 0 {
                meta.help_uri = Some(f.text());
            }
            meta.tags = (0..f.num() % 30).map(|_| f.text()).collect();
            rules.push(meta);
        }
    }
    // Through the real pipeline (merge, sort, dedupe, gate), as `main` runs it.
    let out = ScanOutput {
        findings,
        rules,
        ..ScanOutput::default()
    };
    let plan = stagegate::Plan::new(".", default_config().clone());
    let scanners: Vec<Box<dyn Scanner>> = vec![Box::new(Emit(out))];
    let rep = stagegate::pipeline::run_with(&plan, &scanners)
        .expect("no baseline, so no error")
        .report;
    let opts = report::RenderOptions::default();
    let sarif_bytes = report::render(&rep, report::Format::Sarif, &opts);
    let log: serde_json::Value = serde_json::from_slice(&sarif_bytes).expect("SARIF is JSON");
    check_sarif(&log, rep.result.findings.len());
    for fmt in [report::Format::Json, report::Format::GitlabSast] {
        let out = report::render(&rep, fmt, &opts);
        serde_json::from_slice::<serde_json::Value>(&out).expect("JSON report parses");
    }
    for fmt in [
        report::Format::Text,
        report::Format::Markdown,
        report::Format::Github,
        report::Format::Junit,
    ] {
        let out = report::render(&rep, fmt, &opts);
        assert!(
            std::str::from_utf8(&out).is_ok(),
            "{fmt:?} output is not UTF-8"
        );
    }
}

/// Structural invariants of a stagegate SARIF log with `results` results.
pub fn check_sarif(log: &serde_json::Value, results: usize) {
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "exactly one run");
    let run = &runs[0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids.len(), rules.len(), "every rule has an id");
    for r in rules {
        let tags = r["properties"]["tags"].as_array().map_or(0, Vec::len);
        assert!(tags <= 20, "GitHub keeps at most 20 tags per rule");
    }
    let res = run["results"].as_array().expect("results");
    assert_eq!(res.len(), results);
    for r in res {
        let rule_id = r["ruleId"].as_str().expect("ruleId");
        if let Some(i) = r["ruleIndex"].as_u64() {
            let i = usize::try_from(i).expect("index");
            assert_eq!(
                ids.get(i).copied(),
                Some(rule_id),
                "ruleIndex points at its rule"
            );
        }
        assert!(
            ["none", "note", "warning", "error"]
                .contains(&r["level"].as_str().unwrap_or("warning")),
            "level"
        );
        assert!(r["message"]["text"].is_string(), "message.text");
        for loc in r["locations"].as_array().into_iter().flatten() {
            let phys = &loc["physicalLocation"];
            if let Some(uri) = phys["artifactLocation"]["uri"].as_str() {
                assert!(
                    !uri.contains(' ') && !uri.contains('\\'),
                    "uri not encoded: {uri}"
                );
                assert!(!uri.starts_with('/'), "uri not relative: {uri}");
            }
            let region = &phys["region"];
            if let Some(l) = region["startLine"].as_u64() {
                assert!(l >= 1, "startLine");
                if let Some(e) = region["endLine"].as_u64() {
                    assert!(e >= l, "endLine < startLine");
                }
            }
            if let Some(c) = region["startColumn"].as_u64() {
                assert!(c >= 1, "startColumn");
            }
        }
        let fp = &r["partialFingerprints"];
        assert!(
            fp.is_object() && !fp.as_object().is_some_and(|o| o.is_empty()),
            "fingerprint"
        );
    }
}

/// The baseline file: never panics; an error names the file.
pub fn baseline(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new(".stagegate-baseline.json");
    match stagegate::baseline::Baseline::parse(text, path) {
        Ok(b) => {
            let _ = b.to_json();
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains(".stagegate-baseline.json"),
                "error does not name the file: {msg}"
            );
        }
    }
}

/// One advisory file of the database (TOML front matter + Markdown): never panics.
pub fn advisory(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(a) = text.parse::<stagegate::scanners::advisories::advisory::Advisory>() {
        let _ = a.help_uri();
        let _ = a.is_malicious();
    }
}
