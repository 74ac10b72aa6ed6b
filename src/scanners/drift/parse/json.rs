//! JSON (RFC 8259) with positions: a small hand-written parser, because serde_json forgets
//! where values were. Strict — no trailing commas, no duplicate keys, no single quotes — except
//! that `//` and `/* */` comments are skipped (.NET `appsettings.json`, VS Code settings).
//! Containers live on an explicit stack bounded by [`Limits::max_depth`], so `[[[[…` is an
//! error, not a stack overflow.

use super::cursor::{grammar_over_cursor, Cursor};
use super::tree::{Flattener, Key, Kind, Node};
use super::{Limits, ParseError};
use crate::scanners::drift::model::{FlatConfig, Value};

pub(super) fn parse(path: &str, text: &str, limits: &Limits) -> Result<FlatConfig, ParseError> {
    let mut p = Parser(Cursor::new(path, text, limits));
    p.ws()?;
    if p.i >= p.b.len() {
        return Err(p.err_here("empty file: expected a JSON value"));
    }
    let root = p.value()?;
    p.ws()?;
    if p.i < p.b.len() {
        return Err(p.err_here("unexpected content after the JSON value"));
    }
    let mut f = Flattener::new(path, limits);
    f.node("", root, None, 0)?;
    Ok(f.out)
}

grammar_over_cursor!(
    /// The JSON grammar over a [`Cursor`].
    Parser
);

impl Parser<'_> {
    /// Skips blanks and comments (`//…`, `/*…*/`: .NET `appsettings.json` and VS Code settings
    /// carry them, and they hide no mistake).
    fn ws(&mut self) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.i += 1,
                Some(b'/') if self.rest().starts_with(b"//") => self.skip_to_eol(),
                Some(b'/') if self.rest().starts_with(b"/*") => self.skip_block_comment()?,
                _ => return Ok(()),
            }
        }
    }

    /// One JSON value. Containers are tracked on an explicit stack, so nesting costs heap, not
    /// call stack: the depth limit is a policy, never a crash.
    fn value(&mut self) -> Result<Node, ParseError> {
        let mut stack: Vec<Open> = Vec::new();
        loop {
            // Parse a value start: a scalar completes a node, a container opens a frame.
            let start = self.i;
            let mut done = match self.peek() {
                Some(b'{' | b'[') => {
                    self.check_depth(stack.len(), start)?;
                    let is_obj = self.peek() == Some(b'{');
                    self.i += 1;
                    self.ws()?;
                    let close = if is_obj { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.i += 1;
                        let pos = self.span_from(start);
                        let kind = if is_obj {
                            Kind::Map(Vec::new())
                        } else {
                            Kind::List(Vec::new())
                        };
                        Some(Node { pos, kind })
                    } else if is_obj {
                        let key = self.key()?;
                        stack.push(Open::Obj {
                            start,
                            entries: Vec::new(),
                            key: Some(key),
                        });
                        None
                    } else {
                        stack.push(Open::Arr {
                            start,
                            items: Vec::new(),
                        });
                        None
                    }
                }
                Some(b'"') => {
                    let s = self.string()?;
                    let pos = self.span_from(start);
                    Some(Node {
                        pos,
                        kind: Kind::Scalar(Value::String(s)),
                    })
                }
                Some(b't') => Some(self.literal("true", Value::Bool(true))?),
                Some(b'f') => Some(self.literal("false", Value::Bool(false))?),
                Some(b'n') => Some(self.literal("null", Value::Null)?),
                Some(b'-' | b'0'..=b'9') => Some(self.number()?),
                _ => return Err(self.unexpected("a value")),
            };
            // Attach finished nodes to their parents, closing containers as they end.
            while let Some(node) = done.take() {
                let Some(top) = stack.last_mut() else {
                    return Ok(node);
                };
                self.ws()?;
                match top {
                    Open::Obj { entries, key, .. } => {
                        if let Some(k) = key.take() {
                            entries.push((k, node));
                        }
                        match self.peek() {
                            Some(b',') => {
                                let comma = self.i;
                                self.i += 1;
                                self.ws()?;
                                if self.peek() == Some(b'}') {
                                    return Err(self.err(comma, "trailing comma before `}`"));
                                }
                                let k = self.key()?;
                                if let Some(Open::Obj { key, .. }) = stack.last_mut() {
                                    *key = Some(k);
                                }
                            }
                            Some(b'}') => {
                                self.i += 1;
                                done = stack.pop().map(|f| f.close(self));
                            }
                            _ => return Err(self.unexpected("`,` or `}`")),
                        }
                    }
                    Open::Arr { items, .. } => {
                        items.push(node);
                        match self.peek() {
                            Some(b',') => {
                                let comma = self.i;
                                self.i += 1;
                                self.ws()?;
                                if self.peek() == Some(b']') {
                                    return Err(self.err(comma, "trailing comma before `]`"));
                                }
                            }
                            Some(b']') => {
                                self.i += 1;
                                done = stack.pop().map(|f| f.close(self));
                            }
                            _ => return Err(self.unexpected("`,` or `]`")),
                        }
                    }
                }
            }
        }
    }

    /// `"key"` `:` and the blanks after it; the cursor must be on the key's quote.
    fn key(&mut self) -> Result<Key, ParseError> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("an object key in double quotes"));
        }
        let ks = self.i;
        let text = self.string()?;
        let pos = self.span_from(ks);
        self.ws()?;
        if self.peek() != Some(b':') {
            return Err(self.unexpected("`:` after the object key"));
        }
        self.i += 1;
        self.ws()?;
        Ok(Key { text, pos })
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Node, ParseError> {
        let start = self.i;
        if self
            .b
            .get(start..)
            .is_some_and(|r| r.starts_with(word.as_bytes()))
        {
            self.i += word.len();
            let pos = self.span_from(start);
            Ok(Node {
                pos,
                kind: Kind::Scalar(v),
            })
        } else {
            Err(self.unexpected("a value (strings need double quotes)"))
        }
    }

    fn digits(&mut self) -> usize {
        let s = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - s
    }

    fn number(&mut self) -> Result<Node, ParseError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = self.digits();
        if n == 0 || (n > 1 && self.b.get(int_start) == Some(&b'0')) {
            return Err(self.err(start, "invalid number (no digits, or a leading zero)"));
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.i += 1;
            float = true;
            if self.digits() == 0 {
                return Err(self.err(start, "invalid number: digits expected after `.`"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            float = true;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err(start, "invalid number: digits expected in the exponent"));
            }
        }
        let s = self.text.get(start..self.i).unwrap_or_default();
        let v = match (float, s.parse::<i64>()) {
            (false, Ok(i)) => Value::Int(i),
            _ => match s.parse::<f64>() {
                Ok(f) => Value::Float(f),
                Err(_) => return Err(self.err(start, "invalid number")),
            },
        };
        let pos = self.span_from(start);
        Ok(Node {
            pos,
            kind: Kind::Scalar(v),
        })
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let at = self.i;
        let h = self
            .text
            .get(self.i..self.i + 4)
            .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match h {
            Some(v) => {
                self.i += 4;
                Ok(v)
            }
            None => Err(self.err(at, "invalid \\u escape: four hex digits expected")),
        }
    }

    /// A string; the cursor is on the opening quote.
    fn string(&mut self) -> Result<String, ParseError> {
        let open = self.i;
        self.i += 1;
        let mut out = String::new();
        let mut seg = self.i;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err(
                    open,
                    "unterminated string (the quote opened here is never closed)",
                ));
            };
            match c {
                b'"' => {
                    out.push_str(self.text.get(seg..self.i).unwrap_or_default());
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(self.text.get(seg..self.i).unwrap_or_default());
                    let esc_at = self.i;
                    self.i += 1;
                    let e = self.peek();
                    self.i += 1;
                    match e {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi) {
                                if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return Err(
                                        self.err(esc_at, "unpaired surrogate in \\u escape")
                                    );
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(
                                        self.err(esc_at, "unpaired surrogate in \\u escape")
                                    );
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            match char::from_u32(cp) {
                                Some(ch) => out.push(ch),
                                None => {
                                    return Err(self.err(esc_at, "unpaired surrogate in \\u escape"))
                                }
                            }
                        }
                        _ => return Err(self.err(esc_at, "invalid escape in string")),
                    }
                    seg = self.i;
                }
                0..=0x1F => {
                    let at = self.i;
                    return Err(self.err(
                        at,
                        "control character in string (a raw newline or tab must be written \\n or \\t)",
                    ));
                }
                _ => self.i += 1,
            }
        }
    }
}

/// A container being read.
enum Open {
    Obj {
        start: usize,
        entries: Vec<(Key, Node)>,
        /// The key whose value comes next.
        key: Option<Key>,
    },
    Arr {
        start: usize,
        items: Vec<Node>,
    },
}

impl Open {
    /// The finished node; the cursor is just past the closing bracket.
    fn close(self, p: &mut Parser<'_>) -> Node {
        match self {
            Open::Obj { start, entries, .. } => Node {
                pos: p.span_from(start),
                kind: Kind::Map(entries),
            },
            Open::Arr { start, items } => Node {
                pos: p.span_from(start),
                kind: Kind::List(items),
            },
        }
    }
}

#[cfg(test)]
mod tests;
