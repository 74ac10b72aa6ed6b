//! Paths relative to the scan root and the `exclude` globs every scanner honours.

use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};

/// `path` relative to `root`, with `/` separators; `path` itself (lossy) if it is not under root.
pub fn relative(root: &Path, path: &Path) -> String {
    if let Some(rel) = plain_relative(root, path) {
        return rel.to_string();
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for (i, c) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&c.as_os_str().to_string_lossy());
    }
    if out.is_empty() {
        ".".to_string()
    } else {
        out
    }
}

/// [`relative`] without splitting into components, for the common case of a walk's path: the
/// root's bytes, `/`, then a UTF-8 rest with nothing to normalise (no empty, `.` or trailing
/// component). A tree scan asks this for every file.
fn plain_relative<'p>(root: &Path, path: &'p Path) -> Option<&'p str> {
    let path = path.to_str()?;
    let root = root.to_str()?;
    let root = root
        .strip_suffix('/')
        .filter(|r| !r.is_empty())
        .unwrap_or(root);
    let rest = path.strip_prefix(root)?.strip_prefix('/')?;
    // The path's components are then the root's followed by the rest's, whatever the root
    // holds (`.`, `..`, `a//b`): the walker's paths are the root's bytes joined with names.
    let plain = !root.is_empty() && rest.split('/').all(|c| !c.is_empty() && c != ".");
    plain.then_some(rest)
}

/// The regular files under `root` that lockfile discovery considers, in walk order: hidden
/// entries skipped, `.gitignore` honoured even outside a git repository, links not followed, and
/// `exclude` plus the folders named in `skip_dirs` pruned whole. One walk, so every lockfile
/// scanner agrees on what "the project's files" are.
pub fn project_files(
    root: &Path,
    exclude: &ExcludeSet,
    skip_dirs: &'static [&'static str],
) -> impl Iterator<Item = ignore::DirEntry> {
    let root_owned = root.to_path_buf();
    let ex = exclude.clone();
    ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(move |e| {
            let skipped_dir = e.file_type().is_some_and(|t| t.is_dir())
                && skip_dirs.iter().any(|d| e.file_name() == *d);
            !skipped_dir && !ex.is_excluded(&relative(&root_owned, e.path()))
        })
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
}

impl Default for ExcludeSet {
    fn default() -> Self {
        ExcludeSet::none()
    }
}

/// Compiled `exclude` patterns. A pattern matches a relative path or any of its parent folders,
/// so `target` and `target/**` both exclude everything under `target/`.
#[derive(Debug, Clone)]
pub struct ExcludeSet {
    set: GlobSet,
    empty: bool,
}

impl ExcludeSet {
    /// Compiles patterns; invalid ones were rejected when the config was loaded.
    pub fn new(patterns: &[String]) -> Result<Self, globset::Error> {
        let mut b = GlobSetBuilder::new();
        for p in patterns {
            let p = p.trim_start_matches("./").trim_end_matches('/');
            b.add(Glob::new(p)?);
        }
        Ok(ExcludeSet {
            set: b.build()?,
            empty: patterns.is_empty(),
        })
    }

    /// An empty set.
    pub fn none() -> Self {
        ExcludeSet {
            set: GlobSet::empty(),
            empty: true,
        }
    }

    /// Whether the relative path `rel` (`/`-separated) or one of its parents is excluded.
    pub fn is_excluded(&self, rel: &str) -> bool {
        if self.empty {
            return false;
        }
        let mut cur = rel;
        loop {
            if self.set.is_match(cur) {
                return true;
            }
            match cur.rfind('/') {
                Some(i) => cur = &cur[..i],
                None => return false,
            }
        }
    }
}

/// The default baseline file name: the secrets scanner never scans it, the baseline module
/// reads and writes it.
pub const BASELINE_FILE_NAME: &str = ".stagegate-baseline.json";

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut gives what splitting into components gives, or leaves the path to it.
    #[test]
    fn plain_relative_agrees_with_components() {
        let by_components = |root: &Path, path: &Path| {
            let rel = path.strip_prefix(root).unwrap_or(path);
            let parts: Vec<_> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect();
            Some(parts.join("/")).filter(|s| !s.is_empty())
        };
        let roots = [
            ".", "./", "/", "/a", "/a/", "a/./b", "a//b", "..", "../x", "a/b/.", "",
        ];
        let rests = [
            "f", "d/f.txt", ".env", "d/.git/x", "d//f", "d/./f", "d/", "..f", "é/ü",
        ];
        let mut plain = 0;
        for root in roots {
            for rest in rests {
                let path = format!("{}/{rest}", root.strip_suffix('/').unwrap_or(root));
                let (root, path) = (Path::new(root), Path::new(&path));
                if let Some(fast) = plain_relative(root, path) {
                    plain += 1;
                    assert_eq!(
                        Some(fast.to_string()),
                        by_components(root, path),
                        "{root:?} {path:?}"
                    );
                }
                assert_eq!(
                    Some(relative(root, path)),
                    by_components(root, path).or(Some(".".into()))
                );
            }
        }
        assert!(plain >= 40, "{plain}");
    }

    #[test]
    fn relative_uses_slashes() {
        assert_eq!(
            relative(Path::new("/a"), Path::new("/a/b/c.txt")),
            "b/c.txt"
        );
        assert_eq!(relative(Path::new("/a"), Path::new("/a")), ".");
    }

    #[test]
    fn excludes_match_parents() {
        let e =
            ExcludeSet::new(&["target".into(), "samples/**".into(), "*.min.js".into()]).unwrap();
        assert!(e.is_excluded("target/debug/x"));
        assert!(e.is_excluded("samples/demo/a"));
        assert!(e.is_excluded("web/app.min.js"));
        assert!(!e.is_excluded("src/main.rs"));
        assert!(!ExcludeSet::none().is_excluded("x"));
    }
}
