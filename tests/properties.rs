//! Metamorphic properties of evaluation, checked on every conformance case and on
//! seeded random edits of it (SEMANTICS §3.2: statements and policies are ORed, so
//! order and formatting cannot matter; §9.2: an explicit Deny only ever removes access).

use iamsim_engine::Decision;
use iamsim_scenario::cases::parse_case_file;
use iamsim_testkit::corpus::{conformance_path, read_corpus};
use iamsim_testkit::Rng;
use serde_json::Value;

fn corpus() -> Vec<Value> {
    read_corpus(&conformance_path())
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// Decision of one case value, through the same loader the CLI uses.
fn decide(case: &Value) -> Result<Decision, String> {
    let text = serde_json::to_string(case).map_err(|e| e.to_string())?;
    let parsed = parse_case_file(&text, "generated");
    let case = parsed
        .into_iter()
        .next()
        .ok_or("no case")?
        .map_err(|e| e.message)?;
    let set = case.policies?;
    Ok(set.evaluate(&case.request).decision)
}

/// Every policy document of a case, mutably.
fn policies_mut(case: &mut Value) -> Vec<&mut Value> {
    let mut out = Vec::new();
    if let Some(p) = case.get_mut("policies").and_then(Value::as_object_mut) {
        for (_, slot) in p.iter_mut() {
            match slot {
                Value::Array(list) => out.extend(list.iter_mut()),
                other => out.push(other),
            }
        }
    }
    out
}

fn statements_mut(policy: &mut Value) -> Option<&mut Vec<Value>> {
    let s = policy.get_mut("Statement")?;
    if s.is_object() {
        let one = s.take();
        *s = Value::Array(vec![one]);
    }
    s.as_array_mut()
}

fn shuffle<T>(v: &mut [T], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        let j = rng.below(i + 1);
        v.swap(i, j);
    }
}

/// Flips the ASCII case of condition key names and of action strings (both
/// compare case-insensitively), never of values or resources.
fn recase(policy: &mut Value, rng: &mut Rng) {
    let flip = |s: &str, rng: &mut Rng| -> String {
        s.chars()
            .map(|c| {
                if rng.below(2) == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    };
    let Some(statements) = statements_mut(policy) else {
        return;
    };
    for st in statements.iter_mut() {
        for key in ["Action", "NotAction"] {
            match st.get_mut(key) {
                Some(Value::String(s)) => *s = flip(s, rng),
                Some(Value::Array(list)) => {
                    for a in list.iter_mut() {
                        if let Value::String(s) = a {
                            *s = flip(s, rng);
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(Value::Object(ops)) = st.get_mut("Condition") {
            for (_, block) in ops.iter_mut() {
                if let Value::Object(keys) = block {
                    let entries: Vec<(String, Value)> = std::mem::take(keys).into_iter().collect();
                    for (k, v) in entries {
                        keys.insert(flip(&k, rng), v);
                    }
                }
            }
        }
    }
}

#[test]
fn order_whitespace_and_key_case_do_not_matter() {
    let mut failures = Vec::new();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut evaluated = 0;
    let cases = corpus();
    let total = cases.len();
    for case in cases {
        let id = case["id"].as_str().unwrap_or("?").to_owned();
        let Ok(base) = decide(&case) else { continue };
        evaluated += 1;
        for round in 0..4 {
            let mut edited = case.clone();
            for policy in policies_mut(&mut edited) {
                if let Some(statements) = statements_mut(policy) {
                    shuffle(statements, &mut rng);
                }
                recase(policy, &mut rng);
            }
            if let Some(Value::Array(identity)) = edited.pointer_mut("/policies/identity") {
                shuffle(identity, &mut rng);
            }
            // Pretty-printing changes every position and all white space.
            let pretty = serde_json::to_string_pretty(&edited).unwrap_or_default();
            let reparsed: Value = serde_json::from_str(&pretty).unwrap_or(Value::Null);
            match decide(&reparsed) {
                Ok(d) if d == base => {}
                other => failures.push(format!("{id} round {round}: {base} became {other:?}")),
            }
        }
    }
    assert_eq!(evaluated, total, "every corpus case must evaluate");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A Deny statement built from pieces of the case itself, so it often applies.
fn random_deny(case: &Value, rng: &mut Rng, resource_policy: bool) -> Value {
    let action = case["request"]["action"]
        .as_str()
        .unwrap_or("s3:GetObject")
        .to_owned();
    let resource = case["request"]["resource"]
        .as_str()
        .unwrap_or("*")
        .to_owned();
    let actions = [
        "*".to_owned(),
        action.clone(),
        format!("{}:*", action.split(':').next().unwrap_or("s3")),
        "ec2:RunInstances".into(),
    ];
    let resources = ["*".to_owned(), resource, "arn:aws:s3:::unrelated/*".into()];
    let mut st = serde_json::json!({
        "Effect": "Deny",
        "Action": actions[rng.below(actions.len())],
        "Resource": resources[rng.below(resources.len())],
    });
    if rng.below(3) == 0 {
        st["Condition"] = serde_json::json!({"StringEquals": {"aws:PrincipalTag/never": "x"}});
    }
    if resource_policy {
        st["Principal"] = Value::String("*".into());
    }
    st
}

#[test]
fn adding_a_deny_never_grants_and_removing_an_allow_never_grants() {
    let mut failures = Vec::new();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut checked = 0;
    for case in corpus() {
        let id = case["id"].as_str().unwrap_or("?").to_owned();
        let Ok(base) = decide(&case) else { continue };
        for round in 0..6 {
            // Add a Deny to the identity policies (or the resource policy).
            let mut with_deny = case.clone();
            let to_resource =
                with_deny.pointer("/policies/resource").is_some() && rng.below(2) == 0;
            let deny = random_deny(&case, &mut rng, to_resource);
            if to_resource {
                if let Some(statements) = with_deny
                    .pointer_mut("/policies/resource")
                    .and_then(statements_mut)
                {
                    statements.push(deny);
                }
            } else if let Some(Value::Array(identity)) = with_deny.pointer_mut("/policies/identity")
            {
                identity.push(serde_json::json!({"Version": "2012-10-17", "Statement": [deny]}));
            }
            if let Ok(d) = decide(&with_deny) {
                checked += 1;
                if base != Decision::Allowed && d == Decision::Allowed {
                    failures.push(format!(
                        "{id} round {round}: adding a Deny turned {base} into allowed"
                    ));
                }
                if base == Decision::ExplicitDeny && d != Decision::ExplicitDeny {
                    failures.push(format!(
                        "{id} round {round}: adding a Deny turned explicitDeny into {d}"
                    ));
                }
            }
            // Remove one Allow statement from some policy (keep at least one statement).
            let mut without_allow = case.clone();
            let mut policies = policies_mut(&mut without_allow);
            if policies.is_empty() {
                continue;
            }
            let n = policies.len();
            let policy = &mut policies[rng.below(n)];
            if let Some(statements) = statements_mut(policy) {
                let allows: Vec<usize> = (0..statements.len())
                    .filter(|&i| statements[i]["Effect"] == "Allow")
                    .collect();
                if statements.len() > 1 && !allows.is_empty() {
                    statements.remove(allows[rng.below(allows.len())]);
                    if let Ok(d) = decide(&without_allow) {
                        checked += 1;
                        if base != Decision::Allowed && d == Decision::Allowed {
                            failures.push(format!(
                                "{id} round {round}: removing an Allow turned {base} into allowed"
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        checked > 1000,
        "too few edited cases were evaluated ({checked})"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
