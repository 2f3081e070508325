//! The IAM wildcard language over catalog names: `*` is any run of characters
//! (possibly empty), `?` exactly one, everything else itself ignoring ASCII case.
//!
//! Catalog names are ASCII (checked when the catalog is built), so one byte of a
//! name is one character and `?` may consume one byte. The matcher is the usual
//! iterative one: on a mismatch it backs up to the last `*` only, so it is linear in
//! practice and never exponential.

/// One element of a compiled pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token {
    /// A literal byte, compared ignoring ASCII case.
    Byte(u8),
    /// `?`: exactly one character.
    One,
    /// `*`: any run of characters.
    Star,
}

/// Compiles a pattern where `*` and `?` are wildcards.
pub(crate) fn compile(pattern: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(pattern.len());
    for b in pattern.bytes() {
        let token = match b {
            b'*' => Token::Star,
            b'?' => Token::One,
            _ => Token::Byte(b),
        };
        // `**` is `*`; collapsing keeps the backtracking state small.
        if token == Token::Star && out.last() == Some(&Token::Star) {
            continue;
        }
        out.push(token);
    }
    out
}

/// Compiles a key name in which each `${Variable}` (or `<variable>`, as S3 writes
/// `s3:ExistingObjectTag/<key>`) stands for one or more characters
/// (`aws:ResourceTag/${TagKey}`), and everything else is literal.
pub(crate) fn compile_template(name: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(name.len());
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let close = match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => Some('}'),
            b'<' => Some('>'),
            _ => None,
        };
        if let Some(close) = close {
            if let Some(end) = name[i..].find(close) {
                out.push(Token::One);
                out.push(Token::Star);
                i += end + 1;
                continue;
            }
        }
        out.push(Token::Byte(bytes[i]));
        i += 1;
    }
    out
}

/// True when `name` has a `${…}` or `<…>` part.
pub(crate) fn is_template(name: &str) -> bool {
    name.find("${").is_some_and(|i| name[i..].contains('}'))
        || name.find('<').is_some_and(|i| name[i..].contains('>'))
}

/// True when the tokens match all of `text`.
pub(crate) fn matches(tokens: &[Token], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where to resume after the last `*`: (token after it, text position it covers to).
    let mut resume: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Star) => {
                resume = Some((p + 1, t));
                p += 1;
                continue;
            }
            Some(Token::One) => {
                p += 1;
                t += 1;
                continue;
            }
            Some(Token::Byte(b)) if b.eq_ignore_ascii_case(&text[t]) => {
                p += 1;
                t += 1;
                continue;
            }
            _ => {}
        }
        match resume {
            Some((after, covered)) => {
                p = after;
                t = covered + 1;
                resume = Some((after, covered + 1));
            }
            None => return false,
        }
    }
    tokens[p..].iter().all(|t| *t == Token::Star)
}

/// True when the pattern has no `*` or `?`.
pub(crate) fn is_literal(tokens: &[Token]) -> bool {
    tokens.iter().all(|t| matches!(t, Token::Byte(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, text: &str) -> bool {
        matches(&compile(pattern), text.as_bytes())
    }

    #[test]
    fn wildcards_and_case() {
        assert!(m("Describe*", "describeinstance"));
        assert!(m("*", ""));
        assert!(m("d?scribe*", "Describe"));
        assert!(!m("d?scribe", "dscribe"));
        assert!(m("*Instance", "DescribeInstance"));
        assert!(!m("*Instance", "DescribeInstances"));
        assert!(m("*a*b", "xaxxab"));
        assert!(!m("*a*b", "xaxxa"));
        assert!(!m("Get", "GetObject"));
        assert!(m("get*object", "GetObject"));
    }

    /// Guards the linear matcher: `*a*a*…b` on a long run of `a` must return quickly.
    #[test]
    fn adversarial_pattern_stays_fast() {
        let pattern = "*a".repeat(30) + "b";
        let text = "a".repeat(10_000);
        assert!(!m(&pattern, &text));
    }

    #[test]
    fn templates_need_at_least_one_character() {
        let t = compile_template("aws:ResourceTag/${TagKey}");
        assert!(matches(&t, b"aws:resourcetag/team"));
        assert!(!matches(&t, b"aws:ResourceTag/"));
        let t = compile_template("codebuild:secondarySources/${sourceIdentifier}.auth.type");
        assert!(matches(&t, b"codebuild:secondarySources/src1.auth.type"));
        assert!(!matches(&t, b"codebuild:secondarySources/src1.auth"));
        assert!(is_template("aws:ResourceTag/${TagKey}"));
        let t = compile_template("s3:ExistingObjectTag/<key>");
        assert!(matches(&t, b"s3:existingobjecttag/team"));
        assert!(!matches(&t, b"s3:existingobjecttag/"));
        assert!(!is_template("connect:HierarchyGroupL1Id/hierarchyGroupId"));
    }
}
