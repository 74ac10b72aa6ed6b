//! Terraform `.tfvars`: HCL attributes whose values are literals — strings (template sequences
//! such as `${…}` kept as written), numbers, booleans, `null`, tuples, objects and heredocs
//! (`<<EOF`, indented `<<-EOF`). Terraform itself rejects references and function calls in
//! variable files, so this hand parser does too, instead of pulling in a full HCL crate.
//!
//! Comments: `#`, `//`, `/* … */`. Attributes and object keys given twice are errors, as in
//! Terraform.

use super::cursor::{grammar_over_cursor, Cursor};
use super::tree::{Flattener, Key, Kind, Node};
use super::{Limits, ParseError};
use crate::scanners::drift::model::{FlatConfig, Value};

pub(super) fn parse(path: &str, text: &str, limits: &Limits) -> Result<FlatConfig, ParseError> {
    let mut p = Parser(Cursor::new(path, text, limits));
    let root = p.body()?;
    let mut f = Flattener::new(path, limits);
    f.node("", root, None, 0)?;
    Ok(f.out)
}

grammar_over_cursor!(
    /// The `.tfvars` grammar over a [`Cursor`].
    Parser
);

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

impl Parser<'_> {
    /// Skips blanks and comments; newlines too when `newlines`.
    fn ws(&mut self, newlines: bool) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r') => self.i += 1,
                Some(b'\n') if newlines => self.i += 1,
                Some(b'#') => self.skip_to_eol(),
                Some(b'/') if self.rest().starts_with(b"//") => self.skip_to_eol(),
                Some(b'/') if self.rest().starts_with(b"/*") => self.skip_block_comment()?,
                _ => return Ok(()),
            }
        }
    }

    fn ident(&mut self) -> Option<(String, usize, usize)> {
        let start = self.i;
        let first = self.peek_char()?;
        if !is_ident_start(first) {
            return None;
        }
        let rest = self.text.get(start..).unwrap_or_default();
        let len = rest
            .char_indices()
            .find(|(_, c)| !is_ident_char(*c))
            .map_or(rest.len(), |(i, _)| i);
        self.i = start + len;
        Some((
            rest.get(..len).unwrap_or_default().to_string(),
            start,
            self.i,
        ))
    }

    fn body(&mut self) -> Result<Node, ParseError> {
        let mut entries = Vec::new();
        loop {
            self.ws(true)?;
            if self.i >= self.b.len() {
                break;
            }
            let Some((name, ks, ke)) = self.ident() else {
                let at = self.i;
                return Err(self.err(at, "expected an attribute name (`name = value`)"));
            };
            let kpos = self.span(ks, ke);
            self.ws(false)?;
            match self.peek() {
                Some(b'=') if self.b.get(self.i + 1) != Some(&b'=') => self.i += 1,
                Some(b'{' | b'"') => {
                    return Err(self.err(
                        ks,
                        "a block (`name { … }`) is not allowed: a .tfvars file holds only `name = value` attributes",
                    ))
                }
                _ => {
                    let at = self.i;
                    // The "name" may be a pasted credential: never echo it.
                    return Err(self.err(at, "expected `=` after the attribute name (`name = value`)"));
                }
            }
            self.ws(false)?;
            let v = self.expr()?;
            entries.push((
                Key {
                    text: name,
                    pos: kpos,
                },
                v,
            ));
            self.ws(false)?;
            match self.peek() {
                None => {}
                Some(b'\n') => self.i += 1,
                Some(_) => {
                    let at = self.i;
                    return Err(self.err(
                        at,
                        "expected a new line after the value (only literal values are allowed in .tfvars)",
                    ));
                }
            }
        }
        Ok(Node {
            pos: super::tree::Pos::default(),
            kind: Kind::Map(entries),
        })
    }

    /// One value. Lists and objects are tracked on an explicit stack, so nesting costs heap,
    /// not call stack: the depth limit is a policy, never a crash.
    fn expr(&mut self) -> Result<Node, ParseError> {
        let mut stack: Vec<Open> = Vec::new();
        loop {
            let start = self.i;
            let mut done = match self.peek() {
                Some(c @ (b'[' | b'{')) => {
                    self.check_depth(stack.len(), start)?;
                    self.i += 1;
                    self.ws(true)?;
                    let frame = if c == b'[' {
                        Open::Tuple {
                            start,
                            items: Vec::new(),
                        }
                    } else {
                        Open::Object {
                            start,
                            entries: Vec::new(),
                            key: None,
                        }
                    };
                    stack.push(frame);
                    self.after_open(&mut stack)?
                }
                _ => Some(self.scalar()?),
            };
            while let Some(node) = done.take() {
                match stack.last_mut() {
                    None => return Ok(node),
                    Some(Open::Tuple { items, .. }) => {
                        items.push(node);
                        self.ws(true)?;
                        match self.peek() {
                            Some(b',') => {
                                self.i += 1;
                                self.ws(true)?;
                                done = self.after_open(&mut stack)?;
                            }
                            Some(b']') => done = self.close(&mut stack),
                            None => {
                                let at = stack.last().map_or(0, Open::start);
                                return Err(self.err(at, "unterminated list: `]` expected"));
                            }
                            Some(_) => {
                                let at = self.i;
                                return Err(self.err(at, "expected `,` or `]` in the list"));
                            }
                        }
                    }
                    Some(Open::Object { entries, key, .. }) => {
                        if let Some(k) = key.take() {
                            entries.push((k, node));
                        }
                        self.ws(false)?;
                        match self.peek() {
                            Some(b',' | b'\n') => {
                                self.i += 1;
                                self.ws(true)?;
                                done = self.after_open(&mut stack)?;
                            }
                            Some(b'}') => done = self.close(&mut stack),
                            None => {
                                let at = stack.last().map_or(0, Open::start);
                                return Err(self.err(at, "unterminated object: `}` expected"));
                            }
                            Some(_) => {
                                let at = self.i;
                                return Err(self.err(
                                    at,
                                    "expected `,`, a new line or `}` after the object item",
                                ));
                            }
                        }
                    }
                }
            }
        }
    }

    /// After `[`, `{` or a separator: closes the container if its bracket follows (the node is
    /// returned), otherwise reads the next object key and leaves the cursor on the next value.
    fn after_open(&mut self, stack: &mut Vec<Open>) -> Result<Option<Node>, ParseError> {
        let (is_tuple, start) = match stack.last() {
            Some(f) => (matches!(f, Open::Tuple { .. }), f.start()),
            None => return Ok(None),
        };
        let close = if is_tuple { b']' } else { b'}' };
        match self.peek() {
            Some(c) if c == close => return Ok(self.close(stack)),
            None if is_tuple => return Err(self.err(start, "unterminated list: `]` expected")),
            None => return Err(self.err(start, "unterminated object: `}` expected")),
            _ => {}
        }
        if !is_tuple {
            let k = self.object_key()?;
            if let Some(Open::Object { key, .. }) = stack.last_mut() {
                *key = Some(k);
            }
        }
        Ok(None)
    }

    /// Pops the top container; the cursor is on its closing bracket.
    fn close(&mut self, stack: &mut Vec<Open>) -> Option<Node> {
        self.i += 1;
        let frame = stack.pop()?;
        let (start, kind) = match frame {
            Open::Tuple { start, items } => (start, Kind::List(items)),
            Open::Object { start, entries, .. } => (start, Kind::Map(entries)),
        };
        let pos = self.span_from(start);
        Some(Node { pos, kind })
    }

    /// `key =` / `"key":` inside an object, and the blanks after the separator.
    fn object_key(&mut self) -> Result<Key, ParseError> {
        let ks = self.i;
        let text = if self.peek() == Some(b'"') {
            self.string()?
        } else if let Some((name, _, _)) = self.ident() {
            name
        } else {
            return Err(self.err(ks, "expected an object key (a name or a quoted string)"));
        };
        let pos = self.span_from(ks);
        self.ws(false)?;
        match self.peek() {
            Some(b'=' | b':') => self.i += 1,
            _ => {
                let at = self.i;
                return Err(self.err(at, "expected `=` or `:` after the object key"));
            }
        }
        self.ws(true)?;
        Ok(Key { text, pos })
    }

    /// A string, heredoc, number or keyword.
    fn scalar(&mut self) -> Result<Node, ParseError> {
        let start = self.i;
        let v = match self.peek() {
            Some(b'"') => Value::String(self.string()?),
            Some(b'<') if self.rest().starts_with(b"<<") => Value::String(self.heredoc()?),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => match self.ident() {
                Some((w, _, _)) if w == "true" => Value::Bool(true),
                Some((w, _, _)) if w == "false" => Value::Bool(false),
                Some((w, _, _)) if w == "null" => Value::Null,
                Some(_) => {
                    return Err(self.err(
                        start,
                        "only literal values are allowed in .tfvars (no references, variables or function calls)",
                    ))
                }
                None => return Err(self.unexpected("a value")),
            },
        };
        let pos = self.span_from(start);
        Ok(Node {
            pos,
            kind: Kind::Scalar(v),
        })
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
            self.ws(false)?;
        }
        let digits_start = self.i;
        let digits = |p: &mut Self| {
            let s = p.i;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.i += 1;
            }
            p.i - s
        };
        if digits(self) == 0 {
            return Err(self.err(start, "invalid number"));
        }
        let mut float = false;
        if self.peek() == Some(b'.') && matches!(self.b.get(self.i + 1), Some(b'0'..=b'9')) {
            self.i += 1;
            digits(self);
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.err(start, "invalid number: digits expected in the exponent"));
            }
            float = true;
        }
        let neg = self.b.get(start) == Some(&b'-');
        let body = self.text.get(digits_start..self.i).unwrap_or_default();
        let text = if neg {
            format!("-{body}")
        } else {
            body.to_string()
        };
        match (float, text.parse::<i64>()) {
            (false, Ok(n)) => Ok(Value::Int(n)),
            _ => text
                .parse::<f64>()
                .map(Value::Float)
                .map_err(|_| self.err(start, "invalid number")),
        }
    }

    /// A quoted template; `${…}` and `%{…}` sequences are kept as written.
    fn string(&mut self) -> Result<String, ParseError> {
        let open = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek_char() else {
                return Err(self.err(
                    open,
                    "unterminated string (the quote opened here is never closed)",
                ));
            };
            match c {
                '"' => {
                    self.i += 1;
                    return Ok(out);
                }
                '\n' => {
                    return Err(self.err(
                        open,
                        "unterminated string: quoted strings end on their line (use a heredoc for several lines)",
                    ))
                }
                '\\' => {
                    let at = self.i;
                    self.i += 1;
                    let e = self.peek_char();
                    self.i += e.map_or(0, char::len_utf8);
                    match e {
                        Some('n') => out.push('\n'),
                        Some('r') => out.push('\r'),
                        Some('t') => out.push('\t'),
                        Some('"') => out.push('"'),
                        Some('\\') => out.push('\\'),
                        Some(u @ ('u' | 'U')) => {
                            let n = if u == 'u' { 4 } else { 8 };
                            let ch = self
                                .text
                                .get(self.i..self.i + n)
                                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .and_then(char::from_u32)
                                .ok_or_else(|| self.err(at, "invalid unicode escape"))?;
                            out.push(ch);
                            self.i += n;
                        }
                        _ => return Err(self.err(at, "invalid escape in string")),
                    }
                }
                '$' | '%' if self.b.get(self.i + 1) == Some(&b'{') => {
                    let seq = self.template_sequence()?;
                    out.push_str(&seq);
                }
                '$' | '%'
                    if self.b.get(self.i + 1) == Some(&(c as u8))
                        && self.b.get(self.i + 2) == Some(&b'{') =>
                {
                    // `$${` is a literal `${`.
                    out.push(c);
                    out.push('{');
                    self.i += 3;
                }
                _ => {
                    out.push(c);
                    self.i += c.len_utf8();
                }
            }
        }
    }

    /// `${ … }` / `%{ … }` up to the matching brace, skipping nested strings.
    fn template_sequence(&mut self) -> Result<String, ParseError> {
        let open = self.i;
        self.i += 2;
        let mut depth = 1usize;
        while depth > 0 {
            match self.peek() {
                None | Some(b'\n') => {
                    return Err(self.err(open, "unterminated template sequence: `}` expected"))
                }
                Some(b'{') => {
                    depth += 1;
                    self.i += 1;
                }
                Some(b'}') => {
                    depth -= 1;
                    self.i += 1;
                }
                Some(b'"') => {
                    self.string()?;
                }
                Some(_) => self.i += 1,
            }
        }
        Ok(self.text.get(open..self.i).unwrap_or_default().to_string())
    }

    fn heredoc(&mut self) -> Result<String, ParseError> {
        let open = self.i;
        self.i += 2;
        let indent = self.peek() == Some(b'-');
        if indent {
            self.i += 1;
        }
        let Some((marker, _, _)) = self.ident() else {
            return Err(self.err(open, "heredoc needs a marker: `<<EOF`"));
        };
        self.ws(false)?;
        if self.peek() != Some(b'\n') {
            let at = self.i;
            return Err(self.err(at, "expected a new line after the heredoc marker"));
        }
        self.i += 1;
        let mut lines: Vec<&str> = Vec::new();
        loop {
            if self.i >= self.b.len() {
                return Err(self.err(
                    open,
                    format!("unterminated heredoc: no closing `{marker}` line"),
                ));
            }
            let line_start = self.i;
            let end = memchr::memchr(b'\n', self.rest()).map_or(self.b.len(), |n| self.i + n);
            let raw = self.text.get(line_start..end).unwrap_or_default();
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.trim() == marker {
                self.i = line_start + (raw.len() - raw.trim_start().len()) + marker.len();
                break;
            }
            lines.push(line);
            self.i = (end + 1).min(self.b.len());
        }
        let strip = if indent {
            lines
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
                .min()
                .unwrap_or(0)
        } else {
            0
        };
        let mut out = String::new();
        for l in lines {
            out.push_str(l.get(strip..).unwrap_or(l.trim_start_matches([' ', '\t'])));
            out.push('\n');
        }
        Ok(out)
    }
}

/// A list or object being read.
enum Open {
    Tuple {
        start: usize,
        items: Vec<Node>,
    },
    Object {
        start: usize,
        entries: Vec<(Key, Node)>,
        /// The key whose value comes next.
        key: Option<Key>,
    },
}

impl Open {
    fn start(&self) -> usize {
        match self {
            Open::Tuple { start, .. } | Open::Object { start, .. } => *start,
        }
    }
}

#[cfg(test)]
mod tests;
