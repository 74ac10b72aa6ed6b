//! Byte offsets → 1-based (line, column in characters), fast enough for 100 000-key files.
//!
//! Columns are counted in Unicode scalar values (SARIF's default `columnKind`). A cursor remembers
//! the last answer so that the mostly increasing offsets a parser asks for cost O(distance), not
//! O(line length): a minified one-line JSON file stays linear.

use super::tree::Pos;
use super::ParseError;
use crate::finding::Location;

/// Line starts of a text and a cursor over it.
pub(crate) struct Positions<'a> {
    text: &'a str,
    /// Byte offset of the first byte of each line.
    starts: Vec<usize>,
    /// Last resolved (offset, line index, column).
    cursor: (usize, usize, u32),
}

impl<'a> Positions<'a> {
    /// Indexes `text` (one pass over its bytes).
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Positions {
            text,
            starts,
            cursor: (0, 0, 1),
        }
    }

    /// 1-based (line, column) of byte `offset` (clamped to the text, snapped to a char boundary).
    pub(crate) fn line_col(&mut self, offset: usize) -> (u32, u32) {
        let mut offset = offset.min(self.text.len());
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = self.starts.get(line).copied().unwrap_or(0);
        let (c_off, c_line, c_col) = self.cursor;
        let col = if c_line == line && c_off <= offset {
            c_col.saturating_add(count_chars(self.text.get(c_off..offset).unwrap_or("")))
        } else {
            1u32.saturating_add(count_chars(self.text.get(line_start..offset).unwrap_or("")))
        };
        self.cursor = (offset, line, col);
        (to_u32(line + 1), col)
    }

    /// The [`Pos`] of bytes `start..end` (end exclusive), for the tree builders.
    pub(crate) fn pos(&mut self, start: usize, end: usize) -> Pos {
        let (line, col) = self.line_col(start);
        let (end_line, end_col) = self.line_col(end);
        Pos {
            line,
            col,
            end_line,
            end_col,
        }
    }

    /// A parse error of `path` at byte `at`.
    pub(crate) fn error(&mut self, path: &str, at: usize, msg: impl Into<String>) -> ParseError {
        let (line, col) = self.line_col(at);
        ParseError::new(path, line, col, msg)
    }

    /// A location from byte `start` to byte `end` (exclusive).
    pub(crate) fn span(&mut self, path: &str, start: usize, end: usize) -> Location {
        let (sl, sc) = self.line_col(start);
        let (el, ec) = self.line_col(end.max(start));
        Location {
            path: path.to_string(),
            start_line: sl,
            start_column: sc,
            end_line: el,
            end_column: ec,
            commit: None,
        }
    }
}

fn count_chars(s: &str) -> u32 {
    to_u32(s.bytes().filter(|b| (b & 0xC0) != 0x80).count())
}

/// Saturating `usize` → `u32` for line and column numbers.
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Splits `text` into lines with the byte offset of each line start; the line excludes `\n` and a
/// trailing `\r`.
pub(crate) fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0usize;
    text.split_inclusive('\n').map(move |raw| {
        let start = offset;
        offset += raw.len();
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        (start, line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_in_characters() {
        let t = "ab\ncdé f\n\nx";
        let mut p = Positions::new(t);
        assert_eq!(p.line_col(0), (1, 1));
        assert_eq!(p.line_col(3), (2, 1));
        // 'é' is 2 bytes: byte 7 is the space after it, column 4.
        assert_eq!(p.line_col(7), (2, 4));
        assert_eq!(p.line_col(8), (2, 5));
        assert_eq!(p.line_col(10), (3, 1));
        assert_eq!(p.line_col(11), (4, 1));
        // Backwards after forwards still right (cursor is only a shortcut).
        assert_eq!(p.line_col(4), (2, 2));
        // Inside a multi-byte char snaps back; past the end clamps.
        assert_eq!(p.line_col(6), (2, 3));
        assert_eq!(p.line_col(999), (4, 2));
    }

    #[test]
    fn spans_are_exclusive_at_the_end() {
        let mut p = Positions::new("k: value\n");
        let l = p.span("a.yaml", 3, 8);
        assert_eq!(
            (l.start_line, l.start_column, l.end_line, l.end_column),
            (1, 4, 1, 9)
        );
    }

    #[test]
    fn lines_strip_crlf() {
        let v: Vec<_> = lines_with_offsets("a\r\nbc\nd").collect();
        assert_eq!(v, vec![(0, "a"), (3, "bc"), (6, "d")]);
    }
}
