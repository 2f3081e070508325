//! `iamsim batch` end to end: the real binary over the flagship Connect scenario,
//! with golden (insta) output in JSON Lines and CSV, with and without --explain, and
//! checks of ordering, error rows, exit codes and the hand-written escaping.

use crate::common;

use crate::common::Run;

use iamsim::report::escape::{push_csv_field, push_json_str};
use std::path::PathBuf;

const SCENARIO: &str = "fixtures/connect/scenario.json";
const INSTANCE: &str =
    "arn:aws:connect:ap-northeast-1:123456789012:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

/// Covers allowed / explicitDeny / implicitDeny, a principal by ARN, explicit
/// context, missing context keys, an unknown principal, a malformed line and an
/// unknown column in the middle, a blank line, and an id that needs escaping.
fn requests() -> String {
    let rows = [
        // 1: the Admin role reads a locked recording: allowed (lock exempts it).
        r#"{"id":"r1","principal":"admin","action":"s3:GetObject","resource":"arn:aws:s3:::connect-recordings-mycc/connect/mycc/CallRecordings/a.wav"}"#.to_owned(),
        // 2: the instance admin is stopped by the recordings lock: explicitDeny.
        r#"{"principal":"instance-admin","action":"s3:GetObject","resource":"arn:aws:s3:::connect-recordings-mycc/connect/mycc/CallRecordings/a.wav"}"#.to_owned(),
        // 3: the SCP keeps DeleteInstance for the Admin role: explicitDeny.
        format!(r#"{{"principal":"instance-admin","action":"connect:DeleteInstance","resource":"{INSTANCE}"}}"#),
        // 4: nothing grants IAM to the developer: implicitDeny.
        r#"{"principal":"developer","action":"iam:CreateUser","resource":"*"}"#.to_owned(),
        // 5: unknown principal: an error row.
        r#"{"id":"ghost","principal":"mallory","action":"s3:GetObject","resource":"*"}"#.to_owned(),
        // 6: malformed JSON: an error row naming line 6; the rows after it still come out.
        r#"{"principal":"admin","action":"#.to_owned(),
        // 7: blank: not a row.
        String::new(),
        // 8: cross-account read granted by the othercc bucket policy: allowed.
        r#"{"principal":"partner-auditor","action":"s3:GetObject","resource":"arn:aws:s3:::connect-recordings-othercc/connect/othercc/c-2.wav"}"#.to_owned(),
        // 9: supervisor over a Tokyo agent (hierarchy-derived context): allowed.
        format!(r#"{{"principal":"tokyo-supervisor","action":"connect:DescribeUser","resource":"{INSTANCE}/agent/u-sato"}}"#),
        // 10: supervisor over an Osaka agent: implicitDeny.
        format!(r#"{{"principal":"tokyo-supervisor","action":"connect:DescribeUser","resource":"{INSTANCE}/agent/u-kenji"}}"#),
        // 11: an agent outside the scenario: the hierarchy key is missing.
        format!(r#"{{"principal":"tokyo-supervisor","action":"connect:UpdateUserRoutingProfile","resource":"{INSTANCE}/agent/u-ghost"}}"#),
        // 12: the developer by ARN, with explicit context, on the locked bucket.
        r#"{"principal":"arn:aws:iam::123456789012:user/dev","action":"s3:PutObject","resource":"arn:aws:s3:::connect-recordings-mycc/x","context":{"aws:SecureTransport":true,"aws:SourceIp":"10.0.0.1"}}"#.to_owned(),
        // 13: an unknown column: an error row.
        r#"{"principal":"admin","action":"s3:GetObject","resource":"*","colour":"red"}"#.to_owned(),
        // 14: an id that needs escaping, by the Connect service role: allowed.
        r#"{"id":"q\"uote\\ ✓\ttab","principal":"connect-service","action":"s3:PutObject","resource":"arn:aws:s3:::connect-recordings-mycc/connect/mycc/CallRecordings/b.wav"}"#.to_owned(),
        // 15: the root user of the account, same-account bucket: allowed.
        r#"{"principal":"root","action":"s3:GetBucketPolicy","resource":"arn:aws:s3:::connect-recordings-mycc"}"#.to_owned(),
    ];
    rows.join("\n") + "\n"
}

/// The same kind of table as CSV (context as `key=value; …`), with a record that
/// has too few fields and an unknown principal in the middle.
const CSV_REQUESTS: &str = "\
id,principal,action,resource,context
c1,admin,s3:GetObject,arn:aws:s3:::connect-recordings-mycc/a.wav,
c2,instance-admin,s3:GetObject,arn:aws:s3:::connect-recordings-mycc/a.wav,
c3,developer,iam:CreateUser,*,
c4,mallory,s3:GetObject,*,
c5,admin,s3:GetObject
c6,partner-auditor,s3:GetObject,arn:aws:s3:::connect-recordings-othercc/k,aws:SecureTransport=true; aws:SourceIp=10.1.2.3
c7,\"developer\",s3:ListBucket,\"arn:aws:s3:::connect-recordings-othercc\",
";

fn iamsim(args: &[&str], stdin: &[u8]) -> Run {
    common::run(common::repo_root(), args, Some(stdin))
}

fn batch(extra: &[&str], stdin: &str) -> Run {
    let mut args = vec!["batch", "--scenario", SCENARIO, "--quiet"];
    args.extend_from_slice(extra);
    iamsim(&args, stdin.as_bytes())
}

/// A fresh scratch directory under the target's temp dir.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iamsim-batch-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn jsonl_golden() {
    let run = batch(&["--threads", "2", "--chunk-size", "3"], &requests());
    assert_eq!(
        run.code,
        Some(1),
        "error rows give exit 1; stderr: {}",
        run.stderr
    );
    assert_eq!(run.stderr, "", "--quiet writes nothing on stderr");
    insta::assert_snapshot!("jsonl", run.stdout);
}

#[test]
fn jsonl_explain_golden() {
    let run = batch(
        &["--threads", "2", "--chunk-size", "3", "--explain"],
        &requests(),
    );
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("jsonl_explain", run.stdout);
}

#[test]
fn csv_golden() {
    let run = batch(
        &[
            "--threads",
            "2",
            "--chunk-size",
            "3",
            "--output-format",
            "csv",
        ],
        &requests(),
    );
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("csv", run.stdout);
}

#[test]
fn csv_explain_golden() {
    let run = batch(
        &[
            "--threads",
            "2",
            "--chunk-size",
            "3",
            "--output-format",
            "csv",
            "--explain",
        ],
        &requests(),
    );
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("csv_explain", run.stdout);
}

#[test]
fn csv_input_golden() {
    let run = batch(
        &[
            "--input-format",
            "csv",
            "--threads",
            "2",
            "--chunk-size",
            "2",
        ],
        CSV_REQUESTS,
    );
    assert_eq!(run.code, Some(1), "stderr: {}", run.stderr);
    insta::assert_snapshot!("csv_input", run.stdout);
}

#[test]
fn output_rows_are_json_in_input_order_with_every_line_accounted_for() {
    let run = batch(&["--threads", "2", "--chunk-size", "3"], &requests());
    let rows = json_lines(&run.stdout);
    let lines: Vec<u64> = rows
        .iter()
        .map(|r| r["line"].as_u64().expect("line"))
        .collect();
    // Line 7 is blank: every other line has exactly one output row, in order.
    assert_eq!(lines, [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15]);
    let decisions: Vec<&str> = rows
        .iter()
        .map(|r| r["decision"].as_str().unwrap_or("error"))
        .collect();
    assert_eq!(
        decisions,
        [
            "allowed",
            "explicitDeny",
            "explicitDeny",
            "implicitDeny",
            "error",
            "error",
            "allowed",
            "allowed",
            "implicitDeny",
            "implicitDeny",
            "explicitDeny",
            "error",
            "allowed",
            "allowed",
        ]
    );
    let malformed = &rows[5];
    assert_eq!(malformed["line"], 6);
    assert!(
        malformed["error"]
            .as_str()
            .unwrap()
            .starts_with("<stdin>:6:"),
        "{malformed}"
    );
    let unknown = &rows[4];
    assert_eq!(unknown["id"], "ghost");
    assert!(unknown["error"]
        .as_str()
        .unwrap()
        .contains("unknown principal `mallory`"));
    assert_eq!(rows[12]["id"], "q\"uote\\ ✓\ttab");
}

#[test]
fn order_and_content_do_not_depend_on_threads_or_chunk_size() {
    let input = requests().repeat(50);
    let reference = batch(
        &["--threads", "1", "--chunk-size", "100000", "--explain"],
        &input,
    );
    for (threads, chunk) in [("2", "1"), ("2", "3"), ("3", "7"), ("2", "64")] {
        let run = batch(
            &["--threads", threads, "--chunk-size", chunk, "--explain"],
            &input,
        );
        assert_eq!(run.code, reference.code);
        assert!(
            run.stdout == reference.stdout,
            "--threads {threads} --chunk-size {chunk} changed the output"
        );
    }
    let rows = json_lines(&reference.stdout);
    assert_eq!(rows.len(), 14 * 50);
    let lines: Vec<u64> = rows.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert!(
        lines.windows(2).all(|w| w[0] < w[1]),
        "lines strictly increase"
    );
    assert_eq!(*lines.last().unwrap(), 15 * 50);
}

#[test]
fn csv_output_parses_with_a_csv_reader() {
    let run = batch(&["--output-format", "csv", "--explain"], &requests());
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "line",
            "principal",
            "action",
            "resource",
            "decision",
            "error",
            "id",
            "reason",
            "deciding",
            "blocked_by",
            "missing_keys",
            "missing_context"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 14);
    assert_eq!(&records[12][6], "q\"uote\\ ✓\ttab");
    assert_eq!(&records[5][0], "6");
    assert!(records[5][5].starts_with("<stdin>:6:"));
    assert_eq!(&records[5][4], "");
}

#[test]
fn all_good_rows_exit_zero_and_summary_goes_to_stderr() {
    let input = format!(
        "{}\n{}\n",
        r#"{"principal":"admin","action":"s3:GetObject","resource":"*"}"#,
        r#"{"principal":"developer","action":"iam:CreateUser","resource":"*"}"#
    );
    let run = iamsim(&["batch", "--scenario", SCENARIO, "-"], input.as_bytes());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(json_lines(&run.stdout).len(), 2);
    // stderr is not a terminal here: no progress line, only the summary.
    assert!(
        run.stderr.starts_with("iamsim batch: 2 rows in "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("allowed 1, explicitDeny 0, implicitDeny 1, errors 0"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains('\r'));
}

#[test]
fn empty_input_gives_no_rows() {
    let run = batch(&[], "");
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), ""));
    let run = batch(&["--output-format", "csv"], "\n\n");
    assert_eq!(run.code, Some(0));
    assert_eq!(
        run.stdout,
        "line,principal,action,resource,decision,error,id\n"
    );
}

#[test]
fn unreadable_scenario_or_input_exits_two() {
    let run = iamsim(
        &["batch", "--scenario", "fixtures/connect/no-such.json"],
        b"",
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("no-such.json"), "{}", run.stderr);
    let run = iamsim(
        &[
            "batch",
            "--scenario",
            SCENARIO,
            "tests/no-such-requests.jsonl",
        ],
        b"",
    );
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("tests/no-such-requests.jsonl"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    let run = batch(&["--input-format", "csv"], "who,what\nadmin,s3:GetObject\n");
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("<stdin>:1: unknown CSV column `who`"),
        "{}",
        run.stderr
    );
}

#[test]
fn input_format_follows_the_extension_and_output_goes_to_a_file() {
    let dir = scratch("ext");
    let csv_path = dir.join("requests.csv");
    std::fs::write(
        &csv_path,
        "principal,action,resource\nadmin,s3:GetObject,*\ndeveloper,iam:CreateUser,*\n",
    )
    .unwrap();
    let out_path = dir.join("decisions.jsonl");
    let run = batch(
        &[
            csv_path.to_str().unwrap(),
            "--output",
            out_path.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let written = std::fs::read_to_string(&out_path).unwrap();
    assert_eq!(
        written,
        "{\"line\":2,\"principal\":\"admin\",\"action\":\"s3:GetObject\",\"resource\":\"*\",\"decision\":\"allowed\"}\n\
         {\"line\":3,\"principal\":\"developer\",\"action\":\"iam:CreateUser\",\"resource\":\"*\",\"decision\":\"implicitDeny\"}\n"
    );
    // Any other extension is JSON Lines.
    let jsonl_path = dir.join("requests.txt");
    std::fs::write(
        &jsonl_path,
        r#"{"principal":"admin","action":"s3:GetObject","resource":"*"}"#,
    )
    .unwrap();
    let run = batch(&[jsonl_path.to_str().unwrap()], "");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(json_lines(&run.stdout)[0]["decision"], "allowed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_utf8_and_overlong_lines_become_error_rows() {
    let mut input = Vec::new();
    input.extend_from_slice(
        b"{\"principal\":\"admin\",\"action\":\"s3:GetObject\",\"resource\":\"*\"}\n",
    );
    input.extend_from_slice(b"{\"principal\":\"adm\xffin\"}\n");
    input
        .extend_from_slice(b"{\"principal\":\"admin\",\"action\":\"s3:GetObject\",\"resource\":\"");
    input.extend(std::iter::repeat_n(b'a', (1 << 20) + 10));
    input.extend_from_slice(b"\"}\r\n");
    input.extend_from_slice(
        b"{\"principal\":\"admin\",\"action\":\"s3:GetObject\",\"resource\":\"*\"}\r\n",
    );
    let run = iamsim(
        &[
            "batch",
            "--scenario",
            SCENARIO,
            "--quiet",
            "--chunk-size",
            "2",
        ],
        &input,
    );
    assert_eq!(run.code, Some(1));
    let rows = json_lines(&run.stdout);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["decision"], "allowed");
    assert_eq!(
        rows[1]["error"],
        "<stdin>:2:18: (row): invalid UTF-8 (byte 0xff)"
    );
    assert!(
        rows[2]["error"]
            .as_str()
            .unwrap()
            .starts_with("<stdin>:3:1: (row): the line is longer than"),
        "{}",
        rows[2]
    );
    assert_eq!(rows[3]["line"], 4);
    assert_eq!(rows[3]["decision"], "allowed");
}

#[test]
fn unknown_principal_error_rows_escape_what_they_echo() {
    let input =
        "{\"principal\":\"evil\\\"\\u0001\\n\",\"action\":\"s3:GetObject\",\"resource\":\"*\"}\n";
    let run = batch(&[], input);
    let rows = json_lines(&run.stdout);
    assert_eq!(rows.len(), 1);
    assert!(rows[0]["error"]
        .as_str()
        .unwrap()
        .contains("unknown principal `evil\"\u{1}\n`"));
    let run = batch(&["--output-format", "csv"], input);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let record = reader.records().next().unwrap().unwrap();
    assert_eq!(&record[1], "evil\"\u{1}\n");
}

#[test]
fn json_escaping_round_trips() {
    let cases = [
        "",
        "plain",
        "quote \" backslash \\ slash /",
        "\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}",
        "ünïcødé ✓ 日本語 🎉 \u{2028}",
    ];
    for s in cases {
        let mut out = Vec::new();
        push_json_str(&mut out, s);
        let back: String = serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        assert_eq!(back, s);
        assert!(
            !out[1..out.len() - 1].iter().any(|&b| b < 0x20),
            "raw control byte for {s:?}"
        );
    }
}

#[test]
fn csv_escaping_round_trips() {
    let cases = [
        "",
        "plain",
        "a,b",
        "say \"hi\"",
        "two\nlines",
        " padded ",
        "cr\r",
    ];
    let mut line = Vec::new();
    for (i, s) in cases.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        push_csv_field(&mut line, s);
    }
    line.push(b'\n');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_slice());
    let record = reader.records().next().unwrap().unwrap();
    assert_eq!(record.iter().collect::<Vec<_>>(), cases);
}
