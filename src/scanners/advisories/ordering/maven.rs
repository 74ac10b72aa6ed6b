//! Maven versions, ordered like Maven's `ComparableVersion`: items split at `.`, `-` and
//! digit/letter boundaries; numbers compare numerically; qualifiers rank
//! `alpha` < `beta` < `milestone` < `rc` (= `cr`) < `snapshot` < release (`""`, `ga`,
//! `final`, `release`) < `sp` < any other word (alphabetically); a number sorts above any
//! qualifier; trailing zeros (also those before a qualifier) and release words are dropped, so
//! `1.0.0` == `1`, `1.0-rc1` == `1-rc1` and `1.0-ga` == `1`. Simplification: `-` starts a new item rather than a nested list, which
//! orders every version we have met in advisories the same way.

use std::cmp::Ordering;

/// A parsed Maven version (every string is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MavenVersion {
    items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Num(u64),
    /// Rank (see [`qualifier_rank`]) and, for unknown words, the word.
    Qual(u8, String),
}

const RELEASE_RANK: u8 = 5;

fn qualifier_rank(word: &str, followed_by_digit: bool) -> (u8, String) {
    let w = match word {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        "cr" => "rc",
        "ga" | "final" | "release" => "",
        w => w,
    };
    let rank = match w {
        "alpha" => 0,
        "beta" => 1,
        "milestone" => 2,
        "rc" => 3,
        "snapshot" => 4,
        "" => RELEASE_RANK,
        "sp" => 6,
        _ => 7,
    };
    (
        rank,
        if rank == 7 {
            w.to_string()
        } else {
            String::new()
        },
    )
}

impl MavenVersion {
    /// Parses `s` (never fails: like Maven, any string is a version).
    pub fn new(s: &str) -> MavenVersion {
        let lower = s.trim().to_ascii_lowercase();
        let mut tokens: Vec<(bool, &str)> = Vec::new();
        for part in lower.split(['.', '-']) {
            let mut rest = part;
            if rest.is_empty() {
                tokens.push((true, "0"));
            }
            while !rest.is_empty() {
                let digits = rest.starts_with(|c: char| c.is_ascii_digit());
                let end = rest
                    .find(|c: char| c.is_ascii_digit() != digits)
                    .unwrap_or(rest.len());
                tokens.push((digits, &rest[..end]));
                rest = &rest[end..];
            }
        }
        let mut items = Vec::with_capacity(tokens.len());
        for (k, &(digits, tok)) in tokens.iter().enumerate() {
            if digits {
                // Longer than u64: saturate (still ordered above shorter numbers).
                items.push(Item::Num(tok.parse().unwrap_or(u64::MAX)));
            } else {
                let next_digit = tokens.get(k + 1).is_some_and(|t| t.0);
                let (rank, word) = qualifier_rank(tok, next_digit);
                // A release word (`ga`, `final`) is the end of a version: nothing to keep.
                if rank == RELEASE_RANK {
                    continue;
                }
                // Zeros before a qualifier are trailing zeros of their list (`1.0-rc1` is
                // `1-rc1`), as Maven normalizes each list.
                while matches!(items.last(), Some(Item::Num(0))) {
                    items.pop();
                }
                items.push(Item::Qual(rank, word));
            }
        }
        while matches!(items.last(), Some(Item::Num(0))) {
            items.pop();
        }
        MavenVersion { items }
    }
}

fn item_cmp(a: Option<&Item>, b: Option<&Item>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (Some(Item::Num(x)), None) => x.cmp(&0),
        (Some(Item::Qual(r, _)), None) => r.cmp(&RELEASE_RANK),
        (None, Some(_)) => item_cmp(b, a).reverse(),
        (Some(Item::Num(x)), Some(Item::Num(y))) => x.cmp(y),
        (Some(Item::Num(_)), Some(Item::Qual(..))) => Ordering::Greater,
        (Some(Item::Qual(..)), Some(Item::Num(_))) => Ordering::Less,
        (Some(Item::Qual(r, w)), Some(Item::Qual(s, v))) => r.cmp(s).then_with(|| w.cmp(v)),
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.items.len().max(other.items.len());
        (0..n)
            .map(|i| item_cmp(self.items.get(i), other.items.get(i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> MavenVersion {
        MavenVersion::new(s)
    }

    #[test]
    fn maven_order() {
        let ordered = [
            "1-alpha1",
            "1-alpha2",
            "1-beta1",
            "1-milestone1",
            "1-rc1",
            "1-SNAPSHOT",
            "1",
            "1-sp1",
            "1-zeta",
            "1.0.1",
            "1.1",
            "2.0.0-M1",
            "2.0.0",
            "2.12.7.1",
            "2.13.0",
            "10",
        ];
        for w in ordered.windows(2) {
            assert_eq!(m(w[0]).cmp(&m(w[1])), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        for (a, b) in [
            ("1.0.0", "1"),
            ("1.0-ga", "1"),
            ("1.0.final", "1"),
            ("1-cr1", "1-rc1"),
            ("1a1", "1-alpha-1"),
            ("2.0.0.RELEASE", "2.0.0"),
        ] {
            assert_eq!(m(a).cmp(&m(b)), Ordering::Equal, "{a} == {b}");
        }
    }
}
