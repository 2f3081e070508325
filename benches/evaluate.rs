//! Single decisions through the public `CompiledPolicySet::evaluate` API (and
//! `explain` for comparison). See `benches/evaluate.md` for what each group measures
//! and the last figures.
//!
//! ```text
//! cargo bench --bench evaluate
//! ```

use criterion::{black_box, criterion_group, Criterion};
use iamsim_engine::model::{Policy, PolicyKind};
use iamsim_engine::request::{Context, Request};
use iamsim_engine::{CompiledPolicySet, Decision, PolicySet};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/connect");
const ACCOUNT: &str = "123456789012";
const INSTANCE: &str =
    "arn:aws:connect:ap-northeast-1:123456789012:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const OTHER_INSTANCE: &str =
    "arn:aws:connect:ap-northeast-1:123456789012:instance/99999999-8888-7777-6666-555555555555";
const RECORDING: &str = "arn:aws:s3:::connect-recordings-mycc/connect/mycc/CallRecordings/2024/05/01/c-1_20240501T01:02_UTC.wav";

fn read_policy(file: &str, kind: PolicyKind) -> Policy {
    let path = format!("{FIXTURES}/{file}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Policy::parse(&text, kind, file).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn compile(set: &PolicySet) -> CompiledPolicySet {
    CompiledPolicySet::compile(set).unwrap_or_else(|e| panic!("{e}"))
}

/// The context the flagship scenario derives for a role session.
fn session_context(role: &str, role_id: &str, session: &str) -> Context {
    let mut c = Context::new();
    c.insert_str("aws:userid", &format!("{role_id}:{session}"));
    c.insert_str("aws:PrincipalType", "AssumedRole");
    c.insert_str(
        "aws:PrincipalArn",
        &format!("arn:aws:iam::{ACCOUNT}:role/{role}"),
    );
    c.insert_str("aws:PrincipalAccount", ACCOUNT);
    c.insert_str("aws:PrincipalOrgID", "o-exampleorgid");
    c.insert_str("aws:PrincipalIsAWSService", "false");
    c
}

fn session_request(
    role: &str,
    role_id: &str,
    session: &str,
    action: &str,
    resource: &str,
) -> Request {
    Request::new(
        &format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"),
        action,
        resource,
    )
    .with_principal_account(ACCOUNT)
    .with_resource_account(ACCOUNT)
    .with_context(session_context(role, role_id, session))
}

fn admin_request(action: &str, resource: &str) -> Request {
    session_request(
        "ConnectInstanceAdmin",
        "AROAXINSTADMINEXAMPLE",
        "alice",
        action,
        resource,
    )
}

/// One benchmarked request: where it is reported, the set, the request, and the
/// decision it must reach (checked before measuring).
struct Case {
    group: &'static str,
    name: &'static str,
    set: Arc<CompiledPolicySet>,
    request: Request,
    expect: Decision,
}

/// The flagship: the Connect instance-administrator policy (identity) and the
/// recordings bucket lock (resource policy) in one compiled set.
fn flagship_set() -> Arc<CompiledPolicySet> {
    Arc::new(compile(&PolicySet {
        identity: vec![read_policy(
            "instance-admin-policy.json",
            PolicyKind::Identity,
        )],
        resource: Some(read_policy(
            "recordings-bucket-lock.json",
            PolicyKind::Resource,
        )),
        ..Default::default()
    }))
}

fn flagship_cases(out: &mut Vec<Case>) {
    let set = flagship_set();
    let mut case = |name, request, expect| {
        out.push(Case {
            group: "flagship",
            name,
            set: set.clone(),
            request,
            expect,
        })
    };
    case(
        "allowed/connect-describe-instance",
        admin_request("connect:DescribeInstance", INSTANCE),
        Decision::Allowed,
    );
    case(
        "allowed/s3-get-recording-through-lock",
        session_request(
            "ConnectInstanceAdmin",
            "AROAXADMINROLEEXAMPLE",
            "bob",
            "s3:GetObject",
            RECORDING,
        ),
        Decision::Allowed,
    );
    case(
        "explicit-deny/s3-get-recording-locked",
        admin_request("s3:GetObject", RECORDING),
        Decision::ExplicitDeny,
    );
    case(
        "implicit-deny/connect-other-instance",
        admin_request("connect:DescribeInstance", OTHER_INSTANCE),
        Decision::ImplicitDeny,
    );
}

/// The Tokyo supervisor's policy: a `StringEquals` on the level-3 hierarchy key,
/// with the hierarchy keys a Connect user request carries.
fn hierarchy_cases(out: &mut Vec<Case>) {
    let set = Arc::new(compile(&PolicySet {
        identity: vec![read_policy(
            "policies/supervisor-tokyo.json",
            PolicyKind::Identity,
        )],
        ..Default::default()
    }));
    let user_request = |user: &str, path: &[&str]| {
        let mut r = session_request(
            "ConnectSupervisorTokyo",
            "AROAXSUPTOKYOEXAMPLE",
            "sato",
            "connect:DescribeUser",
            &format!("{INSTANCE}/agent/{user}"),
        );
        let ctx = r.context_mut();
        ctx.insert_str("connect:InstanceId", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        for (level, group) in path.iter().enumerate() {
            ctx.insert_str(
                &format!("connect:HierarchyGroupL{}Id/hierarchyGroupId", level + 1),
                group,
            );
        }
        r
    };
    out.push(Case {
        group: "hierarchy",
        name: "allowed/tokyo-descendant",
        set: set.clone(),
        request: user_request(
            "u-taro",
            &["g-apac", "g-japan", "g-tokyo", "g-shibuya", "g-shibuya-a"],
        ),
        expect: Decision::Allowed,
    });
    out.push(Case {
        group: "hierarchy",
        name: "implicit-deny/osaka",
        set,
        request: user_request("u-kenji", &["g-apac", "g-japan", "g-osaka"]),
        expect: Decision::ImplicitDeny,
    });
}

/// Services of the generated large set.
const SERVICES: usize = 200;
/// Statements of the generated large set.
const STATEMENTS: usize = 10_000;
/// Statements per generated policy document.
const STATEMENTS_PER_POLICY: usize = 100;

/// A deterministic identity set of 10,000 statements over 200 services, shaped like
/// real customer-managed policies: each statement names a few actions of one
/// service (exact names, and every fifth a `Describe*`/`List*` wildcard) on
/// instance-scoped resources; some grant `*` resources; every 25th is a `Deny` of
/// the whole service unless the caller is in the organization, so every request
/// meets two conditioned Deny statements. Statements of one service are spread over every policy document.
fn large_identity_set() -> Vec<Policy> {
    let mut policies = Vec::new();
    for p in 0..STATEMENTS / STATEMENTS_PER_POLICY {
        let mut text = String::from(r#"{"Version":"2012-10-17","Statement":["#);
        for s in 0..STATEMENTS_PER_POLICY {
            let i = p * STATEMENTS_PER_POLICY + s;
            let service = i % SERVICES;
            let k = i / SERVICES; // 0..50: the statement's number within its service
            if s > 0 {
                text.push(',');
            }
            let mut actions = format!(
                r#""svc{service:03}:GetThing{k}","svc{service:03}:PutThing{k}","svc{service:03}:DeleteThing{k}""#
            );
            if k.is_multiple_of(5) {
                let verb = if k.is_multiple_of(10) {
                    "Describe"
                } else {
                    "List"
                };
                let _ = write!(actions, r#","svc{service:03}:{verb}*""#);
            }
            let resource = if k % 7 == 3 {
                r#""*""#.to_owned()
            } else {
                format!(
                    r#"["arn:aws:svc{service:03}:us-east-1:{ACCOUNT}:thing/team-{k}","arn:aws:svc{service:03}:us-east-1:{ACCOUNT}:thing/team-{k}/*"]"#
                )
            };
            let (effect, condition) = if k % 25 == 24 {
                actions = format!(r#""svc{service:03}:*""#);
                (
                    "Deny",
                    r#","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-exampleorgid"}}"#,
                )
            } else {
                ("Allow", "")
            };
            let _ = write!(
                text,
                r#"{{"Sid":"S{i}","Effect":"{effect}","Action":[{actions}],"Resource":{resource}{condition}}}"#
            );
        }
        text.push_str("]}");
        policies.push(
            Policy::parse(&text, PolicyKind::Identity, &format!("large-{p}.json"))
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    policies
}

/// 10,000 statements over 200 services against the 10-statement admin policy, on
/// requests of the same shape (an allowed instance-scoped call, an implicit deny).
fn scaling_cases(out: &mut Vec<Case>) {
    let admin = Arc::new(compile(&PolicySet {
        identity: vec![read_policy(
            "instance-admin-policy.json",
            PolicyKind::Identity,
        )],
        ..Default::default()
    }));
    let large = Arc::new(compile(&PolicySet {
        identity: large_identity_set(),
        ..Default::default()
    }));
    assert_eq!(large.statement_count(), STATEMENTS);
    let thing = |service: usize, k: usize| {
        format!("arn:aws:svc{service:03}:us-east-1:{ACCOUNT}:thing/team-{k}/item-7")
    };
    let queue = |instance: &str| format!("{instance}/queue/q-sales");
    let mut case = |name, set: &Arc<CompiledPolicySet>, request, expect| {
        out.push(Case {
            group: "scaling",
            name,
            set: set.clone(),
            request,
            expect,
        })
    };
    case(
        "allowed/admin-10-statements",
        &admin,
        admin_request("connect:DescribeQueue", &queue(INSTANCE)),
        Decision::Allowed,
    );
    case(
        "allowed/generated-10000-statements",
        &large,
        admin_request("svc123:GetThing16", &thing(123, 16)),
        Decision::Allowed,
    );
    case(
        "allowed-wildcard/generated-10000-statements",
        &large,
        admin_request("svc042:DescribeThing", &thing(42, 20)),
        Decision::Allowed,
    );
    case(
        "implicit-deny/admin-10-statements",
        &admin,
        admin_request("connect:DescribeQueue", &queue(OTHER_INSTANCE)),
        Decision::ImplicitDeny,
    );
    case(
        "implicit-deny/generated-10000-statements",
        &large,
        admin_request("svc123:GetThing16", &thing(123, 18)),
        Decision::ImplicitDeny,
    );
}

fn all_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    flagship_cases(&mut cases);
    hierarchy_cases(&mut cases);
    scaling_cases(&mut cases);
    for case in &cases {
        assert_eq!(
            case.set.evaluate(&case.request).decision,
            case.expect,
            "{}/{}",
            case.group,
            case.name
        );
        assert_eq!(
            case.set.explain(&case.request).response,
            case.set.evaluate(&case.request),
            "explain and evaluate disagree on {}/{}",
            case.group,
            case.name
        );
    }
    cases
}

fn decisions(c: &mut Criterion) {
    let cases = all_cases();
    for group_name in ["flagship", "hierarchy", "scaling"] {
        let mut group = c.benchmark_group(group_name);
        for case in cases.iter().filter(|case| case.group == group_name) {
            group.bench_function(case.name, |b| {
                b.iter(|| {
                    black_box(&*case.set)
                        .evaluate(black_box(&case.request))
                        .decision
                })
            });
        }
        group.finish();
    }
}

/// `explain` (every statement visited and recorded) against `evaluate` on the same
/// flagship request.
fn explain_vs_evaluate(c: &mut Criterion) {
    let set = flagship_set();
    let request = admin_request("connect:DescribeInstance", INSTANCE);
    let mut group = c.benchmark_group("explain-vs-evaluate");
    group.bench_function("evaluate", |b| {
        b.iter(|| black_box(&*set).evaluate(black_box(&request)).decision)
    });
    group.bench_function("explain", |b| {
        b.iter(|| {
            black_box(&*set)
                .explain(black_box(&request))
                .response
                .decision
        })
    });
    group.finish();
}

/// One decision, never inlined into the profiling loop, so that callgrind's
/// `--toggle-collect=evaluate::decide_once` counts exactly one `evaluate` per call
/// whatever the compiler inlines into it.
#[inline(never)]
fn decide_once(set: &CompiledPolicySet, request: &Request) -> Decision {
    set.evaluate(request).decision
}

/// `IAMSIM_PROFILE=<group>/<name>[,<iterations>]`: evaluates one case in a loop and
/// exits, for `valgrind --tool=callgrind` (instruction counts) or `perf`.
fn profile(spec: &str) {
    let (name, iterations) = match spec.split_once(',') {
        Some((name, n)) => (name, n.parse().unwrap_or(100_000)),
        None => (spec, 100_000u64),
    };
    let cases = all_cases();
    let case = cases
        .iter()
        .find(|case| format!("{}/{}", case.group, case.name) == name)
        .unwrap_or_else(|| panic!("no case `{name}`"));
    let mut allowed = 0u64;
    for _ in 0..iterations {
        if decide_once(black_box(&*case.set), black_box(&case.request)) == Decision::Allowed {
            allowed += 1;
        }
    }
    println!("{name}: {iterations} evaluations, {allowed} allowed");
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = decisions, explain_vs_evaluate
}

fn main() {
    if let Ok(spec) = std::env::var("IAMSIM_PROFILE") {
        profile(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
