//! Keyword candidates: every occurrence of every rule keyword, from one non-overlapping
//! leftmost pass.
//!
//! An overlapping automaton search reports every occurrence directly but pays for it on every
//! byte; a leftmost search is the fast path of the automaton (and the one with prefilters), but
//! it reports only one keyword where several overlap (`api_key` hides `key`). The hidden ones
//! are recovered from the hits: every occurrence of a keyword `Q` starts inside the span of some
//! reported hit `P` (the search resumes at the end of `P` and always reports the leftmost start),
//! so it is enough to know, for each keyword `P`, which keywords can start at which offset inside
//! it. That table is built once per keyword; per file the extra work is proportional to the
//! hits, not to the bytes.
//!
//! Building is kept off a pre-commit run's critical path: the first [`TABLE_UPTO`] bytes are
//! searched with a table of the keywords' first three bytes (no automaton: a sort of the
//! keywords, tens of microseconds), then a contiguous NFA is built (a few milliseconds over
//! ~1,300 keywords), and the much larger DFA (tens of milliseconds) only once a scan has read
//! [`DFA_AFTER`] bytes, where its faster search pays for it; the overlap table is filled per
//! keyword on its first hit. Both automata are leftmost-first over the same keywords, and the
//! table reports every occurrence directly, so all three give the same hits (tests compare
//! each with a brute-force search).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Bytes searched with the NFA before the DFA is built: a pre-commit run (a few files) never
/// pays for the DFA; a tree or history scan builds it after its first few files.
pub const DFA_AFTER: u64 = 2 << 20;

/// Bytes searched with the prefix table ([`Table`]) before the NFA is built: building the NFA
/// over ~1,300 keywords costs milliseconds, more than the table takes to search a pre-commit
/// run's few files; a tree scan builds it after its first files.
pub const TABLE_UPTO: u64 = 1 << 20;

/// Another keyword that can start inside an occurrence of a keyword.
#[derive(Debug, Clone, Copy)]
struct Inner {
    /// The other keyword.
    pattern: u32,
    /// Where it starts, relative to the start of the outer occurrence.
    offset: u32,
    /// For a keyword that runs past the end of the outer one: its byte just after that end
    /// (lowercase). Only the candidates whose byte equals the text's are compared in full.
    next: u8,
}

/// The keywords that can start inside an occurrence of one keyword.
#[derive(Debug, Default)]
struct Inners {
    /// Those inside it: every occurrence of the outer keyword holds them.
    certain: Vec<Inner>,
    /// Those running past its end, sorted by [`Inner::next`]: a short keyword's last byte
    /// begins a hundred others (`…s` → every keyword starting with `s`), and the byte after
    /// the occurrence selects the few worth comparing.
    verify: Vec<Inner>,
}

/// One keyword occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// Byte offset of the occurrence.
    pub start: usize,
    /// Index of the keyword in [`KeywordSet::patterns`].
    pub pattern: u32,
}

/// A compiled keyword set (ASCII case-insensitive). Clones share the lazily built parts.
#[derive(Debug, Clone)]
pub struct KeywordSet {
    /// Bytes to search with the table before building the NFA ([`TABLE_UPTO`]).
    table_upto: u64,
    /// Bytes to search with the NFA before building the DFA ([`DFA_AFTER`]).
    dfa_after: u64,
    patterns: Arc<Vec<Vec<u8>>>,
    lazy: Arc<Lazy>,
}

/// The parts built on demand.
#[derive(Debug)]
struct Lazy {
    /// The keywords by their first bytes, for the first bytes searched.
    table: Table,
    /// The NFA, once built (`None` inside: no keyword, or it failed to build).
    nfa: OnceLock<Option<AhoCorasick>>,
    /// The DFA, once built (`None` inside: it exceeded its size limit; the NFA stays).
    dfa: OnceLock<Option<AhoCorasick>>,
    /// Bytes searched so far, to decide when the DFA pays.
    searched: AtomicU64,
    /// Pattern indexes sorted by keyword, for the overlap table.
    sorted: Vec<u32>,
    /// Per keyword, the keywords that can start inside it (filled on its first hit).
    inner: Vec<OnceLock<Inners>>,
}

fn builder() -> aho_corasick::AhoCorasickBuilder {
    let mut b = AhoCorasick::builder();
    // No prefilter: over ~1,300 case-insensitive keywords the crate's start-byte prefilter
    // fires on most bytes of source text and only adds a call per candidate; the automaton
    // alone was ~15 % faster on a sample of the benchmark tree.
    b.ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .prefilter(false);
    b
}

impl KeywordSet {
    /// Compiles `patterns` (lowercase ASCII, distinct, non-empty).
    pub fn new(patterns: Vec<Vec<u8>>) -> Self {
        let mut sorted: Vec<u32> = (0..patterns.len() as u32).collect();
        sorted.sort_unstable_by(|&a, &b| patterns[a as usize].cmp(&patterns[b as usize]));
        let lazy = Lazy {
            table: Table::new(&patterns),
            nfa: OnceLock::new(),
            dfa: OnceLock::new(),
            searched: AtomicU64::new(0),
            sorted,
            inner: (0..patterns.len()).map(|_| OnceLock::new()).collect(),
        };
        KeywordSet {
            table_upto: TABLE_UPTO,
            dfa_after: DFA_AFTER,
            patterns: Arc::new(patterns),
            lazy: Arc::new(lazy),
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

    /// How to search `len` more bytes: with the table while few bytes were searched, then the
    /// NFA, then (building it then) the DFA; `None` when there is no keyword.
    fn automaton(&self, len: usize) -> Option<Search<'_>> {
        if self.patterns.is_empty() {
            return None;
        }
        if let Some(dfa) = self.lazy.dfa.get() {
            let nfa = self.nfa()?;
            return Some(Search::Automaton(dfa.as_ref().unwrap_or(nfa)));
        }
        let before = self.lazy.searched.fetch_add(len as u64, Ordering::Relaxed);
        let after = before.saturating_add(len as u64);
        if after <= self.table_upto && self.lazy.nfa.get().is_none() {
            return Some(Search::Table);
        }
        let nfa = self.nfa()?;
        if after < self.dfa_after {
            return Some(Search::Automaton(nfa));
        }
        let dfa = self.lazy.dfa.get_or_init(|| {
            // A DFA over many keywords can exceed its size limit: then the NFA stays.
            builder()
                .kind(Some(AhoCorasickKind::DFA))
                .build(self.patterns.as_slice())
                .ok()
        });
        Some(Search::Automaton(dfa.as_ref().unwrap_or(nfa)))
    }

    /// The NFA, built on first use.
    fn nfa(&self) -> Option<&AhoCorasick> {
        self.lazy
            .nfa
            .get_or_init(|| {
                builder()
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(self.patterns.as_slice())
                    .or_else(|_| builder().build(self.patterns.as_slice()))
                    .ok()
            })
            .as_ref()
    }

    /// The keywords that can start inside keyword `p`, computed on its first hit.
    fn inner(&self, p: u32) -> Option<&Inners> {
        let cell = self.lazy.inner.get(p as usize)?;
        Some(cell.get_or_init(|| inner_of(&self.patterns, &self.lazy.sorted, p)))
    }

    /// Every occurrence of every keyword in `hay`, sorted by start.
    pub fn hits(&self, hay: &[u8]) -> Vec<Hit> {
        let mut out = Vec::new();
        let ac = match self.automaton(hay.len()) {
            None => return out,
            Some(Search::Table) => {
                self.lazy.table.hits(&self.patterns, hay, &mut out);
                out.sort_unstable();
                return out;
            }
            Some(Search::Automaton(ac)) => ac,
        };
        for m in ac.find_iter(hay) {
            let p = m.pattern().as_u32();
            let start = m.start();
            out.push(Hit { start, pattern: p });
            let Some(inners) = self.inner(p) else {
                continue;
            };
            for inner in &inners.certain {
                out.push(Hit {
                    start: start + inner.offset as usize,
                    pattern: inner.pattern,
                });
            }
            let Some(&after) = hay.get(m.end()) else {
                continue;
            };
            let after = after.to_ascii_lowercase();
            let from = inners.verify.partition_point(|i| i.next < after);
            for inner in inners.verify[from..].iter().take_while(|i| i.next == after) {
                let at = start + inner.offset as usize;
                let q = &self.patterns[inner.pattern as usize];
                if hay
                    .get(at..at + q.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(q))
                {
                    out.push(Hit {
                        start: at,
                        pattern: inner.pattern,
                    });
                }
            }
        }
        // Hits from one outer occurrence lie within it and precede the next outer occurrence,
        // so this is nearly sorted; the sort orders those within one occurrence.
        out.sort_unstable();
        out
    }
}

/// How [`KeywordSet::hits`] searches.
enum Search<'a> {
    Table,
    Automaton(&'a AhoCorasick),
}

/// The keywords by their first three bytes: at each position of the text, a bit for its first
/// two bytes (lowercased) rules most positions out, a binary search over the three-byte
/// prefixes finds the keywords that may start there, and each is compared. No build cost to
/// speak of (a sort of the keywords), so a pre-commit run of a few files searches with it
/// instead of building an automaton; it finds every occurrence, overlaps included.
#[derive(Debug)]
struct Table {
    /// Bit `b0 << 8 | b1` is set when some keyword of 3+ bytes starts with `b0 b1`.
    first2: Vec<u64>,
    /// `(first three bytes as a big-endian number, pattern)` of keywords of 3+ bytes, sorted.
    by3: Vec<(u32, u32)>,
    /// Keywords shorter than three bytes (rules require three; kept for generality), compared
    /// at every position.
    short: Vec<u32>,
}

impl Table {
    fn new(patterns: &[Vec<u8>]) -> Self {
        let mut first2 = vec![0u64; 1 << 10];
        let mut by3 = Vec::with_capacity(patterns.len());
        let mut short = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            let p: Vec<u8> = p.to_ascii_lowercase();
            if p.len() < 3 {
                short.push(i as u32);
                continue;
            }
            let two = usize::from(p[0]) << 8 | usize::from(p[1]);
            first2[two >> 6] |= 1 << (two & 63);
            by3.push((key3(p[0], p[1], p[2]), i as u32));
        }
        by3.sort_unstable();
        Table { first2, by3, short }
    }

    /// Appends every occurrence of every keyword in `hay` (unsorted) to `out`.
    fn hits(&self, patterns: &[Vec<u8>], hay: &[u8], out: &mut Vec<Hit>) {
        let at = |start: usize, p: u32| {
            let q = &patterns[p as usize];
            hay.get(start..start + q.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(q))
        };
        for start in 0..hay.len() {
            for &p in &self.short {
                if at(start, p) {
                    out.push(Hit { start, pattern: p });
                }
            }
            let Some(w) = hay.get(start..start + 3) else {
                continue;
            };
            let (b0, b1) = (w[0].to_ascii_lowercase(), w[1].to_ascii_lowercase());
            let two = usize::from(b0) << 8 | usize::from(b1);
            if self.first2[two >> 6] & (1 << (two & 63)) == 0 {
                continue;
            }
            let k = key3(b0, b1, w[2].to_ascii_lowercase());
            let from = self.by3.partition_point(|&(x, _)| x < k);
            for &(x, p) in &self.by3[from..] {
                if x != k {
                    break;
                }
                if at(start, p) {
                    out.push(Hit { start, pattern: p });
                }
            }
        }
    }
}

fn key3(a: u8, b: u8, c: u8) -> u32 {
    u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c)
}

/// For keyword `pi` (`P`), the keywords that can start inside an occurrence of `P`: those that
/// occur inside `P` (certain) and those whose prefix is a suffix of `P` (to verify). Found
/// with binary searches in `sorted` (pattern indexes in keyword order), so its cost grows with
/// `P`'s length squared times a logarithm, paid once per keyword that occurs at all.
fn inner_of(patterns: &[Vec<u8>], sorted: &[u32], pi: u32) -> Inners {
    let key = |i: &u32| patterns[*i as usize].as_slice();
    let Some(p) = patterns.get(pi as usize) else {
        return Inners::default();
    };
    let mut inner = Inners::default();
    for k in 0..p.len() {
        let tail = &p[k..];
        // Keywords that start with a prefix of `tail` lie inside P (certain); keywords
        // that start with all of `tail` and are longer run past P's end (verify).
        for end in (k + 1)..=p.len() {
            let piece = &p[k..end];
            if let Ok(at) = sorted.binary_search_by(|i| key(i).cmp(piece)) {
                let qi = sorted[at];
                if !(k == 0 && qi == pi) {
                    inner.certain.push(Inner {
                        pattern: qi,
                        offset: k as u32,
                        next: 0,
                    });
                }
            }
        }
        let from = sorted.partition_point(|i| key(i) < tail);
        for qi in &sorted[from..] {
            let s = key(qi);
            if !s.starts_with(tail) {
                break;
            }
            if let Some(&next) = s.get(tail.len()) {
                inner.verify.push(Inner {
                    pattern: *qi,
                    offset: k as u32,
                    next: next.to_ascii_lowercase(),
                });
            }
        }
    }
    inner.verify.sort_by_key(|i| i.next);
    inner
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(words: &[&str]) -> KeywordSet {
        KeywordSet::new(words.iter().map(|w| w.as_bytes().to_vec()).collect())
    }

    /// The same set searching with the DFA from its first byte.
    fn dfa_set(words: &[&str]) -> KeywordSet {
        let mut k = set(words);
        k.table_upto = 0;
        k.dfa_after = 0;
        k
    }

    /// The same set searching with the NFA (never the table, never the DFA).
    fn nfa_set(words: &[&str]) -> KeywordSet {
        let mut k = set(words);
        k.table_upto = 0;
        k.dfa_after = u64::MAX;
        k
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
        let (k, n, d) = (set(&words), nfa_set(&words), dfa_set(&words));
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
            assert_eq!(n.hits(hay), naive(&words, hay), "the NFA finds the same");
            assert_eq!(d.hits(hay), naive(&words, hay), "the DFA finds the same");
        }
        assert!(
            k.lazy.nfa.get().is_none(),
            "a few bytes: the table, no automaton"
        );
    }

    #[test]
    fn random_texts_match_the_naive_search() {
        let words = ["aab", "abab", "bab", "ba", "abba", "bbb", "aba"];
        let (k, n, d) = (set(&words), nfa_set(&words), dfa_set(&words));
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
            assert_eq!(n.hits(&hay), naive(&words, &hay));
            assert_eq!(d.hits(&hay), naive(&words, &hay));
        }
    }

    #[test]
    fn many_keywords_running_past_an_occurrence_match_the_naive_search() {
        // Dozens of keywords over a 4-byte alphabet: every keyword's suffix begins many
        // others, so the candidates chosen by the byte after an occurrence are exercised,
        // including occurrences at the very end of the text (no byte after them).
        let mut x: u32 = 99;
        let mut next = |n: u32| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) % n
        };
        let mut words: Vec<String> = Vec::new();
        while words.len() < 60 {
            let len = 2 + next(5) as usize;
            let w: String = (0..len)
                .map(|_| b"abs_"[next(4) as usize] as char)
                .collect();
            if !words.contains(&w) {
                words.push(w);
            }
        }
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        let (k, d) = (set(&refs), dfa_set(&refs));
        for round in 0..300 {
            let len = if round % 10 == 0 {
                next(8)
            } else {
                40 + next(80)
            };
            let hay: Vec<u8> = (0..len).map(|_| b"abAsS_"[next(6) as usize]).collect();
            let want = naive(&refs, &hay);
            assert_eq!(k.hits(&hay), want, "{}", String::from_utf8_lossy(&hay));
            assert_eq!(d.hits(&hay), want, "{}", String::from_utf8_lossy(&hay));
        }
    }

    #[test]
    fn the_dfa_is_built_only_after_enough_bytes() {
        let mut k = set(&["secret", "token"]);
        k.table_upto = 64;
        k.dfa_after = 100;
        let hay = b"my secret token ".repeat(4);
        assert_eq!(k.hits(&hay).len(), 8);
        assert!(k.lazy.nfa.get().is_none(), "64 bytes: the table");
        assert_eq!(k.hits(&hay[..32]).len(), 4);
        assert!(k.lazy.nfa.get().is_some(), "96 bytes: the NFA");
        assert!(k.lazy.dfa.get().is_none(), "96 bytes: still the NFA");
        assert_eq!(k.hits(&hay).len(), 8);
        assert!(k.lazy.dfa.get().is_some(), "160 bytes: the DFA is built");
        assert_eq!(k.hits(&hay), naive(&["secret", "token"], &hay));
    }
}
