//! Rule regexes whose search caches are bounded per thread.
//!
//! A regex needs a mutable cache to search (its lazy DFA's states, the NFA simulations' sets).
//! The `regex` crate keeps one per regex per thread for the regex's whole life, which for a tree
//! scan is about 950 triggered rules on every walker thread: heaptrack put those caches at
//! ~100 MB of a 163 MiB peak, most of them for rules that searched a handful of windows. Here
//! the rule regexes are `regex-automata`'s meta regexes (what `regex` wraps, built with the
//! same configuration, so they match exactly the same), searched with caches that each thread
//! keeps in its own store: the caches of the regexes it used most recently stay, up to
//! [`CACHE_BUDGET`] bytes, and the least recently used ones beyond it are dropped. The hot
//! rules keep their warm lazy DFAs; a rarely triggered rule rebuilds its cache when it runs
//! again, which costs what its first search cost.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use super::forward::{Forward, ForwardCache};
use crate::classify::regex_facts::parse_rule_regex;
use regex_automata::meta;
use regex_automata::util::captures::Captures;
use regex_automata::util::iter::Searcher;
use regex_automata::{Anchored, Input, MatchKind, PatternID};

/// Largest compiled regex a rule may have; keeps a careless `{1,100000}` from eating memory.
const REGEX_SIZE_LIMIT: usize = 4 * 1024 * 1024;

/// Lazy DFA cache capacity of one regex (the `regex` crate's default `dfa_size_limit`).
const DFA_CACHE_CAPACITY: usize = 2 * 1024 * 1024;

/// Bytes of search caches one thread keeps between searches. Large enough for the caches of
/// the rules that run on most files (generic `password`/`secret`/`token` rules), small enough
/// that two walker threads stay far below the tree scan's memory goal.
pub(crate) const CACHE_BUDGET: usize = 16 << 20;

/// Which searches a [`RuleRegex`] build serves: what it must be compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Searches {
    /// Unanchored searches too (windows, whole texts): a meta regex, with a prefilter.
    Any,
    /// Only searches anchored at a start ([`RuleRegex::captures_anchored`]): the forward
    /// engines alone ([`Forward`]); an unanchored search still finds the same matches, slowly.
    AnchoredOnly,
}

/// Every regex gets a distinct id, the key of its caches in a thread's store (a cache must
/// only ever search with the regex it was made for).
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// One build (ASCII or Unicode) of a rule regex.
#[derive(Debug)]
pub(crate) struct RuleRegex {
    re: Engine,
    id: u64,
}

/// The engine of a [`RuleRegex`]: a meta regex, or, for a build that only searches anchored,
/// the forward engines alone ([`Forward`]).
#[derive(Debug)]
enum Engine {
    Meta(meta::Regex),
    Forward(Box<Forward>),
}

/// A thread's search state for one [`Engine`] (boxed: a store moves entries as it grows).
enum SearchCache {
    Meta(Box<meta::Cache>),
    Forward(Box<ForwardCache>),
}

impl Engine {
    fn create_cache(&self) -> SearchCache {
        match self {
            Engine::Meta(re) => SearchCache::Meta(Box::new(re.create_cache())),
            Engine::Forward(re) => SearchCache::Forward(Box::new(re.create_cache())),
        }
    }

    fn create_captures(&self) -> Captures {
        match self {
            Engine::Meta(re) => re.create_captures(),
            Engine::Forward(re) => re.create_captures(),
        }
    }

    /// The leftmost-first match of `input`, its groups in `caps` (cleared if none).
    fn search(&self, cache: &mut SearchCache, input: &Input<'_>, caps: &mut Captures) {
        match (self, cache) {
            (Engine::Meta(re), SearchCache::Meta(c)) => re.search_captures_with(c, input, caps),
            (Engine::Forward(re), SearchCache::Forward(c)) => re.search(c, input, caps),
            // A store's cache is always its regex's own (keyed by the regex's id).
            (re, cache) => {
                *cache = re.create_cache();
                self.search(cache, input, caps);
            }
        }
    }
}

impl SearchCache {
    fn memory_usage(&self) -> usize {
        match self {
            SearchCache::Meta(c) => c.memory_usage(),
            SearchCache::Forward(c) => c.memory_usage(),
        }
    }
}

impl RuleRegex {
    /// Compiles `src` as `regex::bytes::RegexBuilder::new(src).unicode(unicode)` with the
    /// rule size limit would: leftmost-first, no UTF-8 requirement on the haystack or on empty
    /// matches. Errors are `regex`'s, so messages read the same as before.
    #[cfg(test)]
    pub(crate) fn build(src: &str, unicode: bool) -> Result<Self, regex::Error> {
        Self::build_for(src, unicode, Searches::Any)
    }

    /// [`RuleRegex::build`] for the searches the build will serve. A build only ever searched
    /// anchored ([`Searches::AnchoredOnly`]) needs no prefilter, reverse NFA or one-pass DFA
    /// (an anchored search uses none of them), which are more than half of compiling a rule
    /// regex as a meta regex.
    pub(crate) fn build_for(
        src: &str,
        unicode: bool,
        searches: Searches,
    ) -> Result<Self, regex::Error> {
        let hir =
            parse_rule_regex(src, unicode).map_err(|e| regex::Error::Syntax(e.to_string()))?;
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        if searches == Searches::AnchoredOnly {
            if let Some(re) = Forward::new(&hir, REGEX_SIZE_LIMIT, DFA_CACHE_CAPACITY) {
                let re = Engine::Forward(Box::new(re));
                return Ok(RuleRegex { re, id });
            }
        }
        let config = meta::Config::new()
            .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
            .hybrid_cache_capacity(DFA_CACHE_CAPACITY)
            .match_kind(MatchKind::LeftmostFirst)
            .auto_prefilter(searches == Searches::Any)
            .utf8_empty(false);
        let re = meta::Builder::new()
            .configure(config)
            .build_from_hir(&hir)
            .map_err(|e| match e.size_limit() {
                Some(limit) => regex::Error::CompiledTooBig(limit),
                None => regex::Error::Syntax(e.to_string()),
            })?;
        let re = Engine::Meta(re);
        Ok(RuleRegex { re, id })
    }

    /// The index of the secret's group: `secret` if named, else 1 if there is a group, else 0.
    pub(crate) fn secret_group(&self) -> usize {
        let groups = match &self.re {
            Engine::Meta(re) => re.group_info(),
            Engine::Forward(re) => re.group_info(),
        };
        groups
            .to_index(PatternID::ZERO, "secret")
            .unwrap_or(if groups.all_group_len() > 1 { 1 } else { 0 })
    }

    /// The first match in `hay` at or after `start` (the bytes before `start` are look-behind
    /// only, as with `regex`'s `captures_at`): the whole match and group `group`'s range.
    pub(crate) fn captures_at(
        &self,
        hay: &[u8],
        start: usize,
        group: usize,
    ) -> Option<(Range<usize>, Option<Range<usize>>)> {
        self.search_from(hay, start, group, Anchored::No)
    }

    /// The match that starts exactly at `start`, if any (leftmost-first among those), as
    /// [`RuleRegex::captures_at`] reports it when it finds a match there.
    pub(crate) fn captures_anchored(
        &self,
        hay: &[u8],
        start: usize,
        group: usize,
    ) -> Option<(Range<usize>, Option<Range<usize>>)> {
        self.search_from(hay, start, group, Anchored::Yes)
    }

    /// One search of `hay[start..]` (the bytes before are look-behind only): the whole match
    /// and group `group`'s range.
    fn search_from(
        &self,
        hay: &[u8],
        start: usize,
        group: usize,
        anchored: Anchored,
    ) -> Option<(Range<usize>, Option<Range<usize>>)> {
        let input = Input::new(hay).span(start..hay.len()).anchored(anchored);
        with_cache(self, |cache, caps| {
            self.re.search(cache, &input, caps);
            let whole = caps.get_group(0)?;
            Some((whole.range(), caps.get_group(group).map(|s| s.range())))
        })
    }

    /// Every successive non-overlapping match in `hay` (an empty match right after a match is
    /// skipped, as `regex`'s iterators do): the whole match and group `group`'s range.
    pub(crate) fn all_captures(
        &self,
        hay: &[u8],
        group: usize,
    ) -> Vec<(Range<usize>, Option<Range<usize>>)> {
        let mut searcher = Searcher::new(Input::new(hay));
        let mut out = Vec::new();
        with_cache(self, |cache, caps| {
            while searcher
                .advance(|input| {
                    self.re.search(cache, input, caps);
                    Ok(caps.get_match())
                })
                .is_some()
            {
                if let Some(whole) = caps.get_group(0) {
                    out.push((whole.range(), caps.get_group(group).map(|s| s.range())));
                }
            }
        });
        out
    }
}

thread_local! {
    /// This thread's search caches, by regex id.
    static CACHES: RefCell<CacheStore> = RefCell::new(CacheStore::default());
}

/// Runs `f` with this thread's cache and captures for `re` (fresh ones when the store is
/// unavailable: during thread teardown).
fn with_cache<T>(re: &RuleRegex, mut f: impl FnMut(&mut SearchCache, &mut Captures) -> T) -> T {
    let stored = CACHES.try_with(|store| {
        store
            .try_borrow_mut()
            .ok()
            .map(|mut store| store.run(re, &mut f))
    });
    match stored {
        Ok(Some(out)) => out,
        _ => f(&mut re.re.create_cache(), &mut re.re.create_captures()),
    }
}

/// Sets this thread's cache budget (tests: findings must not depend on it); returns the
/// previous one.
#[cfg(test)]
pub(crate) fn set_thread_cache_budget(bytes: usize) -> usize {
    CACHES.with(|store| std::mem::replace(&mut store.borrow_mut().budget, bytes))
}

/// The caches one thread keeps, least recently used dropped first past a byte budget.
struct CacheStore {
    caches: HashMap<u64, Entry, BuildHasherDefault<IdHasher>>,
    /// Sum of the entries' `bytes`.
    used: usize,
    /// Incremented at every search: the entries' `last` use.
    clock: u64,
    /// [`CACHE_BUDGET`], except in tests.
    budget: usize,
}

impl Default for CacheStore {
    fn default() -> Self {
        CacheStore {
            caches: HashMap::default(),
            used: 0,
            clock: 0,
            budget: CACHE_BUDGET,
        }
    }
}

struct Entry {
    cache: SearchCache,
    /// The capture slots a search fills (kept, so a search allocates nothing).
    caps: Captures,
    /// The cache's heap use when last measured.
    bytes: usize,
    last: u64,
    /// Searches run with it.
    searches: u64,
}

/// A cache is measured after each of its first this many searches and every this many after.
const MEASURE_EVERY: u64 = 16;

impl CacheStore {
    fn run<T>(
        &mut self,
        re: &RuleRegex,
        f: impl FnOnce(&mut SearchCache, &mut Captures) -> T,
    ) -> T {
        self.clock += 1;
        let entry = self.caches.entry(re.id).or_insert_with(|| Entry {
            cache: re.re.create_cache(),
            caps: re.re.create_captures(),
            bytes: 0,
            last: 0,
            searches: 0,
        });
        entry.last = self.clock;
        let out = f(&mut entry.cache, &mut entry.caps);
        // Summing a cache's parts costs about what a short search does, so a cache is
        // measured on its first searches and then every `MEASURE_EVERY`th: it grows by the
        // lazy DFA states a search adds, which its capacity bounds either way.
        entry.searches += 1;
        if entry.searches <= MEASURE_EVERY || entry.searches % MEASURE_EVERY == 0 {
            let bytes = entry.cache.memory_usage();
            self.used = self.used - entry.bytes + bytes;
            entry.bytes = bytes;
            if self.used > self.budget {
                self.evict(re.id, self.budget - self.budget / 4);
            }
        }
        out
    }

    /// Drops the least recently used caches, never `keep`'s, until at most `target` bytes
    /// are held (or only `keep`'s is left).
    fn evict(&mut self, keep: u64, target: usize) {
        let mut order: Vec<(u64, u64)> = self
            .caches
            .iter()
            .filter(|(id, _)| **id != keep)
            .map(|(id, e)| (e.last, *id))
            .collect();
        order.sort_unstable();
        for (_, id) in order {
            if self.used <= target {
                break;
            }
            if let Some(e) = self.caches.remove(&id) {
                self.used -= e.bytes;
            }
        }
    }
}

/// Hashes a regex id (a counter) with one multiplication: the store is looked up at every
/// search, and the ids need no protection against chosen collisions.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64((self.0 << 8) | u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::regex_facts::ascii_build_is_exact;

    #[test]
    fn matches_like_the_regex_crate() {
        let src = r#"(?i)\b(?:token|key)\s*=\s*"?(?P<secret>[\w.-]{8,})"#;
        let text = "x\nKEY = \"abc.def-123\" token=éàü12345678 key=short".as_bytes();
        for unicode in [false, true] {
            let ours = RuleRegex::build(src, unicode).expect("compiles");
            let theirs = regex::bytes::RegexBuilder::new(src)
                .unicode(unicode)
                .build()
                .expect("compiles");
            let group = ours.secret_group();
            assert_eq!(group, 1);
            let want: Vec<_> = theirs
                .captures_iter(text)
                .map(|c| {
                    let w = c.get(0).map(|m| m.range()).unwrap_or_default();
                    (w, c.get(group).map(|m| m.range()))
                })
                .collect();
            assert_eq!(ours.all_captures(text, group), want, "unicode {unicode}");
            assert!(!want.is_empty());
            for start in 0..text.len() {
                let want = theirs.captures_at(text, start).map(|c| {
                    let w = c.get(0).map(|m| m.range()).unwrap_or_default();
                    (w, c.get(group).map(|m| m.range()))
                });
                assert_eq!(ours.captures_at(text, start, group), want, "at {start}");
            }
        }
    }

    #[test]
    fn the_ascii_build_is_exact_only_without_unicode_sensitive_parts() {
        for exact in [
            r"ghp_[A-Za-z0-9]{36}",
            r"(?i)AIza[0-9a-j_-]{35}",
            r"(?:^|[ \t=:'\x22])(xox[bp]-[0-9]{10,13}-[a-zA-Z0-9-]{24,34})",
            r"(?-u:\b)glpat-(?P<secret>[0-9A-Za-z_-]{20})(?-u:[^a-z])",
            r"(?m)^-----BEGIN",
            // `(?i)k` and `(?i)s` fold to ASCII only in the Unicode build too.
            r"(?i)token=[a-f0-9]{32}",
            r"(?i)AIza[0-9a-z_-]{35}",
            r"(?i)secret=[a-f0-9]{32}",
            // So are word boundaries.
            r"\bghp_[A-Za-z0-9]{36}\b",
        ] {
            assert!(ascii_build_is_exact(exact), "{exact}");
        }
        for sensitive in [
            r"(?i)token=[a-fé]{32}",
            r"key=\w+",
            r"key=\s*[a-z]+",
            r"key=\d+",
            r"key=.{8}",
            r#"key="[^"]+""#,
            r"\p{L}+",
            "(abc",
        ] {
            assert!(!ascii_build_is_exact(sensitive), "{sensitive}");
        }
    }

    #[test]
    fn the_unicode_build_keeps_ascii_case_folds_and_word_boundaries() {
        let re = RuleRegex::build(r"(?i)key=(\w+)", true).expect("compiles");
        let found = |text: &str| re.all_captures(text.as_bytes(), 1);
        // `\w` is Unicode; the name's `k` is not the Kelvin sign.
        assert_eq!(found("KEY=abcé"), [(0..9, Some(4..9))]);
        assert_eq!(found("\u{212A}ey=abc"), []);
        // Word boundaries are ASCII: `é` is no word character for `\b`.
        let re = RuleRegex::build(r"\bkey=(\w+)", true).expect("compiles");
        let found = |text: &str| re.all_captures(text.as_bytes(), 1);
        assert_eq!(found("ékey=abc"), [(2..9, Some(6..9))]);
        assert_eq!(found("akey=abc"), []);
        let re = RuleRegex::build("\u{212A}ey", true).expect("compiles");
        assert_eq!(re.all_captures("\u{212A}ey".as_bytes(), 0).len(), 1);
    }

    /// A build for anchored searches only has the forward engines, and finds what the meta
    /// regex finds: anchored at every start, and unanchored (with the PikeVM).
    #[test]
    fn anchored_only_builds_match_like_the_meta_regex() {
        let text = "ékey = \"abc.def-123\"\nKEY=x\r\ntoken=éàü12345678 key=short key= \n\
                    xkey=1234567890 ghp_abcdefghij0123456789abcdefghij012345 _"
            .as_bytes();
        for src in [
            r#"(?i)\b(?:token|key)\s*=\s*"?(?P<secret>[\w.-]{8,})"#,
            r"(?m)^[ \t]*(?i:key)=(\S*)\r?$",
            r"\b(ghp_[A-Za-z0-9]{36})\b",
            r"(?:^|[^a-z])(?i:key)[ \t]*=[ \t]*([0-9]{0,10})",
            r"x?",
        ] {
            for unicode in [false, true] {
                let meta = RuleRegex::build_for(src, unicode, Searches::Any).expect("compiles");
                let fwd =
                    RuleRegex::build_for(src, unicode, Searches::AnchoredOnly).expect("compiles");
                assert!(matches!(fwd.re, Engine::Forward(_)), "{src}");
                let group = meta.secret_group();
                assert_eq!(fwd.secret_group(), group, "{src}");
                let mut found = 0;
                for start in 0..=text.len() {
                    let want = meta.captures_anchored(text, start, group);
                    found += usize::from(want.is_some());
                    assert_eq!(
                        fwd.captures_anchored(text, start, group),
                        want,
                        "{src} {start}"
                    );
                    let cut = &text[..start];
                    assert_eq!(
                        fwd.captures_anchored(cut, start / 2, group),
                        meta.captures_anchored(cut, start / 2, group),
                        "{src} {start}"
                    );
                }
                assert!(found > 0, "{src}");
                assert_eq!(
                    fwd.all_captures(text, group),
                    meta.all_captures(text, group)
                );
            }
        }
    }

    #[test]
    fn errors_read_like_the_regex_crate() {
        // Built at run time: a literal invalid regex is a lint error.
        let unclosed = ["(", "abc"].concat();
        let e = RuleRegex::build(&unclosed, true).expect_err("unclosed group");
        let want = regex::bytes::Regex::new(&unclosed).expect_err("unclosed group");
        assert_eq!(e.to_string(), want.to_string());
        let e = RuleRegex::build(r"\w{1000}{1000}", true).expect_err("too big");
        assert!(matches!(e, regex::Error::CompiledTooBig(_)), "{e}");
        let e = RuleRegex::build_for(r"\w{1000}{1000}", true, Searches::AnchoredOnly);
        assert!(matches!(e, Err(regex::Error::CompiledTooBig(_))));
    }

    #[test]
    fn the_store_drops_the_least_recently_used_caches_past_its_budget() {
        let sources: Vec<String> = (0..6)
            .map(|i| format!(r"(?i)\bkey{i}\w+=\s*(\w{{8,}})"))
            .collect();
        let regexes: Vec<RuleRegex> = sources
            .iter()
            .map(|s| RuleRegex::build(s, true))
            .collect::<Result<_, _>>()
            .expect("compiles");
        let mut store = CacheStore::default();
        let text = "key0abc= 12345678901234567890 ".repeat(20);
        let search = |store: &mut CacheStore, re: &RuleRegex, budget: usize| {
            store.budget = budget;
            store.run(re, |cache, _| {
                let mut caps = re.re.create_captures();
                re.re.search(cache, &Input::new(text.as_bytes()), &mut caps);
                caps.get_match()
            })
        };
        // A budget that holds everything keeps everything.
        for re in &regexes {
            search(&mut store, re, usize::MAX);
        }
        assert_eq!(store.caches.len(), 6);
        let total: usize = store.caches.values().map(|e| e.bytes).sum();
        assert_eq!(store.used, total);
        assert!(total > 0);
        // A budget of about two caches keeps the most recent ones, always the current one.
        let two = store.caches.values().map(|e| e.bytes).max().unwrap_or(0) * 2;
        search(&mut store, &regexes[0], two);
        assert!(store.used <= two, "{} > {two}", store.used);
        assert!(store.caches.contains_key(&regexes[0].id), "the current one");
        assert!(
            !store.caches.contains_key(&regexes[1].id),
            "the least recently used goes first"
        );
        let total: usize = store.caches.values().map(|e| e.bytes).sum();
        assert_eq!(store.used, total);
        // A budget below one cache still keeps the cache in use.
        search(&mut store, &regexes[5], 1);
        assert_eq!(store.caches.len(), 1);
        assert!(store.caches.contains_key(&regexes[5].id));
        // Searching after eviction recreates the cache and finds the same.
        let again = search(&mut store, &regexes[0], 1).map(|m| m.range());
        let want = regex::bytes::Regex::new(&sources[0])
            .expect("compiles")
            .find(text.as_bytes())
            .map(|m| m.range());
        assert_eq!(again, want);
        assert!(want.is_some());
    }
}
