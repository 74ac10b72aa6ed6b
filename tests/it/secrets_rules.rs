//! Every built-in secret rule's examples and negative examples, through the full engine
//! (prefilter, regex, filters, validators, overlap resolution). Fails listing each offender.

use stagegate::finding::Severity;
use stagegate::scanners::secrets::{builtin_rule_errors, builtin_rule_files, builtin_rules, rule};

#[test]
fn builtin_rule_files_load_without_errors() {
    assert!(
        !builtin_rule_files().is_empty(),
        "build.rs found no rules/secrets/*.toml"
    );
    let errors: Vec<String> = builtin_rule_errors()
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "bad built-in rules:\n{}",
        errors.join("\n")
    );
    let names: Vec<&str> = builtin_rule_files().iter().map(|(p, _)| *p).collect();
    assert!(names.contains(&"rules/secrets/generic.toml"), "{names:?}");
    assert!(
        names.contains(&"rules/secrets/private-keys.toml"),
        "{names:?}"
    );
}

#[test]
fn every_builtin_example_and_negative_example_holds() {
    let engine = builtin_rules();
    assert!(
        engine.rules().len() >= 20,
        "only {} rules",
        engine.rules().len()
    );
    let mut offenders = Vec::new();
    for r in engine.rules() {
        let where_ = format!("{}:{} `{}`", r.source, r.line, r.def.id);
        if !r.regex_compiles() {
            offenders.push(format!("{where_}: regex does not compile"));
        }
        if r.def.examples.is_empty() {
            offenders.push(format!("{where_}: has no examples"));
        }
        if r.def.negative_examples.is_empty() {
            offenders.push(format!("{where_}: has no negative_examples"));
        }
        for (i, ex) in r.def.examples.iter().enumerate() {
            let found = engine.find_in(ex);
            if !found.iter().any(|m| m.rule_id == r.qualified_id) {
                let others: Vec<&str> = found.iter().map(|m| m.rule_id.as_str()).collect();
                offenders.push(format!(
                    "{where_}: example #{} is not matched by the full engine (matched instead: {others:?})",
                    i + 1
                ));
            }
        }
        for (i, ex) in r.def.negative_examples.iter().enumerate() {
            if engine
                .find_in(ex)
                .iter()
                .any(|m| m.rule_id == r.qualified_id)
            {
                offenders.push(format!("{where_}: negative example #{} matches", i + 1));
            }
        }
        for (i, ex) in r.def.doubtful_examples.iter().enumerate() {
            let found = engine.find_in(ex);
            let mine: Vec<_> = found
                .iter()
                .filter(|m| m.rule_id == r.qualified_id)
                .collect();
            if mine.is_empty()
                || mine
                    .iter()
                    .any(|m| m.doubt.is_none() || m.severity > Severity::Low)
            {
                offenders.push(format!(
                    "{where_}: doubtful example #{} is not reported at low severity with a doubt by the full engine",
                    i + 1
                ));
            }
        }
        // The same checks on the rule alone, as they run when a user rule file loads.
        for p in rule::check_rule_examples(r) {
            offenders.push(format!("{where_} (alone): {p}"));
        }
    }
    assert!(
        offenders.is_empty(),
        "{} offending rule example(s):\n{}",
        offenders.len(),
        offenders.join("\n")
    );
}

#[test]
fn every_builtin_rule_has_metadata_for_reports() {
    for r in builtin_rules().rules() {
        let m = stagegate::scanners::secrets::rule_meta(r);
        assert_eq!(m.id, format!("secret/{}", r.def.id));
        assert!(m.help_markdown.contains("How to fix"), "{}", m.id);
        assert!(!m.full_description.is_empty(), "{}", m.id);
        assert!(m.tags.len() <= 20);
    }
}

/// The invariants `scripts/check_rules.py` used to check by hand, on the real rule set: every
/// rule cites a reference, has two examples and two near-misses (the generic heuristics and
/// private-key blocks, whose variants are few, at least one each), and every regex match in an
/// example contains one of the rule's keywords — otherwise the keyword prefilter would skip
/// files where the rule matches. Those two files may use a document-level keyword instead
/// (`kind: secret` for a Secret's `data:` values), which must then occur in the example.
#[test]
fn every_builtin_rule_keeps_the_authoring_invariants() {
    let mut offenders = Vec::new();
    for r in builtin_rules().rules() {
        let where_ = format!("{}:{} `{}`", r.source, r.line, r.def.id);
        if r.def.references.iter().all(|u| u.trim().is_empty()) {
            offenders.push(format!("{where_}: cites no reference"));
        }
        let heuristic =
            r.source.ends_with("/generic.toml") || r.source.ends_with("/private-keys.toml");
        let min = if heuristic { 1 } else { 2 };
        if r.def.examples.len() < min || r.def.negative_examples.len() < min {
            offenders.push(format!(
                "{where_}: needs {min}+ examples and {min}+ negative examples (has {} and {})",
                r.def.examples.len(),
                r.def.negative_examples.len()
            ));
        }
        let Ok(re) = regex::bytes::Regex::new(&r.def.regex) else {
            offenders.push(format!("{where_}: regex does not compile"));
            continue;
        };
        let keywords: Vec<String> = r
            .def
            .keywords
            .iter()
            .map(|k| k.to_ascii_lowercase())
            .collect();
        for (i, ex) in r.def.examples.iter().enumerate() {
            for m in re.find_iter(ex.as_bytes()) {
                let scope = if heuristic {
                    ex.as_bytes()
                } else {
                    m.as_bytes()
                };
                let text = String::from_utf8_lossy(scope).to_ascii_lowercase();
                if !keywords.iter().any(|k| text.contains(k.as_str())) {
                    offenders.push(format!(
                        "{where_}: a match in example #{} contains none of the keywords {:?}",
                        i + 1,
                        r.def.keywords
                    ));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "{} rule(s) break an authoring invariant:\n{}",
        offenders.len(),
        offenders.join("\n")
    );
}

/// Issue 11's one assignment grammar: a rule anchored on a credential's *name* reaches its
/// value through `{{assign}}` (or `{{assign_quoted}}`, `{{assign_or_blank}}`), so a syntax the
/// grammar learns (XML elements, call forms, typed declarations, `:=`, YAML block scalars) is
/// learnt by every rule at once. An operator list of a rule's own (`\s*(?:=|:)\s*`, `[=:]`) is
/// allowed only where that syntax *is* the format, each listed here with the reason; a listed
/// rule that no longer has one is reported too, so the list cannot go stale.
#[test]
fn name_anchored_rules_use_the_one_assignment_grammar() {
    const OWN_SYNTAX: &[(&str, &str)] = &[
        ("akamai-edgegrid-client-secret", "the .edgerc INI line"),
        ("freemius-secret-key", "the Freemius SDK's PHP init array"),
        ("gcp-service-account-key", "a key file's JSON structure"),
        (
            "gradle-repository-credentials",
            "a Gradle credentials { } block",
        ),
        ("phpmailer-password", "a PHPMailer property assignment"),
        (
            "redis-password",
            "a redis.conf directive or its --flag / CONFIG SET form",
        ),
        (
            "connection-string-password",
            "`;Password=` in a connection string",
        ),
        (
            "dotnet-config-password",
            "an appSettings <add key value> element",
        ),
        ("password-flag", "a command-line flag"),
        ("secret-flag", "a command-line flag"),
        (
            "header-flag-credential",
            "an HTTP header in a command-line flag",
        ),
        (
            "terraform-variable-default-credential",
            "a Terraform variable block's default",
        ),
        (
            "generic-username-password",
            "a user line followed by a password line",
        ),
        ("wireguard-private-key", "the WireGuard INI line"),
        ("wireguard-preshared-key", "the WireGuard INI line"),
        ("docker-config-auth", "a Docker config.json structure"),
        (
            "env-name-value-credential",
            "a name/value environment entry",
        ),
    ];
    let ad_hoc = regex::Regex::new(
        r#"\(\?:=\||\[=:\]|\[:=\]|\\s\*=|\[ \\t\]\*=|=>\||\\s\*:\\s\*|\[ \\t\]\*:|\[ \\t\]\*\[:=\]"#,
    )
    .expect("the pattern compiles");
    let mut offenders = Vec::new();
    let mut still_own = Vec::new();
    for (path, text) in builtin_rule_files() {
        let doc: toml::Value = toml::from_str(text).expect("built-in rule files parse");
        let rules = doc.get("rule").and_then(|r| r.as_array()).cloned();
        for r in rules.unwrap_or_default() {
            let id = r
                .get("id")
                .and_then(|v| v.as_str())
                .unwrap_or("?")
                .to_string();
            let rx = r.get("regex").and_then(|v| v.as_str()).unwrap_or("");
            if !ad_hoc.is_match(rx) || rx.contains("{{assign") {
                continue;
            }
            if OWN_SYNTAX.iter().any(|(i, _)| *i == id) {
                still_own.push(id);
            } else {
                offenders.push(format!("{path} `{id}`: {rx}"));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "{} rule(s) carry an operator list of their own instead of {{{{assign}}}}:\n{}",
        offenders.len(),
        offenders.join("\n")
    );
    let stale: Vec<&str> = OWN_SYNTAX
        .iter()
        .map(|(i, _)| *i)
        .filter(|i| !still_own.iter().any(|s| s == i))
        .collect();
    assert!(stale.is_empty(), "no longer an exception: {stale:?}");
}
