//! Step 4, conditions: condition blocks → typed, compiled tests — the String family
//! (`StringEquals`, `StringEqualsIgnoreCase`, `StringLike` and their negations).
//!
//! Rules (IAM User Guide, "String condition operators"; SEMANTICS 7.6.1–7.6.2):
//! `StringEquals` is exact and case-sensitive and treats `*`/`?` as text;
//! `…IgnoreCase` ignores case; `StringLike` is an anchored glob where `*` is any run
//! and `?` one character. Policy variables are substituted as literal text.

use super::{BaseOperator, PolicyValue, ValueTest};
use crate::pattern::glob::{glob_match, literal_equals};
use crate::pattern::pieces::{parse_pieces, Piece, Wildcards};
use crate::request::Context;
use crate::util::str_map::bytes_eq;

/// How the request value is compared with each policy value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Exact,
    IgnoreCase,
    Like,
}

/// Compiled policy values of a String operator: one piece list per value.
#[derive(Debug, Clone)]
pub(super) struct StringValues {
    comparison: Comparison,
    patterns: Box<[Box<[Piece]>]>,
    /// The same values in the cheapest form that decides them, or `None` when
    /// some value needs the general path (variables, `…IgnoreCase`, inner wildcards).
    fast: Option<Box<[FastValue]>>,
}

/// A variable-free policy value whose test is one comparison.
#[derive(Debug, Clone)]
enum FastValue {
    /// Equal to this text.
    Exact(Box<str>),
    /// `StringLike` `prefix*`.
    Prefix(Box<str>),
    /// `StringLike` `*suffix`.
    Suffix(Box<str>),
    /// `StringLike` `*`.
    Any,
}

impl FastValue {
    fn of(comparison: Comparison, pieces: &[Piece]) -> Option<FastValue> {
        match (comparison, pieces) {
            (Comparison::IgnoreCase, _) => None,
            (_, []) => Some(FastValue::Exact("".into())),
            (_, [Piece::Literal(text)]) => Some(FastValue::Exact(text.clone())),
            (Comparison::Like, [Piece::Star]) => Some(FastValue::Any),
            (Comparison::Like, [Piece::Literal(prefix), Piece::Star]) => {
                Some(FastValue::Prefix(prefix.clone()))
            }
            (Comparison::Like, [Piece::Star, Piece::Literal(suffix)]) => {
                Some(FastValue::Suffix(suffix.clone()))
            }
            _ => None,
        }
    }

    #[inline]
    fn matches(&self, request: &str) -> bool {
        let request = request.as_bytes();
        match self {
            FastValue::Exact(text) => bytes_eq(request, text.as_bytes()),
            FastValue::Prefix(prefix) => request
                .get(..prefix.len())
                .is_some_and(|head| bytes_eq(head, prefix.as_bytes())),
            FastValue::Suffix(suffix) => request
                .len()
                .checked_sub(suffix.len())
                .and_then(|start| request.get(start..))
                .is_some_and(|tail| bytes_eq(tail, suffix.as_bytes())),
            FastValue::Any => true,
        }
    }
}

impl StringValues {
    /// Tokenises every value once. Numbers and booleans are compared as their text.
    pub(super) fn compile(
        base: BaseOperator,
        values: &[PolicyValue<'_>],
        variables_enabled: bool,
    ) -> Self {
        let comparison = match base {
            BaseOperator::StringEqualsIgnoreCase | BaseOperator::StringNotEqualsIgnoreCase => {
                Comparison::IgnoreCase
            }
            BaseOperator::StringLike | BaseOperator::StringNotLike => Comparison::Like,
            _ => Comparison::Exact,
        };
        // Only the *Like operators give `*` and `?` their wildcard meaning.
        let wildcards = match comparison {
            Comparison::Like => Wildcards::Recognised,
            Comparison::Exact | Comparison::IgnoreCase => Wildcards::Literal,
        };
        let patterns: Box<[Box<[Piece]>]> = values
            .iter()
            .map(|v| parse_pieces(v.as_text(), variables_enabled, wildcards).into_boxed_slice())
            .collect();
        let fast = patterns
            .iter()
            .map(|pieces| FastValue::of(comparison, pieces))
            .collect();
        StringValues {
            comparison,
            patterns,
            fast,
        }
    }

    /// [`StringValues::test`] when every value has a one-comparison form, which
    /// needs no context and can leave no diagnostic; `None` otherwise.
    #[inline]
    pub(super) fn test_fast(&self, request: &str) -> Option<bool> {
        let fast = self.fast.as_deref()?;
        Some(fast.iter().any(|value| value.matches(request)))
    }

    /// Whether `request` equals (or is like) at least one policy value.
    #[inline]
    pub(super) fn test(&self, request: &str, context: &Context) -> ValueTest {
        if let Some(any_match) = self.test_fast(request) {
            // No variables: nothing can be unresolved.
            return ValueTest::found(any_match);
        }
        ValueTest::any_policy_value(&self.patterns, |pieces| match self.comparison {
            Comparison::Exact => literal_equals(pieces, request, context),
            Comparison::IgnoreCase => equals_ignore_case(pieces, request, context),
            Comparison::Like => glob_match(pieces, request, context),
        })
    }
}

/// The text a piece stands for once variables are resolved. Wildcard pieces do not
/// occur in `Wildcards::Literal` piece lists; they stand for their own character.
fn piece_text<'a>(piece: &'a Piece, context: &'a Context) -> Option<&'a str> {
    match piece {
        Piece::Literal(text) => Some(text),
        Piece::Variable(variable) => variable.resolve(context),
        Piece::Star => Some("*"),
        Piece::AnyChar => Some("?"),
    }
}

/// Case-insensitive equality of the concatenated pieces with `text`, without
/// building the concatenation. `None` when a variable cannot be resolved.
///
/// Case folding is per character, upper-casing then lower-casing each side with
/// one-to-one mappings (the rule of Java's `equalsIgnoreCase`): `É` equals `é`,
/// `ß` equals only `ß`.
pub(super) fn equals_ignore_case(pieces: &[Piece], text: &str, context: &Context) -> Option<bool> {
    let mut pattern_chars_len = 0usize;
    for piece in pieces {
        pattern_chars_len += piece_text(piece, context)?.len();
    }
    // Cheap reject for the common ASCII case: folding ASCII keeps byte lengths.
    if pattern_chars_len != text.len() && text.is_ascii() && pieces_are_ascii(pieces, context) {
        return Some(false);
    }
    let mut policy_chars = pieces
        .iter()
        .flat_map(|piece| piece_text(piece, context).unwrap_or_default().chars());
    let mut request_chars = text.chars();
    loop {
        match (policy_chars.next(), request_chars.next()) {
            (None, None) => return Some(true),
            (Some(a), Some(b)) if chars_equal_ignoring_case(a, b) => {}
            _ => return Some(false),
        }
    }
}

fn pieces_are_ascii(pieces: &[Piece], context: &Context) -> bool {
    pieces
        .iter()
        .all(|piece| piece_text(piece, context).is_some_and(str::is_ascii))
}

fn chars_equal_ignoring_case(a: char, b: char) -> bool {
    if a == b {
        return true;
    }
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(&b);
    }
    let (upper_a, upper_b) = (simple_upper(a), simple_upper(b));
    upper_a == upper_b || simple_lower(upper_a) == simple_lower(upper_b)
}

/// The upper-case form of `c` when it is a single character, else `c` itself.
fn simple_upper(c: char) -> char {
    let mut mapped = c.to_uppercase();
    match (mapped.next(), mapped.next()) {
        (Some(upper), None) => upper,
        _ => c,
    }
}

/// The lower-case form of `c` when it is a single character, else `c` itself.
fn simple_lower(c: char) -> char {
    let mut mapped = c.to_lowercase();
    match (mapped.next(), mapped.next()) {
        (Some(lower), None) => lower,
        _ => c,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn compile(base: BaseOperator, values: &[&str]) -> StringValues {
        let values: Vec<_> = values.iter().map(|v| PolicyValue::String(v)).collect();
        StringValues::compile(base, &values, true)
    }

    fn any(base: BaseOperator, values: &[&str], request: &str, context: &Context) -> Option<bool> {
        compile(base, values).test(request, context).any_match
    }

    #[test]
    fn fast_values_agree_with_the_general_path() {
        // Guards the one-comparison forms: they must answer as the piece matcher does.
        let values = [
            "", "*", "abc", "ab*", "*bc", "a*c", "a?c", "*b*", "é*", "*é", "a*b*", "?", "**",
        ];
        let requests = [
            "", "a", "abc", "abcd", "xbc", "ab", "ac", "é", "éa", "aé", "a*", "*",
        ];
        let c = Context::new();
        for base in [BaseOperator::StringEquals, BaseOperator::StringLike] {
            for value in values {
                let compiled = compile(base, &[value]);
                let general = StringValues {
                    fast: None,
                    ..compiled.clone()
                };
                for request in requests {
                    assert_eq!(
                        compiled.test(request, &c),
                        general.test(request, &c),
                        "{base:?} {value:?} {request:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn exact_is_case_sensitive_and_literal() {
        let c = Context::new();
        assert_eq!(
            any(BaseOperator::StringEquals, &["JohnDoe"], "JohnDoe", &c),
            Some(true)
        );
        assert_eq!(
            any(BaseOperator::StringEquals, &["johndoe"], "JohnDoe", &c),
            Some(false)
        );
        assert_eq!(
            any(BaseOperator::StringEquals, &["home/*"], "home/alice", &c),
            Some(false)
        );
        assert_eq!(
            any(BaseOperator::StringEquals, &["home/*"], "home/*", &c),
            Some(true)
        );
        assert_eq!(
            any(BaseOperator::StringEquals, &["${$}5"], "$5", &c),
            Some(true)
        );
    }

    #[test]
    fn ignore_case() {
        let c = Context::new();
        let ic = BaseOperator::StringEqualsIgnoreCase;
        assert_eq!(any(ic, &["johndoe"], "JohnDoe", &c), Some(true));
        assert_eq!(any(ic, &["johndoe"], "JohnDoe2", &c), Some(false));
        assert_eq!(any(ic, &["johndo"], "JohnDoe", &c), Some(false));
        assert_eq!(any(ic, &["ÉCOLE"], "école", &c), Some(true));
        assert_eq!(any(ic, &["straße"], "STRASSE", &c), Some(false));
        assert_eq!(any(ic, &[""], "", &c), Some(true));
        assert_eq!(any(ic, &["a*"], "A*", &c), Some(true));
        assert_eq!(any(ic, &["a*"], "Ab", &c), Some(false));
    }

    #[test]
    fn ignore_case_with_variables() {
        let mut c = Context::new();
        c.insert_str("aws:PrincipalTag/team", "Red");
        let ic = BaseOperator::StringEqualsIgnoreCase;
        assert_eq!(
            any(ic, &["team-${aws:principaltag/team}"], "TEAM-RED", &c),
            Some(true)
        );
        assert_eq!(
            any(ic, &["team-${aws:principaltag/team}"], "TEAM-BLUE", &c),
            Some(false)
        );
        let unresolved = parse_pieces("${aws:principaltag/other}", true, Wildcards::Literal);
        assert_eq!(equals_ignore_case(&unresolved, "x", &c), None);
        assert_eq!(
            any(ic, &["${aws:principaltag/other}"], "x", &c),
            Some(false)
        );
        assert_eq!(
            any(ic, &["${aws:principaltag/other, 'X'}"], "x", &c),
            Some(true)
        );
    }

    #[test]
    fn like_uses_wildcards() {
        let c = Context::new();
        let like = BaseOperator::StringLike;
        assert_eq!(any(like, &["home/*"], "home/alice/photos/", &c), Some(true));
        assert_eq!(any(like, &["CC-1??"], "CC-142", &c), Some(true));
        assert_eq!(any(like, &["CC-1??"], "CC-1420", &c), Some(false));
        assert_eq!(any(like, &["", "home/"], "", &c), Some(true));
        assert_eq!(any(like, &["Home/*"], "home/x", &c), Some(false));
    }

    #[test]
    fn unresolved_variable_is_noted_but_others_still_match() {
        let c = Context::new();
        let t =
            compile(BaseOperator::StringEquals, &["${aws:username}", "alice"]).test("alice", &c);
        assert_eq!(t.any_match, Some(true));
        let t = compile(BaseOperator::StringEquals, &["${aws:username}"]).test("alice", &c);
        assert_eq!(t.any_match, Some(false));
        assert_eq!(
            t.diagnostic,
            Some(super::super::ConditionDiagnostic::UnresolvedVariable)
        );
    }

    #[test]
    fn variables_disabled_keep_text() {
        let values = [PolicyValue::String("${aws:username}")];
        let s = StringValues::compile(BaseOperator::StringEquals, &values, false);
        assert_eq!(
            s.test("${aws:username}", &Context::new()).any_match,
            Some(true)
        );
    }
}
