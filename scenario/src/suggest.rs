//! "Did you mean" for messages: candidates ordered by edit distance.

/// The candidates close to `word` (ignoring case), nearest first: those within an
/// edit distance of a third of the longer word's length (at least 2), for "did you
/// mean" suggestions. Ties keep the candidates' order.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    scored(word, candidates)
        .into_iter()
        .filter(|&(d, limit, _)| d <= limit)
        .map(|(_, _, c)| c)
        .collect()
}

/// Every candidate, nearest to `word` first (ignoring case); ties keep their order.
/// For messages that list what would have been valid.
pub fn by_nearness<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    scored(word, candidates)
        .into_iter()
        .map(|(_, _, c)| c)
        .collect()
}

/// (distance, suggestion limit, candidate), sorted by distance, stable.
fn scored<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<(usize, usize, &'a str)> {
    let word: Vec<char> = word.to_lowercase().chars().collect();
    let mut scored: Vec<(usize, usize, &'a str)> = candidates
        .into_iter()
        .map(|c| {
            let cand: Vec<char> = c.to_lowercase().chars().collect();
            let d = edit_distance(&word, &cand);
            (d, (word.len().max(cand.len()) / 3).max(2), c)
        })
        .collect();
    scored.sort_by_key(|&(d, _, _)| d);
    scored
}

/// Levenshtein distance (insert, delete, substitute), two rows of memory.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// ` (did you mean `x`?)` or ` (did you mean one of x, y?)` for a message, or nothing
/// when there is no suggestion.
pub fn did_you_mean(near: &[String]) -> String {
    match near {
        [] => String::new(),
        [one] => format!(" (did you mean `{one}`?)"),
        many => format!(" (did you mean one of {}?)", many.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::{by_nearness, nearest};

    #[test]
    fn nearest_words_come_first_and_far_ones_not_at_all() {
        let words = ["allowed", "explicitDeny", "implicitDeny", "denied"];
        assert_eq!(nearest("Allowed", words), ["allowed"]);
        assert_eq!(nearest("allow", words), ["allowed"]);
        assert_eq!(
            nearest("explicitdeny", words),
            ["explicitDeny", "implicitDeny"]
        );
        assert_eq!(
            nearest("implictDeny", words),
            ["implicitDeny", "explicitDeny"]
        );
        assert!(nearest("yes", words).is_empty());
        assert_eq!(by_nearness("denid", words)[0], "denied");
        assert_eq!(by_nearness("yes", words).len(), 4);
        assert_eq!(
            nearest("instance-admn", ["admin", "instance-admin", "developer"]),
            ["instance-admin"]
        );
    }
}
