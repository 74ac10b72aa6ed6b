//! Advisories scanner: every `Cargo.lock` of the repository against a RustSec advisory database.
//!
//! Flow: [`lockfile::discover`] the lockfiles (honouring `.gitignore` and `exclude`), parse them
//! (v1–v4), load from the database directory only the advisories of the crates.io crates they
//! lock ([`db::Database::load_for`], in parallel), and report one finding per
//! (lockfile, package, version, advisory), at the lines of the package's `[[package]]` entry.
//!
//! Rule ids (one scheme, see [`rules`]): `advisory/<ID>` for every advisory whatever its kind
//! (vulnerability, unmaintained, unsound, notice — the kind is a tag and the `kind` property),
//! plus `advisory/yanked`, `advisory/stale-database`, `advisory/expired-ignore` and
//! `advisory/unused-ignore`.
//!
//! Severity: `malicious` → critical; vulnerabilities from CVSS (≥ 9 critical, ≥ 7 high, ≥ 4
//! medium, else low), high without CVSS; unsound / unmaintained / notice from `[advisories]`
//! (default medium / low / note). Withdrawn advisories never match. `[affected] os/arch` are
//! honoured only with `--target`. Git, path and non-crates.io packages are not in RustSec's
//! scope: each gets a note-level notification instead of being skipped silently.

pub mod advisory;
pub mod cfg;
pub mod db;
pub mod fetch;
pub mod lockfile;
pub mod rules;
pub mod target;
pub mod versions;
pub mod yanked;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{ScanContext, ScanOutput, Scanner};
use crate::config::IsoDate;
use crate::finding::{
    Finding, Location, Notification, RuleMeta, ScannerKind, Severity, Suppression, SuppressionKind,
};
use crate::paths::{relative, ExcludeSet};

pub use fetch::{fetch_db, FetchOutcome};

const KIND: ScannerKind = ScannerKind::Advisories;

/// Lockfiles against the RustSec advisory database.
#[derive(Debug, Default, Clone, Copy)]
pub struct AdvisoriesScanner;

impl Scanner for AdvisoriesScanner {
    fn kind(&self) -> ScannerKind {
        KIND
    }

    fn scan(&self, ctx: &ScanContext<'_>) -> ScanOutput {
        let sources = Sources {
            db: resolve_db_path(ctx),
            cargo_home: cargo_home(),
        };
        audit(ctx, &sources)
    }
}

/// Where the scanner reads from outside the repository. [`AdvisoriesScanner`] resolves these
/// from the command line, the config and the environment; tests pass their own.
#[derive(Debug, Clone)]
pub struct Sources {
    /// Advisory database directory.
    pub db: PathBuf,
    /// Cargo home whose registry index cache answers "is it yanked" (`None`: no yanked check).
    pub cargo_home: Option<PathBuf>,
}

/// `$CARGO_HOME`, else `~/.cargo`.
pub fn cargo_home() -> Option<PathBuf> {
    if let Some(h) = std::env::var_os("CARGO_HOME").filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(h));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".cargo"))
}

/// The database cargo-audit users already have: `~/.cargo/advisory-db`.
pub fn default_db_path() -> PathBuf {
    cargo_home()
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("advisory-db")
}

/// `--db` (as given), else `[advisories] db` (relative to the scan root, `~/` expanded), else
/// [`default_db_path`].
pub fn resolve_db_path(ctx: &ScanContext<'_>) -> PathBuf {
    if let Some(p) = &ctx.options.advisories.db {
        return p.clone();
    }
    match ctx.config.advisories.db.as_deref() {
        Some(p) => {
            if let Some(rest) = p.strip_prefix("~/") {
                if let Some(home) = std::env::var_os("HOME") {
                    return PathBuf::from(home).join(rest);
                }
            }
            ctx.root.join(p)
        }
        None => default_db_path(),
    }
}

/// Runs the audit of `ctx.root` with `sources`.
pub fn audit(ctx: &ScanContext<'_>, sources: &Sources) -> ScanOutput {
    let mut out = ScanOutput::default();
    let exclude = match ExcludeSet::new(&ctx.config.exclude) {
        Ok(e) => e,
        Err(e) => {
            out.notifications
                .push(Notification::error(KIND, format!("exclude: {e}")));
            ExcludeSet::none()
        }
    };
    let paths = lockfile::discover(ctx.root, &exclude);
    if paths.is_empty() {
        let msg = format!(
            "no Cargo.lock found under {} (after .gitignore and exclude); run `cargo \
             generate-lockfile` and commit the lockfile so the audit has something to check",
            ctx.root.display()
        );
        out.notifications.push(if ctx.explicit {
            Notification::error(KIND, msg)
        } else {
            Notification::note(KIND, msg)
        });
        return out;
    }
    let parsed: Vec<(PathBuf, Result<lockfile::Parsed, lockfile::LockError>)> = paths
        .par_iter()
        .map(|p| (p.clone(), lockfile::load(ctx.root, p)))
        .collect();
    let mut locks = Vec::new();
    for (p, r) in parsed {
        out.stats.files += 1;
        out.stats.bytes += std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
        let rel = relative(ctx.root, &p);
        match r {
            Ok(l) if l.lockfile.packages.is_empty() => {
                let msg = format!("{rel}: the lockfile has no packages; nothing was audited");
                let n = if ctx.explicit {
                    Notification::error(KIND, msg)
                } else {
                    Notification::note(KIND, msg)
                };
                out.notifications.push(n.at(Location::line(rel, 1)));
            }
            Ok(l) => locks.push(l),
            Err(e) => out.notifications.push(
                Notification::error(
                    KIND,
                    format!(
                        "{rel}{}: {}",
                        e.line.map(|l| format!(":{l}")).unwrap_or_default(),
                        e.message
                    ),
                )
                .at(Location::line(rel, e.line.unwrap_or(1))),
            ),
        }
    }
    if locks.is_empty() {
        return out;
    }
    out.stats.lockfiles = locks.len() as u64;

    // What is in scope: crates.io packages. Everything else gets a note.
    let mut names = BTreeSet::new();
    for l in &locks {
        for (i, p) in l.lockfile.packages.iter().enumerate() {
            match &p.source {
                Some(s) if s.is_default_registry() => {
                    names.insert(p.name.as_str().to_string());
                    out.stats.packages += 1;
                }
                _ if l.is_member(i) => {}
                src => {
                    let what = match src {
                        None => "a path dependency".to_string(),
                        Some(s) if s.is_git() => format!("a git dependency ({})", s.url()),
                        Some(s) => format!("from another registry ({})", s.url()),
                    };
                    out.notifications.push(
                        Notification::note(
                            KIND,
                            format!(
                                "{}: {} {} is {what}; not audited (RustSec covers crates.io)",
                                l.rel, p.name, p.version
                            ),
                        )
                        .at(l.location(p)),
                    );
                }
            }
        }
    }

    let db = match db::Database::load_for(&sources.db, names.iter().map(String::as_str)) {
        Ok(db) => db,
        Err(e) => {
            out.notifications.push(Notification::error(KIND, e.message));
            return out;
        }
    };
    out.stats.advisories = db.len() as u64;
    for p in db.problems() {
        out.notifications.push(Notification::warning(
            KIND,
            format!("{}: advisory skipped: {}", p.path.display(), p.message),
        ));
    }

    let cfg = &ctx.config.advisories;
    let mut rules: BTreeMap<String, RuleMeta> = BTreeMap::new();
    let first_lock = Location::line(locks[0].rel.clone(), 1);
    stale_check(
        &sources.db,
        cfg.max_age_days,
        &first_lock,
        &mut out,
        &mut rules,
    );

    let target = ctx
        .options
        .advisories
        .target
        .as_deref()
        .map(target::Target::from_triple);
    let ignores = Ignores::new(ctx);
    let mut used = vec![false; cfg.ignore.len()];
    for l in &locks {
        for (i, p) in l.lockfile.packages.iter().enumerate() {
            if !p.source.as_ref().is_some_and(|s| s.is_default_registry()) {
                continue;
            }
            for a in db.advisories_for(p.name.as_str()) {
                if a.withdrawn.is_some() || !a.versions.is_vulnerable(&p.version) {
                    continue;
                }
                if let Some(t) = &target {
                    if !t.is_affected(&a.os, &a.arch) {
                        continue;
                    }
                }
                let sev = rules::severity(a, cfg);
                let f = advisory_finding(a, l, i, p, sev);
                let f = match ignores.matching(a) {
                    Some((k, reason)) => {
                        used[k] = true;
                        let mut f = f;
                        f.suppression = Some(Suppression {
                            kind: SuppressionKind::External,
                            justification: reason.to_string(),
                        });
                        f
                    }
                    None => f,
                };
                rules
                    .entry(f.rule_id.clone())
                    .or_insert_with(|| rules::advisory_meta(a, sev));
                out.findings.push(f);
            }
        }
    }
    ignores.report(&used, &mut out, &mut rules);
    yanked_check(sources, &locks, cfg.yanked, &mut out, &mut rules);
    out.rules = rules.into_values().collect();
    out
}

fn advisory_finding(
    a: &advisory::Advisory,
    l: &lockfile::Parsed,
    i: usize,
    p: &cargo_lock::Package,
    sev: Severity,
) -> Finding {
    let version = p.version.to_string();
    let fix = a.versions.fix_for(&p.version);
    let msg = rules::message(a, p.name.as_str(), &version, fix.as_ref());
    let identity = format!("{}@{}", p.name, version);
    let patched: Vec<String> = a.versions.patched().iter().map(|r| r.to_string()).collect();
    Finding::new(
        rules::advisory_rule_id(a),
        sev,
        msg,
        l.location(p),
        &identity,
    )
    .with_property("advisory_id", a.id.clone())
    .with_property("aliases", a.aliases.clone())
    .with_property("package", p.name.to_string())
    .with_property("version", version)
    .with_property("kind", a.kind.as_str().to_string())
    .with_property("title", rules::plain(&a.title))
    .with_property("date", a.date.to_string())
    .with_property("categories", a.categories.clone())
    .with_property(
        "cvss",
        a.cvss_score
            .map(serde_json::Value::from)
            .unwrap_or_default(),
    )
    .with_property(
        "cvss_vector",
        a.cvss_vector
            .clone()
            .map(serde_json::Value::from)
            .unwrap_or_default(),
    )
    .with_property("patched", patched)
    .with_property(
        "fix_version",
        fix.as_ref()
            .map(|f| serde_json::Value::from(f.version.to_string()))
            .unwrap_or_default(),
    )
    .with_property(
        "fix_kind",
        fix.as_ref()
            .map(|f| serde_json::Value::from(f.kind.as_str()))
            .unwrap_or_default(),
    )
    .with_property("dependency_path", l.dependency_path(i))
    .with_property("url", a.help_uri())
    .with_property("lockfile", l.rel.clone())
}

fn stale_check(
    db_root: &Path,
    max_age_days: u32,
    at: &Location,
    out: &mut ScanOutput,
    rules: &mut BTreeMap<String, RuleMeta>,
) {
    let Some((updated, how)) = db::Database::last_updated(db_root) else {
        out.notifications.push(Notification::warning(
            KIND,
            format!(
                "{}: cannot tell how old the advisory database is (no advisory dates, no git \
                 history)",
                db_root.display()
            ),
        ));
        return;
    };
    let today = IsoDate::today();
    let age = (today.0 - updated.0).whole_days();
    if age <= i64::from(max_age_days) {
        return;
    }
    let msg = format!(
        "the advisory database at {} is {age} days old ({how} {updated}; limit {max_age_days}): \
         recent advisories may be missing; run `stagegate db fetch`",
        db_root.display()
    );
    let f = Finding::new(
        rules::STALE_DB,
        Severity::High,
        msg,
        at.clone(),
        "advisory-database",
    )
    .with_property("database", db_root.display().to_string())
    .with_property("last_updated", updated.to_string())
    .with_property("age_days", age)
    .with_property("age_source", how);
    rules
        .entry(rules::STALE_DB.to_string())
        .or_insert_with(|| rules::fixed_meta(rules::STALE_DB, Severity::High));
    out.findings.push(f);
}

fn yanked_check(
    sources: &Sources,
    locks: &[lockfile::Parsed],
    severity: Severity,
    out: &mut ScanOutput,
    rules: &mut BTreeMap<String, RuleMeta>,
) {
    let cache = sources
        .cargo_home
        .as_deref()
        .and_then(yanked::IndexCache::open);
    let Some(cache) = cache else {
        out.notifications.push(Notification::note(
            KIND,
            "yanked versions not checked: no Cargo registry index cache found \
             (~/.cargo/registry/index/*/.cache); run any `cargo` command that resolves \
             dependencies to create it",
        ));
        return;
    };
    let mut unknown = 0usize;
    for l in locks {
        let found: Vec<Finding> = l
            .lockfile
            .packages
            .par_iter()
            .filter(|p| p.source.as_ref().is_some_and(|s| s.is_default_registry()))
            .filter_map(|p| {
                let v = p.version.to_string();
                match cache.status(p.name.as_str(), &v) {
                    yanked::Status::Yanked => Some(Ok(Finding::new(
                        rules::YANKED,
                        severity,
                        format!(
                            "{} {v} was yanked from crates.io; run `cargo update -p {}` to move \
                             to a version that is not yanked",
                            p.name, p.name
                        ),
                        l.location(p),
                        &format!("{}@{v}", p.name),
                    )
                    .with_property("package", p.name.to_string())
                    .with_property("version", v))),
                    yanked::Status::Unknown => Some(Err(())),
                    yanked::Status::Available => None,
                }
            })
            .collect::<Vec<_>>()
            .into_iter()
            .filter_map(|r| r.map_err(|_| unknown += 1).ok())
            .collect();
        if !found.is_empty() {
            rules
                .entry(rules::YANKED.to_string())
                .or_insert_with(|| rules::fixed_meta(rules::YANKED, severity));
        }
        out.findings.extend(found);
    }
    if unknown > 0 {
        out.notifications.push(Notification::note(
            KIND,
            format!(
                "yanked check: {unknown} locked crates.io package versions are not in Cargo's \
                 local index cache and were not checked (`cargo update --dry-run` refreshes it)"
            ),
        ));
    }
}

/// `[advisories] ignore` with where each entry is written in stagegate.toml.
struct Ignores<'a> {
    entries: &'a [cfg::AdvisoryIgnore],
    config_rel: Option<String>,
    config_text: Option<String>,
}

impl<'a> Ignores<'a> {
    fn new(ctx: &'a ScanContext<'_>) -> Self {
        let source = ctx.config.source.as_deref();
        Ignores {
            entries: &ctx.config.advisories.ignore,
            config_rel: source.map(|p| relative(ctx.root, p)),
            config_text: source.and_then(|p| std::fs::read_to_string(p).ok()),
        }
    }

    /// The first unexpired entry naming `a` (by id or alias).
    fn matching(&self, a: &advisory::Advisory) -> Option<(usize, &str)> {
        self.entries.iter().enumerate().find_map(|(k, e)| {
            let expired = e.until.is_some_and(|u| u.has_passed());
            (!expired && a.is_known_as(e.id.trim())).then_some((k, e.reason.as_str()))
        })
    }

    fn location(&self, id: &str) -> Location {
        let path = self
            .config_rel
            .clone()
            .unwrap_or_else(|| crate::config::CONFIG_FILE_NAME.to_string());
        let needle = format!("\"{id}\"");
        let hit = self.config_text.as_deref().and_then(|t| {
            t.lines().enumerate().find_map(|(i, line)| {
                line.find(&needle).map(|c| {
                    let col = line[..c].chars().count() as u32 + 1;
                    (i as u32 + 1, col, col + needle.chars().count() as u32)
                })
            })
        });
        match hit {
            Some((line, s, e)) => Location::span(path, line, s, e),
            None => Location::line(path, 1),
        }
    }

    fn report(&self, used: &[bool], out: &mut ScanOutput, rules: &mut BTreeMap<String, RuleMeta>) {
        for (k, e) in self.entries.iter().enumerate() {
            let loc = self.location(&e.id);
            if let Some(until) = e.until.filter(|u| u.has_passed()) {
                let f = Finding::new(
                    rules::EXPIRED_IGNORE,
                    Severity::High,
                    format!(
                        "the ignore of {} expired on {until} (reason was: {}); fix the advisory \
                         or review the decision and move `until`",
                        e.id, e.reason
                    ),
                    loc,
                    &e.id,
                )
                .with_property("advisory_id", e.id.clone())
                .with_property("until", until.to_string());
                rules
                    .entry(rules::EXPIRED_IGNORE.to_string())
                    .or_insert_with(|| rules::fixed_meta(rules::EXPIRED_IGNORE, Severity::High));
                out.findings.push(f);
            } else if !used.get(k).copied().unwrap_or(false) {
                let f = Finding::new(
                    rules::UNUSED_IGNORE,
                    Severity::Note,
                    format!(
                        "the ignore of {} matched no advisory in any lockfile; delete it",
                        e.id
                    ),
                    loc,
                    &e.id,
                )
                .with_property("advisory_id", e.id.clone());
                rules
                    .entry(rules::UNUSED_IGNORE.to_string())
                    .or_insert_with(|| rules::fixed_meta(rules::UNUSED_IGNORE, Severity::Note));
                out.findings.push(f);
            }
        }
    }
}
