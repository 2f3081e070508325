//! Hostile and broken input: every file under `fixtures/bad/` gets a clear error
//! naming the file, line:column and JSON Pointer, exit code 2, and no panic; a case
//! file with broken lines reports each one and still runs the rest. All messages are
//! pinned in one insta snapshot so a regression in wording or location shows up.

use crate::common;

fn iamsim(args: &[&str]) -> (Option<i32>, String, String) {
    let out = common::run_iamsim(common::repo_root(), args, None);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Evaluates one request with the file as identity policy, or as resource policy
/// when it names principals.
fn eval_policy(path: &str) -> (Option<i32>, String, String) {
    let bytes = std::fs::read(common::repo_root().join(path)).unwrap_or_default();
    let slot = if String::from_utf8_lossy(&bytes).contains("Principal\"") {
        "--resource-policy"
    } else {
        "--identity"
    };
    iamsim(&[
        "eval",
        slot,
        path,
        "--principal",
        "arn:aws:iam::111122223333:user/a",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
    ])
}

#[test]
fn every_bad_policy_is_refused_with_a_located_message() {
    let dir = common::repo_root().join("fixtures/bad/policies");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert!(names.len() >= 15, "the bad-input corpus shrank: {names:?}");
    let mut report = String::new();
    for name in &names {
        let path = format!("fixtures/bad/policies/{name}");
        let (code, stdout, stderr) = eval_policy(&path);
        assert_eq!(code, Some(2), "{path}: exit {code:?}\n{stdout}{stderr}");
        assert!(
            stdout.is_empty(),
            "{path}: a refused policy must produce no decision: {stdout}"
        );
        assert!(!stderr.contains("panicked"), "{path}: {stderr}");
        let first = stderr.lines().next().unwrap_or("");
        assert!(
            first.contains(&path),
            "{path}: the message must name the file: {first}"
        );
        report.push_str(&format!(
            "{name}\n    {}\n",
            stderr.trim_end().replace('\n', "\n    ")
        ));
    }
    insta::assert_snapshot!("bad_policies", report);
}

/// Condition values their operator cannot read (`NumericLessThan: "ten"`, a `/33`
/// CIDR range, `Bool: "maybe"`) do not refuse the policy — AWS stores such policies —
/// they load with a warning at the value, compare false (so `NotIpAddress` holds),
/// and a Deny they disable is reported as indeterminate (SEMANTICS 7.6).
#[test]
fn unreadable_condition_values_load_with_a_located_warning() {
    let dir = common::repo_root().join("fixtures/bad/warned");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert!(names.len() >= 3, "{names:?}");
    let mut report = String::new();
    for name in &names {
        let path = format!("fixtures/bad/warned/{name}");
        let (code, stdout, stderr) = iamsim(&[
            "eval",
            "--identity",
            &path,
            "--principal",
            "arn:aws:iam::111122223333:user/a",
            "--action",
            "s3:ListBucket",
            "--resource",
            "arn:aws:s3:::b",
            "--context",
            "aws:SourceIp=203.0.113.9",
            "--context",
            "s3:max-keys=5",
            "--context",
            "aws:SecureTransport=true",
            "--explain",
        ]);
        assert_eq!(code, Some(0), "{path}: exit {code:?}\n{stdout}{stderr}");
        let first = stderr.lines().next().unwrap_or("");
        assert!(
            first.contains("warning") && first.contains(&path),
            "{path}: the warning must name the file: {first}"
        );
        report.push_str(&format!(
            "{name}\n    {}\n    {}\n",
            stderr.trim_end().replace('\n', "\n    "),
            stdout.trim_end().replace('\n', "\n    ")
        ));
    }
    insta::assert_snapshot!("warned_policies", report);
}

#[test]
fn huge_deep_and_odd_files_are_refused_quickly() {
    let dir = std::env::temp_dir().join(format!("iamsim-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let tmp = dir.display().to_string();
    // 100 MB: refused by size before it is read (a sparse file costs no disk).
    let huge = dir.join("huge.json");
    let f = std::fs::File::create(&huge).unwrap_or_else(|e| panic!("{e}"));
    f.set_len(100 * 1024 * 1024)
        .unwrap_or_else(|e| panic!("{e}"));
    // Nested 100,000 deep: refused by the depth limit, not a stack overflow.
    let deep = dir.join("deep.json");
    std::fs::write(&deep, "[".repeat(100_000)).unwrap_or_else(|e| panic!("{e}"));
    // A JSON string is not a policy.
    let string = dir.join("string.json");
    std::fs::write(&string, "\"s3:GetObject\"").unwrap_or_else(|e| panic!("{e}"));
    let empty = dir.join("empty.json");
    std::fs::write(&empty, "  \n").unwrap_or_else(|e| panic!("{e}"));
    let mut report = String::new();
    for p in [&huge, &deep, &string, &empty] {
        let (code, stdout, stderr) = eval_policy(&p.display().to_string());
        assert_eq!(code, Some(2), "{}: {stdout}{stderr}", p.display());
        report.push_str(&stderr.replace(&tmp, "<tmp>"));
    }
    // The limit is configurable.
    let (code, _, stderr) = iamsim(&[
        "eval",
        "--identity",
        &huge.display().to_string(),
        "--max-policy-bytes",
        "200000000",
        "--principal",
        "arn:aws:iam::111122223333:user/a",
        "--action",
        "s3:GetObject",
    ]);
    assert_eq!(code, Some(2));
    report.push_str(&stderr.replace(&tmp, "<tmp>"));
    let _ = std::fs::remove_dir_all(&dir);
    insta::assert_snapshot!("huge_deep_odd", report);
}

#[test]
fn a_case_file_with_broken_lines_reports_each_and_runs_the_rest() {
    let (code, stdout, stderr) = iamsim(&["check", "fixtures/bad/cases/mixed.jsonl"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stdout.contains("good-after-errors"),
        "rows after broken ones must still run"
    );
    assert_eq!(stdout.lines().last(), Some("2 passed, 4 failed"));
    insta::assert_snapshot!("bad_case_file", stdout);
}

#[test]
fn a_batch_stream_with_a_broken_line_in_the_middle_keeps_every_other_row() {
    let mut input = String::new();
    for i in 0..10_000 {
        if i == 5_000 {
            input.push_str("{\"principal\": \"admin\", \"action\": \n");
        } else {
            input.push_str(&format!(
                "{{\"principal\":\"admin\",\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::connect-recordings-mycc/{i}.wav\"}}\n"
            ));
        }
    }
    let out = common::run_iamsim(
        common::repo_root(),
        &[
            "batch",
            "--scenario",
            "fixtures/connect/scenario.json",
            "-",
            "--quiet",
        ],
        Some(input.as_bytes()),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10_000, "one output row per input row");
    assert!(
        lines[5_000].starts_with("{\"line\":5001,\"error\":"),
        "{}",
        lines[5_000]
    );
    assert_eq!(lines.iter().filter(|l| l.contains("\"error\"")).count(), 1);
    assert_eq!(out.status.code(), Some(1));
}

/// Big but valid input: a condition with 10,000 values per operator family and a
/// policy of 10,000 statements load and evaluate correctly (their time is measured by
/// the criterion benches, not here).
#[test]
fn ten_thousand_condition_values_and_statements_evaluate() {
    use iamsim_engine::model::{Policy, PolicyKind};
    use iamsim_engine::request::{Context, ContextValue, Request};
    use iamsim_engine::{CompiledPolicySet, Decision, PolicySet};
    let quoted = |f: &dyn Fn(usize) -> String| {
        (0..10_000)
            .map(|i| format!("\"{}\"", f(i)))
            .collect::<Vec<_>>()
            .join(",")
    };
    let users = quoted(&|i| format!("AROAEXAMPLE{i}:*"));
    let cidrs = quoted(&|i| format!("10.{}.{}.0/24", i / 256, i % 256));
    let numbers = (0..10_000)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[
          {{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{{
            "StringLike":{{"aws:userid":[{users}]}},
            "IpAddress":{{"aws:SourceIp":[{cidrs}]}},
            "NumericEquals":{{"s3:max-keys":[{numbers}]}}}}}}]}}"#
    );
    let policy =
        Policy::parse(&text, PolicyKind::Identity, "big.json").unwrap_or_else(|e| panic!("{e}"));
    let set = CompiledPolicySet::compile(&PolicySet {
        identity: vec![policy],
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let request = |user: &str, ip: &str, keys: &str| {
        let mut c = Context::new();
        c.insert("aws:userid", ContextValue::Single(user.into()));
        c.insert("aws:SourceIp", ContextValue::Single(ip.into()));
        c.insert("s3:max-keys", ContextValue::Single(keys.into()));
        Request::new(
            "arn:aws:iam::111122223333:user/a",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
        )
        .with_context(c)
    };
    // The last value of every list matches.
    assert_eq!(
        set.evaluate(&request("AROAEXAMPLE9999:s", "10.39.15.7", "9999"))
            .decision,
        Decision::Allowed
    );
    assert_eq!(
        set.evaluate(&request("AROAEXAMPLE10000:s", "10.39.15.7", "9999"))
            .decision,
        Decision::ImplicitDeny
    );
    assert_eq!(
        set.evaluate(&request("AROAEXAMPLE9999:s", "10.40.0.1", "9999"))
            .decision,
        Decision::ImplicitDeny
    );
    assert_eq!(
        set.evaluate(&request("AROAEXAMPLE9999:s", "10.39.15.7", "10000"))
            .decision,
        Decision::ImplicitDeny
    );

    let statements = (0..10_000)
        .map(|i| {
            format!(
                r#"{{"Effect":"Allow","Action":"svc{}:Get{i}","Resource":"arn:aws:s3:::b{i}/*"}}"#,
                i % 200
            )
        })
        .collect::<Vec<_>>()
        .join(",");
    let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
    let policy =
        Policy::parse(&text, PolicyKind::Identity, "many.json").unwrap_or_else(|e| panic!("{e}"));
    let set = CompiledPolicySet::compile(&PolicySet {
        identity: vec![policy],
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let r = Request::new(
        "arn:aws:iam::111122223333:user/a",
        "svc199:Get9999",
        "arn:aws:s3:::b9999/k",
    );
    assert_eq!(set.evaluate(&r).decision, Decision::Allowed);
    assert_eq!(set.explain(&r).response.decision, Decision::Allowed);
    let r = Request::new(
        "arn:aws:iam::111122223333:user/a",
        "svc199:Get9999",
        "arn:aws:s3:::b9998/k",
    );
    assert_eq!(set.evaluate(&r).decision, Decision::ImplicitDeny);
}

/// Fail closed: a Deny skipped because its condition met an uncomparable value
/// (`IpAddress` on `10.1.2.x`) fails the row; the same value under `NotIpAddress`
/// makes the Deny apply and passes. `--allow-indeterminate` accepts the first.
#[test]
fn an_indeterminate_deny_fails_check_unless_allowed() {
    let (code, stdout, _) = iamsim(&["check", "fixtures/bad/cases/indeterminate.jsonl"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("ERROR deny-ipaddress-garbage"), "{stdout}");
    assert!(
        stdout.contains("indeterminate: a Deny statement could not be fully evaluated"),
        "{stdout}"
    );
    assert!(
        stdout.contains("INDETERMINATE"),
        "the explanation must say so: {stdout}"
    );
    assert!(
        stdout.contains("ok    deny-notipaddress-garbage"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().last(), Some("1 passed, 1 failed"));
    let (code, stdout, _) = iamsim(&[
        "check",
        "--allow-indeterminate",
        "fixtures/bad/cases/indeterminate.jsonl",
    ]);
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(stdout.lines().last(), Some("2 passed, 0 failed"));
}
