//! Small things users hit: a file or several paths as scan targets, `--since` with a date,
//! `-f`, and `--help` with examples.

use crate::common::util::{run, run_in, CANARY_KEY};

fn tree() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("config")).unwrap();
    std::fs::create_dir_all(t.path().join("other")).unwrap();
    for f in ["config/prod.env", "other/a.py", "b.py"] {
        std::fs::write(
            t.path().join(f),
            format!("aws_access_key_id = \"{CANARY_KEY}\"\n"),
        )
        .unwrap();
    }
    t
}

fn paths(out: &crate::common::util::Out) -> Vec<String> {
    let mut v: Vec<String> = out.json("report")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn a_file_is_a_scan_target() {
    let t = tree();
    let out = run_in(t.path(), ["secrets", "config/prod.env", "-f", "json"], &[]);
    out.assert_sane("file target");
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(paths(&out), vec!["config/prod.env"]);
}

#[test]
fn several_paths_at_once() {
    let t = tree();
    let out = run_in(t.path(), ["secrets", "config", "b.py", "-f", "json"], &[]);
    out.assert_sane("several paths");
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(paths(&out), vec!["b.py", "config/prod.env"]);
    let out = run_in(t.path(), ["secrets", "config", "nope.py"], &[]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("nope.py"), "{}", out.stderr);
}

#[test]
fn since_accepts_a_date() {
    let t = tree();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(t.path())
            .env("GIT_COMMITTER_DATE", "2020-01-01T00:00:00Z")
            .env("GIT_AUTHOR_DATE", "2020-01-01T00:00:00Z")
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "--quiet"]);
    git(&["add", "."]);
    git(&["commit", "--quiet", "-m", "old keys"]);
    let before = run_in(
        t.path(),
        [
            "secrets",
            ".",
            "--history",
            "--since",
            "2019-06-01",
            "-f",
            "json",
        ],
        &[],
    );
    before.assert_sane("since before");
    assert_eq!(before.code, Some(1), "{}", before.stderr);
    let after = run_in(
        t.path(),
        [
            "secrets",
            ".",
            "--history",
            "--since",
            "2021-01-01",
            "-f",
            "json",
        ],
        &[],
    );
    after.assert_sane("since after");
    assert_eq!(after.code, Some(0), "{}", after.stderr);
    let bad = run_in(
        t.path(),
        ["secrets", ".", "--history", "--since", "yesterday-ish"],
        &[],
    );
    assert_eq!(bad.code, Some(2));
    assert!(bad.stdout.contains("nor a date") || bad.stderr.contains("nor a date"));
}

#[test]
fn help_has_examples() {
    let out = run(["--help"]);
    assert_eq!(out.code, Some(0));
    assert!(out.stdout.contains("Examples:"), "{}", out.stdout);
    assert!(out.stdout.contains("stagegate secrets config/prod.env"));
}
