//! Scenario loading and context derivation: what AWS would put in the request
//! context for each kind of principal, resource tags, Connect hierarchy keys, and
//! the flagship expectation table evaluated through the library.

use iamsim::input::rows::CsvRows;
use iamsim_engine::request::{Context, ContextValue, Request};
use iamsim_scenario::{RequestRow, Scenario};
use std::path::Path;

fn flagship() -> Scenario {
    Scenario::load(Path::new("fixtures/connect/scenario.json")).unwrap_or_else(|e| panic!("{e}"))
}

fn single<'a>(c: &'a Context, key: &str) -> Option<&'a str> {
    match c.get_any_case(key) {
        Some(ContextValue::Single(v)) => Some(v),
        _ => None,
    }
}

fn prepared(s: &Scenario, principal: &str, action: &str, resource: &str) -> Request {
    let mut request = Request::new("", "", "");
    let row = RequestRow {
        principal: principal.into(),
        action: action.into(),
        resource: resource.into(),
        context: Context::new(),
    };
    s.prepare(&row, &mut request)
        .unwrap_or_else(|e| panic!("{e}"));
    request
}

const INSTANCE: &str =
    "arn:aws:connect:ap-northeast-1:123456789012:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

#[test]
fn role_session_context() {
    let s = flagship();
    let r = prepared(
        &s,
        "connect-service",
        "s3:PutObject",
        "arn:aws:s3:::connect-recordings-mycc/k",
    );
    assert_eq!(
        r.principal(),
        "arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForAmazonConnect_abcdefg/connect"
    );
    let c = r.context();
    assert_eq!(
        single(c, "aws:userid"),
        Some("AROAXCONNECTROLEEXMPL:connect")
    );
    // aws:PrincipalArn of a session is the role ARN, path included.
    assert_eq!(
        single(c, "aws:PrincipalArn"),
        Some("arn:aws:iam::123456789012:role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect_abcdefg")
    );
    assert_eq!(single(c, "aws:PrincipalType"), Some("AssumedRole"));
    assert_eq!(single(c, "aws:PrincipalAccount"), Some("123456789012"));
    assert_eq!(single(c, "aws:PrincipalOrgID"), Some("o-exampleorgid"));
    assert_eq!(
        single(c, "aws:username"),
        None,
        "sessions have no aws:username"
    );
    assert_eq!(single(c, "aws:ResourceAccount"), Some("123456789012"));
}

#[test]
fn user_context() {
    let s = flagship();
    let r = prepared(
        &s,
        "developer",
        "s3:GetObject",
        "arn:aws:s3:::connect-recordings-othercc/x",
    );
    let c = r.context();
    assert_eq!(r.principal(), "arn:aws:iam::123456789012:user/dev");
    assert_eq!(single(c, "aws:userid"), Some("AIDAXDEVELOPEREXAMPLE"));
    assert_eq!(single(c, "aws:username"), Some("dev"));
    assert_eq!(single(c, "aws:PrincipalType"), Some("User"));
    assert_eq!(
        single(c, "aws:PrincipalArn"),
        Some("arn:aws:iam::123456789012:user/dev")
    );
}

#[test]
fn root_context() {
    let s = flagship();
    let r = prepared(
        &s,
        "root",
        "s3:GetObject",
        "arn:aws:s3:::connect-recordings-mycc/x",
    );
    let c = r.context();
    assert_eq!(r.principal(), "arn:aws:iam::123456789012:root");
    // The root user's aws:userid is the account id: that is what the bucket lock lists.
    assert_eq!(single(c, "aws:userid"), Some("123456789012"));
    assert_eq!(single(c, "aws:PrincipalType"), Some("Account"));
}

#[test]
fn federated_user_and_service_context() {
    let text = r#"{
        "principals": [
            {"name": "fed", "type": "federated-user", "account": "111122223333", "user": "carol", "tags": {"team": "cc"}},
            {"name": "sns", "type": "service", "service": "sns.amazonaws.com"}
        ]
    }"#;
    let dir = std::env::temp_dir().join(format!("iamsim-scn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("s.json");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    let s = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let r = prepared(&s, "fed", "s3:GetObject", "*");
    let c = r.context();
    assert_eq!(
        r.principal(),
        "arn:aws:sts::111122223333:federated-user/carol"
    );
    assert_eq!(single(c, "aws:userid"), Some("111122223333:carol"));
    assert_eq!(single(c, "aws:PrincipalType"), Some("FederatedUser"));
    assert_eq!(single(c, "aws:PrincipalTag/team"), Some("cc"));
    let r = prepared(&s, "sns", "sqs:SendMessage", "*");
    assert_eq!(r.principal(), "sns.amazonaws.com");
    assert_eq!(single(r.context(), "aws:userid"), None);
    assert_eq!(
        single(r.context(), "aws:PrincipalServiceName"),
        Some("sns.amazonaws.com")
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn connect_user_targets_carry_every_level_of_their_path() {
    let s = flagship();
    let r = prepared(
        &s,
        "tokyo-supervisor",
        "connect:DescribeUser",
        &format!("{INSTANCE}/agent/u-taro"),
    );
    let c = r.context();
    let levels: Vec<Option<&str>> = (1..=5)
        .map(|n| single(c, &format!("connect:HierarchyGroupL{n}Id/hierarchyGroupId")))
        .collect();
    assert_eq!(
        levels,
        vec![
            Some("g-apac"),
            Some("g-japan"),
            Some("g-tokyo"),
            Some("g-shibuya"),
            Some("g-shibuya-a")
        ]
    );
    // A user higher up has the deeper keys absent, not empty.
    let r = prepared(
        &s,
        "tokyo-supervisor",
        "connect:DescribeUser",
        &format!("{INSTANCE}/agent/u-minji"),
    );
    assert_eq!(
        single(r.context(), "connect:HierarchyGroupL2Id/hierarchyGroupId"),
        Some("g-korea")
    );
    assert!(!r
        .context()
        .contains("connect:HierarchyGroupL3Id/hierarchyGroupId"));
    // Instance-level calls carry no hierarchy keys.
    let r = prepared(&s, "tokyo-supervisor", "connect:ListUsers", INSTANCE);
    assert!(!r
        .context()
        .contains("connect:HierarchyGroupL1Id/hierarchyGroupId"));
    assert_eq!(
        single(r.context(), "connect:InstanceId"),
        Some("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
    );
}

#[test]
fn unknown_principal_is_an_error_not_a_decision() {
    let s = flagship();
    let mut request = Request::new("", "", "");
    let row = RequestRow {
        principal: "nobody".into(),
        action: "s3:GetObject".into(),
        resource: "*".into(),
        context: Context::new(),
    };
    assert!(s.prepare(&row, &mut request).is_err());
}

#[test]
fn bad_scenarios_name_file_and_pointer() {
    let dir = std::env::temp_dir().join(format!("iamsim-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let cases = [
        (
            r#"{"principals":[{"name":"a","type":"role","account":"123456789012","role":"R"}]}"#,
            "needs `id`",
        ),
        (
            r#"{"principals":[{"name":"a","type":"user","account":"12"}]}"#,
            "not a 12-digit id",
        ),
        (
            r#"{"principals":[{"name":"a","type":"user","account":"123456789012","policies":"missing/*.json"}]}"#,
            "matches no file",
        ),
        (
            r#"{"resources":[{"arn":"arn:aws:s3:::b"}]}"#,
            "needs `account`",
        ),
        (r#"{"principalz":[]}"#, "unknown member `principalz`"),
        (
            r#"{"connect":[{"instance":"i","groups":[{"id":"a","parent":"b"},{"id":"b","parent":"a"}]}]}"#,
            "cycle",
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let path = dir.join(format!("s{i}.json"));
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        let err = Scenario::load(&path)
            .err()
            .unwrap_or_else(|| panic!("case {i} loaded"))
            .to_string();
        assert!(err.contains(expected), "case {i}: {err}");
        assert!(
            err.starts_with(&path.display().to_string()),
            "case {i} does not name the file: {err}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The hand-written flagship table, through the library (the CLI runs it too).
#[test]
fn flagship_expectation_table_holds() {
    let s = flagship();
    let file =
        std::fs::File::open("fixtures/connect/expectations.csv").unwrap_or_else(|e| panic!("{e}"));
    let rows =
        CsvRows::new(file, "fixtures/connect/expectations.csv").unwrap_or_else(|e| panic!("{e}"));
    let mut request = Request::new("", "", "");
    let mut failures = Vec::new();
    let mut count = 0;
    for row in rows {
        let row = row.unwrap_or_else(|e| panic!("{e}"));
        count += 1;
        let set = s
            .prepare(&row.request, &mut request)
            .unwrap_or_else(|e| panic!("{e}"));
        let decision = set.evaluate(&request).decision;
        let expect = row
            .expect
            .unwrap_or_else(|| panic!("line {} has no expectation", row.line));
        if !expect.accepts(decision) {
            failures.push(format!(
                "{:?} line {}: got {decision}, expected {expect}",
                row.id, row.line
            ));
        }
    }
    assert!(
        count >= 60,
        "the flagship table must keep at least 60 rows, has {count}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
