//! Errors that stop the frame (configuration, usage, output) and input errors with a place.
//!
//! Scanner-level problems that should not stop the other scanners travel as
//! [`crate::finding::Notification`]s instead.

use std::path::PathBuf;

/// A problem that the user fixes: every variant names the file and, where known, the line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file could be read but its content is wrong.
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Input {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<u32>,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A command-line mistake.
    #[error("{0}")]
    Usage(String),
    /// Writing a report failed; nothing was left at the destination.
    #[error("{path}: cannot write report: {source}")]
    Output {
        /// Destination.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// An input error at `path`, `line`.
    pub fn input(path: impl Into<PathBuf>, line: Option<u32>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

/// 1-based line of byte offset `offset` in `text`.
pub fn line_of_offset(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    let n = memchr::memchr_iter(b'\n', &text.as_bytes()[..end]).count();
    u32::try_from(n + 1).unwrap_or(u32::MAX)
}

/// 1-based (line, column in characters) of byte offset `offset` in `text`.
pub fn line_col_of_offset(text: &str, offset: usize) -> (u32, u32) {
    let mut end = offset.min(text.len());
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = line_of_offset(text, end);
    let col = before[line_start..].chars().count() + 1;
    (line, u32::try_from(col).unwrap_or(u32::MAX))
}

/// Result alias for the frame.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_to_lines_and_columns() {
        let t = "ab\ncdé\nf";
        assert_eq!(line_col_of_offset(t, 0), (1, 1));
        assert_eq!(line_col_of_offset(t, 3), (2, 1));
        assert_eq!(line_col_of_offset(t, 7), (2, 4));
        assert_eq!(line_col_of_offset(t, 8), (3, 1));
        assert_eq!(line_of_offset(t, 1000), 3);
    }

    #[test]
    fn input_error_names_file_and_line() {
        let e = Error::input("a/b.toml", Some(3), "bad");
        assert_eq!(e.to_string(), "a/b.toml:3: bad");
        let e = Error::input("a/b.toml", None, "bad");
        assert_eq!(e.to_string(), "a/b.toml: bad");
    }
}
