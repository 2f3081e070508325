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

// The rooms, in the order of the flow: each may import only from rooms above it
// (checked by the `layering` test below).
mod compile;
#[doc(hidden)]
pub mod condition;
pub mod decision;
mod eval;
pub mod explain;
pub mod model;
#[doc(hidden)]
pub mod pattern;
pub mod request;
pub mod source;
mod util;

#[doc(hidden)]
pub mod internal;

#[doc(hidden)]
pub use internal::{json, variables};

pub use compile::{CompileError, CompiledPolicySet, PolicySet, PolicyWarning, PolicyWarningKind};
pub use decision::{Decision, Response};

#[cfg(test)]
mod layering;
