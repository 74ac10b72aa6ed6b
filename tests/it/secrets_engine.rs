//! The secrets engine's speed work must not change what it finds: the keyword-window engine
//! against the whole-file reference, chunked large files, one-line bundles; and what the
//! scanner reads (tracked-but-ignored files, its own baseline and reports) and how history
//! reports a secret carried by many versions.

use crate::common::util::git;
use std::path::Path;
use std::process::Command;

use stagegate::finding::NotificationLevel;
use stagegate::scanners::secrets::{builtin_rules, SecretsScanner};
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions, ScanOutput, Scanner, SecretsMode};

use crate::common::util::{run_in, Out};

fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn scan_with(root: &Path, config: &Config, options: &ScanOptions) -> ScanOutput {
    let ctx = ScanContext::new(root, config, options).explicit(true);
    SecretsScanner.scan(&ctx)
}

/// A deterministic pseudo-random alphanumeric string.
fn rand_alnum(seed: &mut u64, n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| {
            *seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            A[((*seed >> 33) % A.len() as u64) as usize] as char
        })
        .collect()
}

/// Sample texts: this crate's own sources and rule files (real code, many keywords), every
/// built-in rule example embedded in code on its own line and packed on one minified line,
/// and generated assignments.
fn sample_texts() -> Vec<(String, Vec<u8>)> {
    let root = crate::common::crate_root();
    let mut texts = Vec::new();
    let mut stack = vec![
        root.join("src"),
        root.join("rules"),
        root.join("tests/fixtures"),
    ];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(b) = std::fs::read(&p) {
                texts.push((p.display().to_string(), b));
            }
        }
    }
    let examples: Vec<String> = builtin_rules()
        .rules()
        .iter()
        .flat_map(|r| {
            r.def
                .examples
                .iter()
                .chain(&r.def.negative_examples)
                .cloned()
        })
        .collect();
    assert!(examples.len() > 300, "{} examples", examples.len());
    let mut code = String::new();
    let mut line = String::new();
    // Non-ASCII beside every example: the engine then searches with a rule's Unicode build,
    // whose word boundaries and case folds differ from its ASCII build's on these characters
    // (`ſ` and `é` are word characters, `K`, the Kelvin sign, folds to `k`).
    let mut unicode = String::new();
    let mut seed = 7;
    for (i, ex) in examples.iter().enumerate() {
        unicode.push_str(&format!("ſ{ex}é\nK{ex}K\n{ex}\n"));
        code.push_str(&format!(
            "fn f{i}() {{\n    let cfg = load();\n    {ex}\n}}\n"
        ));
        line.push_str(&format!("var a{i}=e.token||t;{};", ex.replace('\n', " ")));
        if i % 5 == 0 {
            let v = rand_alnum(&mut seed, 24);
            code.push_str(&format!("api_key = \"{v}\"\n"));
            line.push_str(&format!("password=\"{v}\";"));
        }
    }
    texts.push(("examples.rs".into(), code.into_bytes()));
    texts.push(("examples.min.js".into(), line.into_bytes()));
    texts.push(("examples-unicode.txt".into(), unicode.into_bytes()));
    texts
}

#[test]
fn windowed_engine_finds_what_the_whole_file_engine_finds() {
    let rules = builtin_rules();
    let mut total = 0;
    for (name, text) in sample_texts() {
        let key = |ms: Vec<stagegate::scanners::secrets::SecretMatch>| {
            let mut v: Vec<_> = ms
                .into_iter()
                .map(|m| (m.rule_id, m.range.start, m.range.end))
                .collect();
            v.sort();
            v
        };
        let fast = key(rules.find_in_bytes(&text));
        let reference = key(rules.find_in_bytes_reference(&text));
        let only_fast: Vec<_> = fast.iter().filter(|m| !reference.contains(m)).collect();
        let only_ref: Vec<_> = reference.iter().filter(|m| !fast.contains(m)).collect();
        let show = |m: &&(String, usize, usize)| {
            let lo = m.1.saturating_sub(60);
            format!(
                "{m:?} in {:?}",
                String::from_utf8_lossy(&text[lo..(m.2 + 20).min(text.len())])
            )
        };
        assert!(
            only_fast.is_empty() && only_ref.is_empty(),
            "{name}: only windowed: {:#?}\nonly whole-file: {:#?}",
            only_fast.iter().map(show).collect::<Vec<_>>(),
            only_ref.iter().map(show).collect::<Vec<_>>()
        );
        total += fast.len();
    }
    assert!(
        total > 300,
        "the samples exercise the rules: {total} matches"
    );
}

/// Pre-commit and tree scans are one engine path: the same content staged in the index and
/// present in the working tree gives the same findings, positions and suppressions.
#[test]
fn staged_scan_finds_what_the_tree_scan_finds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    let texts = sample_texts();
    // The generated texts (every rule example, in code and on one minified line) and a sample
    // of real files, with an inline allow marker on one of them.
    let mut n = 0;
    for (i, (name, text)) in texts.iter().enumerate() {
        let generated = !name.contains('/');
        if generated || i % 25 == 0 {
            let base = Path::new(name).file_name().unwrap().to_string_lossy();
            write(root, &format!("f{i}/{base}"), text);
            n += 1;
        }
    }
    write(
        root,
        "allowed.env",
        "URL=postgres://app:Xk9vQ2mLp7zRw@db/app # stagegate:allow\nDB=postgres://app:Xk9vQ2mLp7zRw@db2/app\n",
    );
    git(root, &["add", "-A"]);
    let key = |out: &ScanOutput| {
        let mut v: Vec<_> = out
            .findings
            .iter()
            .map(|f| {
                (
                    f.location.path.clone(),
                    f.location.start_line,
                    f.location.start_column,
                    f.location.end_line,
                    f.location.end_column,
                    f.rule_id.clone(),
                    f.fingerprint.clone(),
                    f.suppression.is_some(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let mut opts = ScanOptions::default();
    opts.secrets.no_ignore = true;
    let tree = scan_with(root, &Config::default(), &opts);
    opts.secrets.mode = SecretsMode::Staged;
    let staged = scan_with(root, &Config::default(), &opts);
    assert_eq!(staged.stats.files, tree.stats.files, "{n} files written");
    assert_eq!(staged.stats.bytes, tree.stats.bytes);
    let (t, s) = (key(&tree), key(&staged));
    assert!(t.len() > 300, "the sample exercises the rules: {}", t.len());
    assert!(t.iter().any(|f| f.7), "one finding is allowed inline");
    assert_eq!(s, t);
    // The staged blobs were loose objects, read in-process. Packed (read through `git
    // cat-file`), and packed beside one new loose blob, they give the same findings.
    git(root, &["repack", "-a", "-d", "-q"]);
    let loose = std::fs::read_dir(root.join(".git/objects"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().len() == 2)
        .flat_map(|d| std::fs::read_dir(d.path()).unwrap().filter_map(Result::ok))
        .count();
    assert_eq!(loose, 0, "every staged blob is packed");
    let staged = scan_with(root, &Config::default(), &opts);
    assert_eq!(key(&staged), t);
    write(
        root,
        "late.env",
        "DB=postgres://app:Qm4vT8zLx2Rw9k@db3/app\n",
    );
    git(root, &["add", "late.env"]);
    let staged = scan_with(root, &Config::default(), &opts);
    opts.secrets.mode = SecretsMode::Tree;
    let tree = scan_with(root, &Config::default(), &opts);
    assert_eq!(key(&staged), key(&tree));
    assert_eq!(
        key(&tree).len(),
        t.len() + 1,
        "the new file's secret is found"
    );
}

#[test]
fn one_line_bundle_positions_are_exact() {
    let mut seed = 99;
    let mut line = String::from("!function(e){");
    let mut secrets = Vec::new();
    for i in 0..3000 {
        line.push_str(&format!(
            "e.token=t.token||n;function q{i}(e){{return e+1}};é;"
        ));
        if i % 3 == 0 {
            let v = rand_alnum(&mut seed, 20);
            line.push_str(&format!("l={{\"password\":\"{v}\"}};"));
            secrets.push(v);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app.min.js", &line);
    let out = scan_with(dir.path(), &Config::default(), &ScanOptions::default());
    assert_eq!(out.findings.len(), secrets.len(), "{:?}", out.notifications);
    for f in &out.findings {
        assert_eq!(f.location.start_line, 1);
        let redacted = f.properties["redacted"].as_str().unwrap();
        let prefix = &redacted[..4];
        // The column counts characters: find the secret with that prefix and check it.
        let byte = line
            .match_indices(&format!("\"password\":\"{prefix}"))
            .map(|(i, _)| i + "\"password\":\"".len())
            .find(|&i| line[..i].chars().count() as u32 + 1 == f.location.start_column);
        assert!(
            byte.is_some(),
            "column {} of {redacted}",
            f.location.start_column
        );
    }
}

/// A file over the old 10 MiB limit and over the whole-read limit, with one credential across
/// the first chunk edge (8 MiB) and one near the end: both found, at the right lines.
#[test]
fn files_over_the_old_limit_are_scanned_in_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let row = "INSERT INTO t VALUES (1,'hello world','ok');\n";
    let mut text = String::with_capacity(21 << 20);
    let edge = 8usize << 20;
    while text.len() + row.len() < edge - 10 {
        text.push_str(row);
    }
    let straddle_line = text.matches('\n').count() + 1;
    // `AKIA…` starts 10 bytes before the edge and ends after it.
    text.push_str(&"-".repeat(edge - 10 - text.len()));
    text.push_str("AKIAZXCVBNMASDFGHJ23\n");
    while text.len() < 20 << 20 {
        text.push_str(row);
    }
    let end_line = text.matches('\n').count() + 1;
    text.push_str("db_url = postgres://app:Xk9vQ2mLp7zRw@db.internal/app\n");
    write(dir.path(), "dump.sql", &text);
    let out = scan_with(dir.path(), &Config::default(), &ScanOptions::default());
    let mut got: Vec<(String, u32)> = out
        .findings
        .iter()
        .map(|f| (f.rule_id.clone(), f.location.start_line))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("secret/aws-access-key-id".to_string(), straddle_line as u32),
            ("secret/database-uri-postgres".to_string(), end_line as u32),
        ],
        "{:?}",
        out.notifications
    );
    assert_eq!(out.stats.bytes, text.len() as u64);
    // A limit is still available, as an explicit option, and says what it skipped.
    let mut config = Config::default();
    config.secrets.max_file_size = Some(10 << 20);
    let out = scan_with(dir.path(), &config, &ScanOptions::default());
    assert!(out.findings.is_empty());
    assert!(out
        .notifications
        .iter()
        .any(|n| n.level == NotificationLevel::Warning && n.message.contains("dump.sql")));
}

#[test]
fn tracked_files_are_scanned_even_when_gitignore_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(root, ".gitignore", ".env\nsecrets/\n");
    write(root, ".env", "AWS_ACCESS_KEY_ID=AKIAZXCVBNMASDFGHJ23\n");
    write(root, "secrets/prod.env", "KEY=AKIAQWERTYUIOPASDF45\n");
    write(root, "untracked.env", "x\n");
    git(root, &["add", ".gitignore"]);
    git(root, &["add", "-f", ".env"]);
    git(root, &["commit", "-qm", "force-added .env"]);
    let out = scan_with(root, &Config::default(), &ScanOptions::default());
    let paths: Vec<&str> = out
        .findings
        .iter()
        .map(|f| f.location.path.as_str())
        .collect();
    // `.env` is in every clone; `secrets/` is ignored and untracked, so it is not.
    assert_eq!(paths, vec![".env"], "{:?}", out.notifications);
}

fn scan_cli(dir: &Path, args: &[&str]) -> Out {
    let mut all = vec!["secrets"];
    all.extend_from_slice(args);
    run_in(dir, all, &[])
}

#[test]
fn own_baseline_and_reports_are_never_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "deploy/app.env",
        "DB_URL=postgres://app:Xk9vQ2mLp7zRw@db.internal/app\nAWS_ACCESS_KEY_ID=AKIAZXCVBNMASDFGHJ23\n",
    );
    let first = scan_cli(root, &["."]);
    assert_eq!(first.code, Some(1), "{}", first.stderr);
    let base = run_in(root, ["baseline", "."], &[]);
    assert_eq!(base.code, Some(0), "{}", base.stderr);
    assert!(root.join(".stagegate-baseline.json").exists());
    // Reports saved into the tree (as a CI job would) are not scanned either.
    std::fs::create_dir_all(root.join("out")).unwrap();
    let b = ".stagegate-baseline.json";
    for (format, file) in [("json", "out/report.json"), ("sarif", "out/report.sarif")] {
        let r = scan_cli(
            root,
            &[".", "--baseline", b, "--format", format, "--output", file],
        );
        assert_eq!(r.code, Some(0), "{format}: {}", r.stderr);
    }
    assert!(root.join("out/report.sarif").exists());
    let again = scan_cli(root, &[".", "--baseline", b, "--format", "json"]);
    assert_eq!(again.code, Some(0), "{}\n{}", again.stdout, again.stderr);
    let report = again.json("after baseline");
    let unsuppressed: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("suppression").is_none_or(|s| s.is_null()))
        .collect();
    assert!(unsuppressed.is_empty(), "{unsuppressed:?}");
    // Only the application file was read: not the baseline, not the two reports.
    let out = scan_with(root, &Config::default(), &ScanOptions::default());
    assert_eq!(out.stats.files, 1, "{:?}", out.findings);
}

#[test]
fn history_reports_each_secret_once_with_its_versions() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    let secret = "URL=postgres://app:Xk9vQ2mLp7zRw@db/app\n";
    write(root, "app.env", format!("A=1\n{secret}"));
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "add"]);
    let intro = String::from_utf8(
        Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(root)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string();
    for i in 2..=4 {
        write(root, "app.env", format!("A={i}\n{secret}"));
        git(root, &["commit", "-qam", "edit"]);
    }
    // Still alive: one finding, four versions, in HEAD.
    let mut opts = ScanOptions::default();
    opts.secrets.mode = SecretsMode::History { since: None };
    let out = scan_with(root, &Config::default(), &opts);
    assert_eq!(out.stats.blobs, 4);
    assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
    let f = &out.findings[0];
    assert_eq!(f.location.commit.as_deref(), Some(intro.as_str()));
    assert_eq!(f.location.start_line, 2);
    assert_eq!(f.properties["versions"], 4);
    assert_eq!(f.properties["in_head"], true);
    assert!(f.message.contains("3 later versions"), "{}", f.message);
    assert!(
        f.message.contains("HEAD still contains it"),
        "{}",
        f.message
    );
    // Removed from HEAD: still a finding, and the message says where it lives.
    write(root, "app.env", "A=5\n");
    git(root, &["commit", "-qam", "remove the secret"]);
    let out = scan_with(root, &Config::default(), &opts);
    assert_eq!(out.findings.len(), 1);
    let f = &out.findings[0];
    assert_eq!(f.properties["in_head"], false);
    assert!(
        f.message.contains("removed from HEAD but alive in history"),
        "{}",
        f.message
    );
    // A second secret in a later version is its own finding, at its own commit.
    write(root, "app.env", "A=6\nKEY=AKIAZXCVBNMASDFGHJ23\n");
    git(root, &["commit", "-qam", "another"]);
    let out = scan_with(root, &Config::default(), &opts);
    assert_eq!(out.findings.len(), 2);
}
