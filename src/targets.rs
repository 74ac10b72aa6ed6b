//! Scan targets: one folder (the usual case), a single file (`stagegate secrets
//! config/prod.env`), or several paths at once.
//!
//! Everything is still scanned relative to one root, so paths in reports, the config file and
//! the baseline keep their meaning: the current directory when every target is inside it
//! (where `stagegate.toml` usually is), else the targets' closest common folder. The targets
//! become root-relative prefixes: the secrets walker walks only them, and every scanner's
//! findings outside them are dropped.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::paths::relative;

/// Where to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    /// The scan root.
    pub root: PathBuf,
    /// Root-relative `/`-separated files or folders to restrict to; empty: the whole root.
    pub prefixes: Vec<String>,
}

/// Resolves the command line's paths (`first`, then `more`).
pub fn resolve(first: &Path, more: &[PathBuf]) -> Result<Targets, Error> {
    let all: Vec<&Path> = std::iter::once(first)
        .chain(more.iter().map(PathBuf::as_path))
        .collect();
    for p in &all {
        if !p.exists() {
            return Err(Error::Usage(format!(
                "{}: no such file or directory (the scan root)",
                p.display()
            )));
        }
    }
    if all.len() == 1 && first.is_dir() {
        return Ok(Targets {
            root: first.to_path_buf(),
            prefixes: Vec::new(),
        });
    }
    let canon = |p: &Path| {
        std::fs::canonicalize(p).map_err(|source| Error::Io {
            path: p.to_path_buf(),
            source,
        })
    };
    let abs: Vec<PathBuf> = all.iter().map(|p| canon(p)).collect::<Result<_, _>>()?;
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    let root = match cwd.filter(|c| abs.iter().all(|a| a.starts_with(c))) {
        Some(_) => PathBuf::from("."),
        None => common_folder(&abs),
    };
    let base = canon(&root)?;
    let mut prefixes: Vec<String> = abs.iter().map(|a| relative(&base, a)).collect();
    prefixes.sort();
    prefixes.dedup();
    // A target that is the root itself means "everything".
    if prefixes.iter().any(|p| p == "." || p.is_empty()) {
        prefixes.clear();
    }
    Ok(Targets { root, prefixes })
}

/// The deepest folder containing every path of `abs` (absolute, canonical).
fn common_folder(abs: &[PathBuf]) -> PathBuf {
    let folder = |p: &PathBuf| {
        if p.is_dir() {
            p.clone()
        } else {
            p.parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| p.clone())
        }
    };
    let mut common = folder(&abs[0]);
    for p in &abs[1..] {
        while !p.starts_with(&common) {
            match common.parent() {
                Some(up) => common = up.to_path_buf(),
                None => break,
            }
        }
    }
    common
}

/// Whether root-relative `path` is one of `prefixes` or inside one (always, when empty).
pub fn contains(prefixes: &[String], path: &str) -> bool {
    prefixes.is_empty()
        || prefixes.iter().any(|p| {
            path == p
                || path
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_files_and_folders_not_siblings() {
        let p = vec!["config/prod.env".to_string(), "deploy".to_string()];
        assert!(contains(&p, "config/prod.env"));
        assert!(contains(&p, "deploy/a/values.yaml"));
        assert!(!contains(&p, "deployment/x"));
        assert!(!contains(&p, "config/prod.env.bak"));
        assert!(contains(&[], "anything"));
    }

    #[test]
    fn a_folder_alone_is_the_root_and_files_get_a_common_root() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        std::fs::create_dir_all(r.join("a/b")).unwrap();
        std::fs::write(r.join("a/b/x.env"), "").unwrap();
        std::fs::write(r.join("a/y.env"), "").unwrap();
        let only = resolve(r, &[]).unwrap();
        assert_eq!(only.root, r);
        assert!(only.prefixes.is_empty());
        // Outside the current directory: the closest common folder.
        let two = resolve(&r.join("a/b/x.env"), &[r.join("a/y.env")]).unwrap();
        assert_eq!(two.root, std::fs::canonicalize(r.join("a")).unwrap());
        assert_eq!(two.prefixes, vec!["b/x.env", "y.env"]);
        assert!(resolve(&r.join("missing"), &[]).is_err());
    }
}
