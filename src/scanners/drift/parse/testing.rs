//! What the parsers' unit tests ask of a parsed file: where a key sits and what it holds. One
//! copy, so every format's tests read positions the same way.

use crate::scanners::drift::model::{Entry, FlatConfig, Value};

fn entry<'a>(f: &'a FlatConfig, k: &str) -> &'a Entry {
    f.entries
        .get(k)
        .unwrap_or_else(|| panic!("no {k} in {:?}", f.entries.keys()))
}

/// `(start line, start column, end line, end column)` of key `k`.
pub(super) fn at(f: &FlatConfig, k: &str) -> (u32, u32, u32, u32) {
    let l = &entry(f, k).location;
    (l.start_line, l.start_column, l.end_line, l.end_column)
}

/// The value of key `k`.
pub(super) fn val(f: &FlatConfig, k: &str) -> Value {
    entry(f, k).value.clone()
}

/// The value of key `k`, which must be a string.
pub(super) fn text(f: &FlatConfig, k: &str) -> String {
    match val(f, k) {
        Value::String(s) => s,
        v => panic!("{k}: {v:?} is not a string"),
    }
}

/// A string value, for comparing with `val`.
pub(super) fn s(x: &str) -> Value {
    Value::String(x.into())
}
