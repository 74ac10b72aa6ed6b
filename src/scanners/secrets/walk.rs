//! Working-tree mode: a parallel walk (`ignore`) that honours .gitignore and `exclude`, skips
//! `.git/`, binaries and huge files, and never stops on an unreadable file.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

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
                        s.notes.push(Notification::warning(ScannerKind::Secrets, msg));
                    }
                    return WalkState::Continue;
                }
            };
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            if !is_file {
                return WalkState::Continue;
            }
            let rel = relative(root, entry.path());
            let mut local_notes = Vec::new();
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if size > max {
                local_notes.push(
                    Notification::warning(
                        ScannerKind::Secrets,
                        format!(
                            "{rel}: skipped, {size} bytes is over max_file_size ({max} bytes); raise [secrets] max_file_size to scan it"
                        ),
                    )
                    .at(Location::line(rel.clone(), 1)),
                );
            } else {
                match std::fs::read(entry.path()) {
                    Ok(content) => {
                        if is_binary(&content) {
                            if let Ok(mut s) = shared.lock() {
                                s.binary.push(rel);
                            }
                            return WalkState::Continue;
                        }
                        files.fetch_add(1, Ordering::Relaxed);
                        bytes.fetch_add(content.len() as u64, Ordering::Relaxed);
                        if let Some(p) = progress {
                            p.inc_files(1);
                            p.inc_bytes(content.len() as u64);
                        }
                        let found = emitter.findings(&content, &rel, None);
                        if !found.is_empty() {
                            if let Ok(mut s) = shared.lock() {
                                s.findings.extend(found);
                            }
                        }
                    }
                    Err(e) => local_notes.push(
                        Notification::warning(
                            ScannerKind::Secrets,
                            format!("{rel}: cannot read: {e}; the file was not scanned"),
                        )
                        .at(Location::line(rel.clone(), 1)),
                    ),
                }
            }
            if !local_notes.is_empty() {
                if let Ok(mut s) = shared.lock() {
                    s.notes.extend(local_notes);
                }
            }
            WalkState::Continue
        })
    });
    let s = shared.into_inner().unwrap_or_default();
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
