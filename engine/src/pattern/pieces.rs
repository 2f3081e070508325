//! Step 3, patterns: policy text → pieces. Splits a policy string into literal text, the IAM
//! wildcards `*` and `?`, and policy variables (`${aws:username}`, `${x, 'default'}`,
//! `${*}`, `${?}`, `${$}`), so that matchers never re-scan policy text per request.
//!
//! Rules (IAM User Guide, "Policy variables"): variables exist only in policies
//! whose `Version` is `2012-10-17`; a variable ends at the first `}`; `$` not followed
//! by `{` is literal; `${*}`, `${?}` and `${$}` stand for the literal characters.
//! Substituted values are literal text: a `*` inside a tag value is not a wildcard.

use crate::request::{Context, ContextValue};

/// One piece of a policy string after tokenising.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// `*`: any run of characters, including none.
    Star,
    /// `?`: exactly one character (one `char`, not one byte).
    AnyChar,
    /// Literal text, compared byte for byte.
    Literal(Box<str>),
    /// A policy variable, substituted from the request context at match time.
    Variable(Variable),
}

/// A `${key}` or `${key, 'default'}` reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// The context key, lower-cased once here because key names compare case-insensitively.
    pub key: Box<str>,
    /// The key as written in the policy, for explanations.
    pub key_as_written: Box<str>,
    /// The default used when the key is absent or multivalued.
    pub default: Option<Box<str>>,
}

impl Variable {
    /// The text this variable stands for in `context`, or `None` when it cannot be
    /// resolved (key absent or multivalued and no default). An unresolvable variable is
    /// never replaced by the empty string.
    pub fn resolve<'a>(&'a self, context: &'a Context) -> Option<&'a str> {
        match context.get(&self.key) {
            Some(ContextValue::Single(value)) => Some(value),
            _ => self.default.as_deref(),
        }
    }
}

/// Whether `*` and `?` are wildcards in the text being tokenised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wildcards {
    /// `*` and `?` become [`Piece::Star`] and [`Piece::AnyChar`] (Resource, `StringLike`, `ArnLike`).
    Recognised,
    /// `*` and `?` are literal text (`StringEquals` and friends).
    Literal,
}

/// Tokenises `text`. With `variables_enabled == false` (Version 2008-10-17 or absent)
/// `${...}` is literal text. Adjacent literal text is merged into one [`Piece::Literal`],
/// so `${*}` inside text simply becomes part of the surrounding literal.
///
/// Compiling a policy tokenises every string in it, so this walks bytes (every special
/// character is ASCII) and copies each literal once, straight from `text` when it is
/// one run of it: text without special characters is one allocation.
pub fn parse_pieces(text: &str, variables_enabled: bool, wildcards: Wildcards) -> Vec<Piece> {
    let special = |b: u8| match b {
        b'*' | b'?' => wildcards == Wildcards::Recognised,
        b'$' => variables_enabled,
        _ => false,
    };
    let bytes = text.as_bytes();
    if !bytes.iter().any(|&b| special(b)) {
        return if text.is_empty() {
            Vec::new()
        } else {
            vec![Piece::Literal(text.into())]
        };
    }
    let mut pieces = Vec::new();
    let mut literal = Pending::Empty;
    let mut i = 0;
    while i < bytes.len() {
        let run = i;
        while bytes.get(i).is_some_and(|&b| !special(b)) {
            i += 1;
        }
        literal.push(text, run, i);
        let Some(&b) = bytes.get(i) else { break };
        match b {
            b'$' => {
                // `${…}` up to the first `}`; without one, or without the `{`, the
                // `$` is literal.
                let close = (bytes.get(i + 1) == Some(&b'{'))
                    .then(|| text.get(i..).and_then(|rest| rest.find('}')))
                    .flatten();
                match close {
                    Some(end) => {
                        let inner = text.get(i + 2..i + end).unwrap_or("");
                        match inner {
                            "*" | "?" | "$" => literal.push(text, i + 2, i + end),
                            _ => {
                                literal.flush(text, &mut pieces);
                                pieces.push(Piece::Variable(parse_variable(inner)));
                            }
                        }
                        i += end + 1;
                    }
                    None => {
                        literal.push(text, i, i + 1);
                        i += 1;
                    }
                }
            }
            b'*' => {
                literal.flush(text, &mut pieces);
                // `**` means the same as `*`; keeping one keeps the matcher linear.
                if pieces.last() != Some(&Piece::Star) {
                    pieces.push(Piece::Star);
                }
                i += 1;
            }
            _ => {
                literal.flush(text, &mut pieces);
                pieces.push(Piece::AnyChar);
                i += 1;
            }
        }
    }
    literal.flush(text, &mut pieces);
    pieces
}

/// Literal text waiting to become a piece: one run of the source text (copied once,
/// when flushed), or text gathered from several runs.
enum Pending {
    Empty,
    Run(usize, usize),
    Owned(String),
}

impl Pending {
    /// Appends `text[start..end]`.
    fn push(&mut self, text: &str, start: usize, end: usize) {
        if start >= end {
            return;
        }
        let part = text.get(start..end).unwrap_or("");
        *self = match std::mem::replace(self, Pending::Empty) {
            Pending::Empty => Pending::Run(start, end),
            Pending::Run(s, e) if e == start => Pending::Run(s, end),
            Pending::Run(s, e) => {
                let mut owned = String::from(text.get(s..e).unwrap_or(""));
                owned.push_str(part);
                Pending::Owned(owned)
            }
            Pending::Owned(mut owned) => {
                owned.push_str(part);
                Pending::Owned(owned)
            }
        };
    }

    fn flush(&mut self, text: &str, pieces: &mut Vec<Piece>) {
        match std::mem::replace(self, Pending::Empty) {
            Pending::Empty => {}
            Pending::Run(s, e) => pieces.push(Piece::Literal(text.get(s..e).unwrap_or("").into())),
            Pending::Owned(owned) => pieces.push(Piece::Literal(owned.into_boxed_str())),
        }
    }
}

/// `name` or `name, 'default'` (whitespace around the comma is allowed).
fn parse_variable(inner: &str) -> Variable {
    let (name, default) = match inner.split_once(',') {
        Some((name, tail)) => {
            let tail = tail.trim();
            let default = tail
                .strip_prefix('\'')
                .and_then(|t| t.strip_suffix('\''))
                .map(|d| d.to_owned().into_boxed_str());
            match default {
                Some(d) => (name, Some(d)),
                // Not of the `'default'` form: the whole text is taken as the key name,
                // which resolves to nothing, so the variable stays unresolvable.
                None => (inner, None),
            }
        }
        None => (inner, None),
    };
    let name = name.trim();
    Variable {
        key: name.to_ascii_lowercase().into_boxed_str(),
        key_as_written: name.to_owned().into_boxed_str(),
        default,
    }
}

/// True when any piece is a variable.
pub fn has_variables(pieces: &[Piece]) -> bool {
    pieces.iter().any(|p| matches!(p, Piece::Variable(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Piece {
        Piece::Literal(s.into())
    }

    #[test]
    fn wildcards_and_literals() {
        let p = parse_pieces("a*b?c", true, Wildcards::Recognised);
        assert_eq!(
            p,
            vec![lit("a"), Piece::Star, lit("b"), Piece::AnyChar, lit("c")]
        );
        let p = parse_pieces("a*b?c", true, Wildcards::Literal);
        assert_eq!(p, vec![lit("a*b?c")]);
    }

    #[test]
    fn escapes_are_literal_and_merge() {
        let p = parse_pieces("x${*}y${?}${$}z", true, Wildcards::Recognised);
        assert_eq!(p, vec![lit("x*y?$z")]);
    }

    #[test]
    fn variables_only_when_enabled() {
        let p = parse_pieces("home/${aws:username}/*", false, Wildcards::Recognised);
        assert_eq!(p, vec![lit("home/${aws:username}/"), Piece::Star]);
        let p = parse_pieces("home/${aws:UserName}/*", true, Wildcards::Recognised);
        assert!(
            matches!(&p[1], Piece::Variable(v) if &*v.key == "aws:username" && v.default.is_none())
        );
    }

    #[test]
    fn default_value() {
        let p = parse_pieces("${aws:PrincipalTag/team, 'none'}", true, Wildcards::Literal);
        assert!(
            matches!(&p[0], Piece::Variable(v) if &*v.key == "aws:principaltag/team" && v.default.as_deref() == Some("none"))
        );
    }

    /// The tokeniser as it was written first, char by char: the byte-walking one
    /// must cut every string the same way.
    fn reference(text: &str, variables_enabled: bool, wildcards: Wildcards) -> Vec<Piece> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let flush = |pieces: &mut Vec<Piece>, literal: &mut String| {
            if !literal.is_empty() {
                pieces.push(Piece::Literal(std::mem::take(literal).into_boxed_str()));
            }
        };
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if variables_enabled && rest.starts_with("${") {
                if let Some(end) = rest.find('}') {
                    let inner = &rest[2..end];
                    rest = &rest[end + 1..];
                    match inner {
                        "*" | "?" | "$" => literal.push_str(inner),
                        _ => {
                            flush(&mut pieces, &mut literal);
                            pieces.push(Piece::Variable(parse_variable(inner)));
                        }
                    }
                    continue;
                }
            }
            rest = &rest[c.len_utf8()..];
            match (c, wildcards) {
                ('*', Wildcards::Recognised) => {
                    flush(&mut pieces, &mut literal);
                    if pieces.last() != Some(&Piece::Star) {
                        pieces.push(Piece::Star);
                    }
                }
                ('?', Wildcards::Recognised) => {
                    flush(&mut pieces, &mut literal);
                    pieces.push(Piece::AnyChar);
                }
                _ => literal.push(c),
            }
        }
        flush(&mut pieces, &mut literal);
        pieces
    }

    #[test]
    fn byte_walk_agrees_with_the_char_by_char_reference() {
        // Every string of up to four tokens over an alphabet of the special
        // characters, a multi-byte one and plain text.
        let alphabet = ["a", "é", "*", "?", "$", "{", "}", "${", "${*}", "${a}", ":"];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |a| format!("{t}{a}")))
                .collect();
            texts.extend(longer);
        }
        texts.push("arn:aws:s3:::b/${aws:username, 'x'}/*?${$}${?}tail".into());
        for text in &texts {
            for vars in [true, false] {
                for w in [Wildcards::Recognised, Wildcards::Literal] {
                    assert_eq!(
                        parse_pieces(text, vars, w),
                        reference(text, vars, w),
                        "{text:?} {vars} {w:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn dollar_without_brace_and_unclosed() {
        assert_eq!(
            parse_pieces("$tmp", true, Wildcards::Recognised),
            vec![lit("$tmp")]
        );
        assert_eq!(
            parse_pieces("${open", true, Wildcards::Literal),
            vec![lit("${open")]
        );
    }
}
