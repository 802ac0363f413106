//! Near-duplicate detection for Chinese text, on character bigrams (Chinese has no spaces, and
//! bigrams catch most words without a dictionary). Short matters are compared exactly by the
//! Jaccard similarity of their bigram sets; a 64-bit SimHash of the same bigrams is stored with
//! each case as a compact fingerprint for indexing at larger scale.

/// FNV-1a, 64 bits: fingerprints are stored, so the hash must never change between builds
/// (which std's `DefaultHasher` does not promise).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The characters that carry meaning: letters and digits, lowercased; punctuation and spaces go.
fn normalise(text: &str) -> Vec<char> {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The SimHash of a text's character bigrams.
pub fn fingerprint(text: &str) -> u64 {
    let chars = normalise(text);
    let mut weights = [0i32; 64];
    let mut buf = [0u8; 8];
    let mut add = |gram: &str| {
        let h = fnv1a(gram.as_bytes());
        for (i, w) in weights.iter_mut().enumerate() {
            if h >> i & 1 == 1 {
                *w += 1;
            } else {
                *w -= 1;
            }
        }
    };
    if chars.len() < 2 {
        for c in &chars {
            add(c.encode_utf8(&mut buf));
        }
    }
    for pair in chars.windows(2) {
        let gram: String = pair.iter().collect();
        add(&gram);
    }
    weights.iter().enumerate().fold(0u64, |acc, (i, w)| if *w > 0 { acc | (1 << i) } else { acc })
}

/// How many bits two fingerprints differ in (0 = same text, ~32 = unrelated).
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// The hashed bigrams of a text, sorted and without repeats.
pub fn bigrams(text: &str) -> Vec<u64> {
    let chars = normalise(text);
    let mut out: Vec<u64> = if chars.len() < 2 {
        chars.iter().map(|c| fnv1a(c.to_string().as_bytes())).collect()
    } else {
        chars.windows(2).map(|p| fnv1a(p.iter().collect::<String>().as_bytes())).collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// Shared bigrams over all bigrams: 1 for the same text, 0 for nothing in common.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 { 0.0 } else { both as f64 / union as f64 }
}

/// From this similarity on, two cases are shown as likely duplicates.
pub const NEAR: f64 = 0.25;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_duplicates_are_near_and_unrelated_matters_are_far() {
        let a = "仁和社区路口缺少减速带。小学门口车速快，希望增设减速带和人行横道。";
        let b = "小学门口需要减速带。仁和社区小学门口路口车速太快，希望增设减速带。";
        let c = "木耳基地产业路需硬化。金米村木耳基地产业路雨天泥泞，运输困难。";
        let near = jaccard(&bigrams(a), &bigrams(b));
        let far = jaccard(&bigrams(a), &bigrams(c));
        assert!(near >= NEAR, "near: {near}");
        assert!(far < 0.05, "far: {far}");
        assert_eq!(jaccard(&bigrams(a), &bigrams(a)), 1.0);
        assert_eq!(bigrams("减速带！"), bigrams("减速带"), "punctuation does not count");
        // The stored fingerprint agrees on identical text and differs on unrelated text.
        assert_eq!(distance(fingerprint(a), fingerprint(a)), 0);
        assert!(distance(fingerprint(a), fingerprint(c)) > 10);
    }
}
