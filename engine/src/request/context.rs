//! Step 2, the request — its context: the condition keys a request carries, stored
//! lower-cased once, with buffers reused across a batch loop.

use crate::util::str_map::{bytes_eq, hash_str};
use std::cmp::Ordering;
use std::fmt;

/// A context value: one string or a set of strings (a multivalued key).
///
/// JSON booleans and numbers are normalised to their text (`true`, `10`) when a
/// context is built from JSON; an empty `Multi` is a present key with no values.
///
/// Its JSON form is a string for `Single` and an array of strings for `Multi`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum ContextValue {
    /// A single-valued key.
    Single(Box<str>),
    /// A multivalued key (a JSON array in the request).
    Multi(Vec<Box<str>>),
}

impl ContextValue {
    /// The values as a slice: one element for `Single`.
    pub fn values(&self) -> &[Box<str>] {
        match self {
            ContextValue::Single(v) => std::slice::from_ref(v),
            ContextValue::Multi(v) => v,
        }
    }
}

/// The request context: condition keys present in the request.
///
/// Key names compare case-insensitively (IAM User Guide, Condition element), so
/// they are stored lower-cased; the spelling the caller used is kept for messages.
///
/// Built for batch loops: [`Context::clear`] keeps the cleared entries' buffers, and
/// inserting a key that was there before the clear reuses them, so refilling a
/// context with the same keys request after request allocates nothing but the
/// values the caller passes in.
#[derive(Default)]
pub struct Context {
    /// Sorted by lower-cased key; at most one entry per key.
    entries: Vec<ContextEntry>,
    /// Entries removed by `clear`, in no order, kept for their buffers.
    spare: Vec<ContextEntry>,
    /// `spare[i].hash`, packed so that looking for a key scans words, not entries.
    spare_hashes: Vec<u64>,
    /// Scratch buffer for lower-casing a key being inserted.
    scratch: String,
}

/// At most this many cleared entries are kept for reuse.
const SPARE_LIMIT: usize = 256;

#[derive(Clone, PartialEq, Eq)]
struct ContextEntry {
    key: Box<str>,
    /// [`hash_str`] of `key`, so lookups by a precomputed hash compare words first.
    hash: u64,
    key_as_written: Box<str>,
    value: ContextValue,
}

impl fmt::Debug for ContextEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContextEntry")
            .field("key", &self.key)
            .field("key_as_written", &self.key_as_written)
            .field("value", &self.value)
            .finish()
    }
}

/// JSON form: an object from each key, as the caller spelled it, to its value, in
/// the order of [`Context::iter`].
impl serde::Serialize for Context {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self.iter() {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("entries", &self.entries)
            .finish()
    }
}

impl Clone for Context {
    fn clone(&self) -> Self {
        Context {
            entries: self.entries.clone(),
            spare: Vec::new(),
            spare_hashes: Vec::new(),
            scratch: String::new(),
        }
    }
}

impl PartialEq for Context {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl Eq for Context {}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (any case) to `value`, replacing an earlier value of the same key.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        self.insert_with(key, move |slot| match slot {
            Some(slot) => {
                *slot = value;
                None
            }
            None => Some(value),
        });
    }

    /// Sets `key` (any case) to a copy of `value`, reusing the buffers of an earlier
    /// (or cleared) value when it is the same, so a batch loop that refills a context
    /// with the same keys and values allocates nothing.
    pub fn insert_ref(&mut self, key: &str, value: &ContextValue) {
        self.insert_with(key, |slot| match slot {
            Some(slot) => {
                if *slot != *value {
                    slot.clone_from(value);
                }
                None
            }
            None => Some(value.clone()),
        });
    }

    /// Copies every key of `other` into this context (replacing keys already here),
    /// as [`Context::insert_ref`] does.
    pub fn merge_from(&mut self, other: &Context) {
        // The other context's keys are already lower-cased and hashed.
        for e in &other.entries {
            self.place(&e.key_as_written, &e.key, e.hash, |slot| match slot {
                Some(slot) => {
                    if *slot != e.value {
                        slot.clone_from(&e.value);
                    }
                    None
                }
                None => Some(e.value.clone()),
            });
        }
    }

    /// Finds or makes the entry of `key`; `set(Some(old))` updates a kept value in
    /// place, `set(None)` returns the value of a brand-new entry.
    fn insert_with(
        &mut self,
        key: &str,
        set: impl FnOnce(Option<&mut ContextValue>) -> Option<ContextValue>,
    ) {
        let mut lower = std::mem::take(&mut self.scratch);
        lower.clear();
        lower.push_str(key);
        lower.make_ascii_lowercase();
        let hash = hash_str(&lower);
        self.place(key, &lower, hash, set);
        self.scratch = lower;
    }

    /// [`Context::insert_with`] for a key already lower-cased (`lower`) and hashed.
    fn place(
        &mut self,
        key: &str,
        lower: &str,
        hash: u64,
        set: impl FnOnce(Option<&mut ContextValue>) -> Option<ContextValue>,
    ) {
        let same =
            |e: &ContextEntry| e.hash == hash && bytes_eq(e.key.as_bytes(), lower.as_bytes());
        // Keys often arrive in sorted order (merging another context): try the end
        // first, then binary search.
        let position = match self.entries.last().map(|e| (*e.key).cmp(lower)) {
            None | Some(Ordering::Less) => Err(self.entries.len()),
            Some(Ordering::Equal) => Ok(self.entries.len() - 1),
            Some(Ordering::Greater) => self.entries.binary_search_by(|e| (*e.key).cmp(lower)),
        };
        match position {
            Ok(i) => {
                if let Some(entry) = self.entries.get_mut(i) {
                    let _ = set(Some(&mut entry.value));
                    if *entry.key_as_written != *key {
                        entry.key_as_written = key.into();
                    }
                }
            }
            Err(at) => {
                let found = self
                    .spare_hashes
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| **h == hash)
                    .map(|(i, _)| i)
                    .find(|&i| self.spare.get(i).is_some_and(same));
                let entry = match found {
                    Some(found) => {
                        self.spare_hashes.swap_remove(found);
                        let mut entry = self.spare.swap_remove(found);
                        if let Some(value) = set(Some(&mut entry.value)) {
                            entry.value = value;
                        }
                        if *entry.key_as_written != *key {
                            entry.key_as_written = key.into();
                        }
                        Some(entry)
                    }
                    None => set(None).map(|value| ContextEntry {
                        key: lower.into(),
                        hash,
                        key_as_written: key.into(),
                        value,
                    }),
                };
                if let Some(entry) = entry {
                    self.entries.insert(at, entry);
                }
            }
        }
    }

    /// The position of `key`'s entry (any case), for [`Context::set_single_at`].
    /// Positions stay valid until a key is inserted or the context is cleared.
    pub fn position(&self, key: &str) -> Option<usize> {
        let found = |lower: &str| self.entries.binary_search_by(|e| (*e.key).cmp(lower)).ok();
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            found(&key.to_ascii_lowercase())
        } else {
            found(key)
        }
    }

    /// Sets the entry at `position` (from [`Context::position`]) to the single value
    /// `value`, spelled `key` (the same key in any case), without searching for it
    /// and, when the old value has the same length, without allocating: a batch
    /// loop that refills the same keys row after row pays for neither.
    /// Returns false, changing nothing, when `position` is out of range or holds
    /// another key.
    pub fn set_single_at(&mut self, position: usize, key: &str, value: &str) -> bool {
        let Some(entry) = self.entries.get_mut(position) else {
            return false;
        };
        // Rows usually spell a key the same way every time: one comparison.
        if *entry.key_as_written != *key {
            if !entry.key.eq_ignore_ascii_case(key) {
                return false;
            }
            entry.key_as_written = key.into();
        }
        match &mut entry.value {
            ContextValue::Single(old) if **old == *value => {}
            ContextValue::Single(old) => {
                // `into_string` and, with an equal length, `into_boxed_str` reuse the
                // buffer.
                let mut text = std::mem::take(old).into_string();
                text.clear();
                text.push_str(value);
                *old = text.into_boxed_str();
            }
            other => *other = ContextValue::Single(value.into()),
        }
        true
    }

    /// Sets a single-valued key.
    pub fn insert_str(&mut self, key: &str, value: &str) {
        self.insert(key, ContextValue::Single(value.into()));
    }

    /// True when `key` (any case) is present.
    pub fn contains(&self, key: &str) -> bool {
        self.get_any_case(key).is_some()
    }

    /// Looks up an already lower-cased key. This is the hot-path lookup: compiled
    /// conditions lower-case their key once at compile time.
    pub fn get(&self, lowercase_key: &str) -> Option<&ContextValue> {
        self.entries
            .binary_search_by(|e| (*e.key).cmp(lowercase_key))
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|e| &e.value)
    }

    /// [`Context::get`] with the key's [`hash_str`] computed once, at compile time:
    /// the entries' hashes are compared first, then the one key that may match.
    #[inline]
    pub(crate) fn get_hashed(&self, lowercase_key: &str, hash: u64) -> Option<&ContextValue> {
        if self.entries.len() > 32 {
            return self.get(lowercase_key);
        }
        self.entries
            .iter()
            .find(|e| e.hash == hash && bytes_eq(e.key.as_bytes(), lowercase_key.as_bytes()))
            .map(|e| &e.value)
    }

    /// Looks up a key in any case (allocates only for keys with upper-case letters).
    pub fn get_any_case(&self, key: &str) -> Option<&ContextValue> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.get(&key.to_ascii_lowercase())
        } else {
            self.get(key)
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no key is present.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `(key as written, value)` pairs, ordered by lower-cased key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|e| (&*e.key_as_written, &e.value))
    }

    /// Removes every key, keeping the allocations (batch loops reuse one context):
    /// the entries' buffers are reused by later inserts of the same keys.
    pub fn clear(&mut self) {
        self.spare_hashes
            .extend(self.entries.iter().map(|e| e.hash));
        if self.spare.is_empty() {
            std::mem::swap(&mut self.entries, &mut self.spare);
        } else {
            self.spare.append(&mut self.entries);
        }
        self.spare.truncate(SPARE_LIMIT);
        self.spare_hashes.truncate(SPARE_LIMIT);
    }
}
