//! Paths relative to the scan root and the `exclude` globs every scanner honours.

use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};

/// `path` relative to `root`, with `/` separators; `path` itself (lossy) if it is not under root.
pub fn relative(root: &Path, path: &Path) -> String {
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
