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
    // `secretsmanager:ResourceTag/tag-key`: the SAR's one spelling of a tag-key part
    // without `${…}`; AWS's own policies fill it with tag keys such as
    // `aws:secretsmanager:owningService`.
    if let Some(stem) = name
        .strip_suffix(TAG_KEY_WORD)
        .map(|stem| &name[..stem.len() + 1])
    {
        out.extend(stem.bytes().map(Token::Byte));
        out.extend([Token::One, Token::Star]);
        return out;
    }
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

/// The placeholder some SAR key names end with instead of `${TagKey}`.
const TAG_KEY_WORD: &str = "/tag-key";

/// True when `name` has a `${…}` or `<…>` part, or ends in `/tag-key`.
pub(crate) fn is_template(name: &str) -> bool {
    name.ends_with(TAG_KEY_WORD)
        || name.find("${").is_some_and(|i| name[i..].contains('}'))
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
        let t = compile_template("secretsmanager:ResourceTag/tag-key");
        assert!(is_template("secretsmanager:ResourceTag/tag-key"));
        assert!(matches(
            &t,
            b"secretsmanager:ResourceTag/aws:secretsmanager:owningService"
        ));
        assert!(!matches(&t, b"secretsmanager:ResourceTag/"));
    }
}

/// Compiles an ARN format (`arn:${Partition}:s3:::${BucketName}`) or a policy's
/// resource pattern for [`intersects`]: each `${…}` part (a placeholder, or a policy
/// variable whose value is not known here) becomes `*`; `*` and `?` are wildcards;
/// everything else is compared exactly, as IAM compares ARNs.
pub(crate) fn compile_arn(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'{') {
            if let Some(end) = text[i..].find('}') {
                if out.last() != Some(&Token::Star) {
                    out.push(Token::Star);
                }
                i += end + 1;
                continue;
            }
        }
        out.push(match bytes[i] {
            b'*' => Token::Star,
            b'?' => Token::One,
            b => Token::Byte(b),
        });
        i += 1;
    }
    out
}

/// True when some string matches both patterns (case-sensitive literals). A table
/// of reachable (i, j) positions: quadratic in the pattern lengths, never exponential.
pub(crate) fn intersects(a: &[Token], b: &[Token]) -> bool {
    let (n, m) = (a.len(), b.len());
    let mut reach = vec![false; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    reach[0] = true;
    for i in 0..=n {
        for j in 0..=m {
            if !reach[at(i, j)] {
                continue;
            }
            let pa = a.get(i);
            let pb = b.get(j);
            if pa == Some(&Token::Star) {
                reach[at(i + 1, j)] = true;
            }
            if pb == Some(&Token::Star) {
                reach[at(i, j + 1)] = true;
            }
            if let (Some(x), Some(y)) = (pa, pb) {
                let (xs, ys) = (*x == Token::Star, *y == Token::Star);
                if !xs && !ys {
                    let same = match (x, y) {
                        (Token::Byte(p), Token::Byte(q)) => p == q,
                        _ => true,
                    };
                    if same {
                        reach[at(i + 1, j + 1)] = true;
                    }
                } else if xs && !ys {
                    // a's `*` takes b's character.
                    reach[at(i, j + 1)] = true;
                } else if ys && !xs {
                    reach[at(i + 1, j)] = true;
                }
            }
        }
    }
    reach[at(n, m)]
}

/// Whether a policy resource pattern and an ARN format can meet. As IAM matches
/// ARNs, a wildcard stays within its field: both are split at their first five
/// colons and compared field by field (the last field, the resource, may hold more
/// colons). A pattern that is not an ARN (`*`) is compared whole.
pub(crate) fn arn_may_meet(pattern: &str, format: &str) -> bool {
    match (split_arn(pattern), split_arn(format)) {
        (Some(p), Some(f)) => p
            .iter()
            .zip(f.iter())
            .all(|(a, b)| intersects(&compile_arn(a), &compile_arn(b))),
        _ => intersects(&compile_arn(pattern), &compile_arn(format)),
    }
}

fn split_arn(s: &str) -> Option<[&str; 6]> {
    let mut parts = s.splitn(6, ':');
    let out = [
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    ];
    Some(out)
}

#[cfg(test)]
mod intersect_tests {
    use super::*;

    fn meet(a: &str, b: &str) -> bool {
        arn_may_meet(a, b)
    }

    #[test]
    fn arn_formats_and_patterns() {
        let object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        assert!(meet("arn:aws:s3:::b/*", object));
        assert!(!meet("arn:aws:s3:::b", object));
        assert!(meet("arn:aws:s3:::b", bucket));
        assert!(meet("*", object));
        assert!(meet("arn:aws:s3:::${aws:username}/*", object));
        assert!(!meet("arn:aws:ec2:*:*:instance/*", object));
        assert!(meet("arn:aws:s3:::b?", bucket));
        assert!(!meet("abc", "abd"));
        assert!(meet("a*c", "ab*"));
        assert!(!meet("a*c", "b*"));
        assert!(meet("", ""));
        assert!(!meet("a", ""));
        assert!(intersects(&compile_arn("a*c"), &compile_arn("*b*")));
        // Wildcards stay within their field.
        assert!(!meet(
            "arn:aws:logs:*:*:log-group:x:*",
            "arn:${Partition}:s3:::${BucketName}"
        ));
        let group = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";
        assert!(meet(
            "arn:aws:logs:*:*:log-group:/aws/connect/mycc:*",
            group
        ));
    }
}
