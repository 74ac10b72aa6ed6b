//! Git modes, through git's own plumbing (`git log --raw`, `git cat-file --batch`) run as child
//! processes: no git library to build, and git's object access is as fast as it gets.
//!
//! * **Staged** (`--staged`, for pre-commit): the *whole staged content* of every added, copied,
//!   modified or renamed file (`git diff --cached --raw -z --diff-filter=ACMR` lists them with
//!   their blob ids in the index), read by id with one `git cat-file --batch`: two git
//!   processes per run. Scanning whole files rather than only the
//!   added lines keeps line numbers exact (they are the file's lines in the index) and catches a
//!   secret that a partial staging would otherwise split; the cost is a few extra kilobytes per
//!   file, far below the 100 ms budget of a typical commit.
//! * **History** (`--history [--since REV]`): `git log --all --topo-order --reverse -m --raw`
//!   lists, oldest first, every blob each commit added or changed with its path; the first
//!   sighting of a blob id is the commit that introduced it. Each distinct blob is then read
//!   once through one `git cat-file --batch` process and scanned in parallel, however many
//!   commits or paths contain it. `--since REV` adds `^REV`: only commits not reachable from REV.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::sync::Arc;

use rayon::iter::{IntoParallelIterator, ParallelBridge, ParallelExtend, ParallelIterator};

use super::chunked::{self, Chunking, Scanned, WHOLE_LIMIT};
use super::scope;
use super::walk::is_binary;
use super::{CommitInfo, Emitter};
use crate::finding::{Finding, Location, Notification, ScannerKind};
use crate::paths::ExcludeSet;
use crate::scanners::{ScanContext, ScanOutput};

/// `git -c core.quotePath=false args` in `dir`, stdin closed.
fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-c")
        .arg("core.quotePath=false")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null());
    cmd
}

/// Stdout of a finished `git args`, or a message with git's stderr.
fn git_result(
    args: &[&str],
    out: std::io::Result<std::process::Output>,
) -> Result<Vec<u8>, String> {
    let out = out.map_err(|e| format!("cannot run git: {e}; is git installed and on PATH?"))?;
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

/// Runs `git args` in `dir`, returning stdout or a message with git's stderr.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    git_result(args, git_command(dir, args).output())
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

fn exclude_set(ctx: &ScanContext<'_>, _out: &mut ScanOutput) -> ExcludeSet {
    ctx.config.exclude.clone()
}

/// A blob's content as `git cat-file` delivers it.
pub enum Blob<'a> {
    /// Up to [`WHOLE_LIMIT`] bytes, read whole.
    Whole(Vec<u8>),
    /// A larger blob, to be read in chunks ([`chunked::scan_reader`]); whatever the sink
    /// leaves unread is skipped.
    Large(&'a mut dyn Read),
}

/// Streams object names from `requests` through one `git cat-file --batch`, calling `sink`
/// with each request's tag and its content (or why there is none: missing, not a blob, over
/// an explicit `max` bytes), in request order. Requests may arrive while earlier objects are
/// being read, so a producer (the history walk) and the reader run concurrently.
fn cat_file_stream<M: Send + 'static>(
    dir: &Path,
    requests: Receiver<(String, M)>,
    max: Option<u64>,
    mut sink: impl FnMut(M, Result<Blob<'_>, String>),
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
    let (meta_tx, meta_rx) = std::sync::mpsc::channel::<M>();
    let writer = std::thread::spawn(move || {
        for (name, meta) in requests {
            if writeln!(stdin, "{name}").is_err() || meta_tx.send(meta).is_err() {
                break;
            }
        }
        // Dropping stdin closes it: cat-file finishes the last objects and exits.
    });
    let mut reader = BufReader::with_capacity(1 << 20, stdout);
    let mut header = Vec::new();
    let mut result = Ok(());
    for meta in meta_rx {
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
            sink(meta, Err("not found".to_string()));
            continue;
        }
        let size: u64 = fields[fields.len() - 1].parse().unwrap_or(0);
        let over = max.filter(|&m| size > m);
        if fields[1] != "blob" || over.is_some() {
            let mut drain = (&mut reader).take(size + 1);
            if std::io::copy(&mut drain, &mut std::io::sink()).is_err() {
                result = Err("reading from git cat-file failed".to_string());
                break;
            }
            let why = match over {
                Some(max) => format!("skipped, {size} bytes is over max_file_size ({max} bytes)"),
                None => format!("not a file ({})", fields[1]),
            };
            sink(meta, Err(why));
            continue;
        }
        if size > WHOLE_LIMIT {
            let mut take = (&mut reader).take(size);
            sink(meta, Ok(Blob::Large(&mut take)));
            if std::io::copy(&mut take, &mut std::io::sink()).is_err() {
                result = Err("reading from git cat-file failed".to_string());
                break;
            }
            let mut nl = [0u8; 1];
            let _ = reader.read_exact(&mut nl);
            continue;
        }
        let mut content = vec![0u8; usize::try_from(size).unwrap_or(0)];
        if let Err(e) = reader.read_exact(&mut content) {
            result = Err(format!("reading from git cat-file: {e}"));
            break;
        }
        let mut nl = [0u8; 1];
        let _ = reader.read_exact(&mut nl);
        sink(meta, Ok(Blob::Whole(content)));
    }
    drop(reader);
    let _ = writer.join();
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// Scans one blob, whole or in chunks: the same engine path as files of the working tree.
fn scan_blob(
    emitter: &Emitter<'_>,
    blob: Blob<'_>,
    path: &str,
    commit: Option<&CommitInfo>,
) -> std::io::Result<Scanned> {
    match blob {
        Blob::Whole(content) => {
            if is_binary(&content) {
                return Ok(Scanned {
                    findings: scope::path_findings(path, None),
                    binary: true,
                    ..Scanned::default()
                });
            }
            if scope::is_own_output(path, &content) {
                return Ok(Scanned::default());
            }
            let found = emitter.findings(&content, path, commit);
            Ok(Scanned {
                findings: scope::with_path_rules(path, Some(&content), found),
                bytes: content.len() as u64,
                binary: false,
            })
        }
        Blob::Large(reader) => {
            chunked::scan_reader(emitter, reader, Chunking::default(), path, commit)
        }
    }
}

/// The `git diff` that lists the staged blobs ([`StagedListing`]).
const STAGED_LIST: &[&str] = &[
    "diff",
    "--cached",
    "--raw",
    "-z",
    "--no-abbrev",
    "--diff-filter=ACMR",
    "--relative",
];

/// The listing of the staged changes, started before the rules load so that git runs while
/// they do ([`start_staged_listing`]).
pub struct StagedListing {
    root: std::path::PathBuf,
    child: std::io::Result<std::process::Child>,
}

/// Starts `git diff --cached --raw` in `root` (see [`scan_staged`]).
pub fn start_staged_listing(root: &Path) -> StagedListing {
    StagedListing {
        root: root.to_path_buf(),
        child: git_command(root, STAGED_LIST)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn(),
    }
}

/// The staged changes' paths (relative to the root) and blob ids, from one `git diff --cached
/// --raw -z` (the index side of each change is its blob: no second git call for the repository
/// prefix, the blobs are read by id). Raw records are `:mode mode id id status NUL path NUL`,
/// with a second path for a rename or copy (the new one).
fn staged_blobs(listing: StagedListing) -> Result<Vec<(String, String)>, String> {
    let raw = git_result(
        STAGED_LIST,
        listing
            .child
            .and_then(std::process::Child::wait_with_output),
    )
    .map_err(|e| {
        format!(
            "{}: --staged needs a git repository, and this is not one (or git failed: {e})",
            listing.root.display()
        )
    })?;
    let mut fields = raw.split(|&b| b == 0);
    let mut out = Vec::new();
    while let Some(meta) = fields.next() {
        if meta.is_empty() {
            continue;
        }
        let meta = String::from_utf8_lossy(meta);
        let parts: Vec<&str> = meta.split(' ').collect();
        let (Some(id), Some(status)) = (parts.get(3), parts.get(4)) else {
            return Err(format!("unexpected `git diff --raw` output: {meta:?}"));
        };
        let mut path = fields.next();
        if status.starts_with(['R', 'C']) {
            path = fields.next();
        }
        let Some(path) = path else {
            return Err(format!("`git diff --raw`: no path after {meta:?}"));
        };
        out.push((String::from_utf8_lossy(path).into_owned(), id.to_string()));
    }
    Ok(out)
}

/// Scans the staged content of the index, as `listing` lists it.
pub fn scan_staged(
    ctx: &ScanContext<'_>,
    emitter: &Emitter<'_>,
    listing: StagedListing,
) -> ScanOutput {
    let mut out = ScanOutput::default();
    let staged = match staged_blobs(listing) {
        Ok(s) => s,
        Err(msg) => {
            out.notifications
                .push(Notification::error(ScannerKind::Secrets, msg));
            return out;
        }
    };
    let exclude = exclude_set(ctx, &mut out);
    let mut paths: Vec<String> = Vec::new();
    let (tx, rx) = std::sync::mpsc::channel();
    for (rel, id) in staged {
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
            let _ = tx.send((id, paths.len()));
            paths.push(rel);
        }
    }
    drop(tx);
    let max = ctx.config.secrets.max_file_size;
    // Whole blobs are scanned in parallel batches, so the regexes of the rules they trigger
    // (most of a pre-commit run's work) compile on every core; large ones stream as they come.
    let mut batch: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut batch_bytes = 0usize;
    let mut results: Vec<(usize, Result<std::io::Result<Scanned>, String>)> = Vec::new();
    let scan_batch = |batch: &mut Vec<(usize, Vec<u8>)>, results: &mut Vec<_>| {
        results.par_extend(
            std::mem::take(batch)
                .into_par_iter()
                .map(|(index, content)| {
                    let path = paths.get(index).map_or("", String::as_str);
                    (
                        index,
                        Ok(scan_blob(emitter, Blob::Whole(content), path, None)),
                    )
                }),
        );
    };
    let res = cat_file_stream(ctx.root, rx, max, |index, content| {
        let Some(path) = paths.get(index) else {
            return;
        };
        match content {
            Ok(Blob::Whole(content)) => {
                batch_bytes += content.len();
                batch.push((index, content));
                if batch_bytes > STAGED_BATCH_BYTES {
                    scan_batch(&mut batch, &mut results);
                    batch_bytes = 0;
                }
            }
            Ok(large) => results.push((index, Ok(scan_blob(emitter, large, path, None)))),
            Err(msg) => results.push((index, Err(msg))),
        }
    });
    scan_batch(&mut batch, &mut results);
    results.sort_by_key(|(index, _)| *index);
    let mut findings = Vec::new();
    for (index, result) in results {
        let Some(path) = paths.get(index) else {
            continue;
        };
        match result {
            Ok(Ok(s)) => {
                if s.binary {
                    // Not text, but a key store is still a finding by its name.
                    findings.extend(s.findings);
                    continue;
                }
                out.stats.files += 1;
                out.stats.bytes += s.bytes;
                findings.extend(s.findings);
            }
            Ok(Err(e)) => out.notifications.push(
                Notification::warning(
                    ScannerKind::Secrets,
                    format!("{path}: reading the staged content failed: {e}"),
                )
                .at(Location::line(path.clone(), 1)),
            ),
            Err(msg) => out.notifications.push(
                Notification::warning(
                    ScannerKind::Secrets,
                    format!("{path}: staged content {msg}"),
                )
                .at(Location::line(path.clone(), 1)),
            ),
        }
    }
    if let Err(msg) = res {
        out.notifications
            .push(Notification::error(ScannerKind::Secrets, msg));
    }
    out.findings = findings;
    out
}

/// Bytes of staged blobs held for one parallel scan ([`scan_staged`]).
const STAGED_BATCH_BYTES: usize = 32 << 20;

/// A blob to scan: where and when it was first seen.
struct Sighting {
    /// Relative to the scan root.
    path: String,
    commit: Arc<CommitInfo>,
    blob: String,
    /// Order of first sighting (oldest first): the introducing commit of a secret carried by
    /// several blobs is that of its lowest `seq`.
    seq: u64,
}

/// Blob ids of every file in `HEAD` (empty when there is no `HEAD` yet).
fn head_blobs(root: &Path) -> HashSet<String> {
    let Ok(list) = git(root, &["ls-tree", "-r", "--full-tree", "-z", "HEAD"]) else {
        return HashSet::new();
    };
    list.split(|&b| b == 0)
        .filter_map(|entry| {
            // "<mode> SP <type> SP <object> TAB <path>"
            let meta = entry.split(|&b| b == b'\t').next()?;
            let mut f = meta.split(|&b| b == b' ');
            let (_, kind, id) = (f.next()?, f.next()?, f.next()?);
            (kind == b"blob").then(|| String::from_utf8_lossy(id).into_owned())
        })
        .collect()
}

/// One finding per (path, rule, secret): every later version of a file is a new blob, so a
/// secret that stays in a file for 200 commits would otherwise be reported 200 times. The
/// finding kept is the one of the oldest blob (the commit that introduced the secret); its
/// message and properties say how many versions carry it and whether `HEAD` still does — a
/// secret deleted from `HEAD` is still a leak, since every clone has the history.
fn once_per_secret(mut scanned: Vec<(Sighting, Scanned)>, head: &HashSet<String>) -> Vec<Finding> {
    scanned.sort_by_key(|(s, _)| s.seq);
    // fingerprint (rule + path + secret) → (finding, versions, in HEAD)
    let mut groups: HashMap<String, (Finding, u64, bool)> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for (sighting, done) in scanned {
        let in_head = head.contains(&sighting.blob);
        let mut seen_here: HashSet<String> = HashSet::new();
        for f in done.findings {
            let key = f.fingerprint.clone();
            let first_in_blob = seen_here.insert(key.clone());
            match groups.get_mut(&key) {
                Some(g) => {
                    if first_in_blob {
                        g.1 += 1;
                        g.2 |= in_head;
                    }
                }
                None => {
                    order.push(key.clone());
                    groups.insert(key, (f, 1, in_head));
                }
            }
        }
    }
    order
        .into_iter()
        .filter_map(|key| groups.remove(&key))
        .map(|(mut f, versions, in_head)| {
            let later = versions - 1;
            let carried = match later {
                0 => String::new(),
                1 => "; 1 later version of the file still carries it".to_string(),
                n => format!("; {n} later versions of the file still carry it"),
            };
            let head_note = if in_head {
                "; HEAD still contains it"
            } else {
                "; removed from HEAD but alive in history, so every clone still has it"
            };
            let short: String = f
                .location
                .commit
                .as_deref()
                .unwrap_or("")
                .chars()
                .take(12)
                .collect();
            f.message = format!(
                "{} (introduced in commit {short}{carried}{head_note})",
                f.message
            );
            f.with_property("versions", versions)
                .with_property("in_head", in_head)
        })
        .collect()
}

/// Parses `git log -z --raw --format=%x01%H%x00%cI%x00%an <%ae>` output, oldest first, and
/// calls `on_new(blob, commit, path)` for the first sighting of every blob whose
/// repository-relative path `keep_path` accepts. Returns the number of distinct commits.
fn parse_log(
    log: impl BufRead,
    keep_path: impl Fn(&str) -> bool,
    mut on_new: impl FnMut(String, &Arc<CommitInfo>, &str),
) -> u64 {
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut commit_ids: HashSet<String> = HashSet::new();
    let mut current = Arc::new(CommitInfo::default());
    // 0 = expecting anything, 1 = date next, 2 = author next, 3 = path of `pending` next.
    let mut state = 0u8;
    let mut pending: Option<String> = None;
    for token in log.split(0) {
        let Ok(token) = token else { break };
        let text = String::from_utf8_lossy(&token);
        let t = text.trim_start_matches('\n');
        match state {
            1 => {
                Arc::make_mut(&mut current).date = t.to_string();
                state = 2;
                continue;
            }
            2 => {
                Arc::make_mut(&mut current).author = t.to_string();
                state = 0;
                continue;
            }
            3 => {
                state = 0;
                if let Some(blob) = pending.take() {
                    if !seen.contains(blob.as_bytes()) && keep_path(t) {
                        seen.insert(blob.as_bytes().to_vec());
                        on_new(blob, &current, t);
                    }
                }
                continue;
            }
            _ => {}
        }
        if let Some(id) = t.strip_prefix('\u{1}') {
            let id = id.trim().to_string();
            commit_ids.insert(id.clone());
            current = Arc::new(CommitInfo {
                id,
                ..CommitInfo::default()
            });
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
    commit_ids.len() as u64
}

/// Scans every blob reachable from all refs (after `since`), once each. Three stages run
/// concurrently: `git log` parsing finds new blobs, one `git cat-file --batch` reads them, and
/// the rayon pool scans them.
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
        // A revision (`^REV`) or a date (`--since=DATE`): see `since.rs`.
        match super::since::log_arg(ctx.root, rev) {
            Ok(arg) => args.push(arg),
            Err(msg) => {
                out.notifications
                    .push(Notification::error(ScannerKind::Secrets, msg));
                return out;
            }
        }
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
    let Some(log_out) = child.stdout.take() else {
        out.notifications.push(Notification::error(
            ScannerKind::Secrets,
            "git log: no output pipe",
        ));
        return out;
    };
    let max = ctx.config.secrets.max_file_size;
    // Inflating objects is git's share of the work: spread it over as many `cat-file`
    // processes as there are cores (at most 4), fed round-robin.
    let readers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4);
    let (req_txs, req_rxs): (Vec<_>, Vec<_>) = (0..readers)
        .map(|_| std::sync::mpsc::channel::<(String, Sighting)>())
        .unzip();
    // Bounded: at most 16 blobs wait for a scanner, which caps memory on repositories of big files.
    // Large blobs are scanned in chunks by the reader itself (bounded memory), and arrive done.
    let (blob_tx, blob_rx) =
        std::sync::mpsc::sync_channel::<(Sighting, Result<Vec<u8>, Scanned>)>(16);
    let prefix_ref = prefix.as_str();
    let exclude_ref = &exclude;
    let (commits, log_err, cat_res, problems, scanned) = std::thread::scope(|s| {
        let walker = s.spawn(move || {
            let keep = |top_rel: &str| match top_rel.strip_prefix(prefix_ref) {
                Some(rel) => !exclude_ref.is_excluded(rel),
                None => false,
            };
            let mut next = 0usize;
            let commits = parse_log(
                BufReader::with_capacity(1 << 20, log_out),
                keep,
                |blob, commit, top_rel| {
                    let path = top_rel.strip_prefix(prefix_ref).unwrap_or(top_rel);
                    let sighting = Sighting {
                        path: path.to_string(),
                        commit: Arc::clone(commit),
                        blob: blob.clone(),
                        seq: next as u64,
                    };
                    if let Some(tx) = req_txs.get(next % req_txs.len()) {
                        let _ = tx.send((blob, sighting));
                    }
                    next += 1;
                },
            );
            drop(req_txs);
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut stderr);
            }
            let ok = child.wait().map(|st| st.success()).unwrap_or(false);
            (commits, (!ok).then_some(stderr))
        });
        let reader_handles: Vec<_> = req_rxs
            .into_iter()
            .map(|req_rx| {
                let blob_tx = blob_tx.clone();
                s.spawn(move || {
                    let mut problems = Vec::new();
                    let res =
                        cat_file_stream(ctx.root, req_rx, max, |sighting, content| match content {
                            Ok(Blob::Whole(c)) => {
                                let _ = blob_tx.send((sighting, Ok(c)));
                            }
                            Ok(large) => {
                                match scan_blob(
                                    emitter,
                                    large,
                                    &sighting.path,
                                    Some(&sighting.commit),
                                ) {
                                    Ok(done) => {
                                        let _ = blob_tx.send((sighting, Err(done)));
                                    }
                                    Err(e) => {
                                        problems.push((sighting, format!("reading failed: {e}")))
                                    }
                                }
                            }
                            Err(msg) => problems.push((sighting, msg)),
                        });
                    (res, problems)
                })
            })
            .collect();
        drop(blob_tx);
        let scanned: Vec<(Sighting, Scanned)> = blob_rx
            .into_iter()
            .par_bridge()
            .filter_map(|(sighting, content)| {
                let done = match content {
                    Ok(c) => scan_blob(
                        emitter,
                        Blob::Whole(c),
                        &sighting.path,
                        Some(&sighting.commit),
                    )
                    .ok()?,
                    Err(done) => done,
                };
                if done.binary && done.findings.is_empty() {
                    return None;
                }
                if let Some(p) = &ctx.options.progress {
                    p.inc_blobs(1);
                    p.inc_bytes(done.bytes);
                }
                Some((sighting, done))
            })
            .collect();
        let (commits, log_err) = walker.join().unwrap_or((0, Some("panicked".to_string())));
        let mut cat_res = Ok(());
        let mut problems = Vec::new();
        for h in reader_handles {
            let (res, p) = h
                .join()
                .unwrap_or_else(|_| (Err("a git reader thread failed".to_string()), Vec::new()));
            problems.extend(p);
            if res.is_err() {
                cat_res = res;
            }
        }
        (commits, log_err, cat_res, problems, scanned)
    });
    if let Some(err) = log_err {
        out.notifications.push(Notification::error(
            ScannerKind::Secrets,
            format!(
                "`git log` failed: {}",
                err.trim().lines().next().unwrap_or("unknown error")
            ),
        ));
    }
    out.stats.commits = commits;
    out.stats.blobs = scanned.len() as u64;
    out.stats.bytes = scanned.iter().map(|(_, s)| s.bytes).sum();
    let head = head_blobs(ctx.root);
    out.findings = once_per_secret(scanned, &head);
    for (sighting, msg) in problems {
        out.notifications.push(Notification::warning(
            ScannerKind::Secrets,
            format!(
                "{} (blob {} in commit {}): {msg}",
                sighting.path, sighting.blob, sighting.commit.id
            ),
        ));
    }
    if let Err(msg) = cat_res {
        out.notifications
            .push(Notification::error(ScannerKind::Secrets, msg));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(log: &[u8], keep: impl Fn(&str) -> bool) -> (u64, Vec<(String, String, String)>) {
        let mut got = Vec::new();
        let n = parse_log(log, keep, |blob, commit, path| {
            got.push((
                blob,
                format!("{} {} {}", commit.id, commit.date, commit.author),
                path.to_string(),
            ))
        });
        (n, got)
    }

    #[test]
    fn log_parsing_keeps_first_sighting() {
        let log = b"\x01c1\x002026-01-01T00:00:00Z\x00A <a@x>\x00\n:000000 100644 0000 b1 A\x00a.txt\x00:000000 160000 0000 s1 A\x00sub\x00\x01c2\x002026-01-02T00:00:00Z\x00B <b@x>\x00\n:100644 100644 b1 b2 M\x00a.txt\x00:000000 100644 0000 b1 A\x00copy.txt\x00:100644 000000 b9 0000 D\x00gone.txt\x00";
        let (n, got) = parse(log, |_| true);
        assert_eq!(n, 2);
        let want = vec![
            (
                "b1".to_string(),
                "c1 2026-01-01T00:00:00Z A <a@x>".to_string(),
                "a.txt".to_string(),
            ),
            (
                "b2".to_string(),
                "c2 2026-01-02T00:00:00Z B <b@x>".to_string(),
                "a.txt".to_string(),
            ),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn excluded_first_sighting_defers_to_next() {
        let log = b"\x01c1\x00d\x00A\x00\n:000000 100644 0000 b1 A\x00vendor/a\x00\x01c2\x00d\x00A\x00\n:000000 100644 0000 b1 A\x00src/a\x00";
        let (_, got) = parse(log, |p| !p.starts_with("vendor/"));
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].1.as_str(), got[0].2.as_str()), ("c2 d A", "src/a"));
    }
}
