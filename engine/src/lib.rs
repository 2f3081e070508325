//! iamsim-engine: AWS IAM policy evaluation, offline.
//!
//! Data flows one way, one module per step:
//!
//! ```text
//! policy JSON ──parse──▶ typed model ──compile──▶ compiled set + index ──evaluate──▶ Response
//! ```

#![forbid(unsafe_code)]
// The engine never aborts a caller: no unwrap/expect/panic outside tests.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod compile;
pub mod condition;
pub mod decision;
pub mod eval;
pub mod explain;
pub mod json;
pub mod model;
pub mod pattern;
pub mod request;
pub mod variables;

pub use compile::{CompileError, CompiledPolicySet, PolicySet};
pub use decision::{Decision, Response};
