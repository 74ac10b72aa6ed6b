//! Audit-wide checks beside advisory matching: database age and yanked versions.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;

use super::rules::AdvisoryRule;
use super::{lockfile, yanked, Age, Sources, KIND};
use crate::dates::IsoDate;
use crate::finding::{Finding, Location, Notification, RuleMeta, Severity};
use crate::scanners::ScanOutput;

pub(super) fn stale_check(
    db_root: &Path,
    age: Age,
    max_age_days: u32,
    today: IsoDate,
    at: &Location,
    out: &mut ScanOutput,
    rules: &mut BTreeMap<String, RuleMeta>,
) {
    let Some((updated, how)) = age else {
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
    let age = (today.0 - updated.0).whole_days();
    if age <= i64::from(max_age_days) {
        return;
    }
    let msg = format!(
        "the advisory database at {} is {age} days old ({how} {updated}; limit {max_age_days}): \
         recent advisories may be missing; run `stagegate db fetch`",
        db_root.display()
    );
    let rule = AdvisoryRule::StaleDatabase;
    let f = Finding::new(
        rule.id(),
        rule.default_severity(),
        msg,
        at.clone(),
        "advisory-database",
    )
    .with_property("database", db_root.display().to_string())
    .with_property("last_updated", updated.to_string())
    .with_property("age_days", age)
    .with_property("age_source", how);
    rules
        .entry(rule.id().to_string())
        .or_insert_with(|| rule.meta());
    out.findings.push(f);
}

pub(super) fn yanked_check(
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
                        AdvisoryRule::Yanked.id(),
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
                .entry(AdvisoryRule::Yanked.id().to_string())
                .or_insert_with(|| AdvisoryRule::Yanked.meta_at(severity));
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
