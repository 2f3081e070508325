//! Table tests for condition operators: every row of every
//! `fixtures/operators/*.json` file goes through `ConditionOperator::parse`,
//! `CompiledCondition::compile` and `evaluate`; all failures are reported together.
//!
//! Row format (a JSON array of objects per file):
//!
//! ```json
//! { "operator": "StringEquals", "key": "aws:username", "values": ["alice"],
//!   "context": { "aws:username": "alice" }, "expect": true, "why": "…" }
//! ```
//!
//! * `values`: one value or an array; strings, numbers and booleans are passed as
//!   the matching `PolicyValue`.
//! * `context`: key → string | number | bool | array (a multivalued key); a missing
//!   key is absent. Numbers and booleans become their text, as in a request.
//! * `expect`: `true`/`false` for the outcome, or `"error"` when the operator name or a
//!   value must be rejected at compile time (an unknown operator, a `Null` value that
//!   is not a boolean, an empty list).
//! * optional `unreadable`: the indices of the values that cannot be read as the
//!   operator's type; they load and compare false (SEMANTICS 7.6). Default: none.
//! * optional `diagnostic`: the expected `ConditionDiagnostic` (its Rust name), or
//!   `null` for none; optional `variables` (default `true`): whether the policy has
//!   `Version` `2012-10-17`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use iamsim_engine::internal::condition::{CompiledCondition, ConditionOperator, PolicyValue};
use iamsim_engine::request::{Context, ContextValue};
use serde_json::Value;

/// Files that must exist, each with at least `MIN_ROWS` rows.
const REQUIRED_FILES: [&str; 11] = [
    "StringEquals.json",
    "StringLike.json",
    "Numeric.json",
    "Date.json",
    "Bool.json",
    "Binary.json",
    "IpAddress.json",
    "Arn.json",
    "Null.json",
    "SetQualifiers.json",
    "IfExists.json",
];
const MIN_ROWS: usize = 8;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/operators")
}

fn context_text(value: &Value) -> Result<Box<str>, String> {
    match value {
        Value::String(s) => Ok(s.as_str().into()),
        Value::Bool(b) => Ok(b.to_string().into()),
        Value::Number(n) => Ok(n.to_string().into()),
        other => Err(format!(
            "context value {other} is not a string, number or boolean"
        )),
    }
}

fn build_context(row: &Value) -> Result<Context, String> {
    let mut context = Context::new();
    let Some(entries) = row.get("context") else {
        return Ok(context);
    };
    let entries = entries.as_object().ok_or("`context` is not an object")?;
    for (key, value) in entries {
        let value = match value {
            Value::Array(items) => {
                ContextValue::Multi(items.iter().map(context_text).collect::<Result<_, _>>()?)
            }
            single => ContextValue::Single(context_text(single)?),
        };
        context.insert(key, value);
    }
    Ok(context)
}

/// Runs one row; `Err` describes how it failed.
fn run_row(row: &Value) -> Result<(), String> {
    let operator_name = row
        .get("operator")
        .and_then(Value::as_str)
        .ok_or("missing `operator`")?;
    let key = row
        .get("key")
        .and_then(Value::as_str)
        .ok_or("missing `key`")?;
    let variables = row
        .get("variables")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let raw_values = match row.get("values").ok_or("missing `values`")? {
        Value::Array(items) => items.clone(),
        single => vec![single.clone()],
    };
    let number_texts: Vec<String> = raw_values
        .iter()
        .map(|v| match v {
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        })
        .collect();
    let values = raw_values
        .iter()
        .zip(&number_texts)
        .map(|(v, number_text)| match v {
            Value::String(s) => Ok(PolicyValue::String(s)),
            Value::Number(_) => Ok(PolicyValue::Number(number_text)),
            Value::Bool(b) => Ok(PolicyValue::Bool(*b)),
            other => Err(format!(
                "policy value {other} is not a string, number or boolean"
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let context = build_context(row)?;
    let expect = row.get("expect").ok_or("missing `expect`")?;

    let compiled = ConditionOperator::parse(operator_name)
        .map_err(|e| e.to_string())
        .and_then(|op| {
            CompiledCondition::compile(op, key, &values, variables).map_err(|e| e.to_string())
        });
    let compiled = match (compiled, expect) {
        (Err(_), Value::String(s)) if s == "error" => return Ok(()),
        (Ok(_), Value::String(s)) if s == "error" => {
            return Err("compiled, but the row expects an error".into())
        }
        (Err(e), _) => return Err(format!("compile error: {e}")),
        (Ok(c), _) => c,
    };
    let expect = expect
        .as_bool()
        .ok_or("`expect` is not true, false or \"error\"")?;
    let outcome = compiled.evaluate(&context);
    let mut problems = Vec::new();
    let unreadable: Vec<usize> = compiled
        .unreadable_values()
        .iter()
        .map(|e| e.index)
        .collect();
    let want_unreadable: Vec<usize> = match row.get("unreadable") {
        None => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("`unreadable`: {e}"))?,
    };
    if unreadable != want_unreadable {
        problems.push(format!(
            "unreadable values {unreadable:?}, expected {want_unreadable:?}"
        ));
    }
    if outcome.matched != expect {
        problems.push(format!("matched = {}, expected {expect}", outcome.matched));
    }
    if let Some(expected) = row.get("diagnostic") {
        let got = outcome.diagnostic.map(|d| format!("{d:?}"));
        let want = expected.as_str().map(str::to_owned);
        if got != want {
            problems.push(format!("diagnostic = {got:?}, expected {want:?}"));
        }
    }
    if let Some(expected) = row.get("key_absent").and_then(Value::as_bool) {
        if outcome.key_absent != expected {
            problems.push(format!(
                "key_absent = {}, expected {expected}",
                outcome.key_absent
            ));
        }
    }
    if compiled.evaluate(&context) != outcome {
        problems.push("evaluate is not deterministic".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[test]
fn every_fixture_row() {
    let dir = fixtures_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();

    let mut failures = String::new();
    let mut rows_run = 0usize;
    for required in REQUIRED_FILES {
        if !files
            .iter()
            .any(|f| f.file_name().is_some_and(|n| n == required))
        {
            writeln!(failures, "{required}: missing").unwrap();
        }
    }
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(file).unwrap();
        let rows: Vec<Value> = match serde_json::from_str(&text) {
            Ok(Value::Array(rows)) => rows,
            Ok(_) => {
                writeln!(failures, "{name}: not a JSON array").unwrap();
                continue;
            }
            Err(e) => {
                writeln!(failures, "{name}: invalid JSON: {e}").unwrap();
                continue;
            }
        };
        if rows.len() < MIN_ROWS {
            writeln!(
                failures,
                "{name}: only {} rows (want at least {MIN_ROWS})",
                rows.len()
            )
            .unwrap();
        }
        for (index, row) in rows.iter().enumerate() {
            rows_run += 1;
            if let Err(problem) = run_row(row) {
                let why = row.get("why").and_then(Value::as_str).unwrap_or("");
                let operator = row.get("operator").and_then(Value::as_str).unwrap_or("?");
                writeln!(failures, "{name}[{index}] {operator} ({why}): {problem}").unwrap();
            }
        }
    }
    assert!(rows_run > 0, "no fixture rows found in {}", dir.display());
    assert!(
        failures.is_empty(),
        "operator fixture failures:\n{failures}"
    );
    eprintln!("{rows_run} operator fixture rows passed");
}
