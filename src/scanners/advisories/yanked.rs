//! Yanked versions from Cargo's local registry index cache — no network.
//!
//! Cargo keeps what it last fetched of the crates.io index under
//! `$CARGO_HOME/registry/index/<registry>/.cache/<prefix>/<name>`. Each file is: one byte of
//! cache version, four bytes of index version, a NUL-terminated header, then pairs of
//! NUL-terminated `version` and JSON index line (`"yanked": true|false`). The cache is only as
//! fresh as the last `cargo` command that resolved dependencies; it answers "was this version
//! yanked when we last looked", which is what an offline gate can know.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The index caches of crates.io found under a Cargo home.
#[derive(Debug, Clone)]
pub struct IndexCache {
    dirs: Vec<PathBuf>,
}

/// What the cache says about one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Yanked.
    Yanked,
    /// Listed and not yanked.
    Available,
    /// The crate or version is not in the cache.
    Unknown,
}

#[derive(Deserialize)]
struct IndexLine {
    #[serde(default)]
    yanked: bool,
}

/// Index cache files larger than this are not read (the largest crates are ~2 MB).
const MAX_CACHE_FILE: u64 = 32 << 20;

impl IndexCache {
    /// The crates.io index caches of `cargo_home` (`index.crates.io-*` for the sparse protocol,
    /// `github.com-*` for the git one), or `None` when there are none.
    pub fn open(cargo_home: &Path) -> Option<IndexCache> {
        let rd = std::fs::read_dir(cargo_home.join("registry").join("index")).ok()?;
        let mut dirs: Vec<PathBuf> = rd
            .filter_map(Result::ok)
            .filter(|e| {
                let n = e.file_name();
                let n = n.to_string_lossy();
                n.starts_with("index.crates.io-") || n.starts_with("github.com-")
            })
            .map(|e| e.path().join(".cache"))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        if dirs.is_empty() {
            None
        } else {
            Some(IndexCache { dirs })
        }
    }

    /// A cache at exactly `dir` (a `.cache` directory), for tests and unusual layouts.
    pub fn at(dir: PathBuf) -> IndexCache {
        IndexCache { dirs: vec![dir] }
    }

    /// Every version of `name` the cache knows, with its yanked flag.
    pub fn versions(&self, name: &str) -> Option<HashMap<String, bool>> {
        let rel = cache_path(name)?;
        self.dirs.iter().find_map(|d| {
            let p = d.join(&rel);
            let meta = std::fs::metadata(&p).ok()?;
            if meta.len() > MAX_CACHE_FILE {
                return None;
            }
            parse_cache(&std::fs::read(p).ok()?)
        })
    }

    /// Whether `name` `version` is yanked.
    pub fn status(&self, name: &str, version: &str) -> Status {
        match self.versions(name).and_then(|m| m.get(version).copied()) {
            Some(true) => Status::Yanked,
            Some(false) => Status::Available,
            None => Status::Unknown,
        }
    }
}

/// Cargo's index path for a crate: `1/a`, `2/ab`, `3/a/abc`, `se/rd/serde` (lowercase).
pub fn cache_path(name: &str) -> Option<PathBuf> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    let n = name.to_ascii_lowercase();
    let p = match n.len() {
        1 => PathBuf::from("1").join(&n),
        2 => PathBuf::from("2").join(&n),
        3 => PathBuf::from("3").join(&n[..1]).join(&n),
        _ => PathBuf::from(&n[..2]).join(&n[2..4]).join(&n),
    };
    Some(p)
}

/// Parses one cache file into `version → yanked`.
fn parse_cache(bytes: &[u8]) -> Option<HashMap<String, bool>> {
    // 1 byte cache version + 4 bytes index version, then the header up to NUL.
    let rest = bytes.get(5..)?;
    let header_end = memchr::memchr(0, rest)?;
    let mut fields = rest.get(header_end + 1..)?.split(|&b| b == 0);
    let mut out = HashMap::new();
    while let (Some(v), Some(json)) = (fields.next(), fields.next()) {
        if v.is_empty() {
            break;
        }
        let Ok(version) = std::str::from_utf8(v) else {
            continue;
        };
        let yanked = serde_json::from_slice::<IndexLine>(json)
            .map(|l| l.yanked)
            .unwrap_or(false);
        out.insert(version.to_string(), yanked);
    }
    Some(out)
}

/// Builds a cache file in Cargo's format (tests and fixtures).
pub fn encode_cache(entries: &[(&str, bool)]) -> Vec<u8> {
    let mut out = vec![3u8, 2, 0, 0, 0];
    out.extend_from_slice(b"etag\0");
    for (v, y) in entries {
        out.extend_from_slice(v.as_bytes());
        out.push(0);
        out.extend_from_slice(format!("{{\"vers\": \"{v}\", \"yanked\": {y}}}").as_bytes());
        out.push(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_cargo_layout() {
        assert_eq!(cache_path("a").unwrap(), PathBuf::from("1/a"));
        assert_eq!(cache_path("ab").unwrap(), PathBuf::from("2/ab"));
        assert_eq!(cache_path("Hex").unwrap(), PathBuf::from("3/h/hex"));
        assert_eq!(cache_path("serde").unwrap(), PathBuf::from("se/rd/serde"));
        assert_eq!(cache_path("../x"), None);
    }

    #[test]
    fn reads_yanked_flags() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join(".cache/se/rd");
        std::fs::create_dir_all(&p).unwrap();
        std::fs::write(
            p.join("serde"),
            encode_cache(&[("1.0.0", false), ("1.0.1", true)]),
        )
        .unwrap();
        let c = IndexCache::at(t.path().join(".cache"));
        assert_eq!(c.status("serde", "1.0.1"), Status::Yanked);
        assert_eq!(c.status("serde", "1.0.0"), Status::Available);
        assert_eq!(c.status("serde", "9.9.9"), Status::Unknown);
        assert_eq!(c.status("other", "1.0.0"), Status::Unknown);
    }

    #[test]
    fn garbage_is_not_a_panic() {
        assert!(parse_cache(b"").is_none());
        assert!(parse_cache(b"\x03\x02\0\0\0no-nul").is_none());
        let m = parse_cache(b"\x03\x02\0\0\0h\x001.0.0\0{bad json\0").unwrap();
        assert_eq!(m.get("1.0.0"), Some(&false));
    }

    #[test]
    fn open_finds_crates_io_caches_only() {
        let t = tempfile::tempdir().unwrap();
        assert!(IndexCache::open(t.path()).is_none());
        std::fs::create_dir_all(t.path().join("registry/index/my-registry-123/.cache")).unwrap();
        assert!(IndexCache::open(t.path()).is_none());
        std::fs::create_dir_all(t.path().join("registry/index/index.crates.io-abc/.cache"))
            .unwrap();
        assert!(IndexCache::open(t.path()).is_some());
    }
}
