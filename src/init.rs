//! `stagegate init`: look at a repository and write a commented `stagegate.toml` for it.
//!
//! It finds lockfiles by name (with the `ignore` walker, so `.gitignore`d folders such as
//! `target/` and `node_modules/` are skipped) and UAT/production pairs by naming convention:
//! config files of one folder whose names differ only by the environment word
//! (`.env.uat|.env.staging` ↔ `.env.prod|.env.production`, `values-uat|staging.yaml` ↔
//! `values-prod|production.yaml`, `application-uat.yml` ↔ `application-prod.yml`), and sibling
//! folders named after the environments (`overlays/uat|staging/` ↔ `overlays/prod|production/`).
//! Pairs are named by their shape (`deploy/.env.{env}`), with the base file when there is one,
//! exactly as drift discovery names them. The written file changes no result: every active key
//! equals the default or pins what discovery would find anyway, so
//! `scan` right after `init` gives the same findings; it is a place to declare allowances.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::CONFIG_FILE_NAME;
use crate::error::Error;
use crate::paths::relative;
use crate::scanners::drift::pairs::discover_in;

/// Lockfile names the advisories scanner reads (Cargo first, then OSV ecosystems).
pub const LOCKFILE_NAMES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "yarn.lock",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "requirements.txt",
    "go.mod",
    "go.sum",
    "Gemfile.lock",
    "composer.lock",
    "pom.xml",
];

/// A UAT ↔ production pair found by naming convention.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FoundPair {
    /// The pair's shape, as drift discovery names it (`deploy/.env.{env}`, `k8s/overlays/{env}/`).
    pub name: String,
    /// UAT file or folder, relative to the root.
    pub uat: String,
    /// Production file or folder, relative to the root.
    pub prod: String,
    /// Base file under both (`.env`, `values.yaml`), when present.
    pub base: Option<String>,
}

/// What `init` found in a repository.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    /// Lockfiles, relative to the root, sorted.
    pub lockfiles: Vec<String>,
    /// Pairs, sorted by UAT path.
    pub pairs: Vec<FoundPair>,
}

/// Walks `root` (honouring `.gitignore`, including hidden files such as `.env.uat`, skipping
/// `.git`) and collects lockfiles and pairs.
pub fn discover(root: &Path) -> Discovery {
    let mut files: BTreeSet<String> = BTreeSet::new();
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .max_depth(Some(12))
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    // Unreadable entries are skipped: init proposes, the scan reports errors.
    for entry in walker.flatten() {
        let rel = relative(root, entry.path());
        if rel == "." {
            continue;
        }
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
    let lockfiles = files
        .iter()
        .filter(|p| {
            let name = file_name(p);
            // Also `requirements-dev.txt`, `gems.locked`: whatever the scanner reads.
            LOCKFILE_NAMES.contains(&name)
                || crate::scanners::advisories::lockfiles::Format::from_file_name(name).is_some()
        })
        .cloned()
        .collect();
    // The drift scanner's own discovery: what init pins is exactly what a scan would find.
    let mut found: Vec<FoundPair> = discover_in(&files, &dirs)
        .into_iter()
        .map(|p| FoundPair {
            name: p.name,
            uat: p.uat,
            prod: p.prod,
            base: p.base,
        })
        .collect();
    found.sort_by(|a, b| a.uat.cmp(&b.uat));
    Discovery {
        lockfiles,
        pairs: found,
    }
}

fn split(rel: &str) -> (&str, &str) {
    match rel.rfind('/') {
        Some(i) => (&rel[..i], &rel[i + 1..]),
        None => ("", rel),
    }
}

fn file_name(rel: &str) -> &str {
    split(rel).1
}

/// TOML basic string with escapes.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The commented `stagegate.toml` for `d`; `baseline` adds the `baseline` key.
pub fn render(d: &Discovery, baseline: Option<&str>) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# stagegate configuration, written by `stagegate init`. Every key is optional.\n\
         # Reference: docs/ci/README.md. Exit codes: 0 pass, 1 the gate blocks, 2 error.\n\
         #\n\
         # Rule families that apply to this repository:\n\
         #   advisory/…         {}\n\
         #   secret/…           every text file of the working tree (`stagegate secrets --staged` in pre-commit)\n\
         #   drift/…, policy/…  {}\n",
        if d.lockfiles.is_empty() {
            "no lockfile found".to_string()
        } else {
            format!("{} lockfile(s)", d.lockfiles.len())
        },
        if d.pairs.is_empty() {
            "no UAT/production pair found by naming convention".to_string()
        } else {
            format!("{} UAT/production pair(s)", d.pairs.len())
        }
    );
    s.push_str(
        "# Lowest severity that blocks a release: none, note, low, medium, high, critical.\n\
         fail_on = \"high\"\n\n",
    );
    match baseline {
        Some(b) => {
            let _ = writeln!(
                s,
                "# Findings accepted when this file was written: only new ones block.\n\
                 # Refresh with `stagegate scan --update-baseline`.\nbaseline = {}\n",
                quote(b)
            );
        }
        None => s.push_str(
            "# Accept today's findings and block only new ones: `stagegate baseline`, then\n\
             # baseline = \".stagegate-baseline.json\"\n\n",
        ),
    }
    s.push_str(
        "# Paths no scanner looks at (gitignore-style globs, relative to this folder).\n\
         # exclude = [\"target/**\", \"node_modules/**\"]\n\n",
    );
    s.push_str("[advisories]\n");
    if d.lockfiles.is_empty() {
        s.push_str("# No lockfile found.\n");
    } else {
        s.push_str("# Lockfiles found (audited automatically):\n");
        for l in &d.lockfiles {
            let _ = writeln!(s, "#   {l}");
        }
    }
    if d.lockfiles.iter().any(|l| file_name(l) != "Cargo.lock") {
        s.push_str(
            "# Lockfiles other than Cargo.lock are audited against OSV data; download it with\n\
             # `stagegate db fetch --osv npm,PyPI,Go,RubyGems,Packagist,Maven --osv-db osv-db`.\n\
             # osv = [\"osv-db\"]\n",
        );
    }
    s.push_str(
        "# Advisory database folder (default ~/.cargo/advisory-db, shared with cargo-audit).\n\
         # db = \"~/.cargo/advisory-db\"\n\
         # ignore = [{ id = \"RUSTSEC-0000-0000\", reason = \"not reachable\", until = \"2027-01-31\" }]\n\n",
    );
    s.push_str(
        "[secrets]\n\
         # Extra rule files, and findings to allow by rule and path:\n\
         # rules = [\"ci/extra-rules.toml\"]\n\
         # allow = [{ rule = \"generic-high-entropy\", path = \"tests/fixtures/**\" }]\n\n",
    );
    s.push_str(
        "[drift]\n\
         # Pairs below are pinned; pairs named by convention are also discovered (`discover = true`).\n",
    );
    if d.pairs.is_empty() {
        s.push_str(
            "# [[drift.pair]]\n# name = \"api\"\n# uat = \"deploy/uat\"\n# prod = \"deploy/prod\"\n",
        );
    }
    for p in &d.pairs {
        let _ = writeln!(
            s,
            "\n[[drift.pair]]\nname = {}\nuat = {}\nprod = {}\n{}\
             # Declared differences: allow = [{{ paths = [\"/replicas\"], kinds = [\"value\"], reason = \"sized per env\" }}]\n\
             # Release parity: require_equal = [\"**/image\"]",
            quote(&p.name),
            quote(&p.uat),
            quote(&p.prod),
            p.base
                .as_ref()
                .map(|b| format!("base = {}\n", quote(b)))
                .unwrap_or_default()
        );
    }
    s
}

/// Writes `root/stagegate.toml` for what [`discover`] finds; refuses to replace an existing
/// file unless `force`. Returns the path written.
pub fn write_config(root: &Path, force: bool, baseline: Option<&str>) -> Result<PathBuf, Error> {
    let path = root.join(CONFIG_FILE_NAME);
    if path.exists() && !force {
        return Err(Error::Usage(format!(
            "{}: already exists; pass --force to replace it",
            path.display()
        )));
    }
    let text = render(&discover(root), baseline);
    // What we write must load: a broken config would turn every later run into exit 2.
    crate::scanners::ValidConfig::parse(&text, &path)?;
    crate::output::write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanners::ValidConfig as Config;

    fn touch(root: &Path, rel: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "A=1\n").unwrap();
    }

    #[test]
    fn finds_lockfiles_and_pairs_by_convention() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        for f in [
            "Cargo.lock",
            "web/package-lock.json",
            "deploy/api/.env.uat",
            "deploy/api/.env.production",
            "charts/app/values-staging.yaml",
            "charts/app/values-prod.yaml",
            "charts/app/values.yaml",
            "config/application-uat.yml",
            "config/application-prod.yml",
            "src/uat_helpers.rs",
            "k8s/overlays/uat/kustomization.yaml",
            "k8s/overlays/production/kustomization.yaml",
            "lonely/.env.uat",
            "target/Cargo.lock",
        ] {
            touch(r, f);
        }
        std::fs::write(r.join(".gitignore"), "target/\n").unwrap();
        // The ignore walker honours .gitignore only inside a git repository.
        std::fs::create_dir(r.join(".git")).unwrap();
        let found = discover(r);
        assert_eq!(found.lockfiles, vec!["Cargo.lock", "web/package-lock.json"]);
        let pairs: Vec<(&str, &str, &str)> = found
            .pairs
            .iter()
            .map(|p| (p.name.as_str(), p.uat.as_str(), p.prod.as_str()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                (
                    "charts/app/values-{env}.yaml",
                    "charts/app/values-staging.yaml",
                    "charts/app/values-prod.yaml"
                ),
                (
                    "config/application-{env}.yml",
                    "config/application-uat.yml",
                    "config/application-prod.yml"
                ),
                (
                    "deploy/api/.env.{env}",
                    "deploy/api/.env.uat",
                    "deploy/api/.env.production"
                ),
                (
                    "k8s/overlays/{env}/",
                    "k8s/overlays/uat",
                    "k8s/overlays/production"
                ),
            ]
        );
        assert_eq!(
            found.pairs[0].base.as_deref(),
            Some("charts/app/values.yaml")
        );
        assert_eq!(found.pairs[2].base, None, "no deploy/api/.env");
        let text = render(&found, None);
        let cfg = Config::parse(&text, Path::new("stagegate.toml")).unwrap();
        assert_eq!(cfg.drift.pair.len(), 4);
        assert_eq!(cfg.drift.pair[2].prod, "deploy/api/.env.production");
        assert_eq!(
            cfg.drift.pair[0].base.as_deref(),
            Some("charts/app/values.yaml")
        );
        assert!(cfg.baseline.is_none());
        assert!(
            cfg.exclude_patterns.is_empty(),
            "init must not hide anything"
        );
        assert!(text.contains("#   web/package-lock.json"), "{text}");
    }

    #[test]
    fn empty_repo_gives_a_valid_config_and_baseline_key_when_asked() {
        let d = tempfile::tempdir().unwrap();
        let text = render(&discover(d.path()), Some(".stagegate-baseline.json"));
        let cfg = Config::parse(&text, Path::new("s.toml")).unwrap();
        assert_eq!(
            cfg.baseline,
            Some(PathBuf::from(".stagegate-baseline.json"))
        );
        assert!(cfg.drift.pair.is_empty());
    }

    #[test]
    fn refuses_to_overwrite_without_force() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("stagegate.toml"), "fail_on = \"low\"\n").unwrap();
        let e = write_config(d.path(), false, None).unwrap_err();
        assert!(e.to_string().contains("--force"), "{e}");
        assert_eq!(
            std::fs::read_to_string(d.path().join("stagegate.toml")).unwrap(),
            "fail_on = \"low\"\n"
        );
        write_config(d.path(), true, None).unwrap();
        let text = std::fs::read_to_string(d.path().join("stagegate.toml")).unwrap();
        assert!(text.contains("fail_on = \"high\""));
    }

    #[test]
    fn lists_the_lockfiles_of_every_ecosystem_and_suggests_osv_data() {
        let d = tempfile::tempdir().unwrap();
        for f in [
            "api/go.mod",
            "ml/requirements-dev.txt",
            "svc/pom.xml",
            "site/Gemfile.lock",
            "README.md",
        ] {
            touch(d.path(), f);
        }
        let found = discover(d.path());
        assert_eq!(
            found.lockfiles,
            vec![
                "api/go.mod",
                "ml/requirements-dev.txt",
                "site/Gemfile.lock",
                "svc/pom.xml"
            ]
        );
        let text = render(&found, None);
        assert!(text.contains("#   svc/pom.xml"), "{text}");
        assert!(text.contains("# osv = [\"osv-db\"]"), "{text}");
        assert!(Config::parse(&text, Path::new("stagegate.toml")).is_ok());
    }
}
