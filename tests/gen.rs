//! `iamsim gen`: deterministic request sets over a scenario, and their round trip
//! through `iamsim batch`.

use crate::common;

use std::collections::BTreeMap;

const SCENARIO: &str = "fixtures/connect/scenario.json";

fn iamsim(args: &[&str], stdin: &[u8]) -> (i32, Vec<u8>, String) {
    let output = common::run_iamsim(common::repo_root(), args, Some(stdin));
    (
        output.status.code().expect("exit code"),
        output.stdout,
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

fn gen(count: u64, seed: u64, format: &str) -> Vec<u8> {
    let (code, out, err) = iamsim(
        &[
            "gen",
            "--scenario",
            SCENARIO,
            "--count",
            &count.to_string(),
            "--seed",
            &seed.to_string(),
            "--format",
            format,
        ],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    out
}

/// Runs the rows through `batch` and counts the output rows by decision (`error`
/// for error rows).
fn decisions(rows: &[u8], input_format: &str) -> BTreeMap<String, usize> {
    let (code, out, err) = iamsim(
        &[
            "batch",
            "--scenario",
            SCENARIO,
            "--quiet",
            "--input-format",
            input_format,
        ],
        rows,
    );
    assert_eq!(code, 0, "batch found error rows: {err}");
    let mut counts = BTreeMap::new();
    for line in String::from_utf8(out).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let key = v["decision"].as_str().unwrap_or("error").to_owned();
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

#[test]
fn same_seed_same_bytes() {
    for format in ["jsonl", "csv"] {
        let a = gen(5000, 42, format);
        let b = gen(5000, 42, format);
        assert!(a == b, "{format}: same seed, different output");
    }
}

#[test]
fn different_seed_different_rows() {
    assert_ne!(gen(200, 1, "jsonl"), gen(200, 2, "jsonl"));
    assert_ne!(gen(200, 1, "csv"), gen(200, 2, "csv"));
}

#[test]
fn exactly_count_rows() {
    for count in [0u64, 1, 7, 12345] {
        let jsonl = gen(count, 9, "jsonl");
        assert_eq!(jsonl.iter().filter(|&&b| b == b'\n').count() as u64, count);
        assert!(jsonl.is_empty() || jsonl.ends_with(b"\n"));
        for line in String::from_utf8(jsonl).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            for key in ["principal", "action", "resource"] {
                assert!(v[key].is_string(), "{key} in {line}");
            }
        }
        let csv = gen(count, 9, "csv");
        let mut reader = csv::Reader::from_reader(csv.as_slice());
        assert_eq!(
            reader.headers().unwrap(),
            vec!["principal", "action", "resource", "context"]
        );
        assert_eq!(reader.records().map(Result::unwrap).count() as u64, count);
    }
}

#[test]
fn a_prefix_of_a_longer_run_is_the_shorter_run() {
    let short = gen(100, 5, "jsonl");
    let long = gen(1000, 5, "jsonl");
    assert!(long.starts_with(&short));
}

#[test]
fn generated_rows_evaluate_without_errors_to_a_mix_of_decisions() {
    for format in ["jsonl", "csv"] {
        let counts = decisions(&gen(20_000, 3, format), format);
        assert_eq!(counts.get("error"), None, "{format}: {counts:?}");
        let total: usize = counts.values().sum();
        assert_eq!(total, 20_000);
        for decision in ["allowed", "explicitDeny", "implicitDeny"] {
            let n = counts.get(decision).copied().unwrap_or(0);
            assert!(
                n * 20 >= total,
                "{format}: {decision} is under 5% of the rows: {counts:?}"
            );
        }
    }
}

#[test]
fn both_formats_carry_the_same_requests() {
    let jsonl = String::from_utf8(gen(500, 11, "jsonl")).unwrap();
    let csv = gen(500, 11, "csv");
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    for (line, record) in jsonl.lines().zip(reader.records()) {
        let record = record.unwrap();
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["principal"], record[0]);
        assert_eq!(v["action"], record[1]);
        assert_eq!(v["resource"], record[2]);
        // serde_json sorts object keys: compare the pairs as sets.
        let mut context: Vec<String> = v["context"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| match v {
                        serde_json::Value::String(s) => format!("{k}={s}"),
                        other => format!("{k}={other}"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        context.sort();
        let mut cell: Vec<String> = record[3]
            .split("; ")
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        cell.sort();
        assert_eq!(context, cell);
    }
}

#[test]
fn rows_vary_as_documented() {
    let text = String::from_utf8(gen(5000, 8, "jsonl")).unwrap();
    let has = |needle: &str| text.contains(needle);
    assert!(has(r#""resource":"*""#), "wildcard-only actions on *");
    assert!(has("aws:SourceIp"));
    assert!(has("aws:SecureTransport"));
    assert!(has("aws:MultiFactorAuthPresent"));
    assert!(has(r#""principal":"arn:"#), "principals by ARN");
    assert!(has("-replica"), "other buckets");
    assert!(
        has(":999999999999:") || has(":111122223333:"),
        "other accounts"
    );
    assert!(has(":us-east-1:") || has(":eu-west-1:"), "other regions");
    assert!(has("/CallRecordings/2024/05/01/c-"), "fresh object keys");
}

#[test]
fn golden_first_rows() {
    let text = String::from_utf8(gen(8, 7, "jsonl")).unwrap();
    insta::assert_snapshot!("jsonl_seed_7", text);
}

#[test]
fn output_file_and_bad_scenario() {
    let dir = std::env::temp_dir().join(format!("iamsim-gen-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rows.jsonl");
    let (code, out, err) = iamsim(
        &[
            "gen",
            "--scenario",
            SCENARIO,
            "--count",
            "50",
            "--output",
            path.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!((code, out.len()), (0, 0), "{err}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        gen(50, 1, "jsonl"),
        "default seed is 1"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let (code, _, err) = iamsim(
        &[
            "gen",
            "--scenario",
            "fixtures/connect/nope.json",
            "--count",
            "1",
        ],
        b"",
    );
    assert_eq!(code, 2);
    assert!(err.contains("nope.json"), "{err}");
}
