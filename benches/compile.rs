//! Loading policies: parse (JSON text → typed model) and compile (model →
//! `CompiledPolicySet`), through the public API. See `benches/compile.md` for what
//! each group measures and the last figures.
//!
//! ```text
//! cargo bench --bench compile
//! IAMSIM_PROFILE=instance-admin,10000 target/release/deps/compile-<hash>   # for callgrind
//! ```

use criterion::{black_box, criterion_group, Criterion};
use iamsim_engine::model::{Policy, PolicyKind};
use iamsim_engine::{CompiledPolicySet, PolicySet};
use std::fmt::Write as _;
use std::time::Duration;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/connect");

fn fixture(file: &str) -> String {
    let path = format!("{FIXTURES}/{file}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Parses and compiles one set: `identity` documents plus an optional resource policy.
#[inline(never)]
fn load(identity: &[&str], resource: Option<&str>) -> CompiledPolicySet {
    let set = PolicySet {
        identity: identity
            .iter()
            .map(|text| {
                Policy::parse(text, PolicyKind::Identity, "bench").unwrap_or_else(|e| panic!("{e}"))
            })
            .collect(),
        resource: resource.map(|text| {
            Policy::parse(text, PolicyKind::Resource, "bench").unwrap_or_else(|e| panic!("{e}"))
        }),
        ..PolicySet::default()
    };
    CompiledPolicySet::compile(&set).unwrap_or_else(|e| panic!("{e}"))
}

/// A deterministic pseudo-random number generator (no dependency, same figures on
/// every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:List*",
    "s3:*Object",
    "connect:Describe*",
    "connect:UpdateInstanceAttribute",
    "kms:Decrypt",
    "kms:GenerateDataKey*",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "sqs:SendMessage",
    "dynamodb:GetItem",
];

const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::reports-${aws:username}/*",
    "arn:aws:s3:::connect-recordings-*/connect/*",
    "arn:aws:connect:us-east-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    "arn:aws:connect:*:111122223333:instance/*/queue/*",
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:logs:us-east-1:111122223333:log-group:/aws/connect/*:*",
    "arn:aws:dynamodb:us-east-1:111122223333:table/customers",
];

const CONDITIONS: &[&str] = &[
    r#""Condition": {"StringEquals": {"aws:PrincipalTag/team": ["ops", "support"]}}"#,
    r#""Condition": {"Bool": {"aws:SecureTransport": "false"}}"#,
    r#""Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}}"#,
    r#""Condition": {"StringNotLike": {"aws:userId": ["AROAEXAMPLE:*", "AIDAEXAMPLE"]}}"#,
    r#""Condition": {"ForAnyValue:StringLike": {"aws:TagKeys": ["env", "team*"]}}"#,
    r#""Condition": {"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}"#,
];

/// One identity policy of `statements` statements drawn from the lists above, in
/// the shape `../shared/bench/gen_random.py` writes (1–3 actions and resources per
/// statement, a condition in one of three).
fn generated_policy(rng: &mut Lcg, statements: usize) -> String {
    let mut text = String::from(r#"{"Version": "2012-10-17", "Statement": ["#);
    for i in 0..statements {
        if i > 0 {
            text.push_str(", ");
        }
        let effect = if rng.next(4) == 0 { "Deny" } else { "Allow" };
        let list = |rng: &mut Lcg, from: &[&str]| {
            let n = 1 + rng.next(3);
            let items: Vec<String> = (0..n)
                .map(|_| format!("\"{}\"", from[rng.next(from.len())]))
                .collect();
            format!("[{}]", items.join(", "))
        };
        let actions = list(rng, ACTIONS);
        let resources = list(rng, RESOURCES);
        let _ = write!(
            text,
            r#"{{"Sid": "S{i}x{}", "Effect": "{effect}", "Action": {actions}, "Resource": {resources}"#,
            rng.next(1_000_000)
        );
        if rng.next(3) == 0 {
            let _ = write!(text, ", {}", CONDITIONS[rng.next(CONDITIONS.len())]);
        }
        text.push('}');
    }
    text.push_str("]}");
    text
}

/// A policy of at least 10 KB, from the generator.
fn ten_kb_policy() -> String {
    let mut statements = 10;
    loop {
        let text = generated_policy(&mut Lcg(10), statements);
        if text.len() >= 10_000 {
            return text;
        }
        statements += 2;
    }
}

/// 1,000 distinct identity policies of 1–6 statements (≈ 1 KB each).
fn generated_set() -> Vec<String> {
    let mut rng = Lcg(1);
    (0..1000)
        .map(|_| {
            let n = 1 + rng.next(6);
            generated_policy(&mut rng, n)
        })
        .collect()
}

fn compile_benches(c: &mut Criterion) {
    let admin = fixture("instance-admin-policy.json");
    let lock = fixture("recordings-bucket-lock.json");
    let mut g = c.benchmark_group("compile");
    g.bench_function("instance-admin/parse", |b| {
        b.iter(|| Policy::parse(black_box(&admin), PolicyKind::Identity, "bench"))
    });
    g.bench_function("instance-admin/parse+compile", |b| {
        b.iter(|| load(&[black_box(&admin)], None))
    });
    g.bench_function("flagship-pair/parse+compile", |b| {
        b.iter(|| load(&[black_box(&admin)], Some(black_box(&lock))))
    });
    let big = ten_kb_policy();
    g.bench_function(format!("10kb/parse+compile ({} bytes)", big.len()), |b| {
        b.iter(|| load(&[black_box(&big)], None))
    });
    let set = generated_set();
    let bytes: usize = set.iter().map(String::len).sum();
    g.throughput(criterion::Throughput::Elements(set.len() as u64));
    g.bench_function(
        format!("generated-1000/parse+compile each ({bytes} bytes)"),
        |b| {
            b.iter(|| {
                for text in &set {
                    black_box(load(&[text], None));
                }
            })
        },
    );
    g.finish();
}

/// `IAMSIM_PROFILE=<name>,<n>`: loads one input `n` times and exits, for callgrind
/// (`--toggle-collect='compile::load'` counts parse + compile alone).
fn profile(spec: &str) {
    let (name, n) = spec.split_once(',').unwrap_or((spec, "1000"));
    let n: usize = n.parse().unwrap_or(1000);
    let admin = fixture("instance-admin-policy.json");
    let lock = fixture("recordings-bucket-lock.json");
    let big = ten_kb_policy();
    for _ in 0..n {
        match name {
            "instance-admin" => drop(black_box(load(&[&admin], None))),
            "flagship-pair" => drop(black_box(load(&[&admin], Some(&lock)))),
            "10kb" => drop(black_box(load(&[&big], None))),
            other => panic!("unknown profile `{other}` (instance-admin, flagship-pair, 10kb)"),
        }
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = compile_benches
}

fn main() {
    if let Ok(spec) = std::env::var("IAMSIM_PROFILE") {
        profile(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
