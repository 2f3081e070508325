//! Step: the request, normalised once. A [`Request`] carries the caller, action,
//! resource and context; building it lower-cases the action, splits the service
//! prefix, splits the resource ARN and classifies the caller, so that evaluation
//! itself never allocates or re-parses.

/// A context value: one string or a set of strings (a multivalued key).
///
/// JSON booleans and numbers are normalised to their text (`true`, `10`) when a
/// context is built from JSON; an empty `Multi` is a present key with no values.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// Sorted by lower-cased key; at most one entry per key.
    entries: Vec<ContextEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ContextEntry {
    key: Box<str>,
    key_as_written: Box<str>,
    value: ContextValue,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (any case) to `value`, replacing an earlier value of the same key.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        let lower = key.to_ascii_lowercase();
        match self.entries.binary_search_by(|e| (*e.key).cmp(lower.as_str())) {
            Ok(i) => {
                self.entries[i].value = value;
                self.entries[i].key_as_written = key.into();
            }
            Err(i) => self.entries.insert(
                i,
                ContextEntry {
                    key: lower.into_boxed_str(),
                    key_as_written: key.into(),
                    value,
                },
            ),
        }
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
            .map(|i| &self.entries[i].value)
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

    /// Removes every key, keeping the allocation (batch loops reuse one context).
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_values_are_not() {
        let mut c = Context::new();
        c.insert_str("aws:userId", "AROAX:Alice");
        assert_eq!(c.get("aws:userid"), Some(&ContextValue::Single("AROAX:Alice".into())));
        assert!(c.contains("AWS:USERID"));
        c.insert_str("AWS:UserID", "other");
        assert_eq!(c.len(), 1);
        assert_eq!(c.get_any_case("aws:userId").map(|v| v.values().len()), Some(1));
    }
}
