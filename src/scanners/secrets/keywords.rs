//! Keyword candidates: every occurrence of every rule keyword, from one pass of a shift-or
//! filter over length buckets (FDR-style) with direct verification.
//!
//! An automaton over ~1,350 case-insensitive keywords is a few MB of transition table that a
//! search walks one dependent load per byte, cache-missing through it. Here each position
//! costs one load from a 64 KiB table (a [`Reach`]): its three bytes, case-folded with one OR
//! and hashed, give a byte per offset 0..8 with a bit per length bucket (keywords of 3, 4, …,
//! 9, 10 or more bytes), clear where a keyword of that bucket may have those three bytes at
//! that offset. A start survives only if, in some bucket, the windows at the start and at the
//! seven positions after it all agree, so a keyword of ten bytes or more is tested on eight
//! windows and a short one on all it has. Text that merely shares a keyword's first bytes
//! (`con`, `typ`, `nam`, which let one source position in ten through a test of first three
//! bytes) rarely survives: about one position in a hundred does, and a quarter of those pass
//! the four-byte prefix test after it. Only those look their keywords up in a small
//! open-addressed table and compare them, with one lowercased 8-byte word per keyword.
//!
//! Blocks of eight starts combine their entries with shifts and ORs, nothing chaining from
//! one block to the next, and candidates are collected per batch rather than branched on per
//! start. With AVX2 four blocks go side by side, one per 64-bit lane, their entries fetched
//! by gathers; the scalar loop is the fallback and the reference the tests hold it to.
//!
//! Every occurrence is found directly, overlapping ones included (`api_key` and `key` at the
//! same text), so there is nothing to recover from hits; work per position is bounded by the
//! keywords sharing one prefix, so the pass is linear in the text. Building is a hash of the
//! keywords: a fraction of a millisecond, so a pre-commit run and a tree scan use the same
//! search.

use std::sync::Arc;

/// log2 of the filter's size in bits: 64 Ki bits (8 KiB, in L1), filled to ~2 % by ~1,300
/// prefixes.
const FILTER_BITS: u32 = 16;

/// `u64` words of a filter.
const FILTER_WORDS: usize = 1 << (FILTER_BITS - 6);

/// The bytes of a folded little-endian word that make a three-byte prefix.
const THREE: u32 = 0x00FF_FFFF;

/// Multiplier of the prefix and three-byte hashes (Knuth's, odd: a bijection on `u32` whose
/// high bits mix all four bytes; AVX2 has the same 32-bit multiply).
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

/// log2 of the entries of a [`Reach`]: 8 Ki entries (64 KiB, in L2), so a bucket of a few
/// hundred keywords fills a few percent of an offset's bits.
const REACH_BITS: u32 = 13;

/// Bytes a block of eight starts reads from its first: its three-byte windows end at +10, and
/// the block after it (whose windows finish the block's own test) at +18, read as words to +20.
const SCAN_AHEAD: usize = 20;

/// The three low bytes of a `u64`.
const LOW3: u64 = 0x00FF_FFFF;

/// For every hash of three folded bytes, a byte per offset 0..8 (offset `j` in byte `7 - j`),
/// a bit per length bucket (3, 4, …, 9, 10 or more bytes) in it: the bit is clear when some
/// keyword of the bucket may have those three bytes at that offset, or when the bucket's
/// keywords are too short to reach the offset. A start is a candidate when, for some bucket,
/// the windows at the start and the seven positions after it all find their bit clear: a
/// keyword of ten bytes is tested on all eight of its windows (what FDR, Hyperscan's
/// literal matcher, calls shift-or over buckets), so a text merely sharing a three-byte
/// prefix with some keyword (`con`, `typ`, `nam`) rarely gets through.
type Reach = [u64; 1 << REACH_BITS];

/// The length bucket of a keyword of `len` (three or more) bytes: the last offset whose three
/// bytes it constrains.
fn bucket(len: usize) -> usize {
    len.clamp(3, 10) - 3
}

/// A reach with no keyword: every bucket's offsets within its length are set (no candidate),
/// the rest clear.
fn new_reach() -> Box<Reach> {
    let mut empty = 0u64;
    for j in 0..8 {
        empty |= u64::from(0xFFu8 << j) << (8 * (7 - j));
    }
    Box::new([empty; 1 << REACH_BITS])
}

/// Clears the bits of keyword `w` (three bytes or more, lowercase): each of its first windows
/// (up to eight) at its offset, in its length's bucket.
fn add_to_reach(reach: &mut Reach, w: &[u8]) {
    let b = bucket(w.len());
    for j in 0..=b {
        let three = u64::from(fold(u32::from_le_bytes([w[j], w[j + 1], w[j + 2], 0]))) & LOW3;
        reach[slot(three)] &= !(1u64 << (8 * (7 - j) + b));
    }
}

/// The entry of three folded bytes (the low three of `three`, the rest zero).
#[inline(always)]
fn slot(three: u64) -> usize {
    ((three as u32).wrapping_mul(HASH_MUL) >> (32 - REACH_BITS)) as usize
}

/// The reach of the eight positions from `at` (which need 12 bytes of `v`), each entry moved
/// up by its position's distance from `at`, as a 128-bit value in two halves `(low, high)`:
/// byte `7 + k` collects, from each position, the offset that points back to start `at + k`.
#[inline(always)]
fn frame(reach: &Reach, v: &[u8], at: usize) -> (u64, u64) {
    let word = |i: usize| {
        let b = <[u8; 8]>::try_from(&v[i..i + 8]).unwrap_or([0; 8]);
        u64::from_le_bytes(b) | 0x2020_2020_2020_2020
    };
    let (w0, w1) = (word(at), word(at + 4));
    let mut lo = reach[slot(w0 & LOW3)];
    let mut hi = 0;
    for i in 1..8 {
        let (w, k) = if i < 4 { (w0, i) } else { (w1, i - 4) };
        let t = reach[slot((w >> (8 * k)) & LOW3)];
        lo |= t << (8 * i);
        hi |= t >> (64 - 8 * i);
    }
    (lo, hi)
}

/// Blocks of eight starts tested before their candidates are looked at.
const BATCH: usize = 32;

/// Calls `found` with every candidate start below the returned one, which is the first start
/// left untested: fewer than [`SCAN_AHEAD`] bytes from the end of `v`.
#[inline(always)]
fn scan(reach: &Reach, v: &[u8], mut found: impl FnMut(usize)) -> usize {
    if v.len() < SCAN_AHEAD {
        return 0;
    }
    let mut cur = frame(reach, v, 0);
    let mut at = 0;
    // Per block, its candidates (a byte per start, nonzero for a candidate): written for
    // every block, looked at after the batch, so the test loop has no call in it.
    let mut masks = [0u64; BATCH];
    while at + SCAN_AHEAD <= v.len() {
        let blocks = ((v.len() - SCAN_AHEAD - at) / 8 + 1).min(BATCH);
        for (b, mask) in masks[..blocks].iter_mut().enumerate() {
            // Starts `at + 8b..` collect their offsets from this block's positions (bytes
            // 7..15 of its frame) and from the next block's (bytes 0..7 of that frame).
            let next = frame(reach, v, at + 8 * b + 8);
            *mask = !((cur.0 >> 56) | (cur.1 << 8) | (next.0 << 8));
            cur = next;
        }
        for (b, &mask) in masks[..blocks].iter().enumerate() {
            let mut m = mask;
            while m != 0 {
                let k = m.trailing_zeros() as usize / 8;
                found(at + 8 * b + k);
                m &= !(0xFF << (8 * k));
            }
        }
        at += 8 * blocks;
    }
    at
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
    /// Which keywords a position's three bytes may belong to, and at which offset: the test
    /// every position takes (see [`Reach`]).
    reach: Box<Reach>,
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
        let mut reach = new_reach();
        for p in long.iter().chain(&three) {
            add_to_reach(&mut reach, &patterns[*p as usize]);
        }
        let tables = Tables {
            reach,
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
        self.hits_using(hay, true)
    }

    /// [`KeywordSet::hits`], with the vector test if `simd` and the processor has it (tests
    /// compare both paths on the same texts).
    fn hits_using(&self, hay: &[u8], simd: bool) -> Vec<Hit> {
        let t = &*self.inner;
        let mut out = Vec::new();
        if t.patterns.is_empty() {
            return out;
        }
        // Blocks of eight starts test their reach (see [`Reach`]); the few starts left standing
        // look their keywords up and compare them.
        let mut found = |start: usize| {
            if start < hay.len() {
                t.at(hay, start, word_at(hay, start), &mut out);
            }
        };
        let mut done = 0;
        #[cfg(target_arch = "x86_64")]
        if simd && avx2::available() {
            // SAFETY: the processor has AVX2 (just checked).
            done = unsafe { avx2::scan(&t.reach, hay, &mut found) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = simd;
        done += scan(&t.reach, &hay[done..], |i| found(done + i));
        // The last starts (fewer than `SCAN_AHEAD` bytes from the end) run the same test on a
        // zero-padded copy: padding may let a start through, never hide an occurrence, whose
        // bytes all lie in the text.
        let rest = &hay[done..];
        let mut padded = [0u8; 2 * SCAN_AHEAD];
        padded[..rest.len()].copy_from_slice(rest);
        scan(&t.reach, &padded, |i| found(done + i));
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

/// The reach test with AVX2: four blocks of eight starts side by side, a 64-bit lane each,
/// the entries [`frame`] would read fetched by gathers, so a step tests 32 starts with about
/// 80 instructions where the scalar loop takes about 450.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Reach, BATCH, HASH_MUL, LOW3, REACH_BITS};
    use std::arch::x86_64::*;

    /// Starts a step tests: four blocks of eight.
    const GROUP: usize = 32;

    /// Bytes a step reads from its first start: 32 at +0 and 32 at +4.
    const AHEAD: usize = 36;

    /// Whether this processor can run [`scan`].
    pub(super) fn available() -> bool {
        is_x86_feature_detected!("avx2")
    }

    /// As [`super::scan`]: calls `found` with every candidate start below the returned one
    /// (the first start left untested).
    ///
    /// # Safety
    /// The processor must have AVX2 ([`available`]).
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn scan(reach: &Reach, v: &[u8], found: &mut impl FnMut(usize)) -> usize {
        if v.len() < GROUP + AHEAD {
            return 0;
        }
        let ones = _mm256_set1_epi64x(-1);
        // SAFETY (all `group` calls): `at + AHEAD <= v.len()`.
        let (mut lo, mut hi) = unsafe { group(reach, v, 0) };
        let mut at = 0;
        let mut masks = [0u64; BATCH];
        while at + GROUP + AHEAD <= v.len() {
            // Step `s` reads group `at + 32 (s + 1)`, which finishes the test of group
            // `at + 32 s` (its starts' last offsets lie in the next group's positions).
            let steps = ((v.len() - AHEAD - at) / GROUP).min(BATCH / 4);
            for (s, out) in masks.chunks_exact_mut(4).take(steps).enumerate() {
                let (nlo, nhi) = unsafe { group(reach, v, at + GROUP * (s + 1)) };
                // Per lane, the next block's low half: lanes 1..4 of `lo`, then lane 0 of
                // `nlo`.
                let next = _mm256_alignr_epi8::<8>(_mm256_permute2x128_si256::<0x21>(lo, nlo), lo);
                let r = _mm256_or_si256(
                    _mm256_or_si256(_mm256_srli_epi64::<56>(lo), _mm256_slli_epi64::<8>(hi)),
                    _mm256_slli_epi64::<8>(next),
                );
                let m = _mm256_xor_si256(r, ones);
                // SAFETY: `out` is four `u64`, 32 bytes; the store is unaligned.
                unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), m) };
                (lo, hi) = (nlo, nhi);
            }
            for (b, &mask) in masks[..4 * steps].iter().enumerate() {
                let mut m = mask;
                while m != 0 {
                    let k = m.trailing_zeros() as usize / 8;
                    found(at + 8 * b + k);
                    m &= !(0xFF << (8 * k));
                }
            }
            at += GROUP * steps;
        }
        at
    }

    /// [`super::frame`] of the four blocks from `at`, one per lane.
    ///
    /// # Safety
    /// `at + AHEAD <= v.len()`, and the processor has AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn group(reach: &Reach, v: &[u8], at: usize) -> (__m256i, __m256i) {
        debug_assert!(at + AHEAD <= v.len());
        let fold = _mm256_set1_epi8(0x20);
        let low3 = _mm256_set1_epi64x(LOW3 as i64);
        let mul = _mm256_set1_epi64x(i64::from(HASH_MUL));
        let table = reach.as_ptr().cast::<i64>();
        // SAFETY: the caller keeps both 32-byte loads inside `v`.
        let (w0, w1) = unsafe {
            let p = v.as_ptr().add(at);
            (
                _mm256_or_si256(_mm256_loadu_si256(p.cast()), fold),
                _mm256_or_si256(_mm256_loadu_si256(p.add(4).cast()), fold),
            )
        };
        // The entry of each lane's position `8 * lane + i`: its three bytes, hashed as
        // `super::slot` does (the high half of each lane stays zero, so the 32-bit multiply
        // of the low half is the scalar one, and the shift leaves `REACH_BITS` bits).
        macro_rules! entry {
            ($w:expr, $k:literal) => {{
                let three = _mm256_and_si256(_mm256_srli_epi64::<{ 8 * $k }>($w), low3);
                let slot =
                    _mm256_srli_epi32::<{ 32 - REACH_BITS as i32 }>(_mm256_mullo_epi32(three, mul));
                // SAFETY: every slot is below 2^REACH_BITS, the table's length.
                unsafe { _mm256_i64gather_epi64::<8>(table, slot) }
            }};
        }
        macro_rules! add {
            ($lo:ident, $hi:ident, $t:expr, $i:literal) => {{
                let t = $t;
                $lo = _mm256_or_si256($lo, _mm256_slli_epi64::<{ 8 * $i }>(t));
                $hi = _mm256_or_si256($hi, _mm256_srli_epi64::<{ 64 - 8 * $i }>(t));
            }};
        }
        let mut lo = entry!(w0, 0);
        let mut hi = _mm256_setzero_si256();
        add!(lo, hi, entry!(w0, 1), 1);
        add!(lo, hi, entry!(w0, 2), 2);
        add!(lo, hi, entry!(w0, 3), 3);
        add!(lo, hi, entry!(w1, 0), 4);
        add!(lo, hi, entry!(w1, 1), 5);
        add!(lo, hi, entry!(w1, 2), 6);
        add!(lo, hi, entry!(w1, 3), 7);
        (lo, hi)
    }
}

/// The folded first four bytes at `start` (zero-padded past the end of `hay`).
#[inline]
fn word_at(hay: &[u8], start: usize) -> u32 {
    let mut b = [0u8; 4];
    let rest = hay.get(start..).unwrap_or_default();
    let n = rest.len().min(4);
    b[..n].copy_from_slice(&rest[..n]);
    fold(u32::from_le_bytes(b))
}

impl Tables {
    /// Pushes the keywords of three bytes or more that occur at `start`, whose folded first
    /// four bytes are `f`. Reached from about one position in a hundred (the [`Reach`] test's
    /// candidates), so kept out of line.
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

    /// Text lengths around which the block-edge test runs (the old pass's block of positions;
    /// multiples of the new pass's eight starts).
    const BLOCK: usize = 256;

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

    /// A small deterministic generator (an LCG's high bits).
    struct Lcg(u32);

    impl Lcg {
        fn below(&mut self, n: u32) -> u32 {
            self.0 = self.0.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (self.0 >> 16) % n
        }
    }

    /// Asserts that both paths (vector and scalar) find what [`naive`] finds in `hay`.
    fn assert_both_paths_find_the_naive_hits(k: &KeywordSet, words: &[&str], hay: &[u8]) {
        let want = naive(words, hay);
        let text = String::from_utf8_lossy(hay);
        assert_eq!(k.hits_using(hay, true), want, "vector path, {text}");
        assert_eq!(k.hits_using(hay, false), want, "scalar path, {text}");
    }

    /// Keywords of every length bucket and beyond eight bytes (3, 4, 5, 8, 9, 10, 11, 64),
    /// over the alphabet the texts use, so prefixes and windows collide often.
    const BUCKET_WORDS: [&str; 10] = [
        "ab_",
        "b_ab",
        "_abba",
        "abab_b_a",
        "ba_ab_ab_",
        "a_b_a_b_ab",
        "bb_aa_bb_aa",
        "aab",
        "a_ba",
        "ab_ab_ab_ab_ab_ab_ab_ab_ab_ab_ab_ab_ab_ab_ab_ab_ab_ab_ab_ab_ab_a",
    ];

    #[test]
    fn vector_and_scalar_paths_match_the_naive_search_on_random_texts() {
        // Lengths from empty through shorter than one vector step (32 starts, 36 bytes read)
        // to several batches, so every edge between the vector loop, the scalar blocks and
        // the padded tail is crossed.
        let mut words: Vec<&str> = BUCKET_WORDS.to_vec();
        words.push(&BUCKET_WORDS[9][..64]);
        assert_eq!(words[10].len(), 64);
        let k = set(&words);
        let mut rng = Lcg(4242);
        let lengths = (0..120).chain([255, 256, 257, 1023, 1024, 1025, 1100, 2900]);
        for len in lengths {
            for _ in 0..3 {
                let hay: Vec<u8> = (0..len).map(|_| b"aAbB_"[rng.below(5) as usize]).collect();
                assert_both_paths_find_the_naive_hits(&k, &words, &hay);
            }
            // Bytes that fold alike (DEL and `_`; 0xC1 and 0xE1, which is `a` with the high
            // bit set), and NUL, which the padded tail pads with.
            let hay: Vec<u8> = (0..len)
                .map(|_| b"aAbB_\x7f\xc1\xe1\x00\xff"[rng.below(10) as usize])
                .collect();
            assert_both_paths_find_the_naive_hits(&k, &words, &hay);
        }
    }

    #[test]
    fn every_keyword_length_is_found_at_every_start_parity_and_block_edge() {
        // Each keyword planted alone at every start from 0 to 80 in a filler that shares
        // none of its bytes, in texts ending right after it and 1..40 bytes later: a start
        // at every offset within a block of eight and a step of 32, and windows cut by the
        // text's end.
        let words = [
            "xyz",
            "wxyz",
            "vwxyz",
            "stuvwxyz",
            "rstuvwxyz",
            "qrstuvwxyz",
            "pqrstuvwxyz",
            "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01",
        ];
        assert_eq!(words[7].len(), 64);
        let k = set(&words);
        for (i, w) in words.iter().enumerate() {
            for start in 0..80 {
                for after in [0, 1, 7, 8, 31, 40] {
                    let mut hay = vec![b'.'; start];
                    hay.extend(w.to_ascii_uppercase().bytes());
                    hay.extend(std::iter::repeat_n(b'.', after));
                    let want: Vec<Hit> = naive(&words, &hay);
                    assert!(want.contains(&Hit {
                        start,
                        pattern: i as u32
                    }));
                    assert_both_paths_find_the_naive_hits(&k, &words, &hay);
                }
            }
        }
    }

    /// The candidate starts the scalar test and (where the processor has it) the vector
    /// test let through in `v`, below the first start both tested.
    fn candidates(k: &KeywordSet, v: &[u8]) -> (Vec<usize>, Vec<usize>) {
        let reach = &k.inner.reach;
        let mut scalar = Vec::new();
        let done = scan(reach, v, |s| scalar.push(s));
        #[cfg(target_arch = "x86_64")]
        let vector_run = avx2::available().then(|| {
            let mut vector = Vec::new();
            // SAFETY: the processor has AVX2 (just checked).
            let got = unsafe { avx2::scan(reach, v, &mut |s| vector.push(s)) };
            (vector, got)
        });
        #[cfg(not(target_arch = "x86_64"))]
        let vector_run: Option<(Vec<usize>, usize)> = None;
        let (mut vector, done) = match vector_run {
            Some((vector, got)) => (vector, done.min(got)),
            None => (scalar.clone(), done),
        };
        scalar.retain(|&s| s < done);
        vector.retain(|&s| s < done);
        (scalar, vector)
    }

    #[test]
    fn vector_and_scalar_tests_let_the_same_starts_through() {
        let mut words: Vec<&str> = BUCKET_WORDS.to_vec();
        words.extend(["_b_", "bba", "a_a_"]);
        let k = set(&words);
        let mut rng = Lcg(77);
        for len in [68, 69, 100, 300, 1000, 5000] {
            let hay: Vec<u8> = (0..len).map(|_| b"aAbB_"[rng.below(5) as usize]).collect();
            let (scalar, vector) = candidates(&k, &hay);
            assert_eq!(scalar, vector, "length {len}");
            // Every occurrence in the tested range is among the candidates.
            for hit in naive(&words, &hay) {
                if hit.start < len - SCAN_AHEAD - 36 {
                    assert!(scalar.binary_search(&hit.start).is_ok(), "{hit:?}");
                }
            }
        }
    }

    #[test]
    fn a_shared_three_byte_prefix_does_not_make_a_candidate() {
        // `con` begins the long keywords, and the text is full of `con`s that go on
        // differently: the windows at offsets 1..8 rule them out, so no start reaches the
        // lookup (a filter of first three bytes let every one through).
        let k = set(&["consumer_secret", "content_api_key", "connection_string"]);
        let hay = b"let context = config.connect(conn, consts::CONTROL); // continue; ".repeat(20);
        let (scalar, vector) = candidates(&k, &hay);
        assert!(scalar.is_empty(), "{scalar:?}");
        assert!(vector.is_empty(), "{vector:?}");
        let mut planted = hay.clone();
        planted.splice(200..200, b"CONTENT_API_KEY".iter().copied());
        let (scalar, vector) = candidates(&k, &planted);
        assert_eq!(scalar, [200]);
        assert_eq!(vector, [200]);
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
