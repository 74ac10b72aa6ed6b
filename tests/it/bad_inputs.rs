//! Bad-input suite: malformed, truncated, huge, deep, looping and unreadable inputs of every
//! kind the binary reads. Each run must end by itself (watchdog) within an address-space limit,
//! never panic, name the bad file (and line where there is one), exit as the contract says
//! (2 = input error; a warning only reports), and still report the known findings planted
//! beside the bad file.
//!
//! Static cases are folders under `tests/bad_inputs/cases/` (written by `make_cases.py`): `repo/`
//! is scanned, `expect.toml` says what must happen. Cases that need the file system at test time
//! (sparse and huge files, FIFOs, symlink loops, permissions, non-UTF-8 names, git) are the
//! functions below.

use crate::common::util;

use std::path::Path;
use std::process::Command;

use serde::Deserialize;
use util::{assert_canaries, has_finding, run, run_in, write_canaries, Out};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    exit: i32,
    #[serde(default)]
    stdout: Vec<String>,
    #[serde(default)]
    stderr: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
    error_at: Option<String>,
    #[serde(default)]
    findings: Vec<String>,
    canary: bool,
}

fn check_case(case_dir: &Path) -> Result<(), String> {
    let name = case_dir.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(case_dir.join("expect.toml"))
        .map_err(|e| format!("{name}: expect.toml: {e}"))?;
    let expect: Expect = toml::from_str(&text).map_err(|e| format!("{name}: expect.toml: {e}"))?;
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    util::copy_tree(&case_dir.join("repo"), &repo);
    if expect.canary {
        write_canaries(&repo);
    }
    let repo_s = repo.to_string_lossy().into_owned();
    let mut args: Vec<String> = vec![
        "scan".into(),
        repo_s.clone(),
        "--format".into(),
        "json".into(),
    ];
    if !expect.args.iter().any(|a| a == "--db") {
        args.push("--db".into());
        args.push(util::fixture_db().to_string_lossy().into_owned());
    }
    args.extend(expect.args.iter().map(|a| a.replace("{repo}", &repo_s)));
    let out = run_in(tmp.path(), &args, &[]);
    let r = std::panic::catch_unwind(|| verify(&name, &expect, &out));
    r.map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| format!("{name}: failed"))
    })
}

fn verify(name: &str, expect: &Expect, out: &Out) {
    out.assert_sane(name);
    assert_eq!(
        out.code,
        Some(expect.exit),
        "{name}: exit code\nstderr: {}\nstdout: {}",
        out.stderr,
        out.stdout
    );
    for s in &expect.stdout {
        assert!(
            out.stdout.contains(s.as_str()),
            "{name}: stdout lacks {s:?}\n{}",
            out.stdout
        );
    }
    for s in &expect.stderr {
        assert!(
            out.stderr.contains(s.as_str()),
            "{name}: stderr lacks {s:?}\n{}",
            out.stderr
        );
    }
    if !out.stdout.trim().is_empty() {
        let report = out.json(name);
        if let Some(path) = &expect.error_at {
            let notes = report["notifications"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert!(
                notes.iter().any(|n| n["level"] == "error"
                    && n["location"]["path"] == path.as_str()
                    && n["location"]["start_line"].as_u64().is_some_and(|l| l >= 1)),
                "{name}: no error notification located in {path} (with a line)\n{}",
                out.stdout
            );
        }
        for f in &expect.findings {
            let (rule, path) = f.split_once('@').expect("rule@path");
            assert!(
                has_finding(&report, rule, path),
                "{name}: {rule} at {path} not reported\n{}",
                out.stdout
            );
        }
    } else {
        assert!(
            expect.error_at.is_none() && expect.findings.is_empty(),
            "{name}: no report"
        );
    }
    if expect.canary {
        assert_canaries(name, out);
    }
}

#[test]
fn static_cases() {
    let dir = util::root().join("tests/bad_inputs/cases");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expect.toml").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 90, "only {} static cases", cases.len());
    // Two workers: the machine has two cores.
    let chunks: Vec<Vec<_>> = (0..2)
        .map(|w| cases.iter().skip(w).step_by(2).cloned().collect())
        .collect();
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|c| check_case(c).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// A temp repo with the canaries planted.
fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write_canaries(d.path());
    d
}

fn scan(dir: &Path, extra: &[&str]) -> Out {
    let mut args = vec!["scan", "."];
    if !extra.contains(&"--format") {
        args.extend_from_slice(&["--format", "json"]);
    }
    args.extend_from_slice(extra);
    let db = util::fixture_db();
    let db = db.to_str().unwrap().to_string();
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    if !extra.contains(&"--db") {
        all.push("--db".into());
        all.push(db);
    }
    run_in(dir, &all, &[])
}

fn notification_about(report: &serde_json::Value, path: &str, level: &str) -> bool {
    report["notifications"].as_array().is_some_and(|ns| {
        ns.iter().any(|n| {
            n["level"] == level
                && (n["location"]["path"] == path
                    || n["message"].as_str().is_some_and(|m| m.contains(path)))
        })
    })
}

#[test]
fn sparse_2gib_files_are_skipped_with_a_message_not_read() {
    let d = repo();
    let p = d.path();
    std::fs::create_dir_all(p.join("deploy/uat")).unwrap();
    std::fs::create_dir_all(p.join("deploy/prod")).unwrap();
    std::fs::write(p.join("deploy/prod/app.json"), "{\"a\": 1}\n").unwrap();
    for f in ["big.bin", "deploy/uat/app.json", "Cargo.lock"] {
        std::fs::File::create(p.join(f))
            .unwrap()
            .set_len(2 << 30)
            .unwrap();
    }
    // The memory limit (2 GiB of address space) fails any run that reads one of them whole.
    // The secrets scanner has no size limit by default: it reads big.bin in bounded chunks,
    // and its first chunk (NUL bytes) already says it is binary.
    let out = scan(p, &[]);
    out.assert_sane("sparse");
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    let report = out.json("sparse");
    assert!(
        notification_about(&report, "big.bin", "note"),
        "{}",
        out.stdout
    );
    assert!(
        notification_about(&report, "deploy/uat/app.json", "error"),
        "{}",
        out.stdout
    );
    assert!(
        notification_about(&report, "Cargo.lock", "error"),
        "{}",
        out.stdout
    );
    assert_canaries("sparse", &out);
}

#[test]
fn a_50_mib_single_line_is_scanned_within_bounds() {
    let d = repo();
    let p = d.path();
    let mut line = vec![b'k'; 50 << 20];
    let key = b" AKIAZXCVBNMASDFGHJ23 ";
    let at = 30 << 20;
    line[at..at + key.len()].copy_from_slice(key);
    std::fs::write(p.join("oneline.txt"), &line).unwrap();
    std::fs::write(
        p.join("stagegate.toml"),
        "[secrets]\nmax_file_size = 104857600\n",
    )
    .unwrap();
    let out = scan(p, &[]);
    out.assert_sane("50 MiB line");
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let report = out.json("50 MiB line");
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"]["path"] == "oneline.txt")
        .unwrap_or_else(|| panic!("key in the long line not found\n{}", out.stdout));
    assert_eq!(f["location"]["start_line"], 1);
    assert_eq!(f["location"]["start_column"], (at + 2) as u64);
    assert_canaries("50 MiB line", &out);
    // Without a limit (the default) the file is read in bounded chunks: same finding, same
    // place; with a lower explicit limit it is skipped with a warning naming it.
    std::fs::remove_file(p.join("stagegate.toml")).unwrap();
    let out = scan(p, &[]);
    out.assert_sane("50 MiB line, no limit");
    let report = out.json("no limit");
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"]["path"] == "oneline.txt")
        .unwrap_or_else(|| panic!("key in the long line not found\n{}", out.stdout));
    assert_eq!(f["location"]["start_column"], (at + 2) as u64);
    std::fs::write(
        p.join("stagegate.toml"),
        "[secrets]\nmax_file_size = 1048576\n",
    )
    .unwrap();
    let out = scan(p, &[]);
    out.assert_sane("50 MiB line, explicit limit");
    assert!(
        notification_about(&out.json("x"), "oneline.txt", "warning"),
        "{}",
        out.stdout
    );
}

#[test]
fn symlink_loops_terminate_with_and_without_following() {
    use std::os::unix::fs::symlink;
    let d = repo();
    let p = d.path();
    symlink("loop2", p.join("loop1")).unwrap();
    symlink("loop1", p.join("loop2")).unwrap();
    std::fs::create_dir(p.join("sub")).unwrap();
    symlink("..", p.join("sub/up")).unwrap();
    symlink(".", p.join("self")).unwrap();
    symlink("/nonexistent/target", p.join("dangling.env")).unwrap();
    for extra in [&[][..], &["--scanners", "secrets"][..]] {
        let out = scan(p, extra);
        out.assert_sane("symlinks");
        assert_eq!(out.code, Some(1), "{}", out.stderr);
        assert!(has_finding(
            &out.json("symlinks"),
            "secret/aws-access-key-id",
            "canary.py"
        ));
    }
    let out = run_in(
        p,
        ["secrets", ".", "--format", "json", "--follow-symlinks"],
        &[],
    );
    out.assert_sane("symlinks followed");
    assert!(matches!(out.code, Some(1) | Some(2)), "{}", out.stderr);
    let report = out.json("symlinks followed");
    assert!(
        has_finding(&report, "secret/aws-access-key-id", "canary.py"),
        "{}",
        out.stdout
    );
    // Each finding once: a loop must not report the same file under many paths.
    let n = report["findings"].as_array().unwrap().len();
    assert!(
        n < 5,
        "{n} findings: the loop was walked repeatedly\n{}",
        out.stdout
    );
}

#[test]
fn unreadable_files_and_folders() {
    use std::os::unix::fs::PermissionsExt;
    let d = repo();
    let p = d.path();
    std::fs::create_dir_all(p.join("locked/deeper")).unwrap();
    std::fs::write(p.join("locked/deeper/a.txt"), "x").unwrap();
    std::fs::write(p.join("secret.txt"), "password = hunter2hunter2\n").unwrap();
    std::fs::create_dir_all(p.join("deploy/uat")).unwrap();
    std::fs::create_dir_all(p.join("deploy/prod")).unwrap();
    std::fs::write(p.join("deploy/uat/app.yaml"), "a: 1\n").unwrap();
    std::fs::write(p.join("deploy/prod/app.yaml"), "a: 1\n").unwrap();
    let ignored = util::permissions_are_ignored(p);
    for f in ["secret.txt", "deploy/uat/app.yaml", "locked"] {
        std::fs::set_permissions(p.join(f), std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let out = scan(p, &[]);
    // Restore so the temp dir can be removed.
    for f in ["secret.txt", "deploy/uat/app.yaml", "locked"] {
        std::fs::set_permissions(p.join(f), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    out.assert_sane("unreadable");
    assert_canaries("unreadable", &out);
    if ignored {
        // Running as root: mode 000 is still readable, so only "no crash, findings kept" is
        // testable here.
        assert_eq!(out.code, Some(1), "{}", out.stderr);
    } else {
        assert_eq!(out.code, Some(2), "{}", out.stderr);
        let report = out.json("unreadable");
        assert!(
            notification_about(&report, "deploy/uat/app.yaml", "error"),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains("secret.txt"), "{}", out.stdout);
    }
}

#[test]
fn fifos_do_not_hang_the_scan() {
    let d = repo();
    let p = d.path();
    std::fs::create_dir_all(p.join("deploy/uat")).unwrap();
    std::fs::create_dir_all(p.join("deploy/prod")).unwrap();
    std::fs::write(p.join("deploy/prod/app.yaml"), "a: 1\n").unwrap();
    for f in [
        "pipe.txt",
        "deploy/uat/app.yaml",
        "Cargo.lock",
        "stagegate-baseline.fifo",
    ] {
        let st = Command::new("mkfifo").arg(p.join(f)).status().unwrap();
        assert!(st.success());
    }
    // The watchdog fails the test if any reader blocks on a FIFO.
    let out = scan(p, &[]);
    out.assert_sane("fifo");
    assert!(matches!(out.code, Some(1) | Some(2)), "{}", out.stderr);
    assert_canaries("fifo", &out);
    let out = run_in(p, ["secrets", ".", "--format", "json", "--staged"], &[]);
    out.assert_sane("fifo staged (not a git repo)");
}

#[test]
fn non_utf8_file_names_and_content() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let d = repo();
    let p = d.path();
    let dir = p.join(OsStr::from_bytes(b"d\xe9j\xe0"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join(OsStr::from_bytes(b"caf\xe9.py")),
        b"token = \"AKIAMNBVCXZLKJHGFD23\" # caf\xe9\n",
    )
    .unwrap();
    std::fs::write(p.join(OsStr::from_bytes(b"\xff\xfe.env.uat")), b"A=\xff\n").unwrap();
    let out = scan(p, &[]);
    out.assert_sane("non-UTF-8");
    assert!(matches!(out.code, Some(1) | Some(2)), "{}", out.stderr);
    let report = out.json("non-UTF-8");
    assert_canaries("non-UTF-8", &out);
    let found = report["findings"].as_array().unwrap().iter().any(|f| {
        f["rule_id"] == "secret/aws-access-key-id"
            && f["location"]["path"]
                .as_str()
                .is_some_and(|s| s.ends_with(".py") && s != "canary.py")
    });
    assert!(
        found,
        "key in a non-UTF-8 named file not reported\n{}",
        out.stdout
    );
    // SARIF stays valid JSON with an encoded URI for the odd name.
    let out = scan(p, &["--format", "sarif"]);
    out.assert_sane("non-UTF-8 sarif");
    let sarif = out.json("non-UTF-8 sarif");
    assert_eq!(sarif["version"], "2.1.0");
}

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .unwrap();
    assert!(st.success(), "git {args:?}");
}

#[test]
fn empty_repository_and_empty_git_repository() {
    let d = tempfile::tempdir().unwrap();
    let out = scan(d.path(), &[]);
    out.assert_sane("empty folder");
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(
        out.json("empty")["findings"].as_array().map(Vec::len),
        Some(0)
    );
    git(d.path(), &["init", "-q"]);
    let out = scan(d.path(), &[]);
    out.assert_sane("git init");
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    for mode in ["--history", "--staged"] {
        let out = run_in(
            d.path(),
            ["secrets", ".", "--format", "json", mode],
            &[("HOME", "/nonexistent")],
        );
        out.assert_sane(mode);
        assert!(
            matches!(out.code, Some(0) | Some(2)),
            "{mode}: {}",
            out.stderr
        );
        if out.code == Some(2) {
            assert!(
                !out.stderr.trim().is_empty(),
                "{mode}: exit 2 without a message"
            );
        }
    }
}

#[test]
fn missing_or_empty_advisory_database_is_an_error_not_a_pass() {
    let d = repo();
    let p = d.path();
    std::fs::copy(
        util::root().join("tests/fixtures/advisories/v3/Cargo.lock"),
        p.join("Cargo.lock"),
    )
    .unwrap();
    let out = scan(p, &["--db", "/nonexistent/advisory-db"]);
    out.assert_sane("missing db");
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains("/nonexistent/advisory-db"),
        "{}",
        out.stderr
    );
    assert_canaries("missing db", &out);
    std::fs::create_dir(p.join("emptydb")).unwrap();
    let out = scan(p, &["--db", "emptydb"]);
    out.assert_sane("empty db");
    assert_eq!(
        out.code,
        Some(2),
        "an empty database must not pass: {}",
        out.stderr
    );
    assert!(out.stderr.contains("emptydb"), "{}", out.stderr);
}

#[test]
fn scan_root_that_is_missing_or_a_file() {
    let d = tempfile::tempdir().unwrap();
    let out = run_in(d.path(), ["scan", "nothere", "--format", "json"], &[]);
    out.assert_sane("missing root");
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("nothere"), "{}", out.stderr);
    std::fs::write(d.path().join("file.txt"), "x").unwrap();
    let out = run_in(d.path(), ["scan", "file.txt", "--format", "json"], &[]);
    out.assert_sane("root is a file");
    assert!(matches!(out.code, Some(0) | Some(2)), "{}", out.stderr);
}

#[test]
fn output_in_missing_read_only_or_non_folder() {
    use std::os::unix::fs::PermissionsExt;
    let d = repo();
    let p = d.path();
    for (flag, dest) in [
        ("--output", "missing/dir/report.json"),
        ("--sarif", "missing/dir/report.sarif"),
        ("--output", "canary.py/report.json"),
    ] {
        let out = scan(p, &[flag, dest]);
        out.assert_sane(dest);
        assert_eq!(out.code, Some(2), "{dest}: {}", out.stderr);
        assert!(
            out.stderr.contains(dest),
            "{dest}: message must name the path: {}",
            out.stderr
        );
        assert!(!p.join(dest).exists());
    }
    std::fs::create_dir(p.join("ro")).unwrap();
    std::fs::set_permissions(p.join("ro"), std::fs::Permissions::from_mode(0o555)).unwrap();
    let writable = std::fs::write(p.join("ro/probe"), "x").is_ok();
    let _ = std::fs::remove_file(p.join("ro/probe"));
    let out = scan(p, &["--sarif", "ro/report.sarif"]);
    std::fs::set_permissions(p.join("ro"), std::fs::Permissions::from_mode(0o755)).unwrap();
    out.assert_sane("read-only folder");
    if writable {
        // Root writes into a read-only folder anyway: the report must then be complete.
        assert_eq!(out.code, Some(1), "{}", out.stderr);
        let s: serde_json::Value =
            serde_json::from_slice(&std::fs::read(p.join("ro/report.sarif")).unwrap()).unwrap();
        assert_eq!(s["version"], "2.1.0");
    } else {
        assert_eq!(out.code, Some(2), "{}", out.stderr);
        assert!(out.stderr.contains("ro/report.sarif"), "{}", out.stderr);
    }
    let leftovers: Vec<_> = std::fs::read_dir(p.join("ro"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temp files left behind: {leftovers:?}"
    );
}

#[test]
fn config_path_errors_name_the_file() {
    let d = repo();
    let p = d.path();
    let out = scan(p, &["--config", "nothere.toml"]);
    out.assert_sane("missing config");
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("nothere.toml"), "{}", out.stderr);
    let out = scan(p, &["--config", "."]);
    out.assert_sane("config is a folder");
    assert_eq!(out.code, Some(2));
    let out = run(["scan", "--fail-on", "severe"]);
    out.assert_sane("bad flag");
    assert_eq!(out.code, Some(2));
}

#[test]
fn a_folder_where_a_config_file_is_expected() {
    let d = repo();
    let p = d.path();
    std::fs::create_dir_all(p.join("deploy/uat/app.yaml")).unwrap();
    std::fs::create_dir_all(p.join("deploy/prod")).unwrap();
    std::fs::write(p.join("deploy/prod/app.yaml"), "a: 1\n").unwrap();
    std::fs::create_dir_all(p.join("Cargo.lock")).unwrap();
    std::fs::create_dir_all(p.join(".stagegate-baseline.json")).unwrap();
    let out = scan(p, &[]);
    out.assert_sane("folders named like files");
    assert!(matches!(out.code, Some(1) | Some(2)), "{}", out.stderr);
    assert_canaries("folders named like files", &out);
}
