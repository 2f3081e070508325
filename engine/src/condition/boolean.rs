//! Step 4, conditions: condition blocks → typed, compiled tests — the `Bool` operator.
//!
//! Rules (IAM User Guide, "Boolean condition operators"; SEMANTICS 7.6.5, 11.7):
//! `true`/`false` compare case-insensitively; a JSON boolean is the same as its
//! text; a request value that is not a boolean makes the comparison fail.
//!
//! Policy variables: the operator reference allows them in `Bool` values while the
//! variables page does not; we substitute them (SEMANTICS 11.7 permits it). A value
//! containing a variable is compared, once resolved, case-insensitively with the
//! request's `true`/`false`; a resolved text that is not a boolean simply matches
//! nothing. A value without variables must be `true` or `false` at compile time.

use super::string::equals_ignore_case;
use super::{
    ConditionDiagnostic, ConditionValueError, ConditionValueErrorKind, PolicyValue, ValueTest,
};
use crate::pattern::pieces::{has_variables, parse_pieces, Piece, Wildcards};
use crate::request::Context;

/// Compiled policy values of `Bool`.
#[derive(Debug, Clone)]
pub(super) struct BoolValues {
    values: Box<[BoolValue]>,
}

#[derive(Debug, Clone)]
enum BoolValue {
    /// Known at compile time.
    Literal(bool),
    /// Contains a policy variable, resolved per request.
    Variable(Box<[Piece]>),
}

impl BoolValues {
    /// Types every value as a boolean (or a variable-bearing text).
    pub(super) fn compile(
        values: &[PolicyValue<'_>],
        variables_enabled: bool,
        unreadable: &mut Vec<ConditionValueError>,
    ) -> Self {
        let values = values
            .iter()
            .enumerate()
            .map(|(index, value)| {
                let not_boolean =
                    ConditionValueError::new(index, ConditionValueErrorKind::NotABoolean);
                match value {
                    PolicyValue::Bool(b) => Ok(BoolValue::Literal(*b)),
                    PolicyValue::Number(_) => Err(not_boolean),
                    PolicyValue::String(text) => {
                        let pieces = parse_pieces(text, variables_enabled, Wildcards::Literal);
                        if has_variables(&pieces) {
                            return Ok(BoolValue::Variable(pieces.into_boxed_slice()));
                        }
                        // `${$}`-style escapes become plain text; the rest must be a boolean.
                        let literal: String = pieces
                            .iter()
                            .filter_map(|p| match p {
                                Piece::Literal(text) => Some(&**text),
                                _ => None,
                            })
                            .collect();
                        parse_bool(&literal)
                            .map(BoolValue::Literal)
                            .ok_or(not_boolean)
                    }
                }
            })
            .filter_map(|typed| typed.map_err(|e| unreadable.push(e)).ok())
            .collect();
        BoolValues { values }
    }

    /// Whether `request` equals at least one policy value.
    pub(super) fn test(&self, request: &str, context: &Context) -> ValueTest {
        let Some(request) = parse_bool(request) else {
            return ValueTest::incomparable(ConditionDiagnostic::RequestValueNotBoolean);
        };
        let request_text = if request { "true" } else { "false" };
        ValueTest::any_policy_value(&self.values, |value| match value {
            BoolValue::Literal(b) => Some(*b == request),
            BoolValue::Variable(pieces) => equals_ignore_case(pieces, request_text, context),
        })
    }
}

/// `true` or `false` in any case.
pub(super) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn any(values: &[PolicyValue<'_>], request: &str, context: &Context) -> Option<bool> {
        crate::condition::strict(|u| BoolValues::compile(values, true, u))
            .unwrap()
            .test(request, context)
            .any_match
    }

    #[test]
    fn case_insensitive_both_sides() {
        let c = Context::new();
        assert_eq!(
            any(&[PolicyValue::String("false")], "false", &c),
            Some(true)
        );
        assert_eq!(
            any(&[PolicyValue::String("FALSE")], "False", &c),
            Some(true)
        );
        assert_eq!(
            any(&[PolicyValue::String("true")], "false", &c),
            Some(false)
        );
        assert_eq!(any(&[PolicyValue::Bool(false)], "false", &c), Some(true));
        assert_eq!(any(&[PolicyValue::Bool(true)], "TRUE", &c), Some(true));
    }

    #[test]
    fn non_boolean_request_is_incomparable() {
        let c = Context::new();
        for bad in ["yes", "1", "", "true "] {
            let t = crate::condition::strict(|u| {
                BoolValues::compile(&[PolicyValue::Bool(true)], true, u)
            })
            .unwrap()
            .test(bad, &c);
            assert_eq!(t.any_match, None, "{bad}");
            assert_eq!(
                t.diagnostic,
                Some(ConditionDiagnostic::RequestValueNotBoolean)
            );
        }
    }

    #[test]
    fn policy_values_must_be_booleans() {
        for bad in [
            PolicyValue::String("yes"),
            PolicyValue::Number("1"),
            PolicyValue::String(""),
        ] {
            assert!(
                crate::condition::strict(|u| BoolValues::compile(&[bad], true, u)).is_err(),
                "{bad:?}"
            );
        }
        // Without variables enabled, `${…}` is text and not a boolean.
        assert!(crate::condition::strict(|u| BoolValues::compile(
            &[PolicyValue::String("${aws:x}")],
            false,
            u
        ))
        .is_err());
    }

    #[test]
    fn variables_are_substituted() {
        let mut c = Context::new();
        c.insert_str("aws:PrincipalTag/mfa", "True");
        let v = [PolicyValue::String("${aws:PrincipalTag/mfa}")];
        assert_eq!(any(&v, "true", &c), Some(true));
        assert_eq!(any(&v, "false", &c), Some(false));
        let t = crate::condition::strict(|u| {
            BoolValues::compile(&[PolicyValue::String("${aws:PrincipalTag/none}")], true, u)
        })
        .unwrap()
        .test("true", &c);
        assert_eq!(t.any_match, Some(false));
        assert_eq!(t.diagnostic, Some(ConditionDiagnostic::UnresolvedVariable));
    }
}
