//! The read position of the hand-written parsers (JSON, `.tfvars`): the text, a byte offset,
//! and errors and spans that name the file, line and column. One type, so both parsers report
//! positions, comments and the nesting limit the same way.

use super::text::Positions;
use super::tree::Pos;
use super::{Limits, ParseError};

pub(super) struct Cursor<'a> {
    /// The file's path as reported in errors.
    pub path: &'a str,
    pub text: &'a str,
    pub b: &'a [u8],
    /// The byte offset of the next byte to read.
    pub i: usize,
    pos: Positions<'a>,
    /// How deep containers may nest ([`Limits::depth`]).
    pub max_depth: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(path: &'a str, text: &'a str, limits: &Limits) -> Self {
        Cursor {
            path,
            text,
            b: text.as_bytes(),
            i: 0,
            pos: Positions::new(text),
            max_depth: limits.depth(),
        }
    }

    /// An error at byte `at`, with its line and column.
    pub fn err(&mut self, at: usize, msg: impl Into<String>) -> ParseError {
        self.pos.error(self.path, at, msg)
    }

    /// An error at the cursor.
    pub fn err_here(&mut self, msg: impl Into<String>) -> ParseError {
        let at = self.i;
        self.err(at, msg)
    }

    pub fn span(&mut self, start: usize, end: usize) -> Pos {
        self.pos.pos(start, end)
    }

    /// The span from `start` to the cursor.
    pub fn span_from(&mut self, start: usize) -> Pos {
        let end = self.i;
        self.pos.pos(start, end)
    }

    pub fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    pub fn peek_char(&self) -> Option<char> {
        self.text.get(self.i..).and_then(|r| r.chars().next())
    }

    /// The bytes from the cursor on.
    pub fn rest(&self) -> &'a [u8] {
        self.b.get(self.i..).unwrap_or_default()
    }

    /// Moves to the end of the line (onto its `\n`, or the end of the text).
    pub fn skip_to_eol(&mut self) {
        self.i = memchr::memchr(b'\n', self.rest()).map_or(self.b.len(), |n| self.i + n);
    }

    /// Skips the `/* … */` comment that starts at the cursor; an unterminated one is an error
    /// at its opening.
    pub fn skip_block_comment(&mut self) -> Result<(), ParseError> {
        let open = self.i;
        let body = self.b.get(self.i + 2..).unwrap_or_default();
        match memchr::memmem::find(body, b"*/") {
            Some(n) => {
                self.i += n + 4;
                Ok(())
            }
            None => Err(self.err(open, "unterminated `/*` comment")),
        }
    }

    /// "unexpected character `c`" (or end of file) at the cursor, saying what was `expected`.
    pub fn unexpected(&mut self, expected: &str) -> ParseError {
        let at = self.i;
        match self.peek_char() {
            None => self.err(at, format!("unexpected end of file: expected {expected}")),
            Some(c) => self.err(
                at,
                format!("unexpected character {c:?}: expected {expected}"),
            ),
        }
    }

    /// An error at `at` when `open` containers are already open: nesting is bounded so that a
    /// hostile `[[[[…` is an error, never a stack or memory blow-up.
    pub fn check_depth(&mut self, open: usize, at: usize) -> Result<(), ParseError> {
        if open >= self.max_depth {
            let msg = format!("nesting deeper than {} levels", self.max_depth);
            return Err(self.err(at, msg));
        }
        Ok(())
    }
}

/// Declares `struct $name<'a>(Cursor<'a>)`, a grammar that reaches the cursor's fields and
/// helpers through `Deref`: each parser keeps its own method names (`string`, `number`) on a
/// type of its own, over one shared cursor.
macro_rules! grammar_over_cursor {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        struct $name<'a>(super::cursor::Cursor<'a>);

        impl<'a> std::ops::Deref for $name<'a> {
            type Target = super::cursor::Cursor<'a>;
            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }

        impl std::ops::DerefMut for $name<'_> {
            fn deref_mut(&mut self) -> &mut Self::Target {
                &mut self.0
            }
        }
    };
}
pub(super) use grammar_over_cursor;
