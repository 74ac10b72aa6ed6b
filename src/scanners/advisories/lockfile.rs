//! Cargo.lock files: discovery, parsing (v1–v4 via `cargo-lock`), the line of each
//! `[[package]]` entry, and the dependency path from a workspace member to each package.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use cargo_lock::{Lockfile, Package};

use super::KIND;
use crate::finding::{Location, Notification};
use crate::paths::{relative, ExcludeSet};

/// Lockfiles larger than this are refused (a real one with 5,000 packages is ~1 MB).
pub const MAX_LOCKFILE_BYTES: u64 = 64 << 20;

/// Every `Cargo.lock` under `root`, honouring `.gitignore` and `exclude`, sorted.
pub fn discover(root: &Path, exclude: &ExcludeSet) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = crate::paths::project_files(root, exclude, &[])
        .filter(|e| e.file_name() == "Cargo.lock")
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

/// Where a package's entry is in the raw text: the `name = "…"` line through the
/// `version = "…"` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// 1-based line of `name = "x"`.
    pub name_line: u32,
    /// 1-based line of `version = "y"`.
    pub version_line: u32,
    /// Exclusive end column of the version line.
    pub version_end_col: u32,
}

/// A parsed lockfile with what findings need.
#[derive(Debug)]
pub struct Parsed {
    /// Path relative to the scan root.
    pub rel: String,
    /// The packages.
    pub lockfile: Lockfile,
    spans: HashMap<(String, String), Span>,
    /// Shortest path from a workspace member, per package index.
    paths: Vec<Option<Vec<usize>>>,
    /// Indexes of workspace members.
    members: BTreeSet<usize>,
}

/// Why a lockfile cannot be audited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockError {
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl LockError {
    /// The error notification for the lockfile at root-relative `rel`, at its line.
    pub fn notification(&self, rel: String) -> Notification {
        let line = self.line.map(|l| format!(":{l}")).unwrap_or_default();
        Notification::error(KIND, format!("{rel}{line}: {}", self.message))
            .at(Location::line(rel, self.line.unwrap_or(1)))
    }
}

/// Reads and parses `path`.
pub fn load(root: &Path, path: &Path) -> Result<Parsed, LockError> {
    let text = read_text(path)?;
    parse(relative(root, path), &text, path.parent())
}

/// The text of the lockfile at `path`, for every lockfile format: a size bound (a lockfile is
/// never huge; a huge file is a mistake, not a reason to run out of memory) and UTF-8, with the
/// line of the first invalid byte.
pub(super) fn read_text(path: &Path) -> Result<String, LockError> {
    let err = |message: String| LockError {
        line: None,
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(format!("cannot read: {e}")))?;
    if meta.len() > MAX_LOCKFILE_BYTES {
        return Err(err(format!(
            "too large to be a lockfile ({} bytes, limit {MAX_LOCKFILE_BYTES})",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| err(format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let off = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        LockError {
            line: Some(crate::error::line_of_offset(&text, off)),
            message: "not valid UTF-8 (is it a binary file?)".to_string(),
        }
    })
}

/// Parses lockfile `text`; `dir` is where to look for the workspace `Cargo.toml`.
pub fn parse(rel: String, text: &str, dir: Option<&Path>) -> Result<Parsed, LockError> {
    // cargo-lock 11 slices checksums by byte offsets and panics on a multi-byte character in a
    // 64-byte checksum (found by fuzzing): reject non-ASCII checksum lines first.
    if let Some(i) = text
        .lines()
        .position(|l| l.contains("checksum") && !l.is_ascii())
    {
        return Err(LockError {
            line: Some(u32::try_from(i + 1).unwrap_or(u32::MAX)),
            message: "cannot parse Cargo.lock: a checksum holds non-ASCII characters (checksums are 64 hex digits)".to_string(),
        });
    }
    let parsed = std::panic::catch_unwind(|| Lockfile::from_str(text)).map_err(|_| LockError {
        line: None,
        message: "cannot parse Cargo.lock: the lockfile parser failed on this file (internal error); please report it".to_string(),
    })?;
    let lockfile = parsed.map_err(|e| {
        let message = e.to_string();
        LockError {
            line: line_in_message(&message),
            message: format!("cannot parse Cargo.lock: {}", first_line(&message)),
        }
    })?;
    let spans = package_spans(text);
    let declared = dir.and_then(workspace_member_names);
    let members = member_indexes(&lockfile.packages, declared.as_ref());
    let paths = shortest_paths(&lockfile.packages, &members);
    Ok(Parsed {
        rel,
        lockfile,
        spans,
        paths,
        members,
    })
}

fn first_line(s: &str) -> &str {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(s)
}

/// `TOML parse error at line 3, column 1` → 3.
fn line_in_message(msg: &str) -> Option<u32> {
    let i = msg.find("line ")?;
    let digits: String = msg[i + 5..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

impl Parsed {
    /// The location of the entry of `pkg` (line 1 if the raw text was unusual).
    pub fn location(&self, pkg: &Package) -> Location {
        match self
            .spans
            .get(&(pkg.name.as_str().to_string(), pkg.version.to_string()))
        {
            Some(s) => Location {
                path: self.rel.clone(),
                start_line: s.name_line,
                start_column: 1,
                end_line: s.version_line,
                end_column: s.version_end_col,
                commit: None,
            },
            None => Location::line(self.rel.clone(), 1),
        }
    }

    /// Whether package `i` is a workspace member.
    pub fn is_member(&self, i: usize) -> bool {
        self.members.contains(&i)
    }

    /// `app → hyper 0.14.9 → h2 0.3.27`: the shortest dependency path from a workspace member.
    pub fn dependency_path(&self, i: usize) -> String {
        let pkgs = &self.lockfile.packages;
        let Some(Some(path)) = self.paths.get(i) else {
            return pkgs
                .get(i)
                .map(|p| format!("{} {}", p.name, p.version))
                .unwrap_or_default();
        };
        path.iter()
            .filter_map(|&j| pkgs.get(j).map(|p| (j, p)))
            .map(|(j, p)| {
                if self.members.contains(&j) {
                    p.name.to_string()
                } else {
                    format!("{} {}", p.name, p.version)
                }
            })
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

/// `(name, version) → span` from the raw text: a `name = "x"` line followed by `version = "y"`.
fn package_spans(text: &str) -> HashMap<(String, String), Span> {
    let mut out = HashMap::new();
    let mut pending: Option<(String, u32)> = None;
    for (i, line) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let t = line.trim();
        if let Some(name) = string_value(t, "name") {
            pending = Some((name.to_string(), n));
        } else if let Some(version) = string_value(t, "version") {
            if let Some((name, name_line)) = pending.take() {
                let end = u32::try_from(line.trim_end().chars().count() + 1).unwrap_or(u32::MAX);
                out.entry((name, version.to_string())).or_insert(Span {
                    name_line,
                    version_line: n,
                    version_end_col: end,
                });
            }
        } else if !t.is_empty() {
            pending = None;
        }
    }
    out
}

/// `key = "value"` → `value`.
fn string_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    rest.strip_prefix('"')?.strip_suffix('"')
}

/// Names of the workspace members declared in `dir/Cargo.toml` (`[package] name` and the
/// `[workspace] members` globs), or `None` when there is no readable manifest.
fn workspace_member_names(dir: &Path) -> Option<BTreeSet<String>> {
    let manifest = read_manifest(&dir.join("Cargo.toml"))?;
    let mut names = BTreeSet::new();
    if let Some(n) = package_name(&manifest) {
        names.insert(n);
    }
    let ws = manifest.get("workspace");
    let list = |key: &str| -> Vec<String> {
        ws.and_then(|w| w.get(key))
            .and_then(|m| m.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let excluded: BTreeSet<PathBuf> = list("exclude").iter().map(|e| dir.join(e)).collect();
    for pattern in list("members") {
        for member in expand_member_glob(dir, &pattern) {
            if excluded.contains(&member) {
                continue;
            }
            if let Some(n) =
                read_manifest(&member.join("Cargo.toml")).and_then(|m| package_name(&m))
            {
                names.insert(n);
            }
        }
    }
    Some(names)
}

fn read_manifest(path: &Path) -> Option<toml::Table> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.len() > 4 << 20 {
        return None;
    }
    std::fs::read_to_string(path).ok()?.parse().ok()
}

fn package_name(manifest: &toml::Table) -> Option<String> {
    manifest
        .get("package")?
        .get("name")?
        .as_str()
        .map(String::from)
}

/// `crates/*` → every directory under `crates`; a literal path → itself.
fn expand_member_glob(dir: &Path, pattern: &str) -> Vec<PathBuf> {
    let mut current = vec![dir.to_path_buf()];
    for comp in pattern.split('/').filter(|c| !c.is_empty() && *c != ".") {
        let is_glob = comp.contains(['*', '?', '[']);
        let mut next = Vec::new();
        for base in &current {
            if !is_glob {
                next.push(base.join(comp));
                continue;
            }
            let Ok(m) = globset::Glob::new(comp).map(|g| g.compile_matcher()) else {
                continue;
            };
            if let Ok(rd) = std::fs::read_dir(base) {
                let mut found: Vec<PathBuf> = rd
                    .filter_map(Result::ok)
                    .filter(|e| {
                        e.file_type().is_ok_and(|t| t.is_dir()) && m.is_match(e.file_name())
                    })
                    .map(|e| e.path())
                    .collect();
                found.sort();
                next.extend(found);
            }
        }
        current = next;
    }
    current
}

/// Workspace members: the declared names among source-less packages; without a manifest, the
/// source-less packages nothing else depends on.
fn member_indexes(pkgs: &[Package], declared: Option<&BTreeSet<String>>) -> BTreeSet<usize> {
    let local = |p: &Package| p.source.is_none();
    let mut out: BTreeSet<usize> = match declared {
        Some(names) => pkgs
            .iter()
            .enumerate()
            .filter(|(_, p)| local(p) && names.contains(p.name.as_str()))
            .map(|(i, _)| i)
            .collect(),
        None => BTreeSet::new(),
    };
    if out.is_empty() {
        let depended: BTreeSet<(&str, String)> = pkgs
            .iter()
            .flat_map(|p| p.dependencies.iter())
            .map(|d| (d.name.as_str(), d.version.to_string()))
            .collect();
        out = pkgs
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                local(p) && !depended.contains(&(p.name.as_str(), p.version.to_string()))
            })
            .map(|(i, _)| i)
            .collect();
    }
    out
}

/// Breadth-first from every member: the shortest member → package path for each package.
fn shortest_paths(pkgs: &[Package], members: &BTreeSet<usize>) -> Vec<Option<Vec<usize>>> {
    let mut index: HashMap<(&str, String), Vec<usize>> = HashMap::new();
    for (i, p) in pkgs.iter().enumerate() {
        index
            .entry((p.name.as_str(), p.version.to_string()))
            .or_default()
            .push(i);
    }
    let mut parent: Vec<Option<usize>> = vec![None; pkgs.len()];
    let mut seen = vec![false; pkgs.len()];
    let mut queue = VecDeque::new();
    for &m in members {
        if let Some(s) = seen.get_mut(m) {
            *s = true;
            queue.push_back(m);
        }
    }
    while let Some(i) = queue.pop_front() {
        let Some(p) = pkgs.get(i) else { continue };
        for d in &p.dependencies {
            let Some(cands) = index.get(&(d.name.as_str(), d.version.to_string())) else {
                continue;
            };
            let target = cands
                .iter()
                .copied()
                .find(|&j| {
                    d.source.is_none()
                        || pkgs.get(j).and_then(|q| q.source.as_ref()) == d.source.as_ref()
                })
                .or_else(|| cands.first().copied());
            if let Some(j) = target {
                if let Some(s) = seen.get_mut(j) {
                    if !*s {
                        *s = true;
                        parent[j] = Some(i);
                        queue.push_back(j);
                    }
                }
            }
        }
    }
    (0..pkgs.len())
        .map(|i| {
            if !seen[i] {
                return None;
            }
            let mut path = vec![i];
            let mut cur = i;
            while let Some(p) = parent[cur] {
                path.push(p);
                cur = p;
                if path.len() > pkgs.len() {
                    break;
                }
            }
            path.reverse();
            Some(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multibyte_character_in_a_checksum_is_an_error_not_a_panic() {
        // 64 bytes, one of them inside a two-byte character (a fuzzing find).
        let sum = format!("{}\u{3a5}{}", "a".repeat(30), "b".repeat(32));
        assert_eq!(sum.len(), 64);
        let text = format!(
            "version = 3\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\
             source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\
             checksum = \"{sum}\"\n"
        );
        let Err(e) = parse("Cargo.lock".into(), &text, None) else {
            panic!("a non-ASCII checksum was accepted");
        };
        assert_eq!(e.line, Some(7));
        assert!(e.message.contains("checksum"), "{}", e.message);
    }

    const V3: &str = r#"# This file is automatically @generated by Cargo.
version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "hyper",
 "local-util",
]

[[package]]
name = "h2"
version = "0.3.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "825343c4eef0b63f541f8903f395dc5beb362a979b5799a84062527ef1e37726"

[[package]]
name = "hyper"
version = "0.14.9"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "07d6baa1b441335f3ce5098ac421fb6547c46dda735ca1bc6d0153c838f9dd83"
dependencies = [
 "h2",
]

[[package]]
name = "local-util"
version = "0.1.0"
"#;

    #[test]
    fn spans_point_at_name_and_version_lines() {
        let p = parse("Cargo.lock".into(), V3, None).unwrap();
        let hyper = p
            .lockfile
            .packages
            .iter()
            .find(|p| p.name.as_str() == "hyper")
            .unwrap();
        let loc = p.location(hyper);
        assert_eq!((loc.start_line, loc.end_line), (19, 20));
        assert_eq!(loc.end_column, "version = \"0.14.9\"".len() as u32 + 1);
        assert_eq!(loc.path, "Cargo.lock");
    }

    #[test]
    fn dependency_paths_start_at_a_member() {
        let p = parse("Cargo.lock".into(), V3, None).unwrap();
        let idx = |n: &str| {
            p.lockfile
                .packages
                .iter()
                .position(|p| p.name.as_str() == n)
                .unwrap()
        };
        assert_eq!(
            p.dependency_path(idx("h2")),
            "app → hyper 0.14.9 → h2 0.3.1"
        );
        assert!(p.is_member(idx("app")));
        // Without a manifest, a source-less package something depends on is a path dependency.
        assert!(!p.is_member(idx("local-util")));
    }

    #[test]
    fn manifest_declares_members() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(
            t.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/skip\"]\n",
        )
        .unwrap();
        for (d, n) in [
            ("crates/app", "app"),
            ("crates/util", "local-util"),
            ("crates/skip", "h2"),
        ] {
            std::fs::create_dir_all(t.path().join(d)).unwrap();
            std::fs::write(
                t.path().join(d).join("Cargo.toml"),
                format!("[package]\nname = \"{n}\"\n"),
            )
            .unwrap();
        }
        let names = workspace_member_names(t.path()).unwrap();
        assert_eq!(
            names.iter().map(String::as_str).collect::<Vec<_>>(),
            ["app", "local-util"]
        );
        let p = parse("Cargo.lock".into(), V3, Some(t.path())).unwrap();
        let idx = |n: &str| {
            p.lockfile
                .packages
                .iter()
                .position(|p| p.name.as_str() == n)
                .unwrap()
        };
        assert!(p.is_member(idx("local-util")));
        assert_eq!(p.dependency_path(idx("local-util")), "local-util");
    }

    #[test]
    fn parse_errors_name_the_line() {
        let e = parse("Cargo.lock".into(), "[[package]]\nname = 3\n", None).unwrap_err();
        assert!(e.message.starts_with("cannot parse Cargo.lock"), "{e:?}");
        let e = parse("Cargo.lock".into(), "version = 3\n[[package]\n", None).unwrap_err();
        assert_eq!(e.line, Some(2), "{e:?}");
    }

    #[test]
    fn discovery_honours_exclude_and_gitignore() {
        let t = tempfile::tempdir().unwrap();
        for d in ["a", "b/c", "target/x", "ignored"] {
            std::fs::create_dir_all(t.path().join(d)).unwrap();
            std::fs::write(t.path().join(d).join("Cargo.lock"), "").unwrap();
        }
        std::fs::write(t.path().join(".gitignore"), "ignored/\n").unwrap();
        let ex = ExcludeSet::new(&["target/**".to_string()]).unwrap();
        let found: Vec<String> = discover(t.path(), &ex)
            .iter()
            .map(|p| relative(t.path(), p))
            .collect();
        assert_eq!(found, ["a/Cargo.lock", "b/c/Cargo.lock"]);
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// Every prefix of a real lockfile (cut at char boundaries) parses or fails cleanly.
    #[test]
    fn truncated_lockfiles_never_panic() {
        let text = include_str!("../../../tests/fixtures/advisories/tiny/Cargo.lock");
        let mut ok = 0;
        for cut in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            if parse("Cargo.lock".into(), &text[..cut], None).is_ok() {
                ok += 1;
            }
        }
        assert!(ok > 0);
    }
}
