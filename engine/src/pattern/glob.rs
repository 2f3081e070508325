//! Step 3, patterns: policy strings → compiled matchers — the wildcard matcher itself.
//!
//! IAM's wildcard language has exactly two operators: `*` (any run of characters,
//! including none) and `?` (exactly one character). Everything else is literal text,
//! and the match is anchored at both ends (SEMANTICS §4.3, §5.4–5.6, §7.6.2). Policy
//! variables are substituted as literal text, so a `*` inside a tag value is not a
//! wildcard (§8.5).
//!
//! The matcher is the classic iterative one: it remembers only the most recent `*`
//! and, on a mismatch, lets that star absorb one more character. An earlier star
//! never needs revisiting, because anything it could have absorbed the later star can
//! absorb too. That keeps the worst case at O(pattern × text) with no recursion and
//! no allocation; `*a*a*…*b` against a long run of `a`s is linear.

use crate::pattern::pieces::{parse_pieces, Piece, Wildcards};
use crate::request::Context;

/// Anchored glob match of the whole `text` against `pieces`.
///
/// `Star` matches any run of characters (including none, `/` and `:`), `AnyChar`
/// exactly one `char`, `Literal` its exact bytes, and `Variable` its resolved value
/// as literal text. Returns `None` when a variable in `pieces` cannot be resolved in
/// `context`: such an entry matches nothing, and the caller decides what that means
/// (SEMANTICS §8.7).
///
/// ```
/// use iamsim_engine::internal::pattern::glob_match;
/// use iamsim_engine::request::Context;
/// use iamsim_engine::internal::pattern::pieces::{parse_pieces, Wildcards};
///
/// let mut context = Context::new();
/// context.insert_str("aws:username", "alice");
/// let pieces = parse_pieces("home/${aws:username}/*", true, Wildcards::Recognised);
/// assert_eq!(glob_match(&pieces, "home/alice/notes.txt", &context), Some(true));
/// assert_eq!(glob_match(&pieces, "home/bob/notes.txt", &context), Some(false));
/// assert_eq!(glob_match(&pieces, "home/alice/x", &Context::new()), None);
/// ```
pub fn glob_match(pieces: &[Piece], text: &str, context: &Context) -> Option<bool> {
    if !all_resolvable(pieces, context) {
        return None;
    }
    Some(match_pieces(pieces, text, Some(context)))
}

/// Equality of `text` with the concatenation of `pieces`, for the `StringEquals`
/// family where `*` and `?` are ordinary characters (SEMANTICS §7.6.1).
///
/// `Star`/`AnyChar` pieces, if present, count as the characters `*`/`?`. Returns
/// `None` when a variable cannot be resolved. Walks `text` piece by piece; nothing is
/// concatenated or allocated.
///
/// ```
/// use iamsim_engine::internal::pattern::literal_equals;
/// use iamsim_engine::request::Context;
/// use iamsim_engine::internal::pattern::pieces::{parse_pieces, Wildcards};
///
/// let pieces = parse_pieces("a*b", true, Wildcards::Literal);
/// assert_eq!(literal_equals(&pieces, "a*b", &Context::new()), Some(true));
/// assert_eq!(literal_equals(&pieces, "axb", &Context::new()), Some(false));
/// ```
pub fn literal_equals(pieces: &[Piece], text: &str, context: &Context) -> Option<bool> {
    if !all_resolvable(pieces, context) {
        return None;
    }
    let mut rest = text;
    for piece in pieces {
        let expected = match piece {
            Piece::Star => "*",
            Piece::AnyChar => "?",
            Piece::Literal(literal) => literal,
            Piece::Variable(variable) => variable.resolve(context)?,
        };
        match rest.strip_prefix(expected) {
            Some(after) => rest = after,
            None => return Some(false),
        }
    }
    Some(rest.is_empty())
}

/// Glob match for a pattern without policy variables (`${...}` is literal text).
///
/// Tokenises `pattern` on every call; compiled matchers keep their pieces instead.
///
/// ```
/// use iamsim_engine::internal::pattern::glob::glob_match_str;
/// assert!(glob_match_str("file?.txt", "file1.txt"));
/// assert!(!glob_match_str("file?.txt", "file.txt"));
/// assert!(glob_match_str("a[bc]", "a[bc]")); // no character classes
/// ```
pub fn glob_match_str(pattern: &str, text: &str) -> bool {
    let pieces = parse_pieces(pattern, false, Wildcards::Recognised);
    match_pieces(&pieces, text, None)
}

/// True when every variable in `pieces` resolves in `context`.
pub(crate) fn all_resolvable(pieces: &[Piece], context: &Context) -> bool {
    pieces.iter().all(|piece| match piece {
        Piece::Variable(variable) => variable.resolve(context).is_some(),
        _ => true,
    })
}

/// True when `pieces` contain a `*` or `?`.
pub(crate) fn has_wildcards(pieces: &[Piece]) -> bool {
    pieces
        .iter()
        .any(|piece| matches!(piece, Piece::Star | Piece::AnyChar))
}

/// The text a literal-like piece stands for: a literal, or a variable's value.
/// `None` for wildcards, and for variables when there is no context or no value.
fn literal_text<'a>(piece: &'a Piece, context: Option<&'a Context>) -> Option<&'a str> {
    match piece {
        Piece::Literal(literal) => Some(literal),
        Piece::Variable(variable) => context.and_then(|c| variable.resolve(c)),
        Piece::Star | Piece::AnyChar => None,
    }
}

/// The matcher shared by every pattern kind. Variables are looked up in `context`;
/// with `None` (actions, which have no variables) a variable matches nothing.
/// Callers that need the "unresolvable" answer check [`all_resolvable`] first.
pub(crate) fn match_pieces(pieces: &[Piece], text: &str, context: Option<&Context>) -> bool {
    let mut piece_index = 0;
    let mut text_pos = 0;
    // The most recent `*`: the index of the piece after it, and how far into `text`
    // it currently reaches. Backing up only ever goes to this point.
    let mut last_star: Option<(usize, usize)> = None;
    loop {
        let Some(rest) = text.get(text_pos..) else {
            return false;
        };
        let advance = match pieces.get(piece_index) {
            // Anchored at the end: every piece used and every character consumed.
            None if rest.is_empty() => return true,
            None => None,
            // A trailing `*` takes whatever is left.
            Some(Piece::Star) if piece_index + 1 == pieces.len() => return true,
            Some(Piece::Star) => {
                piece_index += 1;
                last_star = Some((piece_index, text_pos));
                continue;
            }
            // `?` is one character, however many bytes it takes in UTF-8.
            Some(Piece::AnyChar) => rest.chars().next().map(char::len_utf8),
            Some(piece) => match literal_text(piece, context) {
                Some(literal) if rest.starts_with(literal) => Some(literal.len()),
                _ => None,
            },
        };
        if let Some(length) = advance {
            text_pos += length;
            piece_index += 1;
            continue;
        }
        // Mismatch: let the last star absorb one more character, then retry the
        // pieces after it from there.
        let Some((after_star, star_end)) = last_star else {
            return false;
        };
        let Some(next_char) = text.get(star_end..).and_then(|t| t.chars().next()) else {
            return false;
        };
        let mut resume = star_end + next_char.len_utf8();
        // When a literal follows the star, only the places where that literal occurs
        // can succeed: jump straight to the next one.
        if let Some(literal) = pieces
            .get(after_star)
            .and_then(|piece| literal_text(piece, context))
        {
            match text.get(resume..).and_then(|t| t.find(literal)) {
                Some(offset) => resume += offset,
                None => return false,
            }
        }
        last_star = Some((after_star, resume));
        piece_index = after_star;
        text_pos = resume;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::ContextValue;

    macro_rules! glob_cases {
        ($($name:ident: $pattern:expr, $text:expr => $expected:expr;)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(
                    glob_match_str($pattern, $text),
                    $expected,
                    "pattern {:?} against {:?}",
                    $pattern,
                    $text
                );
            }
        )*};
    }

    glob_cases! {
        // Literal text and anchoring (SEMANTICS §5.6).
        exact_literal: "abc", "abc" => true;
        literal_no_implicit_prefix: "abc", "abcd" => false;
        literal_no_implicit_suffix: "bcd", "abcd" => false;
        bucket_does_not_cover_objects: "arn:aws:s3:::acme", "arn:aws:s3:::acme/x" => false;
        bucket_prefix_not_other_bucket: "arn:aws:s3:::acme", "arn:aws:s3:::acme-dev" => false;
        role_id_not_longer_id: "AROAROLEID1:*", "AROAROLEID10:x" => false;
        role_id_with_session: "AROAROLEID1:*", "AROAROLEID1:x" => true;
        // `*` (SEMANTICS §4.3, §5.4).
        star_alone_matches_empty: "*", "" => true;
        star_alone_matches_anything: "*", "a/b:c" => true;
        star_matches_empty_run: "s3:GetObject*", "s3:GetObject" => true;
        star_spans_slash: "bucket/*/test/*", "bucket/1/2/test/3/object.jpg" => true;
        star_spans_empty_path: "bucket/*/test/*", "bucket//test/object.jpg" => true;
        star_needs_the_literal: "bucket/*/test/*", "bucket/1-test/object.jpg" => false;
        star_spans_colon: "log-group:app:*", "log-group:app:log-stream:s1" => true;
        inner_stars: "*AccessKey*", "ListAccessKeys" => true;
        star_then_suffix: "*.csv", "a/b.csv" => true;
        star_then_suffix_miss: "*.csv", "a/b.csvx" => false;
        double_star_same_as_one: "a**b", "axyzb" => true;
        star_backtracks: "*ab", "aab" => true;
        star_backtracks_twice: "a*b*c", "abxbyc" => true;
        star_overlapping_literal: "*aab", "aaab" => true;
        star_suffix_must_end: "*ab*c", "abab" => false;
        // `?` (SEMANTICS §4.3, §5.4).
        question_one_char: "file?.txt", "file1.txt" => true;
        question_not_zero: "file?.txt", "file.txt" => false;
        question_not_two: "file?.txt", "file12.txt" => false;
        question_matches_slash: "x?y", "x/y" => true;
        question_matches_colon: "x?y", "x:y" => true;
        question_multibyte: "caf?", "café" => true;
        question_multibyte_not_two: "caf??", "café" => false;
        question_emoji: "?", "🦀" => true;
        star_then_multibyte: "*é", "aé" => true;
        question_at_end_needs_char: "GetObject?", "GetObject" => false;
        // Empty pattern and empty text (SEMANTICS §7.6.2).
        empty_matches_empty: "", "" => true;
        empty_not_nonempty: "", "a" => false;
        nonempty_not_empty: "a", "" => false;
        question_not_empty: "?", "" => false;
        // Nothing else is special (SEMANTICS §5.5).
        brackets_literal: "a[bc]", "a[bc]" => true;
        brackets_not_class: "a[bc]", "ab" => false;
        braces_literal: "{a,b}", "{a,b}" => true;
        braces_not_expansion: "{a,b}", "a" => false;
        dot_literal: "a.c", "abc" => false;
        dot_matches_dot: "a.c", "a.c" => true;
        plus_literal: "a+", "aa" => false;
        regex_meta_literal: "^(a|b)$", "^(a|b)$" => true;
        regex_meta_not_regex: "^(a|b)$", "a" => false;
        backslash_literal_then_star: "a\\*", "a\\b.txt" => true;
        backslash_not_escape: "a\\*", "a*" => false;
        dollar_literal: "$tmp/*", "$tmp/a" => true;
        // The request side is always literal (SEMANTICS §5.8).
        request_star_literal: "arn:aws:s3:::b/x", "*" => false;
        request_star_matched_by_star: "*", "*" => true;
        request_star_matched_by_question: "?", "*" => true;
        request_star_not_prefix: "a*", "*" => false;
        // Case sensitive (SEMANTICS §5.7).
        case_sensitive: "Acme-Data/*", "acme-data/a" => false;
        // Connect log groups: the `-dev` group is another group.
        log_group_exact: "log-group:/aws/connect/mycc:*", "log-group:/aws/connect/mycc:log-stream:x" => true;
        log_group_dev_is_other: "log-group:/aws/connect/mycc:*", "log-group:/aws/connect/mycc-dev:log-stream:x" => false;
    }

    #[test]
    fn adversarial_many_stars_does_not_blow_up() {
        // Guards the linear backtracking: 50 stars against 10,000 `a`s must finish.
        let pattern = format!("{}*b", "*a".repeat(49));
        let text = "a".repeat(10_000);
        assert!(!glob_match_str(&pattern, &text));
        let text = format!("{text}b");
        assert!(glob_match_str(&pattern, &text));
    }

    #[test]
    fn adversarial_many_questions() {
        let pattern = format!("*{}b", "?".repeat(40));
        assert!(!glob_match_str(&pattern, &"a".repeat(10_000)));
    }

    fn context() -> Context {
        let mut context = Context::new();
        context.insert_str("aws:username", "alice");
        context.insert_str("aws:principaltag/team", "a*b");
        context.insert_str("empty", "");
        context.insert(
            "aws:tagkeys",
            ContextValue::Multi(vec!["x".into(), "y".into()]),
        );
        context
    }

    fn pieces(text: &str) -> Vec<Piece> {
        parse_pieces(text, true, Wildcards::Recognised)
    }

    #[test]
    fn variable_substituted_as_literal() {
        let c = context();
        let p = pieces("home/${aws:username}/*");
        assert_eq!(glob_match(&p, "home/alice/a", &c), Some(true));
        assert_eq!(glob_match(&p, "home/alicex/a", &c), Some(false));
    }

    #[test]
    fn wildcard_inside_variable_value_is_literal() {
        // SEMANTICS §8.5: a `*` in a tag value does not widen the pattern.
        let c = context();
        let p = pieces("team/${aws:PrincipalTag/team}");
        assert_eq!(glob_match(&p, "team/a*b", &c), Some(true));
        assert_eq!(glob_match(&p, "team/axxb", &c), Some(false));
    }

    #[test]
    fn unresolvable_variable_is_none_even_when_text_would_match() {
        // SEMANTICS §8.8: never substitute the empty string.
        let c = context();
        assert_eq!(glob_match(&pieces("x${missing}"), "x", &c), None);
        assert_eq!(glob_match(&pieces("*${aws:TagKeys}"), "x", &c), None);
    }

    #[test]
    fn default_value_used_when_absent() {
        let c = context();
        let p = pieces("x/${missing, 'none'}");
        assert_eq!(glob_match(&p, "x/none", &c), Some(true));
    }

    #[test]
    fn empty_variable_value_matches_empty() {
        let c = context();
        assert_eq!(glob_match(&pieces("a*${empty}b"), "axb", &c), Some(true));
        assert_eq!(glob_match(&pieces("${empty}"), "", &c), Some(true));
    }

    #[test]
    fn variable_after_star_backtracks() {
        let c = context();
        let p = pieces("*/${aws:username}");
        assert_eq!(glob_match(&p, "a/alice/b/alice", &c), Some(true));
        assert_eq!(glob_match(&p, "a/alice/b", &c), Some(false));
    }

    #[test]
    fn literal_equals_cases() {
        let c = context();
        let eq = |pattern: &str, text: &str| {
            literal_equals(&parse_pieces(pattern, true, Wildcards::Literal), text, &c)
        };
        assert_eq!(eq("alice", "alice"), Some(true));
        assert_eq!(eq("alice", "alic"), Some(false));
        assert_eq!(eq("alice", "alicex"), Some(false));
        assert_eq!(eq("a*", "ab"), Some(false));
        assert_eq!(eq("a*", "a*"), Some(true));
        assert_eq!(eq("${aws:username}", "alice"), Some(true));
        assert_eq!(eq("u/${aws:username}/x", "u/alice/x"), Some(true));
        assert_eq!(eq("u/${aws:username}/x", "u/alice/"), Some(false));
        assert_eq!(eq("${missing}", ""), None);
        assert_eq!(eq("", ""), Some(true));
        // Wildcard pieces, should a caller pass them, are the characters themselves.
        let star = parse_pieces("a*?", false, Wildcards::Recognised);
        assert_eq!(literal_equals(&star, "a*?", &c), Some(true));
        assert_eq!(literal_equals(&star, "abc", &c), Some(false));
    }
}
