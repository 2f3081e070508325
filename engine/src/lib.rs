//! iamsim-engine: AWS IAM policy evaluation, offline.
//!
//! Give it the policies in force (identity, resource, permissions boundary, session,
//! SCPs, RCPs) and a request (caller, action, resource, context keys); it answers
//! with the decision AWS would reach — `allowed`, `explicitDeny` or `implicitDeny` —
//! and why: the deciding statements with their file, line:column and JSON Pointer,
//! the layer that blocked, and the context keys the conditions wanted but the
//! request lacked. No network, no AWS account, no file I/O, no printing.
//!
//! # The flow
//!
//! Data flows one way; each step is one module that owns its types, and each module
//! imports only from the steps before it (a unit test checks this):
//!
//! ```text
//! policy JSON ──parse──▶ typed model ──compile──▶ compiled set + index ──evaluate──▶ Response
//!  (positions)          (Policy, Statement,      (pattern buckets,          (Decision + why:
//!                         Location)               typed condition values)    statements, reasons)
//! ```
//!
//! 0. [`source`]: text → JSON tree with the line:column of every value; [`Location`].
//!    Beside it, internal leaf utilities (string hashing and maps, ARN splitting).
//! 1. [`model`]: JSON → [`Policy`] (statements, effect, principals, conditions), shape
//!    checked against the IAM policy grammar ([`PolicyError`]).
//! 2. [`request`]: [`Request`] and [`Context`], normalised once when built.
//! 3. patterns (internal): the IAM wildcard language, policy variables, action and ARN
//!    patterns, and pattern sets sorted into buckets.
//! 4. conditions (internal): one typed, compiled test per condition operator family.
//! 5. [`decision`]: [`Decision`], [`Response`], [`DecisionReason`], [`Layer`].
//! 6. compile: [`PolicySet`] → [`CompiledPolicySet`] ([`CompileError`],
//!    [`PolicyWarning`]): patterns bucketed, condition values typed, statements indexed
//!    by service. Built once, `Send + Sync`.
//! 7. evaluate: [`CompiledPolicySet::evaluate`], the fast path, infallible, returns a
//!    [`Response`].
//! 8. [`explain`]: [`CompiledPolicySet::explain`] visits every statement and returns an
//!    [`Explanation`] with the same decision; [`render_text`] prints it, and
//!    [`ResponseJson`] / [`ExplanationJson`] are their JSON forms.
//!
//! # Semantics in brief
//!
//! An applying Deny in any layer decides (`explicitDeny`). Otherwise every SCP level,
//! the permissions boundary and the session policy must allow, and the identity
//! policies or the resource policy must grant — which of them is enough depends on
//! the account of caller and resource and on how the resource policy's `Principal`
//! named the caller. Anything else is an `implicitDeny`. Action names and condition
//! keys compare ignoring case; `*` and `?` are the only wildcards; policy variables
//! are substituted as literal text. `docs/SEMANTICS.md` in the repository states the
//! rules in full, with the AWS documentation each one follows.
//!
//! # Example
//!
//! ```
//! use iamsim_engine::{
//!     render_text, CompiledPolicySet, Decision, Policy, PolicyKind, PolicySet, Request,
//! };
//!
//! let identity = Policy::parse(
//!     r#"{"Version":"2012-10-17","Statement":[{"Sid":"ReadData","Effect":"Allow",
//!         "Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-data/*"}]}"#,
//!     PolicyKind::Identity,
//!     "alice.json",
//! )?;
//! let bucket = Policy::parse(
//!     r#"{"Version":"2012-10-17","Statement":[{"Sid":"OnlyFromTheOffice","Effect":"Deny",
//!         "Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::acme-data/*",
//!         "Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#,
//!     PolicyKind::Resource,
//!     "bucket.json",
//! )?;
//! let set = CompiledPolicySet::compile(&PolicySet {
//!     identity: vec![identity],
//!     resource: Some(bucket),
//!     ..PolicySet::default()
//! })?;
//!
//! let mut request = Request::new(
//!     "arn:aws:iam::123456789012:user/alice",
//!     "s3:GetObject",
//!     "arn:aws:s3:::acme-data/report.csv",
//! );
//! request.context_mut().insert_str("aws:SourceIp", "203.0.113.7");
//! let response = set.evaluate(&request);
//! assert_eq!(response.decision, Decision::Allowed);
//!
//! request.context_mut().insert_str("aws:SourceIp", "198.51.100.1");
//! let response = set.evaluate(&request);
//! assert_eq!(response.decision, Decision::ExplicitDeny);
//! assert_eq!(
//!     response.to_json_form(&set).deciding,
//!     ["OnlyFromTheOffice (bucket.json:1:38)"]
//! );
//!
//! // The long form: every statement of every layer, with each condition's outcome.
//! let explanation = set.explain(&request);
//! assert_eq!(explanation.response.decision, response.decision);
//! let text = render_text(&set, &request, &explanation);
//! assert!(text.starts_with("decision: explicitDeny\n"));
//! # Ok::<(), iamsim_engine::Error>(())
//! ```
//!
//! # Performance
//!
//! Compile once, evaluate many. [`CompiledPolicySet::compile`] does all the work that
//! depends only on the policies: `Action` and `Resource` lists are sorted into buckets
//! the way ripgrep's `globset` does (any `*`, exact, literal prefix, literal suffix,
//! and a general bucket that alone runs the wildcard matcher), statements are indexed
//! by service, action names and condition keys are lower-cased, and condition values
//! are typed (numbers, dates, CIDR ranges, ARNs). [`Request::new`] normalises the
//! request once (lower-cased action, service prefix, split resource ARN, caller kind).
//! [`CompiledPolicySet::evaluate`] then allocates nothing unless the [`Response`] has
//! something to report (missing keys, diagnostics); a [`Request`] and its [`Context`]
//! can be refilled in place for the next one, reusing their buffers. On the flagship
//! Connect scenario one evaluation costs about 800–1,300 instructions, 50–85 ns on
//! the 2-core VM the benchmarks ran on; `benches/` in the repository has the figures.
//! A [`CompiledPolicySet`] is immutable and `Send + Sync`: share it between threads.
//! [`CompiledPolicySet::explain`] visits every statement and allocates its trace;
//! use it for the answers a person reads, not in a loop over millions of requests.
//!
//! # Untrusted input
//!
//! Policies and requests may come from people you do not trust. In the spirit of the
//! `regex` crate's guarantees, no input can make the engine panic, recurse without
//! bound or backtrack exponentially:
//!
//! * **No panics.** Parsing and compiling return errors ([`Error`]); evaluation is
//!   infallible — a value that cannot be compared makes its condition not match and
//!   leaves a diagnostic. The crate has no `unsafe` code and denies
//!   `unwrap`/`expect`/`panic!` outside tests.
//! * **Bounded nesting.** The JSON reader is a recursive-descent parser with a depth
//!   limit ([`source::json::JsonLimits`], 128 levels by default), so hostile nesting is
//!   an error, not a stack overflow. Duplicate member names are errors, as in IAM.
//! * **No regex built from policy text.** IAM wildcards are matched by a small
//!   iterative matcher with two operators (`*`, `?`): it backs up only to the most
//!   recent `*`, never recurses, and runs in O(pattern × text) in the worst case and
//!   close to linear in practice — `*a*a*a*…b` against ten thousand characters stays
//!   fast. `?` is one character, not one byte.
//! * **Linear work per request.** Evaluating touches each candidate statement once;
//!   condition values were typed at compile time, so a request value is parsed at
//!   most once per comparison and never re-parses policy text.
//! * **What is not limited.** Input size: parsed policies and their compiled form
//!   stay in memory, in proportion to the text, so cap the size of documents you
//!   accept (AWS's own quotas are 6,144 characters for a managed policy, 20,480 for
//!   an S3 bucket policy, 5,120 for an SCP; [`PolicyWarningKind::OverAwsSizeQuota`]
//!   flags larger ones). Hash tables use a fast hash that is not DoS-resistant:
//!   crafted keys can slow lookups, never change answers.
//!
//! # Stability
//!
//! The items at the crate root and the documented modules ([`source`], [`model`],
//! [`request`], [`decision`], [`explain`]) are the API. The tokenizer, matcher and
//! compiled conditions are reachable only through the hidden `internal` module (and,
//! until iamsim's own crates move to it, their old hidden paths), for iamsim's own
//! crates, tests, benches and fuzzing; they may change at any time.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// The engine never aborts a caller: no unwrap/expect/panic outside tests.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The rooms, in the order of the flow: each may import only from rooms above it
// (checked by the `layering` test). Public rooms are documented API; `pattern` and
// `condition` are public only for the old paths `iamsim_engine::pattern::…` and
// `iamsim_engine::condition::…` (use `internal::` instead; to be made private).

// 0. JSON with positions, Location.
pub mod source;
// 0. String hashing and maps, ARN splitting.
mod util;
// 1. The typed policy and its parser.
pub mod model;
// 2. Request, Context, Caller.
pub mod request;
// 3. The wildcard language, pieces, action/ARN patterns, pattern sets.
#[doc(hidden)]
pub mod pattern;
// 4. Typed, compiled conditions.
#[doc(hidden)]
pub mod condition;
// 5. Decision, Response, reasons.
pub mod decision;
// 6. CompiledPolicySet, service index, lint warnings.
mod compile;
// 7. The fast path and the combining rule.
mod eval;
// 8. The explanation and its text and JSON renderings.
pub mod explain;

// Last: re-export shims for iamsim's own crates.
#[doc(hidden)]
pub mod internal;

pub use compile::{
    ArnPatternWarning, CompileError, CompileErrorKind, CompiledPolicySet, PolicyInfo, PolicySet,
    PolicyWarning, PolicyWarningKind, SizeQuota, StatementInfo,
};
pub use decision::{Decision, DecisionReason, FixedOutcome, Layer, Response, StatementRef};
pub use explain::{render_text, Explanation, ExplanationJson, ResponseJson};
pub use model::{Effect, Policy, PolicyError, PolicyKind, Statement};
pub use request::{Context, ContextValue, Request};
pub use source::Location;

/// Any error of the parse and compile steps, for callers that treat them alike.
///
/// Each variant names where the problem is ([`Error::location`]); the message is
/// `source:line:col: /json/pointer: what is wrong`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A policy document that is not JSON or does not follow the policy grammar.
    #[error(transparent)]
    Parse(#[from] PolicyError),
    /// A policy set whose policies parsed but cannot be compiled.
    #[error(transparent)]
    Compile(#[from] CompileError),
}

impl Error {
    /// Where the offending element is.
    pub fn location(&self) -> Location {
        match self {
            Error::Parse(e) => e.location(),
            Error::Compile(e) => e.location.clone(),
        }
    }
}

#[cfg(test)]
mod layering;
