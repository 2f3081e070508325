//! Step 3, patterns: policy strings → compiled matchers — buckets. Variable-free globs over one
//! string, sorted the way ripgrep's `globset` does (any, exact, prefix, suffix,
//! general), plus the short-list form ([`SimpleGlob`]) and the per-service index of
//! wildcard action names ([`GlobIndex`]) the compiled set keeps.

use std::ops::ControlFlow;

use crate::pattern::glob::match_pieces;
use crate::pattern::pieces::Piece;
use crate::util::str_map::{bytes_eq, ends_with, strip_prefix, StrKey, StrMap};

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
pub(crate) const SIMPLE_LIMIT: usize = 8;

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
pub(crate) struct GlobBuckets {
    /// Entries that are just `*`.
    any: Vec<usize>,
    /// Literal entries → their indices.
    pub(crate) exact: StrMap<Vec<usize>>,
    /// Entries that start with literal text: prefix → (what the rest must be, index).
    prefixed: AffixTable<(Tail, usize)>,
    /// `*literal` entries: suffix → indices.
    suffixed: AffixTable<usize>,
    /// Everything else (starts with `*` or `?` and is not `*literal`).
    pub(crate) general: Vec<(usize, Vec<Piece>)>,
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
    pub(crate) fn insert_any(&mut self, index: usize) {
        self.any.push(index);
    }

    /// Files a variable-free glob under the cheapest bucket that can decide it.
    /// Indices must be inserted in ascending order.
    pub(crate) fn insert(&mut self, index: usize, pieces: &[Piece]) {
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

    pub(crate) fn is_empty(&self) -> bool {
        self.any.is_empty()
            && self.exact.len() == 0
            && self.prefixed.is_empty()
            && self.suffixed.is_empty()
            && self.general.is_empty()
    }

    /// True when some entry is not a plain literal.
    pub(crate) fn has_wildcards(&self) -> bool {
        !(self.any.is_empty()
            && self.prefixed.is_empty()
            && self.suffixed.is_empty()
            && self.general.is_empty())
    }

    /// The index of a matching entry that `accept` takes (any, or the smallest, per
    /// `search`).
    #[inline]
    pub(crate) fn find(
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
