//! Secrets scanner throughput on a directory or a git history: prints one line with files,
//! blobs, commits, bytes, findings, seconds and MB/s. Driven by `benches/secrets.sh`.
//!
//! Usage: `secrets_throughput [tree|history|staged] PATH`; with `STAGEGATE_BENCH_LIST=1` it
//! also lists each finding (rule, location, redacted value) to eyeball precision.
// A measurement program: printing its numbers is its output.
#![allow(clippy::disallowed_macros)]

use std::path::PathBuf;
use std::time::Instant;

use stagegate::scanners::secrets::{builtin_rules, SecretsScanner};
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions, Scanner, SecretsMode};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("compile2x") {
        compile_twice();
        return;
    }
    if let [m, repo] = args.as_slice() {
        if m == "packwalk" {
            pack_walk(&PathBuf::from(repo));
            return;
        }
    }
    let (mode, path) = match args.as_slice() {
        [m, p] => (m.clone(), PathBuf::from(p)),
        [p] => ("tree".to_string(), PathBuf::from(p)),
        _ => {
            eprintln!("usage: secrets_throughput [tree|history|staged] PATH");
            std::process::exit(2);
        }
    };
    let t0 = Instant::now();
    let n_rules = builtin_rules().rules().len();
    let compile = t0.elapsed().as_secs_f64();
    let mut options = ScanOptions::default();
    options.secrets.mode = match mode.as_str() {
        "history" => SecretsMode::History { since: None },
        "staged" => SecretsMode::Staged,
        _ => SecretsMode::Tree,
    };
    // Benchmarks measure the engine, so the whole tree is read (no .gitignore).
    options.secrets.no_ignore = true;
    let config = Config::default();
    let ctx = ScanContext::new(&path, &config, &options).explicit(true);
    let start = Instant::now();
    let out = SecretsScanner.scan(&ctx);
    let secs = start.elapsed().as_secs_f64();
    // A pre-commit run compiles the regexes of the rules its files trigger during its scan: a
    // second scan of the same files (regexes compiled) shows how much of the first that was.
    let rescan = if mode == "staged" {
        let again = Instant::now();
        let _ = SecretsScanner.scan(&ctx);
        format!(" rescan_s={:.4}", again.elapsed().as_secs_f64())
    } else {
        String::new()
    };
    let mb = out.stats.bytes as f64 / 1e6;
    if std::env::var_os("STAGEGATE_BENCH_LIST").is_some() {
        for f in &out.findings {
            println!(
                "{} {} {}",
                f.rule_id,
                f.location.display(),
                f.properties
                    .get("redacted")
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
            );
        }
    }
    println!(
        "mode={mode} rules={n_rules} rule_compile_s={compile:.4} files={} blobs={} commits={} bytes={} findings={} notifications={} seconds={secs:.4}{rescan} mb_per_s={:.1}",
        out.stats.files,
        out.stats.blobs,
        out.stats.commits,
        out.stats.bytes,
        out.findings.len(),
        out.notifications.len(),
        mb / secs.max(1e-9)
    );
}

/// The history scan's reading stage alone: every blob of the packs of `repo` decoded (deltas
/// applied) in parallel, nothing scanned; compare with one `git cat-file --batch-all-objects
/// --batch` pass.
fn pack_walk(repo: &std::path::Path) {
    use std::sync::atomic::{AtomicU64, Ordering};
    let (blobs, bytes) = (AtomicU64::new(0), AtomicU64::new(0));
    let t = Instant::now();
    let failed = stagegate::scanners::secrets::pack::for_each_blob(
        &repo.join(".git/objects"),
        stagegate::scanners::secrets::chunked::WHOLE_LIMIT,
        &|_, content| {
            blobs.fetch_add(1, Ordering::Relaxed);
            bytes.fetch_add(content.len() as u64, Ordering::Relaxed);
        },
    );
    let secs = t.elapsed().as_secs_f64();
    let bytes = bytes.into_inner();
    println!(
        "mode=packwalk blobs={} bytes={bytes} failed_packs={failed} seconds={secs:.3} mb_per_s={:.1}",
        blobs.into_inner(),
        bytes as f64 / 1e6 / secs.max(1e-9)
    );
}

/// Rule loading with today's rules and with twice as many (every built-in rule loaded a second
/// time under new ids), as a pre-commit run pays it: load the rules (the static form `build.rs`
/// makes of the rule files; the TOML parse it replaces is shown beside), build the keyword
/// table. Regexes compile lazily, per triggered rule, so they are measured separately.
fn compile_twice() {
    use stagegate::scanners::secrets::rule::{parse_rule_file, parse_static_rules};
    use stagegate::scanners::secrets::{builtin_rule_files, builtin_static_rules, CompiledRules};
    for copies in [1, 2] {
        let t = Instant::now();
        let mut n_toml = 0;
        for copy in 0..copies {
            for (path, text) in builtin_rule_files() {
                let text = if copy == 0 {
                    text.to_string()
                } else {
                    text.replace("\nid = '", "\nid = 'copy-")
                        .replace("\nid = \"", "\nid = \"copy-")
                };
                n_toml += parse_rule_file(&text, path, false).0.len();
            }
        }
        let toml = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut rules = Vec::new();
        for copy in 0..copies {
            for ((path, _), list) in builtin_rule_files().iter().zip(builtin_static_rules()) {
                let mut loaded = list
                    .and_then(|l| parse_static_rules(l, path, false))
                    .map(|r| r.0)
                    .unwrap_or_default();
                if copy > 0 {
                    for r in &mut loaded {
                        r.def.id = format!("copy-{}", r.def.id);
                        r.qualified_id = format!("secret/{}", r.def.id);
                    }
                }
                rules.extend(loaded);
            }
        }
        let parsed = t.elapsed().as_secs_f64();
        let n = rules.len();
        let compiled = CompiledRules::new(rules);
        let built = t.elapsed().as_secs_f64();
        let t2 = Instant::now();
        let all: usize = compiled
            .rules()
            .iter()
            .filter(|r| r.regex_compiles())
            .count();
        let regexes = t2.elapsed().as_secs_f64();
        println!(
            "rule loading with {n} rules: load {:.1} ms (the TOML parse it replaces: {:.1} ms for {n_toml}), + keyword table {:.1} ms = {:.1} ms (every regex, compiled lazily only when triggered: {:.1} ms for {all})",
            parsed * 1000.0,
            toml * 1000.0,
            (built - parsed) * 1000.0,
            built * 1000.0,
            regexes * 1000.0
        );
    }
}
