//! Keyword candidates: every occurrence of every rule keyword, from one non-overlapping
//! leftmost pass.
//!
//! An overlapping automaton search reports every occurrence directly but pays for it on every
//! byte; a leftmost search is the fast path of the automaton (and the one with prefilters), but
//! it reports only one keyword where several overlap (`api_key` hides `key`). The hidden ones
//! are recovered from the hits: every occurrence of a keyword `Q` starts inside the span of some
//! reported hit `P` (the search resumes at the end of `P` and always reports the leftmost start),
//! so it is enough to know, for each keyword `P`, which keywords can start at which offset inside
//! it. That table is built once per rule set; per file the extra work is proportional to the
//! hits, not to the bytes.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Another keyword that can start inside an occurrence of a keyword.
#[derive(Debug, Clone, Copy)]
struct Inner {
    /// The other keyword.
    pattern: u32,
    /// Where it starts, relative to the start of the outer occurrence.
    offset: u32,
    /// Whether it runs past the end of the outer keyword (then the bytes after the
    /// occurrence must be compared); otherwise it lies inside and is certain.
    verify: bool,
}

/// One keyword occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// Byte offset of the occurrence.
    pub start: usize,
    /// Index of the keyword in [`KeywordSet::patterns`].
    pub pattern: u32,
}

/// A compiled keyword set (ASCII case-insensitive).
#[derive(Debug, Clone)]
pub struct KeywordSet {
    ac: Option<AhoCorasick>,
    patterns: Vec<Vec<u8>>,
    inner: Vec<Vec<Inner>>,
}

impl KeywordSet {
    /// Compiles `patterns` (lowercase ASCII, distinct, non-empty).
    pub fn new(patterns: Vec<Vec<u8>>) -> Self {
        let ac = if patterns.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostFirst)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&patterns)
                .or_else(|_| {
                    // A DFA over many keywords can exceed its size limit: fall back to the
                    // automatic choice (contiguous NFA), which always builds.
                    AhoCorasick::builder()
                        .ascii_case_insensitive(true)
                        .match_kind(MatchKind::LeftmostFirst)
                        .build(&patterns)
                })
                .ok()
        };
        let inner = inner_table(&patterns);
        KeywordSet {
            ac,
            patterns,
            inner,
        }
    }

    /// The keywords, lowercase.
    pub fn patterns(&self) -> &[Vec<u8>] {
        &self.patterns
    }

    /// Length of keyword `pattern`.
    pub fn len_of(&self, pattern: u32) -> usize {
        self.patterns.get(pattern as usize).map_or(0, Vec::len)
    }

    /// Every occurrence of every keyword in `hay`, sorted by start.
    pub fn hits(&self, hay: &[u8]) -> Vec<Hit> {
        let mut out = Vec::new();
        let Some(ac) = &self.ac else {
            return out;
        };
        for m in ac.find_iter(hay) {
            let p = m.pattern().as_u32();
            let start = m.start();
            out.push(Hit { start, pattern: p });
            for inner in self.inner.get(p as usize).map_or(&[][..], Vec::as_slice) {
                let at = start + inner.offset as usize;
                let ok = !inner.verify || {
                    let q = &self.patterns[inner.pattern as usize];
                    hay.get(at..at + q.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(q))
                };
                if ok {
                    out.push(Hit {
                        start: at,
                        pattern: inner.pattern,
                    });
                }
            }
        }
        // Hits from one outer occurrence are in offset order and precede the next outer
        // occurrence, so this is nearly sorted; the sort only orders equal starts.
        out.sort_unstable();
        out
    }
}

/// For each keyword `P`, the keywords that can start inside an occurrence of `P`: those that
/// occur inside `P` (certain) and those whose prefix is a suffix of `P` (to verify). Built
/// from a sorted copy of the keywords with binary searches, so its cost grows with the total
/// keyword length, not with its square.
fn inner_table(patterns: &[Vec<u8>]) -> Vec<Vec<Inner>> {
    let mut sorted: Vec<(&[u8], u32)> = patterns
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_slice(), i as u32))
        .collect();
    sorted.sort_unstable();
    let mut table = Vec::with_capacity(patterns.len());
    for (pi, p) in patterns.iter().enumerate() {
        let mut inner = Vec::new();
        for k in 0..p.len() {
            let tail = &p[k..];
            // Keywords that start with a prefix of `tail` lie inside P (certain); keywords
            // that start with all of `tail` and are longer run past P's end (verify).
            for end in (k + 1)..=p.len() {
                let piece = &p[k..end];
                if let Ok(at) = sorted.binary_search_by(|(s, _)| (*s).cmp(piece)) {
                    let (_, qi) = sorted[at];
                    if !(k == 0 && qi as usize == pi) {
                        inner.push(Inner {
                            pattern: qi,
                            offset: k as u32,
                            verify: false,
                        });
                    }
                }
            }
            let from = sorted.partition_point(|(s, _)| *s < tail);
            for &(s, qi) in &sorted[from..] {
                if !s.starts_with(tail) {
                    break;
                }
                if s.len() > tail.len() {
                    inner.push(Inner {
                        pattern: qi,
                        offset: k as u32,
                        verify: true,
                    });
                }
            }
        }
        inner.sort_by_key(|i| i.offset);
        table.push(inner);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(words: &[&str]) -> KeywordSet {
        KeywordSet::new(words.iter().map(|w| w.as_bytes().to_vec()).collect())
    }

    /// Every occurrence, the slow obvious way.
    fn naive(words: &[&str], hay: &[u8]) -> Vec<Hit> {
        let mut out = Vec::new();
        for (pi, w) in words.iter().enumerate() {
            for s in 0..hay.len() {
                if hay[s..].len() >= w.len()
                    && hay[s..s + w.len()].eq_ignore_ascii_case(w.as_bytes())
                {
                    out.push(Hit {
                        start: s,
                        pattern: pi as u32,
                    });
                }
            }
        }
        out.sort_unstable();
        out
    }

    #[test]
    fn overlapping_keywords_are_all_found() {
        let words = [
            "api_key", "key", "keys", "_ke", "pass", "password", "wordy", "ssw",
        ];
        let k = set(&words);
        for hay in [
            &b"MY_API_KEY = 1; passwordy; keys api_keys"[..],
            b"apikey passwor password api_ke",
            b"",
            b"kkkeeeyyy keykeykey",
        ] {
            assert_eq!(
                k.hits(hay),
                naive(&words, hay),
                "{}",
                String::from_utf8_lossy(hay)
            );
        }
    }

    #[test]
    fn random_texts_match_the_naive_search() {
        let words = ["aab", "abab", "bab", "ba", "abba", "bbb", "aba"];
        let k = set(&words);
        // A small deterministic generator over a two-letter alphabet: dense overlaps.
        let mut x: u32 = 12345;
        for _ in 0..200 {
            let hay: Vec<u8> = (0..64)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    if (x >> 16) & 1 == 0 {
                        b'a'
                    } else {
                        b'B'
                    }
                })
                .collect();
            assert_eq!(k.hits(&hay), naive(&words, &hay));
        }
    }
}
