//! Generated requests: for every corpus case, deterministic variants of its request
//! (other actions, resources, callers and contexts, drawn from the case's own policies
//! and from near misses) are evaluated by the fast path, the explain path and the
//! naive reference evaluator of the test kit, which must all agree. Every
//! disagreement is collected and reported at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use iamsim_engine::model::{Policy, PrincipalValue, ScalarValue};
use iamsim_engine::{CompiledPolicySet, Decision, PolicySet};
use iamsim_testkit::corpus::{RawRequest, RawValue, RefCase};
use iamsim_testkit::reference::{reference_decision, RefPolicies};
use iamsim_testkit::surface::Corpus;
use iamsim_testkit::Rng;
use std::collections::BTreeMap;

/// Variants generated per corpus case; `IAMSIM_AGREEMENT_VARIANTS=300` digs deeper
/// (about ten times slower).
const VARIANTS_PER_CASE: usize = 30;

fn variants_per_case() -> usize {
    std::env::var("IAMSIM_AGREEMENT_VARIANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(VARIANTS_PER_CASE)
}

const ACCOUNTS: &[&str] = &[
    "111122223333",
    "444455556666",
    "999988887777",
    "123456789012",
];
const OTHER_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:ListBucket",
    "s3:GetBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3express:CreateSession",
    "kms:Decrypt",
    "kms:Encrypt",
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "iam:PassRole",
    "iam:CreateUser",
    "connect:DescribeUser",
    "connect:ListInstances",
    "connect-campaigns:ListCampaigns",
    "logs:CreateLogGroup",
    "logs:PutLogEvents",
    "ec2:RunInstances",
    "sqs:SendMessage",
];
const SERVICE_CALLERS: &[&str] = &[
    "sns.amazonaws.com",
    "ec2.amazonaws.com",
    "connect.amazonaws.com",
    "anonymous",
];
const ODD_VALUES: &[&str] = &[
    "",
    "true",
    "false",
    "TRUE",
    "10",
    "10.0",
    "-1",
    "2024-05-01T12:00:00Z",
    "1714564800",
    "203.0.113.5",
    "2001:db8::1",
    "QmluYXJ5VmFsdWVJbkJhc2U2NA==",
    "arn:aws:sns:us-east-1:111122223333:connect-alerts",
    "arn:aws:iam::111122223333:role/ConnectAdmin",
    "alice",
    "a*b",
    "x?",
    "not a value",
];
const FILLERS: &[&str] = &["", "x", "abc", "a/b", "A", "1", ":", "é", "-", "*"];

/// What the case's policies mention: the material variants are drawn from.
#[derive(Default)]
struct Material {
    actions: Vec<String>,
    resources: Vec<String>,
    principals: Vec<String>,
    /// (condition key, the values listed for it)
    conditions: Vec<(String, Vec<String>)>,
    /// Names of the policy variables used anywhere (`aws:username`, …).
    variables: Vec<String>,
}

fn material(policies: &RefPolicies) -> Material {
    let mut m = Material::default();
    let policies: Vec<&Policy> = policies.all().collect();
    for p in policies {
        for s in &p.statements {
            m.actions
                .extend(s.action.entries.iter().map(|e| e.value.clone()));
            if let Some(r) = &s.resource {
                m.resources
                    .extend(r.entries.iter().map(|e| e.value.clone()));
            }
            if let Some(PrincipalValue::Typed(lists)) = s.principal.as_ref().map(|p| &p.value) {
                for (_, entries) in lists {
                    m.principals.extend(entries.iter().map(|e| e.value.clone()));
                }
            }
            for c in &s.conditions {
                let values = c
                    .values
                    .iter()
                    .map(|v| match &v.value {
                        ScalarValue::String(s) | ScalarValue::Number(s) => s.clone(),
                        ScalarValue::Bool(b) => b.to_string(),
                    })
                    .collect();
                m.conditions.push((c.key.value.clone(), values));
            }
        }
    }
    let texts: Vec<String> = m
        .resources
        .iter()
        .chain(m.conditions.iter().flat_map(|(_, values)| values))
        .cloned()
        .collect();
    for text in texts {
        for piece in text.split("${").skip(1) {
            let name = piece.split(['}', ',']).next().unwrap_or("").trim();
            if !matches!(name, "*" | "?" | "$") {
                m.variables.push(name.to_owned());
            }
        }
    }
    m
}

/// A concrete string the glob `pattern` may or may not match: wildcards filled in,
/// policy variables replaced by a context value or some text.
fn instantiate(pattern: &str, request: &RawRequest, rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("${") {
            if let Some(end) = rest.find('}') {
                let name = rest[2..end].split(',').next().unwrap_or("").trim();
                let from_context = request.context.iter().find_map(|(k, v)| match v {
                    RawValue::Single(s) if k.eq_ignore_ascii_case(name) => Some(s.clone()),
                    _ => None,
                });
                match (from_context, rng.below(3)) {
                    (Some(v), 0 | 1) => out.push_str(&v),
                    (_, 0) => out.push_str(&rest[..=end]),
                    _ => out.push_str(rng.choose(&["*", "?", "$", "alice", "team-a"])),
                }
                rest = &rest[end + 1..];
                continue;
            }
        }
        match c {
            '*' => out.push_str(rng.choose(FILLERS)),
            '?' => out.push_str(rng.choose(&["q", "/", "é", ":", "?"])),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn flip_case(s: &str, rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => s.to_uppercase(),
        1 => s.to_lowercase(),
        _ => s
            .chars()
            .map(|c| {
                if rng.percent(30) {
                    if c.is_uppercase() {
                        c.to_lowercase().next().unwrap_or(c)
                    } else {
                        c.to_uppercase().next().unwrap_or(c)
                    }
                } else {
                    c
                }
            })
            .collect(),
    }
}

fn mutate_action(r: &mut RawRequest, m: &Material, rng: &mut Rng) {
    r.action = match rng.below(4) {
        0 => flip_case(&r.action, rng),
        1 if !m.actions.is_empty() => {
            let pattern = rng.pick(&m.actions).clone();
            if pattern == "*" {
                rng.choose(OTHER_ACTIONS).to_string()
            } else {
                instantiate(&pattern, r, rng)
            }
        }
        2 => {
            let service = r.action.split(':').next().unwrap_or("s3").to_owned();
            let other = rng.choose(OTHER_ACTIONS);
            format!("{service}:{}", other.split(':').nth(1).unwrap_or("Get"))
        }
        _ => rng.choose(OTHER_ACTIONS).to_string(),
    };
}

fn set_arn_segment(arn: &str, index: usize, value: &str) -> String {
    let mut parts: Vec<String> = arn.splitn(6, ':').map(str::to_owned).collect();
    if parts.len() == 6 {
        parts[index] = value.to_owned();
    }
    parts.join(":")
}

fn mutate_resource(r: &mut RawRequest, m: &Material, rng: &mut Rng) {
    let res = r.resource.clone();
    r.resource = match rng.below(11) {
        0 => "*".to_owned(),
        1 => match res.rsplit_once('/') {
            Some((head, _)) => head.to_owned(),
            None => format!("{res}/"),
        },
        2 => format!("{res}/{}", rng.choose(&["extra", "*", "x/y", ""])),
        3 => set_arn_segment(&res, 4, rng.choose(&["", ACCOUNTS[0], ACCOUNTS[1], "*"])),
        4 => set_arn_segment(
            &res,
            3,
            rng.choose(&["", "us-east-1", "eu-west-2", "ap-northeast-1"]),
        ),
        5 | 6 if !m.resources.is_empty() => {
            let pattern = rng.pick(&m.resources).clone();
            instantiate(&pattern, r, rng)
        }
        7 => flip_case(&res, rng),
        8 => match res.strip_suffix(":*") {
            Some(head) => head.to_owned(),
            None => format!("{res}{}", rng.choose(&[":*", ":x", ":log-stream:s1"])),
        },
        9 => set_arn_segment(
            &res,
            2,
            rng.choose(&["s3", "kms", "iam", "logs", "connect", "sts"]),
        ),
        _ => {
            let service = rng.choose(&["s3", "kms", "iam", "logs", "connect"]);
            let account = if service == "s3" {
                ""
            } else {
                rng.choose(ACCOUNTS)
            };
            let region = if matches!(service, "s3" | "iam") {
                ""
            } else {
                "us-east-1"
            };
            let part = rng.choose(&[
                "acme-data/a.txt",
                "key/1234",
                "role/ConnectAdmin",
                "instance/abc",
                "log-group:app:*",
            ]);
            format!("arn:aws:{service}:{region}:{account}:{part}")
        }
    };
    if rng.percent(15) {
        r.resource_account = match rng.below(3) {
            0 => None,
            _ => Some(rng.choose(ACCOUNTS).to_string()),
        };
    }
}

/// The account field of an ARN caller, else the first test account.
fn account_of(principal: &str) -> String {
    principal
        .split(':')
        .nth(4)
        .filter(|a| !a.is_empty())
        .unwrap_or(ACCOUNTS[0])
        .to_owned()
}

fn mutate_principal(r: &mut RawRequest, m: &Material, rng: &mut Rng) {
    let own = account_of(&r.principal);
    let account = if rng.percent(60) {
        own
    } else {
        rng.choose(ACCOUNTS).to_string()
    };
    r.principal = match rng.below(6) {
        // a principal the policies name, as a caller (sometimes in another account)
        0 | 1 if !m.principals.is_empty() => {
            let mut p = rng.pick(&m.principals).clone();
            if rng.percent(25) {
                p = set_arn_segment(&p, 4, rng.choose(ACCOUNTS));
            }
            if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
                format!("arn:aws:iam::{p}:root")
            } else if p == "*" {
                rng.choose(SERVICE_CALLERS).to_string()
            } else if let Some((head, role)) = p.split_once(":role/") {
                // a session of a named role
                let head = head.replace(":iam:", ":sts:");
                let name = role.rsplit('/').next().unwrap_or(role);
                format!(
                    "{head}:assumed-role/{name}/{}",
                    rng.choose(&["s1", "job-42"])
                )
            } else if let Some((head, user)) = p.split_once(":user/") {
                // a federated session of a named user, or the user itself
                if rng.percent(50) {
                    let head = head.replace(":iam:", ":sts:");
                    format!("{head}:federated-user/{user}")
                } else {
                    p
                }
            } else if let Some((head, rest)) = p.split_once(":assumed-role/") {
                // the role of a named session
                let head = head.replace(":sts:", ":iam:");
                format!("{head}:role/{}", rest.split('/').next().unwrap_or(rest))
            } else {
                p
            }
        }
        2 => format!(
            "arn:aws:iam::{account}:{}",
            rng.choose(&[
                "user/alice",
                "user/dev/alice",
                "user/Alice",
                "user/bob",
                "role/AppRole",
                "role/svc/Ingest",
                "root"
            ])
        ),
        3 => format!(
            "arn:aws:sts::{account}:{}",
            rng.choose(&[
                "assumed-role/AppRole/job-42",
                "assumed-role/ConnectInstanceAdmin/carla",
                "assumed-role/Ingest/batch-1",
                "federated-user/ops-tool",
                "federated-user/bob"
            ])
        ),
        4 => rng.choose(SERVICE_CALLERS).to_string(),
        _ => format!("arn:aws:iam::{account}:root"),
    };
    if rng.percent(10) {
        r.principal_account = Some(rng.choose(ACCOUNTS).to_string());
    }
}

fn mutate_context(r: &mut RawRequest, m: &Material, rng: &mut Rng) {
    let n = r.context.len();
    match rng.below(7) {
        // give a policy variable a value, maybe one with wildcard characters in it
        // (substituted text is literal, SEMANTICS 8.5)
        6 if !m.variables.is_empty() => {
            let key = rng.pick(&m.variables).clone();
            let value = rng.choose(&[
                "*",
                "alice*",
                "?lice",
                "alice",
                "",
                "team-a",
                "${aws:username}",
            ]);
            let value = if rng.percent(20) {
                RawValue::Multi(vec![value.to_owned()])
            } else {
                RawValue::Single(value.to_owned())
            };
            r.context.retain(|(k, _)| !k.eq_ignore_ascii_case(&key));
            r.context.push((key, value));
        }
        // drop a key
        0 if n > 0 => {
            r.context.remove(rng.below(n));
        }
        // add (or overwrite) a key the conditions test, with a value they list or a near miss
        1 | 2 if !m.conditions.is_empty() => {
            let (key, values) = rng.pick(&m.conditions).clone();
            let value = if rng.percent(70) {
                let v = rng.pick(&values).clone();
                instantiate(&v, r, rng)
            } else {
                rng.choose(ODD_VALUES).to_string()
            };
            let key = if rng.percent(25) {
                flip_case(&key, rng)
            } else {
                key
            };
            let value = match rng.below(4) {
                0 => RawValue::Multi(vec![value, rng.choose(ODD_VALUES).to_string()]),
                1 if rng.percent(30) => RawValue::Multi(Vec::new()),
                _ => RawValue::Single(value),
            };
            r.context.retain(|(k, _)| !k.eq_ignore_ascii_case(&key));
            r.context.push((key, value));
        }
        // alter a value
        3 if n > 0 => {
            let i = rng.below(n);
            let value = match &r.context[i].1 {
                RawValue::Single(v) => v.clone(),
                RawValue::Multi(vs) => vs.first().cloned().unwrap_or_default(),
            };
            let altered = match rng.below(4) {
                0 => flip_case(&value, rng),
                1 => format!("{value}{}", rng.choose(&["x", "0", "/", ":1"])),
                2 => value.chars().take(value.chars().count() / 2).collect(),
                _ => rng.choose(ODD_VALUES).to_string(),
            };
            r.context[i].1 = RawValue::Single(altered);
        }
        // multivalued ↔ single-valued
        4 if n > 0 => {
            let i = rng.below(n);
            r.context[i].1 = match &r.context[i].1 {
                RawValue::Single(v) => match rng.below(3) {
                    0 => RawValue::Multi(vec![v.clone()]),
                    1 => RawValue::Multi(vec![v.clone(), rng.choose(ODD_VALUES).to_string()]),
                    _ => RawValue::Multi(Vec::new()),
                },
                RawValue::Multi(vs) => RawValue::Single(vs.first().cloned().unwrap_or_default()),
            };
        }
        // change the case of a key name (names compare case-insensitively)
        _ if n > 0 => {
            let i = rng.below(n);
            r.context[i].0 = flip_case(&r.context[i].0, rng);
        }
        _ => r.context.clear(),
    }
}

/// The `i`-th variant of a case's request: one to three mutations.
fn variant(base: &RawRequest, m: &Material, rng: &mut Rng) -> RawRequest {
    let mut r = base.clone();
    for _ in 0..1 + rng.below(3) {
        match rng.below(4) {
            0 => mutate_action(&mut r, m, rng),
            1 => mutate_resource(&mut r, m, rng),
            2 => mutate_principal(&mut r, m, rng),
            _ => mutate_context(&mut r, m, rng),
        }
    }
    r
}

fn compile(policies: &RefPolicies) -> CompiledPolicySet {
    CompiledPolicySet::compile(&PolicySet {
        identity: policies.identity.clone(),
        resource: policies.resource.clone(),
        boundary: policies.boundary.clone(),
        session: policies.session.clone(),
        // the case format has one policy per organization level
        scp: policies.scp.iter().map(|p| vec![p.clone()]).collect(),
        rcp: policies.rcp.iter().map(|p| vec![p.clone()]).collect(),
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Checks a case's variants; returns how many requests each decision was reached for.
fn check_case(case: &RefCase, disagreements: &mut Vec<String>) -> BTreeMap<Decision, usize> {
    let policies = case
        .policies
        .as_ref()
        .unwrap_or_else(|e| panic!("{}: {e}", case.id));
    let set = compile(policies);
    let m = material(policies);
    let mut rng = Rng::for_name(&case.id);
    let mut checked = BTreeMap::new();
    for i in 0..variants_per_case() {
        let raw = variant(&case.request, &m, &mut rng);
        let request = raw.to_request();
        let fast = set.evaluate(&request).decision;
        let explained = set.explain(&request).response.decision;
        let reference = reference_decision(policies, &request);
        *checked.entry(reference).or_default() += 1;
        if fast != explained || fast != reference {
            disagreements.push(format!(
                "{} variant {i}: evaluate={fast} explain={explained} reference={reference}\n    request: {}",
                case.id,
                raw.to_json()
            ));
        }
    }
    checked
}

/// Fast path, explain path and reference evaluator agree on generated requests.
#[test]
fn generated_requests_agree_on_every_surface() {
    let cases = Corpus::conformance().cases;
    let mut disagreements = Vec::new();
    let mut decisions: BTreeMap<Decision, usize> = BTreeMap::new();
    for case in &cases {
        for (d, n) in check_case(case, &mut disagreements) {
            *decisions.entry(d).or_default() += n;
        }
    }
    let checked: usize = decisions.values().sum();
    assert_eq!(checked, cases.len() * variants_per_case());
    eprintln!("{checked} generated requests; reference decisions: {decisions:?}");
    assert!(
        disagreements.is_empty(),
        "{} disagreement(s) over {checked} generated requests:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    // A generator that only produced denials would test little.
    assert!(
        decisions.values().all(|&n| n * 10 > checked),
        "each decision should be reached by at least a tenth of the requests: {decisions:?}"
    );
}

/// The generator is deterministic: the same case id always yields the same requests.
#[test]
fn variants_are_deterministic() {
    let cases = Corpus::conformance().cases;
    for case in cases.iter().take(20) {
        let policies = case.policies.as_ref().unwrap_or_else(|e| panic!("{e}"));
        let m = material(policies);
        let (mut a, mut b) = (Rng::for_name(&case.id), Rng::for_name(&case.id));
        for _ in 0..5 {
            assert_eq!(
                variant(&case.request, &m, &mut a),
                variant(&case.request, &m, &mut b)
            );
        }
    }
}
