//! A small JSON reader that remembers the line of every value and object key, because
//! `serde_json` forgets where things were and findings must point at the package's entry.
//! Strict RFC 8259 (what npm, Composer and Pipenv write); nesting is bounded so a hostile
//! file is an error, not a stack overflow.

use super::super::lockfile::LockError;
use super::{at, line_of};

/// Deeper nesting than this is refused (real lockfiles stay under 10).
const MAX_DEPTH: usize = 128;

/// A JSON value with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct J {
    pub line: u32,
    /// Line of the value's last character (its closing bracket for containers).
    pub end: u32,
    pub v: V,
}

/// The value.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum V {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<J>),
    /// Members in file order: (key, value).
    Obj(Vec<(String, J)>),
}

impl J {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&J> {
        match &self.v {
            V::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string value, if it is one.
    pub fn str(&self) -> Option<&str> {
        match &self.v {
            V::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Object members (empty for anything else).
    pub fn members(&self) -> &[(String, J)] {
        match &self.v {
            V::Obj(m) => m,
            _ => &[],
        }
    }

    /// Array items (empty for anything else).
    pub fn items(&self) -> &[J] {
        match &self.v {
            V::Arr(a) => a,
            _ => &[],
        }
    }

    /// The last line of this value (the line of its closing bracket, or its own line).
    pub fn end_line(&self) -> u32 {
        self.end
    }
}

/// Parses a whole document.
pub(super) fn parse(text: &str) -> Result<J, LockError> {
    let mut p = P {
        t: text,
        b: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.b.len() {
        return Err(p.err("unexpected content after the JSON value"));
    }
    Ok(v)
}

struct P<'a> {
    t: &'a str,
    b: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn line(&self) -> u32 {
        line_of(self.t, self.i)
    }
    fn err(&self, msg: &str) -> LockError {
        at(self.line(), format!("invalid JSON: {msg}"))
    }
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<J, LockError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        self.ws();
        let line = self.line();
        let v =
            match self.b.get(self.i) {
                None => return Err(self.err("unexpected end of file")),
                Some(b'{') => {
                    self.i += 1;
                    let mut m = Vec::new();
                    if !self.eat(b'}') {
                        loop {
                            self.ws();
                            if self.b.get(self.i) != Some(&b'"') {
                                return Err(self.err("expected a string key"));
                            }
                            let k = self.string()?;
                            if !self.eat(b':') {
                                return Err(self.err("expected `:` after the key"));
                            }
                            let v = self.value(depth + 1)?;
                            m.push((k, v));
                            if self.eat(b',') {
                                continue;
                            }
                            if self.eat(b'}') {
                                break;
                            }
                            return Err(self.err("expected `,` or `}`"));
                        }
                    }
                    V::Obj(m)
                }
                Some(b'[') => {
                    self.i += 1;
                    let mut a = Vec::new();
                    if !self.eat(b']') {
                        loop {
                            a.push(self.value(depth + 1)?);
                            if self.eat(b',') {
                                continue;
                            }
                            if self.eat(b']') {
                                break;
                            }
                            return Err(self.err("expected `,` or `]`"));
                        }
                    }
                    V::Arr(a)
                }
                Some(b'"') => V::Str(self.string()?),
                Some(_) => {
                    let start = self.i;
                    while self.b.get(self.i).is_some_and(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.')
                    }) {
                        self.i += 1;
                    }
                    match &self.t[start..self.i] {
                        "null" => V::Null,
                        "true" => V::Bool(true),
                        "false" => V::Bool(false),
                        n if !n.is_empty() && n.parse::<f64>().is_ok() => V::Num(n.to_string()),
                        _ => {
                            self.i = start;
                            return Err(self.err("expected a value"));
                        }
                    }
                }
            };
        let end = line_of(self.t, self.i.saturating_sub(1));
        Ok(J { line, end, v })
    }

    fn string(&mut self) -> Result<String, LockError> {
        self.i += 1; // opening quote
        let mut s = String::new();
        loop {
            let rest = &self.b[self.i..];
            let Some(n) = memchr::memchr2(b'"', b'\\', rest) else {
                return Err(self.err("unterminated string"));
            };
            let chunk = &self.t[self.i..self.i + n];
            if chunk.contains('\n') {
                return Err(self.err("newline inside a string"));
            }
            s.push_str(chunk);
            self.i += n;
            if self.b[self.i] == b'"' {
                self.i += 1;
                return Ok(s);
            }
            // Escape.
            let Some(&e) = self.b.get(self.i + 1) else {
                return Err(self.err("unterminated string"));
            };
            self.i += 2;
            match e {
                b'"' => s.push('"'),
                b'\\' => s.push('\\'),
                b'/' => s.push('/'),
                b'b' => s.push('\u{8}'),
                b'f' => s.push('\u{c}'),
                b'n' => s.push('\n'),
                b'r' => s.push('\r'),
                b't' => s.push('\t'),
                b'u' => {
                    let hex = self.t.get(self.i..self.i + 4).unwrap_or("");
                    let cp =
                        u32::from_str_radix(hex, 16).map_err(|_| self.err("invalid \\u escape"))?;
                    self.i += 4;
                    // Surrogates (never in package names) become U+FFFD.
                    s.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                }
                _ => return Err(self.err("invalid escape")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_keys_values_and_errors() {
        let j =
            parse("{\n  \"a\": {\n    \"b\": \"x\\u0041\"\n  },\n  \"c\": [1, true, null]\n}\n")
                .unwrap();
        let a = j.get("a").unwrap();
        assert_eq!((a.line, a.end_line()), (2, 4));
        assert_eq!(a.get("b").unwrap().str(), Some("xA"));
        assert_eq!(a.get("b").unwrap().line, 3);
        assert_eq!(j.get("c").unwrap().items().len(), 3);
        for (bad, line) in [
            ("{\n\"a\": 1,\n}", 3),
            ("{\"a\" 1}", 1),
            ("[1,\n2\n", 3),
            ("{\"a\": tru}", 1),
            ("\"open", 1),
            ("{} x", 1),
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.line, Some(line), "{bad:?}: {e:?}");
        }
        let deep = "[".repeat(1000);
        assert!(parse(&deep).unwrap_err().message.contains("deeply"));
    }
}
