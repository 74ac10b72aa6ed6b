//! Comparison of two flattened configurations: every difference becomes a finding at the
//! production line with the UAT line as related location.
//!
//! Keys are matched after environment-token normalization ([`super::envtok`]), so
//! `/Deployment/api-uat/…` meets `/Deployment/api-prod/…`. A key or container missing on one
//! side is reported once, at the top of the missing subtree.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};

use crate::finding::{Finding, Location, Severity};

use super::envtok::normalize;
use super::expect::Expectations;
use super::image::{image_key, ImageKey, ImageRef};
use super::keys::{is_endpoint_key, looks_like_location};
use super::kinds::DriftKind;
use super::mask::{self, show};
use super::model::{Entry, FlatConfig, Value};
use super::security_regression;
use super::shared_endpoint;
use super::sizing_inversion;
use crate::classify::is_credential_key;

/// One side of a comparison.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The effective configuration.
    pub config: &'a FlatConfig,
    /// File to point at when a key has no line on this side (relative to the scan root).
    pub file: &'a str,
    /// The side's file or folder as given in the pair: a key missing here is located in the
    /// counterpart of the other side's file (`overlays/prod/x.yaml` for `overlays/uat/x.yaml`)
    /// when that file exists.
    pub root: &'a str,
}

/// Entries of one side by normalized key: `(original key, entry)`.
type Index<'a> = BTreeMap<Cow<'a, str>, (&'a str, &'a Entry)>;

fn index(c: &FlatConfig) -> Index<'_> {
    let mut m = BTreeMap::new();
    for (k, e) in &c.entries {
        // On a collision (two keys that normalize alike) the first one wins: rare, and the
        // other key is still compared through policies.
        m.entry(normalize(k)).or_insert((k.as_str(), e));
    }
    m
}

/// Normalized keys `K` where `K/kind` and `K/apiVersion` exist: Kubernetes object roots.
fn object_roots<'a>(ix: &Index<'a>) -> BTreeSet<String> {
    ix.keys()
        .filter_map(|k| k.strip_suffix("/kind"))
        .filter(|root| ix.contains_key(format!("{root}/apiVersion").as_str()))
        .map(str::to_string)
        .collect()
}

fn parent(k: &str) -> Option<&str> {
    k.rfind('/').filter(|&i| i > 0).map(|i| &k[..i])
}

fn same_type(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn is_container(v: &Value) -> bool {
    matches!(v, Value::Map | Value::List)
}

/// Compares `uat` and `prod` of pair `pair`.
pub fn compare(pair: &str, uat: Side<'_>, prod: Side<'_>, expect: &Expectations) -> Vec<Finding> {
    let (u, p) = rayon::join(|| index(uat.config), || index(prod.config));
    let cx = Cx {
        pair,
        uat,
        prod,
        u: &u,
        p: &p,
        expect,
        u_roots: object_roots(&u),
        p_roots: object_roots(&p),
        u_files: OnceCell::new(),
        p_files: OnceCell::new(),
        uat_images: OnceCell::new(),
    };
    let mut out = Vec::new();
    for (nk, (uk, ue)) in &u {
        match p.get(nk) {
            Some((pk, pe)) => out.extend(cx.both(nk, (uk, ue), (pk, pe))),
            None => out.extend(cx.one_sided(nk, uk, ue, true)),
        }
    }
    // A mutable production image is the `prod-mutable-image` policy, whatever UAT runs.
    for (nk, (pk, pe)) in &p {
        if !u.contains_key(nk) {
            out.extend(cx.one_sided(nk, pk, pe, false));
        }
    }
    out
}

struct Cx<'a> {
    pair: &'a str,
    uat: Side<'a>,
    prod: Side<'a>,
    u: &'a Index<'a>,
    p: &'a Index<'a>,
    expect: &'a Expectations,
    u_roots: BTreeSet<String>,
    p_roots: BTreeSet<String>,
    /// Files of each side, computed on first need (only findings on folder pairs ask).
    u_files: OnceCell<BTreeSet<&'a str>>,
    p_files: OnceCell<BTreeSet<&'a str>>,
    /// Every image version UAT runs, by repository (environment names normalized); tags of
    /// split `image.tag` keys under the empty repository.
    uat_images: OnceCell<BTreeMap<String, BTreeSet<String>>>,
}

fn files(c: &FlatConfig) -> BTreeSet<&str> {
    c.entries
        .values()
        .map(|e| e.location.path.as_str())
        .collect()
}

impl Cx<'_> {
    /// Whether UAT runs `version` of `repository` anywhere (any container, any key).
    fn uat_ran(&self, repository: &str, version: &str) -> bool {
        let all = self.uat_images.get_or_init(|| {
            let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for (nk, (_, e)) in self.u.iter() {
                let Some(ik) = image_key(nk) else { continue };
                let Some(text) = e.value.as_text() else {
                    continue;
                };
                match ik {
                    ImageKey::Full => {
                        if let Some(r) = ImageRef::parse(&text) {
                            let set = m.entry(normalize(&r.repository).into_owned()).or_default();
                            set.insert(r.version());
                            set.extend(r.tag.clone());
                            set.extend(r.digest.clone());
                        }
                    }
                    ImageKey::Tag => {
                        m.entry(String::new()).or_default().insert(text);
                    }
                    ImageKey::Repository => {}
                }
            }
            m
        });
        all.get(normalize(repository).as_ref())
            .is_some_and(|v| v.contains(version))
    }

    /// Location on a side for normalized key `nk`: its own line, else the nearest ancestor that
    /// side has, else the side's file.
    fn locate(&self, nk: &str, prod: bool) -> Location {
        let (ix, side) = if prod {
            (self.p, self.prod)
        } else {
            (self.u, self.uat)
        };
        if let Some((_, e)) = ix.get(nk) {
            return e.location.clone();
        }
        let counterpart = self.counterpart(nk, prod);
        let mut nearest = None;
        let mut cur = parent(nk);
        while let Some(k) = cur {
            if let Some((_, e)) = ix.get(k) {
                if counterpart.is_none_or(|c| c == e.location.path) {
                    return e.location.clone();
                }
                nearest.get_or_insert(e);
            }
            cur = parent(k);
        }
        match (counterpart, nearest) {
            (Some(f), _) => Location::line(f, 1),
            (None, Some(e)) => e.location.clone(),
            (None, None) => Location::line(side.file, 1),
        }
    }

    /// The file on side `prod` that corresponds to the other side's file holding `nk`, when it
    /// exists (folder pairs: same path relative to the folder).
    fn counterpart(&self, nk: &str, prod: bool) -> Option<&str> {
        let (other_ix, other, this, this_files) = if prod {
            (self.u, self.uat, self.prod, &self.p_files)
        } else {
            (self.p, self.prod, self.uat, &self.u_files)
        };
        let this_files = this_files.get_or_init(|| files(this.config));
        let (_, e) = other_ix.get(nk)?;
        let rest = e.location.path.strip_prefix(other.root)?;
        let want = format!("{}{rest}", this.root);
        this_files.get(want.as_str()).copied()
    }

    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        kind: DriftKind,
        severity: Severity,
        message: String,
        nk: &str,
        uk: Option<&str>,
        pk: Option<&str>,
    ) -> Finding {
        let key = pk.or(uk).unwrap_or(nk);
        let mut f = Finding::new(
            kind.rule_id(),
            severity,
            format!("{message} [pair {}]", self.pair),
            self.locate(nk, true),
            &format!("{}\0{nk}", self.pair),
        )
        .with_related(self.locate(nk, false))
        .with_property("pair", self.pair)
        .with_property("key", key);
        if let Some(uk) = uk.filter(|uk| Some(*uk) != pk) {
            f = f.with_property("uat_key", uk);
        }
        f
    }

    fn with_values(f: Finding, key: &str, ue: &Entry, pe: &Entry) -> Finding {
        f.with_property("uat_value", show(key, &ue.value))
            .with_property("prod_value", show(key, &pe.value))
    }

    fn parent_is_list(&self, nk: &str, prod: bool) -> bool {
        let ix = if prod { self.p } else { self.u };
        parent(nk)
            .and_then(|pk| ix.get(pk))
            .is_some_and(|(_, e)| e.value == Value::List)
    }

    /// A key on one side only (`in_uat`: present in UAT, missing in production).
    fn one_sided(&self, nk: &str, key: &str, e: &Entry, in_uat: bool) -> Option<Finding> {
        let (this, other) = if in_uat {
            (self.u, self.p)
        } else {
            (self.p, self.u)
        };
        // Report only the top of a missing subtree: skip when the parent exists on this side
        // but not on the other (the parent was reported), or has another type there (reported
        // as type drift: a map that became a string does not also lose each of its keys).
        if let Some(par) = parent(nk) {
            if let Some((_, this_parent)) = this.get(par) {
                match other.get(par) {
                    None => return None,
                    Some((_, o)) if !same_type(&o.value, &this_parent.value) => return None,
                    Some(_) => {}
                }
            }
        }
        let roots = if in_uat { &self.u_roots } else { &self.p_roots };
        let what = if is_container(&e.value) {
            "section"
        } else {
            "key"
        };
        let (uk, pk) = if in_uat {
            (Some(key), None)
        } else {
            (None, Some(key))
        };
        let (kind, msg) = if roots.contains(nk) {
            let obj = key.trim_start_matches('/');
            if in_uat {
                (
                    DriftKind::Resource,
                    format!("Kubernetes object `{obj}` exists in UAT but not in production"),
                )
            } else {
                (
                    DriftKind::Resource,
                    format!("Kubernetes object `{obj}` exists in production but not in UAT"),
                )
            }
        } else if self.parent_is_list(nk, !in_uat) || self.parent_is_list(nk, in_uat) {
            let side = if in_uat { "UAT" } else { "production" };
            (
                DriftKind::ListEntry,
                format!("list entry `{key}` exists only in {side}"),
            )
        } else if in_uat {
            (
                DriftKind::MissingInProd,
                format!("{what} `{key}` is set in UAT but missing in production"),
            )
        } else {
            (DriftKind::MissingInUat, format!("{what} `{key}` is set in production but missing in UAT (untested before release)"))
        };
        let sev = match kind {
            DriftKind::Resource if !in_uat => Severity::Medium,
            // A logger or debug switch only UAT sets: production runs the quieter default.
            DriftKind::MissingInProd if is_diagnostic_key(key) => Severity::Low,
            // Labels and annotations describe an object; they rarely change what it runs.
            DriftKind::MissingInProd | DriftKind::MissingInUat | DriftKind::Value
                if is_object_metadata(key) =>
            {
                Severity::Low
            }
            k => k.severity(),
        };
        let value_prop = if in_uat { "uat_value" } else { "prod_value" };
        let mut f = self
            .finding(kind, sev, msg, nk, uk, pk)
            .with_property(value_prop, show(key, &e.value));
        if kind == DriftKind::Resource && in_uat {
            // The object exists only in UAT: point at it, not at line 1 of a production file.
            let missing_at = std::mem::replace(&mut f.location, e.location.clone());
            f.related = vec![missing_at];
        }
        Some(f)
    }

    /// A key on both sides.
    fn both(
        &self,
        nk: &str,
        (uk, ue): (&str, &Entry),
        (pk, pe): (&str, &Entry),
    ) -> Option<Finding> {
        let (uv, pv) = (&ue.value, &pe.value);
        let require = self.expect.requires_equal(&[uk, pk, nk]);
        let make = |kind: DriftKind, sev: Severity, msg: String| {
            Self::with_values(
                self.finding(kind, sev, msg, nk, Some(uk), Some(pk)),
                pk,
                ue,
                pe,
            )
        };
        let parity = |kind| {
            let msg = format!(
                "`{pk}` must be equal in UAT and production (require_equal) but is {} in UAT and {} in production",
                show(pk, uv),
                show(pk, pv)
            );
            Some(make(kind, Severity::High, msg))
        };
        if !is_container(uv) && !is_container(pv) {
            if let Some(sk) = sizing_inversion::size_kind(pk) {
                match sizing_inversion::is_inverted(sk, uv, pv) {
                    Some(true) => {
                        let msg = format!(
                            "production is sized below UAT at `{pk}`: {} in UAT, {} in production",
                            show(pk, uv),
                            show(pk, pv)
                        );
                        return Some(make(
                            DriftKind::SizingInversion,
                            DriftKind::SizingInversion.severity(),
                            msg,
                        ));
                    }
                    Some(false) => {
                        return if require {
                            parity(DriftKind::Value)
                        } else {
                            None
                        }
                    }
                    None => {}
                }
            }
        }
        if !same_type(uv, pv) {
            let msg = format!(
                "`{pk}` is {} {} in UAT ({}) but {} {} in production ({})",
                article(uv.type_name()),
                uv.type_name(),
                show(pk, uv),
                article(pv.type_name()),
                pv.type_name(),
                show(pk, pv)
            );
            return Some(make(DriftKind::Type, DriftKind::Type.severity(), msg));
        }
        if is_container(uv) {
            return None;
        }
        if let Some(ik) = image_key(pk) {
            return self.image(nk, ik, require, (uk, ue), (pk, pe));
        }
        if uv == pv {
            return shared_endpoint::shared(pk, pv).map(|what| {
                let msg = format!(
                    "UAT and production use the same {what} at `{pk}` ({})",
                    show(pk, pv)
                );
                make(
                    DriftKind::SharedEndpoint,
                    DriftKind::SharedEndpoint.severity(),
                    msg,
                )
            });
        }
        if let Some(how) = security_regression::regression(pk, uv, pv) {
            let how = if mask::is_sensitive(pk, uv) || mask::is_sensitive(pk, pv) {
                format!("{} in UAT, {} in production", show(pk, uv), show(pk, pv))
            } else {
                how
            };
            let msg = format!("security setting `{pk}` is weaker in production: {how}");
            return Some(make(
                DriftKind::SecurityRegression,
                DriftKind::SecurityRegression.severity(),
                msg,
            ));
        }
        let kind = if self.parent_is_list(nk, true) {
            DriftKind::ListEntry
        } else {
            DriftKind::Value
        };
        if let (Value::String(a), Value::String(b)) = (uv, pv) {
            if normalize(a) == normalize(b) {
                return if require { parity(kind) } else { None };
            }
            let expected = is_credential_key(pk)
                || is_endpoint_key(pk)
                || looks_like_location(a)
                || looks_like_location(b)
                || mask::looks_secret_value(a)
                || mask::looks_secret_value(b);
            if expected {
                return if require { parity(kind) } else { None };
            }
        } else if is_credential_key(pk) {
            return if require { parity(kind) } else { None };
        }
        if require {
            return parity(kind);
        }
        let msg = format!(
            "`{pk}` differs: {} in UAT, {} in production",
            show(pk, uv),
            show(pk, pv)
        );
        let sev = if is_object_metadata(pk) {
            Severity::Low
        } else {
            kind.severity()
        };
        Some(make(kind, sev, msg))
    }

    /// Image keys: tag/digest drift and repository changes (a mutable production tag is named
    /// in the message; the `prod-mutable-image` policy reports it).
    fn image(
        &self,
        nk: &str,
        ik: ImageKey,
        require: bool,
        (uk, ue): (&str, &Entry),
        (pk, pe): (&str, &Entry),
    ) -> Option<Finding> {
        let (Some(us), Some(ps)) = (ue.value.as_text(), pe.value.as_text()) else {
            return None;
        };
        if us == ps {
            return None;
        }
        let sev = DriftKind::Image.severity();
        let make = |msg: String| {
            let f = self.finding(DriftKind::Image, sev, msg, nk, Some(uk), Some(pk));
            Self::with_values(f, pk, ue, pe)
        };
        let msg = match ik {
            ImageKey::Full => match (ImageRef::parse(&us), ImageRef::parse(&ps)) {
                (Some(a), Some(b)) if a.repository == b.repository => format!(
                    "image `{}` runs `{}` in UAT but `{}` in production{}",
                    b.repository,
                    a.version(),
                    b.version(),
                    if b.is_mutable() {
                        " (a mutable tag)"
                    } else if !self.uat_ran(&b.repository, &b.version()) {
                        ": production would run a build UAT never ran"
                    } else {
                        ""
                    }
                ),
                (Some(a), Some(b)) => {
                    if normalize(&a.repository) == normalize(&b.repository)
                        && a.version() == b.version()
                        && !require
                    {
                        return None;
                    }
                    format!(
                        "`{pk}` pulls `{}` in UAT but `{}` in production",
                        a.repository, b.repository
                    )
                }
                _ => format!(
                    "`{pk}` differs: {} in UAT, {} in production",
                    show(pk, &ue.value),
                    show(pk, &pe.value)
                ),
            },
            ImageKey::Tag => format!(
                "image tag `{pk}` is {} in UAT but {} in production{}",
                show(pk, &ue.value),
                show(pk, &pe.value),
                if self.uat_ran("", &ps) {
                    ""
                } else {
                    ": production would run a build UAT never ran"
                }
            ),
            ImageKey::Repository => {
                if normalize(&us) == normalize(&ps) && !require {
                    return None;
                }
                format!(
                    "image repository `{pk}` is {} in UAT but {} in production",
                    show(pk, &ue.value),
                    show(pk, &pe.value)
                )
            }
        };
        Some(make(msg))
    }
}

/// Whether a key is a label or an annotation of a Kubernetes object itself
/// (`/<kind>/<ns>/<name>/metadata/labels/…`); pod template labels, which selectors and network
/// policies match, are not.
pub fn is_object_metadata(key: &str) -> bool {
    let mut segs = key.split('/').skip(4);
    segs.next() == Some("metadata") && matches!(segs.next(), Some("labels" | "annotations"))
}

/// Whether a key is a logger level or a debug/trace switch (`Logging:LogLevel:Microsoft`,
/// `logging.level.org.hibernate.SQL`, `DEBUG`).
pub fn is_diagnostic_key(key: &str) -> bool {
    super::keys::path_words(key).iter().any(|w| {
        matches!(
            w.as_str(),
            "logging" | "log" | "logger" | "loggers" | "loglevel" | "debug" | "trace" | "verbose"
        )
    })
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}
