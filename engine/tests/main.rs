//! The engine's one integration test binary: each former test file is a module here.
//! Run one module with `cargo test -p iamsim-engine --test engine <module>::`.
//!
//! The generated tests draw from the `iamsim-testkit` dev-dependency (the regex
//! oracle and the seeded generator).

mod operators;
mod pattern_oracle;
