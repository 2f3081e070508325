//! The flagship Connect fixture: the instance-administrator identity policy and the
//! recordings-bucket lock, verbatim from `../shared/connect/`, evaluated for a handful
//! of requests whose explanations are pinned as insta snapshots.

use iamsim_engine::explain::render_text;
use iamsim_engine::model::{Policy, PolicyKind};
use iamsim_engine::request::Request;
use iamsim_engine::source::json;
use iamsim_engine::{CompiledPolicySet, Decision, PolicySet};
use iamsim_scenario::cases::context_from_json;

const ADMIN: &str = "fixtures/connect/instance-admin-policy.json";
const LOCK: &str = "fixtures/connect/recordings-bucket-lock.json";
const INSTANCE: &str =
    "arn:aws:connect:ap-northeast-1:123456789012:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const ADMIN_SESSION: &str = "arn:aws:sts::123456789012:assumed-role/ConnectInstanceAdmin/alice";

fn load(path: &str, kind: PolicyKind) -> Policy {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Policy::parse(&text, kind, path).unwrap_or_else(|e| panic!("{e}"))
}

fn connect_set(with_lock: bool) -> CompiledPolicySet {
    CompiledPolicySet::compile(&PolicySet {
        identity: vec![load(ADMIN, PolicyKind::Identity)],
        resource: with_lock.then(|| load(LOCK, PolicyKind::Resource)),
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn request(principal: &str, action: &str, resource: &str, context: &str) -> Request {
    let ctx = json::parse(context, 1, Default::default()).unwrap_or_else(|e| panic!("{e}"));
    Request::new(principal, action, resource)
        .with_context(context_from_json(&ctx).unwrap_or_else(|e| panic!("{e:?}")))
}

/// Evaluates on both paths, checks they agree with each other and with `expect`, and
/// returns the rendered explanation.
fn explained(set: &CompiledPolicySet, r: &Request, expect: Decision) -> String {
    let fast = set.evaluate(r);
    let explanation = set.explain(r);
    assert_eq!(
        fast.decision, explanation.response.decision,
        "fast path and explain path disagree"
    );
    assert_eq!(
        fast.decision,
        expect,
        "{}",
        render_text(set, r, &explanation)
    );
    render_text(set, r, &explanation)
}

#[test]
fn admin_manages_its_own_instance() {
    let set = connect_set(false);
    let r = request(
        ADMIN_SESSION,
        "connect:UpdateInstanceAttribute",
        INSTANCE,
        r#"{"connect:AttributeType":"CONTACTFLOW_LOGS"}"#,
    );
    insta::assert_snapshot!(
        "admin_update_instance_attribute",
        explained(&set, &r, Decision::Allowed)
    );
}

#[test]
fn admin_cannot_touch_another_instance() {
    let set = connect_set(false);
    let other =
        "arn:aws:connect:ap-northeast-1:123456789012:instance/ffffffff-0000-1111-2222-333333333333";
    let r = request(ADMIN_SESSION, "connect:DescribeInstance", other, "{}");
    insta::assert_snapshot!(
        "admin_other_instance",
        explained(&set, &r, Decision::ImplicitDeny)
    );
}

#[test]
fn admin_reads_its_flow_logs_but_not_a_lookalike_group() {
    let set = connect_set(false);
    let group = "arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/connect/mycc:log-stream:";
    let r = request(ADMIN_SESSION, "logs:GetLogEvents", group, "{}");
    explained(&set, &r, Decision::Allowed);
    let lookalike =
        "arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/connect/mycc-dev:log-stream:";
    let r = request(ADMIN_SESSION, "logs:GetLogEvents", lookalike, "{}");
    insta::assert_snapshot!(
        "admin_lookalike_log_group",
        explained(&set, &r, Decision::ImplicitDeny)
    );
}

#[test]
fn bucket_lock_denies_the_admin_whose_user_id_is_not_exempt() {
    let set = connect_set(true);
    let object = "arn:aws:s3:::connect-recordings-mycc/connect/mycc/CallRecordings/2024/01/01/c_20240101T01:02_UTC.wav";
    let r = request(
        ADMIN_SESSION,
        "s3:GetObject",
        object,
        r#"{"aws:userid":"AROAXINSTADMINEXAMPLE:alice"}"#,
    );
    insta::assert_snapshot!(
        "lock_denies_instance_admin",
        explained(&set, &r, Decision::ExplicitDeny)
    );
}

#[test]
fn bucket_lock_lets_the_admin_role_through() {
    let set = connect_set(true);
    let r = request(
        "arn:aws:sts::123456789012:assumed-role/Admin/bob",
        "s3:ListBucket",
        "arn:aws:s3:::connect-recordings-mycc",
        r#"{"aws:userId":"AROAXADMINROLEEXAMPLE:bob"}"#,
    );
    insta::assert_snapshot!(
        "lock_exempts_admin_role",
        explained(&set, &r, Decision::Allowed)
    );
}

#[test]
fn bucket_lock_denies_a_caller_without_user_id_and_names_the_key() {
    let set = connect_set(true);
    let r = request(
        ADMIN_SESSION,
        "s3:GetObject",
        "arn:aws:s3:::connect-recordings-mycc/x.wav",
        "{}",
    );
    let response = set.evaluate(&r);
    assert_eq!(response.missing_keys, vec!["aws:userId"]);
    insta::assert_snapshot!(
        "lock_missing_user_id",
        explained(&set, &r, Decision::ExplicitDeny)
    );
}

#[test]
fn wildcard_only_actions_are_requested_on_star() {
    let set = connect_set(false);
    let r = request(ADMIN_SESSION, "connect:ListInstances", "*", "{}");
    explained(&set, &r, Decision::Allowed);
    // A specific ARN pattern never matches the literal request resource `*`.
    let r = request(ADMIN_SESSION, "connect:DescribeInstance", "*", "{}");
    explained(&set, &r, Decision::ImplicitDeny);
}
