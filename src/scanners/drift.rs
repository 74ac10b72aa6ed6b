//! Drift scanner: does UAT still match production, apart from the declared differences, and is
//! production free of insecure settings?
//!
//! 1. **Pairing** ([`pairs`]): explicit `[[drift.pair]]`s (files or folders, optional `base`),
//!    plus pairs discovered by naming convention (`.env.uat` ↔ `.env.prod`, `values-uat.yaml` ↔
//!    `values-prod.yaml`, `overlays/uat/` ↔ `overlays/prod/`, `application-uat.yml` ↔
//!    `application-prod.yml`, `config/uat/` ↔ `config/prod/`, `*.uat.tfvars` ↔ `*.prod.tfvars`,
//!    `environments/<env>/`). `stagegate drift --list-pairs` prints [`render_pairs`].
//!    Environment names: `uat`, `staging`, `stage`, `stg`, `preprod`, `pre-prod` ↔ `prod`,
//!    `production`, `prd`, `live`; node-config `default.json` and Spring profile documents in
//!    one `application.yml` are found too.
//! 2. **Loading** ([`load`], [`layouts`]): each side is parsed ([`parse`]) into a
//!    [`model::FlatConfig`] and rebuilt into its *effective* configuration, every value located
//!    at the line that sets it: Kustomize overlays rendered (patches, JSON 6902, generators,
//!    `images:`), Helm values with lists replaced, compose `environment:`/`env_file` as keys,
//!    Spring profile documents; other folders merged (Kubernetes objects by identity), the base
//!    overlaid under both.
//! 3. **Comparison** ([`compare`]): keys and values after environment-token normalization
//!    ([`envtok`]); one finding per difference at the production line, UAT line related.
//! 4. **Policies** ([`policy`]): production values against `rules/drift/*.toml`.
//! 5. **Expectations** ([`expect`]): `allow` suppresses (kept in the output as suppressed),
//!    an expired `until` stops suppressing; `require_equal` turns any difference into a finding.
//! 6. **Both sides** ([`combine`]): a drift and a policy finding on one value become one
//!    finding with every reason (`also_rules`); a loopback or test endpoint UAT runs too is low.
//!
//! Values that only *point to* secrets (`secretKeyRef`, `existingSecret`, ExternalSecret and
//! SealedSecret data, SOPS `ENC[…]`, `#{X}#`, `__X__`, `${{ secrets.X }}`) are never credentials;
//! a connection string's `Password=` / `Pwd=` is ([`refs`]).
//!
//! Default severities (rule id → severity):
//!
//! | rule | severity | why |
//! |---|---|---|
//! | `drift/missing-in-prod` | high | production lacks what UAT tested |
//! | `drift/image` | high | release parity: a different build ships |
//! | `drift/resource` | high (medium when only production has the object) | a whole object differs |
//! | `drift/shared-endpoint` | high | UAT reaches production data or credentials |
//! | `drift/security-regression` | high | production weaker than UAT |
//! | `drift/missing-in-uat` | medium | production has something untested |
//! | `drift/value`, `drift/type`, `drift/list-entry` | medium (high under `require_equal`) | behaviour differs |
//! | `drift/sizing-inversion` | medium | production smaller than UAT |
//! | `policy/<id>` | per rule file | see `rules/drift/*.toml` |
//!
//! Quiet defaults: differences in hosts, URLs, credentials and sizes (production bigger) are
//! expected and not reported unless a `require_equal` glob covers the key. Values that look
//! secret are shown as `sha256:…` ([`crate::redact::short_hash`]), never in clear.
//!
//! Problems are notifications, never a silent pass: a missing file of a pair or an unparsable
//! file is an error (exit 2) naming the file (and line:column), and the other pairs are still
//! compared. A broken file of a folder pair is left out on both sides and the rest of the folder
//! is compared; when only UAT is broken, production is still checked against the policies.
//!
//! Throughput (`benches/drift.sh`, 2 shared cores): a pair of 100 000-key configurations
//! compares in ≈ 0.2 s in memory and ≈ 0.6 s end to end (read + parse YAML + compare + policies).

pub mod cfg;
pub mod combine;
pub mod compare;
pub mod envtok;
pub mod expect;
pub mod image;
pub mod keys;
pub mod kinds;
pub mod layouts;
pub mod load;
pub mod mask;
pub mod model;
pub mod pairs;
pub mod parse;
pub mod policy;
pub mod refs;
pub mod security_regression;
pub mod shared_endpoint;
pub mod sizing_inversion;

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::{ScanContext, ScanOutput, ScanStats, Scanner};
use crate::finding::{Finding, Notification, RuleMeta, ScannerKind, Suppression, SuppressionKind};
use crate::paths::ExcludeSet;

use compare::Side;
use expect::{Allowed, Expectations};
use kinds::DriftKind;
use load::Role;
use policy::PolicySet;

pub use pairs::{discover_pairs, render_pairs, PairOrigin, PairPlan};

/// UAT ↔ production parity.
#[derive(Debug, Default, Clone, Copy)]
pub struct DriftScanner;

impl Scanner for DriftScanner {
    fn kind(&self) -> ScannerKind {
        ScannerKind::Drift
    }

    fn scan(&self, ctx: &ScanContext<'_>) -> ScanOutput {
        let mut out = ScanOutput::default();
        let plans = match discover_pairs(ctx) {
            Ok(p) => p,
            Err(e) => {
                out.notifications
                    .push(Notification::error(ScannerKind::Drift, e.to_string()));
                return out;
            }
        };
        if plans.is_empty() {
            let msg = "no UAT/production configuration pair found: add [[drift.pair]] to stagegate.toml \
                       or name files by convention (.env.uat/.env.prod, values-uat.yaml/values-prod.yaml, \
                       overlays/uat/ and overlays/prod/)";
            out.notifications.push(if ctx.explicit {
                Notification::error(ScannerKind::Drift, msg)
            } else {
                Notification::note(ScannerKind::Drift, msg)
            });
            return out;
        }
        let policies = match ctx.config.drift_compiled.policies() {
            Ok(p) => p,
            Err(e) => {
                out.notifications
                    .push(Notification::error(ScannerKind::Drift, e.to_string()));
                return out;
            }
        };
        let exclude = &ctx.config.exclude;
        let results: Vec<ScanOutput> = plans
            .par_iter()
            .map(|plan| run_pair(ctx, plan, policies, exclude))
            .collect();
        let mut rules: BTreeMap<String, RuleMeta> = BTreeMap::new();
        for r in results {
            out.findings.extend(r.findings);
            out.notifications.extend(r.notifications);
            out.stats.add(&r.stats);
        }
        for f in &out.findings {
            // A finding that carries several reasons (`also_rules`) needs each rule's metadata.
            let also = f
                .properties
                .get("also_rules")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str());
            for id in std::iter::once(f.rule_id.as_str()).chain(also) {
                if !rules.contains_key(id) {
                    if let Some(m) = rule_meta(id, policies) {
                        rules.insert(id.to_string(), m);
                    }
                }
            }
        }
        out.rules = rules.into_values().collect();
        out
    }
}

/// Metadata of a drift or policy rule id.
pub fn rule_meta(rule_id: &str, policies: &PolicySet) -> Option<RuleMeta> {
    if let Some(id) = rule_id.strip_prefix("policy/") {
        return policies
            .policies()
            .iter()
            .find(|p| p.spec.id == id)
            .map(|p| p.meta());
    }
    rule_id.parse::<DriftKind>().ok().map(DriftKind::meta)
}

/// Every drift and built-in policy rule (for `stagegate explain` and SARIF rule tables).
pub fn all_rules() -> Vec<RuleMeta> {
    let mut v: Vec<RuleMeta> = DriftKind::ALL.iter().map(|k| k.meta()).collect();
    if let Ok(p) = PolicySet::builtin(&[]) {
        v.extend(p.policies().iter().map(|p| p.meta()));
    }
    v.sort_by(|a, b| a.id.cmp(&b.id));
    v
}

/// Loads, compares and checks one pair. Every problem is a notification of this pair only.
pub fn run_pair(
    ctx: &ScanContext<'_>,
    plan: &PairPlan,
    policies: &PolicySet,
    exclude: &ExcludeSet,
) -> ScanOutput {
    let mut out = ScanOutput::default();
    // Configured pairs were compiled with the configuration; discovered ones have no allowances.
    let compiled = match plan.origin {
        pairs::PairOrigin::Config => ctx.config.drift_compiled.expectations.get(&plan.name),
        _ => None,
    };
    let expect = match compiled
        .cloned()
        .map_or_else(|| Expectations::new(&plan.allow, &plan.require_equal), Ok)
    {
        Ok(e) => e,
        Err(e) => {
            let src = ctx
                .config
                .source
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "stagegate.toml".into());
            out.notifications.push(Notification::error(
                ScannerKind::Drift,
                format!("{src}: [[drift.pair]] `{}`: {e}", plan.name),
            ));
            return out;
        }
    };
    for path in [Some(&plan.uat), Some(&plan.prod), plan.base.as_ref()]
        .into_iter()
        .flatten()
    {
        let p = std::path::Path::new(path);
        if p.is_absolute() || p.components().any(|c| c == std::path::Component::ParentDir) {
            out.notifications.push(Notification::error(
                ScannerKind::Drift,
                format!(
                    "pair `{}`: `{path}` must be a path inside the scanned repository, relative to its root",
                    plan.name
                ),
            ));
            return out;
        }
    }
    let (u_dir, p_dir) = (
        ctx.root.join(&plan.uat).is_dir(),
        ctx.root.join(&plan.prod).is_dir(),
    );
    if u_dir != p_dir && ctx.root.join(&plan.uat).exists() && ctx.root.join(&plan.prod).exists() {
        out.notifications.push(Notification::error(
            ScannerKind::Drift,
            format!(
                "pair `{}`: `{}` is a {} but `{}` is a {}; pair a file with a file or a folder with a folder",
                plan.name,
                plan.uat,
                if u_dir { "folder" } else { "file" },
                plan.prod,
                if p_dir { "folder" } else { "file" },
            ),
        ));
        return out;
    }
    let limits = parse::Limits::default();
    let load = |rel: &str, role| {
        layouts::load_side(
            ctx.root,
            &plan.layout,
            rel,
            role,
            &plan.name,
            exclude,
            &limits,
        )
    };
    let base = plan
        .base
        .as_deref()
        .map(|b| load(b, Role::Base))
        .transpose();
    // The two sides are independent: read and parse them in parallel.
    let (uat, prod) = rayon::join(
        || load(&plan.uat, Role::Uat),
        || load(&plan.prod, Role::Prod),
    );
    let mut stats = ScanStats::default();
    let mut take = |r: Result<load::Loaded, Vec<Notification>>| match r {
        Ok(mut l) => {
            stats.files += l.files;
            stats.bytes += l.bytes;
            out.notifications.append(&mut l.errors);
            Some(l)
        }
        Err(ns) => {
            out.notifications.extend(ns);
            None
        }
    };
    let base = match base {
        Ok(Some(b)) => take(Ok(b)).map(Some),
        Ok(None) => Some(None),
        Err(ns) => take(Err(ns)).map(Some),
    };
    let (uat, prod) = (take(uat), take(prod));
    let (base, mut uat, mut prod) = match (base, uat, prod) {
        (Some(b), Some(u), Some(p)) => (b, u, p),
        (_, _, prod) => {
            // Nothing to compare against, but a production file that parsed is still checked
            // against the policies: one broken file never hides findings in another.
            if let Some(p) = prod.as_ref() {
                out.findings = policies.evaluate(&plan.name, &p.config);
                let mut expired = BTreeMap::new();
                for f in &mut out.findings {
                    apply_expectations(f, &expect, ctx.today, &mut expired);
                }
            }
            out.stats = stats;
            return out;
        }
    };
    // A file broken on one side of a folder pair is left out on both sides.
    let broken: std::collections::BTreeSet<String> =
        uat.broken.union(&prod.broken).cloned().collect();
    load::drop_files(&mut uat, &plan.uat, &broken);
    load::drop_files(&mut prod, &plan.prod, &broken);
    let (uat, prod) = match &base {
        Some(b) => (
            layouts::with_base(&plan.layout, b, uat),
            layouts::with_base(&plan.layout, b, prod),
        ),
        None => (uat, prod),
    };
    stats.pairs = 1;
    stats.keys = (uat.config.entries.len() + prod.config.entries.len()) as u64;
    let uat_side = Side {
        config: &uat.config,
        file: &uat.file,
        root: &plan.uat,
    };
    let prod_side = Side {
        config: &prod.config,
        file: &prod.file,
        root: &plan.prod,
    };
    let (mut findings, policy_findings) = rayon::join(
        || compare::compare(&plan.name, uat_side, prod_side, &expect),
        || policies.evaluate(&plan.name, &prod.config),
    );
    findings.extend(policy_findings.into_iter().filter(|f| {
        f.rule_id != "policy/prod-unresolved-variable"
            || !layouts::substitutes_variables(&plan.layout, &f.location.path)
    }));
    let mut expired = BTreeMap::new();
    for f in &mut findings {
        apply_expectations(f, &expect, ctx.today, &mut expired);
    }
    for (index, (until, n)) in expired {
        out.notifications.push(Notification::warning(
            ScannerKind::Drift,
            format!(
                "pair `{}`: allow #{} expired on {until} and no longer suppresses {n} finding(s); renew it with a new `until` or fix the drift",
                plan.name,
                index + 1
            ),
        ));
    }
    out.findings = combine::combine(findings, &uat.config);
    out.stats = stats;
    out
}

/// Suppresses a finding covered by an allowance in force; counts those only an expired one covers.
fn apply_expectations(
    f: &mut Finding,
    expect: &Expectations,
    today: crate::dates::IsoDate,
    expired: &mut BTreeMap<usize, (crate::dates::IsoDate, usize)>,
) {
    let key = f
        .properties
        .get("key")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    let uat_key = f
        .properties
        .get("uat_key")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let norm = envtok::normalize(&key).into_owned();
    let mut keys = vec![key.as_str(), norm.as_str()];
    if let Some(u) = &uat_key {
        keys.push(u.as_str());
    }
    match expect.allowed(&f.rule_id, &keys, today) {
        Some(Allowed::Yes(reason)) => {
            f.suppression = Some(Suppression {
                kind: SuppressionKind::External,
                justification: reason,
            });
        }
        Some(Allowed::Expired { until, index }) => {
            f.properties
                .insert("allowance_expired".into(), until.to_string().into());
            expired.entry(index).or_insert((until, 0)).1 += 1;
        }
        None => {}
    }
}
