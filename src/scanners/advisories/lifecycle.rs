//! The advisory database's life cycle on a CI runner: fetched on first use, refreshed when
//! older than `max_age_days`, under a file lock so parallel jobs sharing one cache do not race.
//!
//! What is fetched and what is never touched:
//! * a missing (or empty) directory is cloned from the database URL;
//! * a git checkout (what a clone leaves, and what cargo-audit keeps in `~/.cargo/advisory-db`)
//!   is updated when its `HEAD` commit is older than `max_age_days`;
//! * any other directory (a vendored copy, a sample's own database) is used as it is — the
//!   stale-database finding still reports its age.
//!
//! With `--offline` / `--no-fetch` none of this runs: a missing database is the exit-2 error it
//! always was. A failed refresh of an existing checkout is a warning and the old copy is used; a
//! failed first clone is an error.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::fetch::{display_url, fetch_db_from, FetchOutcome, ADVISORY_DB_URL};
use crate::dates::IsoDate;
use crate::error::Error;

/// How long a job waits for another job's fetch before giving up.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(300);

/// Where and when to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Repository URL or local path (`--db-url`, `[advisories] db_url`, else RustSec's).
    pub url: String,
    /// A checkout whose `HEAD` is older than this many days is refreshed.
    pub max_age_days: u32,
}

impl FetchPolicy {
    /// The URL to use: the first given of `cli`, `config`, else [`ADVISORY_DB_URL`].
    pub fn url_of(cli: Option<&str>, config: Option<&str>) -> String {
        cli.or(config)
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .unwrap_or(ADVISORY_DB_URL)
            .to_string()
    }
}

/// What [`ensure`] did, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepared {
    /// Present and fresh enough (or not ours to refresh): nothing done.
    Ready,
    /// Cloned or updated.
    Fetched(FetchOutcome),
    /// An existing checkout could not be refreshed; the old copy is used. The message says why.
    RefreshFailed(String),
}

/// Whether `db` has to be fetched under `policy`: `Some(true)` to clone, `Some(false)` to
/// update, `None` to leave it alone.
fn needs_fetch(db: &Path, policy: &FetchPolicy, today: IsoDate) -> Option<bool> {
    let empty = std::fs::read_dir(db)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true);
    if empty {
        return Some(true);
    }
    if !db.join(".git").exists() {
        return None;
    }
    let stale = match super::db::Database::last_updated(db) {
        Some((date, _)) => (today.0 - date.0).whole_days() > i64::from(policy.max_age_days),
        None => true,
    };
    (stale || !db.join("crates").is_dir()).then_some(false)
}

/// Makes sure `db` is usable under `policy`: clones or refreshes it when needed, holding
/// [`DbLock`] while doing so. Errors only when there is no database to fall back on.
pub fn ensure(db: &Path, policy: &FetchPolicy) -> Result<Prepared, Error> {
    ensure_at(db, policy, IsoDate::today())
}

/// [`ensure`] with "today" given (the age check), for tests.
fn ensure_at(db: &Path, policy: &FetchPolicy, today: IsoDate) -> Result<Prepared, Error> {
    if needs_fetch(db, policy, today).is_none() {
        return Ok(Prepared::Ready);
    }
    let _lock = DbLock::acquire(db, LOCK_TIMEOUT)?;
    // Another job may have fetched while we waited for the lock.
    let Some(clone) = needs_fetch(db, policy, today) else {
        return Ok(Prepared::Ready);
    };
    match fetch_db_from(&policy.url, db) {
        Ok(outcome) => Ok(Prepared::Fetched(outcome)),
        Err(e) if !clone && db.join("crates").is_dir() => Ok(Prepared::RefreshFailed(format!(
            "could not refresh the advisory database from {}: {e}; using the existing copy",
            display_url(&policy.url)
        ))),
        Err(e) => Err(e),
    }
}

/// `stagegate db fetch`: clone or update `db` from `url` unconditionally, under the lock.
pub fn fetch_locked(url: &str, db: &Path) -> Result<FetchOutcome, Error> {
    let _lock = DbLock::acquire(db, LOCK_TIMEOUT)?;
    fetch_db_from(url, db)
}

/// An exclusive advisory lock on `<db>.lock` beside the database, released on drop. On Unix
/// it is `flock(2)`, so a killed job never leaves a stale lock behind; elsewhere it is a no-op
/// (parallel jobs on one Windows runner sharing a cache are rare; a race there costs a failed
/// clone, never a corrupted report).
#[derive(Debug)]
pub struct DbLock {
    _file: File,
    path: PathBuf,
}

impl DbLock {
    /// Path of the lock file of `db`.
    pub fn path_for(db: &Path) -> PathBuf {
        let name = db
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "advisory-db".to_string());
        db.with_file_name(format!("{name}.lock"))
    }

    /// Waits up to `timeout` for the lock.
    pub fn acquire(db: &Path, timeout: Duration) -> Result<DbLock, Error> {
        let path = Self::path_for(db);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
        lock(&file, &path, timeout)?;
        Ok(DbLock { _file: file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(unix)]
fn lock(file: &File, path: &Path, timeout: Duration) -> Result<(), Error> {
    use rustix::fs::{flock, FlockOperation};
    let start = Instant::now();
    loop {
        match flock(file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => return Ok(()),
            Err(e) if e == rustix::io::Errno::WOULDBLOCK || e == rustix::io::Errno::INTR => {}
            Err(e) => {
                return Err(Error::Io {
                    path: path.to_path_buf(),
                    source: e.into(),
                })
            }
        }
        if start.elapsed() >= timeout {
            return Err(Error::input(
                path,
                None,
                format!(
                    "another stagegate has held the advisory database lock for {}s; remove the \
                     lock file if no fetch is running",
                    timeout.as_secs()
                ),
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(not(unix))]
fn lock(_file: &File, _path: &Path, _timeout: Duration) -> Result<(), Error> {
    let _ = Instant::now();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::fetch::tests::{git_in, origin};
    use super::*;

    fn policy(url: &str) -> FetchPolicy {
        FetchPolicy {
            url: url.to_string(),
            max_age_days: 90,
        }
    }

    #[test]
    fn missing_database_is_cloned_then_left_alone_while_fresh() {
        let t = tempfile::tempdir().unwrap();
        let url = origin(&t.path().join("origin"));
        let db = t.path().join("cache/advisory-db");
        let p = policy(&url);
        assert_eq!(
            ensure(&db, &p).unwrap(),
            Prepared::Fetched(FetchOutcome::Cloned)
        );
        assert!(db.join("crates/x/RUSTSEC-2020-0001.md").is_file());
        assert!(DbLock::path_for(&db).ends_with("cache/advisory-db.lock"));
        // Fresh (HEAD committed today): no fetch, even from a URL that cannot work.
        let today = IsoDate(time::OffsetDateTime::now_utc().date());
        assert_eq!(
            ensure_at(&db, &policy("file:///nowhere"), today).unwrap(),
            Prepared::Ready
        );
    }

    #[test]
    fn stale_checkout_is_refreshed_and_a_failed_refresh_keeps_the_copy() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("origin");
        let url = origin(&src);
        let db = t.path().join("db");
        ensure(&db, &policy(&url)).unwrap();
        std::fs::write(src.join("crates/x/RUSTSEC-2020-0002.md"), "two").unwrap();
        git_in(&src, &["add", "."]);
        git_in(&src, &["commit", "--quiet", "-m", "two"]);
        let stale = FetchPolicy {
            url: url.clone(),
            max_age_days: 0,
        };
        // The checkout is from today: fresh now, stale in 2999.
        let later: IsoDate = "2999-01-01".parse().unwrap();
        let today = IsoDate(time::OffsetDateTime::now_utc().date());
        assert_eq!(ensure_at(&db, &stale, today).unwrap(), Prepared::Ready);
        let refreshed = ensure_at(&db, &stale, later);
        let failed = ensure_at(
            &db,
            &FetchPolicy {
                url: "file:///nowhere/at/all".to_string(),
                max_age_days: 0,
            },
            later,
        );
        assert_eq!(refreshed.unwrap(), Prepared::Fetched(FetchOutcome::Updated));
        assert!(db.join("crates/x/RUSTSEC-2020-0002.md").is_file());
        match failed.unwrap() {
            Prepared::RefreshFailed(m) => assert!(m.contains("using the existing copy"), "{m}"),
            other => panic!("expected a failed refresh, got {other:?}"),
        }
    }

    #[test]
    fn a_plain_directory_is_never_fetched_and_a_failed_clone_is_an_error() {
        let t = tempfile::tempdir().unwrap();
        let vendored = t.path().join("vendored");
        std::fs::create_dir_all(vendored.join("crates")).unwrap();
        assert_eq!(
            ensure(&vendored, &policy("file:///nowhere")).unwrap(),
            Prepared::Ready
        );
        let e = ensure(&t.path().join("missing"), &policy("file:///nowhere")).unwrap_err();
        assert!(e.to_string().contains("git clone"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn the_lock_is_exclusive_until_dropped() {
        let t = tempfile::tempdir().unwrap();
        let db = t.path().join("db");
        let held = DbLock::acquire(&db, Duration::from_secs(1)).unwrap();
        let e = DbLock::acquire(&db, Duration::from_millis(200)).unwrap_err();
        assert!(e.to_string().contains("lock"), "{e}");
        drop(held);
        let again = DbLock::acquire(&db, Duration::from_secs(1)).unwrap();
        assert_eq!(again.path(), DbLock::path_for(&db));
    }
}
