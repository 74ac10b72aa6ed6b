//! The one assignment grammar of the secret rules: `{{assign}}` in a rule's regex stands for
//! everything between the end of a credential's name and the start of its value.
//!
//! Before this grammar every keyword-anchored rule carried its own short operator list
//! (`(?:=|:|=>|:=)`), so a token assigned with `?=` in a Makefile, `const X: &str =` in Rust,
//! `<apiKey>…` in XML or `setProperty("X_TOKEN", "…")` in Java was found by some rules and
//! missed by others. Writing the grammar once means a new syntax is learnt by every rule at
//! once, and a rule author writes only the name and the value format:
//!
//! ```toml
//! regex = '''(?i:acme)[\w.-]{0,20}?(?i:key|token){{assign}}([a-f0-9]{32})\b'''
//! ```
//!
//! The expansion happens when a rule compiles ([`expand`]), so the regex that runs, the token
//! prefixes derived from it and the reach of its keyword windows all see the same text.

/// The operator part of the grammar, `{{assign_op}}` (one non-capturing group; it adds no
/// capture group, so a rule's group numbers do not move). In order:
///
/// * the closing quote of a quoted name and an index bracket (`"api_key":`, `ENV['TOKEN'] =`,
///   JSON inside a string: `\"token\": \"…\"`), or a C array declarator (`char pass[32] =`,
///   PHP's append `$keys[] =`);
/// * an operator: `=`, `:=`, `::=`, `:::=` (make, Go), `?=`, `+=` (make), `.=` (PHP), `??=`
///   (PHP, C#), `||=` (Ruby), `=>` (PHP, Ruby, Perl), `<-` (R), `:-` (a shell default,
///   `${TOKEN:-…}`), optionally after a type: `var x string =`, `const X: &str =`,
///   `val x: String =`, `let x: &'static str =` (a type before the name, `String x =`, needs no
///   help);
/// * a fallback after a lookup that names the credential: `os.getenv("TOKEN") or "…"`,
///   `process.env.TOKEN || "…"`, `getenv('TOKEN') ?: '…'`, `GetEnvironmentVariable("TOKEN") ?? "…"`
///   (the literal is what runs wherever the variable is unset);
/// * or `:` (YAML, JSON, Python dicts), optionally opening a YAML block scalar (`key: |`, then
///   the value on the next line);
/// * or a call's second argument after a quoted name: `setProperty("X_TOKEN", "…")`,
///   `os.getenv("X_TOKEN", "…")`, `ENV.fetch("X_TOKEN", "…")`, `define('X_KEY', '…')`;
/// * or an XML element or attribute pair: `<apiToken>…</apiToken>` (the text may start on the
///   next line), `<add key="ApiToken" value="…"/>`, an element named by an attribute:
///   `<string name="api_token">…</string>` (Android resources), `<entry key="db.password">…`;
///
/// [`ASSIGN`] and [`ASSIGN_QUOTED`] add the blanks (not a line break: a name with no value must
/// not take the next line's) and the value's opening quote, with its literal prefix if it has
/// one ([`STRING_PREFIX`]).
///
/// Runs of blanks are unbounded (`[ \t]*`), not counted: a counted run is one automaton state
/// per count in each of the thousand rules that expand the grammar, and a run of blanks cannot
/// leave its line anyway.
pub const ASSIGN_OP: &str = concat!(
    r#"(?:"#,
    // Closing quote and bracket of the name, blanks, an operator; or, after a bare name, a
    // type and `=` (a quoted name has no type: `key" id="…"` is two attributes).
    r#"(?:(?:\[[0-9]{0,4}\])?(?:\\?["'`])?\]?(?:\\?["'`])?[ \t]*|[ \t]*(?::[ \t]*&?(?:'static[ \t]+)?[A-Za-z_][A-Za-z0-9_<>\[\]]*[ \t]*|[ \t][A-Za-z_][A-Za-z0-9_<>\[\]]*[ \t]*))"#,
    r#"(?::{1,3}=|\?\??=|\.=|\+=|\|\|=|=>|=|<-|:-)"#,
    // Fallback after a lookup: the name's closing quote and bracket, then `or`, `||`, `?:`, `??`.
    r#"|(?:\\?["'`])?[)\]]?[ \t]*(?:or\b|\|\||\?:|\?\?)"#,
    // YAML / JSON colon, optionally a block scalar indicator and its line break.
    r#"|(?:\\?["'`])?\]?(?:\\?["'`])?[ \t]*:(?:[ \t]*[|>][+-]?[1-9]?[ \t]*\r?\n)?"#,
    // Call form: the name is a quoted first argument.
    r#"|\\?["'`][ \t]*,"#,
    // XML element (its text may start on the next line), an element named by an attribute
    // (`<string name="api_token" translatable="false">`), an attribute pair.
    r#"|>(?:[ \t]*\r?\n)?"#,
    r#"|\\?["'](?:[ \t][A-Za-z]+="[A-Za-z]*")?[ \t]*>"#,
    r#"|\\?["'][ \t\r\n]+value[ \t]*="#,
    r#")"#,
);

/// What `{{string_prefix}}` expands to: the prefix of a string literal that is still a literal
/// (one group, used optionally): Objective-C and C# verbatim `@"…"`, Python `r"…"`, `b"…"`,
/// `u"…"`, `rb"…"`, C and C++ `L"…"`, `u8"…"`. (A Python `f"…"` is left out: its `{…}` fields
/// are code, and a value with braces is no literal.)
pub const STRING_PREFIX: &str = r#"(?:@|[rRbBuU]{1,2}|L|u8)"#;

/// What `{{assign}}` expands to: [`ASSIGN_OP`], blanks and the value's optional (possibly
/// escaped) opening quote, or a bare comma (a CSV row: `api_token,…,`). For rules whose value
/// has a format of its own (`[a-f0-9]{32}`), so that an unquoted value (`KEY=…`, `key: …`) is
/// found too.
pub const ASSIGN: &str = r#"(?:{{assign_op}}[ \t]*(?:{{string_prefix}}?\\?["'`])?|,)"#;

/// What `{{assign_quoted}}` expands to: [`ASSIGN_OP`], blanks and a mandatory (possibly
/// escaped) opening quote, or a shell default (`${DB_PASSWORD:-…}`, whose value ends at `}`).
/// For heuristic rules whose value is "anything quoted": without the quote,
/// `password: Option<String>` in code would read as a password; such a rule ends its value at
/// a closing quote or `}`.
pub const ASSIGN_QUOTED: &str = r#"(?:{{assign_op}}[ \t]*{{string_prefix}}?\\?["'`]|:-)"#;

/// What `{{assign_or_blank}}` expands to: [`ASSIGN`], or a bare run of blanks between name and
/// value (`acmeApiKey 0f3c…`, a CLI argument or a log line), with the value's optional opening
/// quote. Only for keyword-anchored rules whose value has a strict format of its own: the blank
/// separator says nothing about assignment, so the value format must carry the precision.
pub const ASSIGN_OR_BLANK: &str = r#"(?:{{assign}}|[ \t]+(?:\\?["'`])?)"#;

/// What `{{line_end}}` expands to: the end of an unquoted value's line. An unquoted value has
/// no closing quote to end it, so a rule anchors it at the line's end, after which may come
/// only a comment (` # rotate monthly`), a line continuation (` \`) or a chained command
/// (`&& ./migrate.sh`, `|| exit 1`, `; ./run`). Anything else after the value (`DB_PASSWORD=x
/// ./cmd`) means the "value" may be a command's first word, so the rule does not match.
pub const LINE_END: &str = r#"(?:[ \t]#.*|[ \t]\\|(?:&&|\|\||;)[^\r\n]*)?\r?$"#;

/// The placeholders a rule's regex may use, and what each expands to (bodies may use the
/// placeholders listed before them).
const MACROS: &[(&str, &str)] = &[
    ("{{assign_op}}", ASSIGN_OP),
    ("{{string_prefix}}", STRING_PREFIX),
    ("{{assign}}", ASSIGN),
    ("{{assign_quoted}}", ASSIGN_QUOTED),
    ("{{assign_or_blank}}", ASSIGN_OR_BLANK),
    ("{{line_end}}", LINE_END),
];

/// `regex` with every `{{name}}` placeholder expanded; an unknown `{{name}}` is an error naming
/// it (a typo would otherwise be a regex that silently matches the literal braces).
pub fn expand(regex: &str) -> Result<String, String> {
    let mut out = String::with_capacity(regex.len());
    let mut rest = regex;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match MACROS.iter().find(|(name, _)| tail.starts_with(name)) {
            Some((name, body)) => {
                out.push_str(&expand(body)?);
                rest = &tail[name.len()..];
            }
            None => {
                let end = tail.find("}}").map_or(tail.len(), |e| e + 2);
                // `\{{2}` style counted repetitions are escaped braces, never macro names.
                let name = &tail[..end];
                if name[2..name.len().saturating_sub(2)]
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
                    && name.ends_with("}}")
                {
                    return Err(format!(
                        "unknown placeholder `{name}` (known: {})",
                        MACROS
                            .iter()
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                out.push_str("{{");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn rule() -> Regex {
        let re = expand(r"(?i)(?:api[_-]?token|token)\b{{assign}}(?P<secret>[a-f0-9]{32})\b")
            .expect("expands");
        Regex::new(&re).expect("compiles")
    }

    const V: &str = "3f9a1c07d2b84e6f95c0a7e1d4b2f863";

    #[test]
    fn every_assignment_form_reaches_the_value() {
        let re = rule();
        for text in [
            "token = \"{V}\"",
            "token: {V}",
            "token => '{V}'",
            "token := \"{V}\"",
            "token ::= {V}",
            "token :::= {V}",
            "token ?= {V}",
            "$token .= '{V}';",
            "@token ||= '{V}'",
            "var token string = \"{V}\"",
            "const TOKEN: &str = \"{V}\";",
            "let token: &'static str = \"{V}\";",
            "val token: String = \"{V}\"",
            "String token = \"{V}\";",
            "System.setProperty(\"API_TOKEN\", \"{V}\");",
            "os.getenv(\"API_TOKEN\", \"{V}\")",
            "ENV.fetch(\"API_TOKEN\", \"{V}\")",
            "<token>{V}</token>",
            "<add key=\"api_token\" value=\"{V}\"/>",
            "api_token: |\n  {V}\n",
            "api_token: >-\n    {V}\n",
            "{{\\\"api_token\\\": \\\"{V}\\n\\\"}}",
            "export API_TOKEN={V}",
            "config['api_token'] = '{V}'",
            // Forms added with the fallbacks, shell defaults, CSV and XML text on its own line.
            "API_TOKEN += \"{V}\"",
            "$token ??= \"{V}\";",
            "api_token <- \"{V}\"",
            "API_TOKEN: ${{API_TOKEN:-{V}}}",
            "api_token = os.getenv(\"API_TOKEN\") or \"{V}\"",
            "const token = process.env.API_TOKEN || \"{V}\";",
            "$token = getenv('API_TOKEN') ?: '{V}';",
            "var t = GetEnvironmentVariable(\"API_TOKEN\") ?? \"{V}\";",
            "apiToken,{V},",
            "<apiToken>\n    {V}\n</apiToken>",
            "<string name=\"api_token\">{V}</string>",
            "<string name=\"api_token\" translatable=\"false\">{V}</string>",
            "<entry key=\"api.token\">{V}</entry>",
            // Literal prefixes and C array declarators.
            "NSString *apiToken = @\"{V}\";",
            "api_token = r\"{V}\"",
            "API_TOKEN = b'{V}'",
            "const wchar_t* token = L\"{V}\";",
            "char api_token[33] = \"{V}\";",
            "$token[] = '{V}';",
        ] {
            let text = text.replace("{V}", V).replace("{{", "{").replace("}}", "}");
            let caps = re.captures(&text);
            assert_eq!(
                caps.and_then(|c| c.name("secret")).map(|m| m.as_str()),
                Some(V),
                "{text}"
            );
        }
    }

    #[test]
    fn non_assignments_do_not_reach_a_value() {
        let re = rule();
        for text in [
            "token {V}",
            "token_{V}",
            "token(\"{V}\")",
            "tokens.remove({V})",
            "name=\"api_token\" id=\"{V}\"",
            "<input name=\"api_token\" id=\"{V}\">",
            "token\n\n{V}",
            "token ||\n{V}",
            "token = f\"{V}\"",
            "token[i] = \"{V}\"",
        ] {
            let text = text.replace("{V}", V);
            assert!(re.captures(&text).is_none(), "{text}");
        }
    }

    #[test]
    fn quoted_form_needs_a_quote() {
        let re = Regex::new(
            &expand(r#"(?i)password{{assign_quoted}}(?P<secret>[^"'\s]{6,})["']"#)
                .expect("expands"),
        )
        .expect("compiles");
        assert!(re.is_match("password = \"Zq8xR2mK9p\""));
        assert!(re.is_match("<add key=\"SmtpPassword\" value=\"Zq8xR2mK9p\"/>"));
        // Code, not a value: a field's type.
        assert!(!re.is_match("pub password: Option<String>,"));
        assert!(!re.is_match("password: ::std::option::Option<'a>"));
    }

    #[test]
    fn expansion_keeps_group_numbers_and_rejects_unknown_names() {
        let re = Regex::new(&expand(r"key{{assign}}([a-z]{4})").expect("expands")).expect("ok");
        assert_eq!(re.captures_len(), 2);
        assert_eq!(
            re.captures("key = 'abcd'")
                .and_then(|c| c.get(1))
                .map(|m| m.as_str()),
            Some("abcd")
        );
        let err = expand(r"key{{asign}}(x)").unwrap_err();
        assert!(err.contains("{{asign}}"), "{err}");
        // Escaped braces and counted repetitions are left alone.
        assert_eq!(expand(r"a\{{2}b").as_deref(), Ok(r"a\{{2}b"));
    }
}
