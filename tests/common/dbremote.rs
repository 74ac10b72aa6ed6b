//! A local git repository standing in for the RustSec advisory database (no network exists in
//! tests): a copy of `tests/fixtures/advisories/db` committed in a temp folder.
#![allow(dead_code)]

use crate::common::util;
use std::path::{Path, PathBuf};

/// Runs `git args…` in `dir` with a fixed identity and no inherited repository selection.
pub fn git(dir: &Path, args: &[&str]) {
    crate::common::util::git(dir, args);
}

/// Makes `dir` a git repository whose one commit, dated `date` (RFC 3339) when given, holds
/// everything in it.
pub fn commit_all(dir: &Path, message: &str, date: Option<&str>) {
    let env: Vec<(&str, &str)> = date
        .map(|d| vec![("GIT_COMMITTER_DATE", d), ("GIT_AUTHOR_DATE", d)])
        .unwrap_or_default();
    util::git_env(dir, &["init", "--quiet"], &env);
    util::git_env(dir, &["add", "."], &env);
    util::git_env(dir, &["commit", "--quiet", "-m", message], &env);
}

/// Creates the stand-in remote under `dir` and returns its `file://` URL.
pub fn advisory_remote(dir: &Path) -> String {
    let src = crate::common::crate_root().join("tests/fixtures/advisories/db");
    crate::common::util::copy_tree(&src, dir);
    commit_all(dir, "advisories", None);
    format!("file://{}", dir.display())
}

/// A project folder holding the v3 fixture lockfile (which locks crates with advisories).
pub fn project_with_lockfile(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(
        crate::common::crate_root().join("tests/fixtures/advisories/v3/Cargo.lock"),
        dir.join("Cargo.lock"),
    )
    .unwrap();
    dir.to_path_buf()
}
