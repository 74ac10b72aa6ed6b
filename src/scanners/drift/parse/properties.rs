//! Java `.properties` as `java.util.Properties.load` reads it: `=`, `:` or whitespace between key
//! and value, `#`/`!` comment lines, backslash continuation lines (leading whitespace of the next
//! line dropped), escapes (`\t`, `\n`, `\r`, `\f`, `\uXXXX`, `\` + any char = that char).
//! A key given twice keeps the last value, as Java does. Keys keep their dots:
//! `/spring.datasource.url`.

use super::text::{lines_with_offsets, Positions};
use super::{Limits, ParseError};
use crate::scanners::drift::model::{escape_segment, FlatConfig, Value};

pub(super) fn parse(path: &str, text: &str, limits: &Limits) -> Result<FlatConfig, ParseError> {
    let mut pos = Positions::new(text);
    let mut out = FlatConfig::default();
    let mut lines = lines_with_offsets(text).peekable();
    while let Some((line_start, line)) = lines.next() {
        let body = line.trim_start_matches([' ', '\t', '\u{c}']);
        if body.is_empty() || body.starts_with(['#', '!']) {
            continue;
        }
        // Assemble the logical line: (text, source offset) segments.
        let mut segs: Vec<(&str, usize)> = vec![(body, line_start + (line.len() - body.len()))];
        while let Some((text_seg, _)) = segs.last().copied() {
            if !continues(text_seg) {
                break;
            }
            if let Some(last) = segs.last_mut() {
                last.0 = text_seg.get(..text_seg.len() - 1).unwrap_or_default();
            }
            match lines.next() {
                Some((ns, next)) => {
                    let t = next.trim_start_matches([' ', '\t', '\u{c}']);
                    segs.push((t, ns + (next.len() - t.len())));
                }
                None => break,
            }
        }
        let logical = Logical { segs };
        if out.entries.len() >= limits.max_entries {
            let (l, c) = pos.line_col(logical.source(0));
            return Err(ParseError::new(
                path,
                l,
                c,
                format!("more than {} keys in one file", limits.max_entries),
            ));
        }
        let (key, value, v_start, v_end) = logical.split().map_err(|at| {
            let (l, c) = pos.line_col(at);
            ParseError::new(
                path,
                l,
                c,
                "malformed \\uXXXX escape: four hex digits expected",
            )
        })?;
        let loc = pos.span(path, v_start, v_end);
        out.insert(
            format!("/{}", escape_segment(&key)),
            Value::String(value),
            loc,
        );
    }
    Ok(out)
}

/// A line continues when it ends with an odd number of backslashes.
fn continues(s: &str) -> bool {
    s.bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1
}

/// One logical line made of physical-line segments.
struct Logical<'a> {
    segs: Vec<(&'a str, usize)>,
}

impl Logical<'_> {
    /// Source offset of logical char position (segment index, byte in segment).
    fn source(&self, seg: usize) -> usize {
        self.segs.get(seg).map_or(0, |s| s.1)
    }

    /// Characters with their source offsets.
    fn chars(&self) -> Vec<(char, usize)> {
        self.segs
            .iter()
            .flat_map(|(t, off)| t.char_indices().map(move |(i, c)| (c, off + i)))
            .collect()
    }

    fn end(&self) -> usize {
        self.segs.last().map_or(0, |(t, off)| off + t.len())
    }

    /// (key, value, value start, value end); `Err(offset)` for a bad `\u` escape.
    fn split(&self) -> Result<(String, String, usize, usize), usize> {
        let cs = self.chars();
        let mut i = 0;
        let mut key_end = cs.len();
        while let Some((c, _)) = cs.get(i) {
            match c {
                '\\' => i += 2,
                '=' | ':' | ' ' | '\t' | '\u{c}' => {
                    key_end = i;
                    break;
                }
                _ => i += 1,
            }
        }
        let key_end = key_end.min(cs.len());
        let key = unescape(cs.get(..key_end).unwrap_or_default())?;
        let mut j = key_end;
        while matches!(cs.get(j), Some((' ' | '\t' | '\u{c}', _))) {
            j += 1;
        }
        if matches!(cs.get(j), Some(('=' | ':', _))) {
            j += 1;
            while matches!(cs.get(j), Some((' ' | '\t' | '\u{c}', _))) {
                j += 1;
            }
        }
        let vals = cs.get(j..).unwrap_or_default();
        let value = unescape(vals)?;
        let start = vals.first().map_or(self.end(), |(_, o)| *o);
        Ok((key, value, start, self.end().max(start)))
    }
}

fn unescape(cs: &[(char, usize)]) -> Result<String, usize> {
    let mut out = String::with_capacity(cs.len());
    let mut i = 0;
    while let Some((c, off)) = cs.get(i) {
        i += 1;
        if *c != '\\' {
            out.push(*c);
            continue;
        }
        let Some((e, _)) = cs.get(i) else { break };
        i += 1;
        match e {
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            'f' => out.push('\u{c}'),
            'u' => {
                let hex: String = cs
                    .get(i..i + 4)
                    .unwrap_or_default()
                    .iter()
                    .map(|(c, _)| *c)
                    .collect();
                let ch = (hex.len() == 4 && hex.chars().all(|c| c.is_ascii_hexdigit()))
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .ok_or(*off)?;
                // Lone surrogates (Java allows them) become U+FFFD.
                out.push(char::from_u32(ch).unwrap_or('\u{FFFD}'));
                i += 4;
            }
            other => out.push(*other),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{at, text};
    use super::*;

    fn p(t: &str) -> FlatConfig {
        parse(
            "src/main/resources/application.properties",
            t,
            &Limits::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn separators_comments_and_positions() {
        let t = "\
# comment
! also a comment
spring.datasource.url=jdbc:postgresql://db/app
server.port : 8080
app.name   My App
  indented=yes
empty=
key\\ with\\ spaces = v
a\\=b=c
";
        let f = p(t);
        assert_eq!(
            text(&f, "/spring.datasource.url"),
            "jdbc:postgresql://db/app"
        );
        assert_eq!(at(&f, "/spring.datasource.url"), (3, 23, 3, 47));
        assert_eq!(text(&f, "/server.port"), "8080");
        assert_eq!(at(&f, "/server.port"), (4, 15, 4, 19));
        assert_eq!(text(&f, "/app.name"), "My App");
        assert_eq!(at(&f, "/app.name"), (5, 12, 5, 18));
        assert_eq!(text(&f, "/indented"), "yes");
        assert_eq!(text(&f, "/empty"), "");
        assert_eq!(at(&f, "/empty"), (7, 7, 7, 7));
        assert_eq!(text(&f, "/key with spaces"), "v");
        assert_eq!(text(&f, "/a=b"), "c");
        assert_eq!(f.entries.len(), 7);
    }

    #[test]
    fn continuations_escapes_and_unicode() {
        let t = "\
list = a,\\
       b,\\
       c
msg=caf\\u00e9\\tx\\ny\\\\
path=C:\\\\dir\\\\
next=1
slash=\\q
starts=\\
  on next line
";
        let f = p(t);
        assert_eq!(text(&f, "/list"), "a,b,c");
        assert_eq!(at(&f, "/list"), (1, 8, 3, 9));
        assert_eq!(text(&f, "/msg"), "café\tx\ny\\");
        assert_eq!(text(&f, "/path"), "C:\\dir\\");
        assert_eq!(text(&f, "/next"), "1");
        assert_eq!(text(&f, "/slash"), "q");
        assert_eq!(text(&f, "/starts"), "on next line");
        assert_eq!(at(&f, "/starts"), (9, 3, 9, 15));
        let f = p("a=1\na=2\n");
        assert_eq!(text(&f, "/a"), "2");
        let f = p("dangling=x\\");
        assert_eq!(text(&f, "/dangling"), "x");
    }

    #[test]
    fn malformed_unicode_escape_is_located() {
        let e = parse("a.properties", "ok=1\nbad=x\\u12G4\n", &Limits::default()).unwrap_err();
        assert_eq!((e.line, e.column), (2, 6));
        assert!(e.message.contains("\\uXXXX"));
        let e = parse("a.properties", "bad=\\u12", &Limits::default()).unwrap_err();
        assert_eq!(e.line, 1);
    }
}
