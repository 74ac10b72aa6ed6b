//! The secret rule file format (`rules/secrets/*.toml`, `[secrets] rules = [...]`): parsing and
//! validation with errors that name the file and line.
//!
//! A rule file is a list of `[[rule]]` tables. Validation is strict on purpose: an unknown key, a
//! regex that does not compile, a keyword shorter than three characters or an example that the
//! engine does not match would otherwise silently weaken a release gate. See
//! `rules/secrets/README.md` for the format.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;

use super::engine::CompiledRules;
use super::regex_cache::{RuleRegex, Searches};
use crate::classify::regex_facts::{
    ascii_build_is_exact, keyword_start, reach_fact, KeywordStart, ReachFact,
};
use crate::error::line_of_offset;
use crate::finding::{Precision, Severity};

/// Checksum or structure checks the engine knows; a rule names one in `validator = "…"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValidatorKind {
    /// GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`): base62 CRC32 of the random part.
    GithubChecksum,
    /// npm tokens (`npm_`): the same scheme as GitHub's.
    NpmChecksum,
    /// JSON Web Token: three base64url parts, the header is a JSON object with an `alg`.
    Jwt,
    /// Base64 text that decodes to a PEM private key (`LS0tLS1CRUdJTi…`).
    Base64PrivateKey,
    /// HTTP Basic credentials: base64 of `user:password` whose password is no placeholder.
    BasicAuth,
    /// Base64 text that decodes to a JWT (`ZXlK…`): a token stored encoded, as in a Kubernetes
    /// Secret's `data`.
    Base64Jwt,
    /// Base64 DER of a private key without PEM armour (`MIIEvQIBADANBgkqhkiG9w0BAQEFAASC…`): an
    /// ASN.1 SEQUENCE whose declared length is the decoded length, then a version INTEGER.
    DerPrivateKey,
}

impl ValidatorKind {
    /// Stable name used in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            ValidatorKind::GithubChecksum => "github-checksum",
            ValidatorKind::NpmChecksum => "npm-checksum",
            ValidatorKind::Jwt => "jwt",
            ValidatorKind::Base64PrivateKey => "base64-private-key",
            ValidatorKind::BasicAuth => "basic-auth",
            ValidatorKind::Base64Jwt => "base64-jwt",
            ValidatorKind::DerPrivateKey => "der-private-key",
        }
    }
}

/// One `[[rule]]` table exactly as written in a rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Kebab-case id; the finding's rule id is `secret/<id>`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Default severity of its findings.
    pub severity: Severity,
    /// ASCII case-insensitive literals; the regex runs only when one occurs.
    pub keywords: Vec<String>,
    /// Rust `regex` syntax; the secret is group `secret`, else group 1, else the whole match.
    /// `{{assign}}` stands for the shared assignment grammar ([`super::grammar::ASSIGN`]); after
    /// [`compile_rule`] this holds the expanded regex.
    pub regex: String,
    /// Minimum Shannon entropy (bits per character) of the secret.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Checksum or structure validator.
    #[serde(default)]
    pub validator: Option<ValidatorKind>,
    /// What it is, why a leak matters, how to rotate it.
    pub description: String,
    /// Provider documentation of the format.
    #[serde(default)]
    pub references: Vec<String>,
    /// Texts the rule must match (checked by `cargo test` and when a user rule file loads).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Texts the rule must not match.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// Texts of the rule's exact format that it must report at low severity only, with a
    /// doubt ([`super::engine::Doubt`]): a failing checksum, a placeholder body.
    #[serde(default)]
    pub doubtful_examples: Vec<String>,
    /// Skip the placeholder filter (rarely needed).
    #[serde(default)]
    pub allow_placeholders: bool,
    /// Confidence reported in SARIF; default `high`.
    #[serde(default)]
    pub precision: Option<Precision>,
    /// Second keyword set: one must occur within 200 bytes of the match.
    #[serde(default)]
    pub context: Vec<String>,
    /// A structural scope the match must lie in (see [`Within`]).
    #[serde(default)]
    pub within: Option<Within>,
}

/// Where in a file a rule's matches count, for rules whose keyword is file context rather than
/// part of the match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Within {
    /// Inside the `data:` or `stringData:` mapping of a YAML document whose `kind` is `Secret`
    /// (quoted or not, any case): not in another document of the same file, not in its
    /// `metadata`.
    KubernetesSecretData,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    // Each rule is deserialized on its own, so one malformed rule (a missing or mistyped field)
    // is reported at its line without hiding the valid rules of the same file.
    #[serde(default)]
    rule: Vec<toml::Spanned<toml::Value>>,
}

/// A validated rule with its compiled regex.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The definition as written.
    pub def: RuleDef,
    /// `secret/<id>`.
    pub qualified_id: String,
    /// File it came from (relative for user files, `rules/secrets/x.toml` for built-ins).
    pub source: String,
    /// 1-based line of its `[[rule]]` table.
    pub line: u32,
    /// The regex, the capture group index of the secret (0 = whole match) and the longest
    /// match in bytes (`None`: unbounded), compiled on first use: a scan only pays for the rules whose keywords occur, which keeps startup of
    /// a pre-commit run (a handful of staged files) short. Shared between clones.
    compiled: Arc<OnceLock<Option<CompiledRegex>>>,
    /// Whether every secret starts with one of the keywords (computed on first use).
    prefixed: Arc<OnceLock<bool>>,
    /// The regex's facts as `build.rs` computed them (built-in rules), so compiling it on first
    /// use does not parse it again for its bound and its start.
    known: Option<KnownFacts>,
    /// Lowercased context keywords.
    pub(crate) context_lower: Vec<Vec<u8>>,
}

impl Rule {
    /// The rule id without the `secret/` prefix.
    pub fn id(&self) -> &str {
        &self.def.id
    }

    /// The compiled regex, secret group and longest match; `None` if the regex does not
    /// compile (impossible for rules loaded with eager validation, and tested for the built-in
    /// ones).
    pub(crate) fn compiled(&self) -> Option<&CompiledRegex> {
        self.compiled
            .get_or_init(|| {
                build_regex_with(&self.def.regex, &self.def.keywords, false, self.known)
                    .ok()
                    .map(|c| classify(&self.def, c))
            })
            .as_ref()
    }

    /// Whether the regex compiles (compiling it now if needed, both builds).
    pub fn regex_compiles(&self) -> bool {
        self.compiled().is_some_and(|c| c.unicode().is_some())
    }

    /// Whether the rule's secrets are fixed-structure prefixed tokens (`ghp_…`): every secret
    /// its regex captures starts with one of its keywords.
    pub fn is_prefixed_token(&self) -> bool {
        *self
            .prefixed
            .get_or_init(|| crate::classify::has_fixed_prefix(&self.def.keywords, &self.def.regex))
    }

    /// Precision, defaulting to high.
    pub fn precision(&self) -> Precision {
        self.def.precision.unwrap_or(Precision::High)
    }
}

/// A problem in a rule file: which file, which line, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// The rule file.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.path, l, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Parses and validates one rule file. Returns the good rules and one error per bad rule (or
/// one error for the whole file when it is not valid TOML): a bad rule never hides the others.
///
/// When `check_examples` is set, regexes are compiled now (so a bad one is reported) and every
/// example and negative example is run through the engine for that rule alone. Built-in rules
/// are checked by a test instead and compile lazily, so startup stays cheap.
pub fn parse_rule_file(
    text: &str,
    path: &str,
    check_examples: bool,
) -> (Vec<Rule>, Vec<RuleError>) {
    let file: RuleFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let line = e.span().map(|s| line_of_offset(text, s.start));
            let err = RuleError {
                path: path.to_string(),
                line,
                message: format!("invalid rule file: {}", e.message().trim()),
            };
            return (Vec::new(), vec![err]);
        }
    };
    let defs = file.rule.into_iter().map(|spanned| {
        let line = line_of_offset(text, spanned.span().start);
        let value = spanned.into_inner();
        let id = value
            .get("id")
            .and_then(toml::Value::as_str)
            .map(str::to_string);
        let def = RuleDef::deserialize(value)
            .map(|d| (d, None))
            .map_err(|e| (id, e.message().trim().to_string()));
        (line, def)
    });
    compile_defs(defs, path, check_examples)
}

/// A rule definition ready to validate: as written (`None`), or a built-in one whose regex
/// `build.rs` expanded, with the facts it computed.
type Prepared = (RuleDef, Option<KnownFacts>);

/// What `build.rs` computes about a built-in rule's regex, so that compiling it on first use
/// parses it only once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KnownFacts {
    /// Its reach ([`reach_fact`]).
    reach: ReachFact,
    /// Where its matches start relative to its keywords, for its ASCII and its Unicode build
    /// ([`keyword_start`]).
    starts: [KeywordStart; 2],
    /// Whether its ASCII build is the same regex as its Unicode build
    /// ([`ascii_build_is_exact`]).
    ascii_exact: bool,
}

impl KnownFacts {
    /// Computes the facts by parsing `regex` (a user rule's).
    fn of(regex: &str, keywords: &[String]) -> Self {
        let keywords: Vec<&str> = keywords.iter().map(String::as_str).collect();
        KnownFacts {
            reach: reach_fact(regex),
            starts: [false, true].map(|unicode| keyword_start(regex, &keywords, unicode)),
            ascii_exact: ascii_build_is_exact(regex),
        }
    }
}

/// A built-in rule as `build.rs` compiles it into the binary: the fields of its `[[rule]]`
/// table as static data, its regex with the `{{assign}}` placeholders already expanded and its
/// reach already computed. Loading the built-in rules is then copying these fields, not
/// parsing 900 KB of TOML (or JSON) at every start of a pre-commit run.
#[derive(Debug)]
pub struct StaticRule {
    /// 1-based line of its `[[rule]]` table.
    pub line: u32,
    /// See [`RuleDef::id`].
    pub id: &'static str,
    /// See [`RuleDef::name`].
    pub name: &'static str,
    /// [`RuleDef::severity`] as written (`"high"`).
    pub severity: &'static str,
    /// See [`RuleDef::keywords`].
    pub keywords: &'static [&'static str],
    /// [`RuleDef::regex`], expanded.
    pub regex: &'static str,
    /// See [`RuleDef::entropy`].
    pub entropy: Option<f64>,
    /// [`RuleDef::validator`] as written.
    pub validator: Option<&'static str>,
    /// See [`RuleDef::description`].
    pub description: &'static str,
    /// See [`RuleDef::references`].
    pub references: &'static [&'static str],
    /// See [`RuleDef::examples`].
    pub examples: &'static [&'static str],
    /// See [`RuleDef::negative_examples`].
    pub negative_examples: &'static [&'static str],
    /// See [`RuleDef::doubtful_examples`].
    pub doubtful_examples: &'static [&'static str],
    /// See [`RuleDef::allow_placeholders`].
    pub allow_placeholders: bool,
    /// [`RuleDef::precision`] as written.
    pub precision: Option<&'static str>,
    /// See [`RuleDef::context`].
    pub context: &'static [&'static str],
    /// [`RuleDef::within`] as written.
    pub within: Option<&'static str>,
    /// The regex's reach ([`reach_fact`]).
    pub reach: ReachFact,
    /// Where its matches start relative to a keyword, ASCII and Unicode builds
    /// ([`keyword_start`]).
    pub starts: [KeywordStart; 2],
    /// Whether its ASCII build is its Unicode build ([`ascii_build_is_exact`]).
    pub ascii_exact: bool,
}

impl StaticRule {
    /// The facts `build.rs` computed.
    fn known(&self) -> KnownFacts {
        KnownFacts {
            reach: self.reach,
            starts: self.starts,
            ascii_exact: self.ascii_exact,
        }
    }

    /// The definition, with its named values (severity, validator…) read by the same serde
    /// derive as a rule file's; `None` for a name that is not one.
    fn to_def(&self) -> Option<RuleDef> {
        use serde::de::IntoDeserializer;
        fn named<T: serde::de::DeserializeOwned>(s: &'static str) -> Option<T> {
            T::deserialize(IntoDeserializer::<serde::de::value::Error>::into_deserializer(s)).ok()
        }
        fn opt<T: serde::de::DeserializeOwned>(s: Option<&'static str>) -> Option<Option<T>> {
            s.map_or(Some(None), |s| named(s).map(Some))
        }
        let strings = |l: &[&str]| l.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        Some(RuleDef {
            id: self.id.to_string(),
            name: self.name.to_string(),
            severity: named(self.severity)?,
            keywords: strings(self.keywords),
            regex: self.regex.to_string(),
            entropy: self.entropy,
            validator: opt(self.validator)?,
            description: self.description.to_string(),
            references: strings(self.references),
            examples: strings(self.examples),
            negative_examples: strings(self.negative_examples),
            doubtful_examples: strings(self.doubtful_examples),
            allow_placeholders: self.allow_placeholders,
            precision: opt(self.precision)?,
            context: strings(self.context),
            within: opt(self.within)?,
        })
    }
}

/// Loads a built-in rule file from its static form ([`StaticRule`], made by `build.rs` from
/// the TOML, which it mirrors value for value); `None` if a named value (severity, validator…)
/// is not one, and then the caller parses the TOML, which reports it at its line. Each rule is
/// validated exactly as [`parse_rule_file`] does.
pub fn parse_static_rules(
    list: &[StaticRule],
    path: &str,
    check_examples: bool,
) -> Option<(Vec<Rule>, Vec<RuleError>)> {
    let defs = list
        .iter()
        .map(|s| Some((s.line, Ok((s.to_def()?, Some(s.known()))))))
        .collect::<Option<Vec<_>>>()?;
    Some(compile_defs(defs.into_iter(), path, check_examples))
}

/// Validates and compiles deserialized rules (`Err` holds the rule's id, if any, and why it
/// did not deserialize): one error per bad rule, never hiding the good ones.
fn compile_defs(
    defs: impl Iterator<Item = (u32, Result<Prepared, (Option<String>, String)>)>,
    path: &str,
    check_examples: bool,
) -> (Vec<Rule>, Vec<RuleError>) {
    let mut rules: Vec<Rule> = Vec::with_capacity(defs.size_hint().0);
    let mut errors = Vec::new();
    let mut ids: std::collections::HashSet<String> =
        std::collections::HashSet::with_capacity(defs.size_hint().0);
    for (line, def) in defs {
        let (def, built) = match def {
            Ok(prepared) => prepared,
            Err((id, e)) => {
                let which = id.map_or_else(|| "rule".to_string(), |id| format!("rule `{id}`"));
                errors.push(RuleError {
                    path: path.to_string(),
                    line: Some(line),
                    message: format!("invalid {which}: {e}"),
                });
                continue;
            }
        };
        if ids.contains(&def.id) {
            errors.push(RuleError {
                path: path.to_string(),
                line: Some(line),
                message: format!("rule `{}` is defined twice in this file", def.id),
            });
            continue;
        }
        match compile_prepared(def, built, path, line, check_examples) {
            Ok(rule) => {
                if check_examples {
                    let problems = check_rule_examples(&rule);
                    if !problems.is_empty() {
                        errors.push(RuleError {
                            path: path.to_string(),
                            line: Some(line),
                            message: format!("rule `{}`: {}", rule.def.id, problems.join("; ")),
                        });
                        continue;
                    }
                }
                ids.insert(rule.def.id.clone());
                rules.push(rule);
            }
            Err(message) => errors.push(RuleError {
                path: path.to_string(),
                line: Some(line),
                message,
            }),
        }
    }
    (rules, errors)
}

/// A rule's regex, the index of its secret group and how far from a keyword hit its matches
/// reach: the engine searches a window that wide on each side of a hit.
///
/// The regex comes in two builds with the same matches on ASCII text. Its Unicode build (as
/// written, with ASCII case folds and word boundaries:
/// [`crate::classify::regex_facts::parse_rule_regex`]) is what it means; its ASCII build (`unicode(false)`) compiles several times faster,
/// because `\w`, `\s`, `(?i)` or `[^"]` need no UTF-8 automata, and on a haystack of ASCII bytes
/// it finds exactly the same matches and groups (every Unicode class, case fold and word
/// boundary agrees with its ASCII counterpart on ASCII characters). A pre-commit run triggers
/// dozens of rules on a few source files, almost all ASCII, so it compiles only ASCII builds;
/// the Unicode build is compiled on the first window with a non-ASCII byte, unless the regex
/// has no Unicode-sensitive part at all and the ASCII build serves every window
/// ([`UnicodeBuild::SameAsAscii`]).
///
/// Both builds search with per-thread caches of bounded size ([`super::regex_cache`]).
#[derive(Debug)]
pub(crate) struct CompiledRegex {
    /// The ASCII build; `None` when the regex needs Unicode (`\p{L}`, a non-ASCII class).
    ascii: Option<RuleRegex>,
    /// The Unicode build, compiled on first need.
    unicode: OnceLock<UnicodeBuild>,
    /// The source, for the Unicode build.
    source: String,
    /// The capture group of the secret (0 = the whole match).
    pub group: usize,
    /// How far matches reach from the keyword.
    pub reach: Reach,
    /// Where matches start relative to a keyword hit, for the ASCII and the Unicode build
    /// ([`keyword_start`]).
    starts: [KeywordStart; 2],
    /// Whether the ASCII build is the Unicode build ([`ascii_build_is_exact`]).
    ascii_exact: bool,
}

impl CompiledRegex {
    /// The regex as written (Unicode), compiling it now if needed.
    pub(crate) fn unicode(&self) -> Option<&RuleRegex> {
        let build = self.unicode.get_or_init(|| {
            if self.ascii.is_some() && self.ascii_exact {
                UnicodeBuild::SameAsAscii
            } else {
                RuleRegex::build_for(&self.source, true, self.searches())
                    .map_or(UnicodeBuild::Fails, UnicodeBuild::Own)
            }
        });
        match build {
            UnicodeBuild::Own(r) => Some(r),
            UnicodeBuild::SameAsAscii => self.ascii.as_ref(),
            UnicodeBuild::Fails => None,
        }
    }

    /// Which searches the builds serve. The engine searches anchored at the starts a settled
    /// fact gives, with the ASCII build on ASCII text and, when there is a fact for both
    /// builds, with either on text with non-ASCII bytes ([`super::engine`]'s
    /// `settled_start`); everything else searches windows.
    fn searches(&self) -> Searches {
        searches_for(self.reach, self.starts, self.ascii.is_some())
    }

    /// Where every match starts relative to a keyword hit, for the build
    /// [`CompiledRegex::for_text`] picks for `ascii_text`.
    pub(crate) fn start(&self, ascii_text: bool) -> KeywordStart {
        if self.reach == Reach::File {
            return KeywordStart::Anywhere;
        }
        match &self.ascii {
            Some(_) if ascii_text => self.starts[0],
            _ => self.starts[1],
        }
    }

    /// The regex to search a haystack with: the ASCII build when every byte the search can
    /// inspect is ASCII (`ascii_text`), else the Unicode one.
    pub(crate) fn for_text(&self, ascii_text: bool) -> Option<&RuleRegex> {
        match &self.ascii {
            Some(r) if ascii_text => Some(r),
            _ => self.unicode(),
        }
    }
}

/// A rule regex's Unicode build ([`CompiledRegex`]).
#[derive(Debug)]
enum UnicodeBuild {
    /// Compiled with Unicode, as written.
    Own(RuleRegex),
    /// The ASCII build is the same regex ([`ascii_build_is_exact`]): no Unicode-sensitive part,
    /// so it is used on every window, and no second build and no second set of search caches
    /// are made.
    SameAsAscii,
    /// It does not compile.
    Fails,
}

/// How far a rule's matches reach around its keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// At most this many bytes (the regex's longest match): the window is exact.
    Bounded(usize),
    /// Unbounded only through short runs (`\s*`, `[\w.]+`): a run that reaches the window's
    /// end is searched again with a larger window.
    Unbounded,
    /// An unbounded repetition of almost any byte, newlines included (`(?s:.){64,}?`, `[^"]+`),
    /// such as a PEM body: it may end far from its keyword without any run reaching the
    /// window's end, so the window is wide.
    LongBody,
    /// The keyword is context for the whole file, not part of the match (`kind: Secret` gates
    /// every `data:` value of a manifest): the regex runs over the whole text, as a rule
    /// whose examples match away from its keywords shows.
    File,
}

/// [`CompiledRegex::searches`] from a regex's facts, before it is built.
fn searches_for(reach: Reach, starts: [KeywordStart; 2], has_ascii: bool) -> Searches {
    let settled = if has_ascii {
        // Text with non-ASCII bytes searches both builds anchored only when there is a fact
        // for both; an ASCII text searches the ASCII build anchored whenever its fact is
        // settled, but then text with non-ASCII bytes may search it in windows.
        starts[0].union(starts[1])
    } else {
        starts[1]
    };
    let anchored_only = reach != Reach::File && settled != KeywordStart::Anywhere;
    if anchored_only {
        Searches::AnchoredOnly
    } else {
        Searches::Any
    }
}

/// Marks `c` as [`Reach::File`] when one of `def`'s examples has a match that contains none of
/// its keywords.
fn classify(def: &RuleDef, mut c: CompiledRegex) -> CompiledRegex {
    let keywords: Vec<Vec<u8>> = def
        .keywords
        .iter()
        .map(|k| k.to_ascii_lowercase().into_bytes())
        .collect();
    let outside = def.examples.iter().chain(&def.doubtful_examples).any(|ex| {
        let Some(regex) = c.for_text(ex.is_ascii()) else {
            return false;
        };
        let ex = ex.as_bytes();
        regex.all_captures(ex, 0).into_iter().any(|(m, _)| {
            let text = ex[m].to_ascii_lowercase();
            !keywords
                .iter()
                .any(|k| memchr::memmem::find(&text, k).is_some())
        })
    });
    if outside {
        // A whole-text rule searches unanchored: its builds get their prefilters.
        let rebuild = |unicode| RuleRegex::build_for(&c.source, unicode, Searches::Any);
        if c.searches() == Searches::AnchoredOnly {
            c.ascii = rebuild(false).ok();
            if let Some(UnicodeBuild::Own(_)) = c.unicode.get() {
                c.unicode = OnceLock::new();
                if let Ok(r) = rebuild(true) {
                    let _ = c.unicode.set(UnicodeBuild::Own(r));
                }
            }
        }
        c.reach = Reach::File;
    }
    c
}

/// Compiles a rule regex and finds its secret group: `secret` if named, else 1, else 0. With
/// `eager`, the Unicode build is compiled now (its errors are the rule's errors); otherwise
/// only the ASCII build is, when the regex has one ([`CompiledRegex`]). `known` is the reach
/// `build.rs` computed for a built-in rule; without it the regex is parsed for it.
fn build_regex_with(
    src: &str,
    keywords: &[String],
    eager: bool,
    known: Option<KnownFacts>,
) -> Result<CompiledRegex, regex::Error> {
    let KnownFacts {
        reach,
        starts,
        ascii_exact,
    } = known.unwrap_or_else(|| KnownFacts::of(src, keywords));
    let reach = match reach {
        ReachFact::Bounded(n) => Reach::Bounded(n),
        ReachFact::Unbounded => Reach::Unbounded,
        ReachFact::LongBody => Reach::LongBody,
    };
    let ascii = RuleRegex::build_for(src, false, searches_for(reach, starts, true)).ok();
    let unicode = OnceLock::new();
    // Whether the ASCII build is exact is decided on the first non-ASCII window, off a
    // pre-commit run's path, unless the Unicode build is wanted now.
    if eager && ascii.is_some() && ascii_exact {
        let _ = unicode.set(UnicodeBuild::SameAsAscii);
    } else if eager || ascii.is_none() {
        let searches = searches_for(reach, starts, ascii.is_some());
        let _ = unicode.set(UnicodeBuild::Own(RuleRegex::build_for(
            src, true, searches,
        )?));
    }
    let own = match unicode.get() {
        Some(UnicodeBuild::Own(r)) => Some(r),
        _ => None,
    };
    let Some(probe) = ascii.as_ref().or(own) else {
        return Err(regex::Error::Syntax(format!("{src}: no regex")));
    };
    let group = probe.secret_group();
    Ok(CompiledRegex {
        ascii,
        unicode,
        source: src.to_string(),
        group,
        reach,
        starts,
        ascii_exact,
    })
}

/// [`build_regex_with`], compiling the Unicode build now.
fn build_regex(src: &str, keywords: &[String]) -> Result<CompiledRegex, regex::Error> {
    build_regex_with(src, keywords, true, None)
}

/// Validates a definition; with `eager`, compiles its regex now so that a bad one is an error
/// (otherwise it compiles on first use).
pub fn compile_rule(def: RuleDef, source: &str, line: u32, eager: bool) -> Result<Rule, String> {
    compile_prepared(def, None, source, line, eager)
}

/// [`compile_rule`] for a definition that is either as written (`built` is `None`) or a
/// built-in rule from `build.rs`, whose regex is already expanded and whose reach is known.
/// The one set of checks for both.
fn compile_prepared(
    mut def: RuleDef,
    built: Option<KnownFacts>,
    source: &str,
    line: u32,
    eager: bool,
) -> Result<Rule, String> {
    if built.is_none() {
        // `{{assign}}` and other placeholders: every later step sees the expanded regex.
        def.regex = super::grammar::expand(&def.regex)
            .map_err(|e| format!("rule `{}`: invalid regex: {e}", def.id))?;
    }
    let id = def.id.as_str();
    let kebab = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-');
    if !kebab {
        return Err(format!(
            "rule id `{id}` must be kebab-case (lowercase letters, digits and `-`)"
        ));
    }
    if def.name.trim().is_empty() || def.description.trim().is_empty() {
        return Err(format!(
            "rule `{id}`: `name` and `description` must not be empty"
        ));
    }
    if def.keywords.is_empty() {
        return Err(format!(
            "rule `{id}`: missing keyword: add `keywords = [\"…\"]` with at least one literal of 3+ characters that every match contains"
        ));
    }
    for k in def.keywords.iter().chain(def.context.iter()) {
        if k.len() < 3 || !k.is_ascii() {
            return Err(format!(
                "rule `{id}`: keyword `{k}` must be an ASCII literal of at least 3 characters"
            ));
        }
    }
    if let Some(e) = def.entropy {
        if !(0.0..=8.0).contains(&e) {
            return Err(format!(
                "rule `{id}`: entropy {e} is out of range (0.0–8.0 bits per character)"
            ));
        }
    }
    let compiled = Arc::new(OnceLock::new());
    if eager {
        let built = build_regex(&def.regex, &def.keywords).map_err(|e| {
            let msg = e.to_string().replace('\n', " ");
            format!("rule `{id}`: invalid regex: {msg}")
        })?;
        let _ = compiled.set(Some(classify(&def, built)));
    }
    let context_lower = def
        .context
        .iter()
        .map(|c| c.to_ascii_lowercase().into_bytes())
        .collect();
    Ok(Rule {
        qualified_id: format!("secret/{id}"),
        source: source.to_string(),
        line,
        compiled,
        prefixed: Arc::new(OnceLock::new()),
        known: built,
        context_lower,
        def,
    })
}

/// Runs a rule's examples through the engine (prefilter, regex, filters, validators) for that
/// rule alone. Returns one message per offending example; the example text itself is redacted.
pub fn check_rule_examples(rule: &Rule) -> Vec<String> {
    let engine = CompiledRules::new(vec![rule.clone()]);
    let mut problems = Vec::new();
    for (i, ex) in rule.def.examples.iter().enumerate() {
        let found = engine.find_in(ex);
        if found.is_empty() {
            problems.push(format!("example #{} does not match", i + 1));
        } else if found.iter().all(|m| m.doubt.is_some()) {
            problems.push(format!(
                "example #{} matches only with a doubt (low severity): move it to doubtful_examples",
                i + 1
            ));
        }
    }
    for (i, ex) in rule.def.doubtful_examples.iter().enumerate() {
        let found = engine.find_in(ex);
        if found.is_empty() {
            problems.push(format!("doubtful example #{} does not match", i + 1));
        } else if found.iter().any(|m| m.doubt.is_none()) {
            problems.push(format!(
                "doubtful example #{} matches without a doubt (at the rule's severity)",
                i + 1
            ));
        }
    }
    for (i, ex) in rule.def.negative_examples.iter().enumerate() {
        if !engine.find_in(ex).is_empty() {
            problems.push(format!("negative example #{} matches", i + 1));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[rule]]
id = "acme-key"
name = "Acme key"
severity = "high"
keywords = ["acme_"]
regex = '''\b(acme_[a-z0-9]{20})\b'''
description = "An Acme API key."
examples = ["key = acme_q8w7e6r5t4y3u2i1o0pz"]
negative_examples = ["acme_short"]
"#;

    #[test]
    fn good_file_parses() {
        let (rules, errs) = parse_rule_file(GOOD, "r.toml", true);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].qualified_id, "secret/acme-key");
        assert_eq!(rules[0].line, 2);
        assert_eq!(rules[0].compiled().map(|c| c.group), Some(1));
    }

    #[test]
    fn reach_of_regexes() {
        let reach = |re: &str| build_regex(re, &[]).map(|c| c.reach).ok();
        assert_eq!(reach(r"\b(acme_[a-z0-9]{20})\b"), Some(Reach::Bounded(25)));
        assert_eq!(reach(r"token\s*=\s*([a-z]{8})"), Some(Reach::Unbounded));
        assert_eq!(
            reach(r"-----BEGIN[ ]PRIVATE[ ]KEY-----\s*(?P<secret>(?s-u:.){64,}?)-----END"),
            Some(Reach::LongBody)
        );
        assert_eq!(reach(r#"key="([^"]+)""#), Some(Reach::LongBody));
        let builtin = crate::scanners::secrets::builtin_rules();
        let pk = builtin
            .rule("private-key")
            .and_then(|r| r.compiled())
            .map(|c| c.reach);
        assert_eq!(pk, Some(Reach::LongBody));
        let k8s = builtin
            .rule("kubernetes-secret-data")
            .and_then(|r| r.compiled())
            .map(|c| c.reach);
        assert_eq!(k8s, Some(Reach::File), "its keyword is file context");
        let long = builtin
            .rules()
            .iter()
            .filter(|r| r.compiled().map(|c| c.reach) == Some(Reach::LongBody))
            .count();
        assert!(long >= 1, "PEM-style rules reach far from their keyword");
    }

    /// A rule whose ASCII build stands in for its Unicode build matches exactly what a real
    /// Unicode build matches, on its examples beside non-ASCII word characters, the Kelvin
    /// sign, non-ASCII spaces and digits and invalid UTF-8.
    #[test]
    fn an_exact_ascii_build_matches_what_the_unicode_build_matches() {
        let builtin = crate::scanners::secrets::builtin_rules();
        let mut exact = 0;
        for rule in builtin.rules() {
            if !ascii_build_is_exact(&rule.def.regex) {
                continue;
            }
            exact += 1;
            let ascii = RuleRegex::build(&rule.def.regex, false).expect("compiles");
            let unicode = RuleRegex::build(&rule.def.regex, true).expect("compiles");
            let group = unicode.secret_group();
            assert_eq!(ascii.secret_group(), group, "{}", rule.def.id);
            let mut text = Vec::new();
            for ex in rule.def.examples.iter().chain(&rule.def.negative_examples) {
                for (before, after) in [
                    ("", "\n"),
                    ("ſ", "é"),
                    ("\u{212a}", "\u{212a}"),
                    ("\u{a0}", "\u{2003}"),
                    ("\u{663}", "\u{85}"),
                ] {
                    text.extend_from_slice(format!("{before}{ex}{after}\n").as_bytes());
                }
                text.extend_from_slice(b"\xff");
                text.extend_from_slice(ex.as_bytes());
                text.extend_from_slice(b"\xc3\n");
            }
            let found = unicode.all_captures(&text, group);
            assert!(!found.is_empty(), "{}: its examples match", rule.def.id);
            assert_eq!(ascii.all_captures(&text, group), found, "{}", rule.def.id);
            let compiled = rule.compiled().expect("compiles");
            let same = |r: Option<&RuleRegex>| r.map(|r| r as *const RuleRegex);
            assert_eq!(
                same(compiled.unicode()),
                same(compiled.for_text(true)),
                "{}: no Unicode build of its own",
                rule.def.id
            );
        }
        assert!(exact >= 10, "{exact} rules need no Unicode build");
    }

    #[test]
    fn a_malformed_rule_does_not_hide_the_good_ones() {
        let text = format!("{GOOD}\n[[rule]]\nid = \"half\"\nname = \"Half\"\n");
        let (rules, errs) = parse_rule_file(&text, "r.toml", true);
        assert_eq!(rules.len(), 1, "{errs:?}");
        assert_eq!(rules[0].def.id, "acme-key");
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, Some(12), "{}", errs[0]);
        assert!(errs[0].message.contains("`half`"), "{}", errs[0]);
        assert!(errs[0].message.contains("missing field"), "{}", errs[0]);
    }

    #[test]
    fn unknown_key_names_line() {
        let text = GOOD.replace("severity = \"high\"", "severity = \"high\"\nsevrity = 1");
        let (_, errs) = parse_rule_file(&text, "r.toml", true);
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("sevrity"), "{}", errs[0]);
        assert!(errs[0].line.is_some());
        assert!(errs[0].to_string().starts_with("r.toml:"));
    }

    #[test]
    fn invalid_regex_and_missing_keyword_are_errors_with_line() {
        let text = format!(
            "{GOOD}\n[[rule]]\nid = \"b\"\nname = \"B\"\nseverity = \"low\"\nkeywords = []\nregex = 'x'\ndescription = \"d\"\n\n[[rule]]\nid = \"c\"\nname = \"C\"\nseverity = \"low\"\nkeywords = [\"abc\"]\nregex = '(abc'\ndescription = \"d\"\n"
        );
        let (rules, errs) = parse_rule_file(&text, "r.toml", true);
        assert_eq!(rules.len(), 1, "the good rule survives");
        assert_eq!(errs.len(), 2);
        assert!(errs[0].message.contains("missing keyword"), "{}", errs[0]);
        let header_lines: Vec<u32> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| *l == "[[rule]]")
            .map(|(i, _)| i as u32 + 1)
            .collect();
        assert_eq!(errs[0].line, Some(header_lines[1]));
        assert!(errs[1].message.contains("invalid regex"), "{}", errs[1]);
        assert_eq!(errs[1].line, Some(header_lines[2]));
    }

    #[test]
    fn failing_example_is_an_error() {
        let text = GOOD.replace("acme_q8w7e6r5t4y3u2i1o0pz", "acme_tooshort");
        let (rules, errs) = parse_rule_file(&text, "r.toml", true);
        assert!(rules.is_empty());
        assert!(
            errs[0].message.contains("example #1 does not match"),
            "{}",
            errs[0]
        );
        let text = GOOD.replace("\"acme_short\"", "\"acme_k3j9d8f7g6h5l4m2n1p0\"");
        let (_, errs) = parse_rule_file(&text, "r.toml", true);
        assert!(
            errs[0].message.contains("negative example #1 matches"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn bad_toml_and_short_keyword() {
        let (_, errs) = parse_rule_file("[[rule]\nid=", "x.toml", true);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, Some(1));
        let text = GOOD.replace("[\"acme_\"]", "[\"ac\"]");
        let (_, errs) = parse_rule_file(&text, "x.toml", false);
        assert!(errs[0].message.contains("at least 3"), "{}", errs[0]);
        let text = GOOD.replace("acme-key", "Acme_Key");
        let (_, errs) = parse_rule_file(&text, "x.toml", false);
        assert!(errs[0].message.contains("kebab-case"), "{}", errs[0]);
    }
}
