//! dotenv: `KEY=value` lines with `export`, quotes, escapes, multi-line quoted values and
//! comments. `${VAR}` references are kept as written: resolving them is the comparison's call.
//!
//! Quoting follows the common dotenv dialects (docker compose, python-dotenv, dotenvx):
//! `'single'` and `` `backtick` `` values are literal, `"double"` values understand `\n`, `\r`,
//! `\t`, `\"`, `\\`, `\$` and `\'` (any other backslash is kept), all three may span lines.
//! Unquoted values end at a `#` preceded by whitespace and are trimmed. A key given twice keeps
//! the last value, as a shell would.

use super::text::Positions;
use super::{Limits, ParseError};
use crate::scanners::drift::model::{escape_segment, FlatConfig, Value};

pub(super) fn parse(path: &str, text: &str, limits: &Limits) -> Result<FlatConfig, ParseError> {
    let mut p = Parser {
        path,
        b: text.as_bytes(),
        text,
        i: 0,
        pos: Positions::new(text),
    };
    let mut out = FlatConfig::default();
    while let Some((key, value, start, end)) = p.next_entry()? {
        if out.entries.len() >= limits.max_entries && !out.entries.contains_key(&key) {
            let (l, c) = p.pos.line_col(start);
            return Err(ParseError::new(
                path,
                l,
                c,
                format!("more than {} keys in one file", limits.max_entries),
            ));
        }
        let loc = p.pos.span(path, start, end);
        out.insert(key, Value::String(value), loc);
    }
    Ok(out)
}

struct Parser<'a> {
    path: &'a str,
    text: &'a str,
    b: &'a [u8],
    i: usize,
    pos: Positions<'a>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn at_eol(&self) -> bool {
        match self.peek() {
            None | Some(b'\n') => true,
            Some(b'\r') => matches!(self.b.get(self.i + 1), None | Some(b'\n')),
            _ => false,
        }
    }

    fn skip_line(&mut self) {
        match memchr::memchr(b'\n', self.b.get(self.i..).unwrap_or_default()) {
            Some(n) => self.i += n + 1,
            None => self.i = self.b.len(),
        }
    }

    fn err(&mut self, at: usize, msg: impl Into<String>) -> ParseError {
        self.pos.error(self.path, at, msg)
    }

    /// Next `(key path, value, value start, value end)`, or `None` at the end.
    fn next_entry(&mut self) -> Result<Option<(String, String, usize, usize)>, ParseError> {
        loop {
            if self.i >= self.b.len() {
                return Ok(None);
            }
            self.skip_blanks();
            if self.at_eol() || self.peek() == Some(b'#') {
                self.skip_line();
                continue;
            }
            if self
                .b
                .get(self.i..)
                .is_some_and(|r| r.starts_with(b"export"))
                && matches!(self.b.get(self.i + 6), Some(b' ' | b'\t'))
            {
                self.i += 6;
                self.skip_blanks();
            }
            let key_start = self.i;
            while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
            {
                self.i += 1;
            }
            let key = self.text.get(key_start..self.i).unwrap_or_default();
            if key.is_empty()
                || key.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
            {
                return Err(self.err(
                    key_start,
                    "expected a variable name (letters, digits, `_`, `.`, `-`; not starting with a digit)",
                ));
            }
            let key = key.to_string();
            self.skip_blanks();
            if self.peek() != Some(b'=') {
                let at = self.i;
                // The "name" may be a pasted credential: never echo it.
                return Err(self.err(
                    at,
                    "expected `=` after the variable name (lines are `KEY=value`)",
                ));
            }
            self.i += 1;
            let eq = self.i;
            self.skip_blanks();
            let start = self.i;
            let (value, end) = match self.peek() {
                Some(q @ (b'"' | b'\'' | b'`')) => self.quoted(q)?,
                _ => self.unquoted(start > eq),
            };
            self.skip_blanks();
            if self.peek() == Some(b'#') || self.at_eol() {
                self.skip_line();
            } else {
                let at = self.i;
                return Err(self.err(
                    at,
                    format!(
                        "unexpected text after the closing quote of `{key}`; quote the whole value"
                    ),
                ));
            }
            return Ok(Some((
                format!("/{}", escape_segment(&key)),
                value,
                start,
                end,
            )));
        }
    }

    /// An unquoted value; `blank_before` when blanks separate it from the `=` (so a `#` right
    /// at its start opens a comment, while `KEY=#x` is the value `#x`).
    fn unquoted(&mut self, blank_before: bool) -> (String, usize) {
        let start = self.i;
        let rest = self.b.get(start..).unwrap_or_default();
        let eol = memchr::memchr(b'\n', rest).map_or(self.b.len(), |n| start + n);
        let mut end = eol;
        let mut prev_blank = blank_before;
        for (k, c) in self
            .b
            .get(start..eol)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if *c == b'#' && prev_blank {
                end = start + k;
                break;
            }
            prev_blank = matches!(c, b' ' | b'\t');
        }
        while end > start && matches!(self.b.get(end - 1), Some(b' ' | b'\t' | b'\r')) {
            end -= 1;
        }
        self.i = end;
        // Leave the cursor on the comment (if any) or the end of line.
        while self.i < eol && matches!(self.peek(), Some(b' ' | b'\t' | b'\r')) {
            self.i += 1;
        }
        (
            self.text.get(start..end).unwrap_or_default().to_string(),
            end,
        )
    }

    fn quoted(&mut self, q: u8) -> Result<(String, usize), ParseError> {
        let open = self.i;
        self.i += 1;
        let mut out = String::new();
        let mut seg = self.i;
        loop {
            let Some(c) = self.peek() else {
                let what = match q {
                    b'"' => "double",
                    b'\'' => "single",
                    _ => "backtick",
                };
                return Err(self.err(
                    open,
                    format!(
                        "unterminated {what}-quoted value (the quote opened here is never closed)"
                    ),
                ));
            };
            if c == q {
                out.push_str(self.text.get(seg..self.i).unwrap_or_default());
                self.i += 1;
                // A CRLF file must not differ from its LF twin in a multi-line value.
                if out.contains("\r\n") {
                    out = out.replace("\r\n", "\n");
                }
                return Ok((out, self.i));
            }
            if c == b'\\' && q == b'"' {
                out.push_str(self.text.get(seg..self.i).unwrap_or_default());
                let esc = self.b.get(self.i + 1).copied();
                let rep = match esc {
                    Some(b'n') => Some('\n'),
                    Some(b'r') => Some('\r'),
                    Some(b't') => Some('\t'),
                    Some(b'"') => Some('"'),
                    Some(b'\\') => Some('\\'),
                    Some(b'$') => Some('$'),
                    Some(b'\'') => Some('\''),
                    _ => None,
                };
                match rep {
                    Some(ch) => {
                        out.push(ch);
                        self.i += 2;
                    }
                    None => {
                        out.push('\\');
                        self.i += 1;
                    }
                }
                seg = self.i;
                continue;
            }
            self.i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{at, text};
    use super::*;

    fn p(t: &str) -> FlatConfig {
        parse("cfg/.env", t, &Limits::default()).unwrap()
    }

    #[test]
    fn plain_export_quotes_and_positions() {
        let f = p("# top\nA=1\nexport B = two words  # note\n  C='x # y'\nD=\"a\\nb\\\"c\"\nE=\n");
        assert_eq!(text(&f, "/A"), "1");
        assert_eq!(at(&f, "/A"), (2, 3, 2, 4));
        assert_eq!(text(&f, "/B"), "two words");
        assert_eq!(at(&f, "/B"), (3, 12, 3, 21));
        assert_eq!(text(&f, "/C"), "x # y");
        assert_eq!(at(&f, "/C"), (4, 5, 4, 12));
        assert_eq!(text(&f, "/D"), "a\nb\"c");
        assert_eq!(text(&f, "/E"), "");
        assert_eq!(at(&f, "/E"), (6, 3, 6, 3));
        assert_eq!(f.entries.len(), 5);
        assert!(f.entries.values().all(|e| e.location.path == "cfg/.env"));
    }

    #[test]
    fn multiline_references_and_last_wins() {
        let t = "KEY=\"-----BEGIN-----\nabc\n-----END-----\"\nURL=${HOST}:${PORT:-80}/x\nURL=later\nS='lit\\n$X'\nT=`tick`\n";
        let f = p(t);
        assert_eq!(text(&f, "/KEY"), "-----BEGIN-----\nabc\n-----END-----");
        assert_eq!(at(&f, "/KEY"), (1, 5, 3, 15));
        assert_eq!(text(&f, "/URL"), "later");
        assert_eq!(f.entries["/URL"].location.start_line, 5);
        assert_eq!(text(&f, "/S"), "lit\\n$X");
        assert_eq!(text(&f, "/T"), "tick");
        let f = p("R=${DB_URL}\nexport=1\nexportX=2\n");
        assert_eq!(text(&f, "/R"), "${DB_URL}");
        assert_eq!(text(&f, "/export"), "1");
        assert_eq!(text(&f, "/exportX"), "2");
    }

    #[test]
    fn crlf_hash_in_value_and_dotted_keys() {
        let f = p("A=x#y\r\nspring.datasource.url=jdbc:x\r\nB=#c\r\nC=\"q\" # after\r\nD= #c\r\n");
        assert_eq!(text(&f, "/A"), "x#y");
        assert_eq!(text(&f, "/spring.datasource.url"), "jdbc:x");
        assert_eq!(text(&f, "/B"), "#c");
        assert_eq!(text(&f, "/D"), "");
        assert_eq!(text(&f, "/C"), "q");
        let f = p("K='a\r\nb'\r\nL=\"c\\r\\nd\"\r\n");
        assert_eq!(text(&f, "/K"), "a\nb");
        assert_eq!(text(&f, "/L"), "c\nd");
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("a.env", "A=1\nB=\"open\nC=2\n", &Limits::default()).unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        assert!(
            e.message.contains("unterminated double-quoted"),
            "{}",
            e.message
        );
        let e = parse("a.env", "A=1\n\nJUSTAKEY\n", &Limits::default()).unwrap_err();
        assert_eq!((e.line, e.column), (3, 9));
        assert!(e.message.contains("expected `=` after the variable name"));
        assert!(!e.message.contains("JUSTAKEY"));
        let e = parse("a.env", "A='x' y\n", &Limits::default()).unwrap_err();
        assert_eq!((e.line, e.column), (1, 7));
        let e = parse("a.env", "=x\n", &Limits::default()).unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        let e = parse("a.env", "1A=x\n", &Limits::default()).unwrap_err();
        assert!(e.message.contains("variable name"));
        // The secret-looking value never appears in the message.
        let e = parse("a.env", "TOKEN='hunter2-secret\n", &Limits::default()).unwrap_err();
        assert!(!e.message.contains("hunter2"));
    }

    #[test]
    fn entry_limit() {
        let l = Limits {
            max_entries: 2,
            ..Limits::default()
        };
        assert!(parse("a.env", "A=1\nA=2\nB=1\n", &l).is_ok());
        let e = parse("a.env", "A=1\nB=2\nC=3\n", &l).unwrap_err();
        assert_eq!(e.line, 3);
    }
}
