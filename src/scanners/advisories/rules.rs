//! Rule ids, their metadata (SARIF `reportingDescriptor`) and finding messages.
//!
//! One scheme: every advisory is `advisory/<ID>` (`advisory/RUSTSEC-2021-0078`) whatever its kind;
//! the kind (`vulnerability`, `unmaintained`, `unsound`, `notice`) is a tag and the `kind`
//! property. A flat id stays stable when an advisory is reclassified. Four fixed rules sit
//! beside them, as data: [`AdvisoryRule`] (id, default severity, metadata).

use super::advisory::{Advisory, Kind};
use super::versions::{Fix, FixKind};
use crate::finding::{Precision, RuleMeta, Severity};

/// The advisory scanner's fixed rules: one place for each id, severity and help text, which
/// the checks, `stagegate explain` and the SARIF rule table all read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdvisoryRule {
    /// A locked version that its publisher yanked (`checks.rs`).
    Yanked,
    /// The advisory database is older than `max_age_days` (`checks.rs`).
    StaleDatabase,
    /// An `[advisories] ignore` entry whose `until` date has passed (`ignores.rs`).
    ExpiredIgnore,
    /// An `[advisories] ignore` entry that matched no finding (`ignores.rs`).
    UnusedIgnore,
}

impl AdvisoryRule {
    /// Every fixed rule.
    pub const ALL: [AdvisoryRule; 4] = [
        AdvisoryRule::Yanked,
        AdvisoryRule::StaleDatabase,
        AdvisoryRule::ExpiredIgnore,
        AdvisoryRule::UnusedIgnore,
    ];

    /// Qualified rule id (`advisory/yanked`).
    pub fn id(self) -> &'static str {
        match self {
            AdvisoryRule::Yanked => "advisory/yanked",
            AdvisoryRule::StaleDatabase => "advisory/stale-database",
            AdvisoryRule::ExpiredIgnore => "advisory/expired-ignore",
            AdvisoryRule::UnusedIgnore => "advisory/unused-ignore",
        }
    }

    /// Severity of its findings; `[advisories] yanked` overrides it for [`AdvisoryRule::Yanked`].
    pub fn default_severity(self) -> Severity {
        match self {
            AdvisoryRule::Yanked => Severity::Low,
            AdvisoryRule::StaleDatabase | AdvisoryRule::ExpiredIgnore => Severity::High,
            AdvisoryRule::UnusedIgnore => Severity::Note,
        }
    }

    /// Metadata at the default severity.
    pub fn meta(self) -> RuleMeta {
        self.meta_at(self.default_severity())
    }
}

/// `advisory/<ID>`.
pub fn advisory_rule_id(a: &Advisory) -> String {
    format!("advisory/{}", a.id)
}

/// Severity of a matched advisory: `malicious` is critical; a vulnerability follows its CVSS
/// score (high without one); informational kinds take their configured severity.
pub fn severity(a: &Advisory, cfg: &super::cfg::AdvisoriesConfig) -> Severity {
    if a.is_malicious() {
        return Severity::Critical;
    }
    match &a.kind {
        Kind::Vulnerability => a
            .cvss_score
            .map(Severity::from_cvss)
            .unwrap_or(Severity::High),
        Kind::Unmaintained => cfg.unmaintained,
        Kind::Unsound => cfg.unsound,
        Kind::Notice(_) => cfg.notice,
    }
}

/// Titles use Markdown code spans; messages are plain text.
pub fn plain(s: &str) -> String {
    s.replace('`', "")
}

/// `RUSTSEC-…, CVE-…` (the CVE aliases, or the first alias when there is no CVE).
pub fn ids_for_message(a: &Advisory) -> String {
    let mut ids = vec![a.id.clone()];
    let cves: Vec<&String> = a.aliases.iter().filter(|x| x.starts_with("CVE-")).collect();
    if cves.is_empty() {
        ids.extend(a.aliases.first().cloned());
    } else {
        ids.extend(cves.into_iter().cloned());
    }
    ids.join(", ")
}

/// The message of a matched advisory.
pub fn message(a: &Advisory, name: &str, version: &str, fix: Option<&Fix>) -> String {
    let what = match &a.kind {
        Kind::Vulnerability => String::new(),
        k => format!(" [{}]", k.as_str()),
    };
    let advice = match (fix, &a.kind) {
        (Some(f), _) => format!(
            "upgrade to {} ({})",
            f.version,
            match f.kind {
                FixKind::Compatible => "semver-compatible",
                FixKind::Breaking => "breaking upgrade",
            }
        ),
        (None, Kind::Vulnerability) => {
            "no fixed version is available; remove the dependency or replace it".to_string()
        }
        (None, _) => "no fixed version; consider an alternative crate".to_string(),
    };
    format!(
        "{name} {version}: {}{what} ({}); {advice}",
        plain(&a.title),
        ids_for_message(a)
    )
}

/// Rule metadata of one advisory.
pub fn advisory_meta(a: &Advisory, default_severity: Severity) -> RuleMeta {
    let mut m = RuleMeta::new(
        advisory_rule_id(a),
        a.id.clone(),
        plain(&a.title),
        default_severity,
    );
    let first_para = a
        .description
        .split("\n\n")
        .next()
        .map(|p| plain(p).replace('\n', " "))
        .unwrap_or_default();
    m.full_description = if first_para.is_empty() {
        plain(&a.title)
    } else {
        first_para
    };
    let patched: Vec<String> = a
        .versions
        .patched()
        .iter()
        .map(|r| format!("`{r}`"))
        .collect();
    let mut help = format!("**{}**\n\n", a.title);
    if !a.description.is_empty() {
        help.push_str(&a.description);
        help.push_str("\n\n");
    }
    help.push_str(&format!(
        "- Crate: `{}`\n- Kind: {}\n",
        a.package,
        a.kind.as_str()
    ));
    if !a.aliases.is_empty() {
        help.push_str(&format!("- Aliases: {}\n", a.aliases.join(", ")));
    }
    if let (Some(v), Some(s)) = (&a.cvss_vector, a.cvss_score) {
        help.push_str(&format!("- CVSS: {s:.1} (`{v}`)\n"));
    }
    help.push_str(&format!(
        "- Patched versions: {}\n",
        if patched.is_empty() {
            "none".to_string()
        } else {
            patched.join(", ")
        }
    ));
    help.push_str(&format!("- Advisory: <{}>\n\n", a.rustsec_url()));
    help.push_str(
        "**How to fix**: upgrade the crate to a patched version (`cargo update -p NAME` for a \
         semver-compatible fix, a `Cargo.toml` change for a breaking one), or remove it. If the \
         affected code is not reachable, accept the advisory in `stagegate.toml` with \
         `[advisories] ignore = [{ id = \"ID\", reason = \"…\", until = \"YYYY-MM-DD\" }]`.",
    );
    m.help_markdown = help;
    m.help_uri = Some(a.help_uri());
    let mut tags = vec![
        "security".to_string(),
        "dependency".to_string(),
        "rustsec".to_string(),
        a.kind.as_str().to_string(),
    ];
    tags.extend(a.categories.iter().cloned());
    tags.truncate(20);
    m.tags = tags;
    m.precision = Precision::VeryHigh;
    m
}

impl AdvisoryRule {
    /// Metadata at `severity` (the configured one, for [`AdvisoryRule::Yanked`]).
    pub fn meta_at(self, severity: Severity) -> RuleMeta {
        let (name, short, help, uri): (&str, &str, &str, Option<&str>) = match self {
            AdvisoryRule::Yanked => (
                "YankedVersion",
                "A locked dependency version was yanked from crates.io",
                "**What it detects**: a `Cargo.lock` entry whose version its publisher yanked, \
                 according to Cargo's local registry index cache (no network is used).\n\n\
                 **Why it matters**: versions are yanked because they are broken or insecure; new \
                 projects can no longer select them and a fresh resolution would fail.\n\n\
                 **How to fix**: `cargo update -p NAME` to move to a version that is not yanked.",
                Some("https://doc.rust-lang.org/cargo/commands/cargo-yank.html"),
            ),
            AdvisoryRule::StaleDatabase => (
                "StaleAdvisoryDatabase",
                "The advisory database is older than the allowed age",
                "**What it detects**: the advisory database was last updated more than \
                 `[advisories] max_age_days` (default 90) days ago: the git HEAD commit date of a \
                 checkout, otherwise the newest advisory date.\n\n\
                 **Why it matters**: a stale database silently misses recent vulnerabilities, so a \
                 clean audit means little.\n\n\
                 **How to fix**: run `stagegate db fetch` (or point `--db` at a fresh copy).",
                Some("https://github.com/rustsec/advisory-db"),
            ),
            AdvisoryRule::ExpiredIgnore => (
                "ExpiredAdvisoryIgnore",
                "An accepted advisory's `until` date has passed",
                "**What it detects**: an `[advisories] ignore` entry whose `until` date is in the \
                 past. It no longer suppresses anything.\n\n\
                 **Why it matters**: accepting a risk is a decision with an expiry; past it, the \
                 decision must be made again.\n\n\
                 **How to fix**: fix the advisory (upgrade), or review the reason and move `until`.",
                None,
            ),
            AdvisoryRule::UnusedIgnore => (
                "UnusedAdvisoryIgnore",
                "An accepted advisory matched nothing",
                "**What it detects**: an `[advisories] ignore` entry whose id matches no advisory \
                 found in any lockfile.\n\n\
                 **Why it matters**: stale ignores hide the next real finding with the same id and \
                 make the configuration harder to review.\n\n\
                 **How to fix**: delete the entry.",
                None,
            ),
        };
        let mut m = RuleMeta::new(self.id(), name, short, severity);
        m.help_markdown = help.to_string();
        m.full_description = help
            .split("\n\n")
            .next()
            .unwrap_or(short)
            .replace("**What it detects**: ", "");
        m.help_uri = uri.map(String::from);
        m.tags = vec!["security".into(), "dependency".into()];
        m.precision = Precision::VeryHigh;
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanners::advisories::cfg::AdvisoriesConfig;

    fn adv(extra: &str) -> Advisory {
        format!(
            "```toml\n[advisory]\nid = \"RUSTSEC-2021-0078\"\npackage = \"hyper\"\ndate = \"2021-07-07\"\naliases = [\"GHSA-f3pg-qwvg-p99c\", \"CVE-2021-32715\"]\n{extra}\n[versions]\npatched = [\">= 0.14.10\"]\n```\n\n# Lenient `hyper` header parsing of `Content-Length` could allow request smuggling\n\nBody.\n"
        )
        .parse()
        .unwrap()
    }

    #[test]
    fn message_matches_the_spec_example() {
        let a = adv("");
        let fix = a.versions.fix_for(&"0.14.9".parse().unwrap());
        assert_eq!(
            message(&a, "hyper", "0.14.9", fix.as_ref()),
            "hyper 0.14.9: Lenient hyper header parsing of Content-Length could allow request smuggling (RUSTSEC-2021-0078, CVE-2021-32715); upgrade to 0.14.10 (semver-compatible)"
        );
        let fix = a.versions.fix_for(&"0.13.0".parse().unwrap());
        assert!(message(&a, "hyper", "0.13.0", fix.as_ref()).ends_with("(breaking upgrade)"));
    }

    #[test]
    fn severities() {
        let cfg = AdvisoriesConfig::default();
        assert_eq!(severity(&adv(""), &cfg), Severity::High);
        let low = adv("cvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N\"");
        assert_eq!(severity(&low, &cfg), Severity::Medium);
        let crit = adv("cvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"");
        assert_eq!(severity(&crit, &cfg), Severity::Critical);
        assert_eq!(
            severity(&adv("categories = [\"malicious\"]"), &cfg),
            Severity::Critical
        );
        assert_eq!(
            severity(&adv("informational = \"unmaintained\""), &cfg),
            Severity::Low
        );
        assert_eq!(
            severity(&adv("informational = \"unsound\""), &cfg),
            Severity::Medium
        );
        assert_eq!(
            severity(&adv("informational = \"notice\""), &cfg),
            Severity::Note
        );
    }

    #[test]
    fn meta_has_help_uri_tags_and_fix_instructions() {
        let a = adv("categories = [\"format-injection\"]");
        let m = advisory_meta(&a, Severity::High);
        assert_eq!(m.id, "advisory/RUSTSEC-2021-0078");
        assert!(m.help_markdown.contains("How to fix"));
        assert!(
            m.help_markdown.contains("`>=0.14.10`"),
            "{}",
            m.help_markdown
        );
        assert_eq!(
            m.help_uri.as_deref(),
            Some("https://rustsec.org/advisories/RUSTSEC-2021-0078")
        );
        assert!(m.tags.contains(&"format-injection".to_string()));
        for r in AdvisoryRule::ALL {
            let id = r.id();
            let f = r.meta_at(Severity::Low);
            assert_eq!(f.id, id);
            assert_eq!(f.default_severity, Severity::Low);
            assert_eq!(r.meta().default_severity, r.default_severity());
            assert!(f.help_markdown.contains("How to fix"), "{id}");
            assert!(!f.full_description.contains("**"), "{id}");
        }
        assert_ne!(
            AdvisoryRule::UnusedIgnore.meta().name,
            AdvisoryRule::ExpiredIgnore.meta().name
        );
    }
}
