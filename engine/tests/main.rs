//! The engine's one integration test binary: each former test file is a module here.
//! Run one module with `cargo test -p iamsim-engine --test engine <module>::`.
//!
//! The modules draw from the `iamsim-testkit` dev-dependency: the regex oracle and the
//! seeded generator, the corpus and its surfaces.

mod condition_values;
mod conformance;
mod operators;
mod pattern_oracle;
