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
    match std::fs::read(abs) {
        Ok(content) if is_binary(&content) => FileScan::Binary(scope::path_findings(rel, None)),
        Ok(content) if scope::is_own_output(rel, &content) => FileScan::Own,
        Ok(content) => FileScan::Scanned {
            findings: scope::with_path_rules(
                rel,
                Some(&content),
                emitter.findings(&content, rel, None),
            ),
            bytes: content.len() as u64,
        },
        Err(e) => unreadable(e),
    }
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
    let walker = WalkBuilder::new(root)
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
