//! Step: policy strings → compiled matchers — pattern sets. One statement's `Action`
//! or `Resource` list (or a whole policy set's) is sorted into buckets the way
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
//! Every answer equals that of a linear scan over the entries; the tests check this.

use std::collections::HashMap;

use crate::pattern::action::ActionPattern;
use crate::pattern::arn::ArnPattern;
use crate::pattern::glob::match_pieces;
use crate::request::Context;
use crate::variables::{has_variables, Piece};

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
/// use iamsim_engine::pattern::arn::{ArnPattern, VariableScope};
/// use iamsim_engine::pattern::ResourcePatternSet;
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
    /// Indices (ascending) of entries that need [`ArnPattern::matches`]: policy
    /// variables, wildcards before the resource part, short patterns.
    general: Vec<usize>,
}

impl ResourcePatternSet {
    /// Sorts `patterns` into buckets; indices keep referring to this order.
    pub fn new(patterns: Vec<ArnPattern>) -> ResourcePatternSet {
        let mut buckets = GlobBuckets::default();
        let mut general = Vec::new();
        for (index, pattern) in patterns.iter().enumerate() {
            if pattern.is_any() {
                buckets.insert_any(index);
            } else if pattern.never_matches() {
                // A short pattern without a trailing `*` can neither match nor be
                // unresolved: no bucket needs it.
            } else {
                match pattern.whole_string_pieces() {
                    Some(pieces) if !has_variables(pieces) => buckets.insert(index, pieces),
                    _ => general.push(index),
                }
            }
        }
        ResourcePatternSet {
            patterns,
            buckets,
            general,
        }
    }

    /// Matches the request resource `text` (an ARN or `*`) against every entry.
    pub fn matches(&self, text: &str, context: &Context) -> SetMatch {
        let mut result = SetMatch {
            matched: self.buckets.find(text, Search::AnyMatch).is_some(),
            unresolved: false,
        };
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

    /// The index (in the order given to [`ResourcePatternSet::new`]) of the first
    /// entry that matches, for explanations.
    pub fn first_match(&self, text: &str, context: &Context) -> Option<usize> {
        let best = self.buckets.find(text, Search::FirstMatch);
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

/// The `Action`/`NotAction` entries of a statement (or of many), keyed by service.
///
/// ```
/// use iamsim_engine::pattern::{ActionPattern, ActionPatternSet};
///
/// let patterns = ["s3:Get*", "connect:DescribeUser"]
///     .iter()
///     .map(|text| ActionPattern::parse(text))
///     .collect::<Result<Vec<_>, _>>()?;
/// let set = ActionPatternSet::new(patterns);
/// assert!(set.matches("s3", "getobject"));
/// assert!(!set.matches("s3express", "getobject"));
/// assert_eq!(set.first_match("connect", "describeuser"), Some(1));
/// assert_eq!(set.services().collect::<Vec<_>>(), ["s3", "connect"]);
/// # Ok::<(), iamsim_engine::pattern::ActionPatternError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ActionPatternSet {
    patterns: Vec<ActionPattern>,
    /// The smallest index of a `*` entry.
    any: Option<usize>,
    /// Lower-cased service → its entries' name globs.
    by_service: HashMap<Box<str>, GlobBuckets>,
    /// Distinct services, in order of first appearance (stable for indexes and output).
    services: Vec<Box<str>>,
}

impl ActionPatternSet {
    /// Sorts `patterns` by service, then into buckets; indices keep referring to
    /// this order.
    pub fn new(patterns: Vec<ActionPattern>) -> ActionPatternSet {
        let mut any = None;
        let mut by_service: HashMap<Box<str>, GlobBuckets> = HashMap::new();
        let mut services = Vec::new();
        for (index, pattern) in patterns.iter().enumerate() {
            match (pattern.service(), pattern.name_pieces()) {
                (Some(service), Some(name)) => {
                    let buckets = by_service.entry(service.into()).or_insert_with(|| {
                        services.push(Box::from(service));
                        GlobBuckets::default()
                    });
                    buckets.insert(index, name);
                }
                _ => {
                    any.get_or_insert(index);
                }
            }
        }
        ActionPatternSet {
            patterns,
            any,
            by_service,
            services,
        }
    }

    /// True when some entry covers the request action (both parts already ASCII
    /// lower-cased by the request).
    pub fn matches(&self, service_lc: &str, name_lc: &str) -> bool {
        self.any.is_some()
            || self
                .by_service
                .get(service_lc)
                .is_some_and(|buckets| buckets.find(name_lc, Search::AnyMatch).is_some())
    }

    /// The index (in the order given to [`ActionPatternSet::new`]) of the first entry
    /// that covers the request action, for explanations.
    pub fn first_match(&self, service_lc: &str, name_lc: &str) -> Option<usize> {
        let named = self
            .by_service
            .get(service_lc)
            .and_then(|buckets| buckets.find(name_lc, Search::FirstMatch));
        match (self.any, named) {
            (Some(any), Some(named)) => Some(any.min(named)),
            (any, named) => any.or(named),
        }
    }

    /// The entries, in the order given.
    pub fn patterns(&self) -> &[ActionPattern] {
        &self.patterns
    }

    /// The distinct (lower-cased) services the entries name, in order of first
    /// appearance. A `*` entry names no service; see [`ActionPatternSet::has_any`].
    pub fn services(&self) -> impl Iterator<Item = &str> + '_ {
        self.services.iter().map(|service| &**service)
    }

    /// True when the set contains `*` (every action).
    pub fn has_any(&self) -> bool {
        self.any.is_some()
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

/// What a bucket search looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Search {
    /// Stop at the first entry that matches, whichever it is.
    AnyMatch,
    /// The smallest index among matching entries.
    FirstMatch,
}

/// The smallest matching index seen so far.
#[derive(Debug, Clone, Copy)]
struct Best {
    search: Search,
    index: Option<usize>,
}

impl Best {
    /// Whether an entry with `index` could still change the answer.
    fn wants(&self, index: usize) -> bool {
        self.index.is_none_or(|best| index < best)
    }

    fn offer(&mut self, index: usize) {
        if self.wants(index) {
            self.index = Some(index);
        }
    }

    /// Whether the search can stop now.
    fn done(&self) -> bool {
        self.search == Search::AnyMatch && self.index.is_some()
    }
}

/// Variable-free globs over one string (a whole ARN, or an action name), bucketed.
#[derive(Debug, Clone, Default)]
struct GlobBuckets {
    /// The smallest index of an entry that is just `*`.
    any: Option<usize>,
    /// Literal entries → smallest index.
    exact: HashMap<Box<str>, usize>,
    /// Entries that start with literal text: prefix → (what the rest must be, index).
    prefixed: AffixTable<(Tail, usize)>,
    /// `*literal` entries: suffix → indices.
    suffixed: AffixTable<usize>,
    /// Everything else (starts with `*` or `?` and is not `*literal`).
    general: Vec<(usize, Vec<Piece>)>,
}

/// What must follow a literal prefix.
#[derive(Debug, Clone)]
enum Tail {
    /// `prefix*`: anything.
    Anything,
    /// `prefix*suffix`: anything ending in the suffix.
    Suffix(Box<str>),
    /// Any other glob, matched against the rest of the text.
    Glob(Vec<Piece>),
}

impl Tail {
    fn of(rest: &[Piece]) -> Tail {
        match rest {
            [Piece::Star] => Tail::Anything,
            [Piece::Star, Piece::Literal(suffix)] => Tail::Suffix(suffix.clone()),
            _ => Tail::Glob(rest.to_vec()),
        }
    }

    fn matches(&self, rest: &str) -> bool {
        match self {
            Tail::Anything => true,
            Tail::Suffix(suffix) => rest.ends_with(&**suffix),
            Tail::Glob(pieces) => match_pieces(pieces, rest, None),
        }
    }
}

impl GlobBuckets {
    fn insert_any(&mut self, index: usize) {
        self.any.get_or_insert(index);
    }

    /// Files a variable-free glob under the cheapest bucket that can decide it.
    fn insert(&mut self, index: usize, pieces: &[Piece]) {
        match pieces {
            [Piece::Star] => self.insert_any(index),
            [] => {
                self.exact.entry("".into()).or_insert(index);
            }
            [Piece::Literal(literal)] => {
                self.exact.entry(literal.clone()).or_insert(index);
            }
            [Piece::Literal(prefix), rest @ ..] => {
                self.prefixed.insert(prefix, (Tail::of(rest), index))
            }
            [Piece::Star, Piece::Literal(suffix)] => self.suffixed.insert(suffix, index),
            _ => self.general.push((index, pieces.to_vec())),
        }
    }

    /// The index of a matching entry (any, or the smallest, per `search`).
    fn find(&self, text: &str, search: Search) -> Option<usize> {
        let mut best = Best {
            search,
            index: None,
        };
        if let Some(index) = self.any {
            best.offer(index);
        }
        if let Some(&index) = self.exact.get(text) {
            best.offer(index);
        }
        if best.done() {
            return best.index;
        }
        for (rest, entries) in self.prefixed.prefixes_of(text) {
            for (tail, index) in entries {
                if best.wants(*index) && tail.matches(rest) {
                    best.offer(*index);
                    if best.done() {
                        return best.index;
                    }
                }
            }
        }
        for (_, entries) in self.suffixed.suffixes_of(text) {
            if let Some(&index) = entries.iter().min() {
                best.offer(index);
                if best.done() {
                    return best.index;
                }
            }
        }
        for (index, pieces) in &self.general {
            if best.wants(*index) && match_pieces(pieces, text, None) {
                best.offer(*index);
                if best.done() {
                    return best.index;
                }
            }
        }
        best.index
    }
}

/// Literal keys of several lengths, found as prefixes (or suffixes) of a text with
/// one hash lookup per distinct key length rather than one comparison per key.
#[derive(Debug, Clone)]
struct AffixTable<T> {
    /// Distinct key lengths in bytes, ascending.
    lengths: Vec<usize>,
    entries: HashMap<Box<str>, Vec<T>>,
}

impl<T> Default for AffixTable<T> {
    fn default() -> Self {
        AffixTable {
            lengths: Vec::new(),
            entries: HashMap::new(),
        }
    }
}

impl<T> AffixTable<T> {
    fn insert(&mut self, key: &str, value: T) {
        if let Err(at) = self.lengths.binary_search(&key.len()) {
            self.lengths.insert(at, key.len());
        }
        self.entries.entry(key.into()).or_default().push(value);
    }

    /// `(rest of text after the key, entries)` for every key that starts `text`.
    fn prefixes_of<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (&'a str, &'a [T])> + 'a {
        self.lengths
            .iter()
            .take_while(move |&&length| length <= text.len())
            .filter_map(move |&length| {
                let (key, rest) = (text.get(..length)?, text.get(length..)?);
                self.entries
                    .get(key)
                    .map(|values| (rest, values.as_slice()))
            })
    }

    /// `(text before the key, entries)` for every key that ends `text`.
    fn suffixes_of<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (&'a str, &'a [T])> + 'a {
        self.lengths
            .iter()
            .take_while(move |&&length| length <= text.len())
            .filter_map(move |&length| {
                let split = text.len() - length;
                let (rest, key) = (text.get(..split)?, text.get(split..)?);
                self.entries
                    .get(key)
                    .map(|values| (rest, values.as_slice()))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::arn::VariableScope;
    use crate::pattern::ActionPatternError;

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
    ];

    #[test]
    fn resource_set_agrees_with_linear_scan() {
        let context = context();
        for skip in 0..RESOURCE_PATTERNS.len() {
            // Every rotation, so that each entry is sometimes first.
            let texts: Vec<&str> = RESOURCE_PATTERNS
                .iter()
                .cycle()
                .skip(skip)
                .take(RESOURCE_PATTERNS.len())
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

    fn action_set(texts: &[&str]) -> Result<ActionPatternSet, ActionPatternError> {
        Ok(ActionPatternSet::new(
            texts
                .iter()
                .map(|text| ActionPattern::parse(text))
                .collect::<Result<_, _>>()?,
        ))
    }

    const ACTION_PATTERNS: &[&str] = &[
        "s3:GetObject",
        "s3:Get*",
        "s3:*Object",
        "s3:Get*Policy",
        "s3:*Access*",
        "s3:?etObject",
        "s3:*",
        "s3express:*",
        "connect:Describe*",
        "connect:DescribeUser",
        "*",
        "logs:",
    ];

    const ACTIONS: &[(&str, &str)] = &[
        ("s3", "getobject"),
        ("s3", "getbucketpolicy"),
        ("s3", "putobject"),
        ("s3", "putaccesspointpolicy"),
        ("s3", "letobject"),
        ("s3", ""),
        ("s3express", "createsession"),
        ("connect", "describeuser"),
        ("connect", "listusers"),
        ("connect-campaigns", "describecampaign"),
        ("logs", ""),
        ("logs", "x"),
        ("", ""),
    ];

    #[test]
    fn action_set_agrees_with_linear_scan() -> Result<(), ActionPatternError> {
        for skip in 0..ACTION_PATTERNS.len() {
            for take in [1, 3, ACTION_PATTERNS.len()] {
                let texts: Vec<&str> = ACTION_PATTERNS
                    .iter()
                    .cycle()
                    .skip(skip)
                    .take(take)
                    .copied()
                    .collect();
                let set = action_set(&texts)?;
                for (service, name) in ACTIONS {
                    let first = set.patterns().iter().position(|p| p.matches(service, name));
                    assert_eq!(
                        set.matches(service, name),
                        first.is_some(),
                        "{service}:{name} {texts:?}"
                    );
                    assert_eq!(
                        set.first_match(service, name),
                        first,
                        "{service}:{name} {texts:?}"
                    );
                }
            }
        }
        Ok(())
    }

    #[test]
    fn action_set_services_and_any() -> Result<(), ActionPatternError> {
        let set = action_set(&["S3:GetObject", "connect:*", "s3:Put*"])?;
        assert_eq!(set.services().collect::<Vec<_>>(), ["s3", "connect"]);
        assert!(!set.has_any());
        assert_eq!(set.len(), 3);
        assert!(!set.is_empty());
        let set = action_set(&["*", "s3:GetObject"])?;
        assert!(set.has_any());
        assert_eq!(set.services().collect::<Vec<_>>(), ["s3"]);
        assert!(action_set(&[])?.is_empty());
        assert!(!action_set(&[])?.matches("s3", "getobject"));
        Ok(())
    }
}
