//! Reading one side of a pair (a file or a folder, plus its base) into one effective
//! [`FlatConfig`], turning every problem into a notification that names the file and line.

use std::collections::BTreeSet;
use std::path::Path;

use crate::finding::{Location, Notification, ScannerKind};
use crate::paths::{relative, ExcludeSet};

use super::model::{escape_segment, FlatConfig, Value};
use super::parse::{parse_bytes, Format, Limits};

/// Files larger than this are not read (a config file this big is a mistake or an attack).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// One side, loaded.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The effective configuration.
    pub config: FlatConfig,
    /// First file read (locations of keys absent from this side point here).
    pub file: String,
    /// Files read.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Files of a folder that could not be read or parsed, relative to the folder: left out of
    /// the comparison on both sides, so the rest of the folder is still compared.
    pub broken: BTreeSet<String>,
    /// Error notifications for the broken files.
    pub errors: Vec<Notification>,
}

/// Which side a path plays, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// UAT.
    Uat,
    /// Production.
    Prod,
    /// Base under both.
    Base,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Uat => "UAT",
            Role::Prod => "production",
            Role::Base => "base",
        }
    }
}

fn err(msg: String, loc: Option<Location>) -> Notification {
    let n = Notification::error(ScannerKind::Drift, msg);
    match loc {
        Some(l) => n.at(l),
        None => n,
    }
}

/// Reads and parses one file.
fn load_file(
    root: &Path,
    rel: &str,
    limits: &Limits,
    out: &mut Loaded,
) -> Result<FlatConfig, Notification> {
    let path = root.join(rel);
    let format = Format::from_path(rel).ok_or_else(|| {
        err(
            format!("{rel}: unknown configuration format: name the file with a known extension (.env, .yaml, .json, .toml, .properties, .ini, .tfvars)"),
            Some(Location::line(rel, 1)),
        )
    })?;
    let meta = std::fs::metadata(&path).map_err(|e| {
        err(
            format!("{rel}: cannot read: {e}"),
            Some(Location::line(rel, 1)),
        )
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(err(
            format!("{rel}: {} bytes is larger than the {MAX_FILE_BYTES}-byte limit for a configuration file", meta.len()),
            Some(Location::line(rel, 1)),
        ));
    }
    let bytes = std::fs::read(&path).map_err(|e| {
        err(
            format!("{rel}: cannot read: {e}"),
            Some(Location::line(rel, 1)),
        )
    })?;
    out.files += 1;
    out.bytes += bytes.len() as u64;
    if out.file.is_empty() {
        out.file = rel.to_string();
    }
    parse_bytes(rel, &bytes, format, limits).map_err(|e| {
        err(
            format!(
                "{e}: cannot parse {} file; fix the syntax (this file is left out of the comparison)",
                format.as_str()
            ),
            Some(e.location()),
        )
    })
}

/// Whether a parsed file holds Kubernetes objects (keys `/<kind>/<ns>/<name>/…` with
/// `apiVersion` and `kind` under them): those are matched by identity across the files of a
/// folder, so they are not prefixed with the file's name.
fn has_k8s_objects(c: &FlatConfig) -> bool {
    c.entries
        .keys()
        .any(|k| k.ends_with("/apiVersion") && k.matches('/').count() == 4)
}

/// Every configuration file under folder `rel`, relative to the root, sorted.
fn folder_files(root: &Path, rel: &str, exclude: &ExcludeSet) -> Vec<String> {
    let mut files: Vec<String> = ignore::WalkBuilder::new(root.join(rel))
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .max_depth(Some(super::pairs::MAX_DEPTH))
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| relative(root, e.path()))
        .filter(|f| !exclude.is_excluded(f) && Format::from_path(f).is_some())
        .collect();
    files.sort();
    files
}

/// Loads a file or a folder. A folder becomes one config: each file's keys under
/// `/<path relative to the folder>` (one escaped segment), Kubernetes objects unprefixed.
pub fn load_path(
    root: &Path,
    rel: &str,
    role: Role,
    pair: &str,
    exclude: &ExcludeSet,
    limits: &Limits,
) -> Result<Loaded, Vec<Notification>> {
    let path = root.join(rel);
    let mut out = Loaded::default();
    if path.is_file() {
        out.config = load_file(root, rel, limits, &mut out).map_err(|n| vec![n])?;
        return Ok(out);
    }
    if !path.is_dir() {
        return Err(vec![err(
            format!(
                "pair `{pair}`: the {} configuration `{rel}` does not exist; nothing can be compared, so this is an error rather than a pass (fix the path in [[drift.pair]] or restore the file)",
                role.as_str()
            ),
            None,
        )]);
    }
    if super::layouts::kustomize::kustomization_in(root, rel).is_some() {
        // A Kustomize overlay: compare what it renders, not its patch files.
        return match super::layouts::kustomize::load(root, rel, limits, &mut out) {
            Ok(()) => Ok(out),
            Err(n) => {
                let mut all = std::mem::take(&mut out.errors);
                all.push(n);
                Err(all)
            }
        };
    }
    let files = folder_files(root, rel, exclude);
    if files.is_empty() {
        return Err(vec![err(
            format!(
                "pair `{pair}`: the {} folder `{rel}` contains no configuration file",
                role.as_str()
            ),
            None,
        )]);
    }
    out.file = files[0].clone();
    for f in &files {
        match load_file(root, f, limits, &mut out) {
            Ok(c) if has_k8s_objects(&c) => out.config.overlay(c),
            Ok(c) => {
                let inner = f.strip_prefix(rel).unwrap_or(f).trim_start_matches('/');
                let prefix = format!("/{}", escape_segment(inner));
                let mut p = FlatConfig::default();
                p.insert(prefix.clone(), Value::Map, Location::line(f.as_str(), 1));
                for (k, e) in c.entries {
                    p.entries.insert(format!("{prefix}{k}"), e);
                }
                out.config.overlay(p);
            }
            Err(n) => {
                let inner = f.strip_prefix(rel).unwrap_or(f).trim_start_matches('/');
                out.broken.insert(inner.to_string());
                out.errors.push(n);
            }
        }
    }
    Ok(out)
}

/// Drops the entries that come from files in `broken` (relative to the side folder `rel`).
pub fn drop_files(loaded: &mut Loaded, rel: &str, broken: &BTreeSet<String>) {
    if broken.is_empty() {
        return;
    }
    let prefix = format!("{}/", rel.trim_end_matches('/'));
    loaded.config.entries.retain(|_, e| {
        let inner = e
            .location
            .path
            .strip_prefix(&prefix)
            .unwrap_or(&e.location.path);
        !broken.contains(inner)
    });
}

/// The effective configuration of one side: `base` overlaid by the side itself (later wins).
pub fn with_base(base: &Loaded, own: Loaded) -> Loaded {
    let mut config = base.config.clone();
    config.overlay(own.config);
    Loaded {
        config,
        file: own.file,
        files: own.files,
        bytes: own.bytes,
        broken: own.broken,
        errors: own.errors,
    }
}
