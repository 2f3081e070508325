//! The conformance corpus (`fixtures/conformance/cases.jsonl`, a copy of
//! `../shared/conformance/cases.jsonl`) run through every surface of the test kit
//! (`iamsim_testkit::surface`): the library fast path, the explain path, the
//! `iamsim check` binary and the naive reference evaluator. Every failure of every
//! surface is collected and reported at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use iamsim_scenario::cases::parse_case_file;
use iamsim_testkit::corpus::{load_cases, ReadCase};
use iamsim_testkit::surface::{assert_surfaces, Cli, Corpus, Library, Reference};
use std::path::Path;
use std::sync::Arc;

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
    every_surface_on(CASES);
}

/// The project's own cases for SEMANTICS v2 (§9.4a who SCPs restrict, §9.8 outcomes
/// fixed by the service, §9.3a RCP service scope), on the same four surfaces.
#[test]
fn every_surface_on_the_projects_own_cases() {
    every_surface_on(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/cases/fidelity-v2.jsonl"
    ));
}

fn every_surface_on(path: &str) {
    let corpus = Corpus::load(Path::new(path));
    // The library surfaces take the cases as the CLI's case reader reads them; the
    // reference loader must read the very same requests, in the same order.
    let read: Vec<ReadCase> = common::read_cases(&corpus.text, path)
        .into_iter()
        .map(|c| c.unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert_eq!(
        corpus.cases.len(),
        read.len(),
        "reference loader vs case reader"
    );
    for (rc, case) in corpus.cases.iter().zip(&read) {
        assert_eq!(
            rc.id, case.id,
            "reference loader and case reader disagree on order"
        );
        assert_eq!(rc.request.to_request(), case.request, "{}: request", rc.id);
    }
    let read = Arc::new(read);
    assert_surfaces(
        &corpus,
        &[
            &Library::evaluate(read.clone()),
            &Library::explain(read),
            &Cli::new(env!("CARGO_BIN_EXE_iamsim")),
            &Reference,
        ],
    );
}

/// The project's own cases for condition values a policy holds that cannot be read
/// as their operator's type (SEMANTICS §7.6: the comparison is false, a negated
/// operator holds) and for `ForAnyValue:…IfExists` on an absent key (§11.13), on the
/// same four surfaces.
#[test]
fn every_surface_on_the_condition_value_cases() {
    every_surface_on(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/cases/condition-values.jsonl"
    ));
}
