#!/usr/bin/env python3
"""Dev-only checker for rules/secrets/*.toml (not used by tests).

Emulates the engine: keyword prefilter -> regex -> context window -> entropy ->
validator -> placeholder filter, then checks every rule's examples (must match) and
negative_examples (must not), rule-level invariants, and optionally measures recall /
false positives on a labelled dev set (jsonl: family, kind, text).

usage: scripts/check_rules.py [--devset PATH] [--misses] [--fps] [rules_dir]
"""
import argparse, base64, glob, json, math, os, re, sys, tomllib, zlib

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SEVERITIES = {"note", "low", "medium", "high", "critical"}
PRECISIONS = {"very-high", "high", "medium", "low"}
VALIDATORS = {"github-checksum", "npm-checksum", "jwt", "base64-private-key"}
# mirrors src/scanners/secrets/filters.rs
PLACEHOLDERS = ["xxxx", "***", "\u2022\u2022\u2022", "\u2026", "${", "{{", "}}", "%s", "%(", "$(", "changeme", "change_me",
                "change-me", "example", "dummy", "your_", "your-", "yourapi", "yourtoken", "yoursecret", "yourpass",
                "redacted", "placeholder", "replace_me", "replaceme", "insert_", "_here", "-here", "notreal",
                "not_real", "not-a-real", "fake_", "&lt;", "&gt;"]
STOPWORDS = {"password", "passwd", "passphrase", "pass", "pwd", "secrets", "token", "apikey", "key", "privatekey",
             "accesstoken", "accesskey", "clientsecret", "null", "nil", "none", "undefined", "true", "false", "string",
             "required", "optional", "empty", "todo", "fixme", "test", "testing", "sample", "value", "default",
             "username", "user", "admin", "hidden", "masked", "unknown", "tbd", "na", "guest", "root"}
KNOWN_DOC_VALUES = ["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "ASIAIOSFODNN7EXAMPLE",
                    "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "pk_test_TYooMQauvdEDq54NiTphI7jx",
                    "SflKxwRJSFMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"]
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FORBIDDEN_RE = [r"\(\?[=!<]", r"\\[1-9]", r"[*+?}]\+"]


def entropy(s):
    if not s:
        return 0.0
    c = {}
    for ch in s:
        c[ch] = c.get(ch, 0) + 1
    return -sum(v / len(s) * math.log2(v / len(s)) for v in c.values())


def b62(n):
    s = ""
    while n:
        s = B62[n % 62] + s
        n //= 62
    return s.rjust(6, "0")


def crc_ok(tok):
    body = tok.split("_", 1)[1] if "_" in tok else tok
    if tok.startswith("github_pat_"):
        return True
    if len(body) < 7:
        return False
    return b62(zlib.crc32(body[:-6].encode())) == body[-6:]


def jwt_ok(tok):
    parts = tok.split(".")
    if len(parts) != 3:
        return False
    try:
        h = parts[0] + "=" * (-len(parts[0]) % 4)
        hdr = json.loads(base64.urlsafe_b64decode(h))
        return isinstance(hdr, dict) and "alg" in hdr
    except Exception:
        return False


def is_pattern(s):
    b = s.encode()
    if not b:
        return True
    if len(b) >= 6 and len(set(b)) <= 2:
        return True
    same = up = down = 1
    max_same = max_seq = 1
    for a, c in zip(b, b[1:]):
        same = same + 1 if a == c else 1
        aln = chr(a).isascii() and chr(a).isalnum() and chr(c).isascii() and chr(c).isalnum()
        up = up + 1 if aln and c == (a + 1) % 256 else 1
        down = down + 1 if aln and a == (c + 1) % 256 else 1
        max_same = max(max_same, same)
        max_seq = max(max_seq, up, down)
    return max_same >= 8 or max_seq >= 7 or (max_seq >= 5 and max_seq * 2 >= len(b))


def is_identifier(s):
    s = s.lstrip("{").rstrip("}")
    return bool(s) and all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in s)


def is_code_reference(low):
    parts = 0
    for seg in low.split("."):
        if not seg or not (seg[0].isascii() and (seg[0].isalpha() or seg[0] == "_")):
            return False
        if not all(ch.isascii() and (ch.isalpha() or ch == "_") for ch in seg[1:]):
            return False
        parts += 1
    return parts >= 2


def is_identifier_words(s):
    words = re.split(r"[-_.]", s)
    return len(words) >= 2 and all(w and all("a" <= ch <= "z" for ch in w) for w in words)


def is_placeholder(s):
    if any(k in s for k in KNOWN_DOC_VALUES):
        return True
    low = s.lower()
    if any(p in low for p in PLACEHOLDERS):
        return True
    t = low.strip()
    if (t.startswith("<") and t.endswith(">")) or (t.startswith("[") and t.endswith("]")) or \
            (t.startswith("$") and len(t) > 1 and is_identifier(t[1:])) or (t.startswith("%") and t.endswith("%")):
        return True
    word = "".join(ch for ch in t if ch.isascii() and ch.isalnum())
    if word in STOPWORDS:
        return True
    if is_pattern(s):
        return True
    if is_code_reference(t) or is_identifier_words(s):
        return True
    return False


class Rule:
    def __init__(self, d, path):
        self.d, self.path = d, path
        self.id = d["id"]
        self.keywords = [k.lower() for k in d["keywords"]]
        self.context = [k.lower() for k in d.get("context", [])]
        # Python's re lacks Rust's `-u` flag; for the byte-oriented `(?s-u:.)` gaps the
        # difference (any byte vs any character) does not matter on the str inputs checked here.
        self.re = re.compile(d["regex"].replace("(?s-u:", "(?s:").replace("(?-u:", "(?:"))

    def secret(self, m):
        if "secret" in self.re.groupindex and m.group("secret") is not None:
            return m.group("secret"), m.start("secret")
        if self.re.groups >= 1 and m.group(1) is not None:
            return m.group(1), m.start(1)
        return m.group(0), m.start(0)

    def findings(self, text):
        low = text.lower()
        if not any(k in low for k in self.keywords):
            return []
        out = []
        for m in self.re.finditer(text):
            sec, _ = self.secret(m)
            if self.context:
                win = text.encode()[max(0, len(text[:m.start()].encode()) - 200):len(text[:m.end()].encode()) + 200]
                win = win.decode(errors="ignore").lower()
                if not any(c in win for c in self.context):
                    continue
            e = self.d.get("entropy")
            if e is not None and entropy(sec) < e:
                continue
            v = self.d.get("validator")
            if v in ("github-checksum", "npm-checksum") and not crc_ok(sec):
                continue
            if v == "jwt" and not jwt_ok(sec):
                continue
            if not self.d.get("allow_placeholders", False) and is_placeholder(sec):
                continue
            out.append(sec)
        return out


def load(rules_dir):
    rules, errors = [], []
    for path in sorted(glob.glob(os.path.join(rules_dir, "*.toml"))):
        with open(path, "rb") as fh:
            try:
                doc = tomllib.load(fh)
            except Exception as e:
                errors.append(f"{path}: {e}")
                continue
        for d in doc.get("rule", []):
            try:
                rules.append(Rule(d, path))
            except Exception as e:
                errors.append(f"{path}: {d.get('id')}: {e}")
    return rules, errors


def check(rules, own_only):
    errors, seen = [], {}
    for r in rules:
        d, rid = r.d, r.id
        if own_only and os.path.basename(r.path) in ("generic.toml", "private-keys.toml"):
            continue
        if rid in seen:
            errors.append(f"{rid}: duplicate id (also in {seen[rid]})")
        seen[rid] = r.path
        if not ID_RE.match(rid):
            errors.append(f"{rid}: id not kebab-case")
        for k in ("name", "severity", "keywords", "regex", "description", "references", "examples", "negative_examples"):
            if k not in d:
                errors.append(f"{rid}: missing {k}")
        if d.get("severity") not in SEVERITIES:
            errors.append(f"{rid}: bad severity")
        if d.get("precision") and d["precision"] not in PRECISIONS:
            errors.append(f"{rid}: bad precision")
        if d.get("validator") and d["validator"] not in VALIDATORS:
            errors.append(f"{rid}: unknown validator")
        if any(len(k) < 3 for k in d["keywords"]):
            errors.append(f"{rid}: keyword shorter than 3")
        for f in FORBIDDEN_RE:
            if re.search(f, d["regex"]):
                errors.append(f"{rid}: regex uses syntax Rust regex lacks ({f})")
        if len(d.get("examples", [])) < 2 or len(d.get("negative_examples", [])) < 2:
            errors.append(f"{rid}: needs >=2 examples and >=2 negative examples")
        for ex in d.get("examples", []):
            fs = r.findings(ex)
            if not fs:
                errors.append(f"{rid}: example does not match: {ex[:120]!r}")
            for sec in fs:
                if not any(k in sec.lower() or k in ex.lower() for k in r.keywords):
                    errors.append(f"{rid}: no keyword in match")
            # keyword must occur inside every regex match
            for m in r.re.finditer(ex):
                if not any(k in m.group(0).lower() for k in r.keywords):
                    errors.append(f"{rid}: match {m.group(0)[:40]!r} contains no keyword")
        for ne in d.get("negative_examples", []):
            if r.findings(ne):
                errors.append(f"{rid}: negative example matches: {ne[:120]!r}")
    return errors


# Dev-set families that name identifiers, not credentials (bucket names, ARNs, account ids,
# OAuth client ids, user names, public keys). Deliberately not detected; reported separately.
IDENTIFIER_FAMILIES = {"AWS Account ID", "AWS S3 Bucket", "Amazon Resource Name", "Google Cloud Storage Bucket",
                       "Shopify Domain", "Age Recipient (X25519 public key)", "LinkedIn Client ID", "React App Username",
                       "Twitter Client ID", "GitHub Client ID", "Google Client ID"}


def devset(rules, path, show_miss, show_fp):
    cases = [json.loads(l) for l in open(path)]
    cred = [c for c in cases if c["kind"] == "match" and c["family"] not in IDENTIFIER_FAMILIES]
    chit = sum(1 for c in cred if any(r.findings(c["text"]) for r in rules))
    print(f"devset recall on credential families (identifier families excluded): {chit}/{len(cred)} = {chit / len(cred):.1%}")
    m = [c for c in cases if c["kind"] == "match"]
    n = [c for c in cases if c["kind"] == "no-match"]
    hit = 0
    for c in m:
        fired = [r.id for r in rules if r.findings(c["text"])]
        if fired:
            hit += 1
        elif show_miss:
            print("MISS", c["family"], "|", c["text"][:160].replace("\n", "\\n"))
    match_texts = {c["text"] for c in m}
    fp = fp_other = 0
    for c in n:
        if c["text"] in match_texts and any(r.findings(c["text"]) for r in rules):
            fp_other += 1
        fired = [r.id for r in rules if r.findings(c["text"])]
        if fired:
            fp += 1
            if show_fp:
                print("FP", c["family"], fired, "|", c["text"][:160].replace("\n", "\\n"))
    print(f"devset recall {hit}/{len(m)} = {hit / len(m):.1%}; false positives {fp}/{len(n)} = {fp / len(n):.1%}"
          f" ({fp_other} of them are texts the set also labels `match` for another family)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rules_dir", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", "rules", "secrets"))
    ap.add_argument("--devset")
    ap.add_argument("--misses", action="store_true")
    ap.add_argument("--fps", action="store_true")
    ap.add_argument("--all", action="store_true", help="also check generic.toml / private-keys.toml")
    a = ap.parse_args()
    rules, errors = load(a.rules_dir)
    errors += check(rules, not a.all)
    per = {}
    for r in rules:
        per[os.path.basename(r.path)] = per.get(os.path.basename(r.path), 0) + 1
    for f, c in sorted(per.items()):
        print(f"{f}: {c}")
    print(f"total rules: {len(rules)}")
    for e in errors:
        print("ERROR", e)
    if a.devset:
        devset(rules, a.devset, a.misses, a.fps)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
