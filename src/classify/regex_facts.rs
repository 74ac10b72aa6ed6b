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

/// Parses a rule regex as the engine compiles it: bytes mode (a haystack need not be UTF-8),
/// with `unicode` for its Unicode build. That build keeps two ASCII meanings:
///
/// * a case-insensitive ASCII letter keeps only its ASCII twin: `(?i)k` is `[Kk]`, without the
///   Kelvin sign (U+212A), and `(?i)s` is `[Ss]`, without `ſ` (U+017F). The keyword pass folds
///   ASCII case only, so a name spelled with those signs is never a keyword hit anyway;
/// * a word boundary (`\b`, `\B`, `\<`, `\>`) is between an ASCII word character and anything
///   else. Rule names and tokens are ASCII, and `\b` guards them against ASCII neighbours;
///   a Unicode boundary would also make the lazy DFA give up at the first non-ASCII byte and
///   fall back to a much slower NFA search for the whole window.
///
/// The two builds are then the same regex wherever nothing else differs (one build serves all
/// text), and a case-insensitive name starts its matches at its keyword in both.
pub fn parse_rule_regex(regex: &str, unicode: bool) -> Result<Hir, Box<regex_syntax::Error>> {
    let hir = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .unicode(unicode)
        .build()
        .parse(regex)
        .map_err(Box::new)?;
    Ok(if unicode { ascii_meanings(hir) } else { hir })
}

/// `hir` with the Kelvin sign and `ſ` dropped from every class that has them only as the case
/// variants of `k` and `s` (a class otherwise within ASCII that holds that letter), and with
/// ASCII word boundaries ([`parse_rule_regex`]).
fn ascii_meanings(hir: Hir) -> Hir {
    use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Look};
    match hir.into_kind() {
        HirKind::Class(Class::Unicode(class)) => {
            let has = |c: char| {
                class
                    .ranges()
                    .iter()
                    .any(|r| r.start() <= c && c <= r.end())
            };
            let mut odd = Vec::new();
            if has('\u{212A}') && (has('k') || has('K')) {
                odd.push(ClassUnicodeRange::new('\u{212A}', '\u{212A}'));
            }
            if has('\u{17F}') && (has('s') || has('S')) {
                odd.push(ClassUnicodeRange::new('\u{17F}', '\u{17F}'));
            }
            if odd.is_empty() {
                return Hir::class(Class::Unicode(class));
            }
            let mut rest = class.clone();
            rest.difference(&ClassUnicode::new(odd));
            let ascii = rest.ranges().iter().all(|r| r.end().is_ascii());
            Hir::class(Class::Unicode(if ascii { rest } else { class }))
        }
        HirKind::Repetition(mut rep) => {
            rep.sub = Box::new(ascii_meanings(*rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(ascii_meanings(*cap.sub));
            Hir::capture(cap)
        }
        HirKind::Concat(parts) => Hir::concat(parts.into_iter().map(ascii_meanings).collect()),
        HirKind::Alternation(alts) => {
            Hir::alternation(alts.into_iter().map(ascii_meanings).collect())
        }
        HirKind::Class(class) => Hir::class(class),
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(lit) => Hir::literal(lit.0),
        HirKind::Look(look) => Hir::look(match look {
            Look::WordUnicode => Look::WordAscii,
            Look::WordUnicodeNegate => Look::WordAsciiNegate,
            Look::WordStartUnicode => Look::WordStartAscii,
            Look::WordEndUnicode => Look::WordEndAscii,
            Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
            Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
            other => other,
        }),
    }
}

/// Whether `src` compiled without Unicode (`unicode(false)`) is the same regex as compiled
/// with it: both translations have the same structure and every class of the Unicode one lies
/// in ASCII (`[A-Za-z0-9]`, `(?i)x`). Then the ASCII build matches exactly what the Unicode
/// build matches on any bytes, non-ASCII ones included, and the Unicode build is never
/// needed. A `\w`, `\s`, `\d`, `.` or a negated class (`[^"]`) makes them differ; a
/// case-insensitive letter or a word boundary does not ([`parse_rule_regex`]).
pub fn ascii_build_is_exact(src: &str) -> bool {
    let parse = |unicode: bool| parse_rule_regex(src, unicode).ok();
    match (parse(false), parse(true)) {
        (Some(ascii), Some(unicode)) => same_regex(&ascii, &unicode),
        _ => false,
    }
}

/// Whether two translated regexes are the same, a class of ASCII characters being the same
/// as the class of those bytes.
fn same_regex(a: &Hir, b: &Hir) -> bool {
    use HirKind as K;
    match (a.kind(), b.kind()) {
        (K::Empty, K::Empty) => true,
        (K::Literal(x), K::Literal(y)) => x == y,
        (K::Class(x), K::Class(y)) => match (class_bytes(x), class_bytes(y)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
        (K::Look(x), K::Look(y)) => x == y,
        (K::Repetition(x), K::Repetition(y)) => {
            x.min == y.min && x.max == y.max && x.greedy == y.greedy && same_regex(&x.sub, &y.sub)
        }
        (K::Capture(x), K::Capture(y)) => {
            x.index == y.index && x.name == y.name && same_regex(&x.sub, &y.sub)
        }
        (K::Concat(x), K::Concat(y)) | (K::Alternation(x), K::Alternation(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_regex(x, y))
        }
        _ => false,
    }
}

/// The byte ranges of a class, `None` for a Unicode class with a non-ASCII character.
fn class_bytes(c: &regex_syntax::hir::Class) -> Option<Vec<(u8, u8)>> {
    use regex_syntax::hir::Class;
    match c {
        Class::Bytes(b) => Some(b.ranges().iter().map(|r| (r.start(), r.end())).collect()),
        Class::Unicode(u) => u
            .ranges()
            .iter()
            .map(|r| Some((u8::try_from(r.start()).ok()?, u8::try_from(r.end()).ok()?)))
            .map(|r| r.filter(|&(_, end)| end.is_ascii()))
            .collect(),
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
    let wide = |h: &Hir| match h.kind() {
        HirKind::Class(c) => {
            let spans = class_spans(c);
            let n: u64 = spans.iter().map(|&(lo, hi)| u64::from(hi - lo) + 1).sum();
            n > 200
                && spans
                    .iter()
                    .any(|&(lo, hi)| (lo..=hi).contains(&u32::from(b'\n')))
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

/// Where a rule regex's matches start relative to its keywords' occurrences, when its syntax
/// settles it ([`keyword_start`]).
///
/// Most prefixed-token rules (`\b(ghp_[A-Za-z0-9]{36})`) and many name-anchored ones
/// (`(?i)(?:pat|token)[a-z_]{0,20}…`) start at their keyword; for those the engine tries one
/// anchored search at each keyword hit, a few bytes of automaton each on text that is not a
/// credential, instead of searching a window around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordStart {
    /// Not settled (a keyword in the middle of a match, `[\w.-]*token`, an optional prefix
    /// of many lengths or longer than [`MAX_START`]): the engine searches a window.
    Anywhere,
    /// Every match starts `o` bytes before an occurrence of one of the keywords, for some `o`
    /// whose bit is set (`1`: at the keyword; `0b11`: at it or one byte before, as with
    /// `(?:^|[^a-z])phrase`).
    Before(u32),
    /// Every match starts at the start of the line that holds one of its keywords' occurrences:
    /// the regex begins with `(?m)^` and nothing before the keyword can match a line break
    /// (`(?m)^[ \t]*(?:export[ \t]+)?[\w.-]*(?:secret|token)…`).
    LineStart,
}

impl KeywordStart {
    /// A fact that holds for the matches of two regexes (or two builds of one, when each
    /// search picks its build): every offset of either, the same line start, or nothing.
    pub fn union(self, other: KeywordStart) -> KeywordStart {
        match (self, other) {
            (KeywordStart::Before(a), KeywordStart::Before(b)) => KeywordStart::Before(a | b),
            (a, b) if a == b => a,
            _ => KeywordStart::Anywhere,
        }
    }
}

/// The largest offset [`KeywordStart::Before`] records.
pub const MAX_START: usize = 31;

/// The [`KeywordStart`] of `regex` for `keywords` (ASCII, case-insensitive, as the keyword
/// search finds them). `unicode` picks the build the fact is for (the engine searches ASCII
/// text with the regex's ASCII build): with Unicode, `[^a-z]` also matches a multi-byte
/// character, so a match may start more bytes before the keyword, and `\w` or `.` may make
/// it unsettled.
pub fn keyword_start(regex: &str, keywords: &[&str], unicode: bool) -> KeywordStart {
    let Ok(hir) = parse_rule_regex(regex, unicode) else {
        return KeywordStart::Anywhere;
    };
    let keywords: Vec<Vec<u8>> = keywords
        .iter()
        .map(|k| k.to_ascii_lowercase().into_bytes())
        .filter(|k| !k.is_empty())
        .collect();
    if let Some(offsets) = offsets_before(&hir, &keywords) {
        return KeywordStart::Before(offsets);
    }
    if starts_lines_at_keyword(&hir, &keywords) {
        return KeywordStart::LineStart;
    }
    KeywordStart::Anywhere
}

/// The offsets (bits) before a keyword at which every match of `hir` starts, if settled.
fn offsets_before(hir: &Hir, keywords: &[Vec<u8>]) -> Option<u32> {
    let all: Vec<&[u8]> = keywords.iter().map(Vec::as_slice).collect();
    let mut mask = 0u32;
    for lead in &leads(hir)? {
        let o = (0..=MAX_START).find(|&o| keyword_at(&lead.sets, o, 0, &all))?;
        mask |= 1 << o;
    }
    (mask != 0).then_some(mask)
}

/// Whether every byte string the lead `sets` allows has one of `keywords` (lowercase, each
/// agreeing with it on its first `depth` bytes from `at`) at `at`, ASCII case folded. A set
/// stands for several strings: `api[_-]?key` is covered by `api_key`, `api-key` and `apikey`
/// together, by none alone. Each branch follows a distinct keyword prefix, so this is linear in
/// the keywords' bytes.
fn keyword_at(sets: &[ByteSet], at: usize, depth: usize, keywords: &[&[u8]]) -> bool {
    if keywords.iter().any(|k| k.len() == depth) {
        return true;
    }
    let Some(set) = sets.get(at + depth) else {
        return false;
    };
    let mut folded = ByteSet::EMPTY;
    for b in 0..=255u8 {
        if set.contains(b) {
            let b = b.to_ascii_lowercase();
            folded.insert_range(b, b);
        }
    }
    if folded == ByteSet::EMPTY {
        return false;
    }
    (0..=255u8).filter(|&b| folded.contains(b)).all(|b| {
        let next: Vec<&[u8]> = keywords
            .iter()
            .copied()
            .filter(|k| k.get(depth) == Some(&b))
            .collect();
        !next.is_empty() && keyword_at(sets, at, depth + 1, &next)
    })
}

/// Whether `hir` is `(?m)^`, then parts that cannot match a line break, then a part whose every
/// match starts with a keyword ([`KeywordStart::LineStart`]).
fn starts_lines_at_keyword(hir: &Hir, keywords: &[Vec<u8>]) -> bool {
    use regex_syntax::hir::Look;
    let mut hir = hir;
    while let HirKind::Capture(c) = hir.kind() {
        hir = &c.sub;
    }
    let HirKind::Concat(parts) = hir.kind() else {
        return false;
    };
    let Some((first, rest)) = parts.split_first() else {
        return false;
    };
    if !matches!(
        first.kind(),
        HirKind::Look(Look::StartLF | Look::StartCRLF | Look::Start)
    ) {
        return false;
    }
    for (i, part) in rest.iter().enumerate() {
        // The keyword may span parts (`(?i)PrivateKey` is a class per letter): the parts from
        // here on, as far as a lead reaches (at most one byte each, or none), must start with it.
        let tail = Hir::concat(rest[i..].iter().take(MAX_LEAD).cloned().collect());
        if offsets_before(&tail, keywords) == Some(1) {
            return true;
        }
        if may_match_newline(part) {
            return false;
        }
    }
    false
}

/// A class's ranges as code points (bytes for a byte class), inclusive.
fn class_spans(class: &regex_syntax::hir::Class) -> Vec<(u32, u32)> {
    use regex_syntax::hir::Class;
    match class {
        Class::Unicode(c) => c
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
    }
}

/// Whether some match of `hir` contains a line break (`\n` or `\r`).
fn may_match_newline(hir: &Hir) -> bool {
    let breaks = |&(lo, hi): &(u32, u32)| {
        (lo..=hi).contains(&u32::from(b'\n')) || (lo..=hi).contains(&u32::from(b'\r'))
    };
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(lit) => lit.0.iter().any(|&b| b == b'\n' || b == b'\r'),
        HirKind::Class(c) => class_spans(c).iter().any(breaks),
        HirKind::Capture(c) => may_match_newline(&c.sub),
        HirKind::Repetition(r) => r.max != Some(0) && may_match_newline(&r.sub),
        HirKind::Concat(hs) | HirKind::Alternation(hs) => hs.iter().any(may_match_newline),
    }
}

/// Longest lead [`leads`] follows (keywords are rarely longer).
const MAX_LEAD: usize = 40;

/// Most leads [`leads`] keeps before giving up (alternations of case variants multiply).
const MAX_LEADS: usize = 64;

/// A set of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ByteSet([u64; 4]);

impl ByteSet {
    const EMPTY: ByteSet = ByteSet([0; 4]);

    fn insert_range(&mut self, lo: u8, hi: u8) {
        for b in lo..=hi {
            self.0[usize::from(b >> 6)] |= 1 << (b & 63);
        }
    }

    fn single(b: u8) -> ByteSet {
        let mut s = ByteSet::EMPTY;
        s.insert_range(b, b);
        s
    }

    fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }
}

/// The first bytes of some of a regex's matches: match byte `i` lies in `sets[i]`, for every
/// `i` below `sets.len()` (matches at least that long). `exact`: the matches this lead stands
/// for are exactly `sets.len()` bytes long, so what follows in a concatenation extends it.
#[derive(Debug, Clone)]
struct Lead {
    sets: Vec<ByteSet>,
    exact: bool,
}

/// Leads covering every match of `hir` (each match agrees with at least one), or `None` when
/// they would be too many or the syntax is one this does not follow.
fn leads(hir: &Hir) -> Option<Vec<Lead>> {
    use regex_syntax::hir::Class;
    let empty = || {
        vec![Lead {
            sets: Vec::new(),
            exact: true,
        }]
    };
    let out = match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => empty(),
        HirKind::Literal(lit) => {
            let bytes = &lit.0;
            let n = bytes.len().min(MAX_LEAD);
            vec![Lead {
                sets: bytes[..n].iter().map(|&b| ByteSet::single(b)).collect(),
                exact: n == bytes.len(),
            }]
        }
        HirKind::Class(Class::Bytes(c)) => {
            let mut set = ByteSet::EMPTY;
            for r in c.ranges() {
                set.insert_range(r.start(), r.end());
            }
            vec![Lead {
                sets: vec![set],
                exact: true,
            }]
        }
        HirKind::Class(Class::Unicode(c)) => {
            // The class matches the UTF-8 encoding of one of its characters: one lead for its
            // ASCII characters, and one per encoded length (2, 3, 4 bytes) it has characters
            // of, with every lead byte and continuation byte that length may have.
            let mut ascii = ByteSet::EMPTY;
            let mut lengths = [false; 3];
            for r in c.ranges() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                if lo < 0x80 {
                    ascii.insert_range(lo as u8, hi.min(0x7F) as u8);
                }
                for (k, (from, to)) in [(0x80, 0x7FF), (0x800, 0xFFFF), (0x1_0000, 0x10_FFFF)]
                    .into_iter()
                    .enumerate()
                {
                    lengths[k] |= lo <= to && hi >= from;
                }
            }
            let mut out = Vec::new();
            if ascii != ByteSet::EMPTY {
                out.push(Lead {
                    sets: vec![ascii],
                    exact: true,
                });
            }
            let mut tail = ByteSet::EMPTY;
            tail.insert_range(0x80, 0xBF);
            for (k, first) in [(0xC2, 0xDF), (0xE0, 0xEF), (0xF0, 0xF4)]
                .into_iter()
                .enumerate()
            {
                if lengths[k] {
                    let mut head = ByteSet::EMPTY;
                    head.insert_range(first.0, first.1);
                    let mut sets = vec![head];
                    sets.extend(std::iter::repeat_n(tail, k + 1));
                    out.push(Lead { sets, exact: true });
                }
            }
            out
        }
        HirKind::Capture(c) => leads(&c.sub)?,
        HirKind::Repetition(rep) => {
            if rep.max == Some(rep.min) && rep.min <= 8 {
                // `x{2}`: the same leads as `xx`.
                let copies = (0..rep.min).map(|_| (*rep.sub).clone()).collect();
                return leads(&Hir::concat(copies));
            }
            let mut sub = leads(&rep.sub)?;
            // Past one copy, what follows a lead is another copy, not what follows the
            // repetition.
            if rep.max != Some(1) {
                for l in &mut sub {
                    l.exact = false;
                }
            }
            if rep.min == 0 {
                sub.extend(empty());
            }
            sub
        }
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for a in alts {
                all.extend(leads(a)?);
                if all.len() > MAX_LEADS {
                    all = shorten(all)?;
                }
            }
            all
        }
        HirKind::Concat(parts) => {
            // The leads so far are prefixes of every match whatever follows: when the next
            // part cannot be followed, or would make too many, they are the answer as they are.
            let mut acc = empty();
            for part in parts {
                if acc.iter().all(|l| !l.exact) {
                    break;
                }
                let grown = leads(part).and_then(|next| {
                    let mut grown = Vec::new();
                    for l in &acc {
                        if !l.exact {
                            grown.push(l.clone());
                            continue;
                        }
                        for n in &next {
                            let mut sets = l.sets.clone();
                            sets.extend_from_slice(&n.sets);
                            let exact = n.exact && sets.len() <= MAX_LEAD;
                            sets.truncate(MAX_LEAD);
                            grown.push(Lead { sets, exact });
                        }
                        if grown.len() > MAX_LEADS {
                            return None;
                        }
                    }
                    Some(grown)
                });
                match grown {
                    Some(grown) => acc = grown,
                    None => {
                        for l in &mut acc {
                            l.exact = false;
                        }
                        break;
                    }
                }
            }
            acc
        }
    };
    (out.len() <= MAX_LEADS).then_some(out)
}

/// `leads` with the ones that share a prefix merged into that prefix, at the longest prefix
/// length that leaves at most [`MAX_LEADS`], or `None` if even their first bytes are too many. A
/// lead cut to a prefix still covers its matches, it just says less; leads no other shares keep
/// their length. The alternatives of a long assignment grammar after a keyword differ only well
/// past it, so merging them keeps what a keyword fact needs.
fn shorten(leads: Vec<Lead>) -> Option<Vec<Lead>> {
    let longest = leads.iter().map(|l| l.sets.len()).max().unwrap_or(0);
    for len in (0..longest).rev() {
        let mut out: Vec<Lead> = Vec::new();
        let mut groups: Vec<(&[ByteSet], Vec<&Lead>)> = Vec::new();
        for l in &leads {
            if l.sets.len() <= len {
                out.push(l.clone());
                continue;
            }
            let key = &l.sets[..len];
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(l),
                None => groups.push((key, vec![l])),
            }
        }
        for (key, members) in groups {
            match members.as_slice() {
                [only] => out.push((*only).clone()),
                _ => out.push(Lead {
                    sets: key.to_vec(),
                    exact: false,
                }),
            }
        }
        if out.len() <= MAX_LEADS {
            return Some(out);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ASCII and Unicode facts, as offset masks (0: anywhere, `u32::MAX`: line start).
    fn starts(regex: &str, keywords: &[&str]) -> [u32; 2] {
        [false, true].map(|u| match keyword_start(regex, keywords, u) {
            KeywordStart::Anywhere => 0,
            KeywordStart::Before(m) => m,
            KeywordStart::LineStart => u32::MAX,
        })
    }

    #[test]
    fn many_alternatives_after_the_keyword_keep_its_fact() {
        // A name followed by 32 operators (64 leads, at the limit) in an alternation with a URL
        // form: more leads than `MAX_LEADS` in all, which are cut past the keywords.
        let ops: Vec<String> = (0..32).map(|i| format!("o{i:02}")).collect();
        let re = format!(
            r"(?:(?:^|[^a-z])acme_key(?:{})|(?:api|www)\.acme\.com/)([a-f0-9]{{32}})",
            ops.join("|")
        );
        assert_eq!(starts(&re, &["acme_key", "acme.com"]), [0b10011, 0b11111]);
        // Alternatives that must be cut before the keyword leave the fact unsettled, never a
        // wrong offset (`w0`…`w79`: the keyword is 2 or 3 bytes in).
        let words: Vec<String> = (0..80).map(|i| format!("w{i}")).collect();
        let re = format!(r"(?:{})acme_key", words.join("|"));
        assert_eq!(starts(&re, &["acme_key"]), [0, 0]);
    }

    #[test]
    fn prefixed_tokens_start_at_their_keyword() {
        assert_eq!(starts(r"\b(ion_[A-Za-z0-9]{42})\b", &["ion_"]), [1, 1]);
        assert_eq!(
            starts(r"(?:ghp|gho)_[A-Za-z0-9]{36}", &["ghp_", "gho_"]),
            [1, 1]
        );
        // A keyword shorter than the literal, and two keywords sharing it.
        assert_eq!(starts(r"\bxoxb-[0-9]{10}", &["xox"]), [1, 1]);
        assert_eq!(starts(r"(?m)^\s*PrivateKey", &["privatekey"]), [0, 0]);
        assert_eq!(
            starts(r"(?m)^[ \t]*PrivateKey", &["privatekey"]),
            [u32::MAX; 2]
        );
    }

    #[test]
    fn case_insensitive_names_start_at_their_keyword() {
        // `(?i)k` and `(?i)s` keep only their ASCII twins in the Unicode build too (the keyword
        // search folds ASCII case only), so both builds start at the keyword.
        let re = r"(?i)(?:pat|token)[a-z_]{0,20}\s*=\s*([a-z2-7]{52})";
        assert_eq!(starts(re, &["pat", "token"]), [1, 1]);
        assert_eq!(starts(r"(?i)(?:secret|key)=", &["secret", "key"]), [1, 1]);
        assert_eq!(starts(r"(?i)pat[a-z_]{0,20}=", &["pat"]), [1, 1]);
        // What follows the keyword does not matter, however many alternatives it has.
        let many = (0..200)
            .map(|i| format!("v{i}"))
            .collect::<Vec<_>>()
            .join("|");
        assert_eq!(
            starts(&format!("(?i)pat(?:{many})(?:{many})"), &["pat"]),
            [1, 1]
        );
    }

    #[test]
    fn keyword_spellings_together_cover_a_name() {
        let re = r"(?i)(?:secret|api[_\-]?key)[\w.]{0,8}=";
        let all = ["secret", "api_key", "api-key", "apikey"];
        assert_eq!(starts(re, &all), [1, 1]);
        // Without one spelling, `API-KEY=` would start away from any keyword.
        assert_eq!(starts(re, &["secret", "api_key", "apikey"]), [0, 0]);
        // A shorter keyword covers every longer spelling it begins.
        assert_eq!(starts(re, &["secret", "api"]), [1, 1]);
        // A case-insensitive name after a line start is a class per letter.
        let m = r"(?im)^[ \t]*PrivateKey[ \t]*=";
        assert_eq!(starts(m, &["privatekey"]), [u32::MAX; 2]);
        let m = r"(?m)^[ \t]*[\w.]*(?i:token|access[_.]?key)=";
        assert_eq!(
            starts(m, &["token", "access_key", "access.key", "accesskey"]),
            [u32::MAX; 2]
        );
    }

    #[test]
    fn an_optional_boundary_byte_is_an_offset() {
        let re = r"(?:^|[^A-Za-z0-9_.])((?:pk|sk)\.[a-f0-9]{32})";
        // In Unicode, the byte before may be the last of a 2-, 3- or 4-byte character.
        assert_eq!(starts(re, &["pk.", "sk."]), [0b11, 0b11111]);
        let re = r"(?:^|[^a-z\x{80}-\x{7FF}])key";
        assert_eq!(starts(re, &["key"])[1], 0b11011, "no 2-byte character");
        // Greek letters are 2, 3 and 4 bytes long.
        assert_eq!(starts(r"\p{Greek}key", &["key"]), [0, 0b11100]);
        assert_eq!(starts(r"[\x{10000}-\x{10FFFF}]key", &["key"]), [0, 0b10000]);
        let re = r"(?i)(?:password|(?:\b|_)pass\b)[\w.]{0,30}=";
        assert_eq!(starts(re, &["password", "pass"]), [0b11, 0b11]);
    }

    #[test]
    fn the_unicode_build_keeps_ascii_case_folds_and_word_boundaries() {
        use regex_syntax::hir::Class;
        let class = |re: &str| match parse_rule_regex(re, true).map(Hir::into_kind) {
            Ok(HirKind::Class(Class::Unicode(c))) => c
                .ranges()
                .iter()
                .map(|r| (r.start(), r.end()))
                .collect::<Vec<_>>(),
            other => panic!("{re}: {other:?}"),
        };
        assert_eq!(class("(?i)k"), [('K', 'K'), ('k', 'k')]);
        assert_eq!(class("(?i)[s-t]"), [('S', 'T'), ('s', 't')]);
        // Only beside its ASCII letter in an otherwise-ASCII class: alone, or among other
        // non-ASCII characters, the sign stays.
        assert_eq!(class("[a\u{212A}]"), [('a', 'a'), ('\u{212A}', '\u{212A}')]);
        assert_eq!(class("[a\u{17F}]"), [('a', 'a'), ('\u{17F}', '\u{17F}')]);
        let has = |re: &str, c: char| class(re).iter().any(|&(lo, hi)| lo <= c && c <= hi);
        assert!(has(r"(?i)[k\w]", '\u{212A}'));
        assert!(has(r"(?i)[sé]", '\u{17F}'));
        // Word boundaries are ASCII.
        use regex_syntax::hir::Look;
        let looks = |re: &str| match parse_rule_regex(re, true).map(Hir::into_kind) {
            Ok(HirKind::Concat(parts)) => parts
                .into_iter()
                .filter_map(|p| match p.into_kind() {
                    HirKind::Look(l) => Some(l),
                    _ => None,
                })
                .collect::<Vec<_>>(),
            other => panic!("{re}: {other:?}"),
        };
        assert_eq!(looks(r"\bx\B"), [Look::WordAscii, Look::WordAsciiNegate]);
        assert_eq!(looks(r"\<x\>"), [Look::WordStartAscii, Look::WordEndAscii]);
        assert_eq!(
            looks(r"\b{start-half}x\b{end-half}"),
            [Look::WordStartHalfAscii, Look::WordEndHalfAscii]
        );
        assert_eq!(looks(r"(?m)^x$"), [Look::StartLF, Look::EndLF]);
        // The ASCII build is parsed as written.
        assert!(parse_rule_regex("(?i)k", false).is_ok());
        assert!(parse_rule_regex("(k", true).is_err());
    }

    #[test]
    fn a_keyword_inside_the_match_is_not_a_start() {
        assert_eq!(starts(r"(?i)[\w.-]*token[\w.-]*=", &["token"]), [0, 0]);
        assert_eq!(starts(r"\b([a-f0-9]{32}-us[0-9]{1,2})\b", &["-us"]), [0, 0]);
        // A prefix of varying length, or longer than the offsets recorded.
        assert_eq!(starts(r"[a-z]{8}token", &["token"]), [1 << 8; 2]);
        assert_eq!(starts(r"[a-z]{1,8}token", &["token"]), [0, 0]);
        assert_eq!(
            starts(&format!("x{{{}}}token", MAX_START + 1), &["token"]),
            [0, 0]
        );
        assert_eq!(starts(r"(?:ab)*token", &["token"]), [0, 0]);
        assert_eq!(starts(r"(?:a|bb)?token", &["token"]), [0b111, 0b111]);
        // A regex that may start without any keyword.
        assert_eq!(starts(r"token|secret", &["token"]), [0, 0]);
        assert_eq!(starts(r"(?:token)?", &["token"]), [0, 0]);
        assert_eq!(starts(r"(", &["token"]), [0, 0]);
    }

    #[test]
    fn offsets_are_exact_for_each_alternative() {
        assert_eq!(starts(r"(?:a|bb)token", &["token"]), [0b110, 0b110]);
        assert_eq!(starts(r"x?token", &["token"]), [0b11, 0b11]);
        assert_eq!(starts(r"\bx{2}token", &["token"]), [0b100, 0b100]);
        assert_eq!(starts(r"\bx{2,3}token", &["token"]), [0, 0]);
    }
}

#[cfg(test)]
mod line_start_tests {
    use super::*;

    fn fact(regex: &str, keywords: &[&str]) -> KeywordStart {
        keyword_start(regex, keywords, false)
    }

    #[test]
    fn a_line_anchored_name_starts_at_its_line() {
        let re =
            r"(?im)^[ \t]*(?:export[ \t]+)?[\w.\-]*(?:secret|token)[\w.\-]*[ \t]*=[ \t]*(\S{8,})";
        assert_eq!(fact(re, &["secret", "token"]), KeywordStart::LineStart);
        // `\s` and `.` with `(?s)` cross lines; a keyword that is not where the prefix ends
        // does not settle it either.
        assert_eq!(fact(r"(?m)^\s*token=", &["token"]), KeywordStart::Anywhere);
        assert_eq!(fact(r"(?ms)^.*token=", &["token"]), KeywordStart::Anywhere);
        assert_eq!(
            fact(r"(?m)^[ \t]*\w+=token", &["secret"]),
            KeywordStart::Anywhere
        );
        assert_eq!(fact(r"[ \t]*token=", &["token"]), KeywordStart::Anywhere);
        assert_eq!(
            fact(r"(?m)^(?:a+\n)?token=", &["token"]),
            KeywordStart::Anywhere
        );
    }
}
