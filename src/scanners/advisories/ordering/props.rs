//! Property tests of every ordering with a tiny deterministic generator: each is a total order
//! (antisymmetric, transitive, consistent with equality of its parse), and each respects the
//! facts its ecosystem documents (a pre-release sorts before its release, a bigger number
//! after a smaller one, Go pseudo-versions between their neighbours).

use std::cmp::Ordering;

use super::{Scheme, Version};

/// xorshift64*: enough randomness for generating versions, and reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

fn release(r: &mut Rng, max_parts: u64) -> String {
    let parts = 1 + r.below(max_parts);
    (0..parts)
        .map(|_| r.below(4).to_string())
        .collect::<Vec<_>>()
        .join(".")
}

fn gen(scheme: Scheme, r: &mut Rng) -> String {
    let base = release(r, 4);
    match scheme {
        Scheme::Semver => {
            let core = format!("{}.{}.{}", r.below(3), r.below(3), r.below(3));
            match r.below(4) {
                0 => core,
                1 => format!(
                    "{core}-{}",
                    r.pick(&["alpha", "alpha.1", "beta.2", "rc.1", "0"])
                ),
                2 => format!("v{core}-0.2021010{}000000-abcdef123456", r.below(9)),
                _ => format!("v{core}"),
            }
        }
        Scheme::Pep440 => format!(
            "{}{base}{}{}{}",
            r.pick(&["", "", "1!"]),
            r.pick(&["", "", "a1", "b2", "rc1", "rc3"]),
            r.pick(&["", "", ".post1", ".post2"]),
            r.pick(&["", "", ".dev0", ".dev3"]),
        ),
        Scheme::RubyGems => format!(
            "{base}{}",
            r.pick(&["", "", ".rc1", ".a", ".beta2", "-pre"])
        ),
        Scheme::Maven => format!(
            "{base}{}",
            r.pick(&[
                "",
                "",
                "-SNAPSHOT",
                "-alpha1",
                "-rc2",
                "-sp1",
                ".Final",
                "-M3",
                "-foo"
            ])
        ),
        Scheme::Generic => format!(
            "{base}{}",
            r.pick(&["", "", "-dev", "-beta1", "-RC2", "-p1"])
        ),
    }
}

const SCHEMES: [Scheme; 5] = [
    Scheme::Semver,
    Scheme::Pep440,
    Scheme::RubyGems,
    Scheme::Maven,
    Scheme::Generic,
];

fn parse(scheme: Scheme, s: &str) -> Version {
    scheme
        .parse(s)
        .unwrap_or_else(|| panic!("{scheme:?} rejects generated {s}"))
}

#[test]
fn every_ordering_is_a_total_order() {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    for scheme in SCHEMES {
        let vs: Vec<(String, Version)> = (0..60)
            .map(|_| {
                let s = gen(scheme, &mut r);
                let v = parse(scheme, &s);
                (s, v)
            })
            .collect();
        for (sa, a) in &vs {
            assert_eq!(a.compare(a), Some(Ordering::Equal), "{scheme:?} {sa}");
            for (sb, b) in &vs {
                let ab = a.compare(b).unwrap();
                assert_eq!(
                    ab,
                    b.compare(a).unwrap().reverse(),
                    "{scheme:?} {sa} vs {sb}"
                );
                for (sc, c) in &vs {
                    if ab != Ordering::Greater && b.compare(c).unwrap() != Ordering::Greater {
                        assert_ne!(
                            a.compare(c).unwrap(),
                            Ordering::Greater,
                            "{scheme:?}: {sa} <= {sb} <= {sc}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn a_bigger_number_sorts_later_and_pre_releases_sort_first() {
    let mut r = Rng(42);
    let pre = |s: Scheme| match s {
        Scheme::Semver => "-rc.1",
        Scheme::Pep440 => "rc1",
        Scheme::RubyGems => ".rc1",
        Scheme::Maven => "-rc1",
        Scheme::Generic => "-RC1",
    };
    for scheme in SCHEMES {
        for _ in 0..200 {
            let (a, b, c) = (r.below(20), r.below(20), r.below(20));
            let v = format!("{a}.{b}.{c}");
            let next = format!("{a}.{b}.{}", c + 1 + r.below(5));
            let lo = parse(scheme, &v);
            let hi = parse(scheme, &next);
            assert_eq!(
                lo.compare(&hi),
                Some(Ordering::Less),
                "{scheme:?} {v} < {next}"
            );
            let rc = parse(scheme, &format!("{next}{}", pre(scheme)));
            assert_eq!(
                rc.compare(&hi),
                Some(Ordering::Less),
                "{scheme:?} pre of {next}"
            );
            assert_eq!(
                lo.compare(&rc),
                Some(Ordering::Less),
                "{scheme:?} {v} < pre"
            );
        }
    }
}

#[test]
fn go_pseudo_versions_sit_between_their_neighbours() {
    let mut r = Rng(7);
    for _ in 0..300 {
        let (a, b, c) = (r.below(5), r.below(5), r.below(5));
        let ts = format!("2{:03}0101{:06}", r.below(100), r.below(240000));
        let base = parse(Scheme::Semver, &format!("v{a}.{b}.{c}"));
        let next = parse(Scheme::Semver, &format!("v{a}.{b}.{}", c + 1));
        // `vX.Y.(Z+1)-0.TIMESTAMP-HASH`: a commit after tag vX.Y.Z.
        let pseudo = parse(
            Scheme::Semver,
            &format!("v{a}.{b}.{}-0.{ts}-0123456789ab", c + 1),
        );
        assert_eq!(base.compare(&pseudo), Some(Ordering::Less));
        assert_eq!(pseudo.compare(&next), Some(Ordering::Less));
        // `v0.0.0-TIMESTAMP-HASH`: before any tag, ordered by time.
        let early = parse(Scheme::Semver, &format!("v0.0.0-{ts}-0123456789ab"));
        assert_eq!(
            early.compare(&parse(Scheme::Semver, "v0.0.0")),
            Some(Ordering::Less)
        );
    }
}

#[test]
fn schemes_never_compare_across() {
    let a = parse(Scheme::Semver, "1.0.0");
    let b = parse(Scheme::Pep440, "1.0.0");
    assert_eq!(a.compare(&b), None);
}
