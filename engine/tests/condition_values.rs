//! Policy-side condition values that cannot be read as their operator's type
//! (SEMANTICS 7.6): the policy loads with a located warning, the comparison is false,
//! and a Deny such a value disabled makes the response indeterminate — on the fast
//! path and the explain path alike, exactly as for request values that cannot be
//! compared.

use iamsim_engine::decision::ConditionDiagnostic;
use iamsim_engine::{
    CompiledPolicySet, Decision, Policy, PolicyKind, PolicySet, PolicyWarningKind, Request,
};

fn set(identity: &str) -> CompiledPolicySet {
    let policy =
        Policy::parse(identity, PolicyKind::Identity, "p.json").unwrap_or_else(|e| panic!("{e}"));
    CompiledPolicySet::compile(&PolicySet {
        identity: vec![policy],
        ..PolicySet::default()
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn request(key: &str, value: &str) -> Request {
    let mut r = Request::new(
        "arn:aws:iam::111122223333:user/a",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
    );
    r.context_mut().insert_str(key, value);
    r
}

const ALLOW_ALL: &str = r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#;

/// (Deny condition, key, request value, decision, indeterminate).
const CASES: [(&str, &str, &str, Decision, bool); 6] = [
    // A positive operator on an unreadable value never matches: the Deny is skipped,
    // and since the value might have matched, the response says so.
    (
        r#"{"NumericLessThan":{"s3:max-keys":"ten"}}"#,
        "s3:max-keys",
        "5",
        Decision::Allowed,
        true,
    ),
    (
        r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}"#,
        "aws:SourceIp",
        "10.0.0.1",
        Decision::Allowed,
        true,
    ),
    (
        r#"{"Bool":{"aws:SecureTransport":"maybe"}}"#,
        "aws:SecureTransport",
        "false",
        Decision::Allowed,
        true,
    ),
    // A negated operator holds: the Deny applies, nothing is indeterminate.
    (
        r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/33"}}"#,
        "aws:SourceIp",
        "10.0.0.1",
        Decision::ExplicitDeny,
        false,
    ),
    (
        r#"{"DateNotEquals":{"aws:CurrentTime":"2024-02-30T00:00:00Z"}}"#,
        "aws:CurrentTime",
        "2024-01-01T00:00:00Z",
        Decision::ExplicitDeny,
        false,
    ),
    // A readable value beside the unreadable one still decides.
    (
        r#"{"NumericEquals":{"s3:max-keys":["ten","5"]}}"#,
        "s3:max-keys",
        "5",
        Decision::ExplicitDeny,
        false,
    ),
];

#[test]
fn unreadable_policy_values_compare_false_and_a_deny_they_disable_is_indeterminate() {
    for (condition, key, value, decision, indeterminate) in CASES {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{ALLOW_ALL},{{"Sid":"Guard","Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{condition}}}]}}"#
        );
        let policy =
            Policy::parse(&text, PolicyKind::Identity, "p.json").unwrap_or_else(|e| panic!("{e}"));
        assert!(
            policy.warnings(Some(&text)).iter().any(|w| matches!(
                w.kind,
                PolicyWarningKind::ConditionValueUnreadable { .. }
            ) && w
                .pointer
                .starts_with("/Statement/1/Condition/")),
            "{condition}: no located warning"
        );
        let compiled = set(&text);
        let r = request(key, value);
        let fast = compiled.evaluate(&r);
        let explained = compiled.explain(&r);
        for (path, response) in [("evaluate", &fast), ("explain", &explained.response)] {
            assert_eq!(response.decision, decision, "{condition} ({path})");
            assert_eq!(
                response.has_indeterminate_deny(),
                indeterminate,
                "{condition} ({path}): {:?}",
                response.diagnostics
            );
            assert!(
                response
                    .diagnostics
                    .iter()
                    .any(|d| d.kind == ConditionDiagnostic::PolicyValueUnreadable),
                "{condition} ({path})"
            );
        }
    }
}

/// The value is never consulted for an absent key, so there is nothing to report.
#[test]
fn an_absent_key_never_meets_the_unreadable_value() {
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{ALLOW_ALL},{{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{{"NumericLessThan":{{"s3:max-keys":"ten"}}}}}}]}}"#
    );
    let compiled = set(&text);
    let r = request("aws:username", "a");
    let response = compiled.evaluate(&r);
    assert_eq!(response.decision, Decision::Allowed);
    assert!(!response.has_indeterminate_deny());
    assert!(response.diagnostics.is_empty());
}
