//! YAML: multi-document streams, anchors, aliases and `<<` merge keys, read through yaml-rust2's
//! event API so every value keeps its line and column.
//!
//! The tree is built with an explicit stack (no recursion on the input's depth), aliases are
//! copied against a node budget ([`Limits::max_alias_expansions`]) so a "billion laughs" file
//! fails in microseconds, and a document that is a Kubernetes object is filed under
//! `/<kind>/<namespace or ->/<name>` (two objects with the same identity are an error). In a
//! stream of several documents the others are filed under `/<index>`, counting only non-empty
//! documents (Helm output is full of empty ones); a single document has no prefix.
//!
//! Merge keys: explicit keys win over merged ones, earlier sources over later ones; merged and
//! aliased values keep the location of their definition (the anchor).

mod scalar;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::text::Positions;
use super::tree::{Flattener, Key, Kind, Node, Pos};
use super::{Limits, ParseError};
use crate::scanners::drift::model::{escape_segment, FlatConfig, Value};

pub(super) fn parse(path: &str, text: &str, limits: &Limits) -> Result<FlatConfig, ParseError> {
    let docs = Builder::new(path, text, limits).run()?;
    flatten(path, docs, limits)
}

/// Files each document under its Kubernetes identity, its index, or nothing (single document).
fn flatten(path: &str, docs: Vec<Node>, limits: &Limits) -> Result<FlatConfig, ParseError> {
    let mut f = Flattener::new(path, limits);
    let multi = docs.len() > 1;
    let mut objects: HashMap<String, u32> = HashMap::new();
    for (idx, doc) in docs.into_iter().enumerate() {
        if let Some(prefix) = k8s_prefix(&doc) {
            if let Some(first) = objects.insert(prefix.clone(), doc.pos.line) {
                return Err(ParseError::new(
                    path,
                    doc.pos.line,
                    doc.pos.col,
                    format!(
                        "duplicate Kubernetes object {} (first defined at line {first})",
                        prefix.trim_start_matches('/')
                    ),
                ));
            }
            f.node(&prefix, doc, None, 0)?;
        } else if multi {
            f.node(&format!("/{idx}"), doc, None, 0)?;
        } else {
            f.node("", doc, None, 0)?;
        }
    }
    Ok(f.out)
}

/// `/<kind>/<namespace or ->/<name>` for a document with `apiVersion`, `kind` and
/// `metadata.name`.
fn k8s_prefix(doc: &Node) -> Option<String> {
    doc.get("apiVersion")?.identity_text()?;
    let kind = doc.get("kind")?.identity_text()?;
    let meta = doc.get("metadata")?;
    let name = meta.get("name")?.identity_text()?;
    let ns = meta
        .get("namespace")
        .and_then(Node::identity_text)
        .unwrap_or_else(|| "-".to_string());
    Some(format!(
        "/{}/{}/{}",
        escape_segment(&kind),
        escape_segment(&ns),
        escape_segment(&name)
    ))
}

enum Frame {
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<(Key, Node)>,
        /// The key waiting for its value; `true` when it is a plain `<<`.
        pending: Option<(Key, bool)>,
        /// Values of `<<` keys, in order.
        merges: Vec<(Node, Pos)>,
    },
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
}

struct Builder<'a> {
    path: &'a str,
    text: &'a str,
    limits: &'a Limits,
    pos: Positions<'a>,
    /// (char index, byte offset) of the last marker converted.
    char_cursor: (usize, usize),
    stack: Vec<Frame>,
    /// Anchored nodes with their node count and height.
    anchors: HashMap<usize, (Node, usize, usize)>,
    /// Nodes copied by aliases so far (see [`Limits::max_alias_expansions`]).
    expanded: usize,
    /// Nodes held in anchor copies so far.
    anchored: usize,
    docs: Vec<Node>,
}

impl<'a> Builder<'a> {
    fn new(path: &'a str, text: &'a str, limits: &'a Limits) -> Self {
        Builder {
            path,
            text,
            limits,
            pos: Positions::new(text),
            char_cursor: (0, 0),
            stack: Vec::new(),
            anchors: HashMap::new(),
            expanded: 0,
            anchored: 0,
            docs: Vec::new(),
        }
    }

    /// An error at a marker. Lines come from our own `\n`-based index, not the marker's (YAML
    /// also breaks lines at a lone `\r`), so that every position in a file agrees.
    fn err_at(&mut self, m: &Marker, msg: impl Into<String>) -> ParseError {
        let p = self.point(m);
        ParseError::new(self.path, p.line, p.col, msg)
    }

    fn run(mut self) -> Result<Vec<Node>, ParseError> {
        let mut parser = Parser::new_from_str(self.text);
        loop {
            let (ev, mark) = match parser.next_token() {
                Ok(x) => x,
                Err(e) => {
                    let msg = format!("invalid YAML: {}", e.info());
                    return Err(self.err_at(e.marker(), msg));
                }
            };
            match ev {
                Event::StreamEnd => return Ok(self.docs),
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
                Event::DocumentStart => self.anchors.clear(),
                Event::Alias(id) => {
                    let Some(&(ref node, count, height)) = self.anchors.get(&id) else {
                        return Err(self.err_at(
                            &mark,
                            "alias to an anchor that is still open (a recursive alias)",
                        ));
                    };
                    // A copy must not nest deeper than the source may: every tree stays within
                    // the depth limit, so copying and dropping it cannot exhaust the stack.
                    if self.stack.len() + height > self.limits.depth() {
                        let depth = self.limits.depth();
                        return Err(self.err_at(
                            &mark,
                            format!("this alias nests its copy deeper than {depth} levels"),
                        ));
                    }
                    self.expanded = self.expanded.saturating_add(count);
                    if self.expanded > self.limits.max_alias_expansions {
                        return Err(self.err_at(
                            &mark,
                            format!(
                                "aliases expand to more than {} nodes (an alias bomb?); \
                                 raise the limit if this file is genuine",
                                self.limits.max_alias_expansions
                            ),
                        ));
                    }
                    let node = node.clone();
                    self.complete(node, &mark, 0)?;
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let value = scalar::resolve(&text, style, tag.as_ref());
                    let plain = matches!(style, TScalarStyle::Plain);
                    let pos = match self.stack.last() {
                        // `key:` with nothing after it: the null sits at its key.
                        Some(Frame::Map {
                            pending: Some((key, _)),
                            ..
                        }) if plain && text.is_empty() && tag.is_none() => key.pos,
                        _ => self.scalar_pos(&mark, &text, style),
                    };
                    let is_merge_key = plain && text == "<<" && tag.is_none();
                    let node = Node {
                        pos,
                        kind: Kind::Scalar(value),
                    };
                    self.complete_scalar(node, text, &mark, anchor, is_merge_key)?;
                }
                Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                    if self.expects_key() {
                        return Err(self.err_at(
                            &mark,
                            "complex mapping keys (a map or list used as a key) are not supported",
                        ));
                    }
                    if self.stack.len() >= self.limits.depth() {
                        return Err(self.err_at(
                            &mark,
                            format!("nesting deeper than {} levels", self.limits.depth()),
                        ));
                    }
                    let pos = self.point(&mark);
                    self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                        Frame::Map {
                            pos,
                            anchor,
                            entries: Vec::new(),
                            pending: None,
                            merges: Vec::new(),
                        }
                    } else {
                        Frame::Seq {
                            pos,
                            anchor,
                            items: Vec::new(),
                        }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    let (node, anchor) = match self.stack.pop() {
                        // A collection sits where its first key or item is (the start
                        // event's marker points elsewhere in block style).
                        Some(Frame::Map {
                            pos,
                            anchor,
                            entries,
                            merges,
                            ..
                        }) => (
                            Node {
                                pos: entries.first().map_or(pos, |(k, _)| k.pos),
                                kind: Kind::Map(self.merge(entries, merges)?),
                            },
                            anchor,
                        ),
                        Some(Frame::Seq { pos, anchor, items }) => (
                            Node {
                                pos: items.first().map_or(pos, |n| n.pos),
                                kind: Kind::List(items),
                            },
                            anchor,
                        ),
                        None => return Err(self.err_at(&mark, "unbalanced end of collection")),
                    };
                    self.complete(node, &mark, anchor)?;
                }
            }
        }
    }

    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { pending: None, .. }))
    }

    /// A finished scalar: a key when its map waits for one, a value otherwise.
    fn complete_scalar(
        &mut self,
        node: Node,
        text: String,
        mark: &Marker,
        anchor: usize,
        is_merge_key: bool,
    ) -> Result<(), ParseError> {
        if let Some(Frame::Map { pending, .. }) = self.stack.last_mut() {
            if pending.is_none() {
                if anchor != 0 {
                    self.anchors.insert(anchor, (node.clone(), 1, 1));
                }
                *pending = Some((
                    Key {
                        text,
                        pos: node.pos,
                    },
                    is_merge_key,
                ));
                return Ok(());
            }
        }
        self.complete(node, mark, anchor)
    }

    /// A finished value (or an alias in key position, taken as a key when it is a scalar).
    fn complete(&mut self, node: Node, mark: &Marker, anchor: usize) -> Result<(), ParseError> {
        if anchor != 0 {
            // Each anchored node is kept as a copy; nested anchors copy a subtree once per
            // anchor, so those copies share the entry budget.
            let count = node.count();
            let height = node.height();
            self.anchored = self.anchored.saturating_add(count);
            if self.anchored > self.limits.max_entries {
                return Err(self.err_at(
                    mark,
                    format!(
                        "anchors hold more than {} nodes (nested anchors copy their subtree)",
                        self.limits.max_entries
                    ),
                ));
            }
            self.anchors.insert(anchor, (node.clone(), count, height));
        }
        match self.stack.last_mut() {
            None => {
                let empty = matches!(node.kind, Kind::Scalar(Value::Null));
                if !empty {
                    self.docs.push(node);
                }
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Map {
                entries,
                pending,
                merges,
                ..
            }) => {
                match pending.take() {
                    None => {
                        // An alias used as a key.
                        match node.kind {
                        Kind::Scalar(v) => {
                            let text = v.as_text().unwrap_or_default();
                            *pending = Some((Key { text, pos: node.pos }, false));
                            Ok(())
                        }
                        _ => Err(self.err_at(
                            mark,
                            "complex mapping keys (a map or list used as a key) are not supported",
                        )),
                    }
                    }
                    Some((key, true)) => {
                        merges.push((node, key.pos));
                        Ok(())
                    }
                    Some((key, false)) => {
                        entries.push((key, node));
                        Ok(())
                    }
                }
            }
        }
    }

    /// Applies `<<` merge keys: explicit keys win, then earlier merge sources over later ones.
    fn merge(
        &self,
        mut entries: Vec<(Key, Node)>,
        merges: Vec<(Node, Pos)>,
    ) -> Result<Vec<(Key, Node)>, ParseError> {
        if merges.is_empty() {
            return Ok(entries);
        }
        let mut seen: HashSet<String> = entries.iter().map(|(k, _)| k.text.clone()).collect();
        let bad = |p: Pos| {
            ParseError::new(
                self.path,
                p.line,
                p.col,
                "the merge key `<<` takes a map or a list of maps",
            )
        };
        for (src, at) in merges {
            let sources = match src.kind {
                Kind::Map(m) => vec![m],
                Kind::List(items) => {
                    let mut maps = Vec::with_capacity(items.len());
                    for it in items {
                        match it.kind {
                            Kind::Map(m) => maps.push(m),
                            _ => return Err(bad(at)),
                        }
                    }
                    maps
                }
                Kind::Scalar(_) => return Err(bad(at)),
            };
            for m in sources {
                for (k, v) in m {
                    if seen.insert(k.text.clone()) {
                        entries.push((k, v));
                    }
                }
            }
        }
        Ok(entries)
    }

    /// Byte offset of a marker (markers count characters). Walks from the previous answer, in
    /// either direction, so the nearly ordered markers of a file cost linear time overall.
    fn byte_of(&mut self, m: &Marker) -> usize {
        let target = m.index();
        let (mut ci, mut bi) = self.char_cursor;
        if ci > target {
            let before = self.text.get(..bi).unwrap_or_default();
            for c in before.chars().rev() {
                if ci == target {
                    break;
                }
                ci -= 1;
                bi -= c.len_utf8();
            }
        } else {
            for c in self.text.get(bi..).unwrap_or_default().chars() {
                if ci == target {
                    break;
                }
                ci += 1;
                bi += c.len_utf8();
            }
        }
        self.char_cursor = (ci, bi);
        bi
    }

    fn point(&mut self, m: &Marker) -> Pos {
        let at = self.byte_of(m);
        let (line, col) = self.pos.line_col(at);
        Pos {
            line,
            col,
            end_line: line,
            end_col: col.saturating_add(1),
        }
    }

    /// Where a scalar starts and ends in the source.
    fn scalar_pos(&mut self, m: &Marker, value: &str, style: TScalarStyle) -> Pos {
        let start = self.byte_of(m);
        let rest = self.text.get(start..).unwrap_or_default();
        let len = match style {
            TScalarStyle::Plain if !value.is_empty() && rest.starts_with(value) => {
                Some(value.len())
            }
            TScalarStyle::Plain if value.is_empty() => Some(0),
            TScalarStyle::SingleQuoted => closing_single(rest),
            TScalarStyle::DoubleQuoted => closing_double(rest),
            _ => None,
        };
        match len {
            Some(n) => {
                let (line, col) = self.pos.line_col(start);
                let (end_line, end_col) = self.pos.line_col(start + n);
                Pos {
                    line,
                    col,
                    end_line,
                    end_col,
                }
            }
            // Block scalars and folded plain scalars: point at their first character.
            None => self.point(m),
        }
    }
}

/// Length in bytes of a `'…'` scalar starting at `s`, closing quote included.
fn closing_single(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() {
        if b.get(i) == Some(&b'\'') {
            if b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// Length in bytes of a `"…"` scalar starting at `s`, closing quote included.
fn closing_double(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() {
        match b.get(i) {
            Some(b'\\') => i += 2,
            Some(b'"') => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}
