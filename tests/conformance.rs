//! The conformance corpus (`fixtures/conformance/cases.jsonl`, a copy of
//! `../shared/conformance/cases.jsonl`) run through every surface: the library fast
//! path, the explain path, the `iamsim check` binary and the naive reference
//! evaluator of the test kit. Every failure of every surface is collected and
//! reported at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use iamsim::cases::parse_case_file;
use iamsim_testkit::corpus::load_cases;
use iamsim_testkit::reference::reference_decision;
use std::collections::BTreeMap;
use std::process::Command;

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/conformance/cases.jsonl"
);
const SHARED_CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/conformance/cases.jsonl"
);

fn corpus() -> String {
    std::fs::read_to_string(CASES).unwrap_or_else(|e| panic!("{CASES}: {e}"))
}

/// Guards against cases silently dropped by the reader (a blank or merged line).
#[test]
fn corpus_has_one_case_per_line() {
    let text = corpus();
    let lines = text.lines().count();
    let cases = parse_case_file(&text, CASES);
    assert_eq!(cases.len(), lines, "cases read vs lines in {CASES}");
    let unreadable: Vec<String> = cases
        .iter()
        .filter_map(|c| c.as_ref().err().map(|e| e.to_string()))
        .collect();
    assert!(
        unreadable.is_empty(),
        "unreadable cases:\n{}",
        unreadable.join("\n")
    );
    assert_eq!(load_cases(&text, CASES).len(), lines, "reference loader");
    // The corpus only grows (it is refreshed from ../shared); fewer cases means a
    // truncated copy.
    assert!(lines >= 339, "the corpus shrank to {lines} cases");
}

/// The project's copy must not drift from the shared corpus (skipped when the shared
/// directory is not checked out next to this repository).
#[test]
fn corpus_is_the_shared_corpus() {
    let Ok(shared) = std::fs::read(SHARED_CASES) else {
        eprintln!("skipped: {SHARED_CASES} not present");
        return;
    };
    let ours = std::fs::read(CASES).unwrap_or_else(|e| panic!("{CASES}: {e}"));
    assert!(
        ours == shared,
        "{CASES} differs from {SHARED_CASES}; copy the shared corpus over"
    );
}

const SEMANTICS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/SEMANTICS.md");
const SHARED_SEMANTICS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/SEMANTICS.md");

/// The project's copy of the specification must not drift from the shared one
/// (skipped when the shared directory is not checked out next to this repository).
#[test]
fn semantics_is_the_shared_semantics() {
    let Ok(shared) = std::fs::read(SHARED_SEMANTICS) else {
        eprintln!("skipped: {SHARED_SEMANTICS} not present");
        return;
    };
    let ours = std::fs::read(SEMANTICS).unwrap_or_else(|e| panic!("{SEMANTICS}: {e}"));
    assert!(
        ours == shared,
        "{SEMANTICS} differs from {SHARED_SEMANTICS}; copy the shared specification over"
    );
}

/// Every case on every surface: fast path, explain path, CLI, reference evaluator.
#[test]
fn every_surface_reaches_the_expected_decision() {
    let text = corpus();
    let mut failures: Vec<String> = Vec::new();
    let mut fail = |id: &str, surface: &str, got: &str, expected: &str| {
        failures.push(format!("{id}: {surface}: got {got}, expected {expected}"))
    };

    // (a) + (b) the library: fast path and explain path.
    let cases: Vec<_> = parse_case_file(&text, CASES)
        .into_iter()
        .map(|c| c.unwrap_or_else(|e| panic!("{e}")))
        .collect();
    for case in &cases {
        let expected = case.expect.as_str();
        let set = match &case.policies {
            Ok(set) => set,
            Err(e) => {
                fail(&case.id, "library", &format!("error ({e})"), expected);
                continue;
            }
        };
        let fast = set.evaluate(&case.request).decision;
        let explained = set.explain(&case.request).response.decision;
        if fast != case.expect {
            fail(&case.id, "evaluate", fast.as_str(), expected);
        }
        if explained != case.expect {
            fail(&case.id, "explain", explained.as_str(), expected);
        }
        if explained != fast {
            fail(
                &case.id,
                "explain vs evaluate",
                explained.as_str(),
                fast.as_str(),
            );
        }
    }

    // (d) the reference evaluator, on the very same `Request` values.
    let ref_cases = load_cases(&text, CASES);
    assert_eq!(
        ref_cases.len(),
        cases.len(),
        "reference loader vs case reader"
    );
    for (rc, case) in ref_cases.iter().zip(&cases) {
        assert_eq!(
            rc.id, case.id,
            "reference loader and case reader disagree on order"
        );
        assert_eq!(rc.request.to_request(), case.request, "{}: request", rc.id);
        let expected = rc.expect.as_str();
        match &rc.policies {
            Ok(policies) => {
                let got = reference_decision(policies, &case.request);
                if got != rc.expect {
                    fail(&rc.id, "reference", got.as_str(), expected);
                }
            }
            Err(e) => fail(&rc.id, "reference", &format!("error ({e})"), expected),
        }
    }

    // (c) the binary.
    let out = Command::new(env!("CARGO_BIN_EXE_iamsim"))
        .args(["check", CASES, "--format", "jsonl"])
        .output()
        .expect("run iamsim");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.code() != Some(0) {
        fail(
            "(all)",
            "cli exit status",
            &format!("{:?}", out.status.code()),
            "Some(0)",
        );
    }
    let mut reported: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(v) => {
                let id = v["id"].as_str().unwrap_or("(no id)").to_owned();
                if reported.insert(id.clone(), v).is_some() {
                    fail(&id, "cli", "reported twice", "once");
                }
            }
            Err(e) => fail(
                "(line)",
                "cli",
                &format!("unparseable `{line}`: {e}"),
                "JSON",
            ),
        }
    }
    for case in &cases {
        let expected = case.expect.as_str();
        match reported.remove(&case.id) {
            None => fail(&case.id, "cli", "missing from output", expected),
            Some(v) => {
                let decision = v["decision"].as_str().unwrap_or("(none)");
                if decision != expected || v["expect"] != expected || v["pass"] != true {
                    fail(&case.id, "cli", &v.to_string(), expected);
                }
            }
        }
    }
    for id in reported.keys() {
        fail(id, "cli", "reported", "not in the corpus");
    }

    assert!(
        failures.is_empty(),
        "{} failure(s) over {} cases:\n{}\n(cli stderr: {})",
        failures.len(),
        cases.len(),
        failures.join("\n"),
        String::from_utf8_lossy(&out.stderr).trim()
    );
}
