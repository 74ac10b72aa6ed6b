//! `stagegate db fetch`: clone or update the advisory database with the `git` command line.
//!
//! The only network access of the advisories scanner, and only on request. Shelling out to
//! `git` keeps libgit2 and an HTTP stack out of the default build.

use std::path::Path;
use std::process::Command;

use crate::error::Error;

/// Where the RustSec advisory database lives.
pub const ADVISORY_DB_URL: &str = "https://github.com/rustsec/advisory-db";

/// What [`fetch_db`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchOutcome {
    /// A fresh shallow clone.
    Cloned,
    /// An existing checkout was fast-forwarded.
    Updated,
}

/// Clones [`ADVISORY_DB_URL`] into `dest` (shallow), or `git pull`s it when `dest` is already a
/// checkout.
pub fn fetch_db(dest: &Path) -> Result<FetchOutcome, Error> {
    fetch_db_from(ADVISORY_DB_URL, dest)
}

/// [`fetch_db`] from another URL or local path (mirrors, tests).
pub fn fetch_db_from(url: &str, dest: &Path) -> Result<FetchOutcome, Error> {
    if dest.join(".git").exists() {
        run(
            Command::new("git")
                .arg("-C")
                .arg(dest)
                .args(["pull", "--ff-only", "--quiet"]),
            dest,
            "git pull",
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
        Command::new("git")
            .args(["clone", "--depth", "1", "--quiet", url])
            .arg(dest),
        dest,
        "git clone",
    )?;
    Ok(FetchOutcome::Cloned)
}

fn run(cmd: &mut Command, dest: &Path, what: &str) -> Result<(), Error> {
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
    let stderr = String::from_utf8_lossy(&out.stderr);
    Err(Error::input(
        dest,
        None,
        format!("`{what}` failed: {}", stderr.trim()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
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

    #[test]
    fn clones_then_updates_from_a_local_repository() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("src");
        std::fs::create_dir_all(src.join("crates/x")).unwrap();
        std::fs::write(src.join("crates/x/RUSTSEC-2020-0001.md"), "one").unwrap();
        git(&src, &["init", "--quiet"]);
        git(&src, &["add", "."]);
        git(&src, &["commit", "--quiet", "-m", "one"]);
        let url = format!("file://{}", src.display());
        let dest = t.path().join("deep/db");
        assert_eq!(fetch_db_from(&url, &dest).unwrap(), FetchOutcome::Cloned);
        assert!(dest.join("crates/x/RUSTSEC-2020-0001.md").is_file());
        std::fs::write(src.join("crates/x/RUSTSEC-2020-0002.md"), "two").unwrap();
        git(&src, &["add", "."]);
        git(&src, &["commit", "--quiet", "-m", "two"]);
        assert_eq!(fetch_db_from(&url, &dest).unwrap(), FetchOutcome::Updated);
        assert!(dest.join("crates/x/RUSTSEC-2020-0002.md").is_file());
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
}
