//! The advisory database's life cycle through the binary: fetched on first use from a local
//! git repository standing in for RustSec (`--db-url`), reused while fresh, never fetched with
//! `--offline`, and git run with the caller's `GIT_DIR` cleared.

use crate::common::dbremote::{advisory_remote, git, project_with_lockfile};
use crate::common::util::{run_in, Out};

fn audit(cwd: &std::path::Path, db: &std::path::Path, extra: &[&str], env: &[(&str, &str)]) -> Out {
    let mut args = vec![
        "audit".to_string(),
        ".".to_string(),
        "--format".to_string(),
        "json".to_string(),
        "--no-yanked".to_string(),
        "--db".to_string(),
        db.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    run_in(cwd, args, env)
}

#[test]
fn first_run_clones_the_database_then_reuses_it() {
    let t = tempfile::tempdir().unwrap();
    let url = advisory_remote(&t.path().join("remote"));
    let proj = project_with_lockfile(&t.path().join("proj"));
    let db = t.path().join("cache/advisory-db");
    // The helper pins STAGEGATE_OFFLINE=1 for every test; this one opts back in.
    let online = [("STAGEGATE_OFFLINE", "0")];
    let out = audit(&proj, &db, &["--db-url", &url], &online);
    out.assert_sane("first run");
    assert_eq!(out.code, Some(1), "findings block: {}", out.stderr);
    let report = out.json("first run");
    let notes = report["notifications"].to_string();
    assert!(
        notes.contains("advisory database cloned from file://"),
        "{notes}"
    );
    assert!(db.join("crates").is_dir() && db.join(".git").is_dir());
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"]
                .as_str()
                .unwrap()
                .starts_with("advisory/RUSTSEC-")),
        "advisories matched"
    );
    // Second run: fresh, so no fetch even from a URL that cannot work.
    let out = audit(&proj, &db, &["--db-url", "file:///nowhere"], &online);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(!out.json("second run")["notifications"]
        .to_string()
        .contains("cloned"));
}

#[test]
fn offline_never_fetches_and_a_missing_database_is_exit_2() {
    let t = tempfile::tempdir().unwrap();
    let url = advisory_remote(&t.path().join("remote"));
    let proj = project_with_lockfile(&t.path().join("proj"));
    let db = t.path().join("cache/advisory-db");
    for flag in ["--offline", "--no-fetch"] {
        let out = audit(
            &proj,
            &db,
            &[flag, "--db-url", &url],
            &[("STAGEGATE_OFFLINE", "0")],
        );
        out.assert_sane(flag);
        assert_eq!(out.code, Some(2), "{flag}: {}", out.stderr);
        assert!(!db.exists(), "{flag} must not create the database");
    }
}

#[test]
fn config_db_url_and_a_hook_environment_work() {
    let t = tempfile::tempdir().unwrap();
    let url = advisory_remote(&t.path().join("remote"));
    let proj = project_with_lockfile(&t.path().join("proj"));
    git(&proj, &["init", "--quiet"]);
    std::fs::write(
        proj.join("stagegate.toml"),
        format!("[advisories]\ndb_url = \"{url}\"\n"),
    )
    .unwrap();
    let db = t.path().join("db");
    // Inside a git hook GIT_DIR points at the user's repository; the clone must not use it.
    let git_dir = proj.join(".git").display().to_string();
    let out = audit(
        &proj,
        &db,
        &[],
        &[
            ("STAGEGATE_OFFLINE", "0"),
            ("GIT_DIR", &git_dir),
            ("GIT_INDEX_FILE", &format!("{git_dir}/index")),
        ],
    );
    out.assert_sane("hook environment");
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(db.join("crates").is_dir());
    // The user's repository got no objects from the clone.
    assert!(!proj.join(".git/shallow").exists());
}

#[test]
fn db_fetch_subcommand_uses_the_mirror_url() {
    let t = tempfile::tempdir().unwrap();
    let url = advisory_remote(&t.path().join("remote"));
    let db = t.path().join("fetched");
    let db = db.display().to_string();
    let fetch = || {
        run_in(
            t.path(),
            ["db", "fetch", "--db", &db, "--db-url", &url],
            &[],
        )
    };
    let out = fetch();
    out.assert_sane("db fetch");
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("cloned"), "{}", out.stderr);
    let out = fetch();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("updated"), "{}", out.stderr);
}
