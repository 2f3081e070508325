//! Step 2, the request, normalised once. A [`Request`] carries the caller, action,
//! resource and context; building it lower-cases the action, splits the service
//! prefix, splits the resource ARN and classifies the caller, so that evaluation
//! itself never allocates or re-parses.

use crate::util::str_map::{bytes_eq, hash_str, StrKey};
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

/// Who is calling, as far as the evaluation rules care (SEMANTICS §1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// `arn:P:iam::A:user/[path/]name`.
    User {
        /// The account.
        account: Box<str>,
        /// The user name (last path element).
        name: Box<str>,
    },
    /// `arn:P:iam::A:role/[path/]name`: a session of that role whose name is unknown.
    Role {
        /// The account.
        account: Box<str>,
        /// The role name (last path element).
        role_name: Box<str>,
    },
    /// `arn:P:sts::A:assumed-role/Role/Session`.
    RoleSession {
        /// The account.
        account: Box<str>,
        /// The role name.
        role_name: Box<str>,
    },
    /// `arn:P:sts::A:federated-user/Name` (GetFederationToken).
    FederatedUser {
        /// The account.
        account: Box<str>,
        /// The federated user name, which is also the federating IAM user's name.
        name: Box<str>,
    },
    /// `arn:P:iam::A:root`.
    Root {
        /// The account.
        account: Box<str>,
    },
    /// A service principal such as `sns.amazonaws.com`.
    Service,
    /// The word `anonymous`: an unauthenticated caller.
    Anonymous,
    /// Anything else (an identity-provider string, a canonical user id…).
    Other,
}

impl Caller {
    /// Classifies a caller string.
    pub fn classify(principal: &str) -> Caller {
        if principal == "anonymous" {
            return Caller::Anonymous;
        }
        let Some(parts) = crate::util::arn::split_arn(principal) else {
            return if principal.ends_with(".amazonaws.com")
                || principal.ends_with(".amazonaws.com.cn")
            {
                Caller::Service
            } else {
                Caller::Other
            };
        };
        let [_, _, service, _, account, resource] = parts;
        let account: Box<str> = account.into();
        match (service, resource.split_once('/')) {
            ("iam", None) if resource == "root" => Caller::Root { account },
            ("iam", Some(("user", path))) => Caller::User {
                account,
                name: last_path_element(path).into(),
            },
            ("iam", Some(("role", path))) => Caller::Role {
                account,
                role_name: last_path_element(path).into(),
            },
            ("sts", Some(("assumed-role", rest))) => match rest.split_once('/') {
                Some((role, _session)) => Caller::RoleSession {
                    account,
                    role_name: role.into(),
                },
                None => Caller::Other,
            },
            ("sts", Some(("federated-user", name))) => Caller::FederatedUser {
                account,
                name: name.into(),
            },
            _ => Caller::Other,
        }
    }

    /// The caller's account, when the caller belongs to one.
    pub fn account(&self) -> Option<&str> {
        match self {
            Caller::User { account, .. }
            | Caller::Role { account, .. }
            | Caller::RoleSession { account, .. }
            | Caller::FederatedUser { account, .. }
            | Caller::Root { account } => Some(account),
            Caller::Service | Caller::Anonymous | Caller::Other => None,
        }
    }
}

fn last_path_element(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The byte offsets of the first five `:` of `s`, or `None` when it has fewer (it is
/// not an ARN). One pass over the bytes.
fn arn_colons(s: &str) -> Option<[usize; 5]> {
    let mut colons = [0usize; 5];
    let mut found = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b':' {
            if let Some(slot) = colons.get_mut(found) {
                *slot = i;
            }
            found += 1;
            if found == colons.len() {
                return Some(colons);
            }
        }
    }
    None
}

/// Sets an optional owned string from a borrowed one, reusing its buffer.
fn set_optional(slot: &mut Option<String>, value: Option<&str>) {
    match (slot.as_mut(), value) {
        (Some(current), Some(value)) => {
            if current != value {
                current.clear();
                current.push_str(value);
            }
        }
        (_, value) => *slot = value.map(str::to_owned),
    }
}

/// One request to evaluate: caller, action, resource, context.
///
/// Build it once; evaluation reads the normalised parts (lower-cased action, service
/// prefix, caller classification, accounts) without recomputing them.
///
/// ```
/// use iamsim_engine::request::Request;
/// let r = Request::new("arn:aws:iam::123456789012:user/alice", "S3:GetObject", "arn:aws:s3:::b/k");
/// assert_eq!(r.service(), "s3");
/// assert_eq!(r.action_name(), "getobject");
/// assert_eq!(r.resource_account(), Some("123456789012"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    principal: String,
    caller: Caller,
    explicit_principal_account: Option<String>,
    explicit_resource_account: Option<String>,
    action: String,
    action_lower: String,
    colon: Option<usize>,
    /// [`hash_str`] of the service prefix and of the action name, for the compiled
    /// set's index.
    action_hashes: (u64, u64),
    resource: String,
    /// Byte offsets of the resource's first five `:` when it is an ARN, found once
    /// here so that evaluation never splits it again.
    resource_colons: Option<[usize; 5]>,
    context: Context,
}

impl Request {
    /// A request with an empty context.
    pub fn new(principal: &str, action: &str, resource: &str) -> Request {
        let mut r = Request {
            principal: String::new(),
            caller: Caller::Other,
            explicit_principal_account: None,
            explicit_resource_account: None,
            action: String::new(),
            action_lower: String::new(),
            colon: None,
            action_hashes: (0, 0),
            resource: String::new(),
            resource_colons: None,
            context: Context::new(),
        };
        r.set_principal(principal);
        r.set_action(action);
        r.set_resource(resource);
        r
    }

    /// Replaces the context.
    pub fn with_context(mut self, context: Context) -> Self {
        self.context = context;
        self
    }

    /// Sets the caller's account explicitly (default: the account of the principal ARN).
    pub fn with_principal_account(mut self, account: &str) -> Self {
        self.explicit_principal_account = Some(account.to_owned());
        self
    }

    /// Sets the resource owner's account explicitly (default: the resource ARN's
    /// account field, or the caller's account when that is empty or the resource is `*`).
    pub fn with_resource_account(mut self, account: &str) -> Self {
        self.explicit_resource_account = Some(account.to_owned());
        self
    }

    /// Sets the caller, reusing this request's buffers. A batch loop that sets the
    /// same caller again keeps the classification it already has.
    pub fn set_principal(&mut self, principal: &str) {
        if self.principal == principal {
            return;
        }
        self.principal.clear();
        self.principal.push_str(principal);
        self.caller = Caller::classify(principal);
    }

    /// Sets the action, reusing buffers; it is lower-cased once here.
    pub fn set_action(&mut self, action: &str) {
        self.action.clear();
        self.action.push_str(action);
        self.action_lower.clear();
        self.action_lower.push_str(action);
        self.action_lower.make_ascii_lowercase();
        self.colon = self.action_lower.find(':');
        self.action_hashes = (hash_str(self.service()), hash_str(self.action_name()));
    }

    /// Sets the resource, reusing buffers; an ARN is split into its parts once here.
    pub fn set_resource(&mut self, resource: &str) {
        self.resource.clear();
        self.resource.push_str(resource);
        self.resource_colons = arn_colons(resource);
    }

    /// Sets or clears the explicit accounts (reusing their buffers).
    pub fn set_accounts(
        &mut self,
        principal_account: Option<&str>,
        resource_account: Option<&str>,
    ) {
        set_optional(&mut self.explicit_principal_account, principal_account);
        set_optional(&mut self.explicit_resource_account, resource_account);
    }

    /// The context, for building it in place.
    pub fn context_mut(&mut self) -> &mut Context {
        &mut self.context
    }

    /// The context.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The caller string as given.
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// The classified caller.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// The action as given.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The lower-cased service prefix (`s3`), or the whole action if it has no `:`.
    pub fn service(&self) -> &str {
        match self.colon {
            Some(i) => self.action_lower.get(..i).unwrap_or(""),
            None => &self.action_lower,
        }
    }

    /// The lower-cased action name after the first `:` (empty without a colon).
    pub fn action_name(&self) -> &str {
        match self.colon {
            Some(i) => self.action_lower.get(i + 1..).unwrap_or(""),
            None => "",
        }
    }

    /// The service prefix and action name with their hashes (computed once, by
    /// `set_action`).
    #[inline]
    pub(crate) fn action_keys(&self) -> (StrKey<'_>, StrKey<'_>) {
        (
            StrKey {
                text: self.service(),
                hash: self.action_hashes.0,
            },
            StrKey {
                text: self.action_name(),
                hash: self.action_hashes.1,
            },
        )
    }

    /// The resource as given (an ARN, or `*`).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The caller's account: explicit, else from the principal ARN.
    pub fn principal_account(&self) -> Option<&str> {
        self.explicit_principal_account
            .as_deref()
            .or_else(|| self.caller.account())
    }

    /// The resource ARN split at its first five `:` (as
    /// [`split_arn`](crate::util::arn::split_arn) would), without searching it again.
    #[inline]
    pub(crate) fn resource_arn(&self) -> Option<[&str; 6]> {
        let [a, b, c, d, e] = self.resource_colons?;
        let r = self.resource.as_str();
        Some([
            r.get(..a)?,
            r.get(a + 1..b)?,
            r.get(b + 1..c)?,
            r.get(c + 1..d)?,
            r.get(d + 1..e)?,
            r.get(e + 1..)?,
        ])
    }

    /// The resource owner's account (SEMANTICS 1.4).
    pub fn resource_account(&self) -> Option<&str> {
        if let Some(a) = &self.explicit_resource_account {
            return Some(a);
        }
        match self.resource_arn() {
            Some([.., account, _]) if !account.is_empty() => Some(account),
            _ => self.principal_account(),
        }
    }

    /// Same-account request: both accounts known and equal. A service principal
    /// is never same-account.
    pub fn is_same_account(&self) -> bool {
        if matches!(self.caller, Caller::Service) {
            return false;
        }
        match (self.principal_account(), self.resource_account()) {
            (Some(a), Some(b)) => bytes_eq(a.as_bytes(), b.as_bytes()),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callers_are_classified() {
        let c = |p: &str| Caller::classify(p);
        assert!(
            matches!(c("arn:aws:iam::111122223333:user/dev/alice"), Caller::User { name, .. } if &*name == "alice")
        );
        assert!(
            matches!(c("arn:aws:iam::111122223333:role/svc/Admin"), Caller::Role { role_name, .. } if &*role_name == "Admin")
        );
        assert!(
            matches!(c("arn:aws:sts::111122223333:assumed-role/Admin/bob"), Caller::RoleSession { role_name, .. } if &*role_name == "Admin")
        );
        assert!(matches!(
            c("arn:aws:sts::111122223333:federated-user/carol"),
            Caller::FederatedUser { .. }
        ));
        assert!(matches!(
            c("arn:aws:iam::111122223333:root"),
            Caller::Root { .. }
        ));
        assert_eq!(c("sns.amazonaws.com"), Caller::Service);
        assert_eq!(c("anonymous"), Caller::Anonymous);
        assert_eq!(c("cognito-identity.example"), Caller::Other);
    }

    #[test]
    fn accounts_default_per_semantics() {
        let r = Request::new(
            "arn:aws:iam::111122223333:user/a",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
        );
        assert_eq!(r.resource_account(), Some("111122223333"));
        assert!(r.is_same_account());
        let r = Request::new(
            "arn:aws:iam::111122223333:user/a",
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:444455556666:key/k",
        );
        assert!(!r.is_same_account());
        let r = r.with_resource_account("111122223333");
        assert!(r.is_same_account());
        let r = Request::new(
            "sns.amazonaws.com",
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-1:1:q",
        );
        assert!(!r.is_same_account());
    }

    #[test]
    fn resource_split_once_agrees_with_split_arn() {
        // Guards the per-request split: it must be exactly `split_arn`'s.
        let mut r = Request::new("arn:aws:iam::1:user/a", "s3:GetObject", "*");
        for resource in [
            "*",
            "",
            "arn:aws:s3:::b/k:with:colons",
            "arn:aws:logs:us-east-1:111122223333:log-group:app:*",
            "arn:aws:s3",
            "a:b:c:d:e",
            "a:b:c:d:e:",
            "arn:é:s3:::ü/ключ",
            ":::::",
        ] {
            r.set_resource(resource);
            assert_eq!(
                r.resource_arn(),
                crate::util::arn::split_arn(resource),
                "{resource}"
            );
        }
    }

    #[test]
    fn setters_reuse_and_reclassify() {
        let mut r = Request::new("arn:aws:iam::111122223333:user/a", "S3:Get", "*");
        r.set_principal("arn:aws:iam::111122223333:user/a");
        assert!(matches!(r.caller(), Caller::User { .. }));
        r.set_principal("arn:aws:iam::111122223333:root");
        assert!(matches!(r.caller(), Caller::Root { .. }));
        r.set_accounts(Some("1"), Some("2"));
        r.set_accounts(Some("3"), None);
        assert_eq!(r.principal_account(), Some("3"));
        assert_eq!(r.resource_account(), Some("3"));
        r.set_accounts(None, Some("4"));
        assert_eq!(r.principal_account(), Some("111122223333"));
        assert_eq!(r.resource_account(), Some("4"));
        r.set_action("Connect:DescribeUser");
        assert_eq!((r.service(), r.action_name()), ("connect", "describeuser"));
        assert_eq!(r.action(), "Connect:DescribeUser");
    }

    #[test]
    fn cleared_context_reuses_entries_and_stays_correct() {
        // Guards the spare entries: a refilled context equals a fresh one, whatever
        // was in it before, and the hashed lookup agrees with the plain one.
        let mut reused = Context::new();
        let rounds: [&[(&str, &str)]; 4] = [
            &[("aws:userId", "a"), ("aws:PrincipalArn", "p"), ("x", "1")],
            &[("AWS:USERID", "b"), ("y", "2")],
            &[],
            &[
                ("x", "3"),
                ("aws:userid", "c"),
                ("aws:PrincipalArn", "q"),
                ("z", "4"),
            ],
        ];
        for round in rounds {
            reused.clear();
            let mut fresh = Context::new();
            for (k, v) in round {
                reused.insert_str(k, v);
                fresh.insert_str(k, v);
            }
            assert_eq!(reused, fresh);
            assert_eq!(format!("{reused:?}"), format!("{fresh:?}"));
            assert_eq!(
                reused.iter().collect::<Vec<_>>(),
                fresh.iter().collect::<Vec<_>>()
            );
            for key in ["aws:userid", "aws:principalarn", "x", "y", "z", "w"] {
                let hashed = reused.get_hashed(key, hash_str(key));
                assert_eq!(hashed, fresh.get(key), "{key}");
                assert_eq!(reused.get(key), fresh.get(key), "{key}");
            }
        }
        assert_eq!(reused.clone(), reused);
    }

    #[test]
    fn merge_from_and_large_contexts_agree_with_insert() {
        let mut big = Context::new();
        for i in (0..40).rev() {
            big.insert_str(&format!("Tag/K{i}"), &format!("v{i}"));
        }
        big.insert("multi", ContextValue::Multi(vec!["a".into(), "b".into()]));
        let mut target = Context::new();
        for round in 0..3 {
            target.clear();
            target.insert_str("tag/k7", "old");
            target.merge_from(&big);
            let mut expected = Context::new();
            expected.insert_str("tag/k7", "old");
            for (k, v) in big.iter() {
                expected.insert(k, v.clone());
            }
            assert_eq!(target, expected, "round {round}");
            assert_eq!(target.len(), 41);
            assert_eq!(
                target.get_hashed("tag/k39", hash_str("tag/k39")),
                Some(&ContextValue::Single("v39".into()))
            );
            let mut updated = big.clone();
            updated.insert_ref("TAG/K3", &ContextValue::Single("new".into()));
            assert_eq!(
                updated.get("tag/k3"),
                Some(&ContextValue::Single("new".into()))
            );
            assert_eq!(
                updated.iter().find(|(k, _)| *k == "TAG/K3").map(|_| ()),
                Some(())
            );
        }
    }

    #[test]
    fn set_single_at_replaces_the_value_of_that_key_only() {
        let mut c = Context::new();
        c.insert_str("aws:SourceIp", "10.0.0.1");
        c.insert_str("aws:userid", "AIDA");
        c.insert("tags", ContextValue::Multi(vec!["a".into()]));
        let mut expected = c.clone();
        let at = c.position("AWS:SOURCEIP").expect("present");
        assert_eq!(c.position("aws:nothere"), None);
        for value in ["10.0.0.2", "192.168.100.200", ""] {
            assert!(c.set_single_at(at, "AWS:SourceIP", value));
            expected.insert_str("AWS:SourceIP", value);
            assert_eq!(c, expected);
            assert_eq!(
                c.iter().map(|(k, _)| k).collect::<Vec<_>>(),
                ["AWS:SourceIP", "aws:userid", "tags"]
            );
        }
        let tags = c.position("tags").expect("present");
        assert!(c.set_single_at(tags, "tags", "b"));
        expected.insert_str("tags", "b");
        assert_eq!(c, expected);
        // The wrong key or position changes nothing.
        assert!(!c.set_single_at(at, "aws:userid", "x"));
        assert!(!c.set_single_at(99, "aws:SourceIp", "x"));
        assert_eq!(c, expected);
    }

    #[test]
    fn keys_are_case_insensitive_values_are_not() {
        let mut c = Context::new();
        c.insert_str("aws:userId", "AROAX:Alice");
        assert_eq!(
            c.get("aws:userid"),
            Some(&ContextValue::Single("AROAX:Alice".into()))
        );
        assert!(c.contains("AWS:USERID"));
        c.insert_str("AWS:UserID", "other");
        assert_eq!(c.len(), 1);
        assert_eq!(
            c.get_any_case("aws:userId").map(|v| v.values().len()),
            Some(1)
        );
    }
}
