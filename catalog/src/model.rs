//! The catalog's types: services, actions, resource types, condition keys and the
//! closed sets (access levels, key types) that describe them.

use crate::glob::Token;
use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;

/// A name from the catalog (an action, resource type, condition key or ARN format):
/// a `str`, borrowed from the embedded data or owned for overlays.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(pub(crate) Cow<'static, str>);

impl Name {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

/// The access level the Service Authorization Reference gives an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessLevel {
    /// Lists resources (`List`).
    List,
    /// Reads resources or their metadata (`Read`).
    Read,
    /// Creates, changes or deletes resources (`Write`).
    Write,
    /// Changes who may do what (`Permissions management`).
    PermissionsManagement,
    /// Changes tags only (`Tagging`).
    Tagging,
}

impl AccessLevel {
    /// Every level, in the SAR's order.
    pub const ALL: [AccessLevel; 5] = [
        AccessLevel::List,
        AccessLevel::Read,
        AccessLevel::Write,
        AccessLevel::PermissionsManagement,
        AccessLevel::Tagging,
    ];

    /// The SAR's spelling: `List`, `Read`, `Write`, `Permissions management`, `Tagging`.
    pub fn name(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }

    /// Reads the SAR's spelling, ignoring ASCII case; `PermissionsManagement` and
    /// `permissions-management` are accepted too.
    pub fn parse(text: &str) -> Option<AccessLevel> {
        // The data file spells them exactly; only other spellings take the slow path.
        if let Some(l) = AccessLevel::ALL.into_iter().find(|l| l.name() == text) {
            return Some(l);
        }
        let folded: String = text
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        AccessLevel::ALL.into_iter().find(|l| {
            l.name()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .eq(folded.chars())
        })
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The type of one value of a condition key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValueType {
    /// Compared with `String…` operators.
    String,
    /// Compared with `Arn…` (or `String…`) operators.
    Arn,
    /// Compared with `Numeric…` operators.
    Numeric,
    /// Compared with `Date…` operators.
    Date,
    /// Compared with `Bool`.
    Bool,
    /// Compared with `IpAddress`/`NotIpAddress`.
    IpAddress,
    /// Compared with `BinaryEquals`.
    Binary,
}

impl ValueType {
    /// The SAR's spelling (`String`, `ARN`, `Numeric`, `Date`, `Bool`, `IPAddress`, `Binary`).
    pub fn name(self) -> &'static str {
        match self {
            ValueType::String => "String",
            ValueType::Arn => "ARN",
            ValueType::Numeric => "Numeric",
            ValueType::Date => "Date",
            ValueType::Bool => "Bool",
            ValueType::IpAddress => "IPAddress",
            ValueType::Binary => "Binary",
        }
    }

    fn parse(text: &str) -> Option<ValueType> {
        [
            ValueType::String,
            ValueType::Arn,
            ValueType::Numeric,
            ValueType::Date,
            ValueType::Bool,
            ValueType::IpAddress,
            ValueType::Binary,
        ]
        .into_iter()
        .find(|t| t.name().eq_ignore_ascii_case(text))
    }
}

/// The type of a condition key: one value, or a set of values (`ArrayOf…`), which
/// policies test with `ForAnyValue:`/`ForAllValues:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConditionKeyType {
    /// One value per request (`String`, `ARN`, …).
    Single(ValueType),
    /// Any number of values per request (`ArrayOfString`, `ArrayOfARN`, …).
    ArrayOf(ValueType),
}

impl ConditionKeyType {
    /// Reads the SAR's spelling (`String`, `ArrayOfARN`, …), ignoring ASCII case.
    pub fn parse(text: &str) -> Option<ConditionKeyType> {
        match text.get(..7) {
            Some(p) if p.eq_ignore_ascii_case("ArrayOf") => {
                ValueType::parse(&text[7..]).map(ConditionKeyType::ArrayOf)
            }
            _ => ValueType::parse(text).map(ConditionKeyType::Single),
        }
    }

    /// The type of each value.
    pub fn value_type(self) -> ValueType {
        match self {
            ConditionKeyType::Single(t) | ConditionKeyType::ArrayOf(t) => t,
        }
    }

    /// True for `ArrayOf…` keys.
    pub fn is_multivalued(self) -> bool {
        matches!(self, ConditionKeyType::ArrayOf(_))
    }
}

impl fmt::Display for ConditionKeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConditionKeyType::Single(t) => f.write_str(t.name()),
            ConditionKeyType::ArrayOf(t) => write!(f, "ArrayOf{}", t.name()),
        }
    }
}

/// A condition key as the catalog defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionKey {
    pub(crate) name: Name,
    pub(crate) key_type: ConditionKeyType,
    /// For names with a `${Variable}` part, the compiled pattern.
    pub(crate) template: Option<Vec<Token>>,
}

impl ConditionKey {
    /// The name as the SAR spells it, variable parts included
    /// (`aws:ResourceTag/${TagKey}`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its type.
    pub fn key_type(&self) -> ConditionKeyType {
        self.key_type
    }

    /// True when the name has a `${…}` (or `<…>`) part that a policy fills in
    /// (`aws:ResourceTag/team` is an instance of `aws:ResourceTag/${TagKey}`).
    pub fn is_template(&self) -> bool {
        self.template.is_some()
    }

    /// True when `name` (as written in a policy) is this key, ignoring ASCII case:
    /// equal to it, or an instance of its `${…}` parts.
    pub fn matches(&self, name: &str) -> bool {
        match &self.template {
            Some(t) => crate::glob::matches(t, name.as_bytes()),
            None => self.name.eq_ignore_ascii_case(name),
        }
    }
}

/// One resource type an action takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionResource {
    pub(crate) name: Name,
    pub(crate) required: bool,
    pub(crate) condition_keys: Vec<Name>,
}

impl ActionResource {
    /// The resource type's name within the action's service (`object`, `user`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when the SAR marks it required (`*` in its tables): a request names a
    /// resource of this type.
    pub fn required(&self) -> bool {
        self.required
    }

    /// Condition keys that apply when the action acts on this resource type, as the
    /// action's row lists them (often the resource type's own keys).
    pub fn condition_keys(&self) -> &[Name] {
        &self.condition_keys
    }
}

/// An action of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub(crate) name: Name,
    pub(crate) access_level: AccessLevel,
    pub(crate) resource_types: Vec<ActionResource>,
    pub(crate) condition_keys: Vec<Name>,
}

impl Action {
    /// The name as AWS spells it, without the service prefix (`GetObject`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its access level.
    pub fn access_level(&self) -> AccessLevel {
        self.access_level
    }

    /// The resource types it takes, by name. Empty: the action takes no resource
    /// (policies name `"*"`).
    pub fn resource_types(&self) -> &[ActionResource] {
        &self.resource_types
    }

    /// The action's own condition keys (request keys and the like), without those of
    /// its resource types.
    pub fn condition_keys(&self) -> &[Name] {
        &self.condition_keys
    }
}

/// A resource type of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    pub(crate) name: Name,
    pub(crate) arn_formats: Vec<Name>,
    pub(crate) condition_keys: Vec<Name>,
}

impl ResourceType {
    /// The name within its service (`object`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its ARN formats with `${…}` placeholders
    /// (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`); a few types have two.
    pub fn arn_formats(&self) -> &[Name] {
        &self.arn_formats
    }

    /// The condition keys describing a resource of this type (`aws:ResourceTag/${TagKey}`).
    pub fn condition_keys(&self) -> &[Name] {
        &self.condition_keys
    }

    /// True when a policy's resource pattern (`arn:aws:s3:::bucket/*`, `*`) can
    /// match an ARN of one of this type's formats. Placeholders such as `${BucketName}`
    /// and policy variables such as `${aws:username}` count as any text (slashes
    /// included, within one ARN field), so the answer errs on the side of "may
    /// match": `false` means the pattern and the type cannot meet.
    ///
    /// ```
    /// let s3 = iamsim_catalog::Catalog::builtin().service("s3").unwrap();
    /// let object = s3.resource_type("object").unwrap();
    /// assert!(object.may_match("arn:aws:s3:::bucket/*"));
    /// assert!(!object.may_match("arn:aws:s3:::bucket"));
    /// ```
    pub fn may_match(&self, resource_pattern: &str) -> bool {
        self.arn_formats
            .iter()
            .any(|f| crate::glob::arn_may_meet(resource_pattern, f))
    }
}

/// A service: prefix, name, actions, resource types and condition keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub(crate) prefix: Name,
    pub(crate) name: Name,
    /// Sorted by name, ignoring ASCII case.
    pub(crate) actions: Vec<Action>,
    /// Sorted by name, ignoring ASCII case.
    pub(crate) resource_types: Vec<ResourceType>,
    /// Sorted by name, ignoring ASCII case.
    pub(crate) condition_keys: Vec<ConditionKey>,
}

impl Service {
    /// The service prefix used in actions (`s3`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The service's name (`Amazon S3`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its actions, sorted by name ignoring ASCII case.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// Its resource types, sorted by name ignoring ASCII case.
    pub fn resource_types(&self) -> &[ResourceType] {
        &self.resource_types
    }

    /// Its condition keys (including the `aws:` keys its actions list), sorted by
    /// name ignoring ASCII case.
    pub fn condition_keys(&self) -> &[ConditionKey] {
        &self.condition_keys
    }

    /// The action named `name` (without prefix), ignoring ASCII case.
    pub fn action(&self, name: &str) -> Option<&Action> {
        find(&self.actions, name, |a| a.name.as_str())
    }

    /// The resource type named `name`, ignoring ASCII case.
    pub fn resource_type(&self, name: &str) -> Option<&ResourceType> {
        find(&self.resource_types, name, |r| r.name.as_str())
    }

    /// The key a policy's `name` refers to, among this service's keys: an exact name,
    /// or an instance of a `${…}` key (`s3:ExistingObjectTag/team`).
    pub fn condition_key(&self, name: &str) -> Option<&ConditionKey> {
        find(&self.condition_keys, name, |k| k.name.as_str())
            .or_else(|| self.condition_keys.iter().find(|k| k.matches(name)))
    }
}

/// Compares ignoring ASCII case, the order every list of the catalog is sorted in.
pub(crate) fn cmp_folded(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// Binary search of a list sorted with [`cmp_folded`].
pub(crate) fn find<'a, T>(items: &'a [T], name: &str, key: impl Fn(&T) -> &str) -> Option<&'a T> {
    items
        .binary_search_by(|item| cmp_folded(key(item), name))
        .ok()
        .map(|i| &items[i])
}
