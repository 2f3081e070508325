//! Step 6, compile — lint: warnings about policies that load and evaluate, but
//! probably not as their author meant, or that AWS itself would refuse to store: size quotas, short or oddly
//! wildcarded ARNs, action strings with spaces or commas, policy variables in an
//! old-version policy, duplicate or non-alphanumeric `Sid`s. Warnings never change
//! a decision; errors are the parse and compile steps' business.

use crate::condition::{
    CompiledCondition, ConditionOperator, ConditionValueErrorKind, PolicyValue,
};
use crate::model::{ConditionEntry, Located, Policy, PolicyKind, PolicyVersion, ScalarValue};
use crate::pattern::arn::{ArnPattern, ArnPatternWarning, VariableScope};
use crate::source::json::Position;
use std::collections::BTreeSet;
use std::fmt;

/// One warning, with where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyWarning {
    /// JSON Pointer within the policy's source (`""` for the whole document).
    pub pointer: String,
    /// Line and column.
    pub position: Position,
    /// What is odd.
    pub kind: PolicyWarningKind,
}

/// The kinds of warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyWarningKind {
    /// The document is larger than AWS stores for this kind of policy.
    OverAwsSizeQuota {
        /// Characters, white space excluded (as AWS counts them).
        size: usize,
        /// AWS's quota for this kind.
        quota: usize,
        /// Which quota.
        what: &'static str,
    },
    /// An ARN pattern warning from the pattern module.
    Resource(String, ArnPatternWarning),
    /// An action string with white space or a comma matches nothing it looks like.
    SuspiciousAction(String),
    /// `${…}` appears but the policy is not Version 2012-10-17, so it is literal text.
    VariablesNeedVersion2012,
    /// IAM accepts only letters and digits in `Sid`.
    SidNotAlphanumeric(String),
    /// Two statements share a `Sid`.
    DuplicateSid(String),
    /// The policy has no `Version`: the 2008 language applies.
    MissingVersion,
    /// A condition value that cannot be read as its operator's type (`NumericEquals:
    /// "ten"`, a bad date or CIDR range, `Bool: "maybe"`, bad base-64). The policy
    /// loads; the value compares false against every request value, so a positive
    /// operator never matches on it and a negated one holds (SEMANTICS 7.6).
    ConditionValueUnreadable {
        /// The operator as written.
        operator: String,
        /// The value as written.
        value: String,
        /// What the value is not.
        kind: ConditionValueErrorKind,
    },
}

impl fmt::Display for PolicyWarningKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyWarningKind::OverAwsSizeQuota { size, quota, what } => write!(
                f,
                "policy is {size} characters (white space excluded), over AWS's quota of {quota} for {what}; AWS would refuse to store it"
            ),
            PolicyWarningKind::Resource(text, w) => write!(f, "resource `{text}`: {w}"),
            PolicyWarningKind::SuspiciousAction(a) => write!(
                f,
                "action `{a}` contains white space or a comma; IAM does not trim or split it, so it matches nothing it looks like"
            ),
            PolicyWarningKind::VariablesNeedVersion2012 => f.write_str(
                "`${…}` is literal text here: policy variables need `\"Version\": \"2012-10-17\"`",
            ),
            PolicyWarningKind::SidNotAlphanumeric(s) => {
                write!(f, "`Sid` `{s}` has characters other than letters and digits; IAM refuses it")
            }
            PolicyWarningKind::DuplicateSid(s) => write!(f, "`Sid` `{s}` is used by more than one statement"),
            PolicyWarningKind::MissingVersion => f.write_str(
                "no `Version`: the 2008-10-17 language applies (no policy variables); add `\"Version\": \"2012-10-17\"`",
            ),
            PolicyWarningKind::ConditionValueUnreadable { operator, value, kind } => write!(
                f,
                "condition value `{value}` {kind}: `{operator}` compares it false against every request value (a negated operator holds)"
            ),
        }
    }
}

/// AWS's size quota for a kind of policy, in characters without white space
/// (IAM and AWS Organizations quotas; resource policies use the S3 bucket policy's).
pub fn aws_size_quota(kind: PolicyKind) -> (usize, &'static str) {
    match kind {
        PolicyKind::Identity => (6_144, "a managed policy"),
        PolicyKind::Boundary => (6_144, "a managed policy used as a boundary"),
        PolicyKind::Resource => (20_480, "an S3 bucket policy"),
        PolicyKind::Session => (2_048, "a session policy"),
        PolicyKind::Scp => (5_120, "a service control policy"),
        PolicyKind::Rcp => (5_120, "a resource control policy"),
    }
}

impl Policy {
    /// Warnings about this policy. `source_text` is the document's text when known
    /// (for the size quota); policies embedded in other files pass `None`.
    pub fn warnings(&self, source_text: Option<&str>) -> Vec<PolicyWarning> {
        let mut out = Vec::new();
        let at = |pointer: &str, position: Position, kind| PolicyWarning {
            pointer: format!("{}{}", self.pointer, pointer),
            position,
            kind,
        };
        let start = self
            .statements
            .first()
            .map(|s| s.position)
            .unwrap_or_default();
        if let Some(text) = source_text {
            let size = text.chars().filter(|c| !c.is_whitespace()).count();
            let (quota, what) = aws_size_quota(self.kind);
            if size > quota {
                out.push(at(
                    "",
                    Position { line: 1, column: 1 },
                    PolicyWarningKind::OverAwsSizeQuota { size, quota, what },
                ));
            }
        }
        if self.version == PolicyVersion::Absent {
            out.push(at(
                "",
                Position { line: 1, column: 1 },
                PolicyWarningKind::MissingVersion,
            ));
        }
        let variables = self.version.variables_enabled();
        let mut sids = BTreeSet::new();
        let mut uses_variable_syntax = false;
        for s in &self.statements {
            if let Some(sid) = &s.sid {
                if !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                    out.push(at(
                        &format!("{}/Sid", s.pointer),
                        s.position,
                        PolicyWarningKind::SidNotAlphanumeric(sid.clone()),
                    ));
                }
                if !sids.insert(sid.clone()) {
                    out.push(at(
                        &format!("{}/Sid", s.pointer),
                        s.position,
                        PolicyWarningKind::DuplicateSid(sid.clone()),
                    ));
                }
            }
            for a in &s.action.entries {
                if a.value.contains([' ', '\t', ',']) {
                    out.push(at(
                        &a.pointer,
                        a.position,
                        PolicyWarningKind::SuspiciousAction(a.value.clone()),
                    ));
                }
            }
            if let Some(r) = &s.resource {
                for e in &r.entries {
                    uses_variable_syntax |= e.value.contains("${");
                    let pattern =
                        ArnPattern::parse(&e.value, variables, VariableScope::ResourcePart);
                    for w in pattern.warnings() {
                        // Patterns that match nothing are compile errors, not warnings.
                        if *w != ArnPatternWarning::MatchesNothing {
                            out.push(at(
                                &e.pointer,
                                e.position,
                                PolicyWarningKind::Resource(e.value.clone(), w.clone()),
                            ));
                        }
                    }
                }
            }
            for c in &s.conditions {
                for (v, kind) in unreadable_condition_values(c, variables) {
                    out.push(at(
                        &v.pointer,
                        v.position,
                        PolicyWarningKind::ConditionValueUnreadable {
                            operator: c.operator.value.clone(),
                            value: scalar_text(&v.value),
                            kind,
                        },
                    ));
                }
                uses_variable_syntax |= c
                    .values
                    .iter()
                    .any(|v| matches!(&v.value, super::ScalarValue::String(t) if t.contains("${")));
            }
        }
        if uses_variable_syntax && !variables {
            out.push(at("", start, PolicyWarningKind::VariablesNeedVersion2012));
        }
        out
    }
}

fn scalar_text(value: &ScalarValue) -> String {
    match value {
        ScalarValue::String(s) | ScalarValue::Number(s) => s.clone(),
        ScalarValue::Bool(b) => b.to_string(),
    }
}

/// The values of one condition entry that cannot be read as its operator's type.
/// An unknown operator or a value list that does not
/// compile at all is the compile step's error, not a warning: none here.
fn unreadable_condition_values(
    c: &ConditionEntry,
    variables: bool,
) -> Vec<(&Located<ScalarValue>, ConditionValueErrorKind)> {
    let Ok(operator) = ConditionOperator::parse(&c.operator.value) else {
        return Vec::new();
    };
    let values: Vec<PolicyValue<'_>> = c
        .values
        .iter()
        .map(|v| match &v.value {
            ScalarValue::String(s) => PolicyValue::String(s),
            ScalarValue::Number(n) => PolicyValue::Number(n),
            ScalarValue::Bool(b) => PolicyValue::Bool(*b),
        })
        .collect();
    let Ok(compiled) = CompiledCondition::compile(operator, &c.key.value, &values, variables)
    else {
        return Vec::new();
    };
    compiled
        .unreadable_values()
        .iter()
        .filter_map(|e| Some((c.values.get(e.index)?, e.kind)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warnings(text: &str, kind: PolicyKind) -> Vec<PolicyWarningKind> {
        let p = Policy::parse(text, kind, "w.json").unwrap_or_else(|e| panic!("{e}"));
        p.warnings(Some(text)).into_iter().map(|w| w.kind).collect()
    }

    #[test]
    fn size_quota_is_a_warning() {
        let big: Vec<String> = (0..800).map(|i| format!("\"s3:GetObject{i}\"")).collect();
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":[{}],"Resource":"*"}}}}"#,
            big.join(",")
        );
        assert!(warnings(&text, PolicyKind::Identity)
            .iter()
            .any(|w| matches!(w, PolicyWarningKind::OverAwsSizeQuota { quota: 6_144, .. })));
    }

    #[test]
    fn style_warnings() {
        let text = r#"{"Statement":[
            {"Sid":"a-b","Effect":"Allow","Action":"s3:Get Object","Resource":"arn:aws:s3:::home/${aws:username}/*"},
            {"Sid":"a-b","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:conn*ect:us-east-1:1:*tance/x"}]}"#;
        let w = warnings(text, PolicyKind::Identity);
        assert!(w.contains(&PolicyWarningKind::MissingVersion));
        assert!(w.contains(&PolicyWarningKind::VariablesNeedVersion2012));
        assert!(w.contains(&PolicyWarningKind::SidNotAlphanumeric("a-b".into())));
        assert!(w.contains(&PolicyWarningKind::DuplicateSid("a-b".into())));
        assert!(w.contains(&PolicyWarningKind::SuspiciousAction("s3:Get Object".into())));
        assert!(w.iter().any(|w| matches!(
            w,
            PolicyWarningKind::Resource(_, ArnPatternWarning::WildcardInService { .. })
        )));
    }

    /// A condition value its operator cannot read loads with a warning located at
    /// the value itself (position and JSON Pointer), not a refusal.
    #[test]
    fn unreadable_condition_values_are_located_warnings() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
            "Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","203.0.113.0/33"]},
                         "NumericLessThan":{"s3:max-keys":"ten"},
                         "Bool":{"aws:SecureTransport":"maybe"},
                         "DateGreaterThan":{"aws:CurrentTime":"2024-13-01T00:00:00Z"},
                         "StringEquals":{"aws:username":"ten"}}}]}"#;
        let p =
            Policy::parse(text, PolicyKind::Identity, "w.json").unwrap_or_else(|e| panic!("{e}"));
        let found: Vec<(String, String, String)> = p
            .warnings(None)
            .into_iter()
            .filter(|w| matches!(w.kind, PolicyWarningKind::ConditionValueUnreadable { .. }))
            .map(|w| (w.pointer, w.position.to_string(), w.kind.to_string()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "/Statement/0/Condition/NotIpAddress/aws:SourceIp/1".to_owned(),
                    "2:71".to_owned(),
                    "condition value `203.0.113.0/33` is not an IP address or CIDR range: `NotIpAddress` compares it false against every request value (a negated operator holds)".to_owned()
                ),
                (
                    "/Statement/0/Condition/NumericLessThan/s3:max-keys".to_owned(),
                    "3:59".to_owned(),
                    "condition value `ten` is not a number: `NumericLessThan` compares it false against every request value (a negated operator holds)".to_owned()
                ),
                (
                    "/Statement/0/Condition/Bool/aws:SecureTransport".to_owned(),
                    "4:56".to_owned(),
                    "condition value `maybe` is not `true` or `false`: `Bool` compares it false against every request value (a negated operator holds)".to_owned()
                ),
                (
                    "/Statement/0/Condition/DateGreaterThan/aws:CurrentTime".to_owned(),
                    "5:63".to_owned(),
                    "condition value `2024-13-01T00:00:00Z` is not a date (ISO 8601 such as `2024-01-01T00:00:00Z`, or epoch seconds): `DateGreaterThan` compares it false against every request value (a negated operator holds)".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn a_clean_policy_has_no_warnings() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
        assert!(warnings(text, PolicyKind::Identity).is_empty());
    }
}
