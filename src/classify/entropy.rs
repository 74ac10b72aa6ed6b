//! Shannon entropy, and the floor a value must reach for its length.
//!
//! One definition for the secrets engine (a rule's `entropy`), drift (an unnamed value with a
//! credential's shape) and the key-name heuristic of the drift policies.

/// Shannon entropy of `s` in bits per byte.
pub fn shannon_entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[usize::from(b)] += 1;
    }
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// [`shannon_entropy`] of a string's bytes.
pub fn entropy(s: &str) -> f64 {
    shannon_entropy(s.as_bytes())
}

/// The entropy `value` must reach under a rule asking for `min` bits per character.
///
/// Shannon entropy cannot exceed `log2(len)`: an 8-character password made of 8 distinct
/// characters has exactly 3.0 bits, so a 2.8-bit floor would reject almost every short
/// password for its length alone. A short value that mixes letters and digits (password-like,
/// unlike a word such as `mysecret` or `bcrypt`) therefore needs 90 % of the maximum its
/// length allows instead of the rule's absolute floor.
///
/// A hex value has a second ceiling: 16 symbols give at most 4 bits, and a random sample of `n`
/// of them falls short of that by about `15 / (2 n ln 2)` (22 random hex characters average
/// 3.5 bits), so a 3.5-bit floor written for mixed-case keys would reject half of the real hex
/// keys. Hex values need the entropy a random hex string of their length reaches, less a
/// margin of a few standard deviations; runs and repeats are left to the pattern checks.
pub fn entropy_floor(min: f64, value: &[u8]) -> f64 {
    let letters = value.iter().any(u8::is_ascii_alphabetic);
    let digits = value.iter().any(u8::is_ascii_digit);
    if value.len() < 2 || !(letters && digits) {
        return min;
    }
    let mut floor = min.min(0.9 * (value.len() as f64).log2());
    if value.len() >= 16 && value.iter().all(u8::is_ascii_hexdigit) {
        let n = value.len() as f64;
        let expected = 4.0 - 15.0 / (2.0 * n * std::f64::consts::LN_2);
        floor = floor.min(expected - HEX_MARGIN);
    }
    floor
}

/// How far below the expected entropy of a random hex string a hex value may fall (bits): about
/// three standard deviations for 22 characters.
const HEX_MARGIN: f64 = 0.35;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_floor_follows_short_lengths() {
        // 8 mixed characters: at most 3.0 bits, floor 2.7 instead of 2.8.
        assert!((entropy_floor(2.8, b"4ian1234") - 2.7).abs() < 1e-9);
        assert!(shannon_entropy(b"4ian1234") >= entropy_floor(2.8, b"4ian1234"));
        // Words keep the rule's floor: `mysecret` (2.75 bits) stays below 3.3.
        assert_eq!(entropy_floor(3.3, b"mysecret"), 3.3);
        assert_eq!(entropy_floor(2.8, b"busybox@"), 2.8);
        // Long values keep the rule's floor.
        assert_eq!(entropy_floor(3.5, &[b'z', b'1'].repeat(20)), 3.5);
        assert_eq!(entropy_floor(3.0, b"1"), 3.0);
        // Hex: 22 random characters average 3.5 bits, so a 3.5 floor becomes about 3.16.
        let hex = b"2d0d3432369b6b53e7621f";
        assert!(entropy_floor(3.5, hex) < 3.2);
        assert!(shannon_entropy(hex) >= entropy_floor(3.5, hex));
        // ...but a hex value with few distinct digits stays below it.
        let low = b"1a1a1a1a2b2b2b2b1a1a1a";
        assert!(shannon_entropy(low) < entropy_floor(3.5, low));
        // Mixed-case values keep the rule's floor.
        assert_eq!(entropy_floor(3.5, b"tPaJIQMajom59Di1mgJ8aR"), 3.5);
        // `aabb11cc` (4 distinct of 8) stays below the relaxed floor.
        assert!(shannon_entropy(b"aabb11cc") < entropy_floor(2.8, b"aabb11cc"));
    }

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy(b"q8W7e6R5t4Y3u2I1o0Pz") > 4.0);
        assert_eq!(entropy("abcd"), shannon_entropy(b"abcd"));
    }
}
