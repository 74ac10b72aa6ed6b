//! Secrets scanner: committed credentials in the working tree, the git index and git history.
//!
//! Rules are data (`rules/secrets/*.toml`, compiled in by `build.rs`; users add or override
//! rules with `[secrets] rules`). Each file — or git blob — goes through one Aho-Corasick pass
//! over every rule's keywords; only rules whose keywords occurred run their regex; candidates
//! then pass placeholder, entropy, context and checksum filters ([`engine`]). Findings carry the
//! secret only in redacted form (`ghp_…(40)`) and are fingerprinted on the secret value, so a
//! baseline survives lines moving.
//!
//! The drift scanner reuses the engine through [`builtin_rules`] and
//! [`CompiledRules::find_in`]:
//!
//! ```
//! let rules = stagegate::scanners::secrets::builtin_rules();
//! let found = rules.find_in("DATABASE_URL=postgres://app:Xk9#vQ2mLp7z@db.internal/app");
//! assert_eq!(found[0].rule_id, "secret/database-uri-postgres");
//! assert_eq!(found[0].value.to_string(), "Xk9#…(12)");
//! ```

pub mod cfg;
pub mod chunked;
pub mod devset;
pub mod engine;
mod forward;
pub mod git;
pub mod gitleaksignore;
pub mod grammar;
pub mod keywords;
pub mod loose;
pub mod pack;
pub mod position;
mod regex_cache;
pub mod rule;
pub mod scope;
pub mod since;
pub mod suppress;
pub mod surroundings;
mod trees;
pub mod validate;
pub mod walk;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::OnceLock;

pub use engine::{CompiledRules, Doubt, SecretMatch};
pub use rule::{Rule, RuleDef, RuleError};

use super::{ScanContext, ScanOutput, Scanner, SecretsMode};
use crate::finding::{Finding, Location, Notification, RuleMeta, ScannerKind};
use position::{LineCursor, Pos};
use suppress::{AllowList, LineMarkers};

mod builtin_files {
    include!(concat!(env!("OUT_DIR"), "/secret_rule_files.rs"));
}

/// Every built-in rule file as `(path, content)`, for tests and `stagegate explain`.
pub fn builtin_rule_files() -> &'static [(&'static str, &'static str)] {
    builtin_files::BUILTIN_RULE_FILES
}

/// The built-in rule files as static rules (made by `build.rs`), in the order of
/// [`builtin_rule_files`]; `None` for a file that did not convert.
pub fn builtin_static_rules() -> &'static [Option<&'static [rule::StaticRule]>] {
    builtin_files::BUILTIN_RULES
}

struct Builtin {
    rules: CompiledRules,
    errors: Vec<RuleError>,
}

fn builtin() -> &'static Builtin {
    static BUILTIN: OnceLock<Builtin> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let n: usize = builtin_files::BUILTIN_RULES
            .iter()
            .map(|f| f.map_or(0, <[_]>::len))
            .sum();
        let mut rules: Vec<Rule> = Vec::with_capacity(n);
        let mut ids: std::collections::HashSet<String> =
            std::collections::HashSet::with_capacity(n);
        let mut errors = Vec::new();
        // The static form `build.rs` made of each file only needs copying into rule
        // definitions (well under a millisecond for all of them): no parse, no threads.
        let parsed = builtin_rule_files()
            .iter()
            .enumerate()
            .map(|(i, (path, text))| {
                builtin_files::BUILTIN_RULES
                    .get(i)
                    .copied()
                    .flatten()
                    .and_then(|list| rule::parse_static_rules(list, path, false))
                    .unwrap_or_else(|| rule::parse_rule_file(text, path, false))
            });
        for ((path, _), (rs, es)) in builtin_rule_files().iter().zip(parsed) {
            errors.extend(es);
            for r in rs {
                if !ids.insert(r.def.id.clone()) {
                    errors.push(RuleError {
                        path: path.to_string(),
                        line: Some(r.line),
                        message: format!("rule id `{}` is also defined in another file", r.def.id),
                    });
                } else {
                    rules.push(r);
                }
            }
        }
        Builtin {
            rules: CompiledRules::new(rules),
            errors,
        }
    })
}

/// The built-in rules, compiled once per process. Cheap to call; share it.
pub fn builtin_rules() -> &'static CompiledRules {
    &builtin().rules
}

/// The regex facts `build.rs` computed for the built-in rule at `line` of `path`, so that
/// deriving the token tables parses no regex at run time.
fn builtin_facts(
    path: &str,
    line: u32,
) -> Option<&'static crate::classify::regex_facts::StaticFacts> {
    let i = builtin_rule_files().iter().position(|(p, _)| *p == path)?;
    let facts = builtin_files::BUILTIN_REGEX_FACTS.get(i)?;
    let at = facts
        .binary_search_by_key(&(line as usize), |(l, _)| *l)
        .ok()?;
    facts.get(at).map(|(_, f)| f)
}

/// Token prefixes (`ghp_`, `AKIA`, `xoxb-`…) of the built-in rules that name a credential
/// format: keywords that start the secret, from rules above `note` severity that are not
/// heuristics. Drift uses them to recognise a credential's shape under any key name.
pub fn token_prefixes() -> &'static crate::classify::TokenPrefixes {
    static PREFIXES: OnceLock<crate::classify::TokenPrefixes> = OnceLock::new();
    PREFIXES.get_or_init(|| {
        crate::classify::TokenPrefixes::derive(
            builtin_rules()
                .rules()
                .iter()
                .filter(|r| {
                    r.def.severity > crate::finding::Severity::Note
                        && r.precision() != crate::finding::Precision::Low
                })
                .map(|r| crate::classify::PrefixSource {
                    keywords: &r.def.keywords,
                    regex: &r.def.regex,
                    facts: builtin_facts(&r.source, r.line),
                }),
        )
    })
}

/// Names the built-in provider rules own (`secret_access_key`), with their secret formats:
/// heuristic rules defer to them ([`crate::classify::NameOwners`]). Rules of medium precision
/// or better that name a credential (above `note`) own names: a provider-named rule
/// (`telegram_*_token`, `zerobounce_key`) knows the provider's format, so a value under that
/// name in another shape is a stand-in or another setting, not a secret the generic rules
/// should report.
pub fn name_owners() -> &'static crate::classify::NameOwners {
    static OWNERS: OnceLock<crate::classify::NameOwners> = OnceLock::new();
    OWNERS.get_or_init(|| {
        crate::classify::NameOwners::derive(
            builtin_rules()
                .rules()
                .iter()
                .filter(|r| {
                    r.def.severity > crate::finding::Severity::Note
                        && r.precision() <= crate::finding::Precision::Medium
                })
                .map(|r| crate::classify::PrefixSource {
                    keywords: &r.def.keywords,
                    regex: &r.def.regex,
                    facts: builtin_facts(&r.source, r.line),
                }),
        )
    })
}

/// The rules recognise credentials in free text, for [`crate::redact::scrub`].
impl crate::redact::Recogniser for CompiledRules {
    fn credential_ranges(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        self.find_in(text).into_iter().map(|m| m.range).collect()
    }
}

/// Problems in the built-in rule files (empty in a release: a test enforces it).
pub fn builtin_rule_errors() -> &'static [RuleError] {
    &builtin().errors
}

/// The rule set for a scan: built-ins minus `[secrets] disable`, plus `[secrets] rules` files
/// (a user rule with a built-in's id replaces it). Problems become error notifications naming
/// the file and line; the rules that did load are still used.
pub fn load_rules(root: &Path, config: &cfg::SecretsConfig) -> (CompiledRules, Vec<Notification>) {
    let mut notes: Vec<Notification> = builtin_rule_errors().iter().map(rule_error_note).collect();
    if config.rules.is_empty() && config.disable.is_empty() {
        return (builtin_rules().clone(), notes);
    }
    let mut user: Vec<Rule> = Vec::new();
    for file in &config.rules {
        let path = root.join(file);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                notes.push(
                    Notification::error(
                        ScannerKind::Secrets,
                        format!("{file}: cannot read rule file listed in [secrets] rules: {e}"),
                    )
                    .at(Location::line(file.clone(), 1)),
                );
                continue;
            }
        };
        let (rs, es) = rule::parse_rule_file(&text, file, true);
        notes.extend(es.iter().map(rule_error_note));
        for r in rs {
            user.retain(|u| u.def.id != r.def.id);
            user.push(r);
        }
    }
    let known: BTreeSet<&str> = builtin_rules()
        .rules()
        .iter()
        .map(|r| r.def.id.as_str())
        .chain(user.iter().map(|r| r.def.id.as_str()))
        .collect();
    for d in &config.disable {
        let d = d.strip_prefix("secret/").unwrap_or(d);
        if !known.contains(d) {
            notes.push(Notification::warning(
                ScannerKind::Secrets,
                format!("[secrets] disable: no rule has the id `{d}`"),
            ));
        }
    }
    let disabled = |id: &str| {
        config
            .disable
            .iter()
            .any(|d| d.strip_prefix("secret/").unwrap_or(d) == id)
    };
    let mut rules: Vec<Rule> = builtin_rules()
        .rules()
        .iter()
        .filter(|r| !user.iter().any(|u| u.def.id == r.def.id))
        .cloned()
        .collect();
    rules.extend(user);
    rules.retain(|r| !disabled(&r.def.id));
    (CompiledRules::new(rules), notes)
}

fn rule_error_note(e: &RuleError) -> Notification {
    let n = Notification::error(ScannerKind::Secrets, e.to_string());
    n.at(Location::line(e.path.clone(), e.line.unwrap_or(1)))
}

/// Git facts attached to a finding from history.
#[derive(Debug, Clone, Default)]
pub struct CommitInfo {
    /// Full commit id.
    pub id: String,
    /// Committer date, ISO 8601.
    pub date: String,
    /// `Name <email>`.
    pub author: String,
}

/// Turns engine matches in one file (or blob) into findings: locations, redacted messages,
/// properties, inline and configured suppressions.
#[derive(Debug, Clone)]
pub struct Emitter<'a> {
    /// The rule set.
    pub rules: &'a CompiledRules,
    /// `[secrets] allow`.
    pub allow: &'a AllowList,
}

impl Emitter<'_> {
    /// Findings for `hay` found at relative `path` (and `commit`, for history).
    pub fn findings(&self, hay: &[u8], path: &str, commit: Option<&CommitInfo>) -> Vec<Finding> {
        self.findings_in(hay, 0..hay.len(), &LineCursor::start(), path, commit)
    }

    /// Findings whose secret starts in `report` of `hay`, with `cursor` at `report.start`
    /// (chunked scans of large files pass the cursor carried over from earlier chunks).
    ///
    /// Linear in the bytes plus the matches: positions come from one forward pass over the
    /// sorted match offsets, and each line's suppression markers are read once however many
    /// matches it holds.
    pub fn findings_in(
        &self,
        hay: &[u8],
        report: std::ops::Range<usize>,
        cursor: &LineCursor,
        path: &str,
        commit: Option<&CommitInfo>,
    ) -> Vec<Finding> {
        let matches = self.rules.find_starting_in(hay, report);
        self.findings_of(hay, &matches, cursor, path, commit)
    }

    /// Findings for `matches` already found in `hay` (by [`CompiledRules::find_starting_in`],
    /// `cursor` at the start of the range searched): the history scan matches a blob before it
    /// knows the blob's path, and builds the findings once the path is known.
    pub fn findings_of(
        &self,
        hay: &[u8],
        matches: &[SecretMatch],
        cursor: &LineCursor,
        path: &str,
        commit: Option<&CommitInfo>,
    ) -> Vec<Finding> {
        if matches.is_empty() {
            return Vec::new();
        }
        let offsets: Vec<usize> = matches
            .iter()
            .flat_map(|m| [m.range.start, m.range.end])
            .collect();
        let pos = cursor.positions(hay, &offsets);
        let mut markers: HashMap<usize, LineMarkers> = HashMap::new();
        // A line that began in an earlier chunk is read from the buffer's start.
        let mut allows = |line_start: Option<usize>, rule_id: &str| {
            let start = line_start.unwrap_or(0);
            markers
                .entry(start)
                .or_insert_with(|| LineMarkers::of_line(hay, start))
                .allows(rule_id)
        };
        let mut out = Vec::with_capacity(matches.len());
        for (i, m) in matches.iter().enumerate() {
            let (Some(start), Some(end)) = (pos.get(2 * i), pos.get(2 * i + 1)) else {
                continue;
            };
            let inline = allows(start.line_start, &m.rule_id).or_else(|| {
                start
                    .prev_line_start
                    .and_then(|p| allows(Some(p), &m.rule_id))
            });
            if let Some(mut f) = self.finding(path, commit, m, start, end) {
                f.suppression = inline.or_else(|| self.allow.check(&m.rule_id, path));
                out.push(f);
            }
        }
        out
    }

    fn finding(
        &self,
        path: &str,
        commit: Option<&CommitInfo>,
        m: &SecretMatch,
        start: &Pos,
        end: &Pos,
    ) -> Option<Finding> {
        let rule = self.rules.rules().get(m.rule_index)?;
        let (start_line, start_column) = (start.line, start.column);
        let (end_line, end_column) = (end.line, end.column);
        let location = Location {
            path: path.to_string(),
            start_line,
            start_column,
            end_line,
            end_column: if end_line == start_line {
                end_column.max(start_column + 1)
            } else {
                end_column
            },
            commit: commit.map(|c| c.id.clone()),
        };
        let redacted = m.value.redacted();
        // `note` rules report infrastructure identifiers (ARNs, bucket names), not credentials:
        // there is nothing to revoke, only a name to review.
        let message = if m.severity == crate::finding::Severity::Note {
            format!(
                "{} `{redacted}` is named in the repository: an identifier, not a credential; review whether it should be public",
                rule.def.name
            )
        } else if let Some(doubt) = m.doubt {
            format!(
                "{} `{redacted}` has the format of this credential but {}: check that it is not a real one",
                rule.def.name,
                doubt.reason()
            )
        } else {
            format!(
                "{} `{redacted}` is committed in clear{}: revoke or rotate it, then load it from a secret store",
                rule.def.name,
                if m.validated { " (checksum valid)" } else { "" }
            )
        };
        let mut f = Finding::new(
            m.rule_id.clone(),
            m.severity,
            message,
            location,
            m.value.expose(),
        )
        .with_property("redacted", redacted)
        .with_property("entropy", m.entropy)
        .with_property("validated", m.validated);
        if let Some(doubt) = m.doubt {
            f = f.with_property("doubt", format!("{doubt:?}"));
        }
        if let Some(c) = commit {
            f = f
                .with_property("commit", c.id.clone())
                .with_property("commit_date", c.date.clone())
                .with_property("author", c.author.clone());
        }
        Some(f)
    }
}

/// SARIF/explain metadata of a rule.
pub fn rule_meta(rule: &Rule) -> RuleMeta {
    let d = &rule.def;
    let pascal: String =
        d.id.split('-')
            .map(|w| {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                    None => String::new(),
                }
            })
            .collect();
    let mut m = RuleMeta::new(
        rule.qualified_id.clone(),
        pascal,
        d.name.clone(),
        d.severity,
    );
    m.full_description = d.description.trim().to_string();
    let mut help = format!(
        "**{}** — {}\n\n**Why it matters:** anyone who can read the repository (or any clone, fork, \
         CI log or backup of it) can use this credential. Removing it in a later commit does not \
         help: it stays in git history.\n\n**How to fix:** revoke or rotate the credential at the \
         provider first, then remove it from the code and load it at runtime from a secret store \
         or environment variable. If it is a deliberate test value, mark the line with \
         `stagegate:allow {}` or add a `[secrets] allow` entry with a reason.",
        d.name,
        d.description.trim(),
        d.id
    );
    if !d.references.is_empty() {
        help.push_str("\n\n**References:**\n");
        for r in &d.references {
            help.push_str(&format!("\n- <{r}>"));
        }
    }
    m.help_markdown = help;
    m.help_uri = d.references.first().cloned();
    m.tags = vec![
        "security".to_string(),
        "secret".to_string(),
        "external/cwe/cwe-798".to_string(),
    ];
    m.precision = rule.precision();
    m
}

/// Committed credentials.
#[derive(Debug, Default, Clone, Copy)]
pub struct SecretsScanner;

impl Scanner for SecretsScanner {
    fn kind(&self) -> ScannerKind {
        ScannerKind::Secrets
    }

    fn scan(&self, ctx: &ScanContext<'_>) -> ScanOutput {
        let cfg = &ctx.config.secrets;
        // A pre-commit run starts git listing the staged files before loading the rules: the
        // two overlap.
        let listing = (ctx.options.secrets.mode == SecretsMode::Staged)
            .then(|| git::start_staged_listing(ctx.root));
        let (rules, notes) = load_rules(ctx.root, cfg);
        let emitter = Emitter {
            rules: &rules,
            allow: &ctx.config.secrets_compiled.allow,
        };
        let mut out = match &ctx.options.secrets.mode {
            SecretsMode::Tree => walk::scan_tree(ctx, &emitter),
            SecretsMode::Staged => git::scan_staged(
                ctx,
                &emitter,
                listing.unwrap_or_else(|| git::start_staged_listing(ctx.root)),
            ),
            SecretsMode::History { since } => git::scan_history(ctx, &emitter, since.as_deref()),
        };
        out.notifications.splice(0..0, notes);
        gitleaksignore::apply(&gitleaksignore::load(ctx.root), &mut out.findings);
        let nothing = out.stats.files == 0 && out.stats.blobs == 0;
        if ctx.explicit && nothing && ctx.options.secrets.mode == SecretsMode::Tree {
            out.notifications.push(Notification::error(
                ScannerKind::Secrets,
                format!(
                    "{}: no text file to scan for secrets (everything is ignored, excluded, binary or too large?)",
                    ctx.root.display()
                ),
            ));
        }
        let used: BTreeSet<&str> = out.findings.iter().map(|f| f.rule_id.as_str()).collect();
        out.rules = rules
            .rules()
            .iter()
            .filter(|r| used.contains(r.qualified_id.as_str()))
            .map(rule_meta)
            .collect();
        out.rules
            .extend(used.iter().filter_map(|id| scope::path_rule_meta(id)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The static rules `build.rs` makes of each built-in rule file load, and give exactly the
    /// rules (ids, lines, names, keywords, regexes, examples: every field) that parsing the TOML
    /// gives, with the reach that parsing their regex gives.
    #[test]
    fn builtin_static_rules_mirror_the_toml() {
        use crate::classify::regex_facts::{ascii_build_is_exact, keyword_start, reach_fact};
        let files = builtin_rule_files();
        assert_eq!(builtin_static_rules().len(), files.len());
        let mut total = 0;
        for ((path, text), list) in files.iter().zip(builtin_static_rules()) {
            let list = list.unwrap_or_else(|| panic!("{path}: no static form"));
            let (from_toml, toml_errors) = rule::parse_rule_file(text, path, false);
            let (from_static, static_errors) =
                rule::parse_static_rules(list, path, false).expect("the static rules load");
            assert_eq!(static_errors, toml_errors, "{path}");
            assert_eq!(from_static.len(), from_toml.len(), "{path}");
            for ((s, t), raw) in from_static.iter().zip(&from_toml).zip(list) {
                assert_eq!((s.line, &s.source), (t.line, &t.source), "{path}");
                assert_eq!(format!("{:?}", s.def), format!("{:?}", t.def), "{path}");
                assert_eq!(raw.reach, reach_fact(&t.def.regex), "{path}: {}", t.id());
                let keywords: Vec<&str> = t.def.keywords.iter().map(String::as_str).collect();
                let starts = [false, true].map(|u| keyword_start(&t.def.regex, &keywords, u));
                assert_eq!(raw.starts, starts, "{path}: {}", t.id());
                let exact = ascii_build_is_exact(&t.def.regex);
                assert_eq!(raw.ascii_exact, exact, "{path}: {}", t.id());
            }
            total += from_static.len();
        }
        assert_eq!(total, builtin_rules().rules().len());
        assert!(total > 900, "{total}");
    }

    /// The regex facts `build.rs` compiled in are those the program would compute, for every
    /// built-in rule, and the token tables derived from them equal those derived by parsing.
    #[test]
    fn builtin_regex_facts_are_what_parsing_gives() {
        use crate::classify::regex_facts::{regex_facts, RegexFacts};
        use crate::classify::{NameOwners, PrefixSource, TokenPrefixes};
        let rules = builtin_rules().rules();
        for r in rules {
            let stored = builtin_facts(&r.source, r.line)
                .unwrap_or_else(|| panic!("{}:{}: no stored facts", r.source, r.line));
            assert_eq!(
                RegexFacts::from(stored),
                regex_facts(&r.def.regex),
                "{}",
                r.id()
            );
        }
        let sources = |stored: bool| {
            rules.iter().map(move |r| PrefixSource {
                keywords: &r.def.keywords,
                regex: &r.def.regex,
                facts: if stored {
                    builtin_facts(&r.source, r.line)
                } else {
                    None
                },
            })
        };
        let (a, b) = (
            TokenPrefixes::derive(sources(true)),
            TokenPrefixes::derive(sources(false)),
        );
        assert!(a.prefixes().len() > 100, "{}", a.prefixes().len());
        assert_eq!(a.prefixes(), b.prefixes());
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        let (a, b) = (
            NameOwners::derive(sources(true)),
            NameOwners::derive(sources(false)),
        );
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert!(format!("{a:?}").contains("\"aws_secret\""));
    }

    /// A static rule with a named value that is not one (which only a hand-edited build could
    /// make) is not loaded from its static form: the caller parses the TOML instead.
    #[test]
    fn a_static_rule_with_an_unknown_name_falls_back() {
        let list = builtin_static_rules()[0].expect("static form");
        let good = &list[0];
        let bad = rule::StaticRule {
            severity: "urgent",
            ..*good
        };
        assert!(rule::parse_static_rules(std::slice::from_ref(good), "x.toml", false).is_some());
        assert!(rule::parse_static_rules(&[bad], "x.toml", false).is_none());
        let bad = rule::StaticRule {
            validator: Some("crc64"),
            ..*good
        };
        assert!(rule::parse_static_rules(&[bad], "x.toml", false).is_none());
    }
}
