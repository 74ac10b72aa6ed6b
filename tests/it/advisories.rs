//! The advisories scanner end to end on checked-in fixtures: lockfiles in
//! `tests/fixtures/advisories/` and a small advisory database of our own
//! (`tests/fixtures/advisories/db/`, written from public RustSec facts).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::dbremote;
use crate::common::util::copy_tree;
use stagegate::finding::{Finding, NotificationLevel, Severity, SuppressionKind};
use stagegate::scanners::advisories::{audit, yanked, Sources};
use stagegate::scanners::ValidConfig as Config;
use stagegate::scanners::{ScanContext, ScanOptions, ScanOutput};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/advisories")
}

fn db() -> PathBuf {
    fixtures().join("db")
}

/// A scan root holding a copy of the v3 fixture lockfile (and optionally a config).
fn tree(config: Option<&str>) -> (tempfile::TempDir, Config) {
    let t = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("v3/Cargo.lock"),
        t.path().join("Cargo.lock"),
    )
    .unwrap();
    let cfg = match config {
        Some(text) => {
            let p = t.path().join("stagegate.toml");
            std::fs::write(&p, text).unwrap();
            Config::load(&p).unwrap()
        }
        None => Config::default(),
    };
    (t, cfg)
}

fn run_with(
    root: &Path,
    config: &Config,
    options: &ScanOptions,
    sources: &Sources,
    explicit: bool,
) -> ScanOutput {
    let ctx = ScanContext::new(root, config, options).explicit(explicit);
    audit(&ctx, sources)
}

fn run(root: &Path, config: &Config) -> ScanOutput {
    let sources = Sources {
        db: db(),
        cargo_home: None,
        full_load: false,
    };
    run_with(root, config, &ScanOptions::default(), &sources, true)
}

fn find<'a>(out: &'a ScanOutput, rule: &str, package: &str) -> Option<&'a Finding> {
    out.findings.iter().find(|f| {
        f.rule_id == rule && f.properties.get("package").and_then(|p| p.as_str()) == Some(package)
    })
}

fn advisory_keys(out: &ScanOutput) -> BTreeSet<(String, String, String)> {
    out.findings
        .iter()
        .filter(|f| f.properties.contains_key("kind"))
        .map(|f| {
            let s = |k: &str| f.properties[k].as_str().unwrap().to_string();
            (f.rule_id.clone(), s("package"), s("version"))
        })
        .collect()
}

fn errors(out: &ScanOutput) -> Vec<String> {
    out.notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Error)
        .map(|n| n.message.clone())
        .collect()
}

#[test]
fn finds_every_advisory_of_the_v3_lockfile() {
    let (t, cfg) = tree(None);
    let out = run(t.path(), &cfg);
    assert!(errors(&out).is_empty(), "{:?}", errors(&out));
    let want: BTreeSet<(String, String, String)> = [
        ("RUSTSEC-2020-0071", "time", "0.1.43"),
        ("RUSTSEC-2020-0159", "chrono", "0.4.19"),
        ("RUSTSEC-2021-0003", "smallvec", "1.6.0"),
        ("RUSTSEC-2021-0078", "hyper", "0.14.9"),
        ("RUSTSEC-2021-0079", "hyper", "0.14.9"),
        ("RUSTSEC-2021-0124", "tokio", "1.8.0"),
        ("RUSTSEC-2021-0139", "ansi_term", "0.12.1"),
        ("RUSTSEC-2021-0145", "atty", "0.2.14"),
        ("RUSTSEC-2022-0013", "regex", "1.5.4"),
    ]
    .iter()
    .map(|(id, p, v)| (format!("advisory/{id}"), p.to_string(), v.to_string()))
    .collect();
    assert_eq!(advisory_keys(&out), want);
    assert_eq!(out.stats.lockfiles, 1);
    assert_eq!(out.stats.advisories, 9);
    assert!(out.stats.packages > 50, "{}", out.stats.packages);
    // Every rule that produced a finding has metadata with help.
    let ids: BTreeSet<&str> = out.rules.iter().map(|r| r.id.as_str()).collect();
    for f in &out.findings {
        assert!(ids.contains(f.rule_id.as_str()), "{}", f.rule_id);
    }
    for r in &out.rules {
        assert!(r.help_markdown.contains("How to fix"), "{}", r.id);
        assert!(r.help_uri.is_some(), "{}", r.id);
    }
}

#[test]
fn vulnerability_finding_has_location_message_and_facts() {
    let (t, cfg) = tree(None);
    let out = run(t.path(), &cfg);
    let f = find(&out, "advisory/RUSTSEC-2021-0078", "hyper").unwrap();
    assert_eq!(
        f.message,
        "hyper 0.14.9: Lenient hyper header parsing of Content-Length could allow request smuggling (RUSTSEC-2021-0078, CVE-2021-32715); upgrade to 0.14.10 (semver-compatible); via app → hyper 0.14.9"
    );
    assert_eq!(f.severity, Severity::Medium); // CVSS 5.3
    let text = std::fs::read_to_string(t.path().join("Cargo.lock")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let l = &f.location;
    assert_eq!(l.path, "Cargo.lock");
    assert_eq!(lines[l.start_line as usize - 1], "name = \"hyper\"");
    assert_eq!(lines[l.end_line as usize - 1], "version = \"0.14.9\"");
    assert_eq!(l.end_column as usize, "version = \"0.14.9\"".len() + 1);
    let p = &f.properties;
    assert_eq!(p["advisory_id"], "RUSTSEC-2021-0078");
    assert_eq!(
        p["aliases"],
        serde_json::json!(["CVE-2021-32715", "GHSA-f3pg-qwvg-p99c"])
    );
    assert_eq!(p["cvss"], 5.3);
    assert_eq!(p["patched"], serde_json::json!([">=0.14.10"]));
    assert_eq!(p["fix_version"], "0.14.10");
    assert_eq!(p["fix_kind"], "compatible");
    assert_eq!(p["dependency_path"], "app → hyper 0.14.9");
    assert!(p["url"]
        .as_str()
        .unwrap()
        .starts_with("https://github.com/hyperium"));
    assert_eq!(f.suppression, None);
}

#[test]
fn severities_follow_cvss_kind_and_config() {
    let (t, cfg) = tree(None);
    let out = run(t.path(), &cfg);
    let sev = |rule: &str, pkg: &str| find(&out, rule, pkg).unwrap().severity;
    assert_eq!(
        sev("advisory/RUSTSEC-2021-0003", "smallvec"),
        Severity::Critical
    ); // 9.8
    assert_eq!(sev("advisory/RUSTSEC-2022-0013", "regex"), Severity::High); // 7.5
    assert_eq!(sev("advisory/RUSTSEC-2021-0124", "tokio"), Severity::High); // no CVSS
    assert_eq!(
        sev("advisory/RUSTSEC-2021-0139", "ansi_term"),
        Severity::Low
    ); // unmaintained
    assert_eq!(sev("advisory/RUSTSEC-2021-0145", "atty"), Severity::Medium); // unsound
    let tokio = find(&out, "advisory/RUSTSEC-2021-0124", "tokio").unwrap();
    assert_eq!(tokio.properties["fix_version"], "1.8.4");
    assert_eq!(tokio.properties["cvss"], serde_json::Value::Null);
    let ansi = find(&out, "advisory/RUSTSEC-2021-0139", "ansi_term").unwrap();
    assert_eq!(ansi.properties["kind"], "unmaintained");
    assert_eq!(ansi.properties["fix_version"], serde_json::Value::Null);
    assert!(ansi.message.contains("[unmaintained]"), "{}", ansi.message);

    let (t2, cfg2) = tree(Some(
        "[advisories]\nunmaintained = \"high\"\nunsound = \"note\"\n",
    ));
    let out2 = run(t2.path(), &cfg2);
    assert_eq!(
        find(&out2, "advisory/RUSTSEC-2021-0139", "ansi_term")
            .unwrap()
            .severity,
        Severity::High
    );
    assert_eq!(
        find(&out2, "advisory/RUSTSEC-2021-0145", "atty")
            .unwrap()
            .severity,
        Severity::Note
    );
}

#[test]
fn target_honours_affected_os() {
    let (t, cfg) = tree(None);
    let sources = Sources {
        db: db(),
        cargo_home: None,
        full_load: false,
    };
    let with = |triple: &str| {
        let mut o = ScanOptions::default();
        o.advisories.target = Some(triple.to_string());
        run_with(t.path(), &cfg, &o, &sources, true)
    };
    let win = with("x86_64-pc-windows-msvc");
    assert!(find(&win, "advisory/RUSTSEC-2021-0145", "atty").is_some());
    assert!(find(&win, "advisory/RUSTSEC-2020-0071", "time").is_none());
    let linux = with("x86_64-unknown-linux-gnu");
    assert!(find(&linux, "advisory/RUSTSEC-2021-0145", "atty").is_none());
    assert!(find(&linux, "advisory/RUSTSEC-2020-0071", "time").is_some());
}

#[test]
fn ignores_suppress_expire_and_report_unused() {
    let cfg_text = r#"[advisories]
max_age_days = 100000
ignore = [
  { id = "CVE-2021-32715", reason = "we run no HTTP/1 proxy", until = "2999-01-01" },
  { id = "RUSTSEC-2022-0013", reason = "patterns are static", until = "2020-01-01" },
  { id = "RUSTSEC-2019-0001", reason = "old" },
]
"#;
    let (t, cfg) = tree(Some(cfg_text));
    let out = run(t.path(), &cfg);
    let hyper = find(&out, "advisory/RUSTSEC-2021-0078", "hyper").unwrap();
    let s = hyper.suppression.as_ref().expect("suppressed by alias");
    assert_eq!(s.kind, SuppressionKind::External);
    assert_eq!(s.justification, "we run no HTTP/1 proxy");
    // The other hyper advisory has a different CVE: not suppressed.
    assert!(find(&out, "advisory/RUSTSEC-2021-0079", "hyper")
        .unwrap()
        .suppression
        .is_none());
    // Expired: no longer suppresses, and is itself a high finding at its line.
    assert!(find(&out, "advisory/RUSTSEC-2022-0013", "regex")
        .unwrap()
        .suppression
        .is_none());
    let expired: Vec<&Finding> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == "advisory/expired-ignore")
        .collect();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].severity, Severity::High);
    assert_eq!(expired[0].location.path, "stagegate.toml");
    assert_eq!(expired[0].location.start_line, 5);
    let unused: Vec<&Finding> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == "advisory/unused-ignore")
        .collect();
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0].severity, Severity::Note);
    assert_eq!(unused[0].location.start_line, 6);
    assert!(unused[0].message.contains("RUSTSEC-2019-0001"));
    // No stale-database finding with the raised limit.
    assert!(!out
        .findings
        .iter()
        .any(|f| f.rule_id == "advisory/stale-database"));
}

#[test]
fn stale_database_is_a_high_finding() {
    let (t, cfg) = tree(None);
    let out = run(t.path(), &cfg);
    let stale: Vec<&Finding> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == "advisory/stale-database")
        .collect();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0].severity, Severity::High);
    assert_eq!(stale[0].properties["last_updated"], "2022-03-08");
    assert_eq!(stale[0].properties["age_source"], "newest advisory date");
    assert!(stale[0].message.contains("stagegate db fetch"));
}

#[test]
fn missing_database_is_an_error_that_says_how_to_fetch() {
    let (t, cfg) = tree(None);
    let sources = Sources {
        db: t.path().join("no-such-db"),
        cargo_home: None,
        full_load: false,
    };
    let out = run_with(t.path(), &cfg, &ScanOptions::default(), &sources, false);
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("stagegate db fetch") && e[0].contains("--db"),
        "{}",
        e[0]
    );
    assert!(out.findings.is_empty());
}

#[test]
fn no_lockfile_is_an_error_only_when_asked_for() {
    let t = tempfile::tempdir().unwrap();
    let cfg = Config::default();
    let sources = Sources {
        db: db(),
        cargo_home: None,
        full_load: false,
    };
    let explicit = run_with(t.path(), &cfg, &ScanOptions::default(), &sources, true);
    assert!(errors(&explicit)[0].contains("no Cargo.lock found"));
    let plain = run_with(t.path(), &cfg, &ScanOptions::default(), &sources, false);
    assert!(errors(&plain).is_empty());
    assert_eq!(plain.notifications.len(), 1);
    assert_eq!(plain.notifications[0].level, NotificationLevel::Note);
    assert!(plain.findings.is_empty());

    std::fs::write(t.path().join("Cargo.lock"), "version = 3\n").unwrap();
    let empty = run_with(t.path(), &cfg, &ScanOptions::default(), &sources, true);
    assert!(
        errors(&empty)[0].contains("no packages"),
        "{:?}",
        errors(&empty)
    );
}

#[test]
fn one_bad_lockfile_does_not_hide_the_others() {
    let (t, cfg) = tree(None);
    std::fs::create_dir_all(t.path().join("broken")).unwrap();
    std::fs::write(
        t.path().join("broken/Cargo.lock"),
        "version = 3\n\n[[package]\nname = \"x\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(t.path().join("binary")).unwrap();
    std::fs::write(t.path().join("binary/Cargo.lock"), b"\xff\xfe\x00garbage").unwrap();
    let out = run(t.path(), &cfg);
    let e = errors(&out);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e.iter().any(|m| m.starts_with("broken/Cargo.lock:3:")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|m| m.starts_with("binary/Cargo.lock:1:") && m.contains("UTF-8")),
        "{e:?}"
    );
    assert!(find(&out, "advisory/RUSTSEC-2021-0078", "hyper").is_some());
}

#[test]
fn exclude_and_gitignore_hide_lockfiles() {
    let (t, cfg) = tree(Some("exclude = [\"vendor/**\"]\n"));
    std::fs::create_dir_all(t.path().join("vendor/x")).unwrap();
    std::fs::write(t.path().join("vendor/x/Cargo.lock"), "garbage").unwrap();
    let out = run(t.path(), &cfg);
    assert!(errors(&out).is_empty(), "{:?}", errors(&out));
    assert_eq!(out.stats.lockfiles, 1);
}

#[test]
fn fingerprints_survive_lines_moving() {
    let (t, cfg) = tree(None);
    let before = run(t.path(), &cfg);
    let text = std::fs::read_to_string(t.path().join("Cargo.lock")).unwrap();
    std::fs::write(t.path().join("Cargo.lock"), format!("# moved\n\n\n{text}")).unwrap();
    let after = run(t.path(), &cfg);
    let b = find(&before, "advisory/RUSTSEC-2021-0078", "hyper").unwrap();
    let a = find(&after, "advisory/RUSTSEC-2021-0078", "hyper").unwrap();
    assert_eq!(a.location.start_line, b.location.start_line + 3);
    assert_eq!(a.fingerprint, b.fingerprint);
    assert_ne!(
        a.fingerprint,
        find(&after, "advisory/RUSTSEC-2021-0079", "hyper")
            .unwrap()
            .fingerprint
    );
}

#[test]
fn yanked_versions_from_the_index_cache() {
    let (t, cfg) = tree(Some("[advisories]\nyanked = \"medium\"\n"));
    let home = tempfile::tempdir().unwrap();
    let cache = home
        .path()
        .join("registry/index/index.crates.io-1949cf8c6b5b557f/.cache");
    let write = |rel: &str, entries: &[(&str, bool)]| {
        let p = cache.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, yanked::encode_cache(entries)).unwrap();
    };
    write("hy/pe/hyper", &[("0.14.9", true), ("0.14.10", false)]);
    write("3/l/log", &[("0.4.14", false)]);
    let sources = Sources {
        db: db(),
        cargo_home: Some(home.path().to_path_buf()),
        full_load: false,
    };
    let out = run_with(t.path(), &cfg, &ScanOptions::default(), &sources, true);
    let y: Vec<&Finding> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == "advisory/yanked")
        .collect();
    assert_eq!(y.len(), 1);
    assert_eq!(y[0].severity, Severity::Medium);
    assert!(
        y[0].message.starts_with("hyper 0.14.9 was yanked"),
        "{}",
        y[0].message
    );
    assert!(out.rules.iter().any(|r| r.id == "advisory/yanked"));
    assert!(out
        .notifications
        .iter()
        .any(|n| n.message.contains("not in Cargo's local index cache")));

    // `--no-yanked` skips the check (and says nothing about the cache).
    let mut no_yanked = ScanOptions::default();
    no_yanked.advisories.no_yanked = true;
    let out = run_with(t.path(), &cfg, &no_yanked, &sources, true);
    assert!(!out.findings.iter().any(|f| f.rule_id == "advisory/yanked"));
    assert!(!out
        .notifications
        .iter()
        .any(|n| n.message.contains("index cache")));

    let none = tempfile::tempdir().unwrap();
    let sources = Sources {
        db: db(),
        cargo_home: Some(none.path().to_path_buf()),
        full_load: false,
    };
    let out = run_with(t.path(), &cfg, &ScanOptions::default(), &sources, true);
    assert!(!out.findings.iter().any(|f| f.rule_id == "advisory/yanked"));
    assert!(out
        .notifications
        .iter()
        .any(|n| n.level == NotificationLevel::Note
            && n.message.contains("yanked versions not checked")));
}

/// Synthetic advisories (ids in the reserved 0000 year) for behaviour the real ones do not cover.
#[test]
fn withdrawn_never_matches_and_malicious_is_critical() {
    let (t, cfg) = tree(None);
    let dbdir = tempfile::tempdir().unwrap();
    let write = |pkg: &str, id: &str, extra: &str| {
        let d = dbdir.path().join("crates").join(pkg);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join(format!("{id}.md")),
            format!("```toml\n[advisory]\nid = \"{id}\"\npackage = \"{pkg}\"\ndate = \"2024-01-01\"\n{extra}\n[versions]\npatched = []\n```\n\n# Synthetic {id}\n"),
        )
        .unwrap();
    };
    write("hyper", "RUSTSEC-0000-0001", "withdrawn = \"2024-02-01\"");
    write("regex", "RUSTSEC-0000-0002", "categories = [\"malicious\"]");
    write("tokio", "RUSTSEC-0000-0003", "informational = \"notice\"");
    std::fs::write(
        dbdir.path().join("crates/tokio/RUSTSEC-0000-0004.md"),
        "no front matter",
    )
    .unwrap();
    let sources = Sources {
        db: dbdir.path().to_path_buf(),
        cargo_home: None,
        full_load: false,
    };
    let out = run_with(t.path(), &cfg, &ScanOptions::default(), &sources, true);
    assert!(find(&out, "advisory/RUSTSEC-0000-0001", "hyper").is_none());
    let m = find(&out, "advisory/RUSTSEC-0000-0002", "regex").unwrap();
    assert_eq!(m.severity, Severity::Critical);
    assert!(m.message.contains("no fixed version"), "{}", m.message);
    assert_eq!(
        find(&out, "advisory/RUSTSEC-0000-0003", "tokio")
            .unwrap()
            .severity,
        Severity::Note
    );
    let warn: Vec<&str> = out
        .notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Warning)
        .map(|n| n.message.as_str())
        .collect();
    assert!(
        warn.iter()
            .any(|w| w.contains("RUSTSEC-0000-0004.md") && w.contains("front matter")),
        "{warn:?}"
    );
}

#[test]
fn demo_sample_has_findings_and_clean_sample_has_none() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let cfg = Config::parse(
        "[advisories]\ndb = \"advisory-db\"\nmax_age_days = 100000\n",
        Path::new("stagegate.toml"),
    )
    .unwrap();
    let audit_sample = |name: &str| {
        let root = samples.join(name);
        let sources = Sources {
            db: root.join("advisory-db"),
            cargo_home: None,
            full_load: false,
        };
        run_with(&root, &cfg, &ScanOptions::default(), &sources, true)
    };
    let demo = audit_sample("demo");
    assert!(errors(&demo).is_empty(), "{:?}", errors(&demo));
    assert_eq!(advisory_keys(&demo).len(), 8);
    assert!(demo
        .findings
        .iter()
        .any(|f| f.severity == Severity::Critical));
    let clean = audit_sample("clean");
    assert!(errors(&clean).is_empty(), "{:?}", errors(&clean));
    assert!(clean.findings.is_empty(), "{:?}", clean.findings);
    assert_eq!(clean.stats.lockfiles, 1);
}

/// The tiny fixture documented for the CLI tests keeps its promise.
#[test]
fn tiny_cli_fixture_has_the_documented_findings() {
    let root = fixtures().join("tiny");
    let cfg = Config::parse(
        "[advisories]\nmax_age_days = 100000\n",
        Path::new("stagegate.toml"),
    )
    .unwrap();
    let sources = Sources {
        db: db(),
        cargo_home: None,
        full_load: false,
    };
    let out = run_with(&root, &cfg, &ScanOptions::default(), &sources, true);
    let got: Vec<(String, Severity)> = {
        let mut v: Vec<_> = out
            .findings
            .iter()
            .map(|f| (f.rule_id.clone(), f.severity))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        got,
        vec![
            ("advisory/RUSTSEC-2021-0078".to_string(), Severity::Medium),
            ("advisory/RUSTSEC-2021-0079".to_string(), Severity::Critical),
            ("advisory/RUSTSEC-2021-0139".to_string(), Severity::Low),
        ]
    );
    let hyper = find(&out, "advisory/RUSTSEC-2021-0079", "hyper").unwrap();
    assert_eq!(hyper.location.start_line, 14);
    assert_eq!(hyper.properties["dependency_path"], "tiny → hyper 0.14.9");
}

#[test]
fn git_source_credentials_never_reach_a_notification() {
    let (t, cfg) = tree(None);
    let text = std::fs::read_to_string(t.path().join("Cargo.lock")).unwrap();
    let text = text.replace(
        "[[package]]\nname = \"winapi\"",
        "[[package]]\nname = \"private\"\nversion = \"0.1.0\"\nsource = \"git+https://oauth2:ghp_s3cretT0ken@git.example.com/org/private?rev=abc#0123456789abcdef0123456789abcdef01234567\"\n\n[[package]]\nname = \"winapi\"",
    );
    std::fs::write(t.path().join("Cargo.lock"), &text).unwrap();
    let out = run(t.path(), &cfg);
    let note = out
        .notifications
        .iter()
        .find(|n| n.message.contains("private 0.1.0 is a git dependency"))
        .expect("git dependency reported");
    assert!(
        note.message.contains("https://git.example.com/org/private"),
        "{}",
        note.message
    );
    let all = format!("{:?}{:?}", out.notifications, out.findings);
    assert!(!all.contains("s3cret"), "token leaked");
}

/// A git checkout is dated by its HEAD commit, not by its advisories, and loads the same.
#[test]
fn git_checkout_database_is_dated_by_its_head_commit() {
    let (t, cfg) = tree(None);
    let dbcopy = tempfile::tempdir().unwrap();
    let dest = dbcopy.path().join("advisory-db");
    copy_tree(&db(), &dest);
    dbremote::commit_all(&dest, "snapshot", Some("2023-05-06T12:00:00Z"));
    let sources = Sources {
        db: dest.clone(),
        cargo_home: None,
        full_load: false,
    };
    let out = run_with(t.path(), &cfg, &ScanOptions::default(), &sources, true);
    let stale = out
        .findings
        .iter()
        .find(|f| f.rule_id == "advisory/stale-database")
        .unwrap();
    assert_eq!(stale.properties["age_source"], "git HEAD commit date");
    assert_eq!(stale.properties["last_updated"], "2023-05-06");
    let plain = run(t.path(), &cfg);
    assert_eq!(advisory_keys(&out), advisory_keys(&plain));
}
