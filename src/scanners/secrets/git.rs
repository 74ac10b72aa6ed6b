//! Git modes, through git's own plumbing (`git log --raw`, `git cat-file --batch`) run as child
//! processes: no git library to build, and git's object access is as fast as it gets.
//!
//! * **Staged** (`--staged`, for pre-commit): the *whole staged content* of every added, copied,
//!   modified or renamed file (`git diff --cached --raw -z --diff-filter=ACMR` lists them with
//!   their blob ids in the index), read by id: in-process when they are loose objects, as
//!   `git add` leaves them ([`loose`]), else with one `git cat-file --batch`: one git process
//!   per typical run. Scanning whole files rather than only the
//!   added lines keeps line numbers exact (they are the file's lines in the index) and catches a
//!   secret that a partial staging would otherwise split; the cost is a few extra kilobytes per
//!   file, far below the 100 ms budget of a typical commit.
//! * **History** (`--history [--since REV]`): `git rev-list --all --topo-order --reverse` gives
//!   the commits oldest first, and every blob each commit added or changed is listed with its
//!   path; the first sighting of a blob id in that order is the commit that introduced it, as
//!   one `git log --raw` over the same walk would say. Each distinct blob is read once
//!   and scanned once, however many commits or paths contain it. Over a whole history (SHA-1
//!   objects) the commits' trees are diffed in-process, read from the pack files and loose
//!   objects ([`trees`]; `git rev-list` also prints each commit's tree and parents), and the
//!   blobs come from the pack files themselves ([`pack`]: decoded in parallel, in pack order,
//!   while the commits are still being walked); only what the packs lack goes through `git
//!   cat-file --batch`, and from the first commit whose trees cannot be read in-process the walk
//!   continues with `git diff-tree --stdin -m --raw` processes (one per core, each on a
//!   contiguous range of commits). With `--since REV` (`^REV`: only commits not reachable from
//!   REV) those processes list the blobs and every blob goes through `git cat-file --batch`
//!   processes fed by the walk as it streams.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::sync::Arc;

use rayon::iter::{IntoParallelIterator, ParallelBridge, ParallelExtend, ParallelIterator};

use super::chunked::{self, Chunking, Scanned, WHOLE_LIMIT};
use super::loose;
use super::pack;
use super::position::LineCursor;
use super::scope;
use super::trees;
use super::walk::is_binary;
use super::{CommitInfo, Emitter, SecretMatch};
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
        Blob::Whole(content) => Ok(scan_bytes(emitter, &content, path, commit)),
        Blob::Large(reader) => {
            chunked::scan_reader(emitter, reader, Chunking::default(), path, commit)
        }
    }
}

/// Scans a blob read whole.
fn scan_bytes(
    emitter: &Emitter<'_>,
    content: &[u8],
    path: &str,
    commit: Option<&CommitInfo>,
) -> Scanned {
    if is_binary(content) {
        return Scanned {
            findings: scope::path_findings(path, None),
            binary: true,
            ..Scanned::default()
        };
    }
    if scope::is_own_output(path, content) {
        return Scanned::default();
    }
    let found = emitter.findings(content, path, commit);
    Scanned {
        findings: scope::with_path_rules(path, Some(content), found),
        bytes: content.len() as u64,
        binary: false,
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
    let max = ctx.config.secrets.max_file_size;
    // Blobs `git add` just wrote are loose objects, read here; the rest (packed, large) go
    // through `git cat-file`, started only if there is any.
    let objects = loose::objects_dir(ctx.root);
    let loose_limit = max.unwrap_or(WHOLE_LIMIT).min(WHOLE_LIMIT);
    let mut batch: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut paths: Vec<String> = Vec::new();
    let mut asked = 0usize;
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
            match objects
                .as_deref()
                .and_then(|o| loose::read_blob(o, &id, loose_limit))
            {
                Some(content) => batch.push((paths.len(), content)),
                None => {
                    let _ = tx.send((id, paths.len()));
                    asked += 1;
                }
            }
            paths.push(rel);
        }
    }
    drop(tx);
    // Whole blobs are scanned in parallel batches, so the regexes of the rules they trigger
    // (most of a pre-commit run's work) compile on every core; large ones stream as they come.
    let mut batch_bytes: usize = batch.iter().map(|(_, c)| c.len()).sum();
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
    let read = |index: usize, content: Result<Blob<'_>, String>| {
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
    };
    let res = if asked > 0 {
        cat_file_stream(ctx.root, rx, max, read)
    } else {
        Ok(())
    };
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

/// What the pack walk learnt of a blob it decoded before the log walk named it (so without its
/// path). The rules' matching does not depend on the path; only what is built around a match
/// does (location, `[secrets] allow`, path rules), and it is finished once the path is known.
enum Early {
    /// Binary: only the path rules by name can apply.
    Binary,
    /// Stagegate's own report or baseline, by its content.
    OwnOutput,
    /// No rule matched; `entry`: whether a path rule could still find an auth entry in it.
    Clean { bytes: u64, entry: bool },
    /// The rules matched: the content and the matches, kept to build the findings at its path
    /// (the rules are not run again).
    Hits(Vec<u8>, Vec<SecretMatch>),
    /// The rules matched (or an entry may be there) but the budget for kept contents is spent,
    /// or the path rules need the content: read it again through `git cat-file`.
    Reread,
}

/// Contents of blobs with matches kept while waiting for their path: beyond this they are read
/// again later (rare: few blobs hold a secret-shaped string).
const KEEP_BUDGET: u64 = 64 << 20;

/// Where the log walk (paths and commits) and the pack walk (contents) meet.
#[derive(Default)]
struct Meet {
    /// First sightings whose blob the pack walk has not decoded yet.
    waiting: HashMap<pack::Oid, Sighting, pack::OidHash>,
    /// Blobs decoded before their first sighting.
    early: HashMap<pack::Oid, Early, pack::OidHash>,
    /// Blobs matched with their sighting.
    done: HashSet<pack::Oid, pack::OidHash>,
    /// Bytes held in [`Early::Hits`].
    kept: u64,
    scanned: Vec<(Sighting, Scanned)>,
    /// Sightings to read through `git cat-file` after the walks.
    reread: Vec<Sighting>,
}

/// Scans a blob's content (not yet knowing its path) as far as the path allows.
fn prescan(emitter: &Emitter<'_>, content: &[u8], meet: &std::sync::Mutex<Meet>) -> Early {
    if is_binary(content) {
        return Early::Binary;
    }
    if scope::is_own_output("", content) {
        return Early::OwnOutput;
    }
    let matches = emitter.rules.find_starting_in(content, 0..content.len());
    if matches.is_empty() {
        return Early::Clean {
            bytes: content.len() as u64,
            entry: scope::may_have_entry(content),
        };
    }
    let Ok(mut m) = meet.lock() else {
        return Early::Reread;
    };
    if m.kept + content.len() as u64 > KEEP_BUDGET {
        return Early::Reread;
    }
    m.kept += content.len() as u64;
    Early::Hits(content.to_vec(), matches)
}

/// Finishes the scan of an early blob at its sighting: exactly what [`scan_blob`] gives for
/// the content at that path, or `None` when the content must be read again.
fn resolve(emitter: &Emitter<'_>, early: Early, s: &Sighting) -> Option<Scanned> {
    match early {
        Early::Binary => Some(Scanned {
            findings: scope::path_findings(&s.path, None),
            binary: true,
            ..Scanned::default()
        }),
        Early::OwnOutput => Some(Scanned::default()),
        Early::Clean { bytes, entry } => {
            if scope::is_own_output(&s.path, b"") {
                return Some(Scanned::default());
            }
            if entry && scope::name_needs_content(&s.path) {
                return None;
            }
            Some(Scanned {
                findings: scope::path_findings(&s.path, None),
                bytes,
                binary: false,
            })
        }
        Early::Hits(content, matches) => {
            if scope::is_own_output(&s.path, &content) {
                return Some(Scanned::default());
            }
            let found = emitter.findings_of(
                &content,
                &matches,
                &LineCursor::start(),
                &s.path,
                Some(&s.commit),
            );
            Some(Scanned {
                findings: scope::with_path_rules(&s.path, Some(&content), found),
                bytes: content.len() as u64,
                binary: false,
            })
        }
        Early::Reread => None,
    }
}

impl Meet {
    /// Records a blob's scan, as the cat-file path does (binaries without findings are not
    /// counted).
    fn accept(&mut self, ctx: &ScanContext<'_>, sighting: Sighting, done: Scanned) {
        if done.binary && done.findings.is_empty() {
            return;
        }
        if let Some(p) = &ctx.options.progress {
            p.inc_blobs(1);
            p.inc_bytes(done.bytes);
        }
        self.scanned.push((sighting, done));
    }
}

/// The history's first sightings, scanned with the pack walk: the commit walk (one thread:
/// in-process tree diffs, or `git` processes) and the pack walk (the rayon pool) run at the
/// same time and
/// meet in a [`Meet`]; whatever the pack walk did not decode (loose objects, alternates, large
/// blobs) is left in `waiting`/`reread` for `git cat-file`. Returns the commit count, `git
/// log`'s error, and the sightings left over (in sighting order).
#[allow(clippy::too_many_arguments)]
fn walk_with_packs(
    ctx: &ScanContext<'_>,
    emitter: &Emitter<'_>,
    objects: &Path,
    limit: u64,
    log: Walk,
    prefix: &str,
    exclude: &ExcludeSet,
    meet: &std::sync::Mutex<Meet>,
) -> (u64, Option<String>, Vec<Sighting>) {
    // A blob decoded before its path was known, now named by `sighting`: its early matches
    // become findings, or it is read again when they cannot (outside the meet's lock).
    let settle = |early: Early, sighting: Sighting| {
        let done = resolve(emitter, early, &sighting);
        if let Ok(mut m) = meet.lock() {
            match done {
                Some(done) => m.accept(ctx, sighting, done),
                None => m.reread.push(sighting),
            }
        }
    };
    let settle = &settle;
    let (packs, _) = pack::open_all(objects);
    let packs = packs.as_slice();
    let (commits, log_err) = std::thread::scope(|s| {
        let walker = s.spawn(move || {
            walk_log(log, packs, prefix, exclude, |sighting| {
                let Some(oid) = oid_of(&sighting.blob) else {
                    if let Ok(mut m) = meet.lock() {
                        m.reread.push(sighting);
                    }
                    return;
                };
                let Ok(mut m) = meet.lock() else { return };
                match m.early.remove(&oid) {
                    Some(early) => {
                        m.done.insert(oid);
                        drop(m);
                        settle(early, sighting);
                    }
                    None => {
                        m.waiting.insert(oid, sighting);
                    }
                }
            })
        });
        let visit = |oid: &pack::Oid, content: &[u8]| {
            let sighting = {
                let Ok(mut m) = meet.lock() else { return };
                if m.done.contains(oid) || m.early.contains_key(oid) {
                    return; // the same blob in two packs
                }
                let s = m.waiting.remove(oid);
                if s.is_some() {
                    m.done.insert(*oid);
                }
                s
            };
            if let Some(s) = sighting {
                let done = scan_bytes(emitter, content, &s.path, Some(&s.commit));
                if let Ok(mut m) = meet.lock() {
                    m.accept(ctx, s, done);
                }
                return;
            }
            let early = prescan(emitter, content, meet);
            let Ok(mut m) = meet.lock() else { return };
            // The log walk may have named it meanwhile.
            match m.waiting.remove(oid) {
                Some(s) => {
                    m.done.insert(*oid);
                    drop(m);
                    settle(early, s);
                }
                None => {
                    m.early.insert(*oid, early);
                }
            }
        };
        for pack in packs {
            pack.walk_blobs(limit, &visit);
        }
        walker
            .join()
            .unwrap_or((0, Some("the git log reader panicked".to_string())))
    });
    let Ok(mut m) = meet.lock() else {
        return (commits, log_err, Vec::new());
    };
    let mut left: Vec<Sighting> = m.waiting.drain().map(|(_, s)| s).collect();
    left.append(&mut m.reread);
    left.sort_by_key(|s| s.seq);
    (commits, log_err, left)
}

/// A 40-hex object id as bytes.
fn oid_of(hex_id: &str) -> Option<pack::Oid> {
    let mut oid = [0u8; 20];
    hex::decode_to_slice(hex_id, &mut oid).ok()?;
    Some(oid)
}

/// The object directory, when the repository's objects are SHA-1 (the pack reader's format).
fn objects_dir(root: &Path) -> Option<std::path::PathBuf> {
    let out = git(
        root,
        &["rev-parse", "--show-object-format", "--git-path", "objects"],
    )
    .ok()?;
    let text = String::from_utf8(out).ok()?;
    let mut lines = text.lines();
    if lines.next()? != "sha1" {
        return None;
    }
    let dir = root.join(lines.next()?);
    dir.is_dir().then_some(dir)
}

/// The `--format` of the commit headers, for `git log` and `git diff-tree` alike.
const LOG_FORMAT: &str = "--format=%x01%H%x00%cI%x00%an <%ae>";

/// Git's cache of delta bases for the commit walk (default 96 MiB): the walk reads only trees,
/// whose bases a small cache holds as well (on the 23k-commit benchmark 8 MiB costs no CPU and
/// halves the process's resident memory, 2 MiB doubles its CPU time).
const WALK_CACHE: &str = "core.deltaBaseCacheLimit=16m";

/// The raw-diff options shared by `git log` and `git diff-tree`: every parent of a merge
/// (`-m`), no rename detection (a renamed blob keeps its id, so it is already seen), full ids.
const RAW_ARGS: &[&str] = &["-m", "--raw", "--no-renames", "--no-abbrev", "-z"];

/// The history's commit walk, started by [`start_walk`] and read by [`walk_log`].
enum Walk {
    /// One `git log --raw` lists every commit's blobs (`STAGEGATE_LOG_PARTS=1`, or one core).
    Single(Child),
    /// `git rev-list` gives the walk order; [`walk_log`] splits it into at most `parts`
    /// contiguous ranges, each listed by a `git diff-tree --stdin` process of its own.
    Split {
        revs: Child,
        root: std::path::PathBuf,
        parts: usize,
        /// Fewest commits a range is given (fewer ranges on a short history).
        min_commits: usize,
    },
    /// `git rev-list` gives the walk order with each commit's tree and parents; the trees are
    /// read from the packs and diffed in-process ([`walk_trees`]).
    Trees {
        revs: Child,
        root: std::path::PathBuf,
        objects: std::path::PathBuf,
    },
}

/// Starts the in-process commit walk over the whole history ([`Walk::Trees`]), reading trees
/// from `objects`.
fn start_tree_walk(root: &Path, objects: &Path) -> Result<Walk, String> {
    let args = [
        "rev-list",
        "--all",
        "--topo-order",
        "--reverse",
        trees::REV_FORMAT,
    ];
    let revs = spawn_git(root, &args, Stdio::null())
        .map_err(|e| format!("cannot run git rev-list: {e}"))?;
    Ok(Walk::Trees {
        revs,
        root: root.to_path_buf(),
        objects: objects.to_path_buf(),
    })
}

/// Whether the history's commit walk diffs trees in-process ([`Walk::Trees`]): with the pack
/// walk, unless `STAGEGATE_LOG_PARTS` asks for `git` processes (the reference in tests) or the
/// repository has replace refs (git reads a replaced tree's replacement; the packs hold the
/// original).
fn tree_walk(root: &Path) -> bool {
    std::env::var_os("STAGEGATE_LOG_PARTS").is_none()
        && git(root, &["for-each-ref", "--count=1", "refs/replace/"]).is_ok_and(|o| o.is_empty())
}

/// How many `git diff-tree` processes list the history's blobs, and the fewest commits each is
/// given: one per core (at most 4), each for at least [`MIN_PART_COMMITS`]; or exactly
/// `STAGEGATE_LOG_PARTS` (1 is the single `git log`, the reference the split walk is compared
/// with in tests).
///
/// Measured on two loaded cores (23k commits, best of 3, back to back): with the hashed keyword
/// filter the scan no longer hides the tree diffing, and two processes finish the run in 5.48 s
/// wall against 5.82 s for one `git log` (CPU 6.3 vs 5.7 s: `git rev-list` and a second
/// process cost a little). Before that filter the single log was ahead of the scan and the
/// split only cost CPU.
fn walk_parts() -> (usize, usize) {
    if let Some(n) = std::env::var("STAGEGATE_LOG_PARTS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        return (n.clamp(1, 16), 1);
    }
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    (cores.clamp(1, 4), MIN_PART_COMMITS)
}

/// Starts the commit walk over the history (after `since`, a revision or a date: see
/// `since.rs`), split over `parts` processes.
fn start_walk(
    root: &Path,
    since: Option<&str>,
    (parts, min_commits): (usize, usize),
) -> Result<Walk, String> {
    let since = since
        .map(|rev| super::since::log_arg(root, rev))
        .transpose()?;
    if parts <= 1 {
        let mut args = vec![
            "-c",
            "core.quotePath=false",
            "-c",
            WALK_CACHE,
            "log",
            "--all",
        ];
        args.push("--topo-order");
        args.extend(["--reverse", LOG_FORMAT]);
        args.extend(RAW_ARGS);
        args.extend(since.as_deref());
        return spawn_git(root, &args, Stdio::null())
            .map(Walk::Single)
            .map_err(|e| format!("cannot run git log: {e}"));
    }
    let mut args = vec!["rev-list", "--all", "--topo-order", "--reverse"];
    args.extend(since.as_deref());
    let revs = spawn_git(root, &args, Stdio::null())
        .map_err(|e| format!("cannot run git rev-list: {e}"))?;
    Ok(Walk::Split {
        revs,
        root: root.to_path_buf(),
        parts,
        min_commits,
    })
}

/// `git args` in `dir` with piped stdout and stderr.
fn spawn_git(dir: &Path, args: &[&str], stdin: Stdio) -> std::io::Result<Child> {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
}

/// Waits for a git child whose stdout was read: its error output when it failed.
fn finish(mut child: Child) -> Option<String> {
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let ok = child.wait().map(|st| st.success()).unwrap_or(false);
    (!ok).then_some(stderr)
}

/// Fewest commits a `git diff-tree` process is started for: below this, starting a process
/// costs more than it saves.
const MIN_PART_COMMITS: usize = 256;

/// A first sighting within one range of a split walk: blob id, commit, repository-relative
/// path.
type RangeSighting = (String, Arc<CommitInfo>, String);

/// Reads the commit walk, calling `on_new` with each first sighting of a blob under `prefix`
/// and not excluded, numbered in sighting order. Returns the number of commits and, when git
/// failed, its error output.
///
/// A split walk gives exactly what the single `git log` gives: `git diff-tree --stdin` with the
/// same options prints, commit for commit, the same records (`--always`: commits without
/// changes too). The ranges are read at the same time; the first range's sightings are final
/// as they arrive, and each later range keeps its own first sightings until the ranges before
/// it are done, then passes on those of blobs not seen earlier in the walk: the earliest commit
/// in the walk order wins, as with one `git log`.
fn walk_log(
    walk: Walk,
    packs: &[pack::PackFile],
    prefix: &str,
    exclude: &ExcludeSet,
    mut on_new: impl FnMut(Sighting),
) -> (u64, Option<String>) {
    let keep = |top_rel: &str| match top_rel.strip_prefix(prefix) {
        Some(rel) => !exclude.is_excluded(rel),
        None => false,
    };
    let mut next = 0u64;
    let mut emit = |blob: String, commit: &Arc<CommitInfo>, top_rel: &str| {
        let path = top_rel.strip_prefix(prefix).unwrap_or(top_rel);
        on_new(Sighting {
            path: path.to_string(),
            commit: Arc::clone(commit),
            blob,
            seq: next,
        });
        next += 1;
    };
    let (revs, root, parts, min_commits) = match walk {
        Walk::Single(mut child) => {
            let Some(out) = child.stdout.take() else {
                let _ = child.kill();
                let _ = child.wait();
                return (0, Some("git log: no output pipe".to_string()));
            };
            let commits = parse_log(BufReader::with_capacity(1 << 20, out), keep, &mut emit);
            return (commits, finish(child));
        }
        Walk::Split {
            revs,
            root,
            parts,
            min_commits,
        } => (revs, root, parts, min_commits),
        Walk::Trees {
            revs,
            root,
            objects,
        } => return walk_trees(&root, revs, packs, &objects, &keep, &mut emit),
    };
    let ids = match read_revs(revs) {
        Ok(ids) => ids,
        Err(e) => return (0, Some(e)),
    };
    let ids: Vec<&[u8]> = ids
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut seen: HashSet<String> = HashSet::new();
    walk_ranges(
        &root,
        &ids,
        (parts, min_commits),
        &keep,
        &mut seen,
        &mut emit,
    )
}

/// Lists the blobs of the commits `ids` (in walk order) with `git diff-tree --stdin`, split
/// into at most `parts` contiguous ranges of at least `min_commits` each, calling `emit` with
/// each first sighting of a blob not in `seen` whose path `keep` accepts (see [`walk_log`]).
fn walk_ranges(
    root: &Path,
    ids: &[&[u8]],
    (parts, min_commits): (usize, usize),
    keep: &(dyn Fn(&str) -> bool + Sync),
    seen: &mut HashSet<String>,
    emit: &mut dyn FnMut(String, &Arc<CommitInfo>, &str),
) -> (u64, Option<String>) {
    if ids.is_empty() {
        return (0, None);
    }
    let parts = parts.min(ids.len().div_ceil(min_commits.max(1))).max(1);
    let per = ids.len().div_ceil(parts).max(1);
    let mut children: Vec<(Child, Vec<u8>)> = Vec::new();
    for range in ids.chunks(per) {
        let mut args = vec!["-c", "core.quotePath=false", "-c", WALK_CACHE, "diff-tree"];
        args.push("--stdin");
        args.extend(["--always", "--root", "-r", LOG_FORMAT]);
        args.extend(RAW_ARGS);
        match spawn_git(root, &args, Stdio::piped()) {
            Ok(child) => {
                let mut input = range.join(&b'\n');
                input.push(b'\n');
                children.push((child, input));
            }
            Err(e) => {
                for (mut c, _) in children {
                    let _ = c.kill();
                    let _ = c.wait();
                }
                return (0, Some(format!("cannot run git diff-tree: {e}")));
            }
        }
    }
    std::thread::scope(|s| {
        let mut first = None;
        let mut later = Vec::new();
        for (n, (child, input)) in children.iter_mut().enumerate() {
            if let Some(mut stdin) = child.stdin.take() {
                // Written from a thread of its own: git reads ids while its output is read.
                let input = std::mem::take(input);
                s.spawn(move || stdin.write_all(&input));
            }
            let Some(out) = child.stdout.take() else {
                continue;
            };
            let out = BufReader::with_capacity(1 << 20, out);
            if n == 0 {
                first = Some(out);
                continue;
            }
            later.push(s.spawn(move || {
                let mut found: Vec<RangeSighting> = Vec::new();
                let commits = parse_log(out, keep, |blob, commit, path| {
                    found.push((blob, Arc::clone(commit), path.to_string()));
                });
                (commits, found)
            }));
        }
        // The first range's first sightings are final as they arrive (unless the commits walked
        // before these ranges saw the blob).
        let mut commits = first.map_or(0, |out| {
            parse_log(out, keep, |blob, commit, path| {
                if seen.insert(blob.clone()) {
                    emit(blob, commit, path);
                }
            })
        });
        for range in later {
            let (count, found) = range.join().unwrap_or_default();
            commits += count;
            for (blob, commit, path) in found {
                if seen.insert(blob.clone()) {
                    emit(blob, &commit, &path);
                }
            }
        }
        let mut err = None;
        for (child, _) in children {
            if let Some(e) = finish(child) {
                err.get_or_insert(e);
            }
        }
        (commits, err)
    })
}

/// The in-process commit walk ([`trees`]): `git rev-list` (walk order, trees, parents) read
/// whole, then each commit's changed files found by diffing trees read from the packs. At the
/// first commit whose trees cannot be read in-process, the rest of the walk goes through `git
/// diff-tree` processes ([`walk_ranges`]), which continue from what was seen so far, so the
/// attribution is the same either way.
fn walk_trees(
    root: &Path,
    revs: Child,
    packs: &[pack::PackFile],
    objects: &Path,
    keep: &(dyn Fn(&str) -> bool + Sync),
    emit: &mut dyn FnMut(String, &Arc<CommitInfo>, &str),
) -> (u64, Option<String>) {
    let out = match read_revs(revs) {
        Ok(out) => out,
        Err(e) => return (0, Some(e)),
    };
    let commits = match trees::parse_revs(&out) {
        Ok(c) => c,
        Err(e) => return (0, Some(e)),
    };
    drop(out);
    let tree_of: HashMap<pack::Oid, pack::Oid, pack::OidHash> = commits
        .iter()
        .filter_map(|c| Some((oid_of(&c.id)?, c.tree)))
        .collect();
    let mut reader = trees::TreeReader::new(packs, objects);
    let mut seen: HashSet<pack::Oid, pack::OidHash> = HashSet::default();
    let mut found: Vec<(pack::Oid, String)> = Vec::new();
    for (n, c) in commits.iter().enumerate() {
        found.clear();
        // A merge's diffs against its other parents would find no blob first (see `trees`).
        let listed = c
            .parents
            .first()
            .map(|p| tree_of.get(p).ok_or("a parent outside the walk"))
            .transpose()
            .map_err(str::to_string)
            .and_then(|parent| {
                reader.changed_files(&c.tree, parent, &mut |oid, path| {
                    if seen.contains(oid) {
                        return;
                    }
                    let path = String::from_utf8_lossy(path);
                    if keep(&path) {
                        seen.insert(*oid);
                        found.push((*oid, path.into_owned()));
                    }
                })
            });
        if listed.is_err() {
            // This commit's sightings are not final: git lists it and the rest.
            for (oid, _) in &found {
                seen.remove(oid);
            }
            let mut seen: HashSet<String> = seen.iter().map(hex::encode).collect();
            let ids: Vec<&[u8]> = commits[n..].iter().map(|c| c.id.as_bytes()).collect();
            let (rest, err) = walk_ranges(root, &ids, walk_parts(), keep, &mut seen, emit);
            return (n as u64 + rest, err);
        }
        if found.is_empty() {
            continue;
        }
        let info = Arc::new(CommitInfo {
            id: c.id.clone(),
            date: c.date.clone(),
            author: c.author.clone(),
        });
        for (oid, path) in found.drain(..) {
            emit(hex::encode(oid), &info, &path);
        }
    }
    (commits.len() as u64, None)
}

/// The commit ids `git rev-list` printed (one a line), or its error output.
fn read_revs(mut revs: Child) -> Result<Vec<u8>, String> {
    let mut ids = Vec::new();
    if let Some(mut out) = revs.stdout.take() {
        if let Err(e) = out.read_to_end(&mut ids) {
            let _ = revs.kill();
            let _ = revs.wait();
            return Err(format!("reading git rev-list: {e}"));
        }
    }
    match finish(revs) {
        Some(err) => Err(err),
        None => Ok(ids),
    }
}

/// What reading blobs through `git cat-file` gave: scans, per-blob problems, and the readers'
/// error.
type CatFileScan = (
    Vec<(Sighting, Scanned)>,
    Vec<(Sighting, String)>,
    Result<(), String>,
);

/// Reads the blobs of `requests` through `git cat-file --batch` processes (as many as there
/// are cores, at most 4, fed round-robin: inflating is git's share of the work) and scans them
/// on the rayon pool while later ones are read. Requests may arrive while earlier blobs are
/// being read.
fn cat_file_scan(
    ctx: &ScanContext<'_>,
    emitter: &Emitter<'_>,
    requests: Receiver<Sighting>,
) -> CatFileScan {
    let max = ctx.config.secrets.max_file_size;
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
    std::thread::scope(|s| {
        s.spawn(move || {
            for (n, sighting) in requests.into_iter().enumerate() {
                if let Some(tx) = req_txs.get(n % req_txs.len()) {
                    let _ = tx.send((sighting.blob.clone(), sighting));
                }
            }
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
                    Ok(c) => scan_bytes(emitter, &c, &sighting.path, Some(&sighting.commit)),
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
        (scanned, problems, cat_res)
    })
}

/// Scans every blob reachable from all refs (after `since`), once each.
///
/// Over a whole history (no `since`) with packed SHA-1 objects, the commit walk (trees diffed
/// in-process, [`walk_trees`]) and the pack walk ([`pack::PackFile::walk_blobs`]) run at the
/// same time: every blob of the packs is decoded once,
/// in pack order and in parallel, scanned on the thread that decoded it, and matched with its
/// first sighting whichever comes first (see [`Meet`]); `git cat-file` reads only what the
/// packs did not give. With `since` (a part of the history, where decoding every pack would be
/// waste) or without packs, three stages run concurrently instead: the log walk finds new
/// blobs, `git cat-file --batch` processes read them, and the rayon pool scans them.
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
    let objects = if since.is_none() && !no_pack_walk() {
        objects_dir(ctx.root)
    } else {
        None
    };
    let started = match &objects {
        Some(objects) if tree_walk(ctx.root) => start_tree_walk(ctx.root, objects),
        _ => start_walk(ctx.root, since, walk_parts()),
    };
    let log = match started {
        Ok(c) => c,
        Err(msg) => {
            out.notifications
                .push(Notification::error(ScannerKind::Secrets, msg));
            return out;
        }
    };
    let (commits, log_err, mut scanned, problems, cat_res) = match objects {
        Some(objects) => {
            let limit = ctx
                .config
                .secrets
                .max_file_size
                .unwrap_or(u64::MAX)
                .min(WHOLE_LIMIT);
            let meet = std::sync::Mutex::new(Meet::default());
            let (commits, log_err, left) =
                walk_with_packs(ctx, emitter, &objects, limit, log, &prefix, &exclude, &meet);
            let (tx, rx) = std::sync::mpsc::channel();
            for s in left {
                let _ = tx.send(s);
            }
            drop(tx);
            let (rest, problems, cat_res) = cat_file_scan(ctx, emitter, rx);
            let mut scanned = meet.into_inner().map(|m| m.scanned).unwrap_or_default();
            scanned.extend(rest);
            (commits, log_err, scanned, problems, cat_res)
        }
        None => {
            let (tx, rx) = std::sync::mpsc::channel();
            let (walked, (scanned, problems, cat_res)) = std::thread::scope(|s| {
                let prefix = prefix.as_str();
                let exclude = &exclude;
                let walker = s.spawn(move || {
                    walk_log(log, &[], prefix, exclude, |sighting| {
                        let _ = tx.send(sighting);
                    })
                });
                let read = cat_file_scan(ctx, emitter, rx);
                let walked = walker
                    .join()
                    .unwrap_or((0, Some("the git log reader panicked".to_string())));
                (walked, read)
            });
            (walked.0, walked.1, scanned, problems, cat_res)
        }
    };
    if let Some(err) = log_err {
        out.notifications.push(Notification::error(
            ScannerKind::Secrets,
            format!(
                "walking the history with git failed: {}",
                err.trim().lines().next().unwrap_or("unknown error")
            ),
        ));
    }
    scanned.sort_by_key(|(s, _)| s.seq);
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

/// `STAGEGATE_NO_PACK_WALK=1` reads every blob through `git cat-file`, as with `--since`: the
/// reference the pack walk is compared with (tests, benchmarks).
fn no_pack_walk() -> bool {
    std::env::var_os("STAGEGATE_NO_PACK_WALK").is_some_and(|v| v == "1")
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
    fn early_blobs_resolve_to_what_a_direct_scan_gives() {
        use crate::scanners::secrets::builtin_rules;
        use crate::scanners::secrets::suppress::AllowList;
        let allow = AllowList::default();
        let e = Emitter {
            rules: builtin_rules(),
            allow: &allow,
        };
        let contents: Vec<Vec<u8>> = vec![
            b"just text\n".to_vec(),
            b"\x00\x01binary".to_vec(),
            b"URL=postgres://app:Xk9vQ2mLp7zR@db/app\n".to_vec(),
            b"//registry.npmjs.org/:_authToken=abc123def456\n".to_vec(),
            b"{\"type\": \"service_account\", \"private_key\": \"x\"}\n".to_vec(),
            b"{\"stagegate-report\": 1}\n".to_vec(),
            b"[pypi]\nusername = me\nPassWord = hunter2-but-longer\n".to_vec(),
        ];
        let paths = [
            "a.txt",
            "x/.npmrc",
            "k/id_rsa",
            "sa.json",
            "home/.pypirc",
            crate::paths::BASELINE_FILE_NAME,
        ];
        let commit = Arc::new(CommitInfo {
            id: "c1".into(),
            ..CommitInfo::default()
        });
        let mut rereads = 0;
        for c in &contents {
            for p in paths {
                let meet = std::sync::Mutex::new(Meet::default());
                let s = Sighting {
                    path: p.to_string(),
                    commit: Arc::clone(&commit),
                    blob: "b".into(),
                    seq: 0,
                };
                let direct = scan_bytes(&e, c, p, Some(&commit));
                match resolve(&e, prescan(&e, c, &meet), &s) {
                    Some(early) => {
                        assert_eq!(
                            format!("{:?}", early.findings),
                            format!("{:?}", direct.findings),
                            "{p}"
                        );
                        assert_eq!(
                            (early.bytes, early.binary),
                            (direct.bytes, direct.binary),
                            "{p}"
                        );
                    }
                    // Read again and scanned directly: only for path rules that read content.
                    None => {
                        assert!(scope::name_needs_content(p), "{p}");
                        rereads += 1;
                    }
                }
            }
        }
        assert!(
            rereads >= 3,
            "the .npmrc, .pypirc and service-account contents are read again"
        );
    }

    /// `git` in `dir` with a fixed identity, asserting success.
    fn run_git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=Dev One",
                "-c",
                "user.email=dev@example.com",
            ])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Writes `text` to `rel` under `root`, creating its folders.
    fn write_file(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    /// Stages everything under `root` and commits it (an empty commit too).
    fn commit_all(root: &Path, msg: &str) {
        run_git(root, &["add", "-A"]);
        run_git(root, &["commit", "-qm", msg, "--allow-empty"]);
    }

    /// Every first sighting of a walk: (blob, commit, path, seq), and the commit count.
    fn sightings(root: &Path, parts: (usize, usize)) -> (u64, Vec<String>) {
        let walk = start_walk(root, None, parts).expect("walk starts");
        let mut got = Vec::new();
        let (commits, err) = walk_log(walk, &[], "", &ExcludeSet::default(), |s| {
            got.push(format!("{} {} {} {}", s.blob, s.commit.id, s.path, s.seq));
        });
        assert_eq!(err, None);
        (commits, got)
    }

    #[test]
    fn split_walk_attributes_as_the_single_log() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        let write = |rel: &str, text: &str| write_file(root, rel, text);
        let commit = |msg: &str| commit_all(root, msg);
        run_git(root, &["init", "-q"]);
        write("a.txt", "a0\n");
        write("b/b.txt", "b0\n");
        commit("root");
        run_git(root, &["checkout", "-qb", "side"]);
        for i in 0..6 {
            write("a.txt", &format!("side {i}\n"));
            // The same content as main's `shared.txt`: one blob in two commits.
            write("side/shared.txt", "shared\n");
            commit(&format!("side {i}"));
        }
        run_git(root, &["checkout", "-q", "main"]);
        for i in 0..6 {
            write("b/b.txt", &format!("main {i}\n"));
            write("shared.txt", "shared\n");
            commit(&format!("main {i}"));
        }
        std::fs::create_dir_all(root.join("renamed")).expect("mkdir");
        run_git(root, &["mv", "b/b.txt", "renamed/b.txt"]);
        commit("rename");
        // A merge whose resolution is a new blob (seen only in the merge's diffs).
        run_git(root, &["merge", "-q", "--no-commit", "--no-ff", "side"]);
        write("a.txt", "resolved\n");
        commit("merge");
        commit("empty");
        for i in 0..5 {
            write(&format!("later/{i}.txt"), "shared\n");
            write("renamed/b.txt", &format!("later {i}\n"));
            commit(&format!("later {i}"));
        }
        let parents = run_git(root, &["log", "-1", "--format=%P", "HEAD~6"]);
        assert_eq!(parents.split(' ').count(), 2, "HEAD~6 is the merge");
        let (n1, single) = sightings(root, (1, 1));
        assert_eq!(n1, 21);
        assert_eq!(in_process_sightings(root, None), (n1, single.clone()));
        let blobs: HashSet<&str> = single.iter().filter_map(|s| s.split(' ').next()).collect();
        assert_eq!(blobs.len(), single.len(), "each blob once: {single:#?}");
        assert!(single.iter().any(|s| s.contains(" a.txt ")), "{single:#?}");
        for parts in [2, 3, 7, 30] {
            let (n, split) = sightings(root, (parts, 1));
            assert_eq!((n, &split), (n1, &single), "{parts} ranges");
        }
        // Few commits: one range, however many cores.
        assert_eq!(sightings(root, (4, MIN_PART_COMMITS)), (n1, single));
    }

    /// [`sightings`] of the in-process walk; with `loose_dir`, loose objects are looked for
    /// there instead (an empty directory: the walk falls back to `git diff-tree` at the first
    /// commit whose trees are loose).
    fn in_process_sightings(root: &Path, loose_dir: Option<&Path>) -> (u64, Vec<String>) {
        let objects = objects_dir(root).expect("SHA-1 objects");
        let (packs, failed) = pack::open_all(&objects);
        assert_eq!(failed, 0);
        let walk = start_tree_walk(root, loose_dir.unwrap_or(&objects)).expect("walk starts");
        let mut got = Vec::new();
        let (commits, err) = walk_log(walk, &packs, "", &ExcludeSet::default(), |s| {
            got.push(format!("{} {} {} {}", s.blob, s.commit.id, s.path, s.seq));
        });
        assert_eq!(err, None);
        (commits, got)
    }

    /// Every walk (the single `git log`, split `git diff-tree` ranges, the in-process tree diff,
    /// and the in-process walk falling back to git where trees are loose) gives the same first
    /// sightings; returns them.
    fn assert_walks_agree(root: &Path) -> Vec<String> {
        let reference = sightings(root, (1, 1));
        for parts in [2, 7] {
            assert_eq!(sightings(root, (parts, 1)), reference, "{parts} ranges");
        }
        assert_eq!(in_process_sightings(root, None), reference, "in-process");
        let empty = tempfile::tempdir().expect("temp dir");
        assert_eq!(
            in_process_sightings(root, Some(empty.path())),
            reference,
            "in-process, falling back to git where trees are loose"
        );
        reference.1
    }

    #[cfg(unix)]
    #[test]
    fn in_process_tree_walk_attributes_as_git() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        let write = |rel: &str, text: &str| write_file(root, rel, text);
        let commit = |msg: &str| commit_all(root, msg);
        run_git(root, &["init", "-q"]);
        write("a.txt", "a0\n");
        write("deep/er/x.txt", "x0\n");
        write("ord/b-x", "b-x 0\n");
        write("ord/b/x", "b/x 0\n");
        write("tc", "file then dir\n");
        commit("root");
        // A symbolic link (its blob is the target's name: not scanned, as with git), a
        // submodule entry (a gitlink: skipped), an executable file, a mode-only change.
        std::os::unix::fs::symlink("target-name", root.join("link")).expect("symlink");
        let sub_commit = run_git(root, &["rev-parse", "HEAD"]);
        run_git(
            root,
            &[
                "update-index",
                "--add",
                "--cacheinfo",
                &format!("160000,{sub_commit},vendor/module"),
            ],
        );
        write("run.sh", "#!/bin/sh\necho run\n");
        let exec = |rel: &str| {
            std::fs::set_permissions(root.join(rel), std::fs::Permissions::from_mode(0o755))
                .expect("chmod")
        };
        exec("run.sh");
        exec("a.txt");
        commit("link, gitlink, executable");
        // The same new content at three paths of one commit: the first in git's tree order
        // ("b-x" < "b.x" < "b/", a directory sorting as its name and a slash) wins.
        write("ord/b/x", "dup\n");
        write("ord/b-x", "dup\n");
        write("ord/b.x", "dup\n");
        commit("three paths, one blob");
        // A nested directory renamed, a file turned directory, the link turned a file holding
        // its target's name (the same blob, first seen as a file here).
        std::fs::create_dir_all(root.join("moved")).expect("mkdir");
        run_git(root, &["mv", "deep/er", "moved/er"]);
        std::fs::remove_file(root.join("tc")).expect("rm");
        write("tc/inner.txt", "inside\n");
        std::fs::remove_file(root.join("link")).expect("rm");
        write("link", "target-name");
        commit("rename, typechanges");
        run_git(root, &["checkout", "-qb", "side", "HEAD~1"]);
        write("side.txt", "side\n");
        write("ord/b/x", "side version\n");
        commit("side");
        run_git(root, &["checkout", "-q", "main"]);
        run_git(root, &["merge", "-q", "--no-commit", "--no-ff", "side"]);
        write("ord/b/x", "merged\n");
        commit("merge");
        let loose = assert_walks_agree(root);
        let has = |path: &str| loose.iter().any(|s| s.split(' ').nth(2) == Some(path));
        assert!(has("ord/b-x") && !has("ord/b.x"), "{loose:#?}");
        assert!(
            has("link") && has("tc/inner.txt") && has("run.sh"),
            "{loose:#?}"
        );
        assert!(!has("vendor/module"), "{loose:#?}");
        // Packed, then packed with loose commits on top.
        run_git(root, &["repack", "-a", "-d", "-q"]);
        assert_eq!(assert_walks_agree(root), loose);
        write("moved/er/x.txt", "later\n");
        commit("later, loose");
        let mixed = assert_walks_agree(root);
        assert_eq!(mixed.len(), loose.len() + 1);
    }

    #[test]
    fn corrupt_packs_give_an_error_or_the_same_walk() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        run_git(root, &["init", "-q"]);
        for i in 0..40 {
            let p = root.join(format!("d{}/f{}.txt", i % 4, i % 7));
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, format!("version {i}\n")).expect("write");
            run_git(root, &["add", "-A"]);
            run_git(root, &["commit", "-qm", &format!("c{i}")]);
        }
        run_git(root, &["repack", "-a", "-d", "-q"]);
        let reference = sightings(root, (1, 1));
        let objects = objects_dir(root).expect("objects");
        let pack_path = std::fs::read_dir(objects.join("pack"))
            .expect("pack dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "pack"))
            .expect("a pack");
        let original = std::fs::read(&pack_path).expect("read pack");
        // Garbage over a stretch of entries, then the pack cut in half: never a panic; the
        // in-process walk either agrees with git or fails as git does.
        let mut garbled = original.clone();
        let mid = garbled.len() / 2;
        for b in &mut garbled[mid..mid + 200] {
            *b = 0x5a;
        }
        for bytes in [garbled, original[..original.len() / 2].to_vec()] {
            let mut perms = std::fs::metadata(&pack_path).expect("meta").permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&pack_path, perms).expect("chmod");
            std::fs::write(&pack_path, &bytes).expect("write pack");
            let (packs, _) = pack::open_all(&objects);
            let walk = start_tree_walk(root, &objects).expect("walk starts");
            let mut got = Vec::new();
            let (commits, err) = walk_log(walk, &packs, "", &ExcludeSet::default(), |s| {
                got.push(format!("{} {} {} {}", s.blob, s.commit.id, s.path, s.seq));
            });
            assert!(
                err.is_some() || (commits, &got) == (reference.0, &reference.1),
                "{err:?}"
            );
        }
    }

    #[test]
    fn excluded_first_sighting_defers_to_next() {
        let log = b"\x01c1\x00d\x00A\x00\n:000000 100644 0000 b1 A\x00vendor/a\x00\x01c2\x00d\x00A\x00\n:000000 100644 0000 b1 A\x00src/a\x00";
        let (_, got) = parse(log, |p| !p.starts_with("vendor/"));
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].1.as_str(), got[0].2.as_str()), ("c2 d A", "src/a"));
    }
}
