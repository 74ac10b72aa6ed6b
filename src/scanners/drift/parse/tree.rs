//! The small document tree the structured parsers (YAML, JSON, TOML, tfvars) build, and its
//! flattening into key paths: list items by identity, duplicate keys as errors.

use std::collections::btree_map;

use super::{Limits, ParseError};
use crate::finding::Location;
use crate::scanners::drift::model::{escape_segment, Entry, FlatConfig, Value};

/// A source span: 1-based lines, 1-based columns in characters, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
}

impl Pos {
    pub(crate) fn location(self, path: &str) -> Location {
        Location {
            path: path.to_string(),
            start_line: self.line.max(1),
            start_column: self.col.max(1),
            end_line: self.end_line.max(self.line).max(1),
            end_column: if self.end_line > self.line {
                self.end_col.max(1)
            } else {
                self.end_col.max(self.col).max(1)
            },
            commit: None,
        }
    }
}

/// A map key with its position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Key {
    pub text: String,
    pub pos: Pos,
}

/// A parsed value with its position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub pos: Pos,
    pub kind: Kind,
}

/// Scalar, map (in document order) or list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Scalar(Value),
    Map(Vec<(Key, Node)>),
    List(Vec<Node>),
}

impl Node {
    /// The scalar under `key` of a map node.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _)| k.text == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Text of a scalar that can serve as an identity (not null, not a container).
    pub(crate) fn identity_text(&self) -> Option<String> {
        match &self.kind {
            Kind::Scalar(Value::Null) => None,
            Kind::Scalar(v) => v.as_text(),
            _ => None,
        }
    }

    /// Levels in this subtree: 1 for a scalar or an empty container.
    pub(crate) fn height(&self) -> usize {
        let below = match &self.kind {
            Kind::Scalar(_) => 0,
            Kind::Map(entries) => entries.iter().map(|(_, v)| v.height()).max().unwrap_or(0),
            Kind::List(items) => items.iter().map(Node::height).max().unwrap_or(0),
        };
        below + 1
    }

    /// Number of nodes in this subtree (for alias expansion budgets).
    pub(crate) fn count(&self) -> usize {
        match &self.kind {
            Kind::Scalar(_) => 1,
            Kind::Map(entries) => entries
                .iter()
                .fold(1usize, |n, (_, v)| n.saturating_add(v.count())),
            Kind::List(items) => items
                .iter()
                .fold(1usize, |n, v| n.saturating_add(v.count())),
        }
    }
}

/// Fields that identify a list item, in order of preference.
const IDENTITY_FIELDS: [&str; 3] = ["name", "key", "id"];

/// Segments for the items of a list: `field=value` for the first identity field (`name`, `key`,
/// `id`) that every item carries as a scalar, when those values are unique; indices otherwise.
pub(crate) fn list_segments(items: &[Node]) -> Vec<String> {
    let indices = || (0..items.len()).map(|i| i.to_string()).collect();
    if items.is_empty() {
        return Vec::new();
    }
    for field in IDENTITY_FIELDS {
        let ids: Option<Vec<String>> = items
            .iter()
            .map(|it| it.get(field).and_then(Node::identity_text))
            .collect();
        let Some(ids) = ids else { continue };
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        if !ids.iter().all(|id| seen.insert(id.as_str())) {
            return indices();
        }
        return ids
            .into_iter()
            .map(|id| escape_segment(&format!("{field}={id}")))
            .collect();
    }
    indices()
}

/// Writes flattened entries of one file.
pub(crate) struct Flattener<'a> {
    path: &'a str,
    limits: &'a Limits,
    pub(crate) out: FlatConfig,
}

impl<'a> Flattener<'a> {
    pub(crate) fn new(path: &'a str, limits: &'a Limits) -> Self {
        Flattener {
            path,
            limits,
            out: FlatConfig::default(),
        }
    }

    /// Inserts one entry; a path seen before is a duplicate key.
    pub(crate) fn insert(&mut self, key: String, value: Value, pos: Pos) -> Result<(), ParseError> {
        self.insert_at(key, value, pos, pos)
    }

    /// Like [`Flattener::insert`], reporting a duplicate at `key_pos`.
    fn insert_at(
        &mut self,
        key: String,
        value: Value,
        pos: Pos,
        key_pos: Pos,
    ) -> Result<(), ParseError> {
        if self.out.entries.len() >= self.limits.max_entries {
            return Err(ParseError::new(
                self.path,
                pos.line,
                pos.col,
                format!(
                    "more than {} keys in one file; raise the limit or exclude the file",
                    self.limits.max_entries
                ),
            ));
        }
        match self.out.entries.entry(key) {
            btree_map::Entry::Vacant(v) => {
                v.insert(Entry {
                    value,
                    location: pos.location(self.path),
                });
                Ok(())
            }
            btree_map::Entry::Occupied(o) => {
                let first = o.get().location.start_line;
                let shown = o.key().rsplit('/').next().unwrap_or_default();
                Err(ParseError::new(
                    self.path,
                    key_pos.line,
                    key_pos.col,
                    format!("duplicate key `{shown}` (first defined at line {first})"),
                ))
            }
        }
    }

    /// Flattens `node` under `prefix`. `key_pos` is where the key of this node is (containers
    /// are located at their key). The root (`prefix` empty) container itself gets no entry.
    /// Iterative (document order, depth first), so deep trees cannot exhaust the call stack.
    pub(crate) fn node(
        &mut self,
        prefix: &str,
        node: Node,
        key_pos: Option<Pos>,
        depth: usize,
    ) -> Result<(), ParseError> {
        let mut work = vec![(prefix.to_string(), node, key_pos, depth)];
        while let Some((prefix, node, key_pos, depth)) = work.pop() {
            if depth > self.limits.depth() {
                return Err(ParseError::new(
                    self.path,
                    node.pos.line,
                    node.pos.col,
                    format!("nesting deeper than {} levels", self.limits.depth()),
                ));
            }
            let at = key_pos.unwrap_or(node.pos);
            match node.kind {
                Kind::Scalar(v) => self.insert_at(prefix, v, node.pos, at)?,
                Kind::Map(entries) => {
                    if !prefix.is_empty() {
                        self.insert(prefix.clone(), Value::Map, at)?;
                    }
                    let start = work.len();
                    for (k, v) in entries {
                        let p = format!("{prefix}/{}", escape_segment(&k.text));
                        work.push((p, v, Some(k.pos), depth + 1));
                    }
                    if let Some(children) = work.get_mut(start..) {
                        children.reverse();
                    }
                }
                Kind::List(items) => {
                    if !prefix.is_empty() {
                        self.insert(prefix.clone(), Value::List, at)?;
                    }
                    let segs = list_segments(&items);
                    let start = work.len();
                    for (seg, item) in segs.into_iter().zip(items) {
                        work.push((format!("{prefix}/{seg}"), item, None, depth + 1));
                    }
                    if let Some(children) = work.get_mut(start..) {
                        children.reverse();
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: u32, col: u32) -> Pos {
        Pos {
            line,
            col,
            end_line: line,
            end_col: col + 1,
        }
    }
    fn s(v: &str, line: u32) -> Node {
        Node {
            pos: p(line, 5),
            kind: Kind::Scalar(Value::String(v.into())),
        }
    }
    fn map(entries: Vec<(&str, Node)>, line: u32) -> Node {
        Node {
            pos: p(line, 3),
            kind: Kind::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            Key {
                                text: k.into(),
                                pos: p(v.pos.line, 1),
                            },
                            v,
                        )
                    })
                    .collect(),
            ),
        }
    }

    #[test]
    fn identity_prefers_name_then_key_then_id() {
        let items = vec![
            map(vec![("id", s("1", 1)), ("key", s("a", 1))], 1),
            map(vec![("key", s("b/c", 2))], 2),
        ];
        assert_eq!(list_segments(&items), vec!["key=a", "key=b~1c"]);
        let items = vec![
            map(vec![("name", s("x", 1))], 1),
            map(vec![("name", s("y", 2))], 2),
        ];
        assert_eq!(list_segments(&items), vec!["name=x", "name=y"]);
        // One item without any identity: indices.
        let items = vec![
            map(vec![("name", s("x", 1))], 1),
            map(vec![("v", s("y", 2))], 2),
        ];
        assert_eq!(list_segments(&items), vec!["0", "1"]);
        // Repeated identity: indices.
        let items = vec![
            map(vec![("name", s("x", 1))], 1),
            map(vec![("name", s("x", 2))], 2),
        ];
        assert_eq!(list_segments(&items), vec!["0", "1"]);
        // Scalars: indices.
        assert_eq!(list_segments(&[s("a", 1), s("b", 1)]), vec!["0", "1"]);
    }

    #[test]
    fn flatten_locates_containers_at_their_key_and_rejects_duplicates() {
        let l = Limits::default();
        let mut f = Flattener::new("x.yaml", &l);
        let doc = map(
            vec![
                ("a", map(vec![("b", s("v", 3))], 2)),
                (
                    "c",
                    Node {
                        pos: p(4, 4),
                        kind: Kind::List(vec![s("x", 5)]),
                    },
                ),
            ],
            1,
        );
        f.node("", doc, None, 0).unwrap();
        let e = &f.out.entries;
        assert_eq!(e["/a"].value, Value::Map);
        assert_eq!(e["/a"].location.start_column, 1); // key position, not the map's
        assert_eq!(e["/a/b"].location.start_column, 5);
        assert_eq!(e["/c"].value, Value::List);
        assert_eq!(e["/c/0"].value, Value::String("x".into()));
        assert_eq!(e.len(), 4);

        let mut f = Flattener::new("x.yaml", &l);
        let doc = map(vec![("a", s("1", 1)), ("a", s("2", 7))], 1);
        let err = f.node("", doc, None, 0).unwrap_err();
        assert_eq!(err.line, 7);
        assert!(err
            .message
            .contains("duplicate key `a` (first defined at line 1)"));
    }

    #[test]
    fn limits_on_entries_and_depth() {
        let l = Limits {
            max_entries: 2,
            ..Limits::default()
        };
        let mut f = Flattener::new("x", &l);
        let doc = map(
            vec![("a", s("1", 1)), ("b", s("2", 2)), ("c", s("3", 3))],
            1,
        );
        assert!(f
            .node("", doc, None, 0)
            .unwrap_err()
            .message
            .contains("more than 2 keys"));
        let l = Limits {
            max_depth: 1,
            ..Limits::default()
        };
        let mut f = Flattener::new("x", &l);
        let doc = map(vec![("a", map(vec![("b", s("1", 2))], 2))], 1);
        assert!(f
            .node("", doc, None, 0)
            .unwrap_err()
            .message
            .contains("deeper than 1"));
    }
}
