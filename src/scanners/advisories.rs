//! Advisories scanner: every `Cargo.lock` of the repository against a RustSec advisory database.
//!
//! Flow: [`lockfile::discover`] the lockfiles (honouring `.gitignore` and `exclude`), parse them
//! (v1–v4) while [`db::Survey`] dates the database (git HEAD date, or one listing of a plain
//! directory), load only the advisories of the crates.io crates they lock (in parallel), and
//! report one finding per (lockfile, package, version, advisory), at the lines of the
//! package's `[[package]]` entry.
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
mod checks;
pub mod db;
pub mod ecosystem;
pub mod fetch;
mod ignores;
mod listing;
pub mod lockfile;
pub mod lockfiles;
pub mod ordering;
pub mod osv;
pub mod rules;
pub mod target;
pub mod versions;
pub mod yanked;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use rayon::prelude::*;

use super::{ScanContext, ScanOutput, Scanner};
use crate::dates::IsoDate;
use crate::finding::{
    Finding, Location, Notification, RuleMeta, ScannerKind, Severity, Suppression, SuppressionKind,
};
use crate::paths::relative;

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
            full_load: false,
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
    /// Parse every advisory instead of only those of the locked crates (same findings; exists
    /// so `benches/advisories.sh` can measure both strategies). Default `false`.
    pub full_load: bool,
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

/// The database a scan uses: see [`db_path`].
pub fn resolve_db_path(ctx: &ScanContext<'_>) -> PathBuf {
    db_path(ctx.root, ctx.config, ctx.options.advisories.db.as_deref())
}

/// `--db` (`cli`, as given), else `[advisories] db` (relative to the scan `root`, `~/`
/// expanded), else [`default_db_path`]. Also where `stagegate db fetch` should write.
pub fn db_path(
    root: &std::path::Path,
    config: &super::ValidConfig,
    cli: Option<&std::path::Path>,
) -> PathBuf {
    if let Some(p) = cli {
        return p.to_path_buf();
    }
    match config.advisories.db.as_deref() {
        Some(p) => {
            if let Some(rest) = p.strip_prefix("~/") {
                if let Some(home) = std::env::var_os("HOME") {
                    return PathBuf::from(home).join(rest);
                }
            }
            root.join(p)
        }
        None => default_db_path(),
    }
}

/// Runs the audit of `ctx.root` with `sources`.
pub fn audit(ctx: &ScanContext<'_>, sources: &Sources) -> ScanOutput {
    let mut out = ScanOutput::default();
    let exclude = &ctx.config.exclude;
    let paths = lockfile::discover(ctx.root, exclude);
    let others = lockfiles::discover(ctx.root, exclude);
    if paths.is_empty() && others.is_empty() {
        let msg = format!(
            "no Cargo.lock found under {} (after .gitignore and exclude), nor any other \
             lockfile (package-lock.json, yarn.lock, pnpm-lock.yaml, poetry.lock, uv.lock, \
             Pipfile.lock, requirements.txt, go.mod, Gemfile.lock, composer.lock, pom.xml); \
             commit the lockfile (`cargo generate-lockfile`, `npm install`…) so the audit has \
             something to check",
            ctx.root.display()
        );
        out.notifications.push(if ctx.explicit {
            Notification::error(KIND, msg)
        } else {
            Notification::note(KIND, msg)
        });
        return out;
    }
    let osv_paths = osv::audit::osv_paths(ctx.root, ctx.config, &ctx.options.advisories.osv_db);
    let ignores = ignores::Ignores::new(ctx);
    let mut used = vec![false; ctx.config.advisories.ignore.len()];
    let mut matched = false;
    // Without a RustSec checkout, configured OSV data (RustSec publishes in OSV form too) can
    // audit Cargo.lock alone.
    let rustsec = !paths.is_empty() && (osv_paths.is_empty() || sources.db.is_dir());
    if !paths.is_empty() && !rustsec {
        out.notifications.push(Notification::note(
            KIND,
            format!(
                "no RustSec database at {}; Cargo.lock is audited with the OSV records only",
                sources.db.display()
            ),
        ));
    }
    if rustsec {
        // Surveying the database (git date, or the listing of every crate directory that
        // dating a plain directory needs) is the slowest step: run it beside lockfile parsing.
        out = std::thread::scope(|s| {
            let survey = s.spawn(|| {
                // On a pool of its own: the scan itself runs on a rayon worker that waits for
                // this thread below; had the survey's parallel listing gone to the global pool,
                // a single worker (RAYON_NUM_THREADS=1, a one-CPU runner) would wait for itself.
                match rayon::ThreadPoolBuilder::new()
                    .num_threads(rayon::current_num_threads())
                    .build()
                {
                    Ok(pool) => pool.install(|| db::Survey::of(&sources.db)),
                    Err(_) => db::Survey::of(&sources.db),
                }
            });
            let rustsec_ignores = RustsecIgnores {
                ignores: &ignores,
                used: &mut used,
                matched: &mut matched,
            };
            audit_lockfiles(ctx, sources, &paths, out, rustsec_ignores, move || {
                survey.join().unwrap_or(db::Survey::Unusable)
            })
        });
    }
    let mut rules: BTreeMap<String, RuleMeta> = BTreeMap::new();
    let run = osv::audit::Run {
        ctx,
        osv: &osv_paths,
        others: &others,
        cargo: &paths,
        rustsec_ran: rustsec,
        ignores: &ignores,
    };
    matched |= osv::audit::run(&run, &mut used, &mut out, &mut rules);
    if matched {
        ignores.report(&used, &mut out, &mut rules);
    }
    let known: BTreeSet<String> = out.rules.iter().map(|r| r.id.clone()).collect();
    out.rules
        .extend(rules.into_values().filter(|r| !known.contains(&r.id)));
    out
}

/// The `[advisories] ignore` state the RustSec half shares with the OSV half, so an entry used
/// by either is not reported unused.
struct RustsecIgnores<'a, 'b> {
    ignores: &'a ignores::Ignores<'b>,
    used: &'a mut Vec<bool>,
    matched: &'a mut bool,
}

type Age = Option<(IsoDate, &'static str)>;

fn audit_lockfiles(
    ctx: &ScanContext<'_>,
    sources: &Sources,
    paths: &[PathBuf],
    mut out: ScanOutput,
    shared: RustsecIgnores<'_, '_>,
    survey: impl FnOnce() -> db::Survey,
) -> ScanOutput {
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
            Err(e) => out.notifications.push(e.notification(rel)),
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
                        Some(s) if s.is_git() => {
                            format!("a git dependency ({})", display_url(s))
                        }
                        Some(s) => format!("from another registry ({})", display_url(s)),
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

    let survey = survey();
    let (loaded, age) = rayon::join(
        || {
            if sources.full_load {
                db::Database::load_all(&sources.db)
            } else {
                survey.load_for(&sources.db, names.iter().map(String::as_str))
            }
        },
        || survey.last_updated(),
    );
    let db = match loaded {
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
    checks::stale_check(
        &sources.db,
        age,
        cfg.max_age_days,
        ctx.today,
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
    let ignores = shared.ignores;
    let used = shared.used;
    *shared.matched = true;
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
    if !ctx.options.advisories.no_yanked {
        checks::yanked_check(sources, &locks, cfg.yanked, &mut out, &mut rules);
    }
    out.rules = rules.into_values().collect();
    out
}

/// `scheme://host/path` of a source URL: never the user, password or query, which can carry
/// a token (`https://oauth2:TOKEN@host/repo`).
fn display_url(source: &cargo_lock::SourceId) -> String {
    let u = source.url();
    format!(
        "{}://{}{}",
        u.scheme(),
        u.host_str().unwrap_or_default(),
        u.path()
    )
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
    let path = l.dependency_path(i);
    let mut msg = rules::message(a, p.name.as_str(), &version, fix.as_ref());
    // The path says why the crate is here, so the reader knows which dependency to move.
    if path.contains('→') {
        msg.push_str(&format!("; via {path}"));
    }
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
    .with_property("dependency_path", path)
    .with_property("url", a.help_uri())
    .with_property("lockfile", l.rel.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanners::ScanOptions;
    use crate::scanners::ValidConfig as Config;
    use std::path::Path;

    fn resolved(config: &Config, options: &ScanOptions) -> PathBuf {
        resolve_db_path(&ScanContext::new(Path::new("/repo"), config, options))
    }

    #[test]
    fn db_path_prefers_cli_then_config_relative_to_root() {
        let cfg = Config::parse(
            "[advisories]\ndb = \"vendor/advisory-db\"\n",
            Path::new("s"),
        )
        .unwrap();
        let mut opts = ScanOptions::default();
        assert_eq!(resolved(&cfg, &opts), Path::new("/repo/vendor/advisory-db"));
        assert!(
            resolved(&Config::default(), &opts).ends_with(".cargo/advisory-db")
                || std::env::var_os("CARGO_HOME").is_some()
        );
        opts.advisories.db = Some(PathBuf::from("cli-db"));
        assert_eq!(resolved(&cfg, &opts), Path::new("cli-db"));
    }
}
