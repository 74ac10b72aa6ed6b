//! Loading OSV records from what `--osv-db` / `[advisories] osv` name: a directory (searched
//! recursively for `*.json` records and `*.zip` archives, as `stagegate db fetch --osv` lays
//! them out), a single record, or one of OSV's per-ecosystem `all.zip` archives.
//!
//! Files are parsed in parallel; only records that affect a wanted (ecosystem, package) are
//! kept, so a 200,000-record npm archive costs parse time but not memory. A record that cannot
//! be parsed is a problem naming the file (and the archive member) and its line; the others
//! still load. A path that does not exist is an error.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::record::Record;
use crate::scanners::advisories::db::{DbProblem, OpenError};
use crate::scanners::advisories::ecosystem::Ecosystem;

/// Records (and archive members) larger than this are not advisories.
const MAX_RECORD_BYTES: u64 = 4 << 20;

/// (ecosystem, normalized name) pairs whose records to keep; `None` keeps every record.
pub type Wanted = HashSet<(Ecosystem, String)>;

/// Loaded OSV records, indexed by (ecosystem, normalized package name).
#[derive(Debug, Default)]
pub struct OsvDb {
    records: Vec<Record>,
    index: HashMap<(Ecosystem, String), Vec<usize>>,
    problems: Vec<DbProblem>,
    parsed: usize,
    newest: Option<String>,
}

impl OsvDb {
    /// Loads every path in `paths`, keeping the records `wanted` asks for.
    pub fn load(paths: &[PathBuf], wanted: Option<&Wanted>) -> Result<OsvDb, OpenError> {
        let mut texts: Vec<(String, Result<String, String>)> = Vec::new();
        for p in paths {
            let meta = std::fs::metadata(p).map_err(|e| OpenError {
                message: format!(
                    "OSV database {}: {e}; run `stagegate db fetch --osv ECOSYSTEMS --osv-db {}` \
                     or fix `--osv-db` / `[advisories] osv`",
                    p.display(),
                    p.display()
                ),
            })?;
            if meta.is_dir() {
                for f in walk(p) {
                    read_path(&f, &mut texts);
                }
            } else {
                read_path(p, &mut texts);
            }
        }
        let parsed: Vec<(String, Result<Record, String>)> = texts
            .into_par_iter()
            .map(|(name, text)| {
                let r = text.and_then(|t| Record::parse(&t).map_err(|e| e.to_string()));
                (name, r)
            })
            .collect();
        let mut db = OsvDb::default();
        for (name, r) in parsed {
            match r {
                Ok(rec) => db.add(rec, wanted),
                Err(message) => db.problems.push(DbProblem {
                    path: PathBuf::from(name),
                    message,
                }),
            }
        }
        Ok(db)
    }

    fn add(&mut self, rec: Record, wanted: Option<&Wanted>) {
        self.parsed += 1;
        if self
            .newest
            .as_deref()
            .is_none_or(|n| rec.modified.as_str() > n)
        {
            self.newest = Some(rec.modified.clone());
        }
        let keys: Vec<(Ecosystem, String)> = rec
            .affected
            .iter()
            .map(|a| (a.ecosystem, a.name.clone()))
            .filter(|k| wanted.is_none_or(|w| w.contains(k)))
            .collect();
        if keys.is_empty() {
            return;
        }
        let i = self.records.len();
        self.records.push(rec);
        for k in keys {
            let v = self.index.entry(k).or_default();
            if v.last() != Some(&i) {
                v.push(i);
            }
        }
    }

    /// Records that affect `name` (normalized) of `eco`.
    pub fn records_for(&self, eco: Ecosystem, name: &str) -> impl Iterator<Item = &Record> {
        self.index
            .get(&(eco, name.to_string()))
            .into_iter()
            .flatten()
            .filter_map(|&i| self.records.get(i))
    }

    /// Records parsed (kept or not).
    pub fn parsed(&self) -> usize {
        self.parsed
    }

    /// Records kept.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether nothing was kept.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Whether any kept record is about `eco`.
    pub fn covers(&self, eco: Ecosystem) -> bool {
        self.index.keys().any(|(e, _)| *e == eco)
    }

    /// Files (or archive members) that could not be used.
    pub fn problems(&self) -> &[DbProblem] {
        &self.problems
    }

    /// The newest `modified` date of any parsed record (`YYYY-MM-DD`).
    pub fn newest(&self) -> Option<&str> {
        self.newest.as_deref().filter(|s| !s.is_empty())
    }
}

/// `*.json` and `*.zip` files under `dir`, sorted (hidden folders such as `.git` skipped).
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let hidden = e.file_name().to_string_lossy().starts_with('.');
            match e.file_type() {
                Ok(t) if t.is_dir() && !hidden => stack.push(p),
                Ok(t) if t.is_file() && !hidden => {
                    if matches!(p.extension().and_then(|x| x.to_str()), Some("json" | "zip")) {
                        out.push(p);
                    }
                }
                _ => {}
            }
        }
    }
    out.sort();
    out
}

fn read_path(p: &Path, out: &mut Vec<(String, Result<String, String>)>) {
    let name = p.display().to_string();
    if p.extension().and_then(|x| x.to_str()) == Some("zip") {
        if let Err(e) = read_zip(p, out) {
            out.push((name, Err(e)));
        }
        return;
    }
    let text = match std::fs::metadata(p) {
        Ok(m) if m.len() > MAX_RECORD_BYTES => {
            Err(format!("too large to be an OSV record ({} bytes)", m.len()))
        }
        _ => std::fs::read(p)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|b| String::from_utf8(b).map_err(|_| "not valid UTF-8".to_string())),
    };
    out.push((name, text));
}

/// Every `*.json` member of an archive, named `archive.zip:member.json`.
fn read_zip(p: &Path, out: &mut Vec<(String, Result<String, String>)>) -> Result<(), String> {
    let file = std::fs::File::open(p).map_err(|e| format!("cannot read: {e}"))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| format!("not a readable zip archive: {e}"))?;
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                out.push((
                    format!("{}:#{i}", p.display()),
                    Err(format!("cannot read archive member: {e}")),
                ));
                continue;
            }
        };
        if !entry.is_file() || !entry.name().ends_with(".json") {
            continue;
        }
        let name = format!("{}:{}", p.display(), entry.name());
        if entry.size() > MAX_RECORD_BYTES {
            out.push((name, Err("too large to be an OSV record".to_string())));
            continue;
        }
        let mut text = String::new();
        let r = (&mut entry)
            .take(MAX_RECORD_BYTES)
            .read_to_string(&mut text)
            .map(|_| text)
            .map_err(|e| format!("cannot read archive member: {e}"));
        out.push((name, r));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const REC: &str = r#"{"id":"GHSA-1","modified":"2024-05-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}"#;
    const OTHER: &str = r#"{"id":"GHSA-2","modified":"2024-06-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"b"}}]}"#;

    #[test]
    fn directory_zip_filter_and_problems() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("npm")).unwrap();
        std::fs::write(t.path().join("npm/GHSA-1.json"), REC).unwrap();
        std::fs::write(t.path().join("npm/bad.json"), "{\n\"id\": \n").unwrap();
        std::fs::write(t.path().join("README.md"), "not a record").unwrap();
        let zpath = t.path().join("npm/all.zip");
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zpath).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("GHSA-2.json", opts).unwrap();
        z.write_all(OTHER.as_bytes()).unwrap();
        z.start_file("GHSA-3.json", opts).unwrap();
        z.write_all(b"[]").unwrap();
        z.finish().unwrap();

        let db = OsvDb::load(&[t.path().to_path_buf()], None).unwrap();
        assert_eq!(db.len(), 2);
        assert_eq!(db.newest(), Some("2024-06-01"));
        assert_eq!(db.records_for(Ecosystem::Npm, "b").count(), 1);
        let probs: Vec<String> = db
            .problems()
            .iter()
            .map(|p| format!("{}: {}", p.path.display(), p.message))
            .collect();
        assert_eq!(probs.len(), 2, "{probs:?}");
        assert!(probs[0].contains("all.zip:GHSA-3.json"), "{probs:?}");
        assert!(probs[1].contains("bad.json: line 3"), "{probs:?}");

        let wanted: Wanted = [(Ecosystem::Npm, "a".to_string())].into_iter().collect();
        let db = OsvDb::load(
            &[zpath.clone(), t.path().join("npm/GHSA-1.json")],
            Some(&wanted),
        )
        .unwrap();
        assert_eq!((db.len(), db.parsed()), (1, 2));
        assert!(db.covers(Ecosystem::Npm) && !db.covers(Ecosystem::PyPI));

        let e = OsvDb::load(&[t.path().join("missing")], None).unwrap_err();
        assert!(e.message.contains("missing"), "{e}");
    }
}
