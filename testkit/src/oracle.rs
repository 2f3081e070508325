//! The anchored-regex oracle for the IAM wildcard language (SEMANTICS §4.3, §5.3–5.6,
//! §8.5): `*` is any run of characters, `?` exactly one character, everything else is
//! literal. The one place tests, fuzz checks, benches and the reference evaluator turn
//! a wildcard pattern into a regular expression.

use regex::Regex;
use std::cell::RefCell;
use std::collections::HashMap;

/// What `*` becomes when it may cross every character (`:` and newlines included).
pub const ANY_RUN: &str = ".*";
/// What `?` becomes when it may be any one character.
pub const ANY_ONE: &str = ".";
/// What `*` becomes inside one ARN segment (it never crosses `:`).
pub const SEGMENT_RUN: &str = "[^:]*";
/// What `?` becomes inside one ARN segment.
pub const SEGMENT_ONE: &str = "[^:]";

/// One element of a wildcard pattern whose policy variables are already substituted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glob {
    /// One literal character (a substituted variable's `*` and `?` are literal).
    Literal(char),
    /// `*`.
    Star,
    /// `?`.
    One,
}

/// The pieces of a pattern without policy variables: `*` and `?` are wildcards, every
/// other character is literal.
pub fn pieces(pattern: &str) -> impl Iterator<Item = Glob> + '_ {
    pattern.chars().map(|c| match c {
        '*' => Glob::Star,
        '?' => Glob::One,
        other => Glob::Literal(other),
    })
}

/// The pieces of text that is literal throughout (a `*` or `?` in it is an ordinary
/// character).
pub fn literal(text: &str) -> impl Iterator<Item = Glob> + '_ {
    text.chars().map(Glob::Literal)
}

/// The unanchored regex text of `pieces`: literals escaped, `*` → `star`, `?` → `one`
/// (say [`ANY_RUN`]/[`ANY_ONE`] or [`SEGMENT_RUN`]/[`SEGMENT_ONE`]).
pub fn regex_body(pieces: impl IntoIterator<Item = Glob>, star: &str, one: &str) -> String {
    let mut body = String::new();
    for piece in pieces {
        match piece {
            Glob::Literal(c) => body.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
            Glob::Star => body.push_str(star),
            Glob::One => body.push_str(one),
        }
    }
    body
}

/// `body` anchored at both ends, with `.` matching newlines too (`(?s)^…$`);
/// case-sensitive.
pub fn anchored(body: &str) -> String {
    format!("(?s)^{body}$")
}

/// The anchored regex a variable-free wildcard pattern means.
pub fn wildcard_regex(pattern: &str) -> String {
    anchored(&regex_body(pieces(pattern), ANY_RUN, ANY_ONE))
}

/// Whether `pattern` matches all of `text`, by the regex; `None` when the regex crate
/// refuses the expression (size limits): then there is no oracle answer. Compiles
/// every time; [`Oracle`] keeps what it compiled.
pub fn oracle_match(pattern: &str, text: &str) -> Option<bool> {
    Regex::new(&wildcard_regex(pattern))
        .ok()
        .map(|re| re.is_match(text))
}

/// Compiled regexes by their source, so that each is compiled once. Panics on a
/// source the regex crate refuses: the callers build their sources from small
/// generated or corpus patterns.
#[derive(Debug, Default)]
pub struct RegexCache {
    compiled: RefCell<HashMap<String, Regex>>,
}

impl RegexCache {
    /// Whether the regex `source` matches `text`.
    pub fn is_match(&self, source: &str, text: &str) -> bool {
        let mut compiled = self.compiled.borrow_mut();
        if let Some(regex) = compiled.get(source) {
            return regex.is_match(text);
        }
        let regex = Regex::new(source).unwrap_or_else(|e| panic!("oracle regex {source:?}: {e}"));
        let matched = regex.is_match(text);
        compiled.insert(source.to_owned(), regex);
        matched
    }
}

/// The oracle for variable-free wildcard patterns, compiled once per distinct
/// pattern.
#[derive(Debug, Default)]
pub struct Oracle {
    cache: RegexCache,
}

impl Oracle {
    /// Whether the wildcard `pattern` matches all of `text`.
    pub fn is_match(&self, pattern: &str, text: &str) -> bool {
        self.cache.is_match(&wildcard_regex(pattern), text)
    }

    /// Whether the already substituted `pieces` match all of `text`.
    pub fn pieces_match(&self, pieces: impl IntoIterator<Item = Glob>, text: &str) -> bool {
        self.cache
            .is_match(&anchored(&regex_body(pieces, ANY_RUN, ANY_ONE)), text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_literals() {
        assert_eq!(wildcard_regex("a*b?.c"), r"(?s)^a.*b.\.c$");
        let oracle = Oracle::default();
        assert!(oracle.is_match("a*b?", "a:\nbé"));
        assert!(!oracle.is_match("a*b?", "a:\nb"));
        assert!(oracle.is_match("[.]", "[.]"));
        assert!(!oracle.is_match("[.]", "a"));
        assert_eq!(oracle_match("*", ""), Some(true));
        assert!(oracle.pieces_match(literal("a*"), "a*"));
        assert!(!oracle.pieces_match(literal("a*"), "ab"));
        assert_eq!(
            regex_body(pieces("a*?"), SEGMENT_RUN, SEGMENT_ONE),
            "a[^:]*[^:]"
        );
    }
}
