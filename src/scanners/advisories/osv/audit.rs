//! The OSV half of the advisories scanner: lockfiles of other ecosystems (and `Cargo.lock`
//! when OSV records for crates.io are loaded) against OSV records, with the finding shape of
//! the RustSec half — `advisory/<ID>` rules, the package's lockfile lines, aliases, CVSS
//! severity, fix advice, `[advisories] ignore` — and de-duplication by id and aliases, so one
//! problem known as `RUSTSEC-…`, `GHSA-…` and `CVE-…` is reported once per locked package.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::load::{OsvDb, Wanted};
use super::matching::{self, Fix};
use super::record::{Affected, Record};
use crate::dates::IsoDate;
use crate::finding::{
    Finding, Location, Notification, Precision, RuleMeta, ScannerKind, Severity, Suppression,
    SuppressionKind,
};
use crate::paths::relative;
use crate::scanners::advisories::advisory::Kind;
use crate::scanners::advisories::cfg::AdvisoriesConfig;
use crate::scanners::advisories::ecosystem::Ecosystem;
use crate::scanners::advisories::ignores::Ignores;
use crate::scanners::advisories::lockfiles::{self, Format};
use crate::scanners::advisories::{checks, lockfile, rules, target};
use crate::scanners::{ScanContext, ScanOutput};

const KIND: ScannerKind = ScannerKind::Advisories;

/// One locked package to check.
struct Target {
    eco: Ecosystem,
    name: String,
    version: String,
    location: Location,
    lockfile: String,
    path: String,
}

/// What the caller hands over.
pub(in crate::scanners::advisories) struct Run<'a> {
    /// The scan.
    pub ctx: &'a ScanContext<'a>,
    /// `--osv-db` / `[advisories] osv` (empty: no OSV data configured).
    pub osv: &'a [PathBuf],
    /// Lockfiles of other ecosystems.
    pub others: &'a [(PathBuf, Format)],
    /// `Cargo.lock` files (matched only when OSV data is configured).
    pub cargo: &'a [PathBuf],
    /// Whether the RustSec half already reported `Cargo.lock` parse errors and notes.
    pub rustsec_ran: bool,
    /// `[advisories] ignore`.
    pub ignores: &'a Ignores<'a>,
}

/// Runs the OSV half into `out`; marks the ignores it used. Returns whether any matching ran
/// (so unused ignores can be reported).
pub(in crate::scanners::advisories) fn run(
    r: &Run<'_>,
    used: &mut [bool],
    out: &mut ScanOutput,
    rules_out: &mut BTreeMap<String, RuleMeta>,
) -> bool {
    let ctx = r.ctx;
    let mut targets = Vec::new();
    let parsed: Vec<_> = r
        .others
        .par_iter()
        .map(|(p, f)| (p, *f, lockfiles::load(ctx.root, p, *f)))
        .collect();
    for (p, format, res) in parsed {
        out.stats.files += 1;
        out.stats.bytes += std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let rel = relative(ctx.root, p);
        match res {
            Err(e) => out.notifications.push(e.notification(rel)),
            Ok(l) => {
                for n in &l.parsed.notes {
                    out.notifications.push(
                        Notification::note(KIND, format!("{}:{}: {}", l.rel, n.line, n.message))
                            .at(Location::line(l.rel.clone(), n.line)),
                    );
                }
                out.stats.lockfiles += 1;
                for p in &l.parsed.packages {
                    targets.push(Target {
                        eco: format.ecosystem(),
                        name: p.name.clone(),
                        version: p.version.clone(),
                        location: l.location(p),
                        lockfile: l.rel.clone(),
                        path: format!("{} {}", p.name, p.version),
                    });
                }
            }
        }
    }
    if r.osv.is_empty() {
        if !targets.is_empty() || !r.others.is_empty() {
            let files: Vec<String> = r
                .others
                .iter()
                .map(|(p, _)| relative(ctx.root, p))
                .collect();
            let msg = format!(
                "{} not audited: no OSV database is configured; set `[advisories] osv = \
                 [\"DIR\"]` or pass `--osv-db DIR` (`stagegate db fetch --osv npm,PyPI,… \
                 --osv-db DIR` downloads one)",
                files.join(", ")
            );
            out.notifications
                .push(if ctx.explicit && r.cargo.is_empty() {
                    Notification::error(KIND, msg)
                } else {
                    Notification::warning(KIND, msg)
                });
        }
        return false;
    }
    cargo_targets(r, &mut targets, out);
    out.stats.packages += targets
        .iter()
        .filter(|t| t.eco != Ecosystem::CratesIo)
        .count() as u64;

    let wanted: Wanted = targets
        .iter()
        .map(|t| (t.eco, t.eco.normalize_name(&t.name)))
        .collect();
    let db = match OsvDb::load(r.osv, Some(&wanted)) {
        Ok(db) => db,
        Err(e) => {
            out.notifications.push(Notification::error(KIND, e.message));
            return false;
        }
    };
    out.stats.advisories += db.len() as u64;
    for p in db.problems() {
        out.notifications.push(Notification::warning(
            KIND,
            format!("{}: OSV record skipped: {}", p.path.display(), p.message),
        ));
    }
    let cfg = &ctx.config.advisories;
    if let (Some(first), Some(t)) = (r.osv.first(), targets.first()) {
        let age = db
            .newest()
            .and_then(|d| d.parse::<IsoDate>().ok())
            .map(|d| (d, "newest OSV record modified"));
        let at = Location::line(t.lockfile.clone(), 1);
        checks::stale_check(first, age, cfg.max_age_days, ctx.today, &at, out, rules_out);
    }

    let tgt = ctx
        .options
        .advisories
        .target
        .as_deref()
        .map(target::Target::from_triple);
    let mut seen = Seen::from_findings(&out.findings);
    for t in &targets {
        let norm = t.eco.normalize_name(&t.name);
        let mut recs: Vec<&Record> = db.records_for(t.eco, &norm).collect();
        recs.sort_by(|a, b| a.id.cmp(&b.id));
        for rec in recs {
            if rec.withdrawn {
                continue;
            }
            let hit = rec.affected.iter().find(|a| {
                a.ecosystem == t.eco
                    && a.name == norm
                    && matching::is_affected(a, &t.version)
                    && tgt.as_ref().is_none_or(|g| g.is_affected(&a.os, &a.arch))
            });
            let Some(a) = hit else { continue };
            if !seen.insert(t, rec) {
                continue;
            }
            let sev = severity(rec, cfg);
            let mut f = finding(rec, a, t, sev);
            if let Some((k, reason)) = r.ignores.matching_ids(|id| rec.is_known_as(id)) {
                if let Some(u) = used.get_mut(k) {
                    *u = true;
                }
                f.suppression = Some(Suppression {
                    kind: SuppressionKind::External,
                    justification: reason.to_string(),
                });
            }
            rules_out
                .entry(f.rule_id.clone())
                .or_insert_with(|| meta(rec, a, sev));
            out.findings.push(f);
        }
    }
    true
}

/// Crates.io packages of every `Cargo.lock`, when OSV data is configured.
fn cargo_targets(r: &Run<'_>, targets: &mut Vec<Target>, out: &mut ScanOutput) {
    for p in r.cargo {
        let l = match lockfile::load(r.ctx.root, p) {
            Ok(l) => l,
            Err(e) => {
                if !r.rustsec_ran {
                    let rel = relative(r.ctx.root, p);
                    out.notifications.push(e.notification(rel));
                }
                continue;
            }
        };
        if !r.rustsec_ran {
            out.stats.files += 1;
            out.stats.lockfiles += 1;
        }
        for (i, pkg) in l.lockfile.packages.iter().enumerate() {
            if !pkg.source.as_ref().is_some_and(|s| s.is_default_registry()) {
                continue;
            }
            if !r.rustsec_ran {
                out.stats.packages += 1;
            }
            targets.push(Target {
                eco: Ecosystem::CratesIo,
                name: pkg.name.to_string(),
                version: pkg.version.to_string(),
                location: l.location(pkg),
                lockfile: l.rel.clone(),
                path: l.dependency_path(i),
            });
        }
    }
}

/// Ids (and aliases) already reported per (lockfile, package, version).
struct Seen(HashMap<(String, String, String), Vec<HashSet<String>>>);

impl Seen {
    fn from_findings(findings: &[Finding]) -> Seen {
        let mut m: HashMap<_, Vec<HashSet<String>>> = HashMap::new();
        for f in findings {
            let p = |k: &str| {
                f.properties
                    .get(k)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let (Some(id), Some(l), Some(n), Some(v)) =
                (p("advisory_id"), p("lockfile"), p("package"), p("version"))
            else {
                continue;
            };
            let mut ids: HashSet<String> = HashSet::from([id.to_ascii_uppercase()]);
            if let Some(a) = f.properties.get("aliases").and_then(|a| a.as_array()) {
                ids.extend(
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .map(str::to_ascii_uppercase),
                );
            }
            m.entry((l, n, v)).or_default().push(ids);
        }
        Seen(m)
    }

    /// Records `rec` for `t`; `false` when one of its ids was already reported there.
    fn insert(&mut self, t: &Target, rec: &Record) -> bool {
        let ids: HashSet<String> = std::iter::once(&rec.id)
            .chain(&rec.aliases)
            .map(|s| s.to_ascii_uppercase())
            .collect();
        let key = (t.lockfile.clone(), t.name.clone(), t.version.clone());
        let known = self.0.entry(key).or_default();
        if known.iter().any(|k| !k.is_disjoint(&ids)) {
            return false;
        }
        known.push(ids);
        true
    }
}

/// Malicious → critical; a vulnerability from its CVSS base score, else GitHub's severity
/// word, else high; RustSec's informational kinds take their configured severity.
fn severity(rec: &Record, cfg: &AdvisoriesConfig) -> Severity {
    if rec.categories.iter().any(|c| c == "malicious") {
        return Severity::Critical;
    }
    match &rec.kind {
        Kind::Vulnerability => match (rec.cvss_score, rec.severity_word.as_deref()) {
            (Some(s), _) => Severity::from_cvss(s),
            (None, Some(w)) => match w.to_ascii_uppercase().as_str() {
                "CRITICAL" => Severity::Critical,
                "MODERATE" | "MEDIUM" => Severity::Medium,
                "LOW" => Severity::Low,
                _ => Severity::High,
            },
            (None, None) => Severity::High,
        },
        Kind::Unmaintained => cfg.unmaintained,
        Kind::Unsound => cfg.unsound,
        Kind::Notice(_) => cfg.notice,
    }
}

fn ids_for_message(rec: &Record) -> String {
    let mut ids = vec![rec.id.clone()];
    let cves: Vec<&String> = rec
        .aliases
        .iter()
        .filter(|x| x.starts_with("CVE-"))
        .collect();
    if cves.is_empty() {
        ids.extend(rec.aliases.first().cloned());
    } else {
        ids.extend(cves.into_iter().cloned());
    }
    ids.join(", ")
}

fn advice(fix: Option<&Fix>, kind: &Kind) -> String {
    match (fix, kind) {
        (Some(f), _) => format!(
            "upgrade to {}{}",
            f.version,
            match f.compatible {
                Some(true) => " (semver-compatible)",
                Some(false) => " (breaking upgrade)",
                None => "",
            }
        ),
        (None, Kind::Vulnerability) => {
            "no fixed version is available; remove the dependency or replace it".to_string()
        }
        (None, _) => "no fixed version; consider an alternative package".to_string(),
    }
}

fn help_uri(rec: &Record) -> String {
    rec.url
        .clone()
        .unwrap_or_else(|| format!("https://osv.dev/vulnerability/{}", rec.id))
}

fn finding(rec: &Record, a: &Affected, t: &Target, sev: Severity) -> Finding {
    let fix = matching::fix_for(a, &t.version);
    let kind_tag = match &rec.kind {
        Kind::Vulnerability => String::new(),
        k => format!(" [{}]", k.as_str()),
    };
    let mut msg = format!(
        "{} {}: {}{kind_tag} ({}); {}",
        t.name,
        t.version,
        rules::plain(&rec.title()),
        ids_for_message(rec),
        advice(fix.as_ref(), &rec.kind)
    );
    if t.path.contains('→') {
        msg.push_str(&format!("; via {}", t.path));
    }
    let identity = format!("{}:{}@{}", t.eco, t.name, t.version);
    let fix_kind = fix
        .as_ref()
        .and_then(|f| f.compatible)
        .map(|c| serde_json::Value::from(if c { "compatible" } else { "breaking" }));
    Finding::new(
        format!("advisory/{}", rec.id),
        sev,
        msg,
        t.location.clone(),
        &identity,
    )
    .with_property("advisory_id", rec.id.clone())
    .with_property("aliases", rec.aliases.clone())
    .with_property("package", t.name.clone())
    .with_property("version", t.version.clone())
    .with_property("ecosystem", t.eco.as_str())
    .with_property("kind", rec.kind.as_str().to_string())
    .with_property("title", rules::plain(&rec.title()))
    .with_property("date", rec.date.clone())
    .with_property("categories", rec.categories.clone())
    .with_property(
        "cvss",
        rec.cvss_score
            .map(serde_json::Value::from)
            .unwrap_or_default(),
    )
    .with_property(
        "cvss_vector",
        rec.cvss_vector
            .clone()
            .map(serde_json::Value::from)
            .unwrap_or_default(),
    )
    .with_property("patched", matching::fixed_versions(a))
    .with_property(
        "fix_version",
        fix.as_ref()
            .map(|f| serde_json::Value::from(f.version.clone()))
            .unwrap_or_default(),
    )
    .with_property("fix_kind", fix_kind.unwrap_or_default())
    .with_property("dependency_path", t.path.clone())
    .with_property("url", help_uri(rec))
    .with_property("lockfile", t.lockfile.clone())
    .with_property("source", "osv")
}

fn meta(rec: &Record, a: &Affected, sev: Severity) -> RuleMeta {
    let title = rules::plain(&rec.title());
    let mut m = RuleMeta::new(
        format!("advisory/{}", rec.id),
        rec.id.clone(),
        title.clone(),
        sev,
    );
    let first_para = rec
        .details
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty())
        .map(|p| rules::plain(p).replace('\n', " "))
        .unwrap_or_default();
    m.full_description = if first_para.is_empty() {
        title.clone()
    } else {
        first_para
    };
    let fixed: Vec<String> = matching::fixed_versions(a)
        .iter()
        .map(|v| format!("`{v}`"))
        .collect();
    let mut help = format!("**{}**\n\n", rec.title());
    if !rec.details.trim().is_empty() {
        help.push_str(rec.details.trim());
        help.push_str("\n\n");
    }
    help.push_str(&format!(
        "- Package: `{}` ({})\n- Kind: {}\n",
        a.display_name,
        a.ecosystem,
        rec.kind.as_str()
    ));
    if !rec.aliases.is_empty() {
        help.push_str(&format!("- Aliases: {}\n", rec.aliases.join(", ")));
    }
    if let (Some(v), Some(s)) = (&rec.cvss_vector, rec.cvss_score) {
        help.push_str(&format!("- CVSS: {s:.1} (`{v}`)\n"));
    }
    help.push_str(&format!(
        "- Fixed versions: {}\n- Advisory: <{}>\n\n",
        if fixed.is_empty() {
            "none".to_string()
        } else {
            fixed.join(", ")
        },
        help_uri(rec)
    ));
    help.push_str(
        "**How to fix**: upgrade the package to a fixed version in its manifest and \
         regenerate the lockfile, or remove it. If the affected code is not reachable, accept \
         the advisory in `stagegate.toml` with `[advisories] ignore = [{ id = \"ID\", reason = \
         \"…\", until = \"YYYY-MM-DD\" }]`.",
    );
    m.help_markdown = help;
    m.help_uri = Some(help_uri(rec));
    let mut tags = vec![
        "security".to_string(),
        "dependency".to_string(),
        "osv".to_string(),
        a.ecosystem.as_str().to_ascii_lowercase(),
        rec.kind.as_str().to_string(),
    ];
    tags.extend(rec.categories.iter().cloned());
    tags.truncate(20);
    m.tags = tags;
    m.precision = Precision::VeryHigh;
    m
}

/// `--osv-db` (as given), else `[advisories] osv` (relative to the scan root, `~/` expanded).
pub fn osv_paths(
    root: &Path,
    config: &crate::scanners::ValidConfig,
    cli: &[PathBuf],
) -> Vec<PathBuf> {
    if !cli.is_empty() {
        return cli.to_vec();
    }
    config
        .advisories
        .osv
        .iter()
        .map(|p| match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
            (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
            _ => root.join(p),
        })
        .collect()
}
