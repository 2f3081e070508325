//! Step 4, conditions: condition blocks → typed, compiled tests — operator names. Parses a
//! condition operator name (`ForAnyValue:StringLikeIfExists`) into its set
//! qualifier, base operator and `IfExists` flag, once per policy.
//!
//! Rules (IAM User Guide, "Condition operators" and "Multivalued context keys"):
//! a name is an optional `ForAllValues:` / `ForAnyValue:` prefix, a base operator
//! spelled exactly as AWS writes it, and an optional `IfExists` suffix. `Null`
//! takes neither a prefix nor the suffix.

use std::fmt;

/// How the request values of a key are quantified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// No prefix: the key is expected to carry one value.
    Single,
    /// `ForAllValues:` — every request value must pass (true for none).
    ForAllValues,
    /// `ForAnyValue:` — at least one request value must pass.
    ForAnyValue,
}

impl SetQualifier {
    /// The prefix as written in a policy, colon included (`""` for [`SetQualifier::Single`]).
    pub fn prefix(self) -> &'static str {
        match self {
            SetQualifier::Single => "",
            SetQualifier::ForAllValues => "ForAllValues:",
            SetQualifier::ForAnyValue => "ForAnyValue:",
        }
    }
}

/// A condition operator without its qualifier and `IfExists` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseOperator {
    /// Exact, case-sensitive string equality; `*` and `?` are literal.
    StringEquals,
    /// Negation of [`BaseOperator::StringEquals`] (equal to none of the values).
    StringNotEquals,
    /// Case-insensitive string equality.
    StringEqualsIgnoreCase,
    /// Negation of [`BaseOperator::StringEqualsIgnoreCase`].
    StringNotEqualsIgnoreCase,
    /// Case-sensitive glob match with `*` and `?`.
    StringLike,
    /// Negation of [`BaseOperator::StringLike`].
    StringNotLike,
    /// Numeric equality (`10` equals `10.0`).
    NumericEquals,
    /// Negation of [`BaseOperator::NumericEquals`].
    NumericNotEquals,
    /// Request value < policy value.
    NumericLessThan,
    /// Request value ≤ policy value.
    NumericLessThanEquals,
    /// Request value > policy value.
    NumericGreaterThan,
    /// Request value ≥ policy value.
    NumericGreaterThanEquals,
    /// Same instant.
    DateEquals,
    /// Negation of [`BaseOperator::DateEquals`].
    DateNotEquals,
    /// Request instant before the policy instant.
    DateLessThan,
    /// Request instant at or before the policy instant.
    DateLessThanEquals,
    /// Request instant after the policy instant.
    DateGreaterThan,
    /// Request instant at or after the policy instant.
    DateGreaterThanEquals,
    /// Boolean equality (`true`/`false`, any case).
    Bool,
    /// Equality of base-64 decoded bytes.
    BinaryEquals,
    /// Request address inside one of the CIDR ranges.
    IpAddress,
    /// Negation of [`BaseOperator::IpAddress`].
    NotIpAddress,
    /// Segment-wise ARN match; honours wildcards exactly like [`BaseOperator::ArnLike`].
    ArnEquals,
    /// Segment-wise ARN glob match.
    ArnLike,
    /// Negation of [`BaseOperator::ArnEquals`].
    ArnNotEquals,
    /// Negation of [`BaseOperator::ArnLike`].
    ArnNotLike,
    /// Key presence test: `true` asserts absence, `false` presence.
    Null,
}

/// Every base operator, in the order of the IAM operator reference.
const ALL_BASE_OPERATORS: [BaseOperator; 27] = [
    BaseOperator::StringEquals,
    BaseOperator::StringNotEquals,
    BaseOperator::StringEqualsIgnoreCase,
    BaseOperator::StringNotEqualsIgnoreCase,
    BaseOperator::StringLike,
    BaseOperator::StringNotLike,
    BaseOperator::NumericEquals,
    BaseOperator::NumericNotEquals,
    BaseOperator::NumericLessThan,
    BaseOperator::NumericLessThanEquals,
    BaseOperator::NumericGreaterThan,
    BaseOperator::NumericGreaterThanEquals,
    BaseOperator::DateEquals,
    BaseOperator::DateNotEquals,
    BaseOperator::DateLessThan,
    BaseOperator::DateLessThanEquals,
    BaseOperator::DateGreaterThan,
    BaseOperator::DateGreaterThanEquals,
    BaseOperator::Bool,
    BaseOperator::BinaryEquals,
    BaseOperator::IpAddress,
    BaseOperator::NotIpAddress,
    BaseOperator::ArnEquals,
    BaseOperator::ArnLike,
    BaseOperator::ArnNotEquals,
    BaseOperator::ArnNotLike,
    BaseOperator::Null,
];

impl BaseOperator {
    /// True for the operators whose listed values combine as "equal to none of
    /// them" (NOR) and which are true when the key is absent.
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            BaseOperator::StringNotEquals
                | BaseOperator::StringNotEqualsIgnoreCase
                | BaseOperator::StringNotLike
                | BaseOperator::NumericNotEquals
                | BaseOperator::DateNotEquals
                | BaseOperator::NotIpAddress
                | BaseOperator::ArnNotEquals
                | BaseOperator::ArnNotLike
        )
    }

    /// The name as AWS spells it (`StringNotEqualsIgnoreCase`).
    pub fn name(self) -> &'static str {
        match self {
            BaseOperator::StringEquals => "StringEquals",
            BaseOperator::StringNotEquals => "StringNotEquals",
            BaseOperator::StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            BaseOperator::StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            BaseOperator::StringLike => "StringLike",
            BaseOperator::StringNotLike => "StringNotLike",
            BaseOperator::NumericEquals => "NumericEquals",
            BaseOperator::NumericNotEquals => "NumericNotEquals",
            BaseOperator::NumericLessThan => "NumericLessThan",
            BaseOperator::NumericLessThanEquals => "NumericLessThanEquals",
            BaseOperator::NumericGreaterThan => "NumericGreaterThan",
            BaseOperator::NumericGreaterThanEquals => "NumericGreaterThanEquals",
            BaseOperator::DateEquals => "DateEquals",
            BaseOperator::DateNotEquals => "DateNotEquals",
            BaseOperator::DateLessThan => "DateLessThan",
            BaseOperator::DateLessThanEquals => "DateLessThanEquals",
            BaseOperator::DateGreaterThan => "DateGreaterThan",
            BaseOperator::DateGreaterThanEquals => "DateGreaterThanEquals",
            BaseOperator::Bool => "Bool",
            BaseOperator::BinaryEquals => "BinaryEquals",
            BaseOperator::IpAddress => "IpAddress",
            BaseOperator::NotIpAddress => "NotIpAddress",
            BaseOperator::ArnEquals => "ArnEquals",
            BaseOperator::ArnLike => "ArnLike",
            BaseOperator::ArnNotEquals => "ArnNotEquals",
            BaseOperator::ArnNotLike => "ArnNotLike",
            BaseOperator::Null => "Null",
        }
    }

    /// The operator named exactly `name` (case-sensitive, no prefix or suffix).
    ///
    /// ```
    /// use iamsim_engine::internal::condition::BaseOperator;
    /// assert_eq!(BaseOperator::from_name("ArnLike"), Some(BaseOperator::ArnLike));
    /// assert_eq!(BaseOperator::from_name("arnlike"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        ALL_BASE_OPERATORS.into_iter().find(|op| op.name() == name)
    }
}

impl fmt::Display for BaseOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A parsed condition operator name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConditionOperator {
    /// The set prefix, or [`SetQualifier::Single`] when there is none.
    pub qualifier: SetQualifier,
    /// The base operator.
    pub base: BaseOperator,
    /// True when the name ends in `IfExists`.
    pub if_exists: bool,
}

/// Why an operator name was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperatorError {
    /// The base name (after removing prefix and suffix) is not an IAM operator.
    #[error("unknown condition operator `{0}`")]
    Unknown(String),
    /// A `Xxx:` prefix other than `ForAllValues:` / `ForAnyValue:`.
    #[error("unknown set qualifier in condition operator `{0}` (expected `ForAllValues:` or `ForAnyValue:`)")]
    UnknownSetPrefix(String),
    /// `Null` with a set prefix or the `IfExists` suffix.
    #[error("condition operator `{0}`: `Null` takes no set qualifier and no `IfExists`")]
    NullWithQualifier(String),
}

const IF_EXISTS: &str = "IfExists";

impl ConditionOperator {
    /// Parses an operator name as written in a policy's `Condition` block.
    ///
    /// ```
    /// use iamsim_engine::internal::condition::{BaseOperator, ConditionOperator, SetQualifier};
    /// let op = ConditionOperator::parse("ForAnyValue:StringLikeIfExists").unwrap();
    /// assert_eq!(op.qualifier, SetQualifier::ForAnyValue);
    /// assert_eq!(op.base, BaseOperator::StringLike);
    /// assert!(op.if_exists);
    /// assert_eq!(op.to_string(), "ForAnyValue:StringLikeIfExists");
    /// assert!(ConditionOperator::parse("NullIfExists").is_err());
    /// ```
    pub fn parse(name: &str) -> Result<Self, OperatorError> {
        let (qualifier, rest) = match name.split_once(':') {
            None => (SetQualifier::Single, name),
            Some(("ForAllValues", rest)) => (SetQualifier::ForAllValues, rest),
            Some(("ForAnyValue", rest)) => (SetQualifier::ForAnyValue, rest),
            Some(_) => return Err(OperatorError::UnknownSetPrefix(name.to_owned())),
        };
        let (base_name, if_exists) = match rest.strip_suffix(IF_EXISTS) {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let base = BaseOperator::from_name(base_name)
            .ok_or_else(|| OperatorError::Unknown(name.to_owned()))?;
        // Null already is the existence test: AWS rejects it with a qualifier.
        if base == BaseOperator::Null && (if_exists || qualifier != SetQualifier::Single) {
            return Err(OperatorError::NullWithQualifier(name.to_owned()));
        }
        Ok(ConditionOperator {
            qualifier,
            base,
            if_exists,
        })
    }
}

impl fmt::Display for ConditionOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.qualifier.prefix())?;
        f.write_str(self.base.name())?;
        if self.if_exists {
            f.write_str(IF_EXISTS)?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        for op in ALL_BASE_OPERATORS {
            assert_eq!(BaseOperator::from_name(op.name()), Some(op));
            let parsed = ConditionOperator::parse(op.name()).unwrap();
            assert_eq!(parsed.to_string(), op.name());
            if op != BaseOperator::Null {
                for prefix in ["", "ForAllValues:", "ForAnyValue:"] {
                    for suffix in ["", "IfExists"] {
                        let name = format!("{prefix}{op}{suffix}");
                        let parsed = ConditionOperator::parse(&name).unwrap();
                        assert_eq!(parsed.to_string(), name);
                    }
                }
            }
        }
    }

    #[test]
    fn qualifiers_and_suffix() {
        let op = ConditionOperator::parse("ForAllValues:NumericLessThan").unwrap();
        assert_eq!(op.qualifier, SetQualifier::ForAllValues);
        assert_eq!(op.base, BaseOperator::NumericLessThan);
        assert!(!op.if_exists);
        let op = ConditionOperator::parse("StringNotEqualsIfExists").unwrap();
        assert_eq!(op.qualifier, SetQualifier::Single);
        assert!(op.if_exists && op.base.is_negated());
    }

    #[test]
    fn rejects_bad_names() {
        assert!(matches!(
            ConditionOperator::parse("stringequals"),
            Err(OperatorError::Unknown(_))
        ));
        assert!(matches!(
            ConditionOperator::parse("StringEqualsIfexists"),
            Err(OperatorError::Unknown(_))
        ));
        assert!(matches!(
            ConditionOperator::parse("IfExists"),
            Err(OperatorError::Unknown(_))
        ));
        assert!(matches!(
            ConditionOperator::parse(""),
            Err(OperatorError::Unknown(_))
        ));
        assert!(matches!(
            ConditionOperator::parse("ForAllValues:ForAnyValue:StringEquals"),
            Err(OperatorError::Unknown(_))
        ));
        assert!(matches!(
            ConditionOperator::parse("ForSomeValues:StringEquals"),
            Err(OperatorError::UnknownSetPrefix(_))
        ));
        assert!(matches!(
            ConditionOperator::parse("forallvalues:StringEquals"),
            Err(OperatorError::UnknownSetPrefix(_))
        ));
        for bad in [
            "NullIfExists",
            "ForAllValues:Null",
            "ForAnyValue:NullIfExists",
        ] {
            assert!(
                matches!(
                    ConditionOperator::parse(bad),
                    Err(OperatorError::NullWithQualifier(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn negated_set() {
        let negated: Vec<_> = ALL_BASE_OPERATORS
            .into_iter()
            .filter(|o| o.is_negated())
            .collect();
        assert_eq!(negated.len(), 8);
        assert!(!BaseOperator::Null.is_negated() && !BaseOperator::Bool.is_negated());
    }

    #[test]
    fn error_messages_are_lowercase_with_backticks() {
        let e = ConditionOperator::parse("Foo:Bar").unwrap_err().to_string();
        assert!(
            e.starts_with("unknown set qualifier") && e.contains("`Foo:Bar`"),
            "{e}"
        );
    }
}
