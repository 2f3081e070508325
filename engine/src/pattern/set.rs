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
//! ARN entries with a wildcard before the resource part (`arn:aws:logs:*:*:log-group:x:*`)
//! are bucketed the same way by their resource part, and only the entries found there
//! have their first five segments checked. Tables of a few keys are scanned instead of
//! hashed, and hashing uses [`hash_str`] rather than SipHash: the keys come from the
//! policies being evaluated, not from an adversary probing a server.
//!
//! Every answer equals that of a linear scan over the entries; the tests check this.

use std::ops::ControlFlow;

use crate::pattern::action::ActionPattern;
use crate::pattern::arn::{split_arn, ArnPattern};
use crate::pattern::glob::{has_wildcards, match_pieces};
use crate::request::Context;
use crate::variables::{has_variables, parse_pieces, Piece, Wildcards};

const FX_SEED: u64 = 0xf135_7aea_2e62_a9c5;

/// Bytes `at..at + 8` of `s` as a little-endian word (0 when out of range).
#[inline]
fn word8(s: &[u8], at: usize) -> u64 {
    s.get(at..at + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
        .map_or(0, u64::from_le_bytes)
}

/// Bytes `at..at + 4` of `s` as a little-endian word (0 when out of range).
#[inline]
fn word4(s: &[u8], at: usize) -> u64 {
    s.get(at..at + 4)
        .and_then(|w| <[u8; 4]>::try_from(w).ok())
        .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
}

/// The last `s.len() % 8` bytes of `s` (fewer than 8), packed into one word with
/// overlapping reads; with the length mixed in, distinct tails give distinct words.
#[inline]
fn tail_word(s: &[u8]) -> u64 {
    let n = s.len();
    let rest = n % 8;
    let start = n - rest;
    let packed = if rest >= 4 {
        word4(s, start) | (word4(s, n - 4) << 32)
    } else if rest > 0 {
        let byte = |i: usize| u64::from(s.get(i).copied().unwrap_or(0));
        byte(start) | (byte(start + rest / 2) << 8) | (byte(n - 1) << 16)
    } else {
        0
    };
    packed ^ ((rest as u64) << 59)
}

/// An FxHash-style string hash (rustc's multiply-and-mix over 8-byte words): much
/// cheaper than SipHash on the short keys of the hot path (service prefixes, action
/// names, condition keys, ARNs). It is not DoS-resistant, which an offline evaluator
/// of its own inputs does not need. Equal strings hash equally; every lookup still
/// compares the strings themselves.
#[inline]
pub(crate) fn hash_str(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut hash = 0u64;
    let mut add = |word: u64| hash = (hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        add(<[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes));
    }
    add(tail_word(bytes));
    // A multiply only carries low bits upwards, and tables index with the low bits:
    // fold the high half down, mix once more, fold again.
    let mixed = (hash ^ (hash >> 32)).wrapping_mul(FX_SEED);
    mixed ^ (mixed >> 32)
}

/// Byte-string equality without a `memcmp` call for the short strings of the hot
/// path (up to 32 bytes: at most four overlapping word compares).
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        17..=32 => {
            word8(a, 0) == word8(b, 0)
                && word8(a, 8) == word8(b, 8)
                && word8(a, n - 16) == word8(b, n - 16)
                && word8(a, n - 8) == word8(b, n - 8)
        }
        // ARNs of one account share their first words: their last word usually
        // tells them apart without a `memcmp` call.
        _ => word8(a, n - 8) == word8(b, n - 8) && a == b,
    }
}

/// `text` without its prefix `prefix`, comparing with [`bytes_eq`].
#[inline]
fn strip_prefix<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.as_bytes().get(..prefix.len())?;
    if bytes_eq(head, prefix.as_bytes()) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

/// `text.ends_with(suffix)`, comparing with [`bytes_eq`].
#[inline]
fn ends_with(text: &str, suffix: &str) -> bool {
    text.len()
        .checked_sub(suffix.len())
        .and_then(|start| text.as_bytes().get(start..))
        .is_some_and(|tail| bytes_eq(tail, suffix.as_bytes()))
}

/// A variable-free glob whose test is one comparison. Short pattern lists made only
/// of these are tested one by one, which beats any bucket lookup for a handful of
/// entries.
#[derive(Debug, Clone)]
pub(crate) enum SimpleGlob {
    /// `*`.
    Any,
    /// Literal text.
    Exact(Box<str>),
    /// `literal*`.
    Prefix(Box<str>),
    /// `*literal`.
    Suffix(Box<str>),
}

/// Up to this many entries, a set whose entries are all [`SimpleGlob`]s is tested
/// entry by entry.
const SIMPLE_LIMIT: usize = 8;

impl SimpleGlob {
    /// The simple form of `pieces`, if it has one (variables never do).
    pub(crate) fn of(pieces: &[Piece]) -> Option<SimpleGlob> {
        match pieces {
            [] => Some(SimpleGlob::Exact("".into())),
            [Piece::Literal(text)] => Some(SimpleGlob::Exact(text.clone())),
            [Piece::Star] => Some(SimpleGlob::Any),
            [Piece::Literal(prefix), Piece::Star] => Some(SimpleGlob::Prefix(prefix.clone())),
            [Piece::Star, Piece::Literal(suffix)] => Some(SimpleGlob::Suffix(suffix.clone())),
            _ => None,
        }
    }

    #[inline]
    pub(crate) fn matches(&self, text: &str) -> bool {
        match self {
            SimpleGlob::Any => true,
            SimpleGlob::Exact(literal) => bytes_eq(text.as_bytes(), literal.as_bytes()),
            SimpleGlob::Prefix(prefix) => strip_prefix(text, prefix).is_some(),
            SimpleGlob::Suffix(suffix) => ends_with(text, suffix),
        }
    }
}

/// A string looked up in several [`StrMap`]s, hashed once (a request's service
/// prefix and action name).
#[derive(Debug, Clone, Copy)]
pub(crate) struct StrKey<'a> {
    pub(crate) text: &'a str,
    pub(crate) hash: u64,
}

impl<'a> StrKey<'a> {
    #[inline]
    pub(crate) fn new(text: &'a str) -> StrKey<'a> {
        StrKey {
            text,
            hash: hash_str(text),
        }
    }
}

/// Up to this many keys, a [`StrMap`] is scanned rather than probed.
const SCAN_LIMIT: usize = 8;

/// String keys → values, in insertion order. Up to [`SCAN_LIMIT`] keys it is a list
/// scanned by length then bytes; beyond, an open-addressing table over
/// [`hash_str`] hashes that lookups with a precomputed [`StrKey`] probe without
/// hashing again.
#[derive(Debug, Clone)]
pub(crate) struct StrMap<V> {
    keys: Vec<(u64, Box<str>)>,
    values: Vec<V>,
    /// Probe table: `index + 1` into `keys`, 0 for empty; empty while scanned.
    slots: Vec<u32>,
}

impl<V> Default for StrMap<V> {
    fn default() -> Self {
        StrMap {
            keys: Vec::new(),
            values: Vec::new(),
            slots: Vec::new(),
        }
    }
}

impl<V> StrMap<V> {
    /// The position of `text` (whose hash is `hash`) in `keys`.
    #[inline]
    fn position(&self, text: &str, hash: impl FnOnce() -> u64) -> Option<usize> {
        if self.slots.is_empty() {
            return self
                .keys
                .iter()
                .position(|(_, k)| bytes_eq(k.as_bytes(), text.as_bytes()));
        }
        let hash = hash();
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let slot = *self.slots.get(at)? as usize;
            let (key_hash, key) = self.keys.get(slot.checked_sub(1)?)?;
            if *key_hash == hash && bytes_eq(key.as_bytes(), text.as_bytes()) {
                return Some(slot - 1);
            }
            at = (at + 1) & mask;
        }
    }

    #[inline]
    pub(crate) fn get(&self, text: &str) -> Option<&V> {
        self.values.get(self.position(text, || hash_str(text))?)
    }

    #[inline]
    pub(crate) fn get_key(&self, key: &StrKey<'_>) -> Option<&V> {
        let at = if self.slots.is_empty() {
            // Compare hashes first: one word per entry instead of the bytes.
            self.keys.iter().position(|(hash, k)| {
                *hash == key.hash && bytes_eq(k.as_bytes(), key.text.as_bytes())
            })?
        } else {
            self.position(key.text, || key.hash)?
        };
        self.values.get(at)
    }

    /// The value of `key`, inserted with `make` if absent (always `Some`).
    pub(crate) fn get_or_insert_with(
        &mut self,
        key: &str,
        make: impl FnOnce() -> V,
    ) -> Option<&mut V> {
        let at = match self.position(key, || hash_str(key)) {
            Some(at) => at,
            None => {
                self.keys.push((hash_str(key), key.into()));
                self.values.push(make());
                self.rebuild_slots();
                self.values.len() - 1
            }
        };
        self.values.get_mut(at)
    }

    /// Keeps the probe table at most half full once there are more than
    /// [`SCAN_LIMIT`] keys.
    fn rebuild_slots(&mut self) {
        let n = self.keys.len();
        if n <= SCAN_LIMIT {
            return;
        }
        if self.slots.len() < 2 * n {
            self.slots = vec![0; (4 * n).next_power_of_two()];
            for i in 0..n - 1 {
                self.place(i);
            }
        }
        self.place(n - 1);
    }

    fn place(&mut self, i: usize) {
        let Some(&(hash, _)) = self.keys.get(i) else {
            return;
        };
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        while let Some(slot) = self.slots.get_mut(at) {
            if *slot == 0 {
                *slot = i as u32 + 1;
                return;
            }
            at = (at + 1) & mask;
        }
    }

    /// Every `(key, value)`, in insertion order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.keys.iter().map(|(_, k)| &**k).zip(&self.values)
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    fn is_scan(&self) -> bool {
        self.slots.is_empty()
    }
}

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
    by_service: StrMap<GlobBuckets>,
    /// Distinct services, in order of first appearance (stable for indexes and output).
    services: Vec<Box<str>>,
    /// For a short list of simple entries: (service hash, service, name glob), with
    /// `*` as an `Any` glob under the service `None`; tested one by one.
    simple: Option<Box<[SimpleAction]>>,
}

/// One entry of a short [`ActionPatternSet`]: `None` for `*`, else the service and
/// its simple name glob.
type SimpleAction = Option<(u64, Box<str>, SimpleGlob)>;

impl ActionPatternSet {
    /// Sorts `patterns` by service, then into buckets; indices keep referring to
    /// this order.
    pub fn new(patterns: Vec<ActionPattern>) -> ActionPatternSet {
        let mut any = None;
        let mut by_service: StrMap<GlobBuckets> = StrMap::default();
        let mut services = Vec::new();
        for (index, pattern) in patterns.iter().enumerate() {
            match (pattern.service(), pattern.name_pieces()) {
                (Some(service), Some(name)) => {
                    let buckets = by_service.get_or_insert_with(service, || {
                        services.push(Box::from(service));
                        GlobBuckets::default()
                    });
                    if let Some(buckets) = buckets {
                        buckets.insert(index, name);
                    }
                }
                _ => {
                    any.get_or_insert(index);
                }
            }
        }
        let simple = if patterns.len() <= SIMPLE_LIMIT {
            patterns
                .iter()
                .map(|pattern| match (pattern.service(), pattern.name_pieces()) {
                    (Some(service), Some(name)) => SimpleGlob::of(name)
                        .map(|glob| Some((hash_str(service), Box::from(service), glob))),
                    _ => Some(None),
                })
                .collect()
        } else {
            None
        };
        ActionPatternSet {
            patterns,
            any,
            by_service,
            services,
            simple,
        }
    }

    /// True when some entry covers the request action (both parts already ASCII
    /// lower-cased by the request).
    pub fn matches(&self, service_lc: &str, name_lc: &str) -> bool {
        self.matches_key(&StrKey::new(service_lc), &StrKey::new(name_lc))
    }

    /// [`ActionPatternSet::matches`] with the request's service and name hashed once
    /// per request.
    #[inline]
    pub(crate) fn matches_key(&self, service: &StrKey<'_>, name: &StrKey<'_>) -> bool {
        if let Some(simple) = &self.simple {
            return simple.iter().any(|entry| match entry {
                None => true,
                Some((hash, text, glob)) => {
                    *hash == service.hash
                        && bytes_eq(text.as_bytes(), service.text.as_bytes())
                        && glob.matches(name.text)
                }
            });
        }
        self.any.is_some()
            || self.by_service.get_key(service).is_some_and(|buckets| {
                buckets
                    .find(name.text, Some(name.hash), Search::AnyMatch, |_| true)
                    .is_some()
            })
    }

    /// The index (in the order given to [`ActionPatternSet::new`]) of the first entry
    /// that covers the request action, for explanations.
    pub fn first_match(&self, service_lc: &str, name_lc: &str) -> Option<usize> {
        let named = self
            .by_service
            .get(service_lc)
            .and_then(|buckets| buckets.find(name_lc, None, Search::FirstMatch, |_| true));
        match (self.any, named) {
            (Some(any), Some(named)) => Some(any.min(named)),
            (any, named) => any.or(named),
        }
    }

    /// The literal (wildcard-free) action names the entries of `service_lc` list,
    /// lower-cased; the compiled policy set indexes statements by them.
    pub(crate) fn exact_names(&self, service_lc: &str) -> impl Iterator<Item = &str> {
        self.by_service
            .get(service_lc)
            .into_iter()
            .flat_map(|buckets| buckets.exact.iter().map(|(name, _)| name))
    }

    /// The name globs with a wildcard among the entries of `service_lc`, in entry
    /// order (repeats included).
    pub(crate) fn wildcard_names<'s>(
        &'s self,
        service_lc: &'s str,
    ) -> impl Iterator<Item = &'s [Piece]> + 's {
        self.patterns.iter().filter_map(move |pattern| {
            pattern
                .name_pieces()
                .filter(|name| pattern.service() == Some(service_lc) && has_wildcards(name))
        })
    }

    /// True when some entry of `service_lc` has a wildcard in its name.
    pub(crate) fn has_wildcard_name(&self, service_lc: &str) -> bool {
        self.by_service
            .get(service_lc)
            .is_some_and(GlobBuckets::has_wildcards)
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

/// Which entries of a [`GlobIndex`] match a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GlobMatches {
    /// No entry.
    None,
    /// Exactly this entry.
    One(usize),
    /// Two or more entries.
    Several,
}

/// Distinct variable-free globs over one string, bucketed, telling which one matches
/// (or that several do). The compiled set keeps one per service for its statements'
/// wildcard action names, so a request finds the statements its name matches
/// without testing each statement's whole `Action` list.
#[derive(Debug, Clone, Default)]
pub(crate) struct GlobIndex {
    buckets: GlobBuckets,
    /// For a few entries that are all [`SimpleGlob`]s: those, tested one by one.
    simple: Option<Box<[SimpleGlob]>>,
}

impl GlobIndex {
    /// Buckets `globs`; entry `i` is the `i`-th glob.
    pub(crate) fn new<'p>(globs: impl IntoIterator<Item = &'p [Piece]>) -> GlobIndex {
        let globs: Vec<&[Piece]> = globs.into_iter().collect();
        let mut buckets = GlobBuckets::default();
        for (index, pieces) in globs.iter().enumerate() {
            buckets.insert(index, pieces);
        }
        let simple = if globs.len() <= SIMPLE_LIMIT {
            globs.iter().map(|pieces| SimpleGlob::of(pieces)).collect()
        } else {
            None
        };
        GlobIndex { buckets, simple }
    }

    /// The entries that match `text`, looking no further than a second one.
    #[inline]
    pub(crate) fn matches(&self, text: &StrKey<'_>) -> GlobMatches {
        if let Some(simple) = &self.simple {
            let mut found = GlobMatches::None;
            for (index, glob) in simple.iter().enumerate() {
                if glob.matches(text.text) {
                    if found != GlobMatches::None {
                        return GlobMatches::Several;
                    }
                    found = GlobMatches::One(index);
                }
            }
            return found;
        }
        let first = std::cell::Cell::new(None);
        // `find` stops at the first entry `accept` takes: take the second match.
        let second = self
            .buckets
            .find(text.text, Some(text.hash), Search::AnyMatch, |index| {
                if first.get().is_some() {
                    return true;
                }
                first.set(Some(index));
                false
            });
        match (first.get(), second) {
            (_, Some(_)) => GlobMatches::Several,
            (Some(index), None) => GlobMatches::One(index),
            (None, None) => GlobMatches::None,
        }
    }
}

/// What a bucket search looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Search {
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
    #[inline]
    fn wants(&self, index: usize) -> bool {
        self.index.is_none_or(|best| index < best)
    }

    #[inline]
    fn offer(&mut self, index: usize) {
        if self.wants(index) {
            self.index = Some(index);
        }
    }

    /// Whether the search can stop now.
    #[inline]
    fn done(&self) -> bool {
        self.search == Search::AnyMatch && self.index.is_some()
    }

    /// Offers the first index of ascending `indices` that `accept` takes.
    #[inline]
    fn offer_first(&mut self, indices: &[usize], accept: &impl Fn(usize) -> bool) {
        if let Some(&index) = indices
            .iter()
            .take_while(|&&index| self.wants(index))
            .find(|&&index| accept(index))
        {
            self.offer(index);
        }
    }
}

/// Variable-free globs over one string (a whole ARN, a resource part, or an action
/// name), bucketed. Every bucket keeps all its entries' indices, ascending, so that a
/// search can skip entries a caller's `accept` test rejects.
#[derive(Debug, Clone, Default)]
struct GlobBuckets {
    /// Entries that are just `*`.
    any: Vec<usize>,
    /// Literal entries → their indices.
    exact: StrMap<Vec<usize>>,
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

    #[inline]
    fn matches(&self, rest: &str) -> bool {
        match self {
            Tail::Anything => true,
            Tail::Suffix(suffix) => ends_with(rest, suffix),
            Tail::Glob(pieces) => match_pieces(pieces, rest, None),
        }
    }
}

impl GlobBuckets {
    fn insert_any(&mut self, index: usize) {
        self.any.push(index);
    }

    /// Files a variable-free glob under the cheapest bucket that can decide it.
    /// Indices must be inserted in ascending order.
    fn insert(&mut self, index: usize, pieces: &[Piece]) {
        match pieces {
            [Piece::Star] => self.insert_any(index),
            [] => self.insert_exact("", index),
            [Piece::Literal(literal)] => self.insert_exact(literal, index),
            [Piece::Literal(prefix), rest @ ..] => {
                self.prefixed.insert(prefix, (Tail::of(rest), index))
            }
            [Piece::Star, Piece::Literal(suffix)] => self.suffixed.insert(suffix, index),
            _ => self.general.push((index, pieces.to_vec())),
        }
    }

    fn insert_exact(&mut self, literal: &str, index: usize) {
        if let Some(list) = self.exact.get_or_insert_with(literal, Vec::new) {
            list.push(index);
        }
    }

    fn is_empty(&self) -> bool {
        self.any.is_empty()
            && self.exact.len() == 0
            && self.prefixed.is_empty()
            && self.suffixed.is_empty()
            && self.general.is_empty()
    }

    /// True when some entry is not a plain literal.
    fn has_wildcards(&self) -> bool {
        !(self.any.is_empty()
            && self.prefixed.is_empty()
            && self.suffixed.is_empty()
            && self.general.is_empty())
    }

    /// The index of a matching entry that `accept` takes (any, or the smallest, per
    /// `search`).
    #[inline]
    fn find(
        &self,
        text: &str,
        hash: Option<u64>,
        search: Search,
        accept: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let mut best = Best {
            search,
            index: None,
        };
        best.offer_first(&self.any, &accept);
        if best.done() {
            return best.index;
        }
        let exact = match hash {
            Some(hash) => self.exact.get_key(&StrKey { text, hash }),
            None => self.exact.get(text),
        };
        if let Some(indices) = exact {
            best.offer_first(indices, &accept);
            if best.done() {
                return best.index;
            }
        }
        let _ = self.prefixed.for_each_prefix(text, |rest, entries| {
            for (tail, index) in entries {
                if best.wants(*index) && tail.matches(rest) && accept(*index) {
                    best.offer(*index);
                    if best.done() {
                        return ControlFlow::Break(());
                    }
                }
            }
            ControlFlow::Continue(())
        });
        if best.done() {
            return best.index;
        }
        let _ = self.suffixed.for_each_suffix(text, |entries| {
            best.offer_first(entries, &accept);
            if best.done() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        if best.done() {
            return best.index;
        }
        for (index, pieces) in &self.general {
            if best.wants(*index) && match_pieces(pieces, text, None) && accept(*index) {
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
/// one hash lookup per distinct key length rather than one comparison per key (or,
/// for a few keys, by comparing each).
#[derive(Debug, Clone)]
struct AffixTable<T> {
    /// Distinct key lengths in bytes, ascending.
    lengths: Vec<usize>,
    entries: StrMap<Vec<T>>,
}

impl<T> Default for AffixTable<T> {
    fn default() -> Self {
        AffixTable {
            lengths: Vec::new(),
            entries: StrMap::default(),
        }
    }
}

impl<T> AffixTable<T> {
    fn insert(&mut self, key: &str, value: T) {
        if let Err(at) = self.lengths.binary_search(&key.len()) {
            self.lengths.insert(at, key.len());
        }
        if let Some(list) = self.entries.get_or_insert_with(key, Vec::new) {
            list.push(value);
        }
    }

    fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    /// Calls `f(rest of text after the key, entries)` for every key that starts `text`.
    #[inline]
    fn for_each_prefix<'t>(
        &self,
        text: &'t str,
        mut f: impl FnMut(&'t str, &[T]) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        if self.entries.is_scan() {
            for (key, values) in self.entries.iter() {
                if let Some(rest) = strip_prefix(text, key) {
                    f(rest, values)?;
                }
            }
            return ControlFlow::Continue(());
        }
        for &length in self
            .lengths
            .iter()
            .take_while(|&&length| length <= text.len())
        {
            let (Some(key), Some(rest)) = (text.get(..length), text.get(length..)) else {
                continue;
            };
            if let Some(values) = self.entries.get(key) {
                f(rest, values)?;
            }
        }
        ControlFlow::Continue(())
    }

    /// Calls `f(entries)` for every key that ends `text`.
    #[inline]
    fn for_each_suffix(
        &self,
        text: &str,
        mut f: impl FnMut(&[T]) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        if self.entries.is_scan() {
            for (key, values) in self.entries.iter() {
                if ends_with(text, key) {
                    f(values)?;
                }
            }
            return ControlFlow::Continue(());
        }
        for &length in self
            .lengths
            .iter()
            .take_while(|&&length| length <= text.len())
        {
            let Some(key) = text.get(text.len() - length..) else {
                continue;
            };
            if let Some(values) = self.entries.get(key) {
                f(values)?;
            }
        }
        ControlFlow::Continue(())
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
    fn hash_spreads_numbered_keys() {
        // Guards the probe tables: keys differing only in trailing digits must not
        // share a few slots (a plain multiply-hash left them in 2 of 1,024).
        for keys in [
            (0..200).map(|i| format!("svc{i:03}")).collect::<Vec<_>>(),
            (0..1000)
                .map(|i| format!("arn:aws:s3:::bucket-{i}"))
                .collect(),
            (0..150).map(|i| format!("getthing{i}")).collect(),
        ] {
            let mask = (keys.len() * 4).next_power_of_two() as u64 - 1;
            let slots: std::collections::BTreeSet<u64> =
                keys.iter().map(|k| hash_str(k) & mask).collect();
            assert!(slots.len() * 5 > keys.len() * 4, "{}", keys[0]);
        }
        assert_ne!(hash_str("ab"), hash_str("ab\0"));
        assert_ne!(hash_str(""), hash_str("\0"));
    }

    #[test]
    fn str_map_scans_then_probes() {
        let mut map: StrMap<usize> = StrMap::default();
        let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(map.get_or_insert_with(k, || i).copied(), Some(i));
            for (j, earlier) in keys.iter().take(i + 1).enumerate() {
                assert_eq!(map.get(earlier), Some(&j));
                assert_eq!(map.get_key(&StrKey::new(earlier)), Some(&j));
            }
            assert_eq!(map.get("absent"), None);
            assert_eq!(map.get_key(&StrKey::new("k")), None);
        }
        assert_eq!(map.len(), 100);
        assert!(bytes_eq(b"connect:describe", b"connect:describe"));
        assert!(!bytes_eq(b"connect:describe", b"connect:describf"));
        assert!(!bytes_eq(b"abcde", b"abcdf"));
        assert!(!bytes_eq(b"ab", b"ac"));
        // Every length up to 40, a difference at every position.
        for n in 0..40usize {
            let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(bytes_eq(&a, &a.clone()), "{n}");
            for i in 0..n {
                let mut b = a.clone();
                b[i] ^= 1;
                assert!(!bytes_eq(&a, &b), "{n} {i}");
            }
        }
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
