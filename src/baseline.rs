//! Baselines: accept what is already there, block only on what is new.
//!
//! A baseline is `.stagegate-baseline.json` at the scan root: one entry per accepted finding,
//! keyed by its line-independent fingerprint (rule + path + normalized content), with the rule,
//! the path and a short note for the humans reviewing it. Entries are sorted and the JSON has no
//! timestamps, so moving lines, reformatting or rebasing never churns the file, and two runs on
//! the same tree write byte-identical baselines.
//!
//! [`apply`] marks every finding `new` or `unchanged` (SARIF `baselineState`), suppresses the
//! unchanged ones (`external`, "in baseline") so the gate counts only new ones, and reports
//! entries that matched nothing, like cargo-deny's `advisory-not-detected`. [`update`] rewrites a
//! baseline from a scan and counts the entries it dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{line_of_offset, Error};
use crate::finding::{
    scanner_of_rule, BaselineState, Finding, Location, Notification, NotificationLevel,
    ScannerKind, Suppression, SuppressionKind,
};
use crate::scan::ScanResult;
use crate::scanners::ValidConfig as Config;

pub use crate::paths::BASELINE_FILE_NAME;

/// `format` value of a baseline file: tells it apart from any other JSON.
pub const FORMAT: &str = "stagegate-baseline";

/// Justification of the suppression a baselined finding gets (shown by SARIF viewers).
pub const JUSTIFICATION: &str = "in baseline";

/// Unmatched entries reported one by one; the rest are summed up in one note, so a stale
/// baseline cannot flood a report.
pub const MAX_UNMATCHED_NOTES: usize = 25;

/// Longest note kept per entry, in characters: enough to recognise the finding in a review.
const NOTE_MAX: usize = 120;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The finding's fingerprint: what matching uses.
    pub fingerprint: String,
    /// Rule id, for review (and to know which scanner the entry belongs to).
    pub rule: String,
    /// Path relative to the scan root, for review.
    pub path: String,
    /// The finding's (already redacted) message, shortened.
    pub note: String,
    /// 1-based line of the entry in the file it was read from (not serialized).
    #[serde(skip)]
    pub line: Option<u32>,
}

impl BaselineEntry {
    /// The entry accepting `f`.
    pub fn of(f: &Finding) -> BaselineEntry {
        BaselineEntry {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule_id.clone(),
            path: f.location.path.clone(),
            note: short_note(&f.message),
            line: None,
        }
    }

    /// The scanner owning this entry (from the rule prefix).
    pub fn scanner(&self) -> Option<ScannerKind> {
        scanner_of_rule(&self.rule)
    }
}

/// The file as serialized.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    format: String,
    version: u32,
    entries: Vec<BaselineEntry>,
}

/// A set of accepted findings, sorted by (path, rule, fingerprint), one entry per fingerprint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: Vec<BaselineEntry>,
}

impl Baseline {
    /// A baseline accepting `findings`, except those already suppressed by something else (an
    /// inline allow or a config ignore needs no baseline entry).
    pub fn from_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Baseline {
        Baseline::from_entries(
            findings
                .into_iter()
                .filter(|f| !suppressed_elsewhere(f))
                .map(BaselineEntry::of),
        )
    }

    fn from_entries(entries: impl IntoIterator<Item = BaselineEntry>) -> Baseline {
        let mut by_fp: BTreeMap<String, BaselineEntry> = BTreeMap::new();
        for mut e in entries {
            e.line = None;
            by_fp.entry(e.fingerprint.clone()).or_insert(e);
        }
        let mut entries: Vec<BaselineEntry> = by_fp.into_values().collect();
        entries.sort_by(|a, b| {
            (&a.path, &a.rule, &a.fingerprint).cmp(&(&b.path, &b.rule, &b.fingerprint))
        });
        Baseline { entries }
    }

    /// The entries, sorted.
    pub fn entries(&self) -> &[BaselineEntry] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it accepts nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `fingerprint` is accepted (linear; use [`Baseline::fingerprints`] in loops).
    pub fn contains(&self, fingerprint: &str) -> bool {
        self.entries.iter().any(|e| e.fingerprint == fingerprint)
    }

    /// Every accepted fingerprint, for fast lookups.
    pub fn fingerprints(&self) -> BTreeSet<&str> {
        self.entries
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect()
    }

    /// Parses `text` as the content of `path`. Every error names the file and the line.
    pub fn parse(text: &str, path: &Path) -> Result<Baseline, Error> {
        let file: BaselineFile = serde_json::from_str(text).map_err(|e| {
            let line = u32::try_from(e.line()).ok().filter(|l| *l > 0);
            Error::input(
                path,
                line,
                format!(
                    "malformed baseline: {}; regenerate it with `stagegate baseline`",
                    strip_serde_position(&e.to_string())
                ),
            )
        })?;
        if file.format != FORMAT {
            let line = find_line(text, "\"format\"", 0);
            return Err(Error::input(
                path,
                line,
                format!(
                    "not a stagegate baseline: format is `{}`, expected `{FORMAT}`",
                    file.format
                ),
            ));
        }
        if file.version != 1 {
            let line = find_line(text, "\"version\"", 0);
            return Err(Error::input(
                path,
                line,
                format!(
                    "baseline version {} is not supported by this stagegate (expected 1)",
                    file.version
                ),
            ));
        }
        let mut entries = file.entries;
        let lines = key_lines(text, "\"fingerprint\"");
        for (i, e) in entries.iter_mut().enumerate() {
            e.line = lines.get(i).copied();
            let valid = e.fingerprint.len() == 32
                && e.fingerprint
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !valid {
                return Err(Error::input(
                    path,
                    e.line,
                    format!(
                        "baseline entry {}: fingerprint must be 32 lowercase hex digits",
                        i + 1
                    ),
                ));
            }
            if e.rule.is_empty() || scanner_of_rule(&e.rule).is_none() {
                return Err(Error::input(
                    path,
                    e.line,
                    format!(
                        "baseline entry {}: unknown rule `{}` (expected advisory/…, secret/…, drift/… or policy/…)",
                        i + 1,
                        e.rule
                    ),
                ));
            }
        }
        let lines: BTreeMap<String, Option<u32>> = entries
            .iter()
            .map(|e| (e.fingerprint.clone(), e.line))
            .collect();
        let mut b = Baseline::from_entries(entries);
        for e in &mut b.entries {
            e.line = lines.get(&e.fingerprint).copied().flatten();
        }
        Ok(b)
    }

    /// Reads and parses a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes());
            Error::input(
                path,
                Some(line_of_offset(&text, offset)),
                "malformed baseline: not UTF-8",
            )
        })?;
        Baseline::parse(&text, path)
    }

    /// Stable pretty JSON with a trailing newline: same entries, same bytes.
    pub fn to_json(&self) -> Vec<u8> {
        let file = BaselineFile {
            format: FORMAT.to_string(),
            version: 1,
            entries: self.entries.clone(),
        };
        // Serializing plain strings and integers into a Vec cannot fail.
        let mut out = serde_json::to_vec_pretty(&file).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// Writes the baseline atomically.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        crate::output::write_atomic(path, &self.to_json())
    }
}

/// What [`apply`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings found in the baseline (now suppressed).
    pub unchanged: usize,
    /// Findings not in the baseline.
    pub new: usize,
    /// Entries of scanners that ran which matched no finding.
    pub unmatched: usize,
}

/// Marks each finding of `result` `new` or `unchanged`, suppresses unchanged ones, and adds a
/// note-level notification for each entry of a scanner in `ran` that matched nothing.
///
/// `display_path` is the baseline file as shown in notifications (relative to the scan root
/// when it is under it).
pub fn apply(
    result: &mut ScanResult,
    baseline: &Baseline,
    ran: &[ScannerKind],
    display_path: &str,
) -> Applied {
    let known: BTreeSet<&str> = baseline
        .entries
        .iter()
        .map(|e| e.fingerprint.as_str())
        .collect();
    let mut matched: BTreeSet<&str> = BTreeSet::new();
    let mut applied = Applied::default();
    for f in &mut result.findings {
        if let Some(fp) = known.get(f.fingerprint.as_str()) {
            matched.insert(fp);
            f.baseline_state = Some(BaselineState::Unchanged);
            applied.unchanged += 1;
            if f.suppression.is_none() {
                f.suppression = Some(Suppression {
                    kind: SuppressionKind::External,
                    justification: JUSTIFICATION.to_string(),
                });
            }
        } else {
            f.baseline_state = Some(BaselineState::New);
            applied.new += 1;
        }
    }
    for e in &baseline.entries {
        let ours = e.scanner().is_some_and(|k| ran.contains(&k));
        if !ours || matched.contains(e.fingerprint.as_str()) {
            continue;
        }
        applied.unmatched += 1;
        if applied.unmatched > MAX_UNMATCHED_NOTES {
            continue;
        }
        result.notifications.push(Notification {
            scanner: e.scanner(),
            level: NotificationLevel::Note,
            message: format!(
                "{display_path}: baseline entry {} for {} in {} matched no finding (fixed or moved?); \
                 `--update-baseline` drops it",
                e.fingerprint, e.rule, e.path
            ),
            // A location must be relative to the scan root (SARIF `%SRCROOT%`): a baseline kept
            // elsewhere is named in the message only.
            location: (!display_path.starts_with('/') && !display_path.starts_with(".."))
                .then(|| Location::line(display_path, e.line.unwrap_or(1))),
        });
    }
    if applied.unmatched > MAX_UNMATCHED_NOTES {
        result.notifications.push(Notification {
            scanner: None,
            level: NotificationLevel::Note,
            message: format!(
                "{display_path}: {} more baseline entries matched no finding; `--update-baseline` drops them",
                applied.unmatched - MAX_UNMATCHED_NOTES
            ),
            location: None,
        });
    }
    result.notifications.sort();
    result.notifications.dedup();
    applied
}

/// What [`update`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Updated {
    /// Entries in the new baseline.
    pub total: usize,
    /// Entries that were not in the old one.
    pub added: usize,
    /// Old entries of scanners that ran that no longer match a finding.
    pub dropped: usize,
}

/// The baseline that accepts every finding of `result` (except those suppressed by other
/// means), keeping `old` entries of scanners that did not run.
pub fn update(
    old: Option<&Baseline>,
    result: &ScanResult,
    ran: &[ScannerKind],
) -> (Baseline, Updated) {
    let current = Baseline::from_findings(&result.findings);
    // Sets, not `contains`: a baseline may hold tens of thousands of entries.
    let now: BTreeSet<&str> = current.fingerprints();
    let before: BTreeSet<&str> = old.map(Baseline::fingerprints).unwrap_or_default();
    let kept_from_old: Vec<BaselineEntry> = old
        .map(|b| {
            b.entries
                .iter()
                .filter(|e| !e.scanner().is_some_and(|k| ran.contains(&k)))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let dropped = old
        .map(|b| {
            b.entries
                .iter()
                .filter(|e| e.scanner().is_some_and(|k| ran.contains(&k)))
                .filter(|e| !now.contains(e.fingerprint.as_str()))
                .count()
        })
        .unwrap_or(0);
    let added = current
        .entries
        .iter()
        .filter(|e| !before.contains(e.fingerprint.as_str()))
        .count();
    let merged = Baseline::from_entries(current.entries.into_iter().chain(kept_from_old));
    let stats = Updated {
        total: merged.len(),
        added,
        dropped,
    };
    (merged, stats)
}

/// What [`run`] did, for the CLI to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The baseline file.
    pub path: PathBuf,
    /// Matching against it.
    pub applied: Applied,
    /// Set when the file was (re)written.
    pub updated: Option<Updated>,
}

/// How [`run`] uses the baseline file.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// The baseline file.
    pub path: &'a Path,
    /// Scan root (paths in the file are shown relative to it).
    pub root: &'a Path,
    /// The scanners of this run; those that reported an input error are treated as not having
    /// run, so an incomplete scan never drops their entries or calls them unmatched.
    pub ran: &'a [ScannerKind],
    /// Rewrite the file from the current findings first (`--update-baseline`).
    pub update: bool,
    /// `stagegate baseline`: an unreadable or malformed old file is replaced instead of being
    /// an error.
    pub regenerate: bool,
}

impl<'a> Options<'a> {
    /// Apply `path` as it is (no update, no regeneration).
    pub fn apply(path: &'a Path, root: &'a Path, ran: &'a [ScannerKind]) -> Self {
        Options {
            path,
            root,
            ran,
            update: false,
            regenerate: false,
        }
    }
}

/// Applies the baseline `opts.path` to `result` — after rewriting it from `result` when
/// `opts.update`. A missing file is an error unless updating.
pub fn run(result: &mut ScanResult, opts: &Options<'_>) -> Result<Outcome, Error> {
    let Options {
        path,
        root,
        ran,
        update: update_file,
        regenerate,
    } = *opts;
    let complete: Vec<ScannerKind> = ran
        .iter()
        .copied()
        .filter(|k| {
            !result
                .notifications
                .iter()
                .any(|n| n.level == NotificationLevel::Error && n.scanner == Some(*k))
        })
        .collect();
    let display = match (std::fs::canonicalize(root), std::fs::canonicalize(path)) {
        (Ok(r), Ok(p)) => crate::paths::relative(&r, &p),
        _ => crate::paths::relative(root, path),
    };
    let (baseline, updated) = if update_file {
        let old = if path.exists() {
            match Baseline::load(path) {
                Ok(b) => Some(b),
                Err(_) if regenerate => None,
                Err(e) => return Err(e),
            }
        } else {
            None
        };
        let (new, stats) = update(old.as_ref(), result, &complete);
        new.write(path)?;
        (new, Some(stats))
    } else {
        let b = Baseline::load(path).map_err(|e| match e {
            Error::Io { path, source } if source.kind() == std::io::ErrorKind::NotFound => {
                Error::input(
                    path,
                    None,
                    "baseline not found; create it with `stagegate baseline` (or pass --update-baseline)",
                )
            }
            other => other,
        })?;
        (b, None)
    };
    let applied = apply(result, &baseline, &complete, &display);
    Ok(Outcome {
        path: path.to_path_buf(),
        applied,
        updated,
    })
}

/// The baseline file to use: `--baseline` (relative to the working directory) wins over
/// `baseline` in the config (relative to the scan root).
pub fn resolve(root: &Path, cli: Option<&Path>, config: &Config) -> Option<PathBuf> {
    match (cli, &config.baseline) {
        (Some(p), _) => Some(p.to_path_buf()),
        (None, Some(p)) if p.is_absolute() => Some(p.clone()),
        (None, Some(p)) => Some(root.join(p)),
        (None, None) => None,
    }
}

/// Whether an inline allow or a config ignore (not a baseline) already accepted `f`.
fn suppressed_elsewhere(f: &Finding) -> bool {
    f.suppression
        .as_ref()
        .is_some_and(|s| !(s.kind == SuppressionKind::External && s.justification == JUSTIFICATION))
}

fn short_note(message: &str) -> String {
    let one_line: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let one_line = one_line.trim();
    if one_line.chars().count() <= NOTE_MAX {
        return one_line.to_string();
    }
    let mut s: String = one_line.chars().take(NOTE_MAX - 1).collect();
    s.push('…');
    s
}

/// Line of the `nth` (0-based) occurrence of `needle` in `text`.
fn find_line(text: &str, needle: &str, nth: usize) -> Option<u32> {
    text.match_indices(needle)
        .nth(nth)
        .map(|(i, _)| line_of_offset(text, i))
}

/// Lines of every occurrence of `needle`, in one pass (baselines can be large).
fn key_lines(text: &str, needle: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let (mut line, mut pos) = (1u32, 0usize);
    for (i, _) in text.match_indices(needle) {
        let newlines = memchr::memchr_iter(b'\n', &text.as_bytes()[pos..i]).count();
        line = line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        pos = i;
        out.push(line);
    }
    out
}

/// serde_json appends " at line L column C"; the line is already in our prefix.
fn strip_serde_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn f(rule: &str, path: &str, line: u32, identity: &str) -> Finding {
        Finding::new(
            rule,
            Severity::High,
            format!("{rule} in {path}"),
            Location::line(path, line),
            identity,
        )
    }

    fn result(findings: Vec<Finding>) -> ScanResult {
        ScanResult {
            findings,
            ..ScanResult::default()
        }
    }

    #[test]
    fn round_trips_sorted_and_stable() {
        let a = f("secret/x", "b.txt", 3, "v1");
        let b = f("drift/value", "a.env", 9, "/K");
        let base = Baseline::from_findings([&a, &b, &a]);
        assert_eq!(base.len(), 2, "one entry per fingerprint");
        assert_eq!(base.entries()[0].path, "a.env", "sorted by path");
        let json = base.to_json();
        let text = String::from_utf8(json.clone()).unwrap();
        assert!(text.ends_with("}\n"));
        assert!(!text.contains("\"line\""), "no line numbers: {text}");
        let back = Baseline::parse(&text, Path::new("b.json")).unwrap();
        assert_eq!(back.to_json(), json);
        // Same findings, lines moved: same bytes.
        let moved = Baseline::from_findings([&f("secret/x", "b.txt", 90, "v1"), &b]);
        assert_eq!(moved.to_json(), json);
    }

    #[test]
    fn apply_marks_new_and_unchanged_and_suppresses_known() {
        let old = f("secret/x", "a", 1, "old");
        let base = Baseline::from_findings([&old]);
        let mut r = result(vec![
            f("secret/x", "a", 50, "old"),
            f("secret/x", "a", 2, "new"),
        ]);
        let applied = apply(
            &mut r,
            &base,
            &[ScannerKind::Secrets],
            ".stagegate-baseline.json",
        );
        assert_eq!(
            applied,
            Applied {
                unchanged: 1,
                new: 1,
                unmatched: 0
            }
        );
        let known = r
            .findings
            .iter()
            .find(|f| f.location.start_line == 50)
            .unwrap();
        assert_eq!(known.baseline_state, Some(BaselineState::Unchanged));
        assert_eq!(
            known.suppression.as_ref().unwrap().justification,
            "in baseline"
        );
        let fresh = r
            .findings
            .iter()
            .find(|f| f.location.start_line == 2)
            .unwrap();
        assert_eq!(fresh.baseline_state, Some(BaselineState::New));
        assert!(fresh.suppression.is_none());
        assert!(r.notifications.is_empty());
    }

    #[test]
    fn unmatched_entries_are_notes_only_for_scanners_that_ran() {
        let gone = f("secret/x", "a", 1, "gone");
        let other = f("advisory/RUSTSEC-2020-0001", "Cargo.lock", 1, "p@1");
        let base = Baseline::from_findings([&gone, &other]);
        let text = String::from_utf8(base.to_json()).unwrap();
        let base = Baseline::parse(&text, Path::new("bl.json")).unwrap();
        let mut r = result(vec![]);
        let applied = apply(&mut r, &base, &[ScannerKind::Secrets], "bl.json");
        assert_eq!(applied.unmatched, 1);
        assert_eq!(r.notifications.len(), 1);
        let n = &r.notifications[0];
        assert_eq!(n.level, NotificationLevel::Note);
        assert!(n.message.contains("secret/x"), "{}", n.message);
        let loc = n.location.as_ref().unwrap();
        assert_eq!(loc.path, "bl.json");
        let expected_line = find_line(&text, &gone.fingerprint, 0).unwrap();
        assert_eq!(loc.start_line, expected_line, "points at the entry");
    }

    #[test]
    fn many_unmatched_entries_are_summed_up() {
        let gone: Vec<Finding> = (0..40)
            .map(|i| f("secret/x", "a", 1, &format!("g{i}")))
            .collect();
        let base = Baseline::from_findings(&gone);
        let mut r = result(vec![]);
        let applied = apply(&mut r, &base, &[ScannerKind::Secrets], "bl.json");
        assert_eq!(applied.unmatched, 40);
        assert_eq!(r.notifications.len(), MAX_UNMATCHED_NOTES + 1);
        assert!(r
            .notifications
            .iter()
            .any(|n| n.message.contains("15 more baseline entries")));
    }

    #[test]
    fn a_baseline_outside_the_root_is_named_without_a_location() {
        let gone = f("secret/x", "a", 1, "gone");
        let base = Baseline::from_findings([&gone]);
        let mut r = result(vec![]);
        apply(&mut r, &base, &[ScannerKind::Secrets], "/etc/bl.json");
        assert!(r.notifications[0].location.is_none());
        assert!(r.notifications[0].message.starts_with("/etc/bl.json: "));
    }

    #[test]
    fn update_drops_and_counts_stale_entries_and_keeps_other_scanners() {
        let stale = f("secret/x", "a", 1, "stale");
        let kept = f("secret/x", "a", 1, "kept");
        let adv = f("advisory/RUSTSEC-2020-0001", "Cargo.lock", 1, "p@1");
        let old = Baseline::from_findings([&stale, &kept, &adv]);
        let now = result(vec![kept.clone(), f("secret/x", "b", 1, "added")]);
        let (new, stats) = update(Some(&old), &now, &[ScannerKind::Secrets]);
        assert_eq!(
            stats,
            Updated {
                total: 3,
                added: 1,
                dropped: 1
            }
        );
        assert!(
            new.contains(&adv.fingerprint),
            "advisories did not run: kept"
        );
        assert!(!new.contains(&stale.fingerprint));
    }

    #[test]
    fn findings_suppressed_elsewhere_need_no_entry() {
        let mut inline = f("secret/x", "a", 1, "i");
        inline.suppression = Some(Suppression {
            kind: SuppressionKind::InSource,
            justification: "stagegate:allow".into(),
        });
        assert!(Baseline::from_findings([&inline]).is_empty());
    }

    #[test]
    fn malformed_baselines_name_file_and_line() {
        let p = Path::new("x/.stagegate-baseline.json");
        let e = Baseline::parse("{\n  \"format\": \"stagegate-baseline\",\n  \"version\": 1,\n  \"entries\": [\n    {\"fingerprint\": 3}\n  ]\n}\n", p)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("x/.stagegate-baseline.json:5: malformed baseline"),
            "{e}"
        );
        let e = Baseline::parse("", p).unwrap_err().to_string();
        assert!(e.starts_with("x/.stagegate-baseline.json:1:"), "{e}");
        let bad_fp = "{\n\"format\": \"stagegate-baseline\",\n\"version\": 1,\n\"entries\": [\n{\"fingerprint\": \"zz\", \"rule\": \"secret/x\", \"path\": \"a\", \"note\": \"n\"}\n]}";
        let e = Baseline::parse(bad_fp, p).unwrap_err().to_string();
        assert!(
            e.starts_with("x/.stagegate-baseline.json:5: baseline entry 1"),
            "{e}"
        );
        let wrong = "{\"format\": \"sarif\", \"version\": 1, \"entries\": []}";
        assert!(Baseline::parse(wrong, p)
            .unwrap_err()
            .to_string()
            .contains("not a stagegate baseline"));
        let extra =
            "{\"format\": \"stagegate-baseline\", \"version\": 1, \"entries\": [], \"when\": 1}";
        assert!(Baseline::parse(extra, p)
            .unwrap_err()
            .to_string()
            .contains("when"));
    }

    #[test]
    fn notes_are_short_single_lines() {
        let long = "x".repeat(500) + "\nsecond";
        let n = short_note(&long);
        assert_eq!(n.chars().count(), NOTE_MAX);
        assert!(!n.contains('\n'));
    }

    #[test]
    fn config_path_is_relative_to_root_and_cli_wins() {
        let cfg = Config {
            baseline: Some(PathBuf::from("bl.json")),
            ..Config::default()
        };
        assert_eq!(
            resolve(Path::new("repo"), None, &cfg),
            Some(PathBuf::from("repo/bl.json"))
        );
        assert_eq!(
            resolve(Path::new("repo"), Some(Path::new("other.json")), &cfg),
            Some(PathBuf::from("other.json"))
        );
        assert_eq!(resolve(Path::new("repo"), None, &Config::default()), None);
    }
}
