//! The flattened shape every config format is parsed into, so comparison never cares about the
//! format.
//!
//! A document becomes a map from a JSON-pointer-like [`KeyPath`] to a typed leaf [`Value`] with
//! the [`Location`] it came from. Containers are recorded too (as [`Value::Map`] / [`Value::List`]
//! entries at their own path) so that "map vs list" type drift and whole-subtree absence can be
//! reported at the right line.

use std::collections::BTreeMap;
use std::fmt;

use crate::finding::Location;

/// A key path: `/`-separated segments with RFC 6901 escaping (`~0` = `~`, `~1` = `/`).
///
/// List items are addressed by identity, never by index, where an identity exists:
/// `/spec/template/spec/containers/name=app/image`. Kubernetes objects in a multi-document YAML
/// are addressed as `/<kind>/<namespace or ->/<name>/…` (escaped), with `apiVersion` kept as an
/// entry inside the object. Dotted keys of flat
/// formats (dotenv, .properties, INI) keep their dots: `/spring.datasource.url`, `/section/key`.
pub type KeyPath = String;

/// Escapes one path segment per RFC 6901.
pub fn escape_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// A typed value. Scalars keep their type so `3000` vs `"3000"` is type drift.
///
/// Equality is structural, and a float equals itself even when it is NaN (`.nan` in UAT and in
/// production is not drift).
#[derive(Debug, Clone)]
pub enum Value {
    /// `null`, `~`, an empty TOML/INI value where the format has null.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string (dotenv, .properties and INI values are always strings).
    String(String),
    /// A map container; its children are separate entries.
    Map,
    /// A list container; its items are separate entries.
    List,
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) | (Value::Map, Value::Map) | (Value::List, Value::List) => {
                true
            }
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b || a.to_bits() == b.to_bits(),
            (Value::String(a), Value::String(b)) => a == b,
            _ => false,
        }
    }
}

impl Value {
    /// Type name for messages (`string`, `integer`, `map`…).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Map => "map",
            Value::List => "list",
        }
    }

    /// The scalar as text (`None` for containers).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Null => Some("null".to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::String(s) => Some(s.clone()),
            Value::Map | Value::List => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Map => f.write_str("{…}"),
            Value::List => f.write_str("[…]"),
            other => f.write_str(&other.as_text().unwrap_or_default()),
        }
    }
}

/// One key of a flattened document.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Typed value.
    pub value: Value,
    /// Where the value (for containers: the key) is, relative to the scan root.
    pub location: Location,
}

/// A parsed, flattened config file (or the merge of several: base + overlay, a folder).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlatConfig {
    /// Entries by key path, sorted.
    pub entries: BTreeMap<KeyPath, Entry>,
}

impl FlatConfig {
    /// Inserts or replaces (later wins: overlay over base).
    pub fn insert(&mut self, path: KeyPath, value: Value, location: Location) {
        self.entries.insert(path, Entry { value, location });
    }

    /// Overlays `other` on `self`: keys of `other` win. A key that changes from a container
    /// to a scalar (or back) drops the old subtree first.
    pub fn overlay(&mut self, other: FlatConfig) {
        for (k, e) in other.entries {
            let was_container = matches!(
                self.entries.get(&k).map(|x| &x.value),
                Some(Value::Map | Value::List)
            );
            let is_container = matches!(e.value, Value::Map | Value::List);
            if was_container && !is_container {
                let prefix = format!("{k}/");
                self.entries.retain(|p, _| !p.starts_with(&prefix));
            }
            self.entries.insert(k, e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_equals_itself_but_types_differ() {
        assert_eq!(Value::Float(f64::NAN), Value::Float(f64::NAN));
        assert_ne!(Value::Int(3000), Value::String("3000".into()));
        assert_ne!(Value::Map, Value::List);
        assert_eq!(Value::Float(1.5), Value::Float(1.5));
    }

    #[test]
    fn escaping_follows_rfc_6901() {
        assert_eq!(escape_segment("a/b~c"), "a~1b~0c");
    }
}
