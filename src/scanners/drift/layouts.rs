//! Effective-configuration layouts: how a repository spreads one environment's configuration
//! over several files, and how to put it back together before comparing.
//!
//! Comparing files as written compares overlays with overlays; what matters for a release is
//! the configuration each environment actually gets. Each layout rebuilds it and keeps every
//! value located at the line that sets it:
//!
//! | layout | found by | effective configuration |
//! |---|---|---|
//! | Kustomize ([`kustomize`]) | a `kustomization.yaml` in the pair's folder | rendered objects |
//! | Helm ([`helm`]) | `values.yaml` + `values-<env>.yaml` | base overlaid, lists replaced |
//! | Compose ([`compose`]) | `docker-compose.yml` + `docker-compose.<env>.yml` | `environment:` and `env_file` as keys |
//! | Spring profiles ([`spring`]) | one `application.yml` with `on-profile` documents | default documents + the profile's |
//! | node-config ([`nodeconfig`]) | `config/default.json` + `config/<env>.json` | default as base |
//!
//! .NET `appsettings.json` + `appsettings.<Env>.json` and Spring `application-<env>.yml` need no
//! rebuilding: they are plain base + overlay pairs.

pub mod compose;
pub mod helm;
pub mod kustomize;
pub mod nodeconfig;
pub mod spring;

use std::path::Path;

use crate::finding::Notification;
use crate::paths::ExcludeSet;

use super::load::{self, Loaded, Role};
use super::parse::Limits;

/// How the files of a pair combine into each environment's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Layout {
    /// Files (or folders) as written, the base overlaid under both (Kustomize folders are
    /// recognized when loading, whatever the layout).
    #[default]
    Plain,
    /// Helm values: lists in an environment file replace the base's list.
    Helm,
    /// docker-compose: `environment:` entries and `env_file`s become keys.
    Compose,
    /// One Spring `application.yml` whose documents are activated per profile.
    SpringProfiles {
        /// The UAT profile name.
        uat: String,
        /// The production profile name.
        prod: String,
    },
}

impl Layout {
    /// The layout of a file pair, from its file names.
    pub fn detect(uat: &str, base: Option<&str>) -> Layout {
        let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
        let n = name(uat);
        let b = base.map(name).unwrap_or_default();
        if compose::is_compose_name(&n) || compose::is_compose_name(&b) {
            Layout::Compose
        } else if helm::is_values_name(&n) || helm::is_values_name(&b) {
            Layout::Helm
        } else {
            Layout::Plain
        }
    }

    /// Short name for `--list-pairs`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Layout::Plain => "plain",
            Layout::Helm => "helm",
            Layout::Compose => "compose",
            Layout::SpringProfiles { .. } => "spring-profiles",
        }
    }
}

/// Loads one side (or the base) of a pair and rebuilds its effective configuration.
pub fn load_side(
    root: &Path,
    layout: &Layout,
    rel: &str,
    role: Role,
    pair: &str,
    exclude: &ExcludeSet,
    limits: &Limits,
) -> Result<Loaded, Vec<Notification>> {
    let mut loaded = load::load_path(root, rel, role, pair, exclude, limits)?;
    match layout {
        Layout::Plain | Layout::Helm => {}
        Layout::Compose => compose::expand(root, rel, limits, &mut loaded),
        Layout::SpringProfiles { uat, prod } => {
            let profile = match role {
                Role::Uat => Some(uat.as_str()),
                Role::Prod => Some(prod.as_str()),
                Role::Base => None,
            };
            loaded.config = spring::effective(&loaded.config, profile);
        }
    }
    Ok(loaded)
}

/// Whether the file at `path` has `${VAR}` substituted from the environment when it is used
/// (compose files and their env files, dotenv, Spring and `.properties` files), so a `${VAR}`
/// in it is a reference, not an unresolved value.
pub fn substitutes_variables(layout: &Layout, path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    matches!(layout, Layout::Compose | Layout::SpringProfiles { .. })
        || name.starts_with(".env")
        || name.ends_with(".env")
        || name.ends_with(".properties")
        || name.starts_with("application")
        || compose::is_compose_name(&name)
}

/// The effective configuration of one side: `base` overlaid by the side, as the layout merges.
pub fn with_base(layout: &Layout, base: &Loaded, own: Loaded) -> Loaded {
    match layout {
        Layout::Helm => helm::with_base(base, own),
        _ => load::with_base(base, own),
    }
}
