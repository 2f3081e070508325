//! Step 4, conditions: condition blocks → typed, compiled tests — the ARN family
//! (`ArnEquals`, `ArnLike`, `ArnNotEquals`, `ArnNotLike`).
//!
//! Rules (IAM User Guide, "Amazon Resource Name (ARN) condition operators";
//! SEMANTICS 7.6.8, 8.9): `ArnEquals` behaves exactly like `ArnLike`, wildcards
//! included; the six colon-separated parts are matched separately and
//! case-sensitively, so `*` never reaches across a `:` before the resource part;
//! text that is not an ARN never matches. Policy variables may sit in any part and
//! are recognised before the value is split at colons.

use super::{PolicyValue, ValueTest};
use crate::pattern::arn::{ArnPattern, VariableScope};
use crate::request::Context;

/// Compiled policy values of an ARN operator.
#[derive(Debug, Clone)]
pub(super) struct ArnValues {
    patterns: Box<[ArnPattern]>,
}

impl ArnValues {
    /// Compiles every value as a segment-aware ARN pattern (infallible: any text has
    /// a meaning, possibly "matches nothing").
    pub(super) fn compile(values: &[PolicyValue<'_>], variables_enabled: bool) -> Self {
        let patterns = values
            .iter()
            .map(|v| ArnPattern::parse(v.as_text(), variables_enabled, VariableScope::Anywhere))
            .collect();
        ArnValues { patterns }
    }

    /// Whether `request` is like at least one policy ARN.
    pub(super) fn test(&self, request: &str, context: &Context) -> ValueTest {
        ValueTest::any_policy_value(&self.patterns, |pattern| pattern.matches(request, context))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::condition::ConditionDiagnostic;

    fn any(values: &[&str], request: &str, context: &Context) -> Option<bool> {
        let values: Vec<_> = values.iter().map(|v| PolicyValue::String(v)).collect();
        ArnValues::compile(&values, true)
            .test(request, context)
            .any_match
    }

    #[test]
    fn segment_bounded() {
        let c = Context::new();
        let pattern = ["arn:aws:someservice:*:111122223333:finance/*"];
        assert_eq!(
            any(
                &pattern,
                "arn:aws:someservice:us-east-2:111122223333:finance/doc.txt",
                &c
            ),
            Some(true)
        );
        assert_eq!(
            any(
                &pattern,
                "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
                &c
            ),
            Some(false)
        );
    }

    #[test]
    fn case_sensitive_and_non_arn() {
        let c = Context::new();
        assert_eq!(
            any(
                &["arn:aws:sns:us-east-1:111122223333:Topic1"],
                "arn:aws:sns:us-east-1:111122223333:topic1",
                &c
            ),
            Some(false)
        );
        assert_eq!(any(&["arn:aws:sns:*:*:*"], "not-an-arn", &c), Some(false));
    }

    #[test]
    fn variable_in_account_segment() {
        let mut c = Context::new();
        c.insert_str("aws:PrincipalAccount", "111122223333");
        let pattern = ["arn:aws:iam::${aws:PrincipalAccount}:user/al*"];
        assert_eq!(
            any(&pattern, "arn:aws:iam::111122223333:user/alice", &c),
            Some(true)
        );
        assert_eq!(
            any(&pattern, "arn:aws:iam::444455556666:user/alice", &c),
            Some(false)
        );
        let t = ArnValues::compile(&[PolicyValue::String(pattern[0])], true)
            .test("arn:aws:iam::111122223333:user/alice", &Context::new());
        assert_eq!(t.any_match, Some(false));
        assert_eq!(t.diagnostic, Some(ConditionDiagnostic::UnresolvedVariable));
    }
}
