//! Spanned TOML values: lookup by path, and deserialization that reports every error.
//!
//! serde stops at the first error. A configuration with three mistakes should say so in one
//! run, so [`deserialize_all`] retries: after each error it removes the innermost key or array
//! item the error points into, and deserializes again, until the rest is valid (or nothing
//! sensible is left to remove).

use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::de::{DeArray, DeValue, ValueDeserializer};
use toml::Spanned;

/// One step of a path into a TOML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

impl Step {
    /// `Step::Key(name)`.
    pub fn key(name: &str) -> Step {
        Step::Key(name.to_string())
    }
}

/// At most this many errors per value: a file of garbage must not loop for long.
const MAX_ERRORS: usize = 64;

/// Deserializes `value` into `T`, pushing `(byte offset, message)` for every error found.
/// Returns `T` built from what remained valid, or `None` when the value itself is unusable.
pub fn deserialize_all<T: DeserializeOwned>(
    mut value: Spanned<DeValue<'_>>,
    errors: &mut Vec<(usize, String)>,
) -> Option<T> {
    for _ in 0..MAX_ERRORS {
        let e = match T::deserialize(ValueDeserializer::from(value.clone())) {
            Ok(v) => return Some(v),
            Err(e) => e,
        };
        let span = e.span().unwrap_or_else(|| value.span());
        errors.push((span.start, e.message().trim().to_string()));
        let mut path = Vec::new();
        let mut best = Vec::new();
        innermost(&value, &span, &mut path, &mut best);
        if best.is_empty() || !remove(&mut value, &best) {
            return None;
        }
    }
    None
}

/// The value at `path` under `root`.
pub fn get<'v, 'i>(
    root: &'v Spanned<DeValue<'i>>,
    path: &[Step],
) -> Option<&'v Spanned<DeValue<'i>>> {
    let mut cur = root;
    for step in path {
        cur = match (cur.get_ref(), step) {
            (DeValue::Table(t), Step::Key(k)) => t.get(k.as_str())?,
            (DeValue::Array(a), Step::Index(i)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// The deepest key or item whose key or value span contains `span`. Children are searched
/// even when the parent's span does not contain it: a `[[table]]` spans only its header.
fn innermost(
    v: &Spanned<DeValue<'_>>,
    span: &Range<usize>,
    path: &mut Vec<Step>,
    best: &mut Vec<Step>,
) {
    match v.get_ref() {
        DeValue::Table(t) => {
            for (k, child) in t.iter() {
                path.push(Step::Key(k.get_ref().to_string()));
                if (contains(&k.span(), span) || contains(&child.span(), span))
                    && path.len() > best.len()
                {
                    *best = path.clone();
                }
                innermost(child, span, path, best);
                path.pop();
            }
        }
        DeValue::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                path.push(Step::Index(i));
                if contains(&child.span(), span) && path.len() > best.len() {
                    *best = path.clone();
                }
                innermost(child, span, path, best);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Removes the key or item at `path` (non-empty). False when it is not there.
fn remove(root: &mut Spanned<DeValue<'_>>, path: &[Step]) -> bool {
    let Some((last, parent_path)) = path.split_last() else {
        return false;
    };
    let mut cur = root;
    for step in parent_path {
        let next = match (cur.get_mut(), step) {
            (DeValue::Table(t), Step::Key(k)) => t.get_mut(k.as_str()),
            (DeValue::Array(a), Step::Index(i)) => a.get_mut(*i),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return false,
        }
    }
    match (cur.get_mut(), last) {
        (DeValue::Table(t), Step::Key(k)) => t.remove(k.as_str()).is_some(),
        (DeValue::Array(a), Step::Index(i)) if *i < a.len() => {
            let mut kept = DeArray::new();
            for (j, item) in a.iter().enumerate() {
                if j != *i {
                    kept.push(item.clone());
                }
            }
            *a = kept;
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use toml::de::DeTable;

    #[derive(Debug, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Top {
        #[serde(default)]
        a: Option<u32>,
        #[serde(default)]
        items: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Item {
        name: String,
        #[serde(default)]
        n: Option<u32>,
    }

    fn run(text: &str) -> (Option<Top>, Vec<(usize, String)>) {
        let root = DeTable::parse(text).expect("valid TOML");
        let v = Spanned::new(root.span(), DeValue::Table(root.into_inner()));
        let mut errors = Vec::new();
        let t = deserialize_all::<Top>(v, &mut errors);
        (t, errors)
    }

    #[test]
    fn reports_every_error_and_keeps_the_rest() {
        let text = "a = \"x\"\n[[items]]\nname = \"one\"\nn = \"two\"\n[[items]]\nn = 3\n\
                    [[items]]\nname = \"ok\"\nbogus = 1\n[[items]]\nname = \"kept\"\n";
        let (t, errors) = run(text);
        let msgs: Vec<&str> = errors.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(errors.len(), 4, "{msgs:?}");
        assert_eq!(errors[0].0, text.find("\"x\"").unwrap());
        assert!(msgs[1].contains("expected u32"), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.contains("missing field `name`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("unknown field `bogus`")),
            "{msgs:?}"
        );
        let t = t.expect("the valid rest");
        assert_eq!(t.a, None, "the bad value was left out");
        assert_eq!(t.items[0].n, None, "the bad value was left out");
        let names: Vec<&str> = t.items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["one", "ok", "kept"]);
    }

    #[test]
    fn lookup_by_path() {
        let root = DeTable::parse("[[p]]\nname = \"a\"\n[[p]]\nname = \"b\"\n").unwrap();
        let v = Spanned::new(root.span(), DeValue::Table(root.into_inner()));
        let b = get(&v, &[Step::key("p"), Step::Index(1), Step::key("name")]).unwrap();
        assert_eq!(b.get_ref().as_str(), Some("b"));
        assert!(get(&v, &[Step::key("p"), Step::Index(2)]).is_none());
    }
}
