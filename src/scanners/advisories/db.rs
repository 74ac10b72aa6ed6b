//! A RustSec advisory database read from a plain directory (`crates/<name>/RUSTSEC-*.md`).
//!
//! Only the directories of crates that occur in the audited lockfiles are read, in parallel:
//! a typical lockfile names a few hundred crates of which a few dozen have advisories, so this
//! parses a few dozen files instead of all ~1,200 (see `benches/advisories.sh` for both
//! numbers). [`Database::load_all`] still exists for tools that want every advisory.
//!
//! Database age ([`Database::last_updated`]): the commit time of `HEAD` when the directory is a
//! git checkout (`git log -1`, what `stagegate db fetch` leaves), else the newest advisory `date`
//! among the most recently assigned ids.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use rayon::prelude::*;

use super::advisory::Advisory;
use super::listing;
use crate::dates::IsoDate;

/// A file of the database that could not be used; the rest still is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbProblem {
    /// The advisory file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

/// Advisories by crate name.
#[derive(Debug, Clone, Default)]
pub struct Database {
    root: PathBuf,
    by_package: BTreeMap<String, Vec<Advisory>>,
    problems: Vec<DbProblem>,
    count: usize,
}

/// Why the database cannot be used at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct OpenError {
    /// Says what is missing and how to get it.
    pub message: String,
}

/// Advisory files larger than this are not advisories.
const MAX_ADVISORY_BYTES: u64 = 1 << 20;

/// A crate name safe to use as a directory name (no `..`, no separators).
fn is_crate_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Database {
    /// Checks that `root` looks like an advisory database (has a `crates/` directory).
    pub fn check(root: &Path) -> Result<(), OpenError> {
        if root.join("crates").is_dir() {
            return Ok(());
        }
        let what = if root.exists() {
            "is not a RustSec advisory database (no crates/ directory)"
        } else {
            "does not exist"
        };
        Err(OpenError {
            message: format!(
                "advisory database {} {what}: run `stagegate db fetch` to download it, or point \
                 `--db PATH` / `[advisories] db` at a copy of https://github.com/rustsec/advisory-db",
                root.display()
            ),
        })
    }

    /// Loads the advisories of `packages` only (names that are not valid crate names are
    /// skipped).
    pub fn load_for<'a>(
        root: &Path,
        packages: impl IntoIterator<Item = &'a str>,
    ) -> Result<Database, OpenError> {
        Self::check(root)?;
        let dirs: Vec<PathBuf> = packages
            .into_iter()
            .filter(|n| is_crate_name(n))
            .map(|n| root.join("crates").join(n))
            .collect();
        Ok(Self::load_dirs(root, dirs))
    }

    /// Loads every advisory under `crates/`.
    pub fn load_all(root: &Path) -> Result<Database, OpenError> {
        Self::check(root)?;
        let dirs = std::fs::read_dir(root.join("crates"))
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self::load_dirs(root, dirs))
    }

    fn load_dirs(root: &Path, dirs: Vec<PathBuf>) -> Database {
        let files: Vec<PathBuf> = dirs
            .par_iter()
            .flat_map_iter(|d| advisory_files(d))
            .collect();
        Self::load_files(root, files)
    }

    fn load_files(root: &Path, files: Vec<PathBuf>) -> Database {
        let results: Vec<Result<Advisory, DbProblem>> =
            files.par_iter().map(|f| load_file(f)).collect();
        let mut db = Database {
            root: root.to_path_buf(),
            ..Database::default()
        };
        for r in results {
            match r {
                Ok(a) => {
                    db.count += 1;
                    db.by_package.entry(a.package.clone()).or_default().push(a);
                }
                Err(p) => db.problems.push(p),
            }
        }
        for list in db.by_package.values_mut() {
            list.sort_by(|a, b| a.id.cmp(&b.id));
        }
        db.problems.sort_by(|a, b| a.path.cmp(&b.path));
        db
    }

    /// The advisories about `package`, sorted by id.
    pub fn advisories_for(&self, package: &str) -> &[Advisory] {
        self.by_package
            .get(package)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every loaded advisory.
    pub fn iter(&self) -> impl Iterator<Item = &Advisory> {
        self.by_package.values().flatten()
    }

    /// How many advisories were loaded.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether nothing was loaded.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Files that could not be parsed.
    pub fn problems(&self) -> &[DbProblem] {
        &self.problems
    }

    /// The directory it was read from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// When the database was last updated, and how that was determined.
    pub fn last_updated(root: &Path) -> Option<(IsoDate, &'static str)> {
        Survey::of(root).last_updated()
    }
}

fn advisory_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

fn load_file(path: &Path) -> Result<Advisory, DbProblem> {
    let problem = |message: String| DbProblem {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| problem(format!("cannot read: {e}")))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_ADVISORY_BYTES {
        return Err(problem(format!("too large ({len} bytes)")));
    }
    // Sized buffer: one read instead of read_to_end's probing; `take` guards a growing file.
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0) + 1);
    file.take(MAX_ADVISORY_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| problem(format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| problem("not UTF-8".to_string()))?;
    text.parse::<Advisory>().map_err(|e| problem(e.to_string()))
}

fn git_head_date(root: &Path) -> Option<IsoDate> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["log", "-1", "--format=%cs", "HEAD"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// How many of the most recently assigned ids are read to find the newest date.
const NEWEST_SAMPLE: usize = 32;

/// Every advisory file of a plain-directory database, listed once: dating the database needs
/// the full listing anyway, and loading then reads the listed files of the locked crates
/// without probing a directory per crate.
#[derive(Debug, Clone, Default)]
pub struct Index {
    root: PathBuf,
    /// `crates/<name>` or `rust/<name>` → file names, sorted.
    dirs: BTreeMap<String, Vec<String>>,
}

impl Index {
    /// Lists `crates/*/*.md` and `rust/*/*.md` (in parallel).
    pub fn scan(root: &Path) -> Index {
        let mut dirs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for top in ["crates", "rust"] {
            for (dir, file) in listing::md_files(&root.join(top)) {
                dirs.entry(format!("{top}/{dir}")).or_default().push(file);
            }
        }
        for files in dirs.values_mut() {
            files.sort();
        }
        Index {
            root: root.to_path_buf(),
            dirs,
        }
    }

    fn crate_files(&self, name: &str) -> Vec<PathBuf> {
        let key = format!("crates/{name}");
        self.dirs
            .get(&key)
            .map(|fs| fs.iter().map(|f| self.root.join(&key).join(f)).collect())
            .unwrap_or_default()
    }

    /// The newest `date = "…"` among the 32 most recently assigned advisory
    /// ids. Ids (`RUSTSEC-YYYY-NNNN`) are assigned in order when an advisory is merged, shortly
    /// after it is reported, so the newest report date is among the newest ids.
    pub fn newest_date(&self) -> Option<IsoDate> {
        let mut ids: Vec<((u32, u32), PathBuf)> = self
            .dirs
            .iter()
            .flat_map(|(dir, files)| {
                files.iter().filter_map(move |f| {
                    Some((
                        listing::advisory_number(f.as_bytes())?,
                        self.root.join(dir).join(f),
                    ))
                })
            })
            .collect();
        ids.sort_unstable_by_key(|(k, _)| std::cmp::Reverse(*k));
        ids.truncate(NEWEST_SAMPLE);
        ids.par_iter().filter_map(|(_, f)| date_of(f)).max()
    }
}

/// What can be learned about a database before the lockfiles are read, so that it runs beside
/// lockfile parsing.
#[derive(Debug, Clone)]
pub enum Survey {
    /// A git checkout: its HEAD commit date (dated without listing anything).
    Git(Option<IsoDate>),
    /// A plain directory: its listing.
    Listed(Index),
    /// Not a database; loading reports why.
    Unusable,
}

impl Survey {
    /// Surveys `root`.
    pub fn of(root: &Path) -> Survey {
        if Database::check(root).is_err() {
            return Survey::Unusable;
        }
        if root.join(".git").exists() {
            if let Some(d) = git_head_date(root) {
                return Survey::Git(Some(d));
            }
        }
        Survey::Listed(Index::scan(root))
    }

    /// When the database was last updated, and how that was determined.
    pub fn last_updated(&self) -> Option<(IsoDate, &'static str)> {
        match self {
            Survey::Git(d) => d.map(|d| (d, "git HEAD commit date")),
            Survey::Listed(index) => index.newest_date().map(|d| (d, "newest advisory date")),
            Survey::Unusable => None,
        }
    }

    /// Loads the advisories of `packages`, from the listing when there is one.
    pub fn load_for<'a>(
        &self,
        root: &Path,
        packages: impl IntoIterator<Item = &'a str>,
    ) -> Result<Database, OpenError> {
        match self {
            Survey::Listed(index) => {
                Database::check(root)?;
                let files: Vec<PathBuf> = packages
                    .into_iter()
                    .filter(|n| is_crate_name(n))
                    .flat_map(|n| index.crate_files(n))
                    .collect();
                Ok(Database::load_files(root, files))
            }
            _ => Database::load_for(root, packages),
        }
    }
}

fn date_of(path: &Path) -> Option<IsoDate> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|l| {
        let v = l
            .trim()
            .strip_prefix("date")?
            .trim_start()
            .strip_prefix('=')?;
        v.trim().trim_matches('"').parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn adv(id: &str, pkg: &str, date: &str) -> String {
        format!(
            "```toml\n[advisory]\nid = \"{id}\"\npackage = \"{pkg}\"\ndate = \"{date}\"\n[versions]\npatched = [\">= 1.0.0\"]\n```\n\n# Title of {id}\n\nBody.\n"
        )
    }

    #[test]
    fn missing_database_says_how_to_fetch() {
        let t = tempfile::tempdir().unwrap();
        let e = Database::load_for(&t.path().join("nope"), ["x"]).unwrap_err();
        assert!(e.message.contains("stagegate db fetch"), "{e}");
        assert!(e.message.contains("--db"), "{e}");
        assert!(e.message.contains("does not exist"), "{e}");
        let e = Database::load_all(t.path()).unwrap_err();
        assert!(e.message.contains("no crates/ directory"), "{e}");
    }

    #[test]
    fn loads_only_requested_crates_and_reports_bad_files() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            "crates/a/RUSTSEC-2020-0001.md",
            &adv("RUSTSEC-2020-0001", "a", "2020-01-01"),
        );
        write(
            t.path(),
            "crates/a/RUSTSEC-2024-0002.md",
            &adv("RUSTSEC-2024-0002", "a", "2024-03-01"),
        );
        write(
            t.path(),
            "crates/b/RUSTSEC-2025-0003.md",
            &adv("RUSTSEC-2025-0003", "b", "2025-02-01"),
        );
        write(t.path(), "crates/c/RUSTSEC-2025-0004.md", "not an advisory");
        write(t.path(), "crates/c/README.txt", "ignored");
        let db = Database::load_for(t.path(), ["a", "c", "../etc", "zzz"]).unwrap();
        assert_eq!(db.len(), 2);
        assert_eq!(db.advisories_for("a").len(), 2);
        assert_eq!(db.advisories_for("a")[0].id, "RUSTSEC-2020-0001");
        assert!(db.advisories_for("b").is_empty());
        assert_eq!(db.problems().len(), 1);
        assert!(db.problems()[0].path.ends_with("RUSTSEC-2025-0004.md"));
        let all = Database::load_all(t.path()).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all.iter().count(), 3);
        let (d, how) = Database::last_updated(t.path()).unwrap();
        assert_eq!(d.to_string(), "2025-02-01");
        assert_eq!(how, "newest advisory date");
    }
}
