//! What the token tables ([`super::token`]) need to know about a rule's regex: the literal
//! prefixes of its secret and the secret group as a regex of its own.
//!
//! Both come from parsing the regex, which for ~1,000 built-in rules costs a pre-commit run tens
//! of milliseconds. So `build.rs` includes this file (it imports nothing from the crate, only
//! `regex_syntax`), computes the facts of every built-in rule once at build time and compiles
//! them into the binary as [`StaticFacts`]; the program parses only user rules' regexes.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Capture, Hir, HirKind};

/// The facts of one regex, as [`regex_facts`] computes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegexFacts {
    /// The literal prefixes (non-empty ones) of the secret group, or of the whole regex when
    /// it has no group, with that part as a regex of its own; `None` when the regex does not
    /// parse or the prefixes are not a finite set of literals.
    pub prefix: Option<(Vec<Vec<u8>>, String)>,
    /// The secret group (named `secret`, else group 1) as a regex of its own; `None` when the
    /// regex does not parse or has no such group.
    pub format: Option<String>,
}

/// [`RegexFacts`] compiled into the binary by `build.rs` (borrowed, so it needs no allocation
/// to exist).
#[derive(Debug, Clone, Copy)]
pub struct StaticFacts {
    /// See [`RegexFacts::prefix`].
    pub prefix: Option<(&'static [&'static [u8]], &'static str)>,
    /// See [`RegexFacts::format`].
    pub format: Option<&'static str>,
}

impl From<&StaticFacts> for RegexFacts {
    fn from(s: &StaticFacts) -> Self {
        RegexFacts {
            prefix: s
                .prefix
                .map(|(lits, part)| (lits.iter().map(|l| l.to_vec()).collect(), part.to_string())),
            format: s.format.map(str::to_string),
        }
    }
}

/// Parses `regex` once (bytes mode, as the engine compiles it) and derives its facts.
pub fn regex_facts(regex: &str) -> RegexFacts {
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(regex)
    else {
        return RegexFacts::default();
    };
    let group = find_capture(&hir, &|c| c.name.as_deref() == Some("secret"))
        .or_else(|| find_capture(&hir, &|c| c.index == 1));
    let part = group.unwrap_or(&hir);
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix);
    let seq = ex.extract(part);
    let prefix = seq.literals().map(|lits| {
        let lits = lits
            .iter()
            .map(|l| l.as_bytes().to_vec())
            .filter(|l| !l.is_empty())
            .collect();
        (lits, part.to_string())
    });
    RegexFacts {
        prefix,
        format: group.map(Hir::to_string),
    }
}

/// The first capture group (depth first) that `want` accepts, without the group itself.
fn find_capture<'h>(hir: &'h Hir, want: &dyn Fn(&Capture) -> bool) -> Option<&'h Hir> {
    match hir.kind() {
        HirKind::Capture(c) if want(c) => Some(&c.sub),
        HirKind::Capture(c) => find_capture(&c.sub, want),
        HirKind::Repetition(r) => find_capture(&r.sub, want),
        HirKind::Concat(v) | HirKind::Alternation(v) => {
            v.iter().find_map(|h| find_capture(h, want))
        }
        _ => None,
    }
}

/// How far a regex's matches reach, from its syntax alone (the secrets engine searches a window
/// that wide around each keyword hit). Computed by `build.rs` for the built-in rules, so a
/// rule that triggers compiles its regex without parsing it a second time for its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReachFact {
    /// No match is longer than this many bytes.
    Bounded(usize),
    /// Unbounded only through repetitions of narrow classes (`\s*`, `[\w.]+`).
    Unbounded,
    /// An unbounded repetition of almost any byte, newlines included (`(?s:.){64,}?`,
    /// `[^"]+`), such as a PEM body; also the answer for a regex that does not parse.
    LongBody,
}

/// The [`ReachFact`] of `regex` (bytes mode, as the engine compiles it).
pub fn reach_fact(regex: &str) -> ReachFact {
    match regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(regex)
    {
        Ok(hir) => match hir.properties().maximum_len() {
            Some(n) => ReachFact::Bounded(n),
            None if has_long_body(&hir) => ReachFact::LongBody,
            None => ReachFact::Unbounded,
        },
        Err(_) => ReachFact::LongBody,
    }
}

/// Whether `hir` has an unbounded repetition of a class that matches a newline and most other
/// characters (`(?s:.)`, `[^"]`, `[\s\S]`).
fn has_long_body(hir: &Hir) -> bool {
    use regex_syntax::hir::Class;
    let wide = |h: &Hir| match h.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            let n: u64 = c
                .ranges()
                .iter()
                .map(|r| u64::from(r.end()) - u64::from(r.start()) + 1)
                .sum();
            n > 200
                && c.ranges()
                    .iter()
                    .any(|r| r.start() <= '\n' && '\n' <= r.end())
        }
        HirKind::Class(Class::Bytes(c)) => {
            let n: u32 = c
                .ranges()
                .iter()
                .map(|r| u32::from(r.end()) - u32::from(r.start()) + 1)
                .sum();
            n > 200
                && c.ranges()
                    .iter()
                    .any(|r| r.start() <= b'\n' && b'\n' <= r.end())
        }
        _ => false,
    };
    match hir.kind() {
        HirKind::Repetition(rep) => {
            (rep.max.is_none() && wide(&rep.sub)) || has_long_body(&rep.sub)
        }
        HirKind::Capture(c) => has_long_body(&c.sub),
        HirKind::Concat(hs) | HirKind::Alternation(hs) => hs.iter().any(has_long_body),
        _ => false,
    }
}
