//! The root package's one integration test binary (as ripgrep has): each former test
//! file is a module here, so the suite links once. Run one module with
//! `cargo test --test integration <module>::`, e.g. `conformance::`.
//!
//! What the modules share: `common` (running the `iamsim` binary, the CLI's case
//! reader as the test kit's `CaseReader`) and the `iamsim-testkit` dev-dependency
//! (the regex oracle, the seeded generator, the reference evaluator, the corpus and
//! its surfaces).

mod common;

mod agreement;
mod bad_input;
mod batch;
mod case_file_blocks;
mod check;
mod conformance;
mod connect;
mod diff;
mod diff_properties;
mod fast_paths;
mod fuzz_seeds;
mod gen;
mod lint;
mod managed_sample;
mod matrix;
mod matrix_catalog;
mod properties;
mod scenario;
mod yaml;
