//! Step 4, conditions: condition blocks → typed, compiled tests.
//!
//! One [`CompiledCondition`] is one (operator, key, values) triple of a policy's
//! `Condition` element. Compiling parses the operator name, lower-cases the key and
//! types every policy value once (numbers, instants, CIDR ranges, booleans, decoded
//! bytes, string and ARN patterns with their policy variables). A policy value that
//! cannot be read as its operator's type (`NumericEquals: "ten"`, a bad date or CIDR
//! range, `Bool: "maybe"`) does not refuse the policy — AWS stores such policies (S3
//! bucket policies among them) — but compares false against every request value
//! (SEMANTICS 7.6.3/4/5/7: a side that does not parse makes the comparison false), so
//! a negated operator holds; [`CompiledCondition::unreadable_values`] lists them for
//! the warning. Evaluating is infallible and allocates nothing: a value on either side
//! that cannot be compared makes the comparison false and leaves a
//! [`ConditionDiagnostic`].
//!
//! Rules (IAM User Guide, "Condition element", "Condition operators", "Multivalued
//! context keys", "Policy variables"; SEMANTICS §7, §8):
//! * values listed for one key are ORed; for negated operators they are NORed;
//! * an absent key makes positive operators false, negated operators and every
//!   `…IfExists` true; `ForAllValues` is true and `ForAnyValue` false for an absent
//!   key or an empty set — also `ForAnyValue:…IfExists`, where AWS does not say which
//!   rule wins (our choice, SEMANTICS 11.13);
//! * a multivalued key tested without a set qualifier never matches.
//!
//! ```
//! use iamsim_engine::internal::condition::{CompiledCondition, ConditionOperator, PolicyValue};
//! use iamsim_engine::request::Context;
//!
//! let op = ConditionOperator::parse("NumericLessThanEquals").unwrap();
//! let cond = CompiledCondition::compile(op, "s3:max-keys", &[PolicyValue::Number("10")], true).unwrap();
//! let mut ctx = Context::new();
//! ctx.insert_str("S3:Max-Keys", "10.0");
//! assert!(cond.evaluate(&ctx).matched);
//! ```

mod arn;
mod binary;
mod boolean;
mod date;
mod ip;
mod null;
mod numeric;
mod operator;
mod string;

use std::cmp::Ordering;
use std::fmt;

use crate::request::{Context, ContextValue};
use crate::util::str_map::hash_str;

pub use operator::{BaseOperator, ConditionOperator, OperatorError, SetQualifier};

/// One condition value as it appears in policy JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyValue<'a> {
    /// A JSON string.
    String(&'a str),
    /// A JSON number, as its source text (`10`, `2.5`, `1e3`).
    Number(&'a str),
    /// A JSON boolean.
    Bool(bool),
}

impl<'a> PolicyValue<'a> {
    /// The value as text: numbers keep their JSON text, booleans become `true`/`false`
    /// (IAM reads quoted and unquoted numbers and booleans alike).
    pub fn as_text(&self) -> &'a str {
        match *self {
            PolicyValue::String(s) | PolicyValue::Number(s) => s,
            PolicyValue::Bool(true) => "true",
            PolicyValue::Bool(false) => "false",
        }
    }
}

/// The result of evaluating one compiled condition against a request context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConditionOutcome {
    /// Whether the condition holds.
    pub matched: bool,
    /// True when the condition key was not in the request context.
    pub key_absent: bool,
    /// Why a comparison could not be made or was unusual, for explanations.
    pub diagnostic: Option<ConditionDiagnostic>,
}

/// A note attached to an outcome: something in the request prevented a comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionDiagnostic {
    /// A `Numeric*` operator met a request value that is not a decimal number.
    RequestValueNotNumber,
    /// A `Date*` operator met a request value that is neither ISO 8601 nor epoch seconds.
    RequestValueNotDate,
    /// An `IpAddress`/`NotIpAddress` operator met a request value that is not an IP address.
    RequestValueNotIp,
    /// A `Bool` operator met a request value other than `true`/`false`.
    RequestValueNotBoolean,
    /// A `BinaryEquals` operator met a request value that is not base-64.
    RequestValueNotBase64,
    /// A multivalued key was tested by an operator without `ForAllValues:`/`ForAnyValue:`.
    MultivaluedKeyWithoutSetQualifier,
    /// A policy variable in a condition value had no value and no default.
    UnresolvedVariable,
    /// A policy value of the condition cannot be read as its operator's type (a
    /// `Numeric*` value that is not a number, a bad date, CIDR range, boolean or
    /// base-64 text), so it compared false against the request value.
    PolicyValueUnreadable,
}

impl fmt::Display for ConditionDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConditionDiagnostic::RequestValueNotNumber => "the request value is not a number",
            ConditionDiagnostic::RequestValueNotDate => "the request value is not a date",
            ConditionDiagnostic::RequestValueNotIp => "the request value is not an IP address",
            ConditionDiagnostic::RequestValueNotBoolean => "the request value is not `true` or `false`",
            ConditionDiagnostic::RequestValueNotBase64 => "the request value is not base-64",
            ConditionDiagnostic::MultivaluedKeyWithoutSetQualifier => {
                "the key is multivalued but the operator has no `ForAllValues:` or `ForAnyValue:` qualifier"
            }
            ConditionDiagnostic::UnresolvedVariable => "a policy variable in the condition value has no value",
            ConditionDiagnostic::PolicyValueUnreadable => {
                "a policy value cannot be read as the operator's type, so it compared false"
            }
        })
    }
}

/// A policy value that does not fit its operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe_value_error(*.index, *.kind))]
pub struct ConditionValueError {
    /// Position of the offending value in the key's value list (0 for a single value).
    pub index: usize,
    /// What is wrong with it.
    pub kind: ConditionValueErrorKind,
}

/// What is wrong with a condition value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionValueErrorKind {
    /// A `Numeric*` value that is not a decimal number.
    NotANumber,
    /// A `Date*` value that is neither ISO 8601 / W3C date-time nor integer epoch seconds.
    NotADate,
    /// An `IpAddress`/`NotIpAddress` value that is not an address or CIDR range.
    NotAnIpOrCidr,
    /// A `Bool` value other than `true`/`false`.
    NotABoolean,
    /// A `BinaryEquals` value that is not base-64.
    NotBase64,
    /// A `Null` value other than `true`/`false`.
    NullValueNotBoolean,
    /// The key has an empty array of values.
    EmptyValueList,
}

impl fmt::Display for ConditionValueErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConditionValueErrorKind::NotANumber => "is not a number",
            ConditionValueErrorKind::NotADate => {
                "is not a date (ISO 8601 such as `2024-01-01T00:00:00Z`, or epoch seconds)"
            }
            ConditionValueErrorKind::NotAnIpOrCidr => "is not an IP address or CIDR range",
            ConditionValueErrorKind::NotABoolean => "is not `true` or `false`",
            ConditionValueErrorKind::NotBase64 => "is not base-64",
            ConditionValueErrorKind::NullValueNotBoolean => "of `Null` is not `true` or `false`",
            ConditionValueErrorKind::EmptyValueList => "list is empty",
        })
    }
}

fn describe_value_error(index: usize, kind: ConditionValueErrorKind) -> String {
    match kind {
        ConditionValueErrorKind::EmptyValueList => "condition value list is empty".to_owned(),
        _ => format!("condition value at index {index} {kind}"),
    }
}

/// Types every policy value with `parse`: JSON strings and numbers are read as text.
/// A value `parse` rejects (or a JSON boolean) is left out and recorded in
/// `unreadable` as the error `kind` at its index: it would compare false against
/// every request value, which is what leaving it out of an ORed (or, for negated
/// operators, NORed) list does. Shared by the families whose values must parse
/// (numbers, dates, base-64).
pub(crate) fn parse_each<T>(
    values: &[PolicyValue<'_>],
    kind: ConditionValueErrorKind,
    parse: impl Fn(&str) -> Option<T>,
    unreadable: &mut Vec<ConditionValueError>,
) -> Box<[T]> {
    values
        .iter()
        .enumerate()
        .filter_map(|(index, value)| {
            let text = match value {
                PolicyValue::String(text) | PolicyValue::Number(text) => Some(*text),
                PolicyValue::Bool(_) => None,
            };
            let parsed = text.and_then(&parse);
            if parsed.is_none() {
                unreadable.push(ConditionValueError::new(index, kind));
            }
            parsed
        })
        .collect()
}

/// Runs a family's `compile` and turns its first unreadable value into an error, for
/// the families' unit tests.
#[cfg(test)]
pub(crate) fn strict<T>(
    compile: impl FnOnce(&mut Vec<ConditionValueError>) -> T,
) -> Result<T, ConditionValueError> {
    let mut unreadable = Vec::new();
    let typed = compile(&mut unreadable);
    match unreadable.into_iter().next() {
        Some(error) => Err(error),
        None => Ok(typed),
    }
}

impl ConditionValueError {
    pub(crate) fn new(index: usize, kind: ConditionValueErrorKind) -> Self {
        ConditionValueError { index, kind }
    }
}

/// One condition, compiled: the operator, the lower-cased key and typed values.
///
/// Built once per policy; [`CompiledCondition::evaluate`] runs per request.
#[derive(Debug, Clone)]
pub struct CompiledCondition {
    /// The parsed operator.
    pub operator: ConditionOperator,
    /// The condition key, lower-cased (key names compare case-insensitively).
    pub key: Box<str>,
    /// The condition key as written in the policy.
    pub key_as_written: Box<str>,
    /// The lower-cased key's hash, for [`Context::get_hashed`].
    key_hash: u64,
    values: Values,
    written: Box<[Box<str>]>,
    /// The policy values that could not be typed (left out of `values`), by index.
    unreadable: Box<[ConditionValueError]>,
}

/// Typed policy values, one variant per operator family.
#[derive(Debug, Clone)]
enum Values {
    String(string::StringValues),
    Numeric(numeric::NumericValues),
    Date(date::DateValues),
    Bool(boolean::BoolValues),
    Binary(binary::BinaryValues),
    Ip(ip::IpValues),
    Arn(arn::ArnValues),
    Null(null::NullValues),
}

impl CompiledCondition {
    /// Types `values` for `operator`. `variables_enabled` is true only for policies
    /// with `Version` `2012-10-17`; variables are then recognised in String, ARN and
    /// Bool values and nowhere else.
    ///
    /// Fails when the value list is empty or a `Null` value is not `true`/`false`.
    /// A value that does not fit the operator (a number for `Numeric*`, a date for
    /// `Date*`, a CIDR range for `IpAddress`, a boolean for `Bool`, base-64 for
    /// `BinaryEquals`) is not an error: it compares false against every request
    /// value (SEMANTICS 7.6), and [`CompiledCondition::unreadable_values`] names it.
    pub fn compile(
        operator: ConditionOperator,
        key: &str,
        values: &[PolicyValue<'_>],
        variables_enabled: bool,
    ) -> Result<CompiledCondition, ConditionValueError> {
        if values.is_empty() {
            return Err(ConditionValueError::new(
                0,
                ConditionValueErrorKind::EmptyValueList,
            ));
        }
        let base = operator.base;
        let mut unreadable = Vec::new();
        let typed = match base {
            BaseOperator::StringEquals
            | BaseOperator::StringNotEquals
            | BaseOperator::StringEqualsIgnoreCase
            | BaseOperator::StringNotEqualsIgnoreCase
            | BaseOperator::StringLike
            | BaseOperator::StringNotLike => Values::String(string::StringValues::compile(
                base,
                values,
                variables_enabled,
            )),
            BaseOperator::NumericEquals
            | BaseOperator::NumericNotEquals
            | BaseOperator::NumericLessThan
            | BaseOperator::NumericLessThanEquals
            | BaseOperator::NumericGreaterThan
            | BaseOperator::NumericGreaterThanEquals => {
                Values::Numeric(numeric::NumericValues::compile(values, &mut unreadable))
            }
            BaseOperator::DateEquals
            | BaseOperator::DateNotEquals
            | BaseOperator::DateLessThan
            | BaseOperator::DateLessThanEquals
            | BaseOperator::DateGreaterThan
            | BaseOperator::DateGreaterThanEquals => {
                Values::Date(date::DateValues::compile(values, &mut unreadable))
            }
            BaseOperator::Bool => Values::Bool(boolean::BoolValues::compile(
                values,
                variables_enabled,
                &mut unreadable,
            )),
            BaseOperator::BinaryEquals => {
                Values::Binary(binary::BinaryValues::compile(values, &mut unreadable))
            }
            BaseOperator::IpAddress | BaseOperator::NotIpAddress => {
                Values::Ip(ip::IpValues::compile(values, &mut unreadable))
            }
            BaseOperator::ArnEquals
            | BaseOperator::ArnLike
            | BaseOperator::ArnNotEquals
            | BaseOperator::ArnNotLike => {
                Values::Arn(arn::ArnValues::compile(values, variables_enabled))
            }
            BaseOperator::Null => Values::Null(null::NullValues::compile(values)?),
        };
        let lower_key = key.to_ascii_lowercase().into_boxed_str();
        Ok(CompiledCondition {
            operator,
            key_hash: hash_str(&lower_key),
            key: lower_key,
            key_as_written: key.into(),
            values: typed,
            written: values.iter().map(|v| Box::from(v.as_text())).collect(),
            unreadable: unreadable.into_boxed_slice(),
        })
    }

    /// The policy values that cannot be read as the operator's type, with their
    /// index in the value list; each compares false against every request value.
    pub fn unreadable_values(&self) -> &[ConditionValueError] {
        &self.unreadable
    }

    /// The policy values as written (booleans as `true`/`false`), for explanations.
    pub fn values_as_written(&self) -> impl Iterator<Item = &str> {
        self.written.iter().map(|v| &**v)
    }

    /// Evaluates the condition against `context`. Never fails and never allocates.
    pub fn evaluate(&self, context: &Context) -> ConditionOutcome {
        let found = context.get_hashed(&self.key, self.key_hash);
        let key_absent = found.is_none();
        // `Null` looks only at presence: "true" asserts absence, "false" presence.
        // A present empty set is present.
        if let Values::Null(null) = &self.values {
            return ConditionOutcome {
                matched: null.matches(key_absent),
                key_absent,
                diagnostic: None,
            };
        }
        let Some(found) = found else {
            return ConditionOutcome {
                matched: self.absent_key_result(),
                key_absent: true,
                diagnostic: None,
            };
        };
        let mut diagnostic = None;
        let matched = match (self.operator.qualifier, found) {
            (SetQualifier::Single, ContextValue::Single(value)) => {
                // The usual guard (`StringNotLike aws:userid`, `StringEquals
                // aws:PrincipalOrgID`): one value against variable-free strings.
                let fast = match &self.values {
                    Values::String(strings) => strings.test_fast(value),
                    _ => None,
                };
                match fast {
                    Some(any_match) => any_match != self.operator.base.is_negated(),
                    None => self.test_request_value(value, context, &mut diagnostic),
                }
            }
            // A single-valued operator on a multivalued key matches nothing, whether
            // the operator is negated or not (AWS requires a set qualifier there;
            // SEMANTICS 7.8 / 11.6).
            (SetQualifier::Single, ContextValue::Multi(_)) => {
                diagnostic = Some(ConditionDiagnostic::MultivaluedKeyWithoutSetQualifier);
                false
            }
            // ForAllValues: every request value passes; vacuously true for an empty set.
            (SetQualifier::ForAllValues, found) => found
                .values()
                .iter()
                .all(|value| self.test_request_value(value, context, &mut diagnostic)),
            // ForAnyValue: at least one request value passes; false for an empty set.
            (SetQualifier::ForAnyValue, found) => found
                .values()
                .iter()
                .any(|value| self.test_request_value(value, context, &mut diagnostic)),
        };
        // A request value met a policy value that could not be typed: had that value
        // been readable, the outcome might differ, so say so (a Deny it disabled is
        // then reported as indeterminate, as for request values).
        if diagnostic.is_none() && !self.unreadable.is_empty() && !found.values().is_empty() {
            diagnostic = Some(ConditionDiagnostic::PolicyValueUnreadable);
        }
        ConditionOutcome {
            matched,
            key_absent: false,
            diagnostic,
        }
    }

    /// The result for a key missing from the request (SEMANTICS 7.5, 7.7, 11.13).
    fn absent_key_result(&self) -> bool {
        match self.operator.qualifier {
            // There is no request value that fails, so "for all" holds.
            SetQualifier::ForAllValues => true,
            // There is no request value that passes, and IfExists does not change
            // that. AWS documents both rules but not which wins when they meet: the
            // operators page says of `…IfExists` "if the key is not present, evaluate
            // the condition element as true", the multivalued-keys page says of
            // `ForAnyValue` "if the key does not exist, the condition returns false"
            // (IAM User Guide, reference_policies_elements_condition_operators,
            // reference_policies_multi-value-conditions). We choose false, as
            // iam-simulate does, so an Allow guarded this way never grants on a
            // missing key (fail closed); the CloudFormation User Guide's
            // `cloudformation:ResourceTypes` example pairs such a Deny with a separate
            // `Null` Deny for the missing key, which fits this reading. SEMANTICS
            // 11.13; fixtures/cases/condition-values.jsonl cval-010, cval-011.
            SetQualifier::ForAnyValue => false,
            // IfExists: "if the key is not there, the condition is true".
            SetQualifier::Single if self.operator.if_exists => true,
            // A negated operator on an absent key is true; a positive one false.
            SetQualifier::Single => self.operator.base.is_negated(),
        }
    }

    /// The per-value test: does the request value `value` pass the operator?
    /// For negated operators this is "matches none of the policy values". A request
    /// value that cannot be compared matches no policy value (SEMANTICS 7.6: an
    /// unparseable side makes the comparison false), so a negated operator — the
    /// usual guard of a Deny, `NotIpAddress`, `NumericNotEquals` — still holds and the
    /// Deny applies; the diagnostic says the value could not be compared.
    #[inline]
    fn test_request_value(
        &self,
        value: &str,
        context: &Context,
        diagnostic: &mut Option<ConditionDiagnostic>,
    ) -> bool {
        let base = self.operator.base;
        let test = match &self.values {
            Values::String(v) => v.test(value, context),
            Values::Numeric(v) => v.test(base, value),
            Values::Date(v) => v.test(base, value),
            Values::Bool(v) => v.test(value, context),
            Values::Binary(v) => v.test(value),
            Values::Ip(v) => v.test(value),
            Values::Arn(v) => v.test(value, context),
            // Handled in `evaluate` before any request value is read.
            Values::Null(_) => ValueTest::found(false),
        };
        if diagnostic.is_none() {
            *diagnostic = test.diagnostic;
        }
        test.any_match.unwrap_or(false) != base.is_negated()
    }
}

/// What one request value did against the whole policy value list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ValueTest {
    /// `Some(true)` when the request value compared true against at least one
    /// policy value, `Some(false)` when against none, `None` when the request value
    /// could not be compared at all.
    any_match: Option<bool>,
    diagnostic: Option<ConditionDiagnostic>,
}

impl ValueTest {
    fn found(any_match: bool) -> Self {
        ValueTest {
            any_match: Some(any_match),
            diagnostic: None,
        }
    }

    fn incomparable(diagnostic: ConditionDiagnostic) -> Self {
        ValueTest {
            any_match: None,
            diagnostic: Some(diagnostic),
        }
    }

    /// ORs `compare` over the policy values, where `compare` returns `None` for a
    /// policy value whose variable cannot be resolved. Such a value matches nothing,
    /// so for a negated operator the request value counts as "not equal" to it
    /// (SEMANTICS 8.7); either way the outcome notes the unresolved variable.
    fn any_policy_value<T>(
        policy_values: &[T],
        mut compare: impl FnMut(&T) -> Option<bool>,
    ) -> Self {
        let mut diagnostic = None;
        for policy_value in policy_values {
            match compare(policy_value) {
                Some(true) => {
                    return ValueTest {
                        any_match: Some(true),
                        diagnostic,
                    }
                }
                Some(false) => {}
                None => diagnostic = Some(ConditionDiagnostic::UnresolvedVariable),
            }
        }
        ValueTest {
            any_match: Some(false),
            diagnostic,
        }
    }
}

/// Whether `request.cmp(policy) == ordering` satisfies an ordered operator
/// (`Numeric*`, `Date*`). `…NotEquals` compares for equality here; the negation is
/// applied once over the whole value list (NOR).
fn ordering_satisfies(base: BaseOperator, ordering: Ordering) -> bool {
    match base {
        BaseOperator::NumericLessThan | BaseOperator::DateLessThan => ordering == Ordering::Less,
        BaseOperator::NumericLessThanEquals | BaseOperator::DateLessThanEquals => {
            ordering != Ordering::Greater
        }
        BaseOperator::NumericGreaterThan | BaseOperator::DateGreaterThan => {
            ordering == Ordering::Greater
        }
        BaseOperator::NumericGreaterThanEquals | BaseOperator::DateGreaterThanEquals => {
            ordering != Ordering::Less
        }
        _ => ordering == Ordering::Equal,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn op(name: &str) -> ConditionOperator {
        ConditionOperator::parse(name).unwrap()
    }

    fn cond(name: &str, values: &[&str]) -> CompiledCondition {
        let values: Vec<_> = values.iter().map(|v| PolicyValue::String(v)).collect();
        CompiledCondition::compile(op(name), "Test:Key", &values, true).unwrap()
    }

    fn ctx(value: Option<ContextValue>) -> Context {
        let mut c = Context::new();
        if let Some(v) = value {
            c.insert("test:KEY", v);
        }
        c
    }

    fn single(v: &str) -> Option<ContextValue> {
        Some(ContextValue::Single(v.into()))
    }

    fn multi(vs: &[&str]) -> Option<ContextValue> {
        Some(ContextValue::Multi(
            vs.iter().map(|v| Box::from(*v)).collect(),
        ))
    }

    fn eval(name: &str, values: &[&str], value: Option<ContextValue>) -> ConditionOutcome {
        cond(name, values).evaluate(&ctx(value))
    }

    #[test]
    fn absent_key_table() {
        let cases = [
            ("StringEquals", false),
            ("StringNotEquals", true),
            ("StringEqualsIfExists", true),
            ("StringNotEqualsIfExists", true),
            ("ForAllValues:StringEquals", true),
            ("ForAllValues:StringNotEquals", true),
            ("ForAnyValue:StringEquals", false),
            ("ForAnyValue:StringEqualsIfExists", false),
            ("ForAnyValue:StringNotEquals", false),
            ("NumericNotEquals", true),
            ("NotIpAddress", true),
        ];
        for (name, expect) in cases {
            let values: &[&str] = if name.contains("Numeric") {
                &["1"]
            } else if name.contains("Ip") {
                &["10.0.0.0/8"]
            } else {
                &["x"]
            };
            let out = eval(name, values, None);
            assert_eq!(out.matched, expect, "{name}");
            assert!(out.key_absent);
        }
        assert!(eval("Null", &["true"], None).matched);
        assert!(!eval("Null", &["false"], None).matched);
        assert!(eval("Null", &["false"], multi(&[])).matched);
        assert!(!eval("Null", &["true"], multi(&[])).matched);
    }

    #[test]
    fn negated_values_are_nor() {
        assert!(!eval("StringNotEquals", &["a", "b"], single("a")).matched);
        assert!(eval("StringNotEquals", &["a", "b"], single("c")).matched);
        assert!(eval("StringEquals", &["a", "b"], single("b")).matched);
    }

    #[test]
    fn multivalued_without_qualifier_never_matches() {
        for name in ["StringEquals", "StringNotEquals", "StringEqualsIfExists"] {
            let out = eval(name, &["a"], multi(&["a"]));
            assert!(!out.matched, "{name}");
            assert_eq!(
                out.diagnostic,
                Some(ConditionDiagnostic::MultivaluedKeyWithoutSetQualifier)
            );
        }
    }

    #[test]
    fn set_qualifiers() {
        assert!(eval("ForAllValues:StringEquals", &["a", "b"], multi(&["a", "b"])).matched);
        assert!(!eval("ForAllValues:StringEquals", &["a", "b"], multi(&["a", "c"])).matched);
        assert!(eval("ForAllValues:StringEquals", &["a"], multi(&[])).matched);
        assert!(eval("ForAllValues:StringEquals", &["a"], single("a")).matched);
        assert!(eval("ForAnyValue:StringEquals", &["a"], multi(&["c", "a"])).matched);
        assert!(!eval("ForAnyValue:StringEquals", &["a"], multi(&[])).matched);
        assert!(
            eval(
                "ForAnyValue:StringNotEquals",
                &["a", "b"],
                multi(&["a", "z"])
            )
            .matched
        );
        assert!(
            !eval(
                "ForAnyValue:StringNotEquals",
                &["a", "b"],
                multi(&["a", "b"])
            )
            .matched
        );
        assert!(!eval("ForAllValues:StringNotEquals", &["a"], multi(&["b", "a"])).matched);
        assert!(eval("ForAllValues:StringNotEquals", &["a"], multi(&["b", "c"])).matched);
    }

    /// A request value that cannot be compared equals no policy value: positive
    /// operators fail, negated operators (the guards of Deny statements) hold.
    #[test]
    fn incomparable_request_value_matches_no_policy_value() {
        let out = eval("NumericEquals", &["1"], single("abc"));
        assert!(!out.matched);
        assert_eq!(
            out.diagnostic,
            Some(ConditionDiagnostic::RequestValueNotNumber)
        );
        let out = eval("NumericNotEquals", &["1"], single("abc"));
        assert!(out.matched);
        assert_eq!(
            out.diagnostic,
            Some(ConditionDiagnostic::RequestValueNotNumber)
        );
        let out = eval("NotIpAddress", &["10.0.0.0/8"], single("nope"));
        assert!(out.matched);
        assert_eq!(out.diagnostic, Some(ConditionDiagnostic::RequestValueNotIp));
        let out = eval("IpAddress", &["10.0.0.0/8"], single("nope"));
        assert!(!out.matched);
        let out = eval("ForAnyValue:NumericLessThan", &["10"], multi(&["x", "5"]));
        assert!(out.matched);
        assert_eq!(
            out.diagnostic,
            Some(ConditionDiagnostic::RequestValueNotNumber)
        );
    }

    #[test]
    fn unresolved_variable_in_values() {
        let out = eval(
            "StringNotEquals",
            &["${aws:PrincipalTag/team}"],
            single("red"),
        );
        assert!(out.matched);
        assert_eq!(
            out.diagnostic,
            Some(ConditionDiagnostic::UnresolvedVariable)
        );
        let out = eval("StringEquals", &["${aws:PrincipalTag/team}"], single("red"));
        assert!(!out.matched);
        assert_eq!(
            out.diagnostic,
            Some(ConditionDiagnostic::UnresolvedVariable)
        );
    }

    #[test]
    fn compile_errors() {
        let err = CompiledCondition::compile(op("StringEquals"), "k", &[], true).unwrap_err();
        assert_eq!(err.kind, ConditionValueErrorKind::EmptyValueList);
        let err = CompiledCondition::compile(op("Null"), "k", &[PolicyValue::String("yes")], true)
            .unwrap_err();
        assert_eq!(err.kind, ConditionValueErrorKind::NullValueNotBoolean);
    }

    /// A policy value that cannot be read as the operator's type compares false
    /// against every request value (SEMANTICS 7.6): positive operators ignore it,
    /// negated operators hold, and the outcome says a policy value was unreadable.
    #[test]
    fn unreadable_policy_values_compare_false() {
        let c = CompiledCondition::compile(
            op("NumericEquals"),
            "k",
            &[PolicyValue::Number("1"), PolicyValue::String("ten")],
            true,
        )
        .unwrap();
        assert_eq!(
            c.unreadable_values(),
            [ConditionValueError::new(
                1,
                ConditionValueErrorKind::NotANumber
            )]
        );
        assert_eq!(
            c.unreadable_values()[0].to_string(),
            "condition value at index 1 is not a number"
        );
        assert_eq!(c.values_as_written().collect::<Vec<_>>(), ["1", "ten"]);
        let mut context = Context::new();
        context.insert_str("k", "1");
        let out = c.evaluate(&context);
        assert!(out.matched);
        assert_eq!(
            out.diagnostic,
            Some(ConditionDiagnostic::PolicyValueUnreadable)
        );
        context.insert_str("k", "2");
        let out = c.evaluate(&context);
        assert!(!out.matched);
        assert_eq!(
            out.diagnostic,
            Some(ConditionDiagnostic::PolicyValueUnreadable)
        );

        let cases: [(&str, &str, &str, bool); 12] = [
            ("NumericLessThan", "ten", "5", false),
            ("NumericNotEquals", "ten", "5", true),
            (
                "DateLessThan",
                "next tuesday",
                "2020-01-01T00:00:00Z",
                false,
            ),
            (
                "DateNotEquals",
                "next tuesday",
                "2020-01-01T00:00:00Z",
                true,
            ),
            ("IpAddress", "203.0.113.0/33", "203.0.113.7", false),
            ("NotIpAddress", "203.0.113.0/33", "203.0.113.7", true),
            ("Bool", "maybe", "true", false),
            ("Bool", "maybe", "false", false),
            ("BinaryEquals", "@@", "QQ==", false),
            ("ForAnyValue:NumericEquals", "x", "1", false),
            ("ForAllValues:NumericNotEquals", "x", "1", true),
            ("NumericNotEqualsIfExists", "x", "1", true),
        ];
        for (name, policy, request, expect) in cases {
            let c = cond(name, &[policy]);
            assert_eq!(c.unreadable_values().len(), 1, "{name}");
            let out = c.evaluate(&ctx(single(request)));
            assert_eq!(out.matched, expect, "{name} {policy:?} on {request:?}");
            assert_eq!(
                out.diagnostic,
                Some(ConditionDiagnostic::PolicyValueUnreadable),
                "{name}"
            );
            // The value is never consulted for an absent key: the usual absent-key
            // rules apply, with no diagnostic.
            let absent = c.evaluate(&ctx(None));
            assert_eq!(absent.diagnostic, None, "{name}");
            assert_eq!(
                absent.matched,
                eval(name, &["1"], None).matched,
                "{name}: absent key"
            );
        }
        // A request value that cannot be compared either is reported as such.
        let out = eval("NumericNotEquals", &["ten"], single("abc"));
        assert!(out.matched);
        assert_eq!(
            out.diagnostic,
            Some(ConditionDiagnostic::RequestValueNotNumber)
        );
    }

    #[test]
    fn key_and_written_values() {
        let c = CompiledCondition::compile(
            op("StringEquals"),
            "AWS:PrincipalTag/Team",
            &[
                PolicyValue::String("a"),
                PolicyValue::Number("10"),
                PolicyValue::Bool(true),
            ],
            true,
        )
        .unwrap();
        assert_eq!(&*c.key, "aws:principaltag/team");
        assert_eq!(&*c.key_as_written, "AWS:PrincipalTag/Team");
        assert_eq!(
            c.values_as_written().collect::<Vec<_>>(),
            ["a", "10", "true"]
        );
        let mut context = Context::new();
        context.insert_str("aws:principaltag/team", "10");
        assert!(c.evaluate(&context).matched);
    }

    #[test]
    fn compiled_conditions_are_shareable() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<CompiledCondition>();
    }
}
