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
    /// Mistakes in a configuration file: all of them, each at its line and column, so one run
    /// shows everything to fix.
    #[error("{}", render_config_errors(.0))]
    Config(Vec<ConfigError>),
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

/// One mistake in a configuration file, at `path:line:column`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConfigError {
    /// The file (`stagegate.toml`, or a rule file it names).
    pub path: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters, when known.
    pub column: Option<u32>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl ConfigError {
    /// The error at byte `offset` of `text`, the content of `path`.
    pub fn at_offset(
        path: impl Into<PathBuf>,
        text: &str,
        offset: usize,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = line_col_of_offset(text, offset);
        // One error per line of output, whatever the parser's message looks like.
        let message: String = message.into();
        ConfigError {
            path: path.into(),
            line,
            column: Some(column),
            message: message.replace('\n', " "),
        }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)?;
        if let Some(c) = self.column {
            write!(f, ":{c}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// One error per line, in file order.
fn render_config_errors(errors: &[ConfigError]) -> String {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    lines.join("\n")
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
    fn config_errors_are_listed_one_per_line_with_columns() {
        let text = "a = 1\nbb = 2\n";
        let e = Error::Config(vec![
            ConfigError::at_offset("s.toml", text, 0, "first"),
            ConfigError::at_offset("s.toml", text, 9, "second"),
        ]);
        assert_eq!(e.to_string(), "s.toml:1:1: first\ns.toml:2:4: second");
    }

    #[test]
    fn input_error_names_file_and_line() {
        let e = Error::input("a/b.toml", Some(3), "bad");
        assert_eq!(e.to_string(), "a/b.toml:3: bad");
        let e = Error::input("a/b.toml", None, "bad");
        assert_eq!(e.to_string(), "a/b.toml: bad");
    }
}
