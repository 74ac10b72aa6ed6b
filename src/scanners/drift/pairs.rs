//! Which files are compared: explicit `[[drift.pair]]`s plus pairs discovered by naming
//! convention, each with the base file that applies under both environments.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use crate::error::Error;
use crate::paths::{relative, ExcludeSet};
use crate::scanners::ScanContext;

use super::cfg::{DriftAllow, DriftPair};
use super::envtok::{env_runs, DISCOVER_PROD, DISCOVER_UAT};
use super::layouts::{nodeconfig, spring, Layout};

/// Folders discovery never looks into: CI pipelines (`deploy-uat.yml` / `deploy-prod.yml`
/// workflows are not application configuration), VCS data, dependencies and build output.
pub const SKIP_DIRS: &[&str] = &[
    ".git",
    ".github",
    ".gitlab",
    ".circleci",
    ".terraform",
    "node_modules",
    "vendor",
    "target",
];

/// Deepest folder level looked at during discovery.
pub const MAX_DEPTH: usize = 16;

/// Where a pair came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PairOrigin {
    /// A `[[drift.pair]]` of `stagegate.toml`.
    Config,
    /// Discovered by a naming convention (its name).
    Convention(&'static str),
}

/// One UAT ↔ production comparison to run.
#[derive(Debug, Clone, PartialEq)]
pub struct PairPlan {
    /// Shown in findings (`[pair api]`) and `--list-pairs`.
    pub name: String,
    /// UAT file or folder, relative to the scan root, `/`-separated.
    pub uat: String,
    /// Production file or folder.
    pub prod: String,
    /// Base under both (Helm `values.yaml`, Spring `application.yml`, `.env`).
    pub base: Option<String>,
    /// Whether `uat`/`prod` are folders.
    pub folder: bool,
    /// Config or convention.
    pub origin: PairOrigin,
    /// Declared expected differences.
    pub allow: Vec<DriftAllow>,
    /// Release-parity key globs.
    pub require_equal: Vec<String>,
    /// How the files combine into each environment's configuration.
    pub layout: Layout,
}

impl PairPlan {
    /// A plan from an explicit `[[drift.pair]]`.
    pub fn from_config(root: &Path, p: &DriftPair) -> PairPlan {
        let clean = |s: &str| s.trim_start_matches("./").trim_end_matches('/').to_string();
        let uat = clean(&p.uat);
        let base = p.base.as_deref().map(clean);
        PairPlan {
            layout: Layout::detect(&uat, base.as_deref()),
            name: p.name.clone(),
            folder: root.join(&uat).is_dir(),
            uat,
            prod: clean(&p.prod),
            base,
            origin: PairOrigin::Config,
            allow: p.allow.clone(),
            require_equal: p.require_equal.clone(),
        }
    }
}

/// Whether a file name is a configuration file discovery considers.
fn is_config_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    if l == ".env" || l.starts_with(".env.") || l.ends_with(".env") {
        return true;
    }
    let ext = l.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    matches!(
        ext,
        "yaml" | "yml" | "json" | "toml" | "properties" | "ini" | "cfg" | "conf" | "tfvars"
    )
}

/// Every file and folder under `root` that is not excluded or git-ignored.
fn walk(root: &Path, exclude: &ExcludeSet) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut files = BTreeSet::new();
    let mut dirs = BTreeSet::new();
    let ex = exclude.clone();
    let root_owned = root.to_path_buf();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .max_depth(Some(MAX_DEPTH))
        .filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if is_dir && SKIP_DIRS.iter().any(|d| e.file_name() == *d) {
                return false;
            }
            !ex.is_excluded(&relative(&root_owned, e.path()))
        })
        .build();
    for entry in walker.flatten() {
        if entry.depth() == 0 {
            continue;
        }
        let rel = relative(root, entry.path());
        match entry.file_type() {
            Some(t) if t.is_dir() => {
                dirs.insert(rel);
            }
            Some(t) if t.is_file() => {
                files.insert(rel);
            }
            _ => {}
        }
    }
    (files, dirs)
}

fn split_dir(rel: &str) -> (&str, &str) {
    match rel.rfind('/') {
        Some(i) => (&rel[..i], &rel[i + 1..]),
        None => ("", rel),
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// The convention a file-name shape follows.
fn file_convention(shape: &str) -> &'static str {
    let l = shape.to_ascii_lowercase();
    if l.starts_with(".env") {
        "dotenv per environment"
    } else if l.starts_with("values-") {
        "Helm values per environment"
    } else if l.starts_with("application-") {
        "Spring profile per environment"
    } else if l.ends_with(".tfvars") {
        "Terraform tfvars per environment"
    } else {
        "environment in file name"
    }
}

/// The convention a folder pair follows, from the parent folder's name.
fn folder_convention(parent: &str) -> &'static str {
    match split_dir(parent).1 {
        "overlays" => "Kustomize overlays",
        "config" => "config folder per environment",
        "environments" | "envs" | "env" => "environments folder",
        _ => "folder per environment",
    }
}

/// `name` without the env token at `a..b` and one adjacent delimiter: `values-uat.yaml` →
/// `values.yaml`, `.env.uat` → `.env`.
fn base_name(name: &str, a: usize, b: usize) -> Option<String> {
    let before = name[..a].chars().next_back();
    let after = name[b..].chars().next();
    let out = match (before, after) {
        (Some(c), _) if !c.is_alphanumeric() => {
            format!("{}{}", &name[..a - c.len_utf8()], &name[b..])
        }
        (_, Some(c)) if !c.is_alphanumeric() => {
            format!("{}{}", &name[..a], &name[b + c.len_utf8()..])
        }
        _ => return None,
    };
    (!out.is_empty()).then_some(out)
}

/// Env token (lowercase) and its byte range, if `name` has exactly one discoverable token.
fn env_token(name: &str) -> Option<(String, usize, usize)> {
    let mut found = None;
    for (a, b) in env_runs(name) {
        let t = name[a..b].to_ascii_lowercase().replace('_', "-");
        if DISCOVER_UAT.contains(&t.as_str()) || DISCOVER_PROD.contains(&t.as_str()) {
            if found.is_some() {
                return None;
            }
            found = Some((t, a, b));
        }
    }
    found
}

/// Picks the first present candidate in preference order.
fn pick<'a>(group: &'a BTreeMap<String, String>, order: &[&str]) -> Option<&'a String> {
    order.iter().find_map(|t| group.get(*t))
}

/// Pairs found by naming convention among `files` and `dirs`.
pub fn discover_in(files: &BTreeSet<String>, dirs: &BTreeSet<String>) -> Vec<PairPlan> {
    let mut out = Vec::new();
    // Files: group by (folder, name shape with the token replaced).
    let mut groups: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
    let mut bases: BTreeMap<(String, String), String> = BTreeMap::new();
    for f in files {
        let (dir, name) = split_dir(f);
        if !is_config_name(name) {
            continue;
        }
        let Some((tok, a, b)) = env_token(name) else {
            continue;
        };
        let shape = format!("{}{{env}}{}", &name[..a], &name[b..]);
        let key = (dir.to_string(), shape);
        if let Some(base) = base_name(name, a, b) {
            bases.entry(key.clone()).or_insert(base);
        }
        groups.entry(key).or_default().insert(tok, f.clone());
    }
    for ((dir, shape), group) in &groups {
        let (Some(uat), Some(prod)) = (pick(group, DISCOVER_UAT), pick(group, DISCOVER_PROD))
        else {
            continue;
        };
        let base = bases
            .get(&(dir.clone(), shape.clone()))
            .map(|b| join(dir, b))
            .filter(|b| files.contains(b))
            .or_else(|| nodeconfig::base_for(dir, shape, files));
        out.push(PairPlan {
            layout: Layout::detect(uat, base.as_deref()),
            name: join(dir, shape),
            uat: uat.clone(),
            prod: prod.clone(),
            base,
            folder: false,
            origin: PairOrigin::Convention(file_convention(shape)),
            allow: Vec::new(),
            require_equal: Vec::new(),
        });
    }
    // Folders: siblings named after the environments.
    let mut by_parent: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
    for d in dirs {
        let (parent, name) = split_dir(d);
        let t = name.to_ascii_lowercase().replace('_', "-");
        if DISCOVER_UAT.contains(&t.as_str()) || DISCOVER_PROD.contains(&t.as_str()) {
            by_parent.entry(parent).or_default().insert(t, d.clone());
        }
    }
    for (parent, group) in &by_parent {
        let (Some(uat), Some(prod)) = (pick(group, DISCOVER_UAT), pick(group, DISCOVER_PROD))
        else {
            continue;
        };
        out.push(PairPlan {
            name: join(parent, "{env}/"),
            uat: uat.clone(),
            prod: prod.clone(),
            base: None,
            layout: Layout::Plain,
            folder: true,
            origin: PairOrigin::Convention(folder_convention(parent)),
            allow: Vec::new(),
            require_equal: Vec::new(),
        });
    }
    out
}

fn covers(outer: &str, inner: &str) -> bool {
    inner == outer || inner.starts_with(&format!("{outer}/"))
}

/// Explicit pairs of `stagegate.toml`, then (unless `[drift] discover = false`) pairs found by
/// naming convention that do not overlap an explicit one. Respects `exclude` and `.gitignore`.
pub fn discover_pairs(ctx: &ScanContext<'_>) -> Result<Vec<PairPlan>, Error> {
    let cfg = &ctx.config.drift;
    let mut plans: Vec<PairPlan> = cfg
        .pair
        .iter()
        .map(|p| PairPlan::from_config(ctx.root, p))
        .collect();
    let mut seen = BTreeSet::new();
    for p in &plans {
        if !seen.insert(p.name.clone()) {
            return Err(Error::input(
                config_path(ctx),
                None,
                format!(
                    "[[drift.pair]]: two pairs are named `{}`; names must be unique",
                    p.name
                ),
            ));
        }
    }
    if cfg.discover {
        let (files, dirs) = walk(ctx.root, &ctx.config.exclude);
        let explicit: Vec<(String, String)> = plans
            .iter()
            .map(|p| (p.uat.clone(), p.prod.clone()))
            .collect();
        for d in discover_in(&files, &dirs) {
            let overlaps = explicit.iter().any(|(u, p)| {
                covers(u, &d.uat) || covers(p, &d.prod) || covers(&d.uat, u) || covers(&d.prod, p)
            });
            if !overlaps {
                plans.push(d);
            }
        }
        // Env files a compose pair reads through `env_file` are compared there, as the
        // service's environment: a second pair of the same files would repeat each finding.
        let consumed: BTreeSet<String> = plans
            .iter()
            .filter(|p| p.layout == Layout::Compose)
            .flat_map(|p| [Some(&p.uat), Some(&p.prod), p.base.as_ref()])
            .flatten()
            .flat_map(|f| super::layouts::compose::env_files(ctx.root, f))
            .collect();
        plans.retain(|p| {
            p.origin == PairOrigin::Config
                || !(consumed.contains(&p.uat) && consumed.contains(&p.prod))
        });
        for d in spring_profile_pairs(ctx.root, &files) {
            if !explicit.iter().any(|(u, _)| u == &d.uat) {
                plans.push(d);
            }
        }
    }
    Ok(plans)
}

/// Spring `application.yml` / `application.yaml` files holding both a UAT and a production
/// profile document: each is a pair of its own (the profiles are read from the file).
fn spring_profile_pairs(root: &Path, files: &BTreeSet<String>) -> Vec<PairPlan> {
    let limits = super::parse::Limits::default();
    let mut out = Vec::new();
    for f in files {
        let name = split_dir(f).1;
        if name != "application.yml" && name != "application.yaml" {
            continue;
        }
        let Ok(bytes) = std::fs::read(root.join(f)) else {
            continue;
        };
        // Cheap check before parsing: only multi-document files with profile activations.
        let text = String::from_utf8_lossy(&bytes);
        if !text.contains("---") || !(text.contains("on-profile") || text.contains("profiles")) {
            continue;
        }
        let Ok(c) = super::parse::parse_bytes(f, &bytes, super::parse::Format::Yaml, &limits)
        else {
            continue;
        };
        let Some((uat, prod)) = spring::env_profiles(&c) else {
            continue;
        };
        out.push(PairPlan {
            name: format!("{f}#{{env}}"),
            uat: f.clone(),
            prod: f.clone(),
            base: None,
            folder: false,
            origin: PairOrigin::Convention("Spring profile documents"),
            allow: Vec::new(),
            require_equal: Vec::new(),
            layout: Layout::SpringProfiles { uat, prod },
        });
    }
    out
}

fn config_path(ctx: &ScanContext<'_>) -> std::path::PathBuf {
    ctx.config
        .source
        .clone()
        .unwrap_or_else(|| ctx.root.join(crate::config::CONFIG_FILE_NAME))
}

/// Human listing for `stagegate drift --list-pairs`: one block per pair with its base and origin.
pub fn render_pairs(plans: &[PairPlan]) -> String {
    if plans.is_empty() {
        return "no UAT/production pair found: add [[drift.pair]] to stagegate.toml or name files \
                by convention (.env.uat/.env.prod, values-uat.yaml/values-prod.yaml, overlays/uat/ \
                and overlays/prod/, …)\n"
            .to_string();
    }
    let mut s = String::new();
    for p in plans {
        let origin = match &p.origin {
            PairOrigin::Config => "stagegate.toml".to_string(),
            PairOrigin::Convention(c) => format!("discovered: {c}"),
        };
        let slash = if p.folder { "/" } else { "" };
        let _ = writeln!(s, "{} ({origin})", p.name);
        let _ = writeln!(s, "  uat:  {}{slash}", p.uat);
        let _ = writeln!(s, "  prod: {}{slash}", p.prod);
        if let Some(b) = &p.base {
            let _ = writeln!(s, "  base: {b}");
        }
        match &p.layout {
            Layout::Plain => {}
            Layout::SpringProfiles { uat, prod } => {
                let _ = writeln!(s, "  profiles: {uat} (UAT), {prod} (production)");
            }
            l => {
                let _ = writeln!(s, "  layout: {}", l.as_str());
            }
        }
        if !p.allow.is_empty() || !p.require_equal.is_empty() {
            let _ = writeln!(
                s,
                "  {} allowance(s), {} require_equal pattern(s)",
                p.allow.len(),
                p.require_equal.len()
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_tokens_are_whole_words() {
        assert_eq!(env_token(".env.uat"), Some(("uat".into(), 5, 8)));
        assert_eq!(env_token("values-PROD.yaml"), Some(("prod".into(), 7, 11)));
        assert_eq!(env_token("products.yaml"), None);
        assert_eq!(env_token("uat-to-prod.yaml"), None, "two tokens: ambiguous");
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn find<'a>(plans: &'a [PairPlan], uat: &str) -> &'a PairPlan {
        plans
            .iter()
            .find(|p| p.uat == uat)
            .unwrap_or_else(|| panic!("no pair for {uat}: {plans:#?}"))
    }

    #[test]
    fn file_conventions_with_bases() {
        let files = set(&[
            ".env",
            ".env.uat",
            ".env.production",
            "chart/values.yaml",
            "chart/values-staging.yaml",
            "chart/values-prod.yaml",
            "src/main/resources/application.yml",
            "src/main/resources/application-uat.yml",
            "src/main/resources/application-prod.yml",
            "svc/app-uat.properties",
            "svc/app-production.properties",
            "infra/network.uat.tfvars",
            "infra/network.prod.tfvars",
            "docs/uat.md",
            "lonely/values-uat.yaml",
        ]);
        let plans = discover_in(&files, &BTreeSet::new());
        assert_eq!(plans.len(), 5, "{plans:#?}");
        let p = find(&plans, ".env.uat");
        assert_eq!(
            (p.prod.as_str(), p.base.as_deref()),
            (".env.production", Some(".env"))
        );
        let p = find(&plans, "chart/values-staging.yaml");
        assert_eq!(
            (p.prod.as_str(), p.base.as_deref()),
            ("chart/values-prod.yaml", Some("chart/values.yaml"))
        );
        let p = find(&plans, "src/main/resources/application-uat.yml");
        assert_eq!(
            p.base.as_deref(),
            Some("src/main/resources/application.yml")
        );
        assert_eq!(
            p.origin,
            PairOrigin::Convention("Spring profile per environment")
        );
        let p = find(&plans, "svc/app-uat.properties");
        assert_eq!(
            (p.prod.as_str(), p.base.as_deref()),
            ("svc/app-production.properties", None)
        );
        let p = find(&plans, "infra/network.uat.tfvars");
        assert_eq!(p.prod, "infra/network.prod.tfvars");
        assert_eq!(
            p.origin,
            PairOrigin::Convention("Terraform tfvars per environment")
        );
    }

    #[test]
    fn uat_preferred_over_staging_and_prod_over_production() {
        let files = set(&[".env.staging", ".env.uat", ".env.production", ".env.prod"]);
        let plans = discover_in(&files, &BTreeSet::new());
        assert_eq!(plans.len(), 1);
        assert_eq!(
            (plans[0].uat.as_str(), plans[0].prod.as_str()),
            (".env.uat", ".env.prod")
        );
    }

    #[test]
    fn folder_conventions() {
        let dirs = set(&[
            "k8s/overlays",
            "k8s/overlays/uat",
            "k8s/overlays/production",
            "config",
            "config/uat",
            "config/prod",
            "environments/staging",
            "environments/prod",
            "environments/dev",
            "other/uat",
        ]);
        let plans = discover_in(&BTreeSet::new(), &dirs);
        assert_eq!(plans.len(), 3, "{plans:#?}");
        let p = find(&plans, "k8s/overlays/uat");
        assert!(p.folder);
        assert_eq!(p.prod, "k8s/overlays/production");
        assert_eq!(p.origin, PairOrigin::Convention("Kustomize overlays"));
        assert_eq!(find(&plans, "config/uat").prod, "config/prod");
        assert_eq!(
            find(&plans, "environments/staging").prod,
            "environments/prod"
        );
    }

    #[test]
    fn base_names() {
        assert_eq!(base_name(".env.uat", 5, 8).as_deref(), Some(".env"));
        assert_eq!(
            base_name("values-uat.yaml", 7, 10).as_deref(),
            Some("values.yaml")
        );
        assert_eq!(
            base_name("uat-values.yaml", 0, 3).as_deref(),
            Some("values.yaml")
        );
    }

    #[test]
    fn render_lists_every_pair() {
        let plans = discover_in(&set(&[".env", ".env.uat", ".env.prod"]), &BTreeSet::new());
        let s = render_pairs(&plans);
        assert!(s.contains("uat:  .env.uat"), "{s}");
        assert!(s.contains("prod: .env.prod"), "{s}");
        assert!(s.contains("base: .env"), "{s}");
        assert!(s.contains("discovered: dotenv"), "{s}");
        assert!(render_pairs(&[]).contains("no UAT/production pair"));
    }
}
