//! `[advisories] ignore`: matching by id or alias, expiry, and entries that matched nothing.

use std::collections::BTreeMap;

use super::rules::AdvisoryRule;
use super::{advisory, cfg};
use crate::dates::IsoDate;
use crate::finding::{Finding, Location, RuleMeta};
use crate::paths::relative;
use crate::scanners::{ScanContext, ScanOutput};

/// `[advisories] ignore` with where each entry is written in stagegate.toml (recorded when
/// the configuration was compiled) and the scan's "today".
pub(super) struct Ignores<'a> {
    entries: &'a [cfg::AdvisoryIgnore],
    at: &'a [Option<(u32, u32, u32)>],
    config_rel: Option<String>,
    today: IsoDate,
}

impl<'a> Ignores<'a> {
    pub(super) fn new(ctx: &'a ScanContext<'_>) -> Self {
        Ignores {
            entries: &ctx.config.advisories.ignore,
            at: &ctx.config.advisories_compiled.ignore_at,
            config_rel: ctx.config.source.as_deref().map(|p| relative(ctx.root, p)),
            today: ctx.today,
        }
    }

    /// The first unexpired entry naming `a` (by id or alias).
    pub(super) fn matching(&self, a: &advisory::Advisory) -> Option<(usize, &str)> {
        self.matching_ids(|id| a.is_known_as(id))
    }

    /// The first unexpired entry whose id `known_as` accepts (an OSV record's id or alias).
    pub(super) fn matching_ids(&self, known_as: impl Fn(&str) -> bool) -> Option<(usize, &str)> {
        self.entries.iter().enumerate().find_map(|(k, e)| {
            let expired = e.until.is_some_and(|u| u.has_passed(self.today));
            (!expired && known_as(e.id.trim())).then_some((k, e.reason.as_str()))
        })
    }

    fn location(&self, k: usize) -> Location {
        let path = self
            .config_rel
            .clone()
            .unwrap_or_else(|| crate::config::CONFIG_FILE_NAME.to_string());
        match self.at.get(k).copied().flatten() {
            Some((line, start, end)) => Location::span(path, line, start, end),
            None => Location::line(path, 1),
        }
    }

    pub(super) fn report(
        &self,
        used: &[bool],
        out: &mut ScanOutput,
        rules: &mut BTreeMap<String, RuleMeta>,
    ) {
        for (k, e) in self.entries.iter().enumerate() {
            let loc = self.location(k);
            if let Some(until) = e.until.filter(|u| u.has_passed(self.today)) {
                let rule = AdvisoryRule::ExpiredIgnore;
                let f = Finding::new(
                    rule.id(),
                    rule.default_severity(),
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
                    .entry(rule.id().to_string())
                    .or_insert_with(|| rule.meta());
                out.findings.push(f);
            } else if !used.get(k).copied().unwrap_or(false) {
                let rule = AdvisoryRule::UnusedIgnore;
                let f = Finding::new(
                    rule.id(),
                    rule.default_severity(),
                    format!(
                        "the ignore of {} matched no advisory in any lockfile; delete it",
                        e.id
                    ),
                    loc,
                    &e.id,
                )
                .with_property("advisory_id", e.id.clone());
                rules
                    .entry(rule.id().to_string())
                    .or_insert_with(|| rule.meta());
                out.findings.push(f);
            }
        }
    }
}
