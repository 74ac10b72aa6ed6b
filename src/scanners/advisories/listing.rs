//! Fast listing of the `*.md` files under every subdirectory of a directory.
//!
//! Dating a plain-directory database means listing ~900 crate directories, the most expensive
//! step of an audit. On Unix each directory is opened relative to the parent's descriptor and
//! read with `getdents` (rustix), skipping the `fstat` and full-path lookups of
//! `std::fs::read_dir`; elsewhere it falls back to the standard library.

use std::path::Path;

use rayon::prelude::*;

/// `RUSTSEC-2024-0003.md` → (2024, 3).
pub fn advisory_number(file_name: &[u8]) -> Option<(u32, u32)> {
    let rest = file_name.strip_prefix(b"RUSTSEC-")?.strip_suffix(b".md")?;
    let rest = std::str::from_utf8(rest).ok()?;
    let (y, n) = rest.split_once('-')?;
    Some((y.parse().ok()?, n.parse().ok()?))
}

/// Every (subdirectory name, `*.md` file name) under `dir`.
pub fn md_files(dir: &Path) -> Vec<(String, String)> {
    imp::md_files(dir)
}

fn md_name(name: &[u8]) -> Option<String> {
    name.ends_with(b".md")
        .then(|| std::str::from_utf8(name).ok().map(String::from))
        .flatten()
}

#[cfg(unix)]
mod imp {
    use super::*;
    use rustix::fs::{openat, Dir, Mode, OFlags, CWD};

    fn open_dir<Fd: rustix::fd::AsFd>(at: Fd, name: &std::ffi::CStr) -> Option<Dir> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let fd = openat(at, name, flags, Mode::empty()).ok()?;
        Dir::new(fd).ok()
    }

    pub fn md_files(dir: &Path) -> Vec<(String, String)> {
        let Ok(top_fd) = openat(
            CWD,
            dir,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        ) else {
            return Vec::new();
        };
        let Ok(top) = Dir::read_from(&top_fd) else {
            return Vec::new();
        };
        let names: Vec<std::ffi::CString> = top
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_owned())
            .filter(|n| !n.as_bytes().starts_with(b"."))
            .collect();
        names
            .par_iter()
            .flat_map_iter(|name| {
                let files: Vec<String> = open_dir(&top_fd, name)
                    .into_iter()
                    .flatten()
                    .filter_map(Result::ok)
                    .filter_map(|e| md_name(e.file_name().to_bytes()))
                    .collect();
                let name = name.to_string_lossy().into_owned();
                files.into_iter().map(move |f| (name.clone(), f))
            })
            .collect()
    }
}

#[cfg(not(unix))]
mod imp {
    use super::*;

    pub fn md_files(dir: &Path) -> Vec<(String, String)> {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let subdirs: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
        subdirs
            .par_iter()
            .flat_map_iter(|d| {
                let name = d
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                std::fs::read_dir(d)
                    .into_iter()
                    .flatten()
                    .filter_map(Result::ok)
                    .filter_map(|e| md_name(e.file_name().to_str()?.as_bytes()))
                    .map(move |f| (name.clone(), f))
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_ids_of_every_subdirectory() {
        let t = tempfile::tempdir().unwrap();
        for (d, f) in [
            ("a", "RUSTSEC-2020-0001.md"),
            ("a", "RUSTSEC-2024-0012.md"),
            ("b", "RUSTSEC-2025-0003.md"),
            ("b", "README.md"),
            ("b", "RUSTSEC-x.md"),
        ] {
            std::fs::create_dir_all(t.path().join(d)).unwrap();
            std::fs::write(t.path().join(d).join(f), "").unwrap();
        }
        std::fs::write(t.path().join("loose-file"), "").unwrap();
        let mut files = md_files(t.path());
        files.sort();
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            files,
            vec![
                s("a", "RUSTSEC-2020-0001.md"),
                s("a", "RUSTSEC-2024-0012.md"),
                s("b", "README.md"),
                s("b", "RUSTSEC-2025-0003.md"),
                s("b", "RUSTSEC-x.md"),
            ]
        );
        assert!(md_files(&t.path().join("missing")).is_empty());
        assert_eq!(advisory_number(b"RUSTSEC-2021-0078.md"), Some((2021, 78)));
        assert_eq!(advisory_number(b"RUSTSEC-2021-0078.txt"), None);
    }
}
