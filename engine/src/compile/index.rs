//! Step 6, compile — the service index: which statements of a layer can name a
//! request's action, found by a few lookups instead of testing every statement.

use super::CompiledStatement;
use crate::model::Effect;
use crate::pattern::buckets::{GlobIndex, GlobMatches};
use crate::pattern::pieces::Piece;
use crate::util::str_map::{StrKey, StrMap};

/// Statement indices per lower-cased service and action name, plus the ones that can
/// match any service (`*`, `NotAction`); all lists ascending, each entry a
/// statement index with [`ACTION_KNOWN`] set when the statement's action element is
/// already known to match every request that reaches the list.
///
/// Within a service, every action name some statement lists literally has the
/// complete list of statements whose `Action` covers it (those listing it, and those
/// whose wildcard entries match it, found at compile time). Any other name can only
/// be matched by wildcard entries: the service's distinct wildcard names are
/// bucketed, and when exactly one of them matches, its statements are the
/// candidates. So a request visits only statements whose action element is already
/// known to match, except when several wildcard names match, or the service is too
/// large to precompute, or a `NotAction` is in play.
#[derive(Debug, Default)]
pub(crate) struct ServiceIndex {
    /// By the layer's service slot; shorter when the last services have no
    /// statement of this effect.
    by_slot: Vec<ServiceEntry>,
    any_service: Vec<u32>,
    /// No statement of the effect.
    empty: bool,
}

/// Set on an index entry when its statement's action element is known to match.
pub(crate) const ACTION_KNOWN: u32 = 1 << 31;

/// One service's statements within a [`ServiceIndex`].
#[derive(Debug, Default)]
struct ServiceEntry {
    /// Listed action name → every statement whose `Action` covers it. `None` when
    /// the service has too many names × wildcard statements to precompute; then
    /// `wildcard` holds all its statements.
    by_name: Option<StrMap<Vec<u32>>>,
    /// The distinct wildcard names of the service's statements; the statements with
    /// entry `i` are `by_wildcard_name[i]`.
    wildcard_names: GlobIndex,
    by_wildcard_name: Vec<Vec<u32>>,
    /// The statements with a wildcard entry for this service, for names that
    /// several wildcard names match; `service:*` statements are marked known.
    wildcard: Vec<u32>,
}

/// Above this many (name, wildcard statement) pairs in one service, its name lists
/// are not precomputed (compile time and memory would grow as their product).
const MAX_NAME_PAIRS: usize = 1 << 20;

impl ServiceIndex {
    /// Indexes the statements of `effect`, numbering new services in `slots`.
    pub(crate) fn build(
        statements: &[CompiledStatement],
        effect: Effect,
        slots: &mut StrMap<u32>,
    ) -> ServiceIndex {
        let mut any_service = Vec::new();
        // Per service: (statements naming it, those with a wildcard name for it).
        let mut services: StrMap<(Vec<u32>, Vec<u32>)> = StrMap::default();
        for (i, s) in statements.iter().enumerate() {
            if s.effect != effect {
                continue;
            }
            let i = i as u32;
            // NotAction and `*` can match any service; everything else only its own.
            if s.not_action || s.actions.has_any() {
                // `*` matches every action; what a NotAction excludes must be tested.
                any_service.push(if s.not_action { i } else { i | ACTION_KNOWN });
                continue;
            }
            for service in s.actions.services() {
                if let Some((all, wildcard)) =
                    services.get_or_insert_with(service, Default::default)
                {
                    all.push(i);
                    if s.actions.has_wildcard_name(service) {
                        wildcard.push(i);
                    }
                }
            }
        }
        let statement = |i: u32| statements.get(i as usize);
        // `service:*` matches every name of the service.
        let mark_whole_service = |service: &str, i: u32| {
            let whole = statement(i).is_some_and(|s| {
                s.actions
                    .wildcard_names(service)
                    .any(|name| matches!(name, [Piece::Star]))
            });
            if whole {
                i | ACTION_KNOWN
            } else {
                i
            }
        };
        let mut by_slot: Vec<ServiceEntry> = Vec::new();
        for (service, (all, wildcard)) in services.iter() {
            let mut names: StrMap<Vec<u32>> = StrMap::default();
            for s in all.iter().filter_map(|&i| statement(i)) {
                for name in s.actions.exact_names(service) {
                    let _ = names.get_or_insert_with(name, Vec::new);
                }
            }
            let entry = if names.len().saturating_mul(wildcard.len()) > MAX_NAME_PAIRS {
                ServiceEntry {
                    by_name: None,
                    wildcard: all
                        .iter()
                        .map(|&i| mark_whole_service(service, i))
                        .collect(),
                    ..ServiceEntry::default()
                }
            } else {
                let mut by_name: StrMap<Vec<u32>> = StrMap::default();
                for (name, _) in names.iter() {
                    let covering = all
                        .iter()
                        .copied()
                        .filter(|&i| statement(i).is_some_and(|s| s.actions.matches(service, name)))
                        .map(|i| i | ACTION_KNOWN)
                        .collect();
                    if let Some(slot) = by_name.get_or_insert_with(name, Vec::new) {
                        *slot = covering;
                    }
                }
                // Distinct wildcard names, each with the statements listing it.
                let mut distinct: Vec<(&[Piece], Vec<u32>)> = Vec::new();
                for &i in wildcard {
                    let Some(s) = statement(i) else { continue };
                    for name in s.actions.wildcard_names(service) {
                        let at = match distinct.iter().position(|(n, _)| *n == name) {
                            Some(at) => at,
                            None => {
                                distinct.push((name, Vec::new()));
                                distinct.len() - 1
                            }
                        };
                        if let Some((_, list)) = distinct.get_mut(at) {
                            if list.last() != Some(&(i | ACTION_KNOWN)) {
                                list.push(i | ACTION_KNOWN);
                            }
                        }
                    }
                }
                ServiceEntry {
                    by_name: Some(by_name),
                    wildcard_names: GlobIndex::new(distinct.iter().map(|(name, _)| *name)),
                    by_wildcard_name: distinct.into_iter().map(|(_, list)| list).collect(),
                    wildcard: wildcard
                        .iter()
                        .map(|&i| mark_whole_service(service, i))
                        .collect(),
                }
            };
            let next = slots.len() as u32;
            let slot = slots.get_or_insert_with(service, || next).map_or(0, |s| *s) as usize;
            if by_slot.len() <= slot {
                by_slot.resize_with(slot + 1, ServiceEntry::default);
            }
            if let Some(at) = by_slot.get_mut(slot) {
                *at = entry;
            }
        }
        ServiceIndex {
            empty: services.len() == 0 && any_service.is_empty(),
            by_slot,
            any_service,
        }
    }

    /// True when no statement of the effect is indexed.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.empty
    }

    /// The candidate statements for the action `service:name` (both lower-cased;
    /// the service by its [`CompiledLayer::service_slot`]), in statement order, each
    /// once, with whether its action element is already known to match.
    #[inline]
    pub(crate) fn candidates<'a>(
        &'a self,
        service_slot: Option<u32>,
        name: &StrKey<'_>,
    ) -> Candidates<'a> {
        let entry = service_slot.and_then(|slot| self.by_slot.get(slot as usize));
        let specific: &[u32] = match entry {
            None => &[],
            Some(entry) => match &entry.by_name {
                None => &entry.wildcard,
                Some(names) => match names.get_key(name) {
                    Some(covering) => covering,
                    None => match entry.wildcard_names.matches(name) {
                        // No listed name and no wildcard name matches.
                        GlobMatches::None => &[],
                        GlobMatches::One(at) => entry
                            .by_wildcard_name
                            .get(at)
                            .map_or(&entry.wildcard, Vec::as_slice),
                        GlobMatches::Several => &entry.wildcard,
                    },
                },
            },
        };
        Candidates {
            a: specific,
            b: &self.any_service,
        }
    }
}

/// Merges two ascending index lists that share no statement: the service's, and
/// the any-service statements.
pub(crate) struct Candidates<'a> {
    a: &'a [u32],
    b: &'a [u32],
}

impl Iterator for Candidates<'_> {
    /// (statement index, action already known to match)
    type Item = (u32, bool);

    #[inline]
    fn next(&mut self) -> Option<(u32, bool)> {
        let entry = match (self.a.split_first(), self.b.split_first()) {
            (Some((&x, rest)), Some((&y, _))) if x & !ACTION_KNOWN < y & !ACTION_KNOWN => {
                self.a = rest;
                x
            }
            (_, Some((&y, rest))) => {
                self.b = rest;
                y
            }
            (Some((&x, rest)), None) => {
                self.a = rest;
                x
            }
            (None, None) => return None,
        };
        Some((entry & !ACTION_KNOWN, entry & ACTION_KNOWN != 0))
    }
}
