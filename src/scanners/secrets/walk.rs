//! Working-tree mode: a parallel walk (`ignore`) that honours .gitignore and `exclude`, skips
//! `.git/`, binaries and huge files, and never stops on an unreadable file.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use super::chunked::{self, Chunking};
use super::scope;
use super::Emitter;
use crate::finding::{Finding, Location, Notification, ScannerKind};
use crate::paths::relative;
use crate::scanners::{ScanContext, ScanOutput};

/// How many leading bytes are checked for a NUL to call a file binary (git's heuristic).
pub const BINARY_SNIFF: usize = 8 * 1024;

/// Whether `bytes` look binary: a NUL byte in the first [`BINARY_SNIFF`] bytes.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF)]).is_some()
}

#[derive(Default)]
struct Shared {
    findings: Vec<Finding>,
    notes: Vec<Notification>,
    binary: Vec<String>,
}

/// What became of one file.
pub enum FileScan {
    /// Read and scanned (whole, or in chunks when large).
    Scanned {
        /// Its findings.
        findings: Vec<Finding>,
        /// Its size.
        bytes: u64,
    },
    /// A NUL byte in the first 8 KiB: not text (a key store may still be a finding by name).
    Binary(Vec<Finding>),
    /// A baseline or report stagegate wrote: never scanned.
    Own,
    /// Over the explicit `max_file_size`, or unreadable: the warning says which.
    NotScanned(Notification),
}

/// Scans one file of `size` bytes at `abs` (`rel` in findings). Files up to
/// [`chunked::WHOLE_LIMIT`] are read whole; larger ones in bounded-memory chunks, so no file
/// is skipped for its size unless `[secrets] max_file_size` asks for it.
pub fn scan_file(
    emitter: &Emitter<'_>,
    abs: &std::path::Path,
    rel: &str,
    size: u64,
    max: Option<u64>,
) -> FileScan {
    if let Some(max) = max.filter(|&m| size > m) {
        return FileScan::NotScanned(
            Notification::warning(
                ScannerKind::Secrets,
                format!(
                    "{rel}: skipped, {size} bytes is over max_file_size ({max} bytes); raise or remove [secrets] max_file_size to scan it"
                ),
            )
            .at(Location::line(rel.to_string(), 1)),
        );
    }
    let unreadable = |e: std::io::Error| {
        FileScan::NotScanned(
            Notification::warning(
                ScannerKind::Secrets,
                format!("{rel}: cannot read: {e}; the file was not scanned"),
            )
            .at(Location::line(rel.to_string(), 1)),
        )
    };
    if size > chunked::WHOLE_LIMIT {
        let mut file = match std::fs::File::open(abs) {
            Ok(f) => f,
            Err(e) => return unreadable(e),
        };
        return match chunked::scan_reader(emitter, &mut file, Chunking::default(), rel, None) {
            Ok(s) if s.binary => FileScan::Binary(scope::path_findings(rel, None)),
            Ok(s) => FileScan::Scanned {
                findings: s.findings,
                bytes: s.bytes,
            },
            Err(e) => unreadable(e),
        };
    }
    with_buffer(|buf| match read_text(abs, size, buf) {
        Ok(false) => FileScan::Binary(scope::path_findings(rel, None)),
        Ok(true) if scope::is_own_output(rel, buf) => FileScan::Own,
        Ok(true) => FileScan::Scanned {
            findings: scope::with_path_rules(rel, Some(buf), emitter.findings(buf, rel, None)),
            bytes: buf.len() as u64,
        },
        Err(e) => unreadable(e),
    })
}

/// Buffers up to this capacity are kept for the thread's next file; a larger one (a rare
/// multi-MiB file) is freed after use, so each walker thread holds at most this much between
/// files.
const KEEP_BUFFER: usize = 1 << 20;

thread_local! {
    /// One read buffer per walker thread, reused from file to file: no allocation and no
    /// fresh (zero-filled, page-faulted) pages per file.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's read buffer (a fresh one if it is already in use).
fn with_buffer<T>(f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            let out = f(&mut buf);
            if buf.capacity() > KEEP_BUFFER {
                *buf = Vec::new();
            }
            out
        }
        Err(_) => f(&mut Vec::new()),
    })
}

/// Reads the file at `abs` (about `size` bytes) into `buf` if it is text: `Ok(false)` as soon
/// as its first [`BINARY_SNIFF`] bytes hold a NUL, without reading the rest. A tree of
/// dependencies is a third binary by size (archives, static libraries), and reading those
/// whole only to drop them cost time and a multi-MiB buffer per thread.
fn read_text(abs: &std::path::Path, size: u64, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    use std::io::Read;
    let mut file = std::fs::File::open(abs)?;
    let mut head = file.by_ref().take(BINARY_SNIFF as u64);
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    buf.reserve(size.min(BINARY_SNIFF));
    head.read_to_end(buf)?;
    if is_binary(buf) {
        return Ok(false);
    }
    if buf.len() == BINARY_SNIFF {
        // The rest, plus one byte so a file of exactly `size` bytes needs no second growth.
        buf.reserve(size.saturating_sub(BINARY_SNIFF).saturating_add(1));
        file.read_to_end(buf)?;
    }
    Ok(true)
}

/// Scans the files under `ctx.root`.
pub fn scan_tree(ctx: &ScanContext<'_>, emitter: &Emitter<'_>) -> ScanOutput {
    let root = ctx.root;
    let opts = &ctx.options.secrets;
    let max = ctx.config.secrets.max_file_size;
    let mut out = ScanOutput::default();
    let exclude = &ctx.config.exclude;
    if !root.exists() {
        out.notifications.push(Notification::error(
            ScannerKind::Secrets,
            format!("{}: scan root does not exist", root.display()),
        ));
        return out;
    }
    let files = AtomicU64::new(0);
    let bytes = AtomicU64::new(0);
    let shared = Mutex::new(Shared::default());
    // Named files or folders (see `crate::targets`) are walked instead of the whole root.
    let mut starts = ctx.options.targets.iter().map(|t| root.join(t));
    let mut builder = WalkBuilder::new(starts.next().unwrap_or_else(|| root.to_path_buf()));
    for s in starts {
        builder.add(s);
    }
    let walker = builder
        .hidden(false)
        .parents(true)
        .ignore(!opts.no_ignore)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .require_git(false)
        .follow_links(opts.follow_symlinks)
        // The same thread budget as the rest of the scan (honours RAYON_NUM_THREADS), instead
        // of `ignore`'s own choice of one thread per core.
        .threads(rayon::current_num_threads())
        .filter_entry({
            let exclude = exclude.clone();
            let root = root.to_path_buf();
            move |e| {
                if e.file_name() == ".git" && e.depth() > 0 {
                    return false;
                }
                let rel = relative(&root, e.path());
                rel == "." || !exclude.is_excluded(&rel)
            }
        })
        .build_parallel();
    let progress = ctx.options.progress.as_ref();
    walker.run(|| {
        let shared = &shared;
        let files = &files;
        let bytes = &bytes;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let msg = walk_error_message(root, &err);
                    if let Ok(mut s) = shared.lock() {
                        s.notes
                            .push(Notification::warning(ScannerKind::Secrets, msg));
                    }
                    return WalkState::Continue;
                }
            };
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            if !is_file {
                return WalkState::Continue;
            }
            let rel = relative(root, entry.path());
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            let mut local_notes = Vec::new();
            match scan_file(emitter, entry.path(), &rel, size, max) {
                FileScan::Scanned { findings, bytes: n } => {
                    files.fetch_add(1, Ordering::Relaxed);
                    bytes.fetch_add(n, Ordering::Relaxed);
                    if let Some(p) = progress {
                        p.inc_files(1);
                        p.inc_bytes(n);
                    }
                    if !findings.is_empty() {
                        if let Ok(mut s) = shared.lock() {
                            s.findings.extend(findings);
                        }
                    }
                }
                FileScan::Binary(findings) => {
                    if let Ok(mut s) = shared.lock() {
                        s.binary.push(rel);
                        s.findings.extend(findings);
                    }
                    return WalkState::Continue;
                }
                FileScan::Own => return WalkState::Continue,
                FileScan::NotScanned(note) => local_notes.push(note),
            }
            if !local_notes.is_empty() {
                if let Ok(mut s) = shared.lock() {
                    s.notes.extend(local_notes);
                }
            }
            WalkState::Continue
        })
    });
    let mut s = shared.into_inner().unwrap_or_default();
    if !opts.no_ignore {
        // .gitignore says what git should not pick up, not what is safe to publish: a file
        // that was force-added (`git add -f .env`) is in every clone, so it is scanned.
        for rel in tracked_but_ignored(root) {
            if exclude.is_excluded(&rel) || rel.split('/').any(|c| c == ".git") {
                continue;
            }
            let abs = root.join(&rel);
            let Ok(meta) = std::fs::symlink_metadata(&abs) else {
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            match scan_file(emitter, &abs, &rel, meta.len(), max) {
                FileScan::Scanned { findings, bytes: n } => {
                    files.fetch_add(1, Ordering::Relaxed);
                    bytes.fetch_add(n, Ordering::Relaxed);
                    s.findings.extend(findings);
                }
                FileScan::Binary(findings) => {
                    s.binary.push(rel);
                    s.findings.extend(findings);
                }
                FileScan::Own => {}
                FileScan::NotScanned(note) => s.notes.push(note),
            }
        }
    }
    out.findings = s.findings;
    out.notifications.extend(s.notes);
    if !s.binary.is_empty() {
        let mut b = s.binary;
        b.sort();
        let shown: Vec<&str> = b.iter().take(5).map(String::as_str).collect();
        out.notifications.push(Notification::note(
            ScannerKind::Secrets,
            format!(
                "skipped {} binary file(s) (NUL byte in the first 8 KiB): {}{}",
                b.len(),
                shown.join(", "),
                if b.len() > 5 { ", …" } else { "" }
            ),
        ));
    }
    out.notifications.sort();
    out.stats.files = files.into_inner();
    out.stats.bytes = bytes.into_inner();
    out
}

/// Files under `root` that git tracks although an ignore rule matches them (`git ls-files
/// --cached --ignored --exclude-standard`), relative to `root`. Empty outside a git work tree
/// or without git: then there is no index that could have force-added anything.
fn tracked_but_ignored(root: &std::path::Path) -> Vec<String> {
    let out = std::process::Command::new("git")
        .args([
            "-c",
            "core.quotePath=false",
            "ls-files",
            "-z",
            "--cached",
            "--ignored",
            "--exclude-standard",
        ])
        .current_dir(root)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() => o
            .stdout
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .filter_map(|p| std::str::from_utf8(p).ok().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// A walk error as a sentence naming the path (loops, permissions, broken links).
fn walk_error_message(root: &std::path::Path, err: &ignore::Error) -> String {
    fn inner(root: &std::path::Path, err: &ignore::Error) -> String {
        match err {
            ignore::Error::WithPath { path, err } => {
                format!("{}: {}", relative(root, path), inner(root, err))
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                inner(root, err)
            }
            ignore::Error::Loop { ancestor, child } => format!(
                "symbolic link loop: {} points back to {}; not followed",
                relative(root, child),
                relative(root, ancestor)
            ),
            other => other.to_string(),
        }
    }
    format!("{}; skipped", inner(root, err))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_with(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).expect("write the test file");
        p
    }

    #[test]
    fn text_files_are_read_whole_at_every_size_around_the_sniff() {
        let dir = tempfile::tempdir().expect("tempdir");
        for n in [
            0,
            1,
            BINARY_SNIFF - 1,
            BINARY_SNIFF,
            BINARY_SNIFF + 1,
            3 * BINARY_SNIFF + 7,
        ] {
            let text: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            let p = file_with(&dir, &format!("t{n}"), &text);
            let mut buf = Vec::new();
            // A stale size from the walk (the file grew or shrank) must not change the text.
            for size in [n as u64, 0, n as u64 + 100] {
                buf.clear();
                assert!(read_text(&p, size, &mut buf).expect("readable"), "{n}");
                assert_eq!(buf, text, "{n} bytes, size hint {size}");
            }
        }
    }

    #[test]
    fn binary_files_stop_at_the_sniff() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut bytes = vec![b'x'; 5 * BINARY_SNIFF];
        bytes[BINARY_SNIFF - 1] = 0;
        let p = file_with(&dir, "lib.a", &bytes);
        let mut buf = Vec::new();
        assert!(!read_text(&p, bytes.len() as u64, &mut buf).expect("readable"));
        assert_eq!(
            buf.len(),
            BINARY_SNIFF,
            "the rest of a binary is never read"
        );
        // A NUL after the first 8 KiB is text, as in git.
        bytes[BINARY_SNIFF - 1] = b'x';
        bytes[BINARY_SNIFF] = 0;
        let p = file_with(&dir, "late-nul", &bytes);
        buf.clear();
        assert!(read_text(&p, bytes.len() as u64, &mut buf).expect("readable"));
        assert_eq!(buf, bytes);
    }

    #[test]
    fn the_thread_buffer_is_reused_and_a_large_one_freed() {
        let small = with_buffer(|b| {
            b.extend_from_slice(b"abc");
            b.as_ptr() as usize
        });
        let again = with_buffer(|b| {
            assert!(b.is_empty(), "each file starts from an empty buffer");
            b.as_ptr() as usize
        });
        assert_eq!(small, again, "the same allocation serves the next file");
        with_buffer(|b| b.resize(KEEP_BUFFER + 1, 0));
        let cap = BUFFER.with(|c| c.borrow().capacity());
        assert!(cap <= KEEP_BUFFER, "a large buffer is not kept: {cap}");
        // Nested use (never done by the walk) gets its own buffer instead of a panic.
        let nested = with_buffer(|_| with_buffer(|b| b.capacity()));
        assert_eq!(nested, 0);
    }
}
