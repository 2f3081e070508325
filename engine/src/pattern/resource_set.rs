//! Step 3, patterns: policy strings → compiled matchers — resource sets. One
//! statement's `Resource`/`NotResource` list (or a whole policy set's) is sorted into buckets the way
//! ripgrep's `globset` does, so a request is answered by a few hash lookups instead of
//! one glob per entry:
//!
//! | bucket | entries | found by |
//! |---|---|---|
//! | any | `*` | a flag |
//! | exact | no wildcard, no variable | one hash lookup |
//! | prefix | literal prefix, then `*`, `*literal`, or any other glob | one hash lookup per distinct prefix length, then the tail |
//! | suffix | `*` then a literal | one hash lookup per distinct suffix length |
//! | general | everything else, including policy variables | the full matcher, entry by entry |
//!
//! ARN entries with a wildcard before the resource part (`arn:aws:logs:*:*:log-group:x:*`)
//! are bucketed the same way by their resource part, and only the entries found there
//! have their first five segments checked. Tables of a few keys are scanned instead of
//! hashed, and hashing uses [`hash_str`] rather than SipHash: the keys come from the
//! policies being evaluated, not from an adversary probing a server.
//!
//! Every answer equals that of a linear scan over the entries; the tests check this.

use crate::pattern::arn::ArnPattern;
use crate::pattern::buckets::{GlobBuckets, Search, SimpleGlob, SIMPLE_LIMIT};
use crate::pattern::glob::match_pieces;
use crate::pattern::pieces::{has_variables, parse_pieces, Piece, Wildcards};
use crate::request::Context;
use crate::util::arn::split_arn;

/// The outcome of matching a request resource against a [`ResourcePatternSet`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetMatch {
    /// Some entry matched.
    pub matched: bool,
    /// Some entry held a policy variable the request could not resolve, and so
    /// matched nothing (SEMANTICS §5.10); explanations report it.
    pub unresolved: bool,
}

/// The `Resource`/`NotResource` entries of a statement (or of many), bucketed.
///
/// ```
/// use iamsim_engine::internal::pattern::arn::{ArnPattern, VariableScope};
/// use iamsim_engine::internal::pattern::ResourcePatternSet;
/// use iamsim_engine::request::Context;
///
/// let set = ResourcePatternSet::new(
///     ["arn:aws:s3:::acme", "arn:aws:s3:::acme/*"]
///         .iter()
///         .map(|text| ArnPattern::parse(text, true, VariableScope::ResourcePart))
///         .collect(),
/// );
/// let context = Context::new();
/// assert!(set.matches("arn:aws:s3:::acme/a.txt", &context).matched);
/// assert_eq!(set.first_match("arn:aws:s3:::acme", &context), Some(0));
/// assert!(!set.matches("arn:aws:s3:::acme-dev", &context).matched);
/// ```
#[derive(Debug, Clone)]
pub struct ResourcePatternSet {
    patterns: Vec<ArnPattern>,
    /// Entries matched as one variable-free glob over the whole string.
    buckets: GlobBuckets,
    /// Variable-free six-part entries with a wildcard before the resource part,
    /// bucketed by their resource part; `leading[i]` holds entry `i`'s first five
    /// parts, checked only for the entries the buckets find.
    segments: GlobBuckets,
    leading: Vec<Option<Box<[Segment; 5]>>>,
    /// Indices (ascending) of entries that need [`ArnPattern::matches`]: policy
    /// variables, short patterns.
    general: Vec<usize>,
    /// For a short list of exact, `prefix*`, `*suffix` or `*` entries: those entries,
    /// tested one by one instead of through the buckets.
    simple: Option<Box<[SimpleGlob]>>,
}

/// One of the first five parts of an ARN pattern, matched against the same part of
/// the request ARN.
#[derive(Debug, Clone)]
enum Segment {
    /// `*`.
    Any,
    /// Literal text (possibly empty).
    Literal(Box<str>),
    /// Any other glob.
    Glob(Vec<Piece>),
}

impl Segment {
    fn of(pieces: Vec<Piece>) -> Segment {
        match pieces.as_slice() {
            [Piece::Star] => Segment::Any,
            [] => Segment::Literal("".into()),
            [Piece::Literal(literal)] => Segment::Literal(literal.clone()),
            _ => Segment::Glob(pieces),
        }
    }

    #[inline]
    fn matches(&self, text: &str) -> bool {
        match self {
            Segment::Any => true,
            Segment::Literal(literal) => **literal == *text,
            Segment::Glob(pieces) => match_pieces(pieces, text, None),
        }
    }
}

/// The six parts of `pattern` when it is a variable-free six-part ARN pattern
/// matched part by part. Only entries without `$` qualify: there, `${…}` could have
/// been a variable or an escape, depending on how the entry was parsed.
fn segment_parts(pattern: &ArnPattern) -> Option<([Segment; 5], Vec<Piece>)> {
    let text = pattern.as_written();
    if pattern.has_variables() || text.contains('$') || pattern.whole_string_pieces().is_some() {
        return None;
    }
    let mut parts = text
        .splitn(6, ':')
        .map(|part| parse_pieces(part, false, Wildcards::Recognised));
    let leading = [
        Segment::of(parts.next()?),
        Segment::of(parts.next()?),
        Segment::of(parts.next()?),
        Segment::of(parts.next()?),
        Segment::of(parts.next()?),
    ];
    let resource = parts.next()?;
    Some((leading, resource))
}

impl ResourcePatternSet {
    /// Sorts `patterns` into buckets; indices keep referring to this order.
    pub fn new(patterns: Vec<ArnPattern>) -> ResourcePatternSet {
        let mut buckets = GlobBuckets::default();
        let mut segments = GlobBuckets::default();
        let mut leading = Vec::new();
        let mut general = Vec::new();
        for (index, pattern) in patterns.iter().enumerate() {
            if pattern.is_any() {
                buckets.insert_any(index);
            } else if pattern.never_matches() {
                // A short pattern without a trailing `*` can neither match nor be
                // unresolved: no bucket needs it.
            } else if let Some(pieces) = pattern
                .whole_string_pieces()
                .filter(|pieces| !has_variables(pieces))
            {
                buckets.insert(index, pieces);
            } else if let Some((lead, resource)) = segment_parts(pattern) {
                segments.insert(index, &resource);
                leading.resize_with(index + 1, || None);
                if let Some(slot) = leading.get_mut(index) {
                    *slot = Some(Box::new(lead));
                }
            } else {
                general.push(index);
            }
        }
        let simple = if patterns.len() <= SIMPLE_LIMIT {
            patterns
                .iter()
                .filter(|pattern| !pattern.never_matches())
                .map(|pattern| {
                    if pattern.is_any() {
                        return Some(SimpleGlob::Any);
                    }
                    pattern
                        .whole_string_pieces()
                        .filter(|pieces| !has_variables(pieces))
                        .and_then(SimpleGlob::of)
                })
                .collect()
        } else {
            None
        };
        ResourcePatternSet {
            patterns,
            buckets,
            segments,
            leading,
            general,
            simple,
        }
    }

    /// Matches the request resource `text` (an ARN or `*`) against every entry.
    pub fn matches(&self, text: &str, context: &Context) -> SetMatch {
        self.matches_split(text, || split_arn(text), context)
    }

    /// [`ResourcePatternSet::matches`], with the request's ARN split by the caller
    /// (once per request rather than once per statement); `split` is only called
    /// when some entry needs it.
    #[inline]
    pub(crate) fn matches_split<'t>(
        &self,
        text: &'t str,
        split: impl FnOnce() -> Option<[&'t str; 6]>,
        context: &Context,
    ) -> SetMatch {
        if let Some(simple) = &self.simple {
            // No variables: nothing can be unresolved.
            return SetMatch {
                matched: simple.iter().any(|glob| glob.matches(text)),
                unresolved: false,
            };
        }
        let mut result = SetMatch {
            matched: self
                .buckets
                .find(text, None, Search::AnyMatch, |_| true)
                .is_some(),
            unresolved: false,
        };
        if !result.matched && !self.segments.is_empty() {
            result.matched = self.find_segments(split(), Search::AnyMatch).is_some();
        }
        for pattern in self.general.iter().filter_map(|&i| self.patterns.get(i)) {
            if result.matched && result.unresolved {
                break;
            }
            if result.matched {
                // Only whether it would have been unresolved is still open.
                result.unresolved |= pattern.has_variables() && !pattern.all_resolvable(context);
                continue;
            }
            match pattern.matches(text, context) {
                Some(true) => result.matched = true,
                Some(false) => {}
                None => result.unresolved = true,
            }
        }
        result
    }

    /// The entry of the segment buckets that matches the split request ARN.
    fn find_segments(&self, split: Option<[&str; 6]>, search: Search) -> Option<usize> {
        let [s0, s1, s2, s3, s4, resource] = split?;
        let request = [s0, s1, s2, s3, s4];
        self.segments.find(resource, None, search, |index| {
            self.leading
                .get(index)
                .and_then(Option::as_deref)
                .is_some_and(|lead| lead.iter().zip(request).all(|(s, r)| s.matches(r)))
        })
    }

    /// The index (in the order given to [`ResourcePatternSet::new`]) of the first
    /// entry that matches, for explanations.
    pub fn first_match(&self, text: &str, context: &Context) -> Option<usize> {
        let whole = self.buckets.find(text, None, Search::FirstMatch, |_| true);
        let segments = if self.segments.is_empty() {
            None
        } else {
            self.find_segments(split_arn(text), Search::FirstMatch)
        };
        let best = match (whole, segments) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let general = self
            .general
            .iter()
            .copied()
            .take_while(|&index| best.is_none_or(|best| index < best))
            .find(|&index| {
                self.patterns
                    .get(index)
                    .and_then(|pattern| pattern.matches(text, context))
                    == Some(true)
            });
        general.or(best)
    }

    /// The entries, in the order given.
    pub fn patterns(&self) -> &[ArnPattern] {
        &self.patterns
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::arn::VariableScope;

    fn resource_set(texts: &[&str]) -> ResourcePatternSet {
        ResourcePatternSet::new(
            texts
                .iter()
                .map(|text| ArnPattern::parse(text, true, VariableScope::ResourcePart))
                .collect(),
        )
    }

    fn linear(
        set: &ResourcePatternSet,
        text: &str,
        context: &Context,
    ) -> (SetMatch, Option<usize>) {
        let results: Vec<_> = set
            .patterns()
            .iter()
            .map(|p| p.matches(text, context))
            .collect();
        let matched = results.contains(&Some(true));
        let unresolved = results.contains(&None);
        let first = results.iter().position(|r| *r == Some(true));
        (
            SetMatch {
                matched,
                unresolved,
            },
            first,
        )
    }

    fn context() -> Context {
        let mut context = Context::new();
        context.insert_str("aws:username", "alice");
        context
    }

    const RESOURCE_PATTERNS: &[&str] = &[
        "arn:aws:s3:::acme",
        "arn:aws:s3:::acme/*",
        "arn:aws:s3:::acme/*.csv",
        "arn:aws:s3:::acme/*/test/*",
        "arn:aws:s3:::home/${aws:username}/*",
        "arn:aws:s3:::team/${aws:PrincipalTag/team}/*",
        "arn:aws:s3:*:*:other/*",
        "arn:aws:logs:us-east-1:*",
        "arn:aws:logs:*:*:log-group:/aws/connect/mycc:*",
        "arn:aws:connect:us-east-1:111122223333:instance/abc",
        "arn:aws:connect:us-east-1:111122223333:instance/abc/*",
        "arn:aws:connect:us-east-1:111122223333:instance/abc/queue/q?",
        "arn:aws:s3",
        "arn:aws:s3:::acme",
        "arn:aws:logs:*:*:log-group:/aws/connect/*:*",
        "arn:aws:s3:*:*:acme/*.csv",
        "arn:aws:*:us-east-?:111122223333:instance/abc",
        "arn:aws:connect:*:111122223333:*",
        "arn:aws:connect:us-*:111122223333:instance/abc/queue/q?",
        "arn:aws:s3:*::*${*}x",
        "arn:*:s3:::",
        "*",
        "arn:aws:s3:::acme/*",
        "*.csv",
        "arn:aws:s3:::",
    ];

    const RESOURCE_TEXTS: &[&str] = &[
        "*",
        "",
        "arn:aws:s3:::acme",
        "arn:aws:s3:::acme-dev",
        "arn:aws:s3:::acme/a.csv",
        "arn:aws:s3:::acme/a.txt",
        "arn:aws:s3:::acme/x/test/y",
        "arn:aws:s3:::home/alice/x",
        "arn:aws:s3:::home/bob/x",
        "arn:aws:s3:::team/a/x",
        "arn:aws:s3:::other/x",
        "arn:aws:logs:us-east-1:1:log-group:x",
        "arn:aws:logs:us-west-2:1:log-group:/aws/connect/mycc:log-stream:s",
        "arn:aws:logs:us-west-2:1:log-group:/aws/connect/mycc-dev:log-stream:s",
        "arn:aws:connect:us-east-1:111122223333:instance/abc",
        "arn:aws:connect:us-east-1:111122223333:instance/abc/queue/q1",
        "arn:aws:connect:us-east-1:111122223333:instance/abcd",
        "arn:aws:s3",
        "arn:aws:s3:::*x",
        "arn:aws:s3:::acme/*x",
        "arn:aws:s3:::",
        "arn:aws:connect:us-east-2:111122223333:instance/abc",
        "arn:aws:connect:us-west-2:111122223333:instance/abc",
        "arn:aws:connect:eu-west-1:111122223333:instance/abc/queue/q1",
        "arn:aws:logs:eu-west-1:9:log-group:/aws/connect/x:log-stream:y",
        "arn:aws:logs:eu-west-1:9:log-group:/aws/connect/x",
    ];

    #[test]
    fn resource_set_agrees_with_linear_scan() {
        let context = context();
        // Every rotation, so that each entry is sometimes first; short windows too,
        // which take the entry-by-entry path when all their entries are simple.
        let windows = (0..RESOURCE_PATTERNS.len()).flat_map(|skip| {
            [1, 2, 3, 5, RESOURCE_PATTERNS.len()]
                .into_iter()
                .map(move |take| (skip, take))
        });
        for (skip, take) in windows {
            let texts: Vec<&str> = RESOURCE_PATTERNS
                .iter()
                .cycle()
                .skip(skip)
                .take(take)
                .copied()
                .collect();
            let set = resource_set(&texts);
            for text in RESOURCE_TEXTS {
                let (expected, first) = linear(&set, text, &context);
                assert_eq!(
                    set.matches(text, &context),
                    expected,
                    "{text} with {texts:?}"
                );
                assert_eq!(
                    set.first_match(text, &context),
                    first,
                    "{text} with {texts:?}"
                );
            }
        }
    }

    #[test]
    fn resource_set_star() {
        let set = resource_set(&["arn:aws:s3:::b", "*"]);
        assert!(set.matches("*", &Context::new()).matched);
        assert_eq!(set.first_match("*", &Context::new()), Some(1));
        assert_eq!(set.first_match("arn:aws:s3:::b", &Context::new()), Some(0));
    }

    #[test]
    fn resource_set_unresolved_reported_even_when_matched() {
        let set = resource_set(&["arn:aws:s3:::b/*", "arn:aws:s3:::b/${aws:userid}/*"]);
        let result = set.matches("arn:aws:s3:::b/x", &Context::new());
        assert_eq!(
            result,
            SetMatch {
                matched: true,
                unresolved: true
            }
        );
        let result = set.matches("arn:aws:s3:::c/x", &Context::new());
        assert_eq!(
            result,
            SetMatch {
                matched: false,
                unresolved: true
            }
        );
    }

    #[test]
    fn resource_set_buckets_literal_lists() {
        // Guards the bucketing: a long exact/prefix list must not reach the general matcher.
        let texts: Vec<String> = (0..1000)
            .map(|i| match i % 3 {
                0 => format!("arn:aws:s3:::bucket-{i}"),
                1 => format!("arn:aws:s3:::bucket-{i}/*"),
                _ => format!("arn:aws:connect:us-east-1:111122223333:instance/{i}/queue/*"),
            })
            .collect();
        let set = ResourcePatternSet::new(
            texts
                .iter()
                .map(|text| ArnPattern::parse(text, true, VariableScope::ResourcePart))
                .collect(),
        );
        assert!(set.general.is_empty());
        assert!(set.buckets.general.is_empty());
        assert_eq!(set.buckets.exact.len(), 334);
        let context = Context::new();
        assert_eq!(
            set.first_match("arn:aws:s3:::bucket-999", &context),
            Some(999)
        );
        assert_eq!(
            set.first_match("arn:aws:s3:::bucket-997/k", &context),
            Some(997)
        );
        assert_eq!(
            set.first_match(
                "arn:aws:connect:us-east-1:111122223333:instance/998/queue/q",
                &context
            ),
            Some(998)
        );
        assert_eq!(set.first_match("arn:aws:s3:::bucket-997", &context), None);
        assert!(!set.matches("arn:aws:s3:::bucket-1000", &context).matched);
    }

    #[test]
    fn resource_set_buckets_segment_patterns() {
        // Guards the segment buckets: wildcard-region lists are found by their
        // resource part, not scanned, and still agree with the linear scan.
        let texts: Vec<String> = (0..1000)
            .map(|i| match i % 4 {
                0 => format!("arn:aws:logs:*:*:log-group:/app/{i}:*"),
                1 => format!("arn:aws:logs:*:111122223333:log-group:/app/{i}"),
                2 => format!("arn:aws:s3:*:*:bucket-{i}/*.csv"),
                _ => format!("arn:aws:connect:us-*:*:instance/{i}/queue/q?"),
            })
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let set = resource_set(&refs);
        assert!(set.general.is_empty());
        let context = Context::new();
        let probes = [
            "arn:aws:logs:eu-west-1:9:log-group:/app/996:log-stream:s",
            "arn:aws:logs:eu-west-1:9:log-group:/app/997",
            "arn:aws:logs:eu-west-1:111122223333:log-group:/app/997",
            "arn:aws:logs:eu-west-1:111122223333:log-group:/app/997:x",
            "arn:aws:s3:::bucket-998/a.csv",
            "arn:aws:s3:::bucket-998/a.txt",
            "arn:aws:connect:us-east-1:1:instance/999/queue/q1",
            "arn:aws:connect:eu-west-1:1:instance/999/queue/q1",
            "arn:aws:connect:us-east-1:1:instance/999/queue/q12",
            "*",
        ];
        for text in probes {
            let (expected, first) = linear(&set, text, &context);
            assert_eq!(set.matches(text, &context), expected, "{text}");
            assert_eq!(set.first_match(text, &context), first, "{text}");
        }
        assert_eq!(
            set.first_match("arn:aws:logs:eu-west-1:9:log-group:/app/996:x", &context),
            Some(996)
        );
    }
}
