//! Cloning and updating the advisory database with the `git` command line.
//!
//! The only network access of the advisories scanner. Shelling out to `git` keeps libgit2 and
//! an HTTP stack out of the build, and picks up the runner's proxy and credential settings.
//! Every `git` runs through [`git`], which clears the repository-selecting environment
//! variables (`GIT_DIR`, `GIT_WORK_TREE`, `GIT_INDEX_FILE`…) as cargo-deny does: inside a git
//! hook they point at the *user's* repository, and `git fetch` would write into it.

use std::path::Path;
use std::process::Command;

use crate::error::Error;

/// Where the RustSec advisory database lives (the default of `--db-url` / `[advisories] db_url`).
pub const ADVISORY_DB_URL: &str = "https://github.com/rustsec/advisory-db";

/// The variables `git rev-parse --local-env-vars` lists: they select a repository, an index
/// or object store, and must not leak from the caller into our commands.
pub const GIT_LOCAL_ENV: &[&str] = &[
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_OBJECT_DIRECTORY",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_GRAFT_FILE",
    "GIT_INDEX_FILE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_REPLACE_REF_BASE",
    "GIT_PREFIX",
    "GIT_SHALLOW_FILE",
    "GIT_COMMON_DIR",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
];

/// A `git` command with the caller's repository selection cleared and interactive prompts
/// off (a CI job must fail, not wait for a password).
pub fn git() -> Command {
    let mut c = Command::new("git");
    for v in GIT_LOCAL_ENV {
        c.env_remove(v);
    }
    c.env("GIT_TERMINAL_PROMPT", "0");
    c
}

/// What [`fetch_db_from`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchOutcome {
    /// A fresh shallow clone.
    Cloned,
    /// An existing checkout was moved to the remote's newest commit.
    Updated,
}

impl FetchOutcome {
    /// Past-tense verb for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchOutcome::Cloned => "cloned",
            FetchOutcome::Updated => "updated",
        }
    }
}

/// Clones [`ADVISORY_DB_URL`] into `dest`, or updates `dest` when it is already a checkout.
pub fn fetch_db(dest: &Path) -> Result<FetchOutcome, Error> {
    fetch_db_from(ADVISORY_DB_URL, dest)
}

/// Clones `url` (a URL or a local path: mirrors, tests) into `dest` (shallow), or, when `dest`
/// is already a checkout, fetches the remote's `HEAD` and resets to it — the database is
/// read-only data, and a reset survives force-pushes and shallow histories where
/// `git pull --ff-only` does not.
pub fn fetch_db_from(url: &str, dest: &Path) -> Result<FetchOutcome, Error> {
    if dest.join(".git").exists() {
        run(
            git()
                .arg("-C")
                .arg(dest)
                .args(["fetch", "--quiet", "--depth", "1", "--no-tags", "--"])
                .arg(url)
                .arg("HEAD"),
            dest,
            url,
            "git fetch",
        )?;
        run(
            git()
                .arg("-C")
                .arg(dest)
                .args(["reset", "--quiet", "--hard", "FETCH_HEAD"]),
            dest,
            url,
            "git reset",
        )?;
        return Ok(FetchOutcome::Updated);
    }
    let non_empty = std::fs::read_dir(dest)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if non_empty {
        return Err(Error::input(
            dest,
            None,
            "exists and is not a git checkout of the advisory database; remove it or choose \
             another --db directory",
        ));
    }
    if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| Error::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    run(
        git()
            .args(["clone", "--quiet", "--depth", "1", "--no-tags", "--"])
            .arg(url)
            .arg(dest),
        dest,
        url,
        "git clone",
    )?;
    Ok(FetchOutcome::Cloned)
}

/// `url` without user information (`https://user:token@host/x` → `https://host/x`): a mirror
/// URL may carry a credential, and messages must never show one.
pub fn display_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let host_end = rest.find('/').unwrap_or(rest.len());
    match rest[..host_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

fn run(cmd: &mut Command, dest: &Path, url: &str, what: &str) -> Result<(), Error> {
    let out = cmd.output().map_err(|e| {
        Error::input(
            dest,
            None,
            format!("cannot run `{what}`: {e} (is git installed and on PATH?)"),
        )
    })?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr).replace(url, &display_url(url));
    Err(Error::input(
        dest,
        None,
        format!(
            "`{what}` from {} failed: {}",
            display_url(url),
            stderr.trim()
        ),
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn git_in(dir: &Path, args: &[&str]) {
        let ok = git()
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    }

    /// A local repository standing in for the advisory database.
    pub(crate) fn origin(dir: &Path) -> String {
        std::fs::create_dir_all(dir.join("crates/x")).unwrap();
        std::fs::write(dir.join("crates/x/RUSTSEC-2020-0001.md"), "one").unwrap();
        git_in(dir, &["init", "--quiet"]);
        git_in(dir, &["add", "."]);
        git_in(dir, &["commit", "--quiet", "-m", "one"]);
        format!("file://{}", dir.display())
    }

    #[test]
    fn clones_then_updates_from_a_local_repository() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("src");
        let url = origin(&src);
        let dest = t.path().join("deep/db");
        assert_eq!(fetch_db_from(&url, &dest).unwrap(), FetchOutcome::Cloned);
        assert!(dest.join("crates/x/RUSTSEC-2020-0001.md").is_file());
        std::fs::write(src.join("crates/x/RUSTSEC-2020-0002.md"), "two").unwrap();
        git_in(&src, &["add", "."]);
        git_in(&src, &["commit", "--quiet", "-m", "two"]);
        assert_eq!(fetch_db_from(&url, &dest).unwrap(), FetchOutcome::Updated);
        assert!(dest.join("crates/x/RUSTSEC-2020-0002.md").is_file());
        // A rewritten upstream history (force push) still updates.
        git_in(&src, &["commit", "--quiet", "--amend", "-m", "rewritten"]);
        assert_eq!(fetch_db_from(&url, &dest).unwrap(), FetchOutcome::Updated);
    }

    #[test]
    fn refuses_a_non_empty_directory_that_is_not_a_checkout() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("file"), "x").unwrap();
        let e = fetch_db_from("file:///nonexistent", t.path()).unwrap_err();
        assert!(e.to_string().contains("not a git checkout"), "{e}");
        let e = fetch_db_from("file:///nonexistent/repo", &t.path().join("new")).unwrap_err();
        assert!(e.to_string().contains("git clone"), "{e}");
    }

    #[test]
    fn urls_lose_their_credentials_in_messages() {
        assert_eq!(
            display_url("https://oauth2:s3cr3t@git.example.com/mirror/advisory-db"),
            "https://git.example.com/mirror/advisory-db"
        );
        assert_eq!(display_url("file:///srv/db"), "file:///srv/db");
        assert_eq!(display_url("/srv/db"), "/srv/db");
        let t = tempfile::tempdir().unwrap();
        let e = fetch_db_from("https://user:s3cr3t@127.0.0.1:1/none", &t.path().join("db"))
            .unwrap_err()
            .to_string();
        assert!(!e.contains("s3cr3t"), "{e}");
    }
}
