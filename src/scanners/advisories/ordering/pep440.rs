//! PEP 440 versions (PyPI): `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, with the
//! normalizations PEP 440 allows (`alpha`, `beta`, `c`/`pre`/`preview`, `rev`/`r`, `-`/`_`/`.`
//! separators, implicit numbers, `1.0-1` as a post-release, a leading `v`).
//!
//! Ordering, as PEP 440 defines it: epoch, then the release with trailing zeros ignored, then
//! `.devN` of a final release < pre-releases < the final release < post-releases, with a
//! `.devN` sorting before the same version without it, and a local label after none.

use std::cmp::Ordering;
use std::str::FromStr;

/// A parsed PEP 440 version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pep440Version {
    epoch: u64,
    release: Vec<u64>,
    /// (0 = a, 1 = b, 2 = rc, number).
    pre: Option<(u8, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    local: Vec<LocalPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum LocalPart {
    // Declaration order is the order: strings sort before numbers in local labels.
    Text(String),
    Num(u64),
}

/// Not a PEP 440 version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotPep440;

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn number(&mut self) -> Option<u64> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if start == self.i {
            return None;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()?
            .parse()
            .ok()
    }
    fn word(&mut self, words: &[&str]) -> Option<usize> {
        // Longest first: `rc` before `r`, `preview` before `pre`.
        let mut best: Option<(usize, usize)> = None;
        for (k, w) in words.iter().enumerate() {
            if self.s[self.i..].starts_with(w.as_bytes()) && best.is_none_or(|(_, l)| w.len() > l) {
                best = Some((k, w.len()));
            }
        }
        let (k, l) = best?;
        self.i += l;
        Some(k)
    }
    fn sep(&mut self) -> bool {
        if matches!(self.peek(), Some(b'.' | b'-' | b'_')) {
            self.i += 1;
            true
        } else {
            false
        }
    }
}

impl FromStr for Pep440Version {
    type Err = NotPep440;

    fn from_str(s: &str) -> Result<Self, NotPep440> {
        let lower = s.trim().to_ascii_lowercase();
        let body = lower.strip_prefix('v').unwrap_or(&lower);
        let (body, local) = match body.split_once('+') {
            Some((b, l)) => (b, Some(l)),
            None => (body, None),
        };
        let mut c = Cursor {
            s: body.as_bytes(),
            i: 0,
        };
        let first = c.number().ok_or(NotPep440)?;
        let (epoch, mut release) = if c.peek() == Some(b'!') {
            c.i += 1;
            (first, vec![c.number().ok_or(NotPep440)?])
        } else {
            (0, vec![first])
        };
        while c.peek() == Some(b'.') && c.s.get(c.i + 1).is_some_and(u8::is_ascii_digit) {
            c.i += 1;
            release.push(c.number().ok_or(NotPep440)?);
        }
        let mut v = Pep440Version {
            epoch,
            release,
            pre: None,
            post: None,
            dev: None,
            local: Vec::new(),
        };
        // Pre-release.
        let save = c.i;
        c.sep();
        const PRE: [&str; 8] = ["a", "alpha", "b", "beta", "rc", "c", "pre", "preview"];
        match c.word(&PRE) {
            Some(k) => {
                let kind = match k {
                    0 | 1 => 0,
                    2 | 3 => 1,
                    _ => 2,
                };
                c.sep();
                v.pre = Some((kind, c.number().unwrap_or(0)));
            }
            None => c.i = save,
        }
        // Post-release: `.post1`, `-1`, `.rev1`, `.r1`.
        let save = c.i;
        if c.peek() == Some(b'-') && c.s.get(c.i + 1).is_some_and(u8::is_ascii_digit) {
            c.i += 1;
            v.post = c.number();
        } else {
            c.sep();
            match c.word(&["post", "rev", "r"]) {
                Some(_) => {
                    c.sep();
                    v.post = Some(c.number().unwrap_or(0));
                }
                None => c.i = save,
            }
        }
        // Development release.
        let save = c.i;
        c.sep();
        match c.word(&["dev"]) {
            Some(_) => {
                c.sep();
                v.dev = Some(c.number().unwrap_or(0));
            }
            None => c.i = save,
        }
        if c.i != c.s.len() {
            return Err(NotPep440);
        }
        if let Some(l) = local {
            for part in l.split(['.', '-', '_']) {
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(NotPep440);
                }
                v.local.push(match part.parse() {
                    Ok(n) => LocalPart::Num(n),
                    Err(_) => LocalPart::Text(part.to_string()),
                });
            }
        }
        Ok(v)
    }
}

impl Pep440Version {
    fn release_cmp(&self, other: &Self) -> Ordering {
        let n = self.release.len().max(other.release.len());
        (0..n)
            .map(|i| {
                let a = self.release.get(i).copied().unwrap_or(0);
                let b = other.release.get(i).copied().unwrap_or(0);
                a.cmp(&b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }

    /// PEP 440's sort key for the pre-release part: a dev release of a final version sorts
    /// before every pre-release of it; a final release after them.
    fn pre_key(&self) -> (i8, u64) {
        match (self.pre, self.post, self.dev) {
            (None, None, Some(_)) => (-1, 0),
            (None, _, _) => (3, 0),
            (Some((k, n)), _, _) => (k as i8, n),
        }
    }
}

impl Ord for Pep440Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| self.release_cmp(other))
            .then_with(|| self.pre_key().cmp(&other.pre_key()))
            // No post-release sorts before any.
            .then_with(|| self.post.map(|p| p + 1).cmp(&other.post.map(|p| p + 1)))
            // No dev-release sorts after every dev release.
            .then_with(|| match (self.dev, other.dev) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(&b),
            })
            .then_with(|| self.local.cmp(&other.local))
    }
}

impl PartialOrd for Pep440Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pep440Version {
        s.parse().unwrap_or_else(|_| panic!("{s}"))
    }

    #[test]
    fn pep440_examples_in_order() {
        // The ordering example of PEP 440 ("Summary of permitted suffixes and relative
        // ordering"), plus epochs and local labels.
        let ordered = [
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
            "1!0.1",
        ];
        for w in ordered.windows(2) {
            assert_eq!(p(w[0]).cmp(&p(w[1])), Ordering::Less, "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn normalized_spellings_are_equal() {
        for (a, b) in [
            ("1.0", "1.0.0"),
            ("1.0alpha1", "1.0a1"),
            ("1.0-beta.2", "1.0b2"),
            ("1.0c1", "1.0rc1"),
            ("1.0-1", "1.0.post1"),
            ("1.0.rev2", "1.0.post2"),
            ("v2.1", "2.1"),
            ("1.0.DEV", "1.0.dev0"),
        ] {
            assert_eq!(p(a).cmp(&p(b)), Ordering::Equal, "{a} == {b}");
        }
        for bad in ["", "abc", "1.0+", "1.0 beta", "1..0", "1.0+a b"] {
            assert!(bad.parse::<Pep440Version>().is_err(), "{bad}");
        }
    }
}
