//! Keyword candidates: every occurrence of every rule keyword, from one pass of hashed prefix
//! filters with direct verification.
//!
//! An automaton over ~1,350 case-insensitive keywords is a few MB of transition table that a
//! search walks one dependent load per byte, cache-missing through it. Here a position costs
//! one bit test in an 8 KiB filter that stays in L1: its first three bytes, case-folded with one
//! OR and hashed, against every keyword's first three. Nothing chains from one position to the
//! next, so the processor overlaps them, and the positions that pass are written to a buffer
//! rather than branched on. About one position in ten of source code passes (`con`, `typ`,
//! `nam` begin keywords); those test their first four bytes against the longer keywords' prefixes
//! and their first three against the three-byte keywords (about one in twenty-five passes), and
//! only those look their keywords up in a small open-addressed table and compare them, with one
//! lowercased 8-byte word per keyword.
//!
//! Every occurrence is found directly, overlapping ones included (`api_key` and `key` at the
//! same text), so there is nothing to recover from hits; work per position is bounded by the
//! keywords sharing one prefix, so the pass is linear in the text. Building is a hash of the
//! keywords: microseconds, so a pre-commit run and a tree scan use the same search.

use std::sync::Arc;

/// log2 of the filter's size in bits: 64 Ki bits (8 KiB, in L1), filled to ~2 % by ~1,300
/// prefixes.
const FILTER_BITS: u32 = 16;

/// `u64` words of a filter.
const FILTER_WORDS: usize = 1 << (FILTER_BITS - 6);

/// The bytes of a folded little-endian word that make a three-byte prefix.
const THREE: u32 = 0x00FF_FFFF;

/// Positions tested before their candidates are looked at.
const BLOCK: usize = 256;

/// Multiplier of the prefix hash (Knuth's, odd: a bijection on `u32` whose high bits mix all
/// four bytes).
const HASH_MUL: u32 = 0x9E37_79B1;

/// Case-folds four bytes at once: ASCII letters' `0x20` bit is set. Other bytes may collide
/// with their `0x20` twin (`_` and DEL, `@` and `` ` ``), which only lets a position through to
/// the exact comparison; every case-insensitive occurrence folds to its keyword's value.
#[inline]
fn fold(x: u32) -> u32 {
    x | 0x2020_2020
}

/// Position of a folded prefix in the filter and the lookup table.
#[inline]
fn hash(folded: u32) -> usize {
    (folded.wrapping_mul(HASH_MUL) >> (32 - FILTER_BITS)) as usize
}

/// A bit filter over [`hash`] values: 2^FILTER_BITS bits, so indexing by a hash needs no
/// bounds check.
type Filter = [u64; FILTER_WORDS];

/// Sets `key`'s bit in `filter`.
fn set_bit(filter: &mut Filter, key: u32) {
    let h = hash(key);
    filter[h >> 6] |= 1 << (h & 63);
}

/// `key`'s bit in `filter` (false positives possible).
#[inline]
fn has_bit(filter: &Filter, key: u32) -> bool {
    let h = hash(key);
    filter[h >> 6] >> (h & 63) & 1 != 0
}

/// One keyword occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// Byte offset of the occurrence.
    pub start: usize,
    /// Index of the keyword in [`KeywordSet::patterns`].
    pub pattern: u32,
}

/// A compiled keyword set (ASCII case-insensitive). Clones share the tables.
#[derive(Debug, Clone)]
pub struct KeywordSet {
    inner: Arc<Tables>,
}

/// The keywords by folded prefix.
#[derive(Debug)]
struct Tables {
    /// The keywords, lowercase.
    patterns: Vec<Vec<u8>>,
    /// Keywords of four bytes or more, by their first four.
    long: PrefixIndex,
    /// Keywords of exactly three bytes, by all three.
    three: PrefixIndex,
    /// The first three bytes of every keyword of three or more: the first test at each
    /// position (bits of [`hash`] over the folded three bytes).
    first3: Box<Filter>,
    /// Keywords shorter than three bytes (rules require three; kept for generality), compared
    /// at every position.
    short: Vec<u32>,
    /// Per keyword, its first eight bytes (lowercase, little-endian) and the mask of those it
    /// has: one word comparison settles a keyword of up to eight bytes.
    heads: Vec<(u64, u64)>,
}

/// ASCII-lowercases eight bytes at once (other bytes unchanged), exactly as
/// [`u8::to_ascii_lowercase`] does each.
#[inline]
fn lower8(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low7 = x & (0x7F * ONES);
    // The high bit of each byte of `ge_a` is set where the byte's low seven bits are >= `A`,
    // of `gt_z` where they are > `Z` (no carries cross bytes: each sum stays below 0x100).
    let ge_a = low7 + (0x80 - u64::from(b'A')) * ONES;
    let gt_z = low7 + (0x80 - u64::from(b'Z') - 1) * ONES;
    let upper = (ge_a ^ gt_z) & !x & (0x80 * ONES);
    x | (upper >> 2)
}

/// The first eight bytes from `at` (zero-padded past the end), lowercased.
#[inline]
fn head_at(hay: &[u8], at: usize) -> u64 {
    if let Some(Ok(b)) = hay.get(at..at + 8).map(<[u8; 8]>::try_from) {
        return lower8(u64::from_le_bytes(b));
    }
    let mut b = [0u8; 8];
    let rest = hay.get(at..).unwrap_or_default();
    let n = rest.len().min(8);
    b[..n].copy_from_slice(&rest[..n]);
    lower8(u64::from_le_bytes(b))
}

/// Keywords grouped by a folded prefix (the first three or four bytes of a little-endian
/// `u32`): a bit filter, then an open-addressed table of the distinct prefixes.
#[derive(Debug)]
struct PrefixIndex {
    /// The bits of [`hash`] over the prefixes, one `u64` per 64 (a fixed size, so indexing
    /// by a hash needs no bounds check).
    filter: Box<Filter>,
    /// Which bytes of the folded word make the prefix (all four, or [`THREE`]).
    mask: u32,
    /// Slots of `(folded prefix, first, end)`: the keywords `order[first..end]` share the
    /// prefix. An empty slot has `first == end`. Sized a power of two at least twice the
    /// prefixes, so probes stay short.
    slots: Vec<(u32, u32, u32)>,
    /// Keyword indexes grouped by prefix.
    order: Vec<u32>,
}

impl PrefixIndex {
    /// Indexes keywords `members` of `patterns` by their first `width` bytes (3 or 4).
    fn new(patterns: &[Vec<u8>], members: &[u32], width: usize) -> Self {
        let mask = if width == 4 { u32::MAX } else { THREE };
        let prefix = |p: u32| {
            let mut b = [0u8; 4];
            let w = &patterns[p as usize];
            b[..width].copy_from_slice(&w[..width]);
            fold(u32::from_le_bytes(b)) & mask
        };
        let mut grouped: Vec<(u32, u32)> = members.iter().map(|&p| (prefix(p), p)).collect();
        grouped.sort_unstable();
        let distinct = grouped.windows(2).filter(|w| w[0].0 != w[1].0).count() + 1;
        let size = (distinct * 2).next_power_of_two().max(16);
        let mut slots = vec![(0u32, 0u32, 0u32); size];
        let mut filter = Box::new([0u64; FILTER_WORDS]);
        let order: Vec<u32> = grouped.iter().map(|&(_, p)| p).collect();
        let mut i = 0;
        while i < grouped.len() {
            let key = grouped[i].0;
            let mut j = i;
            while j < grouped.len() && grouped[j].0 == key {
                j += 1;
            }
            set_bit(&mut filter, key);
            let mut s = hash(key) & (size - 1);
            while slots[s].1 != slots[s].2 {
                s = (s + 1) & (size - 1);
            }
            slots[s] = (key, i as u32, j as u32);
            i = j;
        }
        PrefixIndex {
            filter,
            mask,
            slots,
            order,
        }
    }

    /// Whether some keyword may start with the folded word `f` (false positives possible).
    #[inline]
    fn may_start(&self, f: u32) -> bool {
        has_bit(&self.filter, f & self.mask)
    }

    /// The keywords whose prefix folds to `f`'s (to be compared in full).
    fn candidates(&self, f: u32) -> &[u32] {
        let key = f & self.mask;
        let size = self.slots.len();
        let mut s = hash(key) & (size - 1);
        loop {
            let (k, first, end) = self.slots[s];
            if first == end {
                return &[];
            }
            if k == key {
                return &self.order[first as usize..end as usize];
            }
            s = (s + 1) & (size - 1);
        }
    }
}

impl KeywordSet {
    /// Compiles `patterns` (lowercase ASCII, distinct, non-empty).
    pub fn new(patterns: Vec<Vec<u8>>) -> Self {
        let (mut long, mut three, mut short) = (Vec::new(), Vec::new(), Vec::new());
        for (i, p) in patterns.iter().enumerate() {
            let i = i as u32;
            match p.len() {
                0 => {}
                1 | 2 => short.push(i),
                3 => three.push(i),
                _ => long.push(i),
            }
        }
        let heads = patterns
            .iter()
            .map(|p| {
                let n = p.len().min(8);
                let mask = if n == 8 {
                    u64::MAX
                } else {
                    (1u64 << (8 * n)) - 1
                };
                (head_at(p, 0) & mask, mask)
            })
            .collect();
        let mut first3 = Box::new([0u64; FILTER_WORDS]);
        for p in long.iter().chain(&three) {
            let w = &patterns[*p as usize];
            set_bit(
                &mut first3,
                fold(u32::from_le_bytes([w[0], w[1], w[2], 0])) & THREE,
            );
        }
        let tables = Tables {
            first3,
            heads,
            long: PrefixIndex::new(&patterns, &long, 4),
            three: PrefixIndex::new(&patterns, &three, 3),
            short,
            patterns,
        };
        KeywordSet {
            inner: Arc::new(tables),
        }
    }

    /// The keywords, lowercase.
    pub fn patterns(&self) -> &[Vec<u8>] {
        &self.inner.patterns
    }

    /// Length of keyword `pattern`.
    pub fn len_of(&self, pattern: u32) -> usize {
        self.inner
            .patterns
            .get(pattern as usize)
            .map_or(0, Vec::len)
    }

    /// Every occurrence of every keyword in `hay`, sorted by start (then keyword).
    pub fn hits(&self, hay: &[u8]) -> Vec<Hit> {
        let t = &*self.inner;
        let mut out = Vec::new();
        if t.patterns.is_empty() {
            return out;
        }
        // Three passes over blocks of positions, none with a branch to mispredict per
        // position: every position tests its first three bytes against all keywords' first
        // three (about one in ten passes, on source code); those take the four-byte and
        // three-byte-keyword tests (about one in twenty-five passes); those look their
        // keywords up and compare them. Each pass writes the positions it keeps to `cand`.
        let first3 = &*t.first3;
        let word = |at: usize| {
            let w = &hay[at..at + 4];
            fold(u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
        };
        let n = hay.len().saturating_sub(3);
        let mut cand = [0u32; BLOCK];
        let mut base = 0;
        while base < n {
            let end = (base + BLOCK).min(n);
            let mut kept = 0;
            // Four positions per 8-byte load (their three bytes each lie in it); `kept` is at
            // most the position, below BLOCK.
            let block = &hay[base..end + 3];
            let count = end - base;
            let mut i = 0;
            while i + 8 <= block.len() {
                let Ok(b) = <[u8; 8]>::try_from(&block[i..i + 8]) else {
                    break;
                };
                let x = u64::from_le_bytes(b) | 0x2020_2020_2020_2020;
                for k in 0..4 {
                    cand[kept % BLOCK] = (i + k) as u32;
                    kept += usize::from(has_bit(first3, (x >> (8 * k)) as u32 & THREE));
                }
                i += 4;
            }
            while i < count {
                cand[kept % BLOCK] = i as u32;
                kept += usize::from(has_bit(first3, word(base + i) & THREE));
                i += 1;
            }
            let mut again = 0;
            for j in 0..kept {
                let i = cand[j];
                let f = word(base + i as usize);
                cand[again] = i;
                again += usize::from(t.long.may_start(f) | t.three.may_start(f));
            }
            for &i in &cand[..again] {
                let start = base + i as usize;
                t.at(hay, start, word(start), &mut out);
            }
            base = end;
        }
        for start in hay.len().saturating_sub(3)..hay.len() {
            let mut b = [0u8; 4];
            let rest = &hay[start..];
            b[..rest.len()].copy_from_slice(rest);
            t.at(hay, start, fold(u32::from_le_bytes(b)), &mut out);
        }
        if !t.short.is_empty() {
            for start in 0..hay.len() {
                t.compare(hay, start, head_at(hay, start), &t.short, &mut out);
            }
        }
        // Hits come out by position (short keywords after); the sort orders them by start,
        // then keyword.
        out.sort_unstable();
        out
    }
}

impl Tables {
    /// Pushes the keywords of three bytes or more that occur at `start`, whose folded first
    /// four bytes are `f`. Reached from a few percent of the positions, so kept out of line.
    #[inline(never)]
    fn at(&self, hay: &[u8], start: usize, f: u32, out: &mut Vec<Hit>) {
        let (long, three) = (self.long.may_start(f), self.three.may_start(f));
        if !(long || three) {
            return;
        }
        let head = head_at(hay, start);
        if long {
            self.compare(hay, start, head, self.long.candidates(f), out);
        }
        if three {
            self.compare(hay, start, head, self.three.candidates(f), out);
        }
    }

    /// Pushes those of `candidates` that occur at `start`, whose first eight bytes lowercased
    /// are `head`.
    fn compare(&self, hay: &[u8], start: usize, head: u64, candidates: &[u32], out: &mut Vec<Hit>) {
        for &p in candidates {
            let (want, mask) = self.heads[p as usize];
            if head & mask != want {
                continue;
            }
            let q = &self.patterns[p as usize];
            if q.len() <= 8
                || hay
                    .get(start + 8..start + q.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(&q[8..]))
            {
                out.push(Hit { start, pattern: p });
            }
        }
    }
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

    /// Asserts that the set of `words` finds in each of `hays` what [`naive`] finds.
    fn assert_finds_the_naive_hits(words: &[&str], hays: &[&[u8]]) {
        let k = set(words);
        for hay in hays {
            assert_eq!(
                k.hits(hay),
                naive(words, hay),
                "{}",
                String::from_utf8_lossy(hay)
            );
        }
    }

    #[test]
    fn overlapping_keywords_are_all_found() {
        let words = [
            "api_key", "key", "keys", "_ke", "pass", "password", "wordy", "ssw",
        ];
        assert_finds_the_naive_hits(
            &words,
            &[
                &b"MY_API_KEY = 1; passwordy; keys api_keys"[..],
                b"apikey passwor password api_ke",
                b"",
                b"kkkeeeyyy keykeykey",
            ],
        );
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
        let k = set(&refs);
        for round in 0..300 {
            let len = if round % 10 == 0 {
                next(8)
            } else {
                40 + next(80)
            };
            let hay: Vec<u8> = (0..len).map(|_| b"abAsS_"[next(6) as usize]).collect();
            let want = naive(&refs, &hay);
            assert_eq!(k.hits(&hay), want, "{}", String::from_utf8_lossy(&hay));
        }
    }

    #[test]
    fn case_folding_collisions_and_text_edges_are_compared_exactly() {
        // `_` and DEL, `@` and a backquote, `[` and `{` fold alike: the filter lets them
        // through and the comparison tells them apart. Keywords of every length class,
        // including two-byte ones (user rules), and occurrences cut by the end of the text.
        let words = [
            "api_key",
            "a@b",
            "[x]",
            "ab",
            "sk-",
            "token",
            "toke",
            "client_secret_key",
        ];
        assert_finds_the_naive_hits(
            &words,
            &[
                &b"API_KEY api\x7fkey a`b A@B {x] [X] ab sk- SK-"[..],
                b"tok",
                b"toke",
                b"token",
                b"a",
                b"ab",
                b"sk",
                b"xsk-",
                b"api\x7fkey",
                b"CLIENT_SECRET_KEY client_secret_ke Client_Secret_Kez client_secret_key",
                b"client_secret_kex",
                b"client_secret_ke",
            ],
        );
    }

    #[test]
    fn occurrences_across_block_edges_match_the_naive_search() {
        // Texts a few bytes either side of one and two blocks, keywords of three to eleven
        // bytes over a small alphabet: occurrences start in one block and end in the next,
        // and the last positions of a text take the padded path.
        let words = [
            "ab_",
            "b_a",
            "aab",
            "abab",
            "_ab_a",
            "bba_ab",
            "ab_abab",
            "aaaabbbb",
            "ba_ab_ab_ab",
        ];
        let k = set(&words);
        let mut x: u32 = 7;
        for len in (BLOCK - 12..BLOCK + 12).chain(2 * BLOCK - 6..2 * BLOCK + 6) {
            let hay: Vec<u8> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    b"aAbB_"[(x >> 16) as usize % 5]
                })
                .collect();
            assert_eq!(k.hits(&hay), naive(&words, &hay), "length {len}");
        }
    }

    #[test]
    fn eight_bytes_lowercase_as_each_byte_does() {
        for b in 0..=255u8 {
            for other in [0u8, b'A', b'z', 0x7F, 0x80, 0xC1, 0xDA, 0xFF] {
                let bytes = [b, other, b, 0x5A, 0x40, 0x5B, other, b];
                let want: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
                let got = lower8(u64::from_le_bytes(bytes)).to_le_bytes();
                assert_eq!(got.as_slice(), want.as_slice(), "{bytes:?}");
            }
        }
    }

    #[test]
    fn a_text_made_of_one_prefix_stays_linear() {
        // Every position passes the filter and finds its prefix group: the work per position
        // is that group, so 256 KiB of `consconscons…` is one group lookup per position.
        let words = ["consul", "cons_key", "console_token", "con", "onsc"];
        let k = set(&words);
        let hay = b"cons".repeat(1 << 16);
        let hits = k.hits(&hay);
        assert_eq!(hits, naive(&words, &hay));
        assert_eq!(
            hits.len(),
            2 * (1 << 16) - 1,
            "`con` at every `cons`, `onsc` at all but the last"
        );
    }
}
