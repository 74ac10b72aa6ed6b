//! Loose git objects read in-process, for a pre-commit run.
//!
//! `git add` writes each staged file as a loose object (`objects/ab/cdef…`, zlib of
//! `blob <size>\0<content>`), so the blobs a pre-commit run scans are almost always loose.
//! Reading them here spares starting `git cat-file --batch`, a second git process on the
//! critical path of every commit. Objects are named by the hash of their content, so a blob
//! found under its id is that blob, whichever object directory it was found in; anything not
//! found loose (packed, in an alternate, over the size limit, unreadable) is read through
//! `git cat-file` as before.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The object directory of the repository holding `root`, found as git finds it: `$GIT_OBJECT_
/// DIRECTORY`, else the common directory (`$GIT_COMMON_DIR`, a linked worktree's `commondir`)
/// of `$GIT_DIR` or of the nearest `.git` directory (or `gitdir:` file) from `root` upward.
/// `None` when there is none; a wrong guess only means the blobs are not found here.
pub fn objects_dir(root: &Path) -> Option<PathBuf> {
    objects_dir_in(root, |name| std::env::var_os(name))
}

/// [`objects_dir`] with the environment read through `env` (tests pass an empty one).
fn objects_dir_in(
    root: &Path,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    let root = std::fs::canonicalize(root).ok()?;
    if let Some(dir) = env("GIT_OBJECT_DIRECTORY") {
        return Some(root.join(dir));
    }
    if let Some(dir) = env("GIT_COMMON_DIR") {
        return Some(root.join(dir).join("objects"));
    }
    let git_dir = match env("GIT_DIR") {
        Some(dir) => root.join(dir),
        None => root.ancestors().find_map(|dir| {
            let dot_git = dir.join(".git");
            if dot_git.is_dir() {
                return Some(dot_git);
            }
            // A linked worktree or a submodule: `gitdir: <path>`, relative to its folder.
            let text = std::fs::read_to_string(&dot_git).ok()?;
            let target = text.strip_prefix("gitdir:")?.trim();
            Some(dir.join(target))
        })?,
    };
    let common = match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(c) => git_dir.join(c.trim()),
        Err(_) => git_dir,
    };
    Some(common.join("objects"))
}

/// The content of the loose blob `id` (hexadecimal) in `objects`, if it is there, is a blob
/// of at most `limit` bytes and inflates cleanly; `None` otherwise (the caller asks git).
pub fn read_blob(objects: &Path, id: &str, limit: u64) -> Option<Vec<u8>> {
    read_object(objects, id, "blob", limit)
}

/// The content of the loose object `id` of type `kind` (`blob`, `tree`), as [`read_blob`].
pub fn read_object(objects: &Path, id: &str, kind: &str, limit: u64) -> Option<Vec<u8>> {
    if id.len() < 40 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let (dir, name) = id.split_at(2);
    let file = std::fs::File::open(objects.join(dir).join(name)).ok()?;
    let mut z = flate2::read::ZlibDecoder::new(std::io::BufReader::new(file));
    // The header: `<kind> <decimal size>\0`.
    let mut header = Vec::with_capacity(32);
    let mut byte = [0u8; 1];
    loop {
        z.read_exact(&mut byte).ok()?;
        if byte[0] == 0 {
            break;
        }
        if header.len() >= 32 {
            return None;
        }
        header.push(byte[0]);
    }
    let size: u64 = std::str::from_utf8(header.strip_prefix(kind.as_bytes())?.strip_prefix(b" ")?)
        .ok()?
        .parse()
        .ok()?;
    if size > limit {
        return None;
    }
    let mut content = Vec::with_capacity(usize::try_from(size).ok()?);
    z.take(size + 1).read_to_end(&mut content).ok()?;
    (content.len() as u64 == size).then_some(content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write_loose(objects: &Path, id: &str, raw: &[u8]) {
        let dir = objects.join(&id[..2]);
        std::fs::create_dir_all(&dir).expect("dir");
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(raw).expect("deflate");
        std::fs::write(dir.join(&id[2..]), z.finish().expect("deflate")).expect("write");
    }

    #[test]
    fn reads_a_loose_blob_and_refuses_everything_else() {
        let tmp = tempfile::tempdir().expect("tmp");
        let objects = tmp.path();
        let id = "ab".repeat(20);
        write_loose(objects, &id, b"blob 5\0hello");
        assert_eq!(read_blob(objects, &id, 100).as_deref(), Some(&b"hello"[..]));
        // Over the limit, missing, a tree, a size that lies, garbage, a bad id: ask git.
        assert_eq!(read_blob(objects, &id, 4), None);
        assert_eq!(read_blob(objects, &"cd".repeat(20), 100), None);
        let tree = "ef".repeat(20);
        write_loose(objects, &tree, b"tree 5\0hello");
        assert_eq!(read_blob(objects, &tree, 100), None);
        let short = "12".repeat(20);
        write_loose(objects, &short, b"blob 9\0hello");
        assert_eq!(read_blob(objects, &short, 100), None);
        let long = "34".repeat(20);
        write_loose(objects, &long, b"blob 2\0hello");
        assert_eq!(read_blob(objects, &long, 100), None);
        let junk = "56".repeat(20);
        std::fs::create_dir_all(objects.join("56")).expect("dir");
        std::fs::write(objects.join("56").join(&junk[2..]), b"not zlib").expect("write");
        assert_eq!(read_blob(objects, &junk, 100), None);
        assert_eq!(read_blob(objects, "../../etc/passwd", 100), None);
    }

    #[test]
    fn finds_the_object_directory_of_a_repository_and_a_linked_worktree() {
        // The environment a hook would set is not consulted here: `none`.
        let none = |_: &str| None;
        let tmp = tempfile::tempdir().expect("tmp");
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(repo.join(".git/objects")).expect("dir");
        std::fs::create_dir_all(repo.join("sub/dir")).expect("dir");
        let want = std::fs::canonicalize(repo.join(".git/objects")).expect("canon");
        assert_eq!(
            objects_dir_in(&repo.join("sub/dir"), none),
            Some(want.clone())
        );
        // A linked worktree: `.git` is a file naming its git dir, whose `commondir` leads back.
        let wt = tmp.path().join("wt");
        let wt_git = repo.join(".git/worktrees/wt");
        std::fs::create_dir_all(&wt_git).expect("dir");
        std::fs::create_dir_all(&wt).expect("dir");
        std::fs::write(wt.join(".git"), format!("gitdir: {}\n", wt_git.display())).expect("w");
        std::fs::write(wt_git.join("commondir"), "../..\n").expect("w");
        let found = objects_dir_in(&wt, none).expect("found");
        let with_env = objects_dir_in(&wt, |name| {
            (name == "GIT_OBJECT_DIRECTORY").then(|| repo.join(".git/objects").into_os_string())
        });
        assert_eq!(with_env, Some(repo.join(".git/objects")));
        assert_eq!(std::fs::canonicalize(found).ok(), Some(want));
    }
}
