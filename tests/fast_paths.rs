//! The shortcuts `iamsim batch` takes for common rows must give exactly what the
//! general path gives: the plain-row scanner against the full JSON row parser, and
//! prepared (cached) requests against requests built from scratch.

use iamsim::input::rows::{parse_jsonl_row, scan_plain_row};
use iamsim_engine::request::{Context, Request};
use iamsim_scenario::generate::matrix_rows;
use iamsim_scenario::{PreparedRequests, RequestRow, Scenario};
use std::path::Path;

fn flagship() -> Scenario {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Scenario::load(&root.join("fixtures/connect/scenario.json")).expect("flagship scenario loads")
}

/// Rows the scanner must take, and rows it must leave to the full parser (which
/// takes some of them and refuses the others).
const PLAIN: &[&str] = &[
    r#"{"principal":"admin","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#,
    r#"  { "resource" : "*" , "action":"iam:ListRoles","principal":"root", "id": "r-1" }  "#,
    r#"{"principal":"p","action":"a","resource":"r","name":"n","note":"why not"}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":{}}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":{"aws:SourceIp":"10.0.0.1","aws:SecureTransport":false,"k":true}}"#,
    "{\"principal\":\"p\",\t\"action\":\"a\",\r\"resource\":\"r/é/日本\"}",
    r#"{"principal":"p","action":"a","resource":"r","context":{"n":1,"f":-10.50,"e":2E+3,"z":0 ,"g":-0.5e-1}}"#,
    r#"{"principal":"a-long-principal-name-over-eight-bytes","action":"connect:DescribeInstance","resource":"arn:aws:connect:us-east-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"}"#,
];

const NOT_PLAIN: &[&str] = &[
    r#"{"principal":"p\u0041","action":"a","resource":"r"}"#,
    r#"{"principal":"p","action":"a\"b","resource":"r"}"#,
    r#"{"principal":"a-long-principal-name\\over-eight-bytes","action":"a","resource":"r"}"#,
    "{\"principal\":\"p\u{1}\",\"action\":\"a\",\"resource\":\"r\"}",
    r#"{"principal":"p","action":"a","resource":"r","expect":"allowed"}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":{"l":["x"]}}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":{"n":01}}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":{"n":1.}}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":{"n":-}}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":{"n":1x}}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":{"n":1e}}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":{"n":.5}}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":{"n":+1}}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":{"K":"1","k":"2"}}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":{"k":null}}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":"x"}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":{"a":"1"},"context":{}}"#,
    r#"{"principal":"p","action":"a","resource":"r","id":"1","name":"2"}"#,
    r#"{"principal":"p","principal":"q","action":"a","resource":"r"}"#,
    r#"{"principal":"p","action":"a"}"#,
    r#"{"principal":"p","action":"a","resource":"r","extra":"x"}"#,
    r#"{"principal":"p","action":"a","resource":"r"} x"#,
    r#"{"principal":"p","action":"a","resource":"r",}"#,
    r#"{"principal":"p","action":"a","resource":"r""#,
    r#"{"principal":"p","action":"a","resource":"r","context":{"k":"v",}}"#,
    r#"{"principal":"p","action":"a","resource":"r","context":{"k":truex}}"#,
    r#"{"principal":"p","action":"a","resource":1}"#,
    r#"{}"#,
    r#"[]"#,
    "",
];

#[test]
fn the_plain_row_scanner_reads_what_the_full_parser_reads() {
    for line in PLAIN {
        let plain = scan_plain_row(line).unwrap_or_else(|| panic!("not plain: {line}"));
        let full = parse_jsonl_row(line, 1, "t").unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(plain.principal, full.request.principal, "{line}");
        assert_eq!(plain.action, full.request.action, "{line}");
        assert_eq!(plain.resource, full.request.resource, "{line}");
        assert_eq!(plain.id, full.id.as_deref(), "{line}");
        let mut context = Context::new();
        for &(k, v) in plain.context_members() {
            context.insert_str(k, v);
        }
        assert_eq!(context, full.request.context, "{line}");
    }
    for line in NOT_PLAIN {
        assert_eq!(scan_plain_row(line), None, "taken as plain: {line}");
    }
    // Nine context keys are more than the scanner holds.
    let many: Vec<String> = (0..9).map(|i| format!("\"k{i}\":\"v\"")).collect();
    let line = format!(
        r#"{{"principal":"p","action":"a","resource":"r","context":{{{}}}}}"#,
        many.join(",")
    );
    assert!(parse_jsonl_row(&line, 1, "t").is_ok());
    assert_eq!(scan_plain_row(&line), None);
}

/// Context lists a stream may carry, including one that overrides a derived key and
/// the same keys spelled in another case.
fn contexts() -> Vec<Vec<(&'static str, &'static str)>> {
    vec![
        vec![],
        vec![("aws:SourceIp", "10.0.0.1")],
        vec![
            ("aws:SourceIp", "203.0.113.9"),
            ("aws:SecureTransport", "true"),
        ],
        vec![
            ("AWS:SOURCEIP", "203.0.113.10"),
            ("aws:securetransport", "false"),
        ],
        vec![("aws:userid", "AROAEXAMPLEADMIN:someone")],
        vec![
            ("aws:SecureTransport", "true"),
            ("aws:SourceIp", "10.1.2.3"),
        ],
    ]
}

fn check_against_fresh(scenario: &Scenario, cache: &mut PreparedRequests) -> usize {
    let (rows, _) = matrix_rows(scenario, None);
    let contexts = contexts();
    let mut fresh = Request::new("", "", "");
    let mut compared = 0;
    // Two passes, so that the second one reads requests prepared by the first.
    for pass in 0..2 {
        for (i, row) in rows.iter().enumerate() {
            let ctx = &contexts[(i + pass) % contexts.len()];
            let mut full_row = RequestRow {
                context: Context::new(),
                ..row.clone()
            };
            for &(k, v) in ctx {
                full_row.context.insert_str(k, v);
            }
            let expected_set = scenario
                .prepare(&full_row, &mut fresh)
                .expect("known principal");
            let (set, request) = scenario
                .prepare_plain(cache, &row.principal, &row.action, &row.resource, ctx)
                .expect("known principal");
            assert!(
                std::ptr::eq(set, expected_set),
                "{row:?} {ctx:?}: other policy set"
            );
            assert_eq!(request, &fresh, "{row:?} {ctx:?}");
            assert_eq!(
                set.evaluate(request).decision,
                expected_set.evaluate(&fresh).decision
            );
            compared += 1;
        }
    }
    compared
}

#[test]
fn prepared_requests_equal_requests_built_from_scratch() {
    let scenario = flagship();
    assert!(check_against_fresh(&scenario, &mut PreparedRequests::default()) > 500);
    // A full cache falls back to preparing each new pair in its spare request.
    assert!(check_against_fresh(&scenario, &mut PreparedRequests::with_limit(3)) > 500);
    assert!(check_against_fresh(&scenario, &mut PreparedRequests::with_limit(0)) > 500);
}

#[test]
fn an_unknown_principal_is_an_error_on_the_fast_path_too() {
    let scenario = flagship();
    let mut cache = PreparedRequests::default();
    let err = scenario
        .prepare_plain(&mut cache, "nobody", "s3:GetObject", "*", &[])
        .expect_err("unknown principal");
    assert!(
        err.to_string().contains("unknown principal `nobody`"),
        "{err}"
    );
}
