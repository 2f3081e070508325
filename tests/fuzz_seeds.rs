//! The fuzz targets' seed corpus, run deterministically: every file of
//! `fuzz/seeds/<target>/` goes through the same check function the cargo-fuzz target
//! calls (`iamsim_testkit::fuzz`). Crash inputs found by fuzzing are kept there as
//! `crash-*` files, so they fail here until the engine is fixed. How to run the
//! fuzzers themselves: `fuzz/README.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use iamsim_testkit::fuzz;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// Runs every seed of `target` through `check`; reports all failing seeds at once.
fn run_seeds(target: &str, check: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    let mut failures = Vec::new();
    for path in &files {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&data))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "(non-string panic)".to_owned());
            failures.push(format!("{}: {message}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} `{target}` seeds fail:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn parse_policy_seeds() {
    run_seeds("parse_policy", fuzz::check_parse_policy);
}

#[test]
fn wildcard_seeds() {
    run_seeds("wildcard", fuzz::check_wildcard);
}

#[test]
fn condition_seeds() {
    run_seeds("condition", fuzz::check_condition);
}

#[test]
fn case_seeds() {
    run_seeds("case", |data| fuzz::check_case(data, common::read_cases));
}
