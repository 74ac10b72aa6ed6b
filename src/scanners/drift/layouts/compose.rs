//! docker-compose: `docker-compose.yml` under `docker-compose.<env>.yml`, with each service's
//! `environment:` list and `env_file`s turned into one key per variable.
//!
//! `environment: ["LOG_LEVEL=debug"]` is a list of strings: compared as a list, every changed
//! variable would be "a list entry differs" at an index. As keys (`…/environment/LOG_LEVEL`)
//! they are compared by name, with their own value, and policies see the variable's name.

use std::path::Path;

use crate::finding::{Location, Notification, ScannerKind};
use crate::scanners::drift::load::Loaded;
use crate::scanners::drift::model::{escape_segment, Entry, Value};
use crate::scanners::drift::parse::{parse_bytes, Format, Limits};

/// Whether a file name is a compose file (`docker-compose.yml`, `compose.prod.yaml`).
pub fn is_compose_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    (n.starts_with("docker-compose") || n.starts_with("compose"))
        && (n.ends_with(".yaml") || n.ends_with(".yml"))
}

/// The `env_file`s a compose file names, relative to the scan root (for discovery: a pair of
/// env files that compose pairs already read is not compared a second time on its own).
pub fn env_files(root: &Path, rel: &str) -> Vec<String> {
    let Ok(bytes) = std::fs::read(root.join(rel)) else {
        return Vec::new();
    };
    let Ok(c) = parse_bytes(rel, &bytes, Format::Yaml, &Limits::default()) else {
        return Vec::new();
    };
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    c.entries
        .iter()
        .filter(|(k, _)| {
            k.starts_with("/services/") && (k.contains("/env_file/") || k.ends_with("/env_file"))
        })
        .filter_map(|(_, e)| match &e.value {
            Value::String(s) => super::kustomize::resolve(dir, s),
            _ => None,
        })
        .collect()
}

/// Services of a compose configuration (`/services/<name>` keys).
fn services(loaded: &Loaded) -> Vec<String> {
    loaded
        .config
        .entries
        .keys()
        .filter(|k| k.starts_with("/services/") && k.matches('/').count() == 2)
        .cloned()
        .collect()
}

/// Rewrites `environment:` lists as maps and merges `env_file`s under them (the service's own
/// `environment:` wins, as in compose). `rel` is the compose file, relative to `root`.
pub fn expand(root: &Path, rel: &str, limits: &Limits, loaded: &mut Loaded) {
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    for svc in services(loaded) {
        let env_key = format!("{svc}/environment");
        let entries = &mut loaded.config.entries;
        if entries
            .get(&env_key)
            .is_some_and(|e| e.value == Value::List)
        {
            let prefix = format!("{env_key}/");
            let items: Vec<(String, Entry)> = entries
                .range(prefix.clone()..)
                .take_while(|(k, _)| k.starts_with(&prefix))
                .map(|(k, e)| (k.clone(), e.clone()))
                .collect();
            for (k, _) in &items {
                entries.remove(k);
            }
            if let Some(e) = entries.get_mut(&env_key) {
                e.value = Value::Map;
            }
            for (_, e) in items {
                let Value::String(s) = &e.value else { continue };
                let (name, value) = match s.split_once('=') {
                    Some((n, v)) => (n.trim().to_string(), Value::String(v.to_string())),
                    None => (s.trim().to_string(), Value::Null),
                };
                entries.insert(
                    format!("{env_key}/{}", escape_segment(&name)),
                    Entry {
                        value,
                        location: e.location,
                    },
                );
            }
        }
        // env_file: one path, a list of paths, or a list of `{path: …}`.
        let file_key = format!("{svc}/env_file");
        let mut files: Vec<(String, Location)> = Vec::new();
        match loaded.config.entries.get(&file_key) {
            Some(Entry {
                value: Value::String(s),
                location,
            }) => files.push((s.clone(), location.clone())),
            Some(Entry {
                value: Value::List, ..
            }) => {
                let prefix = format!("{file_key}/");
                for (k, e) in loaded.config.entries.range(prefix.clone()..) {
                    if !k.starts_with(&prefix) {
                        break;
                    }
                    let rest = &k[prefix.len()..];
                    if let Value::String(s) = &e.value {
                        if !rest.contains('/') || rest.ends_with("/path") {
                            files.push((s.clone(), e.location.clone()));
                        }
                    }
                }
            }
            _ => {}
        }
        for (f, loc) in files {
            let Some(path) = super::kustomize::resolve(dir, &f) else {
                loaded.errors.push(
                    Notification::warning(
                        ScannerKind::Drift,
                        format!(
                            "{}:{}: env_file `{f}` is outside the scanned repository; not compared",
                            loc.path, loc.start_line
                        ),
                    )
                    .at(loc.clone()),
                );
                continue;
            };
            let parsed = std::fs::read(root.join(&path))
                .map_err(|e| e.to_string())
                .and_then(|b| {
                    loaded.files += 1;
                    loaded.bytes += b.len() as u64;
                    parse_bytes(&path, &b, Format::Dotenv, limits).map_err(|e| e.to_string())
                });
            match parsed {
                Ok(env) => {
                    let entries = &mut loaded.config.entries;
                    entries.entry(env_key.clone()).or_insert(Entry {
                        value: Value::Map,
                        location: loc.clone(),
                    });
                    for (k, e) in env.entries {
                        entries.entry(format!("{env_key}{k}")).or_insert(e);
                    }
                }
                Err(e) => loaded.errors.push(
                    Notification::warning(
                        ScannerKind::Drift,
                        format!(
                            "{}:{}: env_file `{f}` cannot be read: {e}",
                            loc.path, loc.start_line
                        ),
                    )
                    .at(loc.clone()),
                ),
            }
        }
    }
}
