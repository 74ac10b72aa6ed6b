//! The matching engine: one keyword pass over every rule's keywords, then only the
//! regexes of rules whose keywords occurred, then filters and validators.
//!
//! The engine works on bytes (`regex::bytes`), so non-UTF-8 files are scanned as they are, and
//! it computes nothing per line: positions are byte ranges, turned into lines and columns only
//! for the few matches that survive (see [`line_col`]).

use std::ops::Range;
use std::sync::Arc;

use std::collections::HashMap;

use super::keywords::KeywordSet;
use super::rule::ValidatorKind;
use super::rule::{CompiledRegex, Reach, Rule, Within};
use super::surroundings::{
    assigned_name, credential_on_example_host, in_kubernetes_secret_data, in_path_or_file_name,
};
use super::validate::{validate, Validation};
use crate::classify::regex_facts::KeywordStart;
use crate::classify::{
    entropy_floor, has_sandbox_marker, is_stand_in, names_no_credential, placeholder_reason,
    shannon_entropy, Rejection,
};
use crate::finding::{Precision, Severity};
use crate::redact::SecretValue;

/// How far around a match (in bytes, each side) a rule's `context` keywords are looked for.
pub const CONTEXT_WINDOW: usize = 200;

/// How far before a keyword hit a match may start, and after the keyword's end it may end, for
/// rules whose regex has no bounded length (bounded regexes use their maximum length, which
/// makes the window exact). A match that runs into the end of its window is searched again
/// with a larger one, so long unbounded matches are not cut; a long body (a PEM key) gets a
/// wide window from the start, since its regex may fail rather than run into a narrow end.
const UNBOUNDED_BACK: usize = 1024;
const UNBOUNDED_FORWARD: usize = 4096;
const LONG_BODY_FORWARD: usize = 256 << 10;
/// Added to every window on both sides: some rules use their keyword as nearby context rather
/// than as part of the match (`bootstrap` before a `abcdef.0123456789abcdef` token).
const KEYWORD_CONTEXT: usize = 256;

/// A compiled rule set: the rules and the keyword search that selects which of them run.
/// Cheap to clone (a scan clones the built-in set): the parts are shared.
#[derive(Debug, Clone)]
pub struct CompiledRules {
    rules: Arc<[Rule]>,
    keywords: KeywordSet,
    /// For each keyword, the rules that have it as a keyword.
    pattern_rules: Arc<[Vec<u32>]>,
}

/// One secret found in a text.
#[derive(Debug, Clone)]
pub struct SecretMatch {
    /// Index of the rule in [`CompiledRules::rules`].
    pub rule_index: usize,
    /// Qualified rule id (`secret/github-pat-classic`).
    pub rule_id: String,
    /// The rule's severity.
    pub severity: Severity,
    /// Byte range of the secret in the scanned text.
    pub range: Range<usize>,
    /// Byte range of the whole regex match (the secret plus its context, e.g. `password = "…"`).
    pub match_range: Range<usize>,
    /// The secret; formats redacted.
    pub value: SecretValue,
    /// Shannon entropy of the secret, bits per character.
    pub entropy: f64,
    /// Whether a checksum or structure validator passed.
    pub validated: bool,
    /// Why this match of the rule's exact format is probably not a live credential; its
    /// `severity` is then [`Severity::Low`].
    pub doubt: Option<Doubt>,
}

/// Why a text that has a provider rule's exact format is reported at low severity rather than
/// at the rule's: it is probably an example, a truncated or an edited token. A release gate
/// must not block on it (low is under the default threshold), but a reviewer should see it:
/// other scanners report such texts, and a real key with a made-up look is still a real key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doubt {
    /// The token's documented checksum fails (GitHub's and npm's CRC32).
    ChecksumFails,
    /// The body is a stand-in: runs or repeats (`AKIA…ABCDEFGHIJKLMNOP`), a stopword
    /// (`password`) or documentation words (`…EXAMPLE…`); see [`crate::classify::is_stand_in`].
    PlaceholderBody,
    /// The password of a URL whose host is reserved for documentation (`@example.com`,
    /// `.test`): a sample connection string.
    ExampleHost,
    /// The value is one capitalised word (`Passwort`, `Contraseña`): a form label or its
    /// translation far more often than a password.
    LabelWord,
}

impl Doubt {
    /// The reason, for a finding's message.
    pub fn reason(self) -> &'static str {
        match self {
            Doubt::ChecksumFails => {
                "its checksum fails, so it is likely an example or a truncated or altered token"
            }
            Doubt::PlaceholderBody => {
                "its body looks like a placeholder (repeated, sequential or documentation text), so it is likely an example"
            }
            Doubt::ExampleHost => {
                "its host is a domain reserved for documentation (RFC 2606), so it is likely an example"
            }
            Doubt::LabelWord => {
                "its value is a single capitalised word, so it is likely a label or a translation"
            }
        }
    }
}

impl CompiledRules {
    /// Builds the keyword search over `rules`' keywords. Rules are expected to be validated
    /// ([`super::rule::compile_rule`]): every keyword is ASCII and 3+ characters.
    pub fn new(rules: Vec<Rule>) -> Self {
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut pattern_rules: Vec<Vec<u32>> = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            for k in &rule.def.keywords {
                let k = k.to_ascii_lowercase().into_bytes();
                let pi = *index.entry(k.clone()).or_insert_with(|| {
                    patterns.push(k);
                    pattern_rules.push(Vec::new());
                    patterns.len() - 1
                });
                if !pattern_rules[pi].contains(&i) {
                    pattern_rules[pi].push(i);
                }
            }
        }
        CompiledRules {
            rules: rules.into(),
            keywords: KeywordSet::new(patterns),
            pattern_rules: pattern_rules.into(),
        }
    }

    /// The rules, in the order findings refer to them.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with id `id` (with or without the `secret/` prefix).
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        let id = id.strip_prefix("secret/").unwrap_or(id);
        self.rules.iter().find(|r| r.def.id == id)
    }

    /// Secrets in `text`. Cheap when nothing matches: one keyword pass over the text.
    pub fn find_in(&self, text: &str) -> Vec<SecretMatch> {
        self.find_in_bytes(text.as_bytes())
    }

    /// Secrets in arbitrary bytes (non-UTF-8 content is scanned as is).
    pub fn find_in_bytes(&self, hay: &[u8]) -> Vec<SecretMatch> {
        self.find_starting_in(hay, 0..hay.len())
    }

    /// Secrets in `hay` whose secret starts inside `report` (a chunk of a large file: the bytes
    /// around `report` are context only, and belong to the neighbouring chunks' reports).
    ///
    /// One keyword pass lists every keyword occurrence; each rule with occurrences runs its
    /// regex only where they allow a match, so the work grows with the file size plus the hits,
    /// and a rule's regex never crosses the whole file for one keyword at its start: anchored at
    /// each place a match may start, when the regex settles where that is relative to its
    /// keywords ([`KeywordStart`]), else in windows around the hits (merged where they overlap).
    pub fn find_starting_in(&self, hay: &[u8], report: Range<usize>) -> Vec<SecretMatch> {
        let hits = self.keywords.hits(hay);
        if hits.is_empty() {
            return Vec::new();
        }
        let mut cand: Vec<(u32, usize, usize)> = Vec::with_capacity(hits.len());
        for h in &hits {
            let end = h.start + self.keywords.len_of(h.pattern);
            for &r in self
                .pattern_rules
                .get(h.pattern as usize)
                .map_or(&[][..], Vec::as_slice)
            {
                cand.push((r, h.start, end));
            }
        }
        let cand = group_by_rule(cand, self.rules.len());
        let mut out = Vec::new();
        let ascii = AsciiMap::new(hay);
        let mut starts = Vec::new();
        let mut i = 0;
        while i < cand.len() {
            let r = cand[i].0;
            let mut j = i;
            while j < cand.len() && cand[j].0 == r {
                j += 1;
            }
            let index = r as usize;
            if let Some(rule) = self.rules.get(index) {
                if let Some(compiled) = rule.compiled() {
                    let (back, forward) = match compiled.reach {
                        Reach::Bounded(n) => (n, n),
                        Reach::Unbounded => (UNBOUNDED_BACK, UNBOUNDED_FORWARD),
                        Reach::LongBody => (UNBOUNDED_BACK, LONG_BODY_FORWARD),
                        Reach::File => (usize::MAX, usize::MAX),
                    };
                    let (back, forward) = (
                        back.saturating_add(KEYWORD_CONTEXT),
                        forward.saturating_add(KEYWORD_CONTEXT),
                    );
                    if let Some(start) = ascii.settled_start(compiled) {
                        match_starts(hay, start, &cand[i..j], &mut starts);
                        scan_starts(
                            index, rule, compiled, hay, &starts, forward, &ascii, &mut out,
                        );
                        i = j;
                        continue;
                    }
                    let mut k = i;
                    while k < j {
                        let a = cand[k].1.saturating_sub(back);
                        let mut b = cand[k].2.saturating_add(forward).min(hay.len());
                        k += 1;
                        while k < j && cand[k].1.saturating_sub(back) <= b {
                            b = b.max(cand[k].2.saturating_add(forward).min(hay.len()));
                            k += 1;
                        }
                        scan_region(index, rule, compiled, hay, a..b, forward, &mut out);
                    }
                }
            }
            i = j;
        }
        let mut kept = dedup_overlapping(&self.rules, out);
        kept.retain(|m| report.contains(&m.range.start));
        kept
    }

    /// The engine without keyword windows: every triggered rule's regex over the whole text.
    /// Slow on big files; kept as the reference the windowed engine is tested against.
    #[doc(hidden)]
    pub fn find_in_bytes_reference(&self, hay: &[u8]) -> Vec<SecretMatch> {
        let mut triggered = vec![false; self.rules.len()];
        for h in self.keywords.hits(hay) {
            for &r in self
                .pattern_rules
                .get(h.pattern as usize)
                .map_or(&[][..], Vec::as_slice)
            {
                triggered[r as usize] = true;
            }
        }
        let mut out = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if !triggered[i] {
                continue;
            }
            let Some(compiled) = rule.compiled() else {
                continue;
            };
            let (Some(regex), group) = (compiled.unicode(), &compiled.group) else {
                continue;
            };
            for (whole, sec) in regex.all_captures(hay, *group) {
                let sec = sec.unwrap_or_else(|| whole.clone());
                if sec.is_empty() {
                    continue;
                }
                if let Some(m) = accept(i, rule, hay, whole, sec) {
                    out.push(m);
                }
            }
        }
        dedup_overlapping(&self.rules, out)
    }
}

/// Which bytes of a text are ASCII, for picking a rule regex's build ([`CompiledRegex`]): most
/// files are all ASCII, and in the others non-ASCII bytes are found by binary search.
struct AsciiMap<'h> {
    hay: &'h [u8],
    /// Computed on first use: the sorted, disjoint runs of non-ASCII bytes (none for an ASCII
    /// text).
    non_ascii: std::cell::OnceCell<Vec<Range<usize>>>,
}

impl<'h> AsciiMap<'h> {
    fn new(hay: &'h [u8]) -> Self {
        AsciiMap {
            hay,
            non_ascii: std::cell::OnceCell::new(),
        }
    }

    fn runs(&self) -> &[Range<usize>] {
        self.non_ascii.get_or_init(|| {
            if self.hay.is_ascii() {
                return Vec::new();
            }
            // Whole ASCII blocks are skipped with the word-at-a-time `is_ascii`.
            const BLOCK: usize = 64;
            let mut runs: Vec<Range<usize>> = Vec::new();
            for (k, block) in self.hay.chunks(BLOCK).enumerate() {
                if block.is_ascii() {
                    continue;
                }
                for (j, &b) in block.iter().enumerate() {
                    let i = k * BLOCK + j;
                    if b >= 0x80 {
                        match runs.last_mut() {
                            Some(r) if r.end == i => r.end = i + 1,
                            _ => runs.push(i..i + 1),
                        }
                    }
                }
            }
            runs
        })
    }

    /// Whether `hay[range]` is all ASCII.
    fn is_ascii(&self, range: Range<usize>) -> bool {
        let runs = self.runs();
        // The first run that ends after the range's start must start at or after its end.
        let k = runs.partition_point(|r| r.end <= range.start);
        runs.get(k).is_none_or(|r| r.start >= range.end)
    }

    /// Where `compiled`'s matches start relative to a keyword hit, when that holds for every
    /// build the text's searches may use: the ASCII build's fact for an ASCII text; for one with
    /// non-ASCII bytes, what holds for both builds (then each search picks its build).
    fn settled_start(&self, compiled: &CompiledRegex) -> Option<KeywordStart> {
        let ascii = compiled.start(true);
        let fact = if self.runs().is_empty() {
            ascii
        } else {
            ascii.union(compiled.start(false))
        };
        (fact != KeywordStart::Anywhere).then_some(fact)
    }
}

/// The candidates (rule, start, end), made from hits in ascending start order, grouped by rule
/// with each rule's in that order. A counting sort over the rules: linear, where sorting the
/// hundreds of thousands of candidates of a minified bundle or a big generated file was a
/// tenth of a tree scan's regex time.
fn group_by_rule(mut cand: Vec<(u32, usize, usize)>, rules: usize) -> Vec<(u32, usize, usize)> {
    if cand.len() <= 64 {
        cand.sort_unstable();
        return cand;
    }
    let slot = |r: u32| (r as usize).min(rules);
    let mut next = vec![0usize; rules + 2];
    for c in &cand {
        next[slot(c.0) + 1] += 1;
    }
    for i in 1..next.len() {
        next[i] += next[i - 1];
    }
    let mut out = vec![(0, 0, 0); cand.len()];
    for c in cand {
        let at = &mut next[slot(c.0)];
        out[*at] = c;
        *at += 1;
    }
    out
}

/// The places where one rule's matches may start, given its keyword hits `cand` (rule, start,
/// end; ascending) and where its matches start relative to them, each with the farthest end of
/// the hits that put it there (its search sees as far past that end as a window would).
/// Ascending and distinct; linear in the hits (line starts are found from hit to hit, never
/// from each hit back to the line's start, so a one-line bundle with many hits stays linear).
fn match_starts(
    hay: &[u8],
    start: KeywordStart,
    cand: &[(u32, usize, usize)],
    out: &mut Vec<(usize, usize)>,
) {
    out.clear();
    match start {
        KeywordStart::Anywhere => {}
        KeywordStart::Before(offsets) => {
            for &(_, hit, end) in cand {
                let mut bits = offsets;
                while bits != 0 {
                    let o = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    if hit >= o {
                        out.push((hit - o, end));
                    }
                }
            }
            // One offset keeps the hits' ascending order.
            if !offsets.is_power_of_two() {
                out.sort_unstable();
            }
        }
        KeywordStart::LineStart => {
            let (mut from, mut line) = (0, 0);
            for &(_, hit, end) in cand {
                if let Some(p) = memchr::memrchr2(b'\n', b'\r', &hay[from..hit]) {
                    line = from + p + 1;
                }
                from = hit;
                out.push((line, end));
            }
        }
    }
    // One search per start, seeing as far as its farthest hit's window.
    out.dedup_by(|next, kept| {
        let same = next.0 == kept.0;
        if same {
            kept.1 = kept.1.max(next.1);
        }
        same
    });
}

/// Runs one rule's regex anchored at each of `starts` (ascending, from [`match_starts`]): the
/// rule's regex starts every match at one of them ([`CompiledRegex::start`]), so this finds
/// what [`scan_region`] would find in the windows around the same hits, with a few bytes of
/// automaton per start instead of a window's width. Matches do not overlap: a start inside the
/// previous match is skipped, as a forward search skips it. Each search sees the text up to
/// `forward` bytes past its hit's end, as a window does; a match that reaches that end is
/// searched again with more, as in [`scan_region`].
#[allow(clippy::too_many_arguments)]
fn scan_starts(
    index: usize,
    rule: &Rule,
    compiled: &CompiledRegex,
    hay: &[u8],
    starts: &[(usize, usize)],
    forward: usize,
    ascii: &AsciiMap<'_>,
    out: &mut Vec<SecretMatch>,
) {
    let group = compiled.group;
    let mut next = 0;
    for &(s, hit_end) in starts {
        if s < next {
            continue;
        }
        let mut limit = hit_end.saturating_add(forward).min(hay.len());
        let mut grow = forward.max(64);
        let found = loop {
            let Some(regex) = compiled.for_text(ascii.is_ascii(s.saturating_sub(4)..limit)) else {
                return;
            };
            match regex.captures_anchored(&hay[..limit], s, group) {
                Some((whole, _)) if whole.end == limit && limit < hay.len() => {
                    limit = limit.saturating_add(grow).min(hay.len());
                    grow = grow.saturating_mul(2);
                }
                other => break other,
            }
        };
        if let Some((whole, sec)) = found {
            next = keep_match(index, rule, hay, whole, sec, out);
        }
    }
}

/// Keeps one regex match (`whole`, with the secret group `sec`, else the whole match) when
/// [`accept`] does; returns where the next search starts: after the match (one past an empty
/// one, as the regex crate's iterators do).
fn keep_match(
    index: usize,
    rule: &Rule,
    hay: &[u8],
    whole: Range<usize>,
    sec: Option<Range<usize>>,
    out: &mut Vec<SecretMatch>,
) -> usize {
    let next = if whole.is_empty() {
        whole.end + 1
    } else {
        whole.end
    };
    let sec = sec.unwrap_or_else(|| whole.clone());
    if !sec.is_empty() {
        if let Some(m) = accept(index, rule, hay, whole, sec) {
            out.push(m);
        }
    }
    next
}

/// Runs one rule's regex over `region` of `hay`: every match that starts in the region. The
/// regex sees the text before the region (look-behind such as `\b` and `^` stays exact) and
/// up to the region's end; a match that reaches that end may be cut, so it is searched again
/// with the window grown by `forward` bytes (geometrically), up to the end of `hay`.
///
/// While every byte the search can inspect (from a few bytes before the region, for `\b`, to
/// the window's end) is ASCII, the rule's ASCII build searches ([`CompiledRegex`]: the same
/// matches, compiled faster); from the first non-ASCII byte on, its Unicode build.
fn scan_region(
    index: usize,
    rule: &Rule,
    compiled: &CompiledRegex,
    hay: &[u8],
    region: Range<usize>,
    forward: usize,
    out: &mut Vec<SecretMatch>,
) {
    let group = &compiled.group;
    let mut pos = region.start;
    let mut limit = region.end.min(hay.len());
    let mut grow = forward.max(64);
    // `hay[..ascii_to]` from the region's look-behind on is known ASCII; `None`: not all ASCII.
    let mut ascii_to = Some(region.start.saturating_sub(4).min(limit));
    while pos < region.end {
        if let Some(to) = ascii_to.filter(|&to| to < limit) {
            ascii_to = hay[to..limit].is_ascii().then_some(limit);
        }
        let Some(regex) = compiled.for_text(ascii_to.is_some()) else {
            break;
        };
        let Some((whole, sec)) = regex.captures_at(&hay[..limit], pos, *group) else {
            break;
        };
        if whole.start >= region.end {
            break;
        }
        if whole.end == limit && limit < hay.len() {
            limit = limit.saturating_add(grow).min(hay.len());
            grow = grow.saturating_mul(2);
            continue;
        }
        pos = keep_match(index, rule, hay, whole, sec, out);
    }
}

/// Applies context, placeholder, entropy and validator checks to one regex match.
fn accept(
    index: usize,
    rule: &Rule,
    hay: &[u8],
    whole: Range<usize>,
    sec: Range<usize>,
) -> Option<SecretMatch> {
    let bytes = hay.get(sec.clone())?;
    if !rule.context_lower.is_empty() {
        let lo = whole.start.saturating_sub(CONTEXT_WINDOW);
        let hi = whole.end.saturating_add(CONTEXT_WINDOW).min(hay.len());
        let window = hay.get(lo..hi)?.to_ascii_lowercase();
        let found = rule
            .context_lower
            .iter()
            .any(|c| memchr::memmem::find(&window, c).is_some());
        if !found {
            return None;
        }
    }
    let value = String::from_utf8_lossy(bytes).into_owned();
    let mut doubt = None;
    if !rule.def.allow_placeholders {
        match placeholder_reason(&value) {
            None => {}
            // `open_sesame` is a constant's name after a bare `password = `, but the literal
            // password after `psexec -p` or `Password=` in a connection string.
            // UPPER_CASE words stay a constant's name everywhere.
            Some(Rejection::IdentifierWords)
                if rule.precision() != Precision::Low
                    && value.bytes().any(|b| b.is_ascii_lowercase()) => {}
            // A rule that names a format found text of that format: a stand-in body is
            // reported, at low severity; a heuristic rule has no format to go by.
            Some(r) if can_doubt(rule) && is_stand_in(r, &value) => {
                doubt = Some(match r {
                    Rejection::LabelWord => Doubt::LabelWord,
                    _ => Doubt::PlaceholderBody,
                });
            }
            Some(_) => return None,
        }
    }
    if rule.precision() == Precision::Low && !heuristic_keeps(rule, hay, &whole, &sec, &value) {
        return None;
    }
    // `…/ghp_…/…` in a URL path and `sk_live_logo.png` are names, not tokens.
    if rule.is_prefixed_token() && in_path_or_file_name(hay, sec.clone()) {
        return None;
    }
    if doubt.is_none() && can_doubt(rule) && credential_on_example_host(hay, sec.clone()) {
        doubt = Some(Doubt::ExampleHost);
    }
    if rule.def.within == Some(Within::KubernetesSecretData)
        && !in_kubernetes_secret_data(hay, sec.start)
    {
        return None;
    }

    let entropy = shannon_entropy(bytes);
    // A fixed-structure prefixed token is evidence by its structure; the entropy floor is for
    // unprefixed bodies (a repetitive but well-formed `AGE-SECRET-KEY-1…` is still a key). A
    // stand-in body has low entropy by nature and is already reported as one.
    if let Some(min) = rule.def.entropy {
        if doubt.is_none() && !rule.is_prefixed_token() && entropy < entropy_floor(min, bytes) {
            return None;
        }
    }
    let validated = match rule.def.validator {
        Some(kind) => match validate(kind, &value) {
            Validation::Valid => true,
            // A failing checksum on a token of the exact format: an example, or a token cut or
            // edited. Structure validators (JWT, Basic, base64 keys) say "not this kind of
            // value" instead, and drop it.
            Validation::Invalid if is_checksum(kind) && can_doubt(rule) => {
                doubt = doubt.or(Some(Doubt::ChecksumFails));
                false
            }
            Validation::Invalid => return None,
            Validation::NotApplicable => false,
        },
        None => false,
    };
    let severity = match doubt {
        Some(_) => rule.def.severity.min(Severity::Low),
        None => rule.def.severity,
    };
    Some(SecretMatch {
        rule_index: index,
        rule_id: rule.qualified_id.clone(),
        severity,
        range: sec,
        match_range: whole,
        value: SecretValue::new(value),
        entropy: (entropy * 100.0).round() / 100.0,
        validated,
        doubt,
    })
}

/// Whether `rule` reports a doubtful match at low severity rather than dropping it: a rule
/// that names a format or a structure (precision medium or above) and reports a credential
/// (severity above low; identifier rules report names, not credentials).
fn can_doubt(rule: &Rule) -> bool {
    rule.precision() != Precision::Low && rule.def.severity > Severity::Low
}

/// Validators that check a documented checksum of the token's own characters.
fn is_checksum(kind: ValidatorKind) -> bool {
    matches!(
        kind,
        ValidatorKind::GithubChecksum | ValidatorKind::NpmChecksum
    )
}

/// The extra checks of heuristic rules (precision low), which name no format to check a value
/// against: whether the candidate survives them.
///
/// * A value that contains the rule's own keyword (`"NotPassword"`, `"X-Amz-Security-Token"`).
/// * A UUID under a `*_token` or `*_key` name is far more often an identifier (tenant, client,
///   request) than a secret; provider rules for UUID-shaped secrets have a higher precision. So
///   is a UUID in registry braces (`{…}`, `_SA_{…}`: COM class ids, LSA secret names) or a URN.
/// * Sandbox and test markers in the value (`…_test_…`, `sbx_…`).
/// * Names that describe or publish rather than hold a credential (`TOKEN_URL`,
///   `password_length`, `publicKey`, `csrf_token`, `SANDBOX_API_KEY`).
/// * A value that starts with a known provider prefix but fails that provider's format: the
///   provider rule, which knows the format, already declined it.
fn heuristic_keeps(
    rule: &Rule,
    hay: &[u8],
    whole: &Range<usize>,
    sec: &Range<usize>,
    value: &str,
) -> bool {
    if is_wrapped_uuid(value) || has_sandbox_marker(value) {
        return false;
    }
    // A label that repeats its own kind of name (`"challengePassword"`, `"caching_sha2_password"`,
    // `"X-Amz-Security-Token"`, `"password1"`) is a name or a label, not the credential; a
    // plain phrase that happens to hold the word (`thisismypassword`) is still a password.
    let lower = value.to_ascii_lowercase();
    let label_like = value.contains(['_', '-', '.', ' '])
        || value
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
    if rule.def.keywords.iter().any(|k| {
        let k = k.trim_matches(['_', '-']).to_ascii_lowercase();
        k.len() >= 5
            && lower.contains(&k)
            && (label_like
                || lower
                    .replacen(&k, "", 1)
                    .bytes()
                    .all(|b| b.is_ascii_digit()))
    }) {
        return false;
    }
    if let Some(name) = assigned_name(hay, whole.start, sec.start, &rule.def.keywords) {
        if names_no_credential(name) || super::name_owners().declines(name, value) {
            return false;
        }
    }
    let prefixes = super::token_prefixes();
    match prefixes.prefix_of(value) {
        // Word prefixes (`live_`, `test-`) start many values; only a distinctive prefix names
        // a provider.
        Some(p) if p.len() >= 4 && !is_word_prefix(p) => prefixes.is_token(value),
        _ => true,
    }
}

/// `live_`, `test-`, `key-`: an English word and a separator, too common at the start of a
/// value to claim it for one provider.
fn is_word_prefix(p: &str) -> bool {
    let stem = p.trim_end_matches(['_', '-', '.']);
    matches!(
        stem.to_ascii_lowercase().as_str(),
        "live"
            | "test"
            | "prod"
            | "dev"
            | "key"
            | "api"
            | "token"
            | "secret"
            | "user"
            | "app"
            | "pub"
            | "sec"
            | "auth"
            | "pass"
            | "data"
            | "site"
    )
}

/// A UUID alone, in the braces of the Windows registry and COM notation (`{…}`, also with a
/// short prefix such as an LSA secret name's `_SA_{…}`) or as a URN (`urn:uuid:…`): an
/// identifier, not a credential.
fn is_wrapped_uuid(s: &str) -> bool {
    const MAX_PREFIX: usize = 8;
    if is_uuid(s) || s.strip_prefix("urn:uuid:").is_some_and(is_uuid) {
        return true;
    }
    let Some(inner) = s.strip_suffix('}') else {
        return false;
    };
    inner
        .find('{')
        .is_some_and(|i| i <= MAX_PREFIX && is_uuid(&inner[i + 1..]))
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn precision_rank(p: Precision) -> u8 {
    match p {
        Precision::VeryHigh => 3,
        Precision::High => 2,
        Precision::Medium => 1,
        Precision::Low => 0,
    }
}

/// When two rules report the same secret (a generic `token = …` rule and the provider rule for
/// the same token), keep the more specific one: a match whose secret lies inside the secret of
/// a better-ranked match (validated first, then precision) is dropped. Matches that merely
/// overlap are all kept (a GCP service-account key file is also a private key); for the exact
/// same range and rank only the first rule's is. A doubted provider match still outranks a
/// heuristic one: the rule that knows the format has judged the value.
fn dedup_overlapping(rules: &[Rule], mut ms: Vec<SecretMatch>) -> Vec<SecretMatch> {
    if ms.len() < 2 {
        return ms;
    }
    ms.sort_by(|a, b| {
        (a.range.start, a.range.end, a.rule_index).cmp(&(b.range.start, b.range.end, b.rule_index))
    });
    let rank = |m: &SecretMatch| {
        let p = rules
            .get(m.rule_index)
            .map(|r| precision_rank(r.precision()))
            .unwrap_or(0);
        (m.validated, p)
    };
    let mut keep = vec![true; ms.len()];
    for i in 0..ms.len() {
        for j in (i + 1)..ms.len() {
            if ms[j].range.start >= ms[i].range.end {
                break;
            }
            // Overlap between i and j: drop the one that lies inside a better-ranked one.
            let (ri, rj) = (rank(&ms[i]), rank(&ms[j]));
            let j_in_i = contains(&ms[i].range, &ms[j].range);
            let i_in_j = contains(&ms[j].range, &ms[i].range);
            if (ri > rj && j_in_i) || (ms[i].range == ms[j].range && ri == rj) {
                keep[j] = false;
            } else if rj > ri && i_in_j {
                keep[i] = false;
            }
        }
    }
    ms.into_iter()
        .zip(keep)
        .filter_map(|(m, k)| k.then_some(m))
        .collect()
}

/// 1-based line and 1-based column (in characters; invalid UTF-8 bytes count as one each) of
/// byte `offset` in `hay`.
pub fn line_col(hay: &[u8], offset: usize) -> (u32, u32) {
    let offset = offset.min(hay.len());
    let before = &hay[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map(|i| i + 1).unwrap_or(0);
    let col = before[line_start..]
        .iter()
        .filter(|&&b| (b & 0xC0) != 0x80)
        .count()
        + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanners::secrets::rule::parse_rule_file;

    /// The per-thread regex cache budget is memory only: with no cache kept between
    /// searches (each window rebuilds its rule's lazy DFA), every rule example, beside ASCII
    /// and non-ASCII neighbours, gives the same matches as with the caches kept.
    #[test]
    fn findings_do_not_depend_on_the_regex_cache_budget() {
        use crate::scanners::secrets::regex_cache::set_thread_cache_budget;
        let rules = crate::scanners::secrets::builtin_rules();
        let mut text = String::new();
        for r in rules.rules() {
            for ex in r.def.examples.iter().chain(&r.def.doubtful_examples) {
                text.push_str(&format!("{ex}\nſ{ex}é\nK{ex}K\n"));
            }
        }
        let key = |ms: Vec<SecretMatch>| {
            let mut v: Vec<_> = ms
                .into_iter()
                .map(|m| {
                    let (r, w) = (m.range, m.match_range);
                    (m.rule_id, r.start, r.end, w.start, w.end, m.severity)
                })
                .collect();
            v.sort();
            v
        };
        let roomy = key(rules.find_in(&text));
        let before = set_thread_cache_budget(0);
        let tight = key(rules.find_in(&text));
        set_thread_cache_budget(before);
        assert!(roomy.len() > 900, "{} matches", roomy.len());
        assert_eq!(roomy, tight);
    }

    fn engine(toml: &str) -> CompiledRules {
        let (rules, errs) = parse_rule_file(toml, "t.toml", false);
        assert!(errs.is_empty(), "{errs:?}");
        CompiledRules::new(rules)
    }

    const RULES: &str = r#"
[[rule]]
id = "acme"
name = "Acme"
severity = "high"
keywords = ["acme_"]
regex = '''\b(acme_[a-zA-Z0-9]{20})\b'''
precision = "very-high"
description = "d"

[[rule]]
id = "generic-token"
name = "Generic"
severity = "medium"
keywords = ["token"]
regex = '''(?i)token\s*=\s*"(?P<secret>[^"]{8,})"'''
entropy = 3.0
precision = "low"
description = "d"

[[rule]]
id = "ctx"
name = "Context"
severity = "low"
keywords = ["zz9"]
regex = '''\b(zz9[a-f0-9]{12})\b'''
context = ["plural"]
description = "d"
"#;

    /// Rules whose matches start at a settled place relative to their keywords: an offset
    /// set (`Before`) and a line start (`LineStart`).
    const SETTLED: &str = r#"
[[rule]]
id = "bounded-name"
name = "Bounded name"
severity = "high"
keywords = ["phrase"]
regex = '''(?:^|[^A-Za-z0-9])(?i:phrase)[a-z_]{0,8}=([a-f0-9]{16})\b'''
description = "d"

[[rule]]
id = "line-name"
name = "Line name"
severity = "high"
keywords = ["secret", "token"]
regex = '''(?im)^[ \t]*(?:export[ \t]+)?[\w.\-]*(?:secret|token)[\w.\-]*[ \t]*=[ \t]*(?P<secret>[A-Za-z0-9]{12,})$'''
entropy = 2.0
description = "d"
"#;

    #[test]
    fn settled_starts_are_what_the_syntax_says() {
        let e = engine(SETTLED);
        let start = |id: &str| e.rule(id).and_then(|r| r.compiled()).map(|c| c.start(true));
        assert_eq!(start("bounded-name"), Some(KeywordStart::Before(0b11)));
        // In Unicode the byte before may end a 2-, 3- or 4-byte character.
        let unicode = |id: &str| {
            e.rule(id)
                .and_then(|r| r.compiled())
                .map(|c| c.start(false))
        };
        assert_eq!(unicode("bounded-name"), Some(KeywordStart::Before(0b11111)));
        assert_eq!(start("line-name"), Some(KeywordStart::LineStart));
    }

    #[test]
    fn candidates_group_by_rule_in_hit_order() {
        // Ascending starts, as the hits come; rules out of order and one past the end.
        let cand: Vec<(u32, usize, usize)> = (0..500)
            .map(|i| ((i * 7 % 13) as u32, i, i + 3 + i % 2))
            .chain([(99, 600, 603)])
            .collect();
        let grouped = group_by_rule(cand.clone(), 13);
        let mut sorted = cand.clone();
        sorted.sort_unstable();
        assert_eq!(grouped, sorted);
        let few = group_by_rule(cand[..10].to_vec(), 13);
        assert!(few.windows(2).all(|w| w[0] <= w[1]), "{few:?}");
    }

    #[test]
    fn match_starts_are_linear_and_distinct() {
        let hay = b"ab\r\nx token y token\nsecret";
        let cand = [(0, 6, 11), (0, 14, 19), (0, 20, 26)];
        let mut out = Vec::new();
        match_starts(hay, KeywordStart::LineStart, &cand, &mut out);
        assert_eq!(
            out,
            vec![(4, 19), (20, 26)],
            "one start per line, the farthest hit end"
        );
        match_starts(
            hay,
            KeywordStart::Before(0b101),
            &[(0, 1, 3), (0, 3, 5)],
            &mut out,
        );
        assert_eq!(
            out,
            vec![(1, 5), (3, 5)],
            "offsets past the text's start are dropped"
        );
    }

    /// Anchored searches at the settled starts find what searching the whole text finds: at
    /// text and line starts, after CR LF, beside non-ASCII text (both builds), with keywords far
    /// into long lines (farther than a window reaches back) and many hits on one line.
    #[test]
    fn settled_starts_find_what_the_whole_text_finds() {
        let e = engine(SETTLED);
        let long_name = "a".repeat(3000);
        let texts = [
            "phrase=0123456789abcdef\n".to_string(),
            "x Phrase_id=0123456789abcdef y phrasee=fedcba9876543210".to_string(),
            "é phrase=0123456789abcdef é".to_string(),
            // A 2-, 3- and 4-byte character right before the name (the Unicode build's
            // `[^A-Za-z0-9]`), and ASCII-only folding (`ſ` is no `s`).
            "éphrase=0123456789abcdef x€PHRASE=0123456789abcdef 😀phrase=0123456789abcdef"
                .to_string(),
            "phraſe=0123456789abcdef ſphrase_x=0123456789abcdef\n".to_string(),
            "token=Q8w7E6r5T4y3U2i1\r\n  export MY_SECRET = Z9x8C7v6B5n4M3\n".to_string(),
            format!("{long_name}token=Q8w7E6r5T4y3U2i1\n"),
            format!("é\n{}_secret=Q8w7E6r5T4y3U2i1\n", &long_name[..500]),
            "token token token=x secret=Q8w7E6r5T4y3U2i1 token=Q8w7E6r5T4y3U2i1".to_string(),
            "a=1\ntoken_secret=Q8w7E6r5T4y3U2i1".to_string(),
        ];
        let key = |m: &SecretMatch| (m.rule_id.clone(), m.range.clone(), m.match_range.clone());
        for t in &texts {
            let got: Vec<_> = e.find_in(t).iter().map(key).collect();
            let want: Vec<_> = e
                .find_in_bytes_reference(t.as_bytes())
                .iter()
                .map(key)
                .collect();
            assert_eq!(got, want, "{t:?}");
        }
        let found: usize = texts.iter().map(|t| e.find_in(t).len()).sum();
        assert!(found >= 12, "{found}");
    }

    #[test]
    fn keyword_gates_regex_case_insensitively() {
        let e = engine(RULES);
        let m = e.find_in("x = ACME_ is not; acme_Q8w7E6r5T4y3U2i1O0pZ");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].rule_id, "secret/acme");
        assert_eq!(m[0].value.redacted(), "acme…(25)");
        assert_eq!(m[0].range, 18..43);
    }

    #[test]
    fn specific_rule_wins_over_generic_overlap() {
        let e = engine(RULES);
        let m = e.find_in("token = \"acme_Q8w7E6r5T4y3U2i1O0pZ\"");
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].rule_id, "secret/acme");
    }

    #[test]
    fn entropy_and_placeholders_filter() {
        let e = engine(RULES);
        assert!(e.find_in("token = \"aaaaaaaabbbb\"").is_empty());
        assert!(e.find_in("token = \"${MY_TOKEN}\"").is_empty());
        assert_eq!(e.find_in("token = \"Zq8!xR2#mK9$\"").len(), 1);
    }

    #[test]
    fn context_must_be_near() {
        let e = engine(RULES);
        assert!(e.find_in("id zz9f3a8c1e7d2b4").is_empty());
        assert_eq!(e.find_in("plural id zz9f3a8c1e7d2b4").len(), 1);
        let far = format!("plural{}zz9f3a8c1e7d2b4", " ".repeat(300));
        assert!(e.find_in(&far).is_empty());
    }

    #[test]
    fn non_utf8_bytes_are_scanned() {
        let e = engine(RULES);
        let mut hay = vec![0xff, 0xfe, b'\n'];
        hay.extend_from_slice(b"k=acme_Q8w7E6r5T4y3U2i1O0pZ");
        let m = e.find_in_bytes(&hay);
        assert_eq!(m.len(), 1);
        assert_eq!(line_col(&hay, m[0].range.start), (2, 3));
    }

    const PW_RULES: &str = r#"
[[rule]]
id = "low-pw"
name = "Low"
severity = "high"
keywords = ["pw="]
regex = '''pw=(?P<secret>\S+)'''
entropy = 2.8
precision = "low"
description = "d"

[[rule]]
id = "flag-pw"
name = "Flag"
severity = "high"
keywords = ["-p "]
regex = '''-p (?P<secret>\S+)'''
precision = "medium"
description = "d"
"#;

    #[test]
    fn identifier_words_are_names_only_for_heuristic_rules() {
        let e = engine(PW_RULES);
        let ids =
            |t: &str| -> Vec<String> { e.find_in(t).into_iter().map(|m| m.rule_id).collect() };
        // A bare `name = open_sesame` may be a constant; after `-p` it is the password.
        assert!(ids("pw=open_sesame").is_empty());
        assert_eq!(ids("psexec -p open_sesame"), ["secret/flag-pw"]);
        // UPPER_CASE words are a constant's name under every rule.
        assert!(ids("psexec -p DB_PASSWORD").is_empty());
        // Dotted code references stay rejected everywhere.
        assert!(ids("psexec -p self.password").is_empty());
    }

    #[test]
    fn short_mixed_values_get_a_length_aware_entropy_floor() {
        let e = engine(PW_RULES);
        // 8 characters, 7 distinct, letters and digits: 2.75 bits, under 2.8 but over 2.7.
        assert_eq!(e.find_in("pw=4ian1234").len(), 1);
        // The same entropy from letters only stays below the rule's floor.
        assert!(e.find_in("pw=goodspec").is_empty());
    }

    #[test]
    fn heuristic_rules_skip_uuids() {
        let e = engine(RULES);
        assert!(e
            .find_in("token = \"007e65c7-635d-4d54-8294-f360cb8e2e3f\"")
            .is_empty());
        // A UUID in registry braces is an identifier too; a token made of a prefix and a UUID
        // is not.
        assert!(e
            .find_in("token = \"_SA_{262E99C9-6160-4871-ACEC-4E61736B6F21}\"")
            .is_empty());
        assert!(e
            .find_in("token = \"urn:uuid:007e65c7-635d-4d54-8294-f360cb8e2e3f\"")
            .is_empty());
        assert_eq!(
            e.find_in("token = \"tk_Zq8x-007e65c7-635d-4d54-8294-f360cb8e2e3f\"")
                .len(),
            1
        );
        let high = engine(&RULES.replace("precision = \"low\"", "precision = \"high\""));
        assert_eq!(
            high.find_in("token = \"007e65c7-635d-4d54-8294-f360cb8e2e3f\"")
                .len(),
            1
        );
    }

    #[test]
    fn heuristic_rules_skip_names_labels_and_sandbox_values() {
        let e = engine(RULES);
        let found = |t: &str| !e.find_in(t).is_empty();
        // Must match: a random value under a token name.
        assert!(found("api_token = \"Zq8xR2mK9pLwQ7vB\""));
        // Must not match: the value names its own kind, a describing or public name, a
        // sandbox value.
        assert!(!found("token = \"X-Amz-Security-Token\""));
        assert!(!found("token = \"tokenValue\""));
        assert!(!found("token_url = \"Zq8xR2mK9pLwQ7vB\""));
        assert!(!found("csrf_token = \"Zq8xR2mK9pLwQ7vB\""));
        assert!(!found("public_token = \"Zq8xR2mK9pLwQ7vB\""));
        assert!(!found("token = \"sbx_Zq8xR2mK9pLwQ7vB\""));
        assert!(!found("token = \"pk_test_Zq8xR2mK9pLwQ7vB\""));
    }

    const DOUBT_RULES: &str = r#"
[[rule]]
id = "ghp"
name = "GitHub"
severity = "critical"
precision = "very-high"
keywords = ["ghp_"]
regex = '''\b(ghp_[A-Za-z0-9]{36})\b'''
validator = "github-checksum"
description = "d"

[[rule]]
id = "acme-secret"
name = "Acme secret"
severity = "high"
keywords = ["acme_secret"]
regex = '''acme_secret\s*=\s*([A-Za-z0-9]{24})\b'''
entropy = 4.0
description = "d"

[[rule]]
id = "acme-id"
name = "Acme id"
severity = "note"
precision = "medium"
keywords = ["acme_id"]
regex = '''acme_id\s*=\s*([0-9]{12})\b'''
description = "d"

[[rule]]
id = "generic-token"
name = "Generic"
severity = "medium"
keywords = ["token"]
regex = '''(?i)token\s*=\s*"(?P<secret>[^"]{8,})"'''
entropy = 3.0
precision = "low"
description = "d"

[[rule]]
id = "conn-password"
name = "Conn"
severity = "high"
precision = "medium"
keywords = ["pwd="]
regex = '''pwd=(?P<secret>[^;\s]{3,})'''
description = "d"
"#;

    #[test]
    fn a_failing_checksum_is_reported_low_with_its_reason() {
        let e = engine(DOUBT_RULES);
        // Must match at the rule's severity: the checksum holds.
        let ok = e.find_in("GITHUB_TOKEN=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");
        assert_eq!(ok.len(), 1);
        assert!(ok[0].validated);
        assert_eq!((ok[0].severity, ok[0].doubt), (Severity::Critical, None));
        // Must match at low: same format, checksum fails (a random body, an edited token).
        let bad = e.find_in("GITHUB_TOKEN=ghp_tKbpuExA6bWKdrpYedr3EFvknHZRmfg1U4NI");
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(!bad[0].validated);
        assert_eq!(
            (bad[0].severity, bad[0].doubt),
            (Severity::Low, Some(Doubt::ChecksumFails))
        );
        // The heuristic rule does not take over the doubted token at its own severity.
        let generic = e.find_in("token = \"ghp_tKbpuExA6bWKdrpYedr3EFvknHZRmfg1U4NI\"");
        assert_eq!(generic.len(), 1, "{generic:?}");
        assert_eq!(generic[0].rule_id, "secret/ghp");
        // Must not match: wrong length, wrong alphabet, a mask.
        for t in [
            "ghp_A9TOPD09UnRKHtMhqY7rKuONHp0e464JS",
            "ghp_A9TOPD09UnRKHtMhqY7rKuONHp0e464JS4C-",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ] {
            assert!(e.find_in(t).is_empty(), "{t}");
        }
    }

    #[test]
    fn stand_in_bodies_are_low_for_format_rules_and_dropped_otherwise() {
        let e = engine(DOUBT_RULES);
        let one = |t: &str| {
            let m = e.find_in(t);
            assert!(m.len() <= 1, "{m:?}");
            m.into_iter()
                .next()
                .map(|m| (m.rule_id, m.severity, m.doubt))
        };
        // Must match at low: the exact format with a run or repeated body (entropy floor and
        // pattern filter waived, the reason given).
        assert_eq!(
            one("acme_secret = ABCDEFGHIJKLMNOPQRSTUVWX"),
            Some((
                "secret/acme-secret".to_string(),
                Severity::Low,
                Some(Doubt::PlaceholderBody)
            ))
        );
        assert_eq!(
            one("acme_secret = aaaaaaaaaaaaaaaaaaaaaaaa").map(|m| m.2),
            Some(Some(Doubt::PlaceholderBody))
        );
        // Must match at the rule's severity: a random body.
        assert_eq!(
            one("acme_secret = q8W7e6R5t4Y3u2I1o0PzLmKn").map(|m| (m.1, m.2)),
            Some((Severity::High, None))
        );
        // Must not match: masks and zero fill, a format miss, an identifier rule's run, and a
        // heuristic rule's placeholder.
        for t in [
            "acme_secret = xxxxxxxxxxxxxxxxxxxxxxxx",
            "acme_secret = 000000000000000000000000",
            "acme_secret = ABCDEFGHIJKLMNOPQRSTUVW",
            "acme_id = 123456789012",
            "token = \"abcdefghijklmnop\"",
            "token = \"password\"",
        ] {
            assert_eq!(one(t), None, "{t}");
        }
        // A capitalised word: low with its reason in a structural slot, no finding under a
        // heuristic name (a label or its translation), the rule's severity once it has a digit.
        assert_eq!(
            one("pwd=Welcome;").map(|m| (m.1, m.2)),
            Some((Severity::Low, Some(Doubt::LabelWord)))
        );
        assert_eq!(one("token = \"Passwortsicherheit\""), None);
        assert_eq!(
            one("pwd=Welcome1;").map(|m| (m.1, m.2)),
            Some((Severity::High, None))
        );
    }

    #[test]
    fn line_col_counts_characters() {
        let t = "ab\ncdé x".as_bytes();
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 8), (2, 5));
    }
}
