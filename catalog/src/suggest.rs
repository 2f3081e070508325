//! "Did you mean": the edit distance between names, ignoring ASCII case.

/// Levenshtein distance between `a` and `b`, ignoring ASCII case, counting
/// characters. Stops early and returns `limit + 1` once the distance must exceed
/// `limit`.
pub(crate) fn distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(limit + 1)
}

/// The largest distance worth suggesting for a name of this length: a third of
/// it, at least 1 and at most 4 (`GetObjects` → `GetObject`, not `PutObject`
/// for `Get`).
pub(crate) fn limit_for(name: &str) -> usize {
    (name.chars().count() / 3).clamp(1, 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("GetObjects", "getobject", 4), 1);
        assert_eq!(distance("conect", "connect", 4), 1);
        assert_eq!(distance("abc", "xyz", 4), 3);
        assert_eq!(distance("abc", "abcdefghij", 2), 3);
        assert_eq!(distance("", "", 0), 0);
    }
}
