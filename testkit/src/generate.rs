//! Seeded generators of wildcard patterns' near matches: texts a pattern matches, and
//! texts one edit away from that, so that both answers of a matcher are exercised.

use crate::rng::Rng;

/// Up to `max_len` characters drawn from `chars`.
pub fn random_string(rng: &mut Rng, chars: &[char], max_len: usize) -> String {
    let len = rng.below(max_len + 1);
    (0..len).map(|_| *rng.pick(chars)).collect()
}

/// A text the variable-free `pattern` matches: each `*` expanded to a run of up to
/// three characters of `star_chars`, each `?` to one of them.
pub fn instantiate(rng: &mut Rng, pattern: &str, star_chars: &[char]) -> String {
    let mut text = String::new();
    for c in pattern.chars() {
        match c {
            '*' => text.push_str(&random_string(rng, star_chars, 3)),
            '?' => text.push(*rng.pick(star_chars)),
            other => text.push(other),
        }
    }
    text
}

/// Half of the time `text` unchanged, else one random edit of it (insert, delete or
/// replace a character drawn from `chars`).
pub fn mutate(rng: &mut Rng, text: &str, chars: &[char]) -> String {
    let mut chars_of: Vec<char> = text.chars().collect();
    if rng.one_in(2) {
        return text.to_owned();
    }
    let at = rng.below(chars_of.len() + 1);
    match rng.below(3) {
        0 => chars_of.insert(at, *rng.pick(chars)),
        1 if at < chars_of.len() => {
            chars_of.remove(at);
        }
        _ if at < chars_of.len() => chars_of[at] = *rng.pick(chars),
        _ => chars_of.push(*rng.pick(chars)),
    }
    chars_of.into_iter().collect()
}

/// A near match of `pattern`: [`instantiate`] then [`mutate`], both over `chars`.
pub fn near_match(rng: &mut Rng, pattern: &str, chars: &[char]) -> String {
    let instance = instantiate(rng, pattern, chars);
    mutate(rng, &instance, chars)
}
