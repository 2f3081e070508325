//! Step 4, conditions: condition blocks → typed, compiled tests — the `Null` operator.
//!
//! Rules (IAM User Guide, "Condition operator to check existence of condition keys";
//! SEMANTICS 7.6.9): the policy value `true` asserts that the key is absent, `false`
//! that it is present (a present empty set counts as present). Only presence is
//! looked at, never the request value. No variables.

use super::boolean::parse_bool;
use super::{ConditionValueError, ConditionValueErrorKind, PolicyValue};

/// Compiled policy values of `Null`: `true` = "the key must be absent".
#[derive(Debug, Clone)]
pub(super) struct NullValues {
    expect_absent: Box<[bool]>,
}

impl NullValues {
    /// Types every value as `true`/`false` (any case, or a JSON boolean).
    pub(super) fn compile(values: &[PolicyValue<'_>]) -> Result<Self, ConditionValueError> {
        let expect_absent = values
            .iter()
            .enumerate()
            .map(|(index, value)| {
                let parsed = match value {
                    PolicyValue::Bool(b) => Some(*b),
                    PolicyValue::String(text) => parse_bool(text),
                    PolicyValue::Number(_) => None,
                };
                parsed.ok_or(ConditionValueError::new(
                    index,
                    ConditionValueErrorKind::NullValueNotBoolean,
                ))
            })
            .collect::<Result<_, _>>()?;
        Ok(NullValues { expect_absent })
    }

    /// Listed values are ORed like any positive operator's.
    pub(super) fn matches(&self, key_absent: bool) -> bool {
        self.expect_absent.contains(&key_absent)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn presence() {
        let absent = NullValues::compile(&[PolicyValue::String("true")]).unwrap();
        assert!(absent.matches(true));
        assert!(!absent.matches(false));
        let present = NullValues::compile(&[PolicyValue::Bool(false)]).unwrap();
        assert!(present.matches(false));
        assert!(!present.matches(true));
        let either =
            NullValues::compile(&[PolicyValue::String("TRUE"), PolicyValue::String("False")])
                .unwrap();
        assert!(either.matches(true) && either.matches(false));
    }

    #[test]
    fn rejects_non_booleans() {
        for bad in [
            PolicyValue::String("yes"),
            PolicyValue::Number("1"),
            PolicyValue::String("${aws:x}"),
        ] {
            let err = NullValues::compile(&[PolicyValue::Bool(true), bad]).unwrap_err();
            assert_eq!(
                (err.index, err.kind),
                (1, ConditionValueErrorKind::NullValueNotBoolean)
            );
        }
    }
}
