//! Step 1, parse: JSON tree → typed policy model, with the location of every element.
//!
//! The model is what the user wrote, checked for shape (IAM policy grammar, IAM User
//! Guide "Grammar of the IAM JSON policy language") but not yet compiled: action
//! strings, condition operators and values are typed in the compile step, which
//! reports errors with the same locations.

mod parse;

pub use crate::source::Location;
pub use parse::{PolicyError, PolicyErrorKind};

use crate::source::json::{JsonLimits, Position};
use std::fmt;
use std::sync::Arc;

/// The role a policy plays in a request; it decides which elements are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyKind {
    /// Identity-based policy of the caller (user, its groups, or role).
    Identity,
    /// Resource-based policy of the target (bucket policy, key policy, trust policy, …).
    Resource,
    /// Permissions boundary of the caller.
    Boundary,
    /// Session policy passed when the session was created.
    Session,
    /// Service control policy (AWS Organizations).
    Scp,
    /// Resource control policy (AWS Organizations).
    Rcp,
}

impl PolicyKind {
    /// The lower-case word used in output (`identity`, `scp`, …).
    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Resource => "resource",
            PolicyKind::Boundary => "boundary",
            PolicyKind::Session => "session",
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
        }
    }

    /// Whether statements carry `Principal`/`NotPrincipal` (resource policies and RCPs).
    pub fn has_principals(self) -> bool {
        matches!(self, PolicyKind::Resource | PolicyKind::Rcp)
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The policy language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyVersion {
    /// `2012-10-17`: the current language, with policy variables.
    V2012_10_17,
    /// `2008-10-17`: the old language; `${…}` is literal text.
    V2008_10_17,
    /// No `Version`: treated like 2008-10-17.
    Absent,
}

impl PolicyVersion {
    /// Only 2012-10-17 enables policy variables (IAM User Guide, Version element).
    pub fn variables_enabled(self) -> bool {
        self == PolicyVersion::V2012_10_17
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Effect {
    /// `"Effect": "Allow"`
    Allow,
    /// `"Effect": "Deny"`
    Deny,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

/// A string from the policy with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// JSON Pointer relative to the policy document.
    pub pointer: String,
    /// Line and column.
    pub position: Position,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`: a list of strings, maybe negated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringElement {
    /// True for `NotAction` / `NotResource`.
    pub negated: bool,
    /// The entries (a single string is a one-entry list).
    pub entries: Vec<Located<String>>,
}

/// The principal types a `Principal` object may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalType {
    /// `AWS`: accounts, users, roles, sessions, `*`.
    Aws,
    /// `Service`: service principals such as `sns.amazonaws.com`.
    Service,
    /// `Federated`: identity providers.
    Federated,
    /// `CanonicalUser`: S3 canonical user ids.
    CanonicalUser,
}

impl PrincipalType {
    /// The member name as written in policies.
    pub fn name(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

/// The value of `Principal`/`NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalValue {
    /// `"*"`: everybody, anonymous callers included.
    Everyone,
    /// `{"AWS": …, "Service": …}`: typed lists.
    Typed(Vec<(PrincipalType, Vec<Located<String>>)>),
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalElement {
    /// True for `NotPrincipal`.
    pub negated: bool,
    /// What it names.
    pub value: PrincipalValue,
    /// Where the element is.
    pub position: Position,
}

/// A condition value as written: JSON strings, numbers and booleans are all allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScalarValue {
    /// A JSON string.
    String(String),
    /// A JSON number, as written.
    Number(String),
    /// A JSON boolean.
    Bool(bool),
}

/// One `operator → key → values` entry of a `Condition` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionEntry {
    /// The operator name as written (`ForAnyValue:StringLikeIfExists`).
    pub operator: Located<String>,
    /// The condition key as written.
    pub key: Located<String>,
    /// The values (a single value is a one-entry list).
    pub values: Vec<Located<ScalarValue>>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Position in the policy's statement list (0-based).
    pub index: usize,
    /// `Sid`, if any.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Action` or `NotAction`.
    pub action: StringElement,
    /// `Resource` or `NotResource`; `None` only in resource-based policies, where the
    /// statement then covers the resource the policy is attached to.
    pub resource: Option<StringElement>,
    /// `Principal` or `NotPrincipal` (resource policies and RCPs only).
    pub principal: Option<PrincipalElement>,
    /// The `Condition` entries, in source order.
    pub conditions: Vec<ConditionEntry>,
    /// JSON Pointer of the statement.
    pub pointer: String,
    /// Where the statement starts.
    pub position: Position,
}

/// A parsed, shape-checked policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The source name (file path, or a label) given at parse time.
    pub source: Arc<str>,
    /// JSON Pointer of the policy inside its source (`""` for a whole file; e.g.
    /// `/policies/identity/0` inside a conformance case).
    pub pointer: String,
    /// Which role the policy plays.
    pub kind: PolicyKind,
    /// `Version`.
    pub version: PolicyVersion,
    /// `Id`, if any.
    pub id: Option<String>,
    /// The statements, in source order.
    pub statements: Vec<Statement>,
}

impl Policy {
    /// Parses a policy document from text. `source` names it in errors and
    /// explanations (a file path, usually).
    ///
    /// ```
    /// use iamsim_engine::model::{Policy, PolicyKind};
    /// let p = Policy::parse(
    ///     r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
    ///     PolicyKind::Identity,
    ///     "inline",
    /// ).unwrap();
    /// assert_eq!(p.statements.len(), 1);
    /// ```
    pub fn parse(text: &str, kind: PolicyKind, source: &str) -> Result<Policy, PolicyError> {
        let source: Arc<str> = source.into();
        let json = crate::source::json::parse(text, 1, JsonLimits::default())
            .map_err(|e| PolicyError::from_json(source.clone(), "", e))?;
        Self::from_json(&json, kind, source, "")
    }

    /// Builds a policy from an already parsed JSON value (e.g. one embedded in a case
    /// file). `pointer` is where the value sits in its source; error pointers and
    /// statement locations are prefixed with it.
    pub fn from_json(
        json: &crate::source::json::JsonValue,
        kind: PolicyKind,
        source: Arc<str>,
        pointer: &str,
    ) -> Result<Policy, PolicyError> {
        parse::policy_from_json(json, kind, source, pointer)
    }

    /// The location of a pointer relative to this policy.
    pub fn location(&self, relative_pointer: &str, position: Position) -> Location {
        Location {
            source: self.source.clone(),
            pointer: format!("{}{}", self.pointer, relative_pointer),
            position,
        }
    }
}
