//! Kustomize: the objects an overlay folder renders to, each value located at the line that
//! sets it (the base manifest, the patch, or the `kustomization.yaml` entry).
//!
//! Comparing two overlay folders file by file compares patches with patches and misses what
//! they change; comparing the rendered objects is what tells whether production runs what UAT
//! ran. This is a static re-implementation of the parts of `kustomize build` that decide values:
//!
//! * `resources` / `bases` / `components` (files and nested kustomizations, no remote URLs);
//! * `configMapGenerator` / `secretGenerator` (`literals`, `envs`/`env`, `files`, `behavior`);
//! * `patchesStrategicMerge`, `patches` and `patchesJson6902`: strategic merge patches matched
//!   to their target object by kind/name (or `target` selector), lists with a merge key merged
//!   by it, other lists replaced, `$patch: delete|replace`; JSON 6902 `add`, `replace`,
//!   `remove`, `copy`, `move` (list indices resolved in document order), from files or inline;
//! * `images` (`newName`, `newTag`, `digest`), `replicas`, `namespace`, `namePrefix`,
//!   `nameSuffix`, `commonLabels`.
//!
//! Generated names get no hash suffix (both sides would differ by content alone), and name
//! references are not rewritten: neither changes what runs.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::finding::{Location, Notification, ScannerKind};
use crate::scanners::drift::image::ImageRef;
use crate::scanners::drift::load::{Loaded, MAX_FILE_BYTES};
use crate::scanners::drift::model::{escape_segment, Entry, FlatConfig, Value};
use crate::scanners::drift::parse::{parse_bytes, Format, Limits};

/// File names that make a folder a kustomization, in the order kustomize looks for them.
pub const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Deepest chain of nested kustomizations followed (overlay → base → …).
const MAX_NESTING: usize = 16;

/// Kinds without a namespace: `namespace:` does not apply to them.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
];

/// The kustomization file of folder `dir` (relative to `root`), if it has one.
pub fn kustomization_in(root: &Path, dir: &str) -> Option<String> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|f| join(dir, f))
        .find(|f| root.join(f).is_file())
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// `dir` + `rel` with `.` and `..` resolved; `None` when it leaves the scan root or is absolute.
pub fn resolve(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') || rel.contains('\\') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn unescape(seg: &str) -> String {
    seg.replace("~1", "/").replace("~0", "~")
}

/// One Kubernetes object: entries by key relative to the object (`""` is the object itself).
#[derive(Debug, Clone)]
struct Object {
    kind: String,
    namespace: Option<String>,
    name: String,
    entries: BTreeMap<String, Entry>,
}

impl Object {
    fn path(&self) -> String {
        format!(
            "/{}/{}/{}",
            escape_segment(&self.kind),
            escape_segment(self.namespace.as_deref().unwrap_or("-")),
            escape_segment(&self.name)
        )
    }

    fn text(&self, rel: &str) -> Option<String> {
        match &self.entries.get(rel)?.value {
            Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    fn remove_subtree(&mut self, rel: &str) {
        let prefix = format!("{rel}/");
        self.entries
            .retain(|k, _| k != rel && !k.starts_with(&prefix));
    }

    fn remove_children(&mut self, rel: &str) {
        let prefix = format!("{rel}/");
        self.entries.retain(|k, _| !k.starts_with(&prefix));
    }

    /// Sets one entry; a scalar replacing a container drops the container's children.
    fn set(&mut self, rel: String, entry: Entry) {
        let was_container = matches!(
            self.entries.get(&rel).map(|e| &e.value),
            Some(Value::Map | Value::List)
        );
        if was_container && !matches!(entry.value, Value::Map | Value::List) {
            self.remove_children(&rel);
        }
        self.ensure_parents(&rel, &entry.location);
        self.entries.insert(rel, entry);
    }

    /// Makes sure every ancestor of `rel` exists (as a map), located at `loc`.
    fn ensure_parents(&mut self, rel: &str, loc: &Location) {
        let mut cur = rel;
        while let Some(i) = cur.rfind('/') {
            cur = &cur[..i];
            if cur.is_empty() || self.entries.contains_key(cur) {
                break;
            }
            self.entries.insert(
                cur.to_string(),
                Entry {
                    value: Value::Map,
                    location: loc.clone(),
                },
            );
        }
    }

    fn is_cluster_scoped(&self) -> bool {
        CLUSTER_SCOPED.contains(&self.kind.as_str())
    }
}

/// Direct children of container `key` in `entries`, in document order (file, line, column).
fn children<'a>(entries: &'a BTreeMap<String, Entry>, key: &str) -> Vec<(&'a String, &'a Entry)> {
    let prefix = format!("{key}/");
    let mut v: Vec<(&String, &Entry)> = entries
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, _)| !k[prefix.len()..].contains('/'))
        .collect();
    v.sort_by(|a, b| {
        let (la, lb) = (&a.1.location, &b.1.location);
        (&la.path, la.start_line, la.start_column).cmp(&(&lb.path, lb.start_line, lb.start_column))
    });
    v
}

/// Splits a parsed manifest into its Kubernetes objects; the rest (non-object documents) is
/// returned as is.
fn split_objects(c: FlatConfig) -> (Vec<Object>, FlatConfig) {
    let roots: Vec<String> = c
        .entries
        .keys()
        .filter_map(|k| k.strip_suffix("/apiVersion"))
        .filter(|r| r.matches('/').count() == 3)
        .map(str::to_string)
        .collect();
    let mut objects: BTreeMap<String, Object> = roots
        .iter()
        .filter_map(|r| {
            let mut segs = r[1..].split('/').map(unescape);
            let (kind, ns, name) = (segs.next()?, segs.next()?, segs.next()?);
            Some((
                r.clone(),
                Object {
                    kind,
                    namespace: (ns != "-").then_some(ns),
                    name,
                    entries: BTreeMap::new(),
                },
            ))
        })
        .collect();
    let mut rest = FlatConfig::default();
    for (k, e) in c.entries {
        let root = k
            .match_indices('/')
            .nth(3)
            .map_or(k.as_str(), |(i, _)| &k[..i]);
        match objects.get_mut(root) {
            Some(o) => {
                o.entries.insert(k[root.len()..].to_string(), e);
            }
            None => {
                rest.entries.insert(k, e);
            }
        }
    }
    let mut v: Vec<Object> = objects.into_values().collect();
    v.sort_by_key(|o| {
        o.entries
            .get("")
            .map(|e| (e.location.path.clone(), e.location.start_line))
    });
    (v, rest)
}

/// A `target:` selector of `patches` / `patchesJson6902`: anchored regular expressions, as
/// kustomize reads them (most are plain names), compiled once per patch.
#[derive(Debug, Default)]
struct Selector {
    kind: Option<regex::Regex>,
    name: Option<regex::Regex>,
    namespace: Option<String>,
}

impl Selector {
    fn new(kind: Option<String>, name: Option<String>, namespace: Option<String>) -> Selector {
        let re = |p: Option<String>| {
            p.map(|p| {
                regex::Regex::new(&format!("^(?:{p})$")).unwrap_or_else(|_| {
                    regex::Regex::new(&format!("^{}$", regex::escape(&p)))
                        .unwrap_or_else(|_| never())
                })
            })
        };
        Selector {
            kind: re(kind),
            name: re(name),
            namespace,
        }
    }

    fn matches(&self, o: &Object) -> bool {
        self.kind.as_ref().is_none_or(|k| k.is_match(&o.kind))
            && self.name.as_ref().is_none_or(|n| n.is_match(&o.name))
            && self
                .namespace
                .as_deref()
                .is_none_or(|n| o.namespace.as_deref() == Some(n))
    }
}

/// A regex that matches nothing (only if an escaped literal failed to compile, which it cannot).
fn never() -> regex::Regex {
    regex::Regex::new("[^\\s\\S]").unwrap_or_else(|_| unreachable!("constant regex"))
}

fn warn(msg: String, loc: Location) -> Notification {
    Notification::warning(ScannerKind::Drift, msg).at(loc)
}

fn error(msg: String, loc: Location) -> Notification {
    Notification::error(ScannerKind::Drift, msg).at(loc)
}

/// A warning about the kustomization line `loc`, its message prefixed with `path:line: `.
fn warn_at(loc: &Location, msg: impl std::fmt::Display) -> Notification {
    warn(
        format!("{}:{}: {msg}", loc.path, loc.start_line),
        loc.clone(),
    )
}

/// An error about the kustomization line `loc`, its message prefixed with `path:line: `.
fn error_at(loc: &Location, msg: impl std::fmt::Display) -> Notification {
    error(
        format!("{}:{}: {msg}", loc.path, loc.start_line),
        loc.clone(),
    )
}

/// Renders the kustomization of folder `dir` into `out` (objects keyed like parsed manifests).
pub fn load(root: &Path, dir: &str, limits: &Limits, out: &mut Loaded) -> Result<(), Notification> {
    let mut b = Builder {
        root,
        limits,
        out,
        stack: Vec::new(),
    };
    let objects = b.build(dir)?;
    let mut config = FlatConfig::default();
    for o in objects {
        let path = o.path();
        let mut flat = FlatConfig::default();
        for (k, e) in o.entries {
            flat.entries.insert(format!("{path}{k}"), e);
        }
        // Two objects with one identity: the later one wins, as `kustomize build` would refuse.
        config.overlay(flat);
    }
    b.out.config = config;
    Ok(())
}

struct Builder<'a> {
    root: &'a Path,
    limits: &'a Limits,
    out: &'a mut Loaded,
    stack: Vec<String>,
}

/// The parsed `kustomization.yaml` with its text (for inline patch positions).
struct Kustomization {
    file: String,
    text: String,
    flat: FlatConfig,
}

impl Kustomization {
    fn get(&self, key: &str) -> Option<&Entry> {
        self.flat.entries.get(key)
    }

    fn text_at(&self, key: &str) -> Option<(&str, &Location)> {
        match self.flat.entries.get(key) {
            Some(Entry {
                value: Value::String(s),
                location,
            }) => Some((s.as_str(), location)),
            _ => None,
        }
    }

    /// Scalar items of list `key` (strings), in order.
    fn strings(&self, key: &str) -> Vec<(String, Location)> {
        children(&self.flat.entries, key)
            .into_iter()
            .filter_map(|(_, e)| e.value.as_text().map(|t| (t, e.location.clone())))
            .collect()
    }

    fn items(&self, key: &str) -> Vec<String> {
        children(&self.flat.entries, key)
            .into_iter()
            .map(|(k, _)| k.clone())
            .collect()
    }
}

impl Builder<'_> {
    fn read(
        &mut self,
        rel: &str,
        format: Format,
        from: &Location,
    ) -> Result<(String, FlatConfig), Notification> {
        let path = self.root.join(rel);
        let meta = std::fs::metadata(&path).map_err(|e| {
            error(
                format!(
                    "{}:{}: `{rel}` cannot be read: {e}",
                    from.path, from.start_line
                ),
                from.clone(),
            )
        })?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(error(
                format!("{rel}: {} bytes is larger than the {MAX_FILE_BYTES}-byte limit for a configuration file", meta.len()),
                Location::line(rel, 1),
            ));
        }
        let bytes = std::fs::read(&path)
            .map_err(|e| error(format!("{rel}: cannot read: {e}"), Location::line(rel, 1)))?;
        self.out.files += 1;
        self.out.bytes += bytes.len() as u64;
        if self.out.file.is_empty() {
            self.out.file = rel.to_string();
        }
        let flat = parse_bytes(rel, &bytes, format, self.limits).map_err(|e| {
            error(
                format!("{e}: cannot parse {} file; fix the syntax", format.as_str()),
                e.location(),
            )
        })?;
        Ok((String::from_utf8_lossy(&bytes).into_owned(), flat))
    }

    fn build(&mut self, dir: &str) -> Result<Vec<Object>, Notification> {
        let mut objects = Vec::new();
        self.build_into(dir, &mut objects)?;
        Ok(objects)
    }

    /// Renders the kustomization of `dir` into `objects`. A kustomization starts from nothing;
    /// a component (`components:`) works on the objects its parent has so far, so its patches
    /// and transformers apply to them.
    fn build_into(&mut self, dir: &str, objects: &mut Vec<Object>) -> Result<(), Notification> {
        let Some(kfile) = kustomization_in(self.root, dir) else {
            return Err(error(
                format!("{dir}: folder has no kustomization.yaml"),
                Location::line(dir, 1),
            ));
        };
        if self.stack.iter().any(|d| d == dir) || self.stack.len() >= MAX_NESTING {
            return Err(error(
                format!(
                    "{kfile}: kustomizations refer to each other in a cycle or nest deeper than {MAX_NESTING} levels ({})",
                    self.stack.join(" → ")
                ),
                Location::line(&kfile, 1),
            ));
        }
        self.stack.push(dir.to_string());
        let (text, flat) = self.read(&kfile, Format::Yaml, &Location::line(&kfile, 1))?;
        let k = Kustomization {
            file: kfile,
            text,
            flat,
        };
        for list in ["/resources", "/bases"] {
            for (item, loc) in k.strings(list) {
                self.resource(dir, &item, &loc, objects)?;
            }
        }
        for (item, loc) in k.strings("/components") {
            match resolve(dir, &item) {
                Some(c) if self.root.join(&c).is_dir() => self.build_into(&c, objects)?,
                _ => self.resource(dir, &item, &loc, objects)?,
            }
        }
        self.generators(dir, &k, objects)?;
        self.patches(dir, &k, objects)?;
        images(&k, objects);
        replicas(&k, objects);
        names(&k, objects);
        self.stack.pop();
        Ok(())
    }

    fn resource(
        &mut self,
        dir: &str,
        item: &str,
        loc: &Location,
        objects: &mut Vec<Object>,
    ) -> Result<(), Notification> {
        if item.contains("://") || item.starts_with("github.com/") || item.starts_with("git@") {
            self.out.errors.push(warn_at(
                loc,
                format!("remote resource `{item}` is not fetched; its objects are not compared"),
            ));
            return Ok(());
        }
        let Some(rel) = resolve(dir, item) else {
            return Err(error_at(
                loc,
                format!("resource `{item}` is outside the scanned repository"),
            ));
        };
        let path = self.root.join(&rel);
        if path.is_dir() {
            let mut nested = self.build(&rel)?;
            objects.append(&mut nested);
        } else if path.is_file() {
            let (_, flat) = self.read(&rel, Format::Yaml, loc)?;
            let (mut objs, _) = split_objects(flat);
            objects.append(&mut objs);
        } else {
            return Err(error_at(loc, format!("resource `{item}` does not exist")));
        }
        Ok(())
    }

    fn generators(
        &mut self,
        dir: &str,
        k: &Kustomization,
        objects: &mut Vec<Object>,
    ) -> Result<(), Notification> {
        for (list, kind) in [
            ("/configMapGenerator", "ConfigMap"),
            ("/secretGenerator", "Secret"),
        ] {
            for item in k.items(list) {
                let Some((name, name_loc)) = k.text_at(&format!("{item}/name")) else {
                    continue;
                };
                let item_loc = k
                    .get(&item)
                    .map_or(name_loc.clone(), |e| e.location.clone());
                let mut data: Vec<(String, Entry)> = Vec::new();
                let mut env_files = k.strings(&format!("{item}/envs"));
                if let Some((e, l)) = k.text_at(&format!("{item}/env")) {
                    env_files.push((e.to_string(), l.clone()));
                }
                for (f, loc) in env_files {
                    let rel = resolve(dir, &f).ok_or_else(|| {
                        error_at(&loc, format!("`{f}` is outside the scanned repository"))
                    })?;
                    let (_, env) = self.read(&rel, Format::Dotenv, &loc)?;
                    for (key, e) in env.entries {
                        data.push((key, e));
                    }
                }
                for (f, loc) in k.strings(&format!("{item}/files")) {
                    let (key, file) = match f.split_once('=') {
                        Some((key, file)) => (key.to_string(), file.to_string()),
                        None => (f.rsplit('/').next().unwrap_or(&f).to_string(), f.clone()),
                    };
                    let rel = resolve(dir, &file).ok_or_else(|| {
                        error_at(&loc, format!("`{file}` is outside the scanned repository"))
                    })?;
                    let bytes = std::fs::read(self.root.join(&rel))
                        .map_err(|e| error_at(&loc, format!("`{rel}` cannot be read: {e}")))?;
                    self.out.files += 1;
                    self.out.bytes += bytes.len() as u64;
                    data.push((
                        format!("/{}", escape_segment(&key)),
                        Entry {
                            value: Value::String(String::from_utf8_lossy(&bytes).into_owned()),
                            location: Location::line(rel, 1),
                        },
                    ));
                }
                for (lit, loc) in k.strings(&format!("{item}/literals")) {
                    let Some((key, value)) = lit.split_once('=') else {
                        continue;
                    };
                    let value = value.trim();
                    let value = value
                        .strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .unwrap_or(value);
                    data.push((
                        format!("/{}", escape_segment(key.trim())),
                        Entry {
                            value: Value::String(value.to_string()),
                            location: loc,
                        },
                    ));
                }
                let namespace = k
                    .text_at(&format!("{item}/namespace"))
                    .map(|(s, _)| s.to_string());
                let behavior = k
                    .text_at(&format!("{item}/behavior"))
                    .map(|(s, _)| s.to_string())
                    .unwrap_or_default();
                let existing = objects
                    .iter_mut()
                    .find(|o| o.kind == kind && o.name == name);
                let obj = match existing {
                    Some(o) if behavior == "merge" || behavior == "replace" => {
                        if behavior == "replace" {
                            o.remove_children("/data");
                        }
                        o
                    }
                    _ => {
                        let mut o = Object {
                            kind: kind.to_string(),
                            namespace,
                            name: name.to_string(),
                            entries: BTreeMap::new(),
                        };
                        let at = |v: Value, l: &Location| Entry {
                            value: v,
                            location: l.clone(),
                        };
                        o.entries.insert(String::new(), at(Value::Map, &item_loc));
                        o.entries.insert(
                            "/apiVersion".into(),
                            at(Value::String("v1".into()), &item_loc),
                        );
                        o.entries
                            .insert("/kind".into(), at(Value::String(kind.into()), &item_loc));
                        o.entries
                            .insert("/metadata".into(), at(Value::Map, &item_loc));
                        o.entries.insert(
                            "/metadata/name".into(),
                            at(Value::String(name.to_string()), name_loc),
                        );
                        objects.retain(|x| !(x.kind == kind && x.name == name));
                        objects.push(o);
                        objects.last_mut().ok_or_else(|| {
                            error(format!("{}: generator `{name}`", k.file), item_loc.clone())
                        })?
                    }
                };
                if !obj.entries.contains_key("/data") {
                    obj.entries.insert(
                        "/data".into(),
                        Entry {
                            value: Value::Map,
                            location: item_loc.clone(),
                        },
                    );
                }
                for (key, e) in data {
                    obj.set(format!("/data{key}"), e);
                }
            }
        }
        Ok(())
    }

    fn patches(
        &mut self,
        dir: &str,
        k: &Kustomization,
        objects: &mut [Object],
    ) -> Result<(), Notification> {
        // Patches change values, never names: one index serves them all.
        let ids = by_id(objects);
        // patchesStrategicMerge: file paths or inline documents.
        for (item, loc) in k.strings("/patchesStrategicMerge") {
            let flat = self.patch_source(dir, k, &item, &loc, item.contains('\n'))?;
            self.apply(flat, None, objects, &ids, &loc);
        }
        for list in ["/patches", "/patchesJson6902"] {
            for item in k.items(list) {
                let sel = selector(k, &format!("{item}/target"));
                let loc = k
                    .get(&item)
                    .map(|e| e.location.clone())
                    .unwrap_or_else(|| Location::line(&k.file, 1));
                let flat = if let Some((p, l)) = k.text_at(&format!("{item}/path")) {
                    self.patch_source(dir, k, p, l, false)?
                } else if let Some((p, l)) = k.text_at(&format!("{item}/patch")) {
                    self.patch_source(dir, k, p, l, true)?
                } else {
                    continue;
                };
                self.apply(flat, sel, objects, &ids, &loc);
            }
        }
        Ok(())
    }

    /// Parses a patch: a file next to the kustomization, or inline text located inside it.
    fn patch_source(
        &mut self,
        dir: &str,
        k: &Kustomization,
        item: &str,
        loc: &Location,
        inline: bool,
    ) -> Result<FlatConfig, Notification> {
        if !inline {
            let rel = resolve(dir, item).ok_or_else(|| {
                error_at(
                    loc,
                    format!("patch `{item}` is outside the scanned repository"),
                )
            })?;
            let format = if rel.ends_with(".json") {
                Format::Json
            } else {
                Format::Yaml
            };
            return Ok(self.read(&rel, format, loc)?.1);
        }
        // A block scalar's text starts on the line after `patch: |`, indented.
        let line_text = k
            .text
            .lines()
            .nth(loc.start_line.saturating_sub(1) as usize)
            .unwrap_or_default();
        // yaml-rust2 may mark either the `|` indicator or the first line of the content.
        let at_indicator = line_text
            .get(loc.start_column.saturating_sub(1) as usize..)
            .is_some_and(|rest| rest.starts_with('|') || rest.starts_with('>'));
        let prev = k
            .text
            .lines()
            .nth(loc.start_line.saturating_sub(2) as usize)
            .unwrap_or_default()
            .trim_end();
        let after_indicator = loc.start_line > 1
            && ["|", "|-", "|+", ">", ">-", ">+"]
                .iter()
                .any(|i| prev.ends_with(&format!(": {i}")));
        let indent_of = |l: &str| (l.len() - l.trim_start().len()) as u32;
        let (dl, indent) = if at_indicator {
            let next = k
                .text
                .lines()
                .nth(loc.start_line as usize)
                .unwrap_or_default();
            (loc.start_line, indent_of(next))
        } else if after_indicator {
            (loc.start_line.saturating_sub(1), indent_of(line_text))
        } else {
            (loc.start_line.saturating_sub(1), 0)
        };
        let mut flat =
            parse_bytes(&k.file, item.as_bytes(), Format::Yaml, self.limits).map_err(|e| {
                let mut l = e.location();
                l.start_line += dl;
                l.end_line += dl;
                error(
                    format!(
                        "{}:{}: inline patch cannot be parsed: {}",
                        k.file, l.start_line, e.message
                    ),
                    l,
                )
            })?;
        for e in flat.entries.values_mut() {
            e.location.start_line += dl;
            e.location.end_line += dl;
            e.location.start_column += indent;
            e.location.end_column += indent;
        }
        Ok(flat)
    }

    /// Applies one parsed patch (strategic merge objects, a JSON 6902 list, or an object body
    /// for a `target`) to the matching objects.
    fn apply(
        &mut self,
        flat: FlatConfig,
        sel: Option<Selector>,
        objects: &mut [Object],
        ids: &ById,
        loc: &Location,
    ) {
        if flat.entries.contains_key("/0/op") {
            let Some(sel) = sel else {
                self.out.errors.push(warn_at(
                    loc,
                    "JSON 6902 patch without a `target`; not applied",
                ));
                return;
            };
            let mut hit = false;
            for o in objects.iter_mut().filter(|o| sel.matches(o)) {
                hit = true;
                if let Err(msg) = json6902(o, &flat) {
                    self.out.errors.push(warn_at(loc, msg));
                }
            }
            if !hit {
                self.out
                    .errors
                    .push(warn_at(loc, "patch target matches no resource"));
            }
            return;
        }
        let (patches, rest) = split_objects(flat);
        if patches.is_empty() {
            // An object body without apiVersion/kind/name: applies to the `target`.
            let Some(sel) = sel else { return };
            let body = Object {
                kind: String::new(),
                namespace: None,
                name: String::new(),
                entries: rest.entries,
            };
            for o in objects.iter_mut().filter(|o| sel.matches(o)) {
                strategic_merge(o, &body);
            }
            return;
        }
        for p in &patches {
            let mut hit = false;
            let candidates: Vec<usize> = match &sel {
                Some(_) => (0..objects.len()).collect(),
                None => ids
                    .get(&(p.kind.clone(), p.name.clone()))
                    .cloned()
                    .unwrap_or_default(),
            };
            for i in candidates {
                let Some(o) = objects.get_mut(i) else {
                    continue;
                };
                let by_identity = o.kind == p.kind
                    && o.name == p.name
                    && (p.namespace.is_none() || o.namespace == p.namespace);
                let ok = match &sel {
                    Some(s) => {
                        s.matches(o) && (p.name.is_empty() || by_identity || s.name.is_some())
                    }
                    None => by_identity,
                };
                if ok {
                    hit = true;
                    strategic_merge(o, p);
                }
            }
            if !hit {
                let at = p
                    .entries
                    .get("")
                    .map_or(loc.clone(), |e| e.location.clone());
                self.out.errors.push(warn(
                    format!(
                        "{}:{}: patch for {} `{}` matches no resource",
                        at.path, at.start_line, p.kind, p.name
                    ),
                    at,
                ));
            }
        }
    }
}

fn selector(k: &Kustomization, key: &str) -> Option<Selector> {
    k.get(key)?;
    let get = |f: &str| k.text_at(&format!("{key}/{f}")).map(|(s, _)| s.to_string());
    Some(Selector::new(get("kind"), get("name"), get("namespace")))
}

/// Objects by (kind, name): patches find their target without scanning every object, so a
/// tree of N objects and N patches renders in O(N log N).
type ById = std::collections::HashMap<(String, String), Vec<usize>>;

fn by_id(objects: &[Object]) -> ById {
    let mut m = ById::new();
    for (i, o) in objects.iter().enumerate() {
        m.entry((o.kind.clone(), o.name.clone()))
            .or_default()
            .push(i);
    }
    m
}

/// Keys of a strategic merge patch that identify the object rather than change it.
const IDENTITY_KEYS: [&str; 5] = [
    "",
    "/apiVersion",
    "/kind",
    "/metadata/name",
    "/metadata/namespace",
];

/// Strategic merge: maps merge, lists of items with a merge key (`name=…` segments) merge by it,
/// other lists are replaced; `$patch: delete` removes, `$patch: replace` replaces.
fn strategic_merge(o: &mut Object, p: &Object) {
    // Directives first.
    for (k, e) in &p.entries {
        let Some(parent) = k.strip_suffix("/$patch") else {
            continue;
        };
        match e.value.as_text().as_deref() {
            Some("delete") => o.remove_subtree(parent),
            Some("replace") => o.remove_children(parent),
            _ => {}
        }
    }
    let deleted: Vec<&str> = p
        .entries
        .iter()
        .filter(|(k, e)| k.ends_with("/$patch") && e.value.as_text().as_deref() == Some("delete"))
        .filter_map(|(k, _)| k.strip_suffix("/$patch"))
        .collect();
    // Lists without a merge key are replaced as a whole.
    for (k, e) in &p.entries {
        if e.value != Value::List {
            continue;
        }
        let kids = children(&p.entries, k);
        let keyed = !kids.is_empty()
            && kids
                .iter()
                .all(|(ck, _)| ck.rsplit('/').next().is_some_and(|s| s.contains('=')));
        if !keyed {
            o.remove_children(k);
        }
    }
    for (k, e) in &p.entries {
        if IDENTITY_KEYS.contains(&k.as_str())
            || k.contains('$')
            || deleted
                .iter()
                .any(|d| k == d || k.starts_with(&format!("{d}/")))
        {
            continue;
        }
        o.set(k.clone(), e.clone());
    }
}

/// Applies the JSON 6902 operations of `ops` (a parsed list `/0/op`, `/0/path`, `/0/value`…).
fn json6902(o: &mut Object, ops: &FlatConfig) -> Result<(), String> {
    let mut i = 0;
    while let Some(op) = ops.entries.get(&format!("/{i}/op")) {
        let base = format!("/{i}");
        i += 1;
        let op_name = op.value.as_text().unwrap_or_default();
        let path = ops
            .entries
            .get(&format!("{base}/path"))
            .and_then(|e| e.value.as_text())
            .ok_or_else(|| format!("operation {} has no `path`", i - 1))?;
        let value: Vec<(String, Entry)> = {
            let vk = format!("{base}/value");
            let prefix = format!("{vk}/");
            ops.entries
                .range(vk.clone()..)
                .take_while(|(k, _)| *k == &vk || k.starts_with(&prefix))
                .map(|(k, e)| (k[vk.len()..].to_string(), e.clone()))
                .collect()
        };
        match op_name.as_str() {
            "test" => {}
            "remove" => {
                let target = pointer(o, &path, None)
                    .ok_or_else(|| format!("`remove` path `{path}` does not exist"))?;
                o.remove_subtree(&target);
            }
            "add" | "replace" => {
                if value.is_empty() {
                    return Err(format!("`{op_name}` at `{path}` has no `value`"));
                }
                let target = pointer(o, &path, if op_name == "add" { Some(&value) } else { None })
                    .ok_or_else(|| format!("`{op_name}` path `{path}` does not exist"))?;
                o.remove_subtree(&target);
                for (suffix, e) in value {
                    o.set(format!("{target}{suffix}"), e);
                }
            }
            "copy" | "move" => {
                let from = ops
                    .entries
                    .get(&format!("{base}/from"))
                    .and_then(|e| e.value.as_text())
                    .ok_or_else(|| format!("`{op_name}` has no `from`"))?;
                let src = pointer(o, &from, None)
                    .ok_or_else(|| format!("`from` path `{from}` does not exist"))?;
                let prefix = format!("{src}/");
                let moved: Vec<(String, Entry)> = o
                    .entries
                    .iter()
                    .filter(|(k, _)| **k == src || k.starts_with(&prefix))
                    .map(|(k, e)| (k[src.len()..].to_string(), e.clone()))
                    .collect();
                let target = pointer(o, &path, Some(&moved))
                    .ok_or_else(|| format!("`{op_name}` path `{path}` does not exist"))?;
                if op_name == "move" {
                    o.remove_subtree(&src);
                }
                o.remove_subtree(&target);
                for (suffix, e) in moved {
                    o.set(format!("{target}{suffix}"), e);
                }
            }
            other => return Err(format!("unknown JSON 6902 operation `{other}`")),
        }
    }
    Ok(())
}

/// The object key a JSON pointer designates. List indices are resolved in document order;
/// with `adding` (the value to add), the last segment may be `-` or one past the end, and the
/// new item gets the segment the parser would have given it (`name=…` or its index).
fn pointer(o: &Object, ptr: &str, adding: Option<&[(String, Entry)]>) -> Option<String> {
    if ptr.is_empty() {
        return Some(String::new());
    }
    let segs: Vec<String> = ptr.strip_prefix('/')?.split('/').map(unescape).collect();
    let mut cur = String::new();
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        let is_list = o.entries.get(&cur).is_some_and(|e| e.value == Value::List);
        if is_list {
            let kids = children(&o.entries, &cur);
            let idx = if seg == "-" {
                Some(kids.len())
            } else {
                seg.parse::<usize>().ok()
            }?;
            if let Some((k, _)) = kids.get(idx) {
                if last && adding.is_some() {
                    // Insert before an existing item: a new item, not a replacement.
                    return Some(new_item(&cur, kids.len(), adding?));
                }
                cur = (*k).clone();
            } else if idx == kids.len() && last {
                return Some(new_item(&cur, kids.len(), adding?));
            } else {
                return None;
            }
        } else {
            cur = format!("{cur}/{}", escape_segment(seg));
            if !last && !o.entries.contains_key(&cur) {
                return None;
            }
            if last && adding.is_none() && !o.entries.contains_key(&cur) {
                return None;
            }
        }
    }
    Some(cur)
}

fn new_item(list: &str, len: usize, value: &[(String, Entry)]) -> String {
    let name = value
        .iter()
        .find(|(k, _)| k == "/name")
        .and_then(|(_, e)| e.value.as_text());
    match name {
        Some(n) => format!("{list}/{}", escape_segment(&format!("name={n}"))),
        None => format!("{list}/{len}"),
    }
}

/// `images:` transformers: every container image whose repository matches an entry's `name`
/// gets its `newName` / `newTag` / `digest`, located at the kustomization line that sets it.
fn images(k: &Kustomization, objects: &mut [Object]) {
    // Every container image by repository, built once (on the first `images:` entry): each
    // entry is then a lookup instead of a scan of every key of every object, so a large tree
    // renders in time linear in its objects plus its entries. Entries apply in order, so a
    // `newName` moves the images it rewrote to their new repository for the entries after it.
    let mut by_repo: Option<HashMap<String, Vec<(usize, String)>>> = None;
    for item in k.items("/images") {
        let Some((name, _)) = k.text_at(&format!("{item}/name")) else {
            continue;
        };
        let field = |f: &str| {
            k.get(&format!("{item}/{f}"))
                .and_then(|e| e.value.as_text().map(|t| (t, e.location.clone())))
        };
        let (new_name, new_tag, digest) = (field("newName"), field("newTag"), field("digest"));
        let Some(loc) = digest
            .as_ref()
            .or(new_tag.as_ref())
            .or(new_name.as_ref())
            .map(|(_, l)| l.clone())
        else {
            continue;
        };
        let index = by_repo.get_or_insert_with(|| image_index(objects));
        let Some(targets) = index.remove(name) else {
            continue;
        };
        let mut moved = Vec::with_capacity(targets.len());
        for (i, key) in targets {
            let Some(o) = objects.get_mut(i) else {
                continue;
            };
            let Some(r) = o.text(&key).and_then(|c| ImageRef::parse(&c)) else {
                continue;
            };
            let repo = new_name
                .as_ref()
                .map_or(r.repository.clone(), |(n, _)| n.clone());
            let value = match (&digest, &new_tag) {
                (Some((d, _)), _) => format!("{repo}@{d}"),
                (None, Some((t, _))) => format!("{repo}:{t}"),
                (None, None) => match (&r.tag, &r.digest) {
                    (_, Some(d)) => format!("{repo}@{d}"),
                    (Some(t), None) => format!("{repo}:{t}"),
                    (None, None) => repo.clone(),
                },
            };
            o.set(
                key.clone(),
                Entry {
                    value: Value::String(value),
                    location: loc.clone(),
                },
            );
            moved.push((repo, i, key));
        }
        for (repo, i, key) in moved {
            index.entry(repo).or_default().push((i, key));
        }
    }
}

/// Container and init-container image keys of `objects` by image repository.
fn image_index(objects: &[Object]) -> HashMap<String, Vec<(usize, String)>> {
    let mut index: HashMap<String, Vec<(usize, String)>> = HashMap::new();
    for (i, o) in objects.iter().enumerate() {
        for key in o.entries.keys().filter(|k| {
            k.ends_with("/image") && (k.contains("/containers/") || k.contains("/initContainers/"))
        }) {
            if let Some(r) = o.text(key).and_then(|c| ImageRef::parse(&c)) {
                index
                    .entry(r.repository)
                    .or_default()
                    .push((i, key.clone()));
            }
        }
    }
    index
}

/// `replicas:` transformers.
fn replicas(k: &Kustomization, objects: &mut [Object]) {
    for item in k.items("/replicas") {
        let Some((name, _)) = k.text_at(&format!("{item}/name")) else {
            continue;
        };
        let Some(count) = k.get(&format!("{item}/count")) else {
            continue;
        };
        for o in objects.iter_mut().filter(|o| o.name == name) {
            o.set("/spec/replicas".into(), count.clone());
        }
    }
}

/// `namespace`, `namePrefix`, `nameSuffix` and `commonLabels`.
fn names(k: &Kustomization, objects: &mut [Object]) {
    let ns = k.text_at("/namespace");
    let prefix = k.text_at("/namePrefix");
    let suffix = k.text_at("/nameSuffix");
    let labels: Vec<(String, Entry)> = children(&k.flat.entries, "/commonLabels")
        .into_iter()
        .map(|(key, e)| (key["/commonLabels".len()..].to_string(), e.clone()))
        .collect();
    for o in objects.iter_mut() {
        if let Some((ns, loc)) = ns {
            if !o.is_cluster_scoped() {
                o.namespace = Some(ns.to_string());
                o.set(
                    "/metadata/namespace".into(),
                    Entry {
                        value: Value::String(ns.to_string()),
                        location: loc.clone(),
                    },
                );
            }
        }
        if prefix.is_some() || suffix.is_some() {
            let loc = prefix.or(suffix).map(|(_, l)| l.clone());
            o.name = format!(
                "{}{}{}",
                prefix.map_or("", |p| p.0),
                o.name,
                suffix.map_or("", |s| s.0)
            );
            if let Some(loc) = loc {
                o.set(
                    "/metadata/name".into(),
                    Entry {
                        value: Value::String(o.name.clone()),
                        location: loc,
                    },
                );
            }
        }
        for (key, e) in &labels {
            o.set(format!("/metadata/labels{key}"), e.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(entries: &[(&str, Value, u32)]) -> Object {
        Object {
            kind: "Deployment".into(),
            namespace: None,
            name: "api".into(),
            entries: entries
                .iter()
                .map(|(k, v, line)| {
                    (
                        k.to_string(),
                        Entry {
                            value: v.clone(),
                            location: Location::line("base.yaml", *line),
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn paths_resolve_inside_the_root_only() {
        assert_eq!(
            resolve("k8s/overlays/prod", "../../base").as_deref(),
            Some("k8s/base")
        );
        assert_eq!(
            resolve("k8s/overlays/prod", "./patch.yaml").as_deref(),
            Some("k8s/overlays/prod/patch.yaml")
        );
        assert_eq!(resolve("k8s", "../../etc"), None);
        assert_eq!(resolve("k8s", "/etc/passwd"), None);
    }

    #[test]
    fn json_pointer_indices_follow_document_order_not_key_order() {
        let s = |t: &str| Value::String(t.into());
        // `name=zeta` sorts after `name=alpha` but comes first in the file.
        let o = obj(&[
            ("", Value::Map, 1),
            ("/spec", Value::Map, 2),
            ("/spec/containers", Value::List, 3),
            ("/spec/containers/name=zeta", Value::Map, 4),
            ("/spec/containers/name=zeta/name", s("zeta"), 4),
            ("/spec/containers/name=alpha", Value::Map, 6),
            ("/spec/containers/name=alpha/name", s("alpha"), 6),
        ]);
        assert_eq!(
            pointer(&o, "/spec/containers/0/name", None).as_deref(),
            Some("/spec/containers/name=zeta/name")
        );
        assert_eq!(
            pointer(&o, "/spec/containers/1", None).as_deref(),
            Some("/spec/containers/name=alpha")
        );
        assert_eq!(pointer(&o, "/spec/containers/2", None), None);
        assert_eq!(pointer(&o, "/spec/missing/x", None), None);
        let add = vec![(
            "/name".to_string(),
            Entry {
                value: s("new"),
                location: Location::line("p.yaml", 1),
            },
        )];
        assert_eq!(
            pointer(&o, "/spec/containers/-", Some(&add)).as_deref(),
            Some("/spec/containers/name=new")
        );
    }

    #[test]
    fn strategic_merge_replaces_lists_without_merge_key_and_honours_delete() {
        let s = |t: &str| Value::String(t.into());
        let mut o = obj(&[
            ("", Value::Map, 1),
            ("/args", Value::List, 2),
            ("/args/0", s("--a"), 3),
            ("/args/1", s("--b"), 4),
            ("/env", Value::List, 5),
            ("/env/name=A", Value::Map, 6),
            ("/env/name=A/value", s("1"), 6),
            ("/env/name=B", Value::Map, 7),
            ("/env/name=B/value", s("2"), 7),
        ]);
        let mut p = obj(&[
            ("", Value::Map, 1),
            ("/args", Value::List, 2),
            ("/args/0", s("--c"), 3),
            ("/env", Value::List, 4),
            ("/env/name=A", Value::Map, 5),
            ("/env/name=A/$patch", s("delete"), 6),
            ("/env/name=B", Value::Map, 7),
            ("/env/name=B/value", s("3"), 8),
        ]);
        for e in p.entries.values_mut() {
            e.location.path = "patch.yaml".into();
        }
        strategic_merge(&mut o, &p);
        assert_eq!(o.entries["/args/0"].value, s("--c"));
        assert!(
            !o.entries.contains_key("/args/1"),
            "list without merge key replaced"
        );
        assert!(!o.entries.contains_key("/env/name=A"), "$patch: delete");
        assert!(!o.entries.contains_key("/env/name=A/$patch"));
        assert_eq!(o.entries["/env/name=B/value"].value, s("3"));
        assert_eq!(
            o.entries["/env/name=B/value"].location,
            Location::line("patch.yaml", 8)
        );
    }
}
