#!/usr/bin/env python3
"""Writes the static bad-input cases under tests/bad_inputs/cases/ (run once; the output is
committed). Each case is `cases/<name>/repo/**` (the files to scan, beside which the test adds a
known secret and a known drift) and `cases/<name>/expect.toml` (exit code and the substrings
stdout/stderr must hold). Cases needing the file system at test time (sparse files, FIFOs,
symlink loops, permissions, non-UTF-8 names) live in tests/bad_inputs.rs instead."""
import os, shutil, sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
cases = {}

def case(name, files, exit=2, stdout=(), stderr=(), canary=True, args=(), error_at=None,
         findings=()):
    """exit: expected exit code; stdout/stderr: substrings; canary: the planted findings must
    be reported; error_at: an error notification must be located in this file (1-based line);
    findings: `rule@path` entries that must be reported."""
    assert name not in cases, name
    cases[name] = dict(files=files, exit=exit, stdout=list(stdout), stderr=list(stderr),
                       canary=canary, args=list(args), error_at=error_at,
                       findings=list(findings))

# --- drift formats: a broken UAT file beside a good production file ---------------------------
GOOD = {
    "env": b"API_URL=https://api.example.com\nLOG_LEVEL=info\n",
    "yaml": b"api:\n  url: https://api.example.com\n  replicas: 2\n",
    "json": b'{"api": {"url": "https://api.example.com", "replicas": 2}}\n',
    "toml": b'[api]\nurl = "https://api.example.com"\nreplicas = 2\n',
    "properties": b"api.url=https://api.example.com\napi.replicas=2\n",
    "ini": b"[api]\nurl = https://api.example.com\nreplicas = 2\n",
    "tfvars": b'api_url = "https://api.example.com"\nreplicas = 2\n',
}
BAD = {
    "env": {
        "no-equals": b"API_URL=https://a\nthis line has no equals sign\n",
        "unclosed-quote": b'API_URL="https://a\nLOG_LEVEL=info\n',
        "bad-key": b"API URL WITH SPACES=1\n",
        "nul-bytes": b"API_URL=a\x00b\n",
        "latin1": b"API_URL=caf\xe9\n",
        "duplicate-key": b"API_URL=a\nAPI_URL=b\n",
    },
    "yaml": {
        "unclosed-flow": b"api:\n  url: [1, 2\n  replicas: 2\n",
        "bad-indent": b"api:\n  url: x\n replicas: 2\n",
        "tab-indent": b"api:\n\turl: x\n",
        "truncated-quote": b'api:\n  url: "https://api.exa',
        "undefined-alias": b"api:\n  url: *nothere\n",
        "duplicate-key": b"api:\n  url: a\n  url: b\n",
        "alias-bomb": b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\ni: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n",
        "deep-nesting": b"a: " + b"[" * 10000 + b"]" * 10000 + b"\n",
        "deep-block-nesting": b"".join(b" " * i + b"k:\n" for i in range(0, 400)) + b" " * 400 + b"k: v\n",
        "binary-garbage": bytes(range(1, 256)) * 4,
        "utf16-odd": b"\xff\xfea\x00:\x00 \x00x",
    },
    "json": {
        "truncated": b'{"api": {"url": "https://api.example.com", "repl',
        "trailing-comma": b'{"api": {"url": "x",}}\n',
        "single-quotes": b"{'api': 1}\n",
        "duplicate-key": b'{"api": 1, "api": 2}\n',
        "deep-nesting": b'{"a": ' + b"[" * 10000 + b"]" * 10000 + b"}\n",
        "bad-escape": b'{"api": "\\q"}\n',
        "lone-surrogate": b'{"api": "\\ud800"}\n',
        "huge-number": b'{"api": 1' + b"0" * 5000 + b"}\n",
        "empty": b"",
    },
    "toml": {
        "unclosed-table": b"[api\nurl = 1\n",
        "duplicate-key": b"[api]\nurl = 1\nurl = 2\n",
        "bad-value": b"[api]\nurl = https://x\n",
        "truncated-string": b'[api]\nurl = "https://x',
        "deep-nesting": b"a = " + b"[" * 10000 + b"]" * 10000 + b"\n",
        "redefined-table": b"[api]\nx = 1\n[api]\ny = 2\n",
        "bad-date": b"[api]\nwhen = 2024-13-45\n",
    },
    "properties": {
        "bad-unicode-escape": b"api.url=\\uZZZZ\n",
        "truncated-unicode-escape": b"api.url=\\u12",
        "duplicate-key": b"api.url=a\napi.url=b\n",
        "nul-bytes": b"api.url=a\x00b\n",
    },
    "ini": {
        "unclosed-section": b"[api\nurl = 1\n",
        "key-before-section-no-equals": b"[api]\njust words here\n",
        "duplicate-key": b"[api]\nurl = a\nurl = b\n",
        "nul-bytes": b"[api]\nurl = a\x00b\n",
    },
    "tfvars": {
        "unclosed-brace": b'tags = {\n  env = "uat"\n',
        "unclosed-string": b'api_url = "https://x\n',
        "expression": b"api_url = var.other\n",
        "missing-value": b"api_url =\n",
        "duplicate-key": b'api_url = "a"\napi_url = "b"\n',
        "deep-nesting": b"a = " + b"[" * 10000 + b"]" * 10000 + b"\n",
        "heredoc-unterminated": b"api_url = <<EOT\nhello\n",
    },
}
# Accepted on purpose: dotenv and .properties let a later duplicate win (as their loaders do),
# NUL is just a character in a line-based value, and a long number is kept as written.
TOLERATED = {"env-duplicate-key", "env-nul-bytes", "ini-nul-bytes", "properties-duplicate-key",
             "properties-nul-bytes", "json-huge-number"}
for ext, variants in BAD.items():
    for variant, body in variants.items():
        name = f"drift-{ext}-{variant}"
        fname = ".env" if ext == "env" else f"app.{ext}"
        files = {f"deploy/uat/{fname}": body, f"deploy/prod/{fname}": GOOD[ext]}
        if f"{ext}-{variant}" in TOLERATED:
            case(name, files, exit=1)
        else:
            case(name, files, exit=2, stdout=[f"deploy/uat/{fname}:"],
                 stderr=[f"deploy/uat/{fname}:"], error_at=f"deploy/uat/{fname}")

# --- Cargo.lock ------------------------------------------------------------------------------
LOCK_OK = b'version = 3\n\n[[package]]\nname = "smallvec"\nversion = "1.6.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'
LOCKS = {
    "truncated": LOCK_OK[:55],
    "version-not-semver": b'version = 3\n\n[[package]]\nname = "smallvec"\nversion = "one"\n',
    "missing-name": b'version = 3\n\n[[package]]\nversion = "1.0.0"\n',
    "wrong-type": b'version = 3\n\n[[package]]\nname = 7\nversion = "1.0.0"\n',
    "unknown-version": b'version = 99\n\n[[package]]\nname = "a"\nversion = "1.0.0"\n',
    "package-not-table": b'version = 3\npackage = "x"\n',
    "binary": b"\x7fELF\x02\x01\x01\x00" + bytes(200),
    "latin1": b'version = 3\n\n[[package]]\nname = "caf\xe9"\nversion = "1.0.0"\n',
    "dangling-dependency": b'version = 3\n\n[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = ["nothere 9.9.9"]\n',
    "checksum-multibyte": LOCK_OK + ('checksum = "' + "a" * 30 + "\u03a5" + "b" * 32 + '"\n').encode(),
    "dependency-cycle": b'version = 3\n\n[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = ["b"]\n\n[[package]]\nname = "b"\nversion = "1.0.0"\ndependencies = ["a"]\n',
}
for variant, body in LOCKS.items():
    if variant in ("dangling-dependency", "dependency-cycle"):
        # cargo-lock accepts both; the audit must simply terminate.
        case(f"lockfile-{variant}", {"Cargo.lock": body}, exit=1)
    elif variant == "unknown-version":
        case(f"lockfile-{variant}", {"Cargo.lock": body}, exit=2, stdout=["Cargo.lock", "99"])
    else:
        case(f"lockfile-{variant}", {"Cargo.lock": body}, exit=2, stdout=["Cargo.lock:"],
             error_at="Cargo.lock")

# --- stagegate.toml: the scan cannot start; the message names the file and line --------------
CONFIGS = {
    "fail-on-number": (b"fail_on = 3\n", "stagegate.toml:1"),
    "fail-on-unknown": (b'fail_on = "severe"\n', "stagegate.toml:1"),
    "exclude-not-list": (b'exclude = "target/**"\n', "stagegate.toml:1"),
    "unknown-key": (b'fail_on = "high"\nfial_on = "low"\n', "stagegate.toml:2"),
    "unknown-table": (b"[secret]\nrules = []\n", "stagegate.toml:1"),
    "not-toml": (b"this is { not toml\n", "stagegate.toml:1"),
    "ignore-wrong-type": (b"[advisories]\nignore = [3]\n", "stagegate.toml:2"),
    "ignore-bad-until": (b'[advisories]\nignore = [{ id = "RUSTSEC-2020-0071", reason = "r", until = "tomorrow" }]\n', "stagegate.toml:2"),
    "pair-missing-prod": (b'[[drift.pair]]\nname = "api"\nuat = "deploy/uat"\n', "stagegate.toml"),
    "invalid-exclude-glob": (b'exclude = ["a/[b"]\n', "stagegate.toml"),
    "binary": (b"\x00\x01\x02\xff\xfe", "stagegate.toml"),
    "latin1": (b'fail_on = "h\xe9gh"\n', "stagegate.toml"),
    "truncated": (b'[advisories]\ndb = "~/.cargo/adv', "stagegate.toml:2"),
    "deep-nesting": (b"x = " + b"[" * 10000 + b"]" * 10000 + b"\n", "stagegate.toml"),
}
for variant, (body, where) in CONFIGS.items():
    case(f"config-{variant}", {"stagegate.toml": body}, exit=2, stderr=[where], canary=False)

# --- custom secrets rule files: a bad rule is an error, the other rules still run -------------
GOOD_RULE = b"""[[rule]]
id = "acme-deploy-token"
name = "Acme deploy token"
severity = "high"
keywords = ["acmedt_"]
regex = '\\b(acmedt_[a-z0-9]{24})\\b'
description = "An Acme deploy token."
examples = ['token = acmedt_q8w7e6r5t4y3u2i1o9p8a7s6']

"""
RULE_HEAD = b'name = "Broken"\nseverity = "high"\ndescription = "d"\n'
RULES = {
    "invalid-regex": b'[[rule]]\nid = "broken"\n' + RULE_HEAD + b'regex = "(unclosed"\nkeywords = ["xyz"]\n',
    "missing-regex": b'[[rule]]\nid = "no-regex"\n' + RULE_HEAD,
    "bad-id": b'[[rule]]\nid = "Not Kebab"\n' + RULE_HEAD + b'regex = "x"\n',
    "huge-repetition": b'[[rule]]\nid = "huge"\n' + RULE_HEAD + b'regex = "a{1000}{1000}{1000}"\nkeywords = ["aaa"]\n',
    "bad-severity": b'[[rule]]\nid = "sev"\nname = "n"\nseverity = "apocalyptic"\ndescription = "d"\nregex = "x"\n',
    "failing-example": b'[[rule]]\nid = "ex"\n' + RULE_HEAD + b'regex = "zzz[0-9]+"\nkeywords = ["zzz"]\nexamples = ["nothing to see"]\n',
    "duplicate-id": GOOD_RULE.replace(b"acme-deploy-token", b"dup").replace(b"acmedt_", b"dupdt_"),
}
for variant, body in RULES.items():
    if variant == "duplicate-id":
        body = body + body
    case(f"rules-{variant}",
         {"ci/rules.toml": GOOD_RULE + body, "app/token.txt": b"token = acmedt_z9x8c7v6b5n4m3l2k1j0h9g8\n",
          "stagegate.toml": b'[secrets]\nrules = ["ci/rules.toml"]\n'},
         exit=2, stdout=["ci/rules.toml:1"], findings=["secret/acme-deploy-token@app/token.txt"])
case("rules-not-toml", {"ci/rules.toml": b"[[rule]\nid = \n", "stagegate.toml": b'[secrets]\nrules = ["ci/rules.toml"]\n'},
     exit=2, stdout=["ci/rules.toml:1"])
case("rules-missing-file", {"stagegate.toml": b'[secrets]\nrules = ["ci/nothere.toml"]\n'},
     exit=2, stdout=["ci/nothere.toml"])

# --- baseline files --------------------------------------------------------------------------
BASELINES = {
    "truncated": b'{"version": 1, "entries": [{"fingerp',
    "wrong-type": b'{"version": 1, "entries": 7}\n',
    "not-json": b"fingerprint,rule\nabc,secret/x\n",
    "binary": bytes(range(256)),
}
for variant, body in BASELINES.items():
    case(f"baseline-{variant}",
         {".stagegate-baseline.json": body,
          "stagegate.toml": b'baseline = ".stagegate-baseline.json"\n'},
         exit=2, stderr=[".stagegate-baseline.json"], canary=False)

# --- advisory database with damaged records (--db points into the repo) ----------------------
ADV_OK = open(os.path.join(HERE, "..", "fixtures", "advisories", "db", "crates", "smallvec",
                           "RUSTSEC-2021-0003.md"), "rb").read()
DBS = {
    "no-front-matter": b"# just markdown\n",
    "truncated-front-matter": b"```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npack",
    "bad-version-range": ADV_OK.replace(b"RUSTSEC-2021-0003", b"RUSTSEC-2099-0002").replace(b'patched = [', b'patched = ["not a range", '),
}
for variant, body in DBS.items():
    files = {
        "Cargo.lock": LOCK_OK,
        "db/crates/smallvec/RUSTSEC-2021-0003.md": ADV_OK,
        "db/crates/smallvec/RUSTSEC-2099-bad.md": body,
    }
    # A damaged record is a warning naming it; the good advisory still matches smallvec 1.6.0.
    case(f"advisory-db-{variant}", files, exit=1, stdout=["RUSTSEC-2099-bad.md"],
         args=["--db", "{repo}/db"], findings=["advisory/RUSTSEC-2021-0003@Cargo.lock"])

# --- secrets: files the walker must survive --------------------------------------------------
case("secrets-binary-with-key", {"blob.bin": b"\x00\x01AKIAQWERTYUIOPASDF23\x00" * 10}, exit=1)
case("secrets-latin1-content", {"notes.txt": b"caf\xe9 na\xefve\n"}, exit=1)
case("secrets-crlf-and-cr", {"win.txt": b"a=1\r\nb=2\rc=3\r\n"}, exit=1)
case("secrets-empty-file", {"empty.txt": b""}, exit=1)
case("secrets-bom-utf16", {"u16.txt": b"\xff\xfe" + "token = hello\n".encode("utf-16-le")}, exit=1)
case("secrets-long-no-newline", {"one.txt": b"x" * 60000}, exit=1)
case("secrets-many-keywords", {"kw.txt": b"AKIA ghp_ xoxb- sk_live_ glpat- " * 2000}, exit=1)
case("secrets-private-key-truncated", {"id_rsa": b"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA"}, exit=1)

def main():
    if os.path.isdir(CASES):
        shutil.rmtree(CASES)
    for name, c in sorted(cases.items()):
        d = os.path.join(CASES, name)
        for rel, body in c["files"].items():
            p = os.path.join(d, "repo", rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(body)
        lines = []
        if c["exit"] is not None:
            lines.append(f"exit = {c['exit']}")
        for key in ("stdout", "stderr", "args"):
            if c[key]:
                lines.append(f"{key} = [" + ", ".join(f'"{s}"' for s in c[key]) + "]")
        if c["error_at"]:
            lines.append(f'error_at = "{c["error_at"]}"')
        if c["findings"]:
            lines.append("findings = [" + ", ".join(f'"{s}"' for s in c["findings"]) + "]")
        lines.append(f"canary = {'true' if c['canary'] else 'false'}")
        with open(os.path.join(d, "expect.toml"), "w") as f:
            f.write("\n".join(lines) + "\n")
    print(len(cases), "cases", file=sys.stderr)

main()
