//! Git modes, through git's own plumbing (`git log --raw`, `git cat-file --batch`) run as child
//! processes: no git library to build, and git's object access is as fast as it gets.
//!
//! * **Staged** (`--staged`, for pre-commit): the *whole staged content* of every added, copied,
//!   modified or renamed file (`git diff --cached --name-only -z --diff-filter=ACMR`), read from
//!   the index with `git cat-file --batch` on `:path`. Scanning whole files rather than only the
//!   added lines keeps line numbers exact (they are the file's lines in the index) and catches a
//!   secret that a partial staging would otherwise split; the cost is a few extra kilobytes per
//!   file, far below the 100 ms budget of a typical commit.
//! * **History** (`--history [--since REV]`): `git log --all --topo-order --reverse -m --raw`
//!   lists, oldest first, every blob each commit added or changed with its path; the first
//!   sighting of a blob id is the commit that introduced it. Each distinct blob is then read
//!   once through one `git cat-file --batch` process and scanned in parallel, however many
//!   commits or paths contain it. `--since REV` adds `^REV`: only commits not reachable from REV.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use rayon::iter::{ParallelBridge, ParallelIterator};

use super::walk::is_binary;
use super::{CommitInfo, Emitter};
use crate::finding::{Finding, Location, Notification, ScannerKind};
use crate::paths::ExcludeSet;
use crate::scanners::{ScanContext, ScanOutput};

/// Runs `git args` in `dir`, returning stdout or a message with git's stderr.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-c")
        .arg("core.quotePath=false")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}; is git installed and on PATH?"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            err.trim().lines().next().unwrap_or("unknown error")
        ))
    }
}

/// The path of `root` inside its work tree (`sub/dir/`, empty at the top), or an error message
/// saying it is not a git repository.
fn repo_prefix(root: &Path, mode: &str) -> Result<String, String> {
    match git(root, &["rev-parse", "--show-prefix"]) {
        Ok(p) => Ok(String::from_utf8_lossy(&p)
            .trim_end_matches('\n')
            .to_string()),
        Err(e) => Err(format!(
            "{}: {mode} needs a git repository, and this is not one (or git failed: {e})",
            root.display()
        )),
    }
}

fn exclude_set(ctx: &ScanContext<'_>, out: &mut ScanOutput) -> ExcludeSet {
    ExcludeSet::new(&ctx.config.exclude).unwrap_or_else(|e| {
        out.notifications.push(Notification::error(
            ScannerKind::Secrets,
            format!("exclude: invalid glob: {e}"),
        ));
        ExcludeSet::none()
    })
}

/// One object read from `git cat-file --batch`.
struct Blob {
    /// Index into the request list.
    index: usize,
    content: Vec<u8>,
}

/// Streams `requests` (object names) through one `git cat-file --batch` and calls `sink` for
/// each object found, in request order. Missing objects are reported through `missing`.
/// Objects larger than `max` are skipped (their bytes are drained) and reported via `too_big`.
fn cat_file_batch(
    dir: &Path,
    requests: Vec<String>,
    max: u64,
    mut sink: impl FnMut(Blob),
    mut problem: impl FnMut(usize, String),
) -> Result<(), String> {
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git cat-file: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("git cat-file: no stdin")?;
    let stdout = child.stdout.take().ok_or("git cat-file: no stdout")?;
    let n = requests.len();
    let writer = std::thread::spawn(move || {
        let mut w = std::io::BufWriter::new(&mut stdin);
        for r in &requests {
            if writeln!(w, "{r}").is_err() {
                break;
            }
        }
        let _ = w.flush();
    });
    let mut reader = BufReader::with_capacity(1 << 20, stdout);
    let mut header = Vec::new();
    let mut result = Ok(());
    for index in 0..n {
        header.clear();
        match reader.read_until(b'\n', &mut header) {
            Ok(0) => {
                result = Err("git cat-file ended early".to_string());
                break;
            }
            Ok(_) => {}
            Err(e) => {
                result = Err(format!("reading from git cat-file: {e}"));
                break;
            }
        }
        let line = String::from_utf8_lossy(&header);
        let fields: Vec<&str> = line.trim_end().split(' ').collect();
        if fields.len() < 3 || fields.last() == Some(&"missing") {
            problem(index, "not found".to_string());
            continue;
        }
        let size: u64 = fields[fields.len() - 1].parse().unwrap_or(0);
        if fields[1] != "blob" || size > max {
            let mut drain = (&mut reader).take(size + 1);
            if std::io::copy(&mut drain, &mut std::io::sink()).is_err() {
                result = Err("reading from git cat-file failed".to_string());
                break;
            }
            if size > max {
                problem(
                    index,
                    format!("skipped, {size} bytes is over max_file_size ({max} bytes)"),
                );
            }
            continue;
        }
        let mut content = vec![0u8; usize::try_from(size).unwrap_or(0)];
        if let Err(e) = reader.read_exact(&mut content) {
            result = Err(format!("reading from git cat-file: {e}"));
            break;
        }
        let mut nl = [0u8; 1];
        let _ = reader.read_exact(&mut nl);
        sink(Blob { index, content });
    }
    drop(reader);
    let _ = writer.join();
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// Scans the staged content of the index.
pub fn scan_staged(ctx: &ScanContext<'_>, emitter: &Emitter<'_>) -> ScanOutput {
    let mut out = ScanOutput::default();
    let prefix = match repo_prefix(ctx.root, "--staged") {
        Ok(p) => p,
        Err(msg) => {
            out.notifications
                .push(Notification::error(ScannerKind::Secrets, msg));
            return out;
        }
    };
    let exclude = exclude_set(ctx, &mut out);
    let names = match git(
        ctx.root,
        &[
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--diff-filter=ACMR",
            "--relative",
        ],
    ) {
        Ok(n) => n,
        Err(msg) => {
            out.notifications
                .push(Notification::error(ScannerKind::Secrets, msg));
            return out;
        }
    };
    let mut paths: Vec<String> = Vec::new();
    for raw in names.split(|&b| b == 0).filter(|p| !p.is_empty()) {
        let rel = String::from_utf8_lossy(raw).into_owned();
        if rel.contains('\n') {
            out.notifications.push(Notification::warning(
                ScannerKind::Secrets,
                format!(
                    "{}: file name contains a newline; not scanned",
                    rel.escape_debug()
                ),
            ));
            continue;
        }
        if !exclude.is_excluded(&rel) {
            paths.push(rel);
        }
    }
    let requests: Vec<String> = paths.iter().map(|p| format!(":{prefix}{p}")).collect();
    let max = ctx.config.secrets.max_file_size;
    let mut problems = Vec::new();
    let mut findings = Vec::new();
    let res = cat_file_batch(
        ctx.root,
        requests,
        max,
        |blob| {
            let Some(path) = paths.get(blob.index) else {
                return;
            };
            if is_binary(&blob.content) {
                return;
            }
            out.stats.files += 1;
            out.stats.bytes += blob.content.len() as u64;
            findings.extend(emitter.findings(&blob.content, path, None));
        },
        |index, msg| problems.push((index, msg)),
    );
    for (index, msg) in problems {
        let path = paths.get(index).cloned().unwrap_or_default();
        out.notifications.push(
            Notification::warning(
                ScannerKind::Secrets,
                format!("{path}: staged content {msg}"),
            )
            .at(Location::line(path, 1)),
        );
    }
    if let Err(msg) = res {
        out.notifications
            .push(Notification::error(ScannerKind::Secrets, msg));
    }
    out.findings = findings;
    out
}

/// Where a blob was first seen.
struct Introduced {
    blob: String,
    commit: usize,
    path: String,
}

/// Parses `git log -z --raw --format=%x01%H%x00%cI%x00%an <%ae>` output, oldest first, into
/// the first (commit, path) of every blob. Paths are relative to the repository top.
fn parse_log(
    log: impl BufRead,
    commits: &mut Vec<CommitInfo>,
    keep_path: impl Fn(&str) -> bool,
) -> Vec<Introduced> {
    let mut seen: HashMap<String, ()> = HashMap::new();
    let mut introduced = Vec::new();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let mut current: Option<usize> = None;
    // 0 = expecting anything, 1 = date next, 2 = author next, 3 = path of `pending` next.
    let mut state = 0u8;
    let mut pending: Option<String> = None;
    for token in log.split(0) {
        let Ok(token) = token else { break };
        let text = String::from_utf8_lossy(&token);
        let t = text.trim_start_matches('\n');
        match state {
            1 => {
                if let Some(c) = current.and_then(|i| commits.get_mut(i)) {
                    c.date = t.to_string();
                }
                state = 2;
                continue;
            }
            2 => {
                if let Some(c) = current.and_then(|i| commits.get_mut(i)) {
                    c.author = t.to_string();
                }
                state = 0;
                continue;
            }
            3 => {
                state = 0;
                if let (Some(blob), Some(commit)) = (pending.take(), current) {
                    if !seen.contains_key(&blob) && keep_path(t) {
                        seen.insert(blob.clone(), ());
                        introduced.push(Introduced {
                            blob,
                            commit,
                            path: t.to_string(),
                        });
                    }
                }
                continue;
            }
            _ => {}
        }
        if let Some(id) = t.strip_prefix('\u{1}') {
            let id = id.trim().to_string();
            let idx = *index_of.entry(id.clone()).or_insert_with(|| {
                commits.push(CommitInfo {
                    id,
                    ..CommitInfo::default()
                });
                commits.len() - 1
            });
            current = Some(idx);
            state = 1;
        } else if let Some(raw) = t.strip_prefix(':') {
            // ":oldmode newmode oldsha newsha status"
            let f: Vec<&str> = raw.split(' ').collect();
            state = 3;
            pending = None;
            if f.len() >= 5 {
                let (new_mode, new_sha, status) = (f[1], f[3], f[4]);
                let is_file = new_mode.starts_with("100");
                let deleted = status.starts_with('D') || new_sha.bytes().all(|b| b == b'0');
                if is_file && !deleted {
                    pending = Some(new_sha.to_string());
                }
            }
        }
    }
    introduced
}

/// Scans every blob reachable from all refs (after `since`), once each.
pub fn scan_history(
    ctx: &ScanContext<'_>,
    emitter: &Emitter<'_>,
    since: Option<&str>,
) -> ScanOutput {
    let mut out = ScanOutput::default();
    let prefix = match repo_prefix(ctx.root, "--history") {
        Ok(p) => p,
        Err(msg) => {
            out.notifications
                .push(Notification::error(ScannerKind::Secrets, msg));
            return out;
        }
    };
    let exclude = exclude_set(ctx, &mut out);
    let mut args: Vec<String> = [
        "-c",
        "core.quotePath=false",
        "log",
        "--all",
        "--topo-order",
        "--reverse",
        "-m",
        "--raw",
        "--no-renames",
        "--no-abbrev",
        "-z",
        "--format=%x01%H%x00%cI%x00%an <%ae>",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(rev) = since {
        if let Err(e) = git(
            ctx.root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        ) {
            out.notifications.push(Notification::error(
                ScannerKind::Secrets,
                format!("--since `{rev}` is not a commit of this repository ({e})"),
            ));
            return out;
        }
        args.push(format!("^{rev}"));
    }
    let child = Command::new("git")
        .args(&args)
        .current_dir(ctx.root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            out.notifications.push(Notification::error(
                ScannerKind::Secrets,
                format!("cannot run git log: {e}"),
            ));
            return out;
        }
    };
    let mut commits: Vec<CommitInfo> = Vec::new();
    let keep = |top_rel: &str| match top_rel.strip_prefix(prefix.as_str()) {
        Some(rel) => !exclude.is_excluded(rel),
        None => false,
    };
    let introduced = match child.stdout.take() {
        Some(stdout) => parse_log(
            BufReader::with_capacity(1 << 20, stdout),
            &mut commits,
            keep,
        ),
        None => Vec::new(),
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    match child.wait() {
        Ok(s) if s.success() => {}
        _ => {
            out.notifications.push(Notification::error(
                ScannerKind::Secrets,
                format!(
                    "`git log` failed: {}",
                    stderr.trim().lines().next().unwrap_or("unknown error")
                ),
            ));
            return out;
        }
    }
    out.stats.commits = commits.len() as u64;
    let requests: Vec<String> = introduced.iter().map(|i| i.blob.clone()).collect();
    let max = ctx.config.secrets.max_file_size;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Blob>(256);
    let root = ctx.root.to_path_buf();
    let reader = std::thread::spawn(move || {
        let mut problems = Vec::new();
        let res = cat_file_batch(
            &root,
            requests,
            max,
            |b| {
                let _ = tx.send(b);
            },
            |i, m| problems.push((i, m)),
        );
        (res, problems)
    });
    let scanned: Vec<(u64, Vec<Finding>)> = rx
        .into_iter()
        .par_bridge()
        .filter_map(|blob| {
            let intro = introduced.get(blob.index)?;
            if is_binary(&blob.content) {
                return None;
            }
            let commit = commits.get(intro.commit)?;
            let rel = intro
                .path
                .strip_prefix(prefix.as_str())
                .unwrap_or(&intro.path);
            Some((
                blob.content.len() as u64,
                emitter.findings(&blob.content, rel, Some(commit)),
            ))
        })
        .collect();
    for (bytes, findings) in scanned {
        out.stats.blobs += 1;
        out.stats.bytes += bytes;
        out.findings.extend(findings);
    }
    match reader.join() {
        Ok((res, problems)) => {
            for (i, msg) in problems {
                if let Some(intro) = introduced.get(i) {
                    let rel = intro
                        .path
                        .strip_prefix(prefix.as_str())
                        .unwrap_or(&intro.path);
                    let commit = commits
                        .get(intro.commit)
                        .map(|c| c.id.as_str())
                        .unwrap_or("");
                    out.notifications.push(Notification::warning(
                        ScannerKind::Secrets,
                        format!("{rel} (blob {} in commit {commit}): {msg}", intro.blob),
                    ));
                }
            }
            if let Err(msg) = res {
                out.notifications
                    .push(Notification::error(ScannerKind::Secrets, msg));
            }
        }
        Err(_) => out.notifications.push(Notification::error(
            ScannerKind::Secrets,
            "internal error: the git reader thread failed",
        )),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_parsing_keeps_first_sighting() {
        let log = b"\x01c1\x002026-01-01T00:00:00Z\x00A <a@x>\x00\n:000000 100644 0000 b1 A\x00a.txt\x00:000000 160000 0000 s1 A\x00sub\x00\x01c2\x002026-01-02T00:00:00Z\x00B <b@x>\x00\n:100644 100644 b1 b2 M\x00a.txt\x00:000000 100644 0000 b1 A\x00copy.txt\x00:100644 000000 b9 0000 D\x00gone.txt\x00";
        let mut commits = Vec::new();
        let intro = parse_log(&log[..], &mut commits, |_| true);
        assert_eq!(commits.len(), 2);
        assert_eq!(commits[1].author, "B <b@x>");
        assert_eq!(commits[0].date, "2026-01-01T00:00:00Z");
        let got: Vec<(&str, usize, &str)> = intro
            .iter()
            .map(|i| (i.blob.as_str(), i.commit, i.path.as_str()))
            .collect();
        assert_eq!(got, vec![("b1", 0, "a.txt"), ("b2", 1, "a.txt")]);
    }

    #[test]
    fn excluded_first_sighting_defers_to_next() {
        let log = b"\x01c1\x00d\x00A\x00\n:000000 100644 0000 b1 A\x00vendor/a\x00\x01c2\x00d\x00A\x00\n:000000 100644 0000 b1 A\x00src/a\x00";
        let mut commits = Vec::new();
        let intro = parse_log(&log[..], &mut commits, |p| !p.starts_with("vendor/"));
        assert_eq!(intro.len(), 1);
        assert_eq!((intro[0].commit, intro[0].path.as_str()), (1, "src/a"));
    }
}
