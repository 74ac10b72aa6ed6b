//! The secrets scanner end to end on generated trees and git repositories: locations,
//! redaction, suppressions, ignore rules, bad input, staged and history modes.

use crate::common::util::git;
use std::path::Path;
use std::process::Command;

use stagegate::finding::{NotificationLevel, SuppressionKind};
use stagegate::scanners::secrets::SecretsScanner;
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions, ScanOutput, Scanner, SecretsMode};

/// A GitHub classic PAT with a valid CRC32 checksum (random body, fake).
const GHP: &str = "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";
const PG_PASS: &str = "Xk9vQ2mLp7zR";

fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn scan_with(root: &Path, config: &Config, options: &ScanOptions) -> ScanOutput {
    let ctx = ScanContext::new(root, config, options).explicit(true);
    SecretsScanner.scan(&ctx)
}

fn scan(root: &Path) -> ScanOutput {
    scan_with(root, &Config::default(), &ScanOptions::default())
}

fn rule_ids(out: &ScanOutput) -> Vec<String> {
    let mut v: Vec<String> = out.findings.iter().map(|f| f.rule_id.clone()).collect();
    v.sort();
    v
}

/// The generic PEM rule needs a realistic body: 64+ characters, high entropy.
fn pem_key() -> String {
    let body = "MIIEpAIBAGdhM5ktOj8iwhZAumKHr7OJFvCffTNruJyWN8rmyV/SY9yuNiZ2qS3Z\n\
                kVYV8reHrcYWeFBnCkSOAWw0XP3uiBR2hQ1kz7Cq0yTgVw9c4tXb3N5sLm8pEoFd";
    format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n")
}

#[test]
fn finds_locates_and_redacts() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "src/config.py",
        format!("import os\n\nGITHUB = \"{GHP}\"\n"),
    );
    write(
        root,
        "deploy/.env",
        format!("DATABASE_URL=postgres://app:{PG_PASS}@db.internal:5432/app\n"),
    );
    write(root, "keys/id_rsa", pem_key());
    let out = scan(root);
    let ids = rule_ids(&out);
    assert!(
        ids.contains(&"secret/database-uri-postgres".to_string()),
        "{ids:?}"
    );
    assert!(ids.contains(&"secret/private-key".to_string()), "{ids:?}");
    let pg = out
        .findings
        .iter()
        .find(|f| f.rule_id == "secret/database-uri-postgres")
        .expect("postgres URI found");
    assert_eq!(pg.location.path, "deploy/.env");
    assert_eq!(pg.location.start_line, 1);
    assert_eq!(pg.location.start_column, 29);
    assert_eq!(pg.location.end_column, 29 + PG_PASS.len() as u32);
    assert_eq!(pg.properties["redacted"], "Xk9v…(12)");
    assert_eq!(pg.properties["validated"], false);
    let key = out
        .findings
        .iter()
        .find(|f| f.rule_id == "secret/private-key")
        .expect("private key found");
    assert_eq!(key.location.path, "keys/id_rsa");
    // The key body: from the line after the BEGIN header to the line before END.
    assert_eq!((key.location.start_line, key.location.start_column), (2, 1));
    assert_eq!(key.location.end_line, 4);
    // Nothing anywhere contains a secret in clear.
    let json = serde_json::to_string(&out.findings).unwrap()
        + &serde_json::to_string(&out.notifications).unwrap()
        + &serde_json::to_string(&out.rules).unwrap();
    for clear in [
        GHP,
        PG_PASS,
        "kVYV8reHrcYWeFBnCkSOAWw0XP3uiBR2hQ1kz7Cq0yTgVw9c4tXb3N5sLm8pEoFd",
    ] {
        assert!(!json.contains(clear), "clear secret leaked");
    }
    // Every rule with a finding has metadata.
    for f in &out.findings {
        assert!(out.rules.iter().any(|r| r.id == f.rule_id), "{}", f.rule_id);
    }
    assert_eq!(out.stats.files, 3);
    assert!(out.stats.bytes > 100);
}

#[test]
fn fingerprint_survives_line_moves_but_not_value_changes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let uri = |p: &str| format!("DATABASE_URL=postgres://app:{p}@db.internal/app\n");
    write(a.path(), "app.env", uri(PG_PASS));
    write(
        b.path(),
        "app.env",
        format!("# moved\n\n\n{}", uri(PG_PASS)),
    );
    write(c.path(), "app.env", uri("Other9vQ2mLp"));
    let fa = scan(a.path()).findings;
    let fb = scan(b.path()).findings;
    let fc = scan(c.path()).findings;
    assert_eq!(fa.len(), 1);
    assert_eq!(fb[0].location.start_line, 4);
    assert_eq!(fa[0].fingerprint, fb[0].fingerprint);
    assert_ne!(fa[0].fingerprint, fc[0].fingerprint);
}

#[test]
fn inline_and_configured_suppressions_are_kept_as_suppressed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a.env",
        format!(
            "# stagegate:allow\nA=postgres://app:{PG_PASS}@db/app\n\
             B=postgres://app:Kq2vX9mLp7zR@db/app # stagegate:allow aws-access-key\n\
             C=postgres://app:Wq2vX9mLp7zR@db/app # pragma: allowlist secret\n"
        ),
    );
    write(
        root,
        "tests/fixtures/b.env",
        "D=mysql://u:Tq2vX9mLp7zR@db/app\n",
    );
    let config = Config::parse(
        "[secrets]\nallow = [{ rule = \"database-uri-mysql\", path = \"tests/fixtures/**\", reason = \"fixture\" }]\n",
        Path::new("stagegate.toml"),
    )
    .unwrap();
    let out = scan_with(root, &config, &ScanOptions::default());
    let by_line = |path: &str, line: u32| {
        out.findings
            .iter()
            .find(|f| f.location.path == path && f.location.start_line == line)
            .unwrap_or_else(|| panic!("no finding at {path}:{line}"))
    };
    assert_eq!(
        by_line("a.env", 2).suppression.as_ref().map(|s| s.kind),
        Some(SuppressionKind::InSource)
    );
    assert!(
        by_line("a.env", 3).suppression.is_none(),
        "an allow naming another rule does not apply"
    );
    assert!(by_line("a.env", 4).suppression.is_some());
    let ext = by_line("tests/fixtures/b.env", 1)
        .suppression
        .clone()
        .unwrap();
    assert_eq!(ext.kind, SuppressionKind::External);
    assert_eq!(ext.justification, "fixture");
}

#[test]
fn honours_gitignore_exclude_binary_size_and_non_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let line = format!("URL=postgres://app:{PG_PASS}@db/app\n");
    write(root, ".gitignore", "ignored/\n");
    write(root, "ignored/a.env", &line);
    write(root, "vendor/b.env", &line);
    write(root, ".git/config.env", &line);
    let mut bin = b"\x00\x01binary".to_vec();
    bin.extend_from_slice(line.as_bytes());
    write(root, "img.bin", bin);
    write(root, "big.env", format!("{}{line}", "#".repeat(4096)));
    let mut latin1 = b"caf\xe9 = 1\n".to_vec();
    latin1.extend_from_slice(line.as_bytes());
    write(root, "latin1.env", latin1);
    let mut config = Config::parse("exclude = [\"vendor/**\"]", Path::new("s.toml")).unwrap();
    config.secrets.max_file_size = Some(1024);
    let out = scan_with(root, &config, &ScanOptions::default());
    let paths: Vec<&str> = out
        .findings
        .iter()
        .map(|f| f.location.path.as_str())
        .collect();
    assert_eq!(paths, vec!["latin1.env"], "{:?}", out.notifications);
    assert_eq!(out.findings[0].location.start_line, 2);
    let big = out
        .notifications
        .iter()
        .find(|n| n.message.contains("big.env"))
        .expect("oversize file reported");
    assert_eq!(big.level, NotificationLevel::Warning);
    assert!(out
        .notifications
        .iter()
        .any(|n| n.level == NotificationLevel::Note && n.message.contains("img.bin")));
    // --no-ignore scans the ignored folder too.
    let mut opts = ScanOptions::default();
    opts.secrets.no_ignore = true;
    let out = scan_with(root, &config, &opts);
    assert!(out
        .findings
        .iter()
        .any(|f| f.location.path == "ignored/a.env"));
    assert!(!out
        .findings
        .iter()
        .any(|f| f.location.path.starts_with(".git/")));
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_warnings_not_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "sub/a.env",
        format!("URL=postgres://app:{PG_PASS}@db/app\n"),
    );
    std::os::unix::fs::symlink(root.join("sub"), root.join("sub/loop")).unwrap();
    let mut opts = ScanOptions::default();
    opts.secrets.follow_symlinks = true;
    let out = scan_with(root, &Config::default(), &opts);
    assert_eq!(out.findings.len(), 1);
    let w = out
        .notifications
        .iter()
        .find(|n| n.message.contains("loop"))
        .expect("loop reported");
    assert_eq!(w.level, NotificationLevel::Warning);
    // Without --follow-symlinks the link is not even looked at.
    let out = scan(root);
    assert_eq!(out.findings.len(), 1);
    assert!(!out.notifications.iter().any(|n| n.message.contains("loop")));
}

#[test]
fn bad_user_rule_file_is_an_error_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "rules.toml",
        "[[rule]]\nid = \"acme\"\nname = \"Acme\"\nseverity = \"high\"\nkeywords = [\"acme_\"]\nregex = '(acme_'\ndescription = \"d\"\n",
    );
    write(
        root,
        "good.toml",
        "[[rule]]\nid = \"database-uri-postgres\"\nname = \"Override\"\nseverity = \"low\"\nkeywords = [\"acme_\"]\nregex = '''\\b(acme_[a-z0-9]{20})\\b'''\ndescription = \"d\"\nexamples = [\"acme_k3j9d8f7g6h5l4m2n1p0\"]\n",
    );
    write(
        root,
        "x.env",
        format!("URL=postgres://app:{PG_PASS}@db/app\nK=acme_k3j9d8f7g6h5l4m2n1p0\n"),
    );
    let config = Config::parse(
        "[secrets]\nrules = [\"rules.toml\", \"good.toml\", \"missing.toml\"]\n",
        Path::new("s.toml"),
    )
    .unwrap();
    let out = scan_with(root, &config, &ScanOptions::default());
    let errors: Vec<&str> = out
        .notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Error)
        .map(|n| n.message.as_str())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors
        .iter()
        .any(|e| e.starts_with("rules.toml:1:") && e.contains("invalid regex")));
    assert!(errors.iter().any(|e| e.starts_with("missing.toml")));
    // The override replaced the built-in postgres rule: only the acme token is found.
    let found: Vec<(&str, u32)> = out
        .findings
        .iter()
        .filter(|f| f.location.path == "x.env")
        .map(|f| (f.rule_id.as_str(), f.location.start_line))
        .collect();
    assert_eq!(found, vec![("secret/database-uri-postgres", 2)]);
    assert_eq!(out.findings[0].severity, stagegate::finding::Severity::Low);
}

#[test]
fn staged_mode_scans_index_content_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(root, "app.env", "A=1\n");
    git(root, &["add", "app.env"]);
    git(root, &["commit", "-qm", "init"]);
    // Staged: a secret on line 2. Working tree: the secret moved away (unstaged edit).
    write(
        root,
        "app.env",
        format!("A=1\nURL=postgres://app:{PG_PASS}@db/app\n"),
    );
    git(root, &["add", "app.env"]);
    write(root, "app.env", "A=1\n");
    write(
        root,
        "untracked.env",
        format!("URL=postgres://app:{PG_PASS}@db/app\n"),
    );
    let mut opts = ScanOptions::default();
    opts.secrets.mode = SecretsMode::Staged;
    let out = scan_with(root, &Config::default(), &opts);
    let found: Vec<(&str, u32)> = out
        .findings
        .iter()
        .map(|f| (f.location.path.as_str(), f.location.start_line))
        .collect();
    assert_eq!(found, vec![("app.env", 2)], "{:?}", out.notifications);
    assert_eq!(out.stats.files, 1);
}

/// The staged blobs come from one `git diff --cached --raw`: a renamed file is scanned under
/// its new name (a rename record carries two paths), and a scan rooted in a subdirectory sees
/// only that directory's changes, with paths relative to it.
#[test]
fn staged_mode_follows_renames_and_subdirectories() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    let body = format!("A=1\nB=2\nC=3\nURL=postgres://app:{PG_PASS}@db/app\n");
    write(root, "old.env", &body);
    write(root, "sub/keep.txt", "nothing here\n");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "init"]);
    git(root, &["mv", "old.env", "sub/new.env"]);
    write(
        root,
        "sub/deeper/more.env",
        format!("URL=postgres://app:{PG_PASS}@db2/app\n"),
    );
    write(
        root,
        "top.env",
        format!("URL=postgres://app:{PG_PASS}@db3/app\n"),
    );
    git(root, &["add", "-A"]);
    let mut opts = ScanOptions::default();
    opts.secrets.mode = SecretsMode::Staged;
    let found = |at: &std::path::Path| {
        let out = scan_with(at, &Config::default(), &opts);
        let mut v: Vec<(String, u32)> = out
            .findings
            .iter()
            .map(|f| (f.location.path.clone(), f.location.start_line))
            .collect();
        v.sort();
        (v, out.stats.files)
    };
    assert_eq!(
        found(root),
        (
            vec![
                ("sub/deeper/more.env".to_string(), 1),
                ("sub/new.env".to_string(), 4),
                ("top.env".to_string(), 1),
            ],
            3
        )
    );
    assert_eq!(
        found(&root.join("sub")),
        (
            vec![
                ("deeper/more.env".to_string(), 1),
                ("new.env".to_string(), 4)
            ],
            2
        )
    );
}

#[test]
fn an_explicit_scan_of_nothing_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "only.bin", b"\x00\x01\x02");
    let out = scan(dir.path());
    assert!(out
        .notifications
        .iter()
        .any(|n| n.level == NotificationLevel::Error && n.message.contains("no text file")));
    write(dir.path(), "a.txt", "hello\n");
    let out = scan(dir.path());
    assert!(!out
        .notifications
        .iter()
        .any(|n| n.level == NotificationLevel::Error));
}

#[test]
fn git_modes_outside_a_repository_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    for mode in [SecretsMode::Staged, SecretsMode::History { since: None }] {
        let mut opts = ScanOptions::default();
        opts.secrets.mode = mode;
        let out = scan_with(dir.path(), &Config::default(), &opts);
        let e = out
            .notifications
            .iter()
            .find(|n| n.level == NotificationLevel::Error)
            .expect("error notification");
        assert!(e.message.contains("not one"), "{}", e.message);
    }
}

#[test]
fn history_scans_each_blob_once_and_attributes_the_introducing_commit() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(root, "README", "hello\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "one"]);
    let secret_line = format!("URL=postgres://app:{PG_PASS}@db/app\n");
    write(root, "cfg/app.env", &secret_line);
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "two: add secret"]);
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
    // The same blob copied elsewhere, then the secret removed: still found once, in history.
    write(root, "copy/app.env", &secret_line);
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "three: copy"]);
    git(root, &["rm", "-q", "cfg/app.env", "copy/app.env"]);
    git(root, &["commit", "-qm", "four: remove"]);
    git(root, &["checkout", "-qb", "side"]);
    write(root, "side.env", "K=mysql://u:Tq2vX9mLp7zR@db/x\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "five: side branch"]);
    git(root, &["checkout", "-q", "main"]);
    let mut opts = ScanOptions::default();
    opts.secrets.mode = SecretsMode::History { since: None };
    let out = scan_with(root, &Config::default(), &opts);
    let pg: Vec<_> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == "secret/database-uri-postgres")
        .collect();
    assert_eq!(pg.len(), 1, "one blob, one finding: {:?}", out.findings);
    assert_eq!(pg[0].location.path, "cfg/app.env");
    assert_eq!(pg[0].location.commit.as_deref(), Some(intro.as_str()));
    assert_eq!(pg[0].properties["commit"], intro.as_str());
    assert_eq!(pg[0].properties["author"], "Dev One <dev@example.com>");
    assert!(pg[0].properties["commit_date"]
        .as_str()
        .unwrap()
        .starts_with("20"));
    assert!(
        out.findings.iter().any(|f| f.location.path == "side.env"),
        "all refs are scanned"
    );
    assert_eq!(out.stats.commits, 5);
    assert_eq!(out.stats.blobs, 3, "README, app.env (once), side.env");
    // --since limits to commits after REV: the copy (commit three) re-introduces the blob at a
    // new path inside the range; the original commit is outside it.
    opts.secrets.mode = SecretsMode::History {
        since: Some(intro.clone()),
    };
    let out = scan_with(root, &Config::default(), &opts);
    let mut paths: Vec<&str> = out
        .findings
        .iter()
        .map(|f| f.location.path.as_str())
        .collect();
    paths.sort();
    assert_eq!(paths, vec!["copy/app.env", "side.env"]);
    assert_eq!(out.stats.commits, 3);
    opts.secrets.mode = SecretsMode::History {
        since: Some("no-such-rev".into()),
    };
    let out = scan_with(root, &Config::default(), &opts);
    assert!(out
        .notifications
        .iter()
        .any(|n| n.level == NotificationLevel::Error));
}

#[test]
fn history_finds_secrets_introduced_by_a_merge_resolution() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(root, "app.env", "A=1\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "base"]);
    git(root, &["checkout", "-qb", "side"]);
    write(root, "app.env", "A=2\n");
    git(root, &["commit", "-qam", "side"]);
    git(root, &["checkout", "-q", "main"]);
    write(root, "app.env", "A=3\n");
    git(root, &["commit", "-qam", "main"]);
    // The merge conflicts; its resolution is a blob that neither parent has.
    let _ = Command::new("git")
        .args([
            "-c",
            "user.name=Dev One",
            "-c",
            "user.email=dev@example.com",
        ])
        .args(["merge", "-q", "side"])
        .current_dir(root)
        .output()
        .unwrap();
    write(
        root,
        "app.env",
        format!("A=4\nURL=postgres://app:{PG_PASS}@db/app\n"),
    );
    git(root, &["add", "app.env"]);
    git(root, &["commit", "-qm", "merge side"]);
    let merge = String::from_utf8(
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
    let mut opts = ScanOptions::default();
    opts.secrets.mode = SecretsMode::History { since: None };
    let out = scan_with(root, &Config::default(), &opts);
    assert_eq!(out.findings.len(), 1, "{:?}", out.notifications);
    assert_eq!(
        out.findings[0].location.commit.as_deref(),
        Some(merge.as_str())
    );
    assert_eq!(out.findings[0].location.start_line, 2);
}

#[test]
fn tree_scan_feeds_the_progress_counters() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.txt"), "hello\n").unwrap();
    std::fs::write(d.path().join("b.txt"), "world!\n").unwrap();
    let progress = stagegate::progress::Progress::new();
    let config = stagegate::scanners::ValidConfig::default();
    let options = stagegate::scanners::ScanOptions {
        progress: Some(progress.clone()),
        ..stagegate::scanners::ScanOptions::default()
    };
    let ctx = stagegate::scanners::ScanContext::new(d.path(), &config, &options).explicit(true);
    let out = stagegate::scanners::builtin(stagegate::finding::ScannerKind::Secrets).scan(&ctx);
    let snap = progress.snapshot();
    assert_eq!(snap.files, 2);
    assert_eq!(snap.bytes, 13);
    assert_eq!(out.stats.files, 2);
}
