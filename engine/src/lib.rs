//! iamsim-engine: AWS IAM policy evaluation, offline.
//!
//! Data flows one way, one module per step:
//!
//! ```text
//! policy JSON ──parse──▶ typed model ──compile──▶ compiled set + index ──evaluate──▶ Response
//! ```

#![forbid(unsafe_code)]

pub mod condition;
pub mod pattern;
pub mod request;
pub mod variables;
