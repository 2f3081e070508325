//! A deterministic generator of request rows over a scenario, for benchmarks and
//! load tests.
//!
//! Rows are drawn from the scenario's principals (mostly by name, sometimes by ARN)
//! and matrix targets (ARN + actions), with variation so that the decisions are a
//! realistic mix: other object keys under bucket targets, the same ARNs in other
//! regions or accounts (or other buckets), actions of one target tried on another,
//! wildcard-only actions on `*`, and extra context (`aws:SourceIp`,
//! `aws:SecureTransport`, `aws:MultiFactorAuthPresent`). A splitmix64 generator
//! makes the rows a pure function of the scenario, the seed and the count; one
//! [`GeneratedRow`] is refilled per row, so memory does not depend on the count.

use crate::world::{RequestRow, Scenario};

/// Actions that only work on `Resource: "*"`.
const WILDCARD_ACTIONS: &[&str] = &[
    "s3:ListAllMyBuckets",
    "connect:ListInstances",
    "sts:GetCallerIdentity",
    "iam:ListRoles",
    "logs:DescribeLogGroups",
    "servicequotas:ListServices",
];
/// Regions and accounts substituted into target ARNs.
const OTHER_REGIONS: &[&str] = &["us-east-1", "eu-west-1", "ap-northeast-3"];
const OTHER_ACCOUNTS: &[&str] = &["999999999999", "210987654321", "111122223333"];

/// splitmix64: small, fast, and good enough for test data.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// A context value of a generated row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneratedValue {
    /// An IPv4 address (`aws:SourceIp`).
    Ip([u8; 4]),
    /// A boolean (`aws:SecureTransport`, `aws:MultiFactorAuthPresent`).
    Bool(bool),
}

/// One generated row; [`Generator::next_row`] refills its buffers.
#[derive(Debug, Default)]
pub struct GeneratedRow {
    /// Principal name or ARN.
    pub principal: String,
    /// Action.
    pub action: String,
    /// Resource ARN or `*`.
    pub resource: String,
    /// Context keys and values, in the order written.
    pub context: Vec<(&'static str, GeneratedValue)>,
}

/// A target ARN with the actions to try on it.
#[derive(Debug, Clone)]
struct Target {
    arn: String,
    actions: Vec<String>,
    /// For objects in a bucket (`arn:aws:s3:::bucket/dir/file`): `arn:aws:s3:::bucket/dir/`.
    object_dir: Option<String>,
}

/// The deterministic row generator for one scenario and seed.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: SplitMix64,
    principals: Vec<(String, String)>,
    targets: Vec<Target>,
    all_actions: Vec<String>,
}

impl Generator {
    /// A generator over the scenario's principals and matrix targets; `None` when the
    /// scenario has no principal or no target with actions.
    pub fn new(scenario: &Scenario, seed: u64) -> Option<Generator> {
        let principals: Vec<(String, String)> = scenario
            .principals()
            .iter()
            .map(|p| (p.name.clone(), p.arn.clone()))
            .collect();
        let targets: Vec<Target> = scenario
            .matrix_targets()
            .into_iter()
            .filter(|t| !t.actions.is_empty())
            .map(|t| Target {
                object_dir: t
                    .arn
                    .strip_prefix("arn:aws:s3:::")
                    .filter(|rest| rest.contains('/'))
                    .and_then(|_| t.arn.rfind('/'))
                    .map(|slash| t.arn[..=slash].to_owned()),
                arn: t.arn,
                actions: t.actions,
            })
            .collect();
        if principals.is_empty() || targets.is_empty() {
            return None;
        }
        let mut all_actions: Vec<String> = Vec::new();
        for t in &targets {
            for a in &t.actions {
                if !all_actions.contains(a) {
                    all_actions.push(a.clone());
                }
            }
        }
        Some(Generator {
            rng: SplitMix64::new(seed),
            principals,
            targets,
            all_actions,
        })
    }

    /// Refills `row` with the next generated request.
    pub fn next_row(&mut self, row: &mut GeneratedRow) {
        let rng = &mut self.rng;
        let (name, arn) = &self.principals[rng.below(self.principals.len())];
        row.principal.clear();
        // Mostly by name; sometimes by ARN (service principals have no ARN form).
        if rng.chance(15) && arn.starts_with("arn:") {
            row.principal.push_str(arn);
        } else {
            row.principal.push_str(name);
        }
        let target = &self.targets[rng.below(self.targets.len())];
        row.action.clear();
        row.resource.clear();
        match rng.below(100) {
            // A target with one of its own actions; objects get fresh keys.
            0..=61 => {
                row.action
                    .push_str(&target.actions[rng.below(target.actions.len())]);
                match &target.object_dir {
                    Some(dir) if rng.chance(60) => {
                        row.resource.push_str(dir);
                        row.resource.push_str("c-");
                        push_hex(&mut row.resource, rng.next_u64() & 0xffff_ffff);
                        row.resource.push_str(".wav");
                    }
                    _ => row.resource.push_str(&target.arn),
                }
            }
            // Another target's action on this target.
            62..=73 => {
                row.action
                    .push_str(&self.all_actions[rng.below(self.all_actions.len())]);
                row.resource.push_str(&target.arn);
            }
            // The same resource in another region or account (or another bucket).
            74..=87 => {
                row.action
                    .push_str(&target.actions[rng.below(target.actions.len())]);
                elsewhere(&target.arn, rng, &mut row.resource);
            }
            // Actions that only take `*`.
            _ => {
                row.action
                    .push_str(WILDCARD_ACTIONS[rng.below(WILDCARD_ACTIONS.len())]);
                row.resource.push('*');
            }
        }
        row.context.clear();
        if rng.chance(35) {
            if rng.chance(70) {
                let ip = if rng.chance(50) {
                    [
                        10,
                        rng.below(256) as u8,
                        rng.below(256) as u8,
                        1 + rng.below(254) as u8,
                    ]
                } else {
                    [203, 0, 113, 1 + rng.below(254) as u8]
                };
                row.context.push(("aws:SourceIp", GeneratedValue::Ip(ip)));
            }
            if rng.chance(60) {
                row.context
                    .push(("aws:SecureTransport", GeneratedValue::Bool(rng.chance(85))));
            }
            if rng.chance(40) {
                row.context.push((
                    "aws:MultiFactorAuthPresent",
                    GeneratedValue::Bool(rng.chance(50)),
                ));
            }
        }
    }
}

/// Writes `arn` moved to another region or account into `out`; an ARN without
/// either (S3) names another bucket instead.
fn elsewhere(arn: &str, rng: &mut SplitMix64, out: &mut String) {
    let mut fields = arn.splitn(6, ':');
    let parts: [&str; 6] = std::array::from_fn(|_| fields.next().unwrap_or(""));
    let [arn_word, partition, service, region, account, rest] = parts;
    let (region, account, rest_suffix) = if region.is_empty() && account.is_empty() {
        ("", "", true)
    } else if !region.is_empty() && rng.chance(50) {
        (
            OTHER_REGIONS[rng.below(OTHER_REGIONS.len())],
            account,
            false,
        )
    } else {
        (
            region,
            OTHER_ACCOUNTS[rng.below(OTHER_ACCOUNTS.len())],
            false,
        )
    };
    for (i, f) in [arn_word, partition, service, region, account]
        .iter()
        .enumerate()
    {
        if i > 0 {
            out.push(':');
        }
        out.push_str(f);
    }
    out.push(':');
    if rest_suffix {
        // `bucket[/key]` → `bucket-replica[/key]`.
        match rest.split_once('/') {
            Some((bucket, key)) => {
                out.push_str(bucket);
                out.push_str("-replica/");
                out.push_str(key);
            }
            None => {
                out.push_str(rest);
                out.push_str("-replica");
            }
        }
    } else {
        out.push_str(rest);
    }
}

fn push_hex(out: &mut String, n: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for shift in (0..8).rev() {
        out.push(HEX[((n >> (shift * 4)) & 0xf) as usize] as char);
    }
}

/// Every principal × matrix target × each of its actions, in a fixed shuffled order
/// (so that a `count` smaller than the whole product still mixes principals and
/// targets), cycled to `count` rows when given. The second value is the size of the
/// product before cycling.
pub fn matrix_rows(scenario: &Scenario, count: Option<u64>) -> (Vec<RequestRow>, usize) {
    let targets = scenario.matrix_targets();
    let mut rows = Vec::new();
    for principal in scenario.principals() {
        for target in &targets {
            for action in &target.actions {
                rows.push(RequestRow {
                    principal: principal.name.clone(),
                    action: action.clone(),
                    resource: target.arn.clone(),
                    ..RequestRow::default()
                });
            }
        }
    }
    let product = rows.len();
    // Fisher–Yates with a fixed splitmix64 stream: the same order on every run.
    let mut rng = SplitMix64::new(0x1a2b_3c4d_5e6f_7788);
    for i in (1..rows.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        rows.swap(i, j);
    }
    match count {
        Some(n) if product > 0 => {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            (rows.iter().cycle().take(n).cloned().collect(), product)
        }
        _ => (rows, product),
    }
}
