//! iamsim-scenario: the world iamsim evaluates in, and evaluation in bulk.
//!
//! A [`Scenario`] is a whole account world — principals with their policies,
//! resources with their resource policies and tags, the organization's SCP and RCP
//! levels, Connect instances with agent hierarchies, named action sets — loaded from
//! JSON or YAML once and compiled once per (principal, resource) pair. It turns a
//! request row (principal *name*, action, resource, explicit context) into the
//! engine [`Request`](iamsim_engine::Request) AWS would evaluate, with the context
//! AWS would supply (`aws:userid`, `aws:PrincipalArn`, tags, Connect hierarchy keys).
//!
//! ```text
//! scenario file ──load──▶ Scenario (compiled sets) ──prepare──▶ Request ──evaluate──▶ Response
//!                                   rows ──BatchEvaluator (parallel, in order)──▶ Responses
//! ```
//!
//! Modules, in the order data flows through them:
//!
//! * [`files`]: reading input files with size limits and located UTF-8 errors;
//! * [`yaml`]: YAML 1.2 documents as the same positioned JSON tree the engine reads;
//! * [`world`] (re-exported here): the scenario model, its loader and derived context;
//! * [`cases`]: self-contained conformance cases (policies + request + expectation);
//! * [`batch`]: the batch evaluator API (rows in, responses out, in order, parallel);
//! * [`source`]: where a scenario's files are read from (disk, replaced, a git revision);
//! * [`generate`]: deterministic request rows over a scenario, for benchmarks;
//! * [`diff`]: what changes between two versions of a world, request by request;
//! * [`suggest`]: "did you mean" ordering for messages.
//!
//! No command-line parsing, no printing: warnings are returned
//! ([`Scenario::warnings`]) for the caller to show.

#![deny(missing_docs)]

pub mod batch;
pub mod cases;
pub mod diff;
pub mod files;
pub mod generate;
pub mod lint;
#[doc(hidden)]
pub mod scan;
pub mod source;
pub mod suggest;
pub mod warning;
pub mod world;
pub mod yaml;

pub use batch::{BatchEvaluator, Evaluated, Lane, RowContext, RowRef};
pub use cases::{Case, CaseError};
pub use files::InputError;
pub use warning::Warning;
pub use world::{
    caller_context, ConnectInstance, ConnectUser, MatrixTarget, PreparedRequests, PrincipalKind,
    RequestRow, RowError, Scenario, ScenarioError, ScenarioPrincipal, ScenarioResource,
    UnknownAction, UnknownPrincipal,
};
