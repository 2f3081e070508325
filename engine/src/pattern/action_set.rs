//! Step 3, patterns: policy strings → compiled matchers — action sets. One statement's (or a
//! whole policy set's) `Action`/`NotAction` list keyed by service, with the action
//! names of each service bucketed, so a request is answered by a few lookups.

use crate::pattern::action::ActionPattern;
use crate::pattern::buckets::{GlobBuckets, Search, SimpleGlob, SIMPLE_LIMIT};
use crate::pattern::glob::has_wildcards;
use crate::pattern::pieces::Piece;
use crate::util::str_map::{bytes_eq, hash_str, StrKey, StrMap};

/// The `Action`/`NotAction` entries of a statement (or of many), keyed by service.
///
/// ```
/// use iamsim_engine::internal::pattern::{ActionPattern, ActionPatternSet};
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
/// # Ok::<(), iamsim_engine::internal::pattern::ActionPatternError>(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::ActionPatternError;

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
