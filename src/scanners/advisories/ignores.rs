//! `[advisories] ignore`: matching by id or alias, expiry, and entries that matched nothing.

use std::collections::BTreeMap;

use super::rules::AdvisoryRule;
use super::{advisory, cfg};
use crate::finding::{Finding, Location, RuleMeta};
use crate::paths::relative;
use crate::scanners::{ScanContext, ScanOutput};

/// `[advisories] ignore` with where each entry is written in stagegate.toml.
pub(super) struct Ignores<'a> {
    entries: &'a [cfg::AdvisoryIgnore],
    config_rel: Option<String>,
    config_text: Option<String>,
}

impl<'a> Ignores<'a> {
    pub(super) fn new(ctx: &'a ScanContext<'_>) -> Self {
        let source = ctx.config.source.as_deref();
        Ignores {
            entries: &ctx.config.advisories.ignore,
            config_rel: source.map(|p| relative(ctx.root, p)),
            config_text: source.and_then(|p| std::fs::read_to_string(p).ok()),
        }
    }

    /// The first unexpired entry naming `a` (by id or alias).
    pub(super) fn matching(&self, a: &advisory::Advisory) -> Option<(usize, &str)> {
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

    pub(super) fn report(
        &self,
        used: &[bool],
        out: &mut ScanOutput,
        rules: &mut BTreeMap<String, RuleMeta>,
    ) {
        for (k, e) in self.entries.iter().enumerate() {
            let loc = self.location(&e.id);
            if let Some(until) = e.until.filter(|u| u.has_passed()) {
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
