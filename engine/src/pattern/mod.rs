//! Step 3, policy strings → compiled matchers (after the request, before conditions).
//! The IAM wildcard language (`*` and `?`) for `Action`/`NotAction`,
//! `Resource`/`NotResource` and the ARN and `StringLike` condition operators, plus
//! pattern sets sorted into buckets the way ripgrep's `globset` does, so that a
//! request is matched without re-reading policy text.
//!
//! * [`pieces`]: policy text → [`Piece`]s (literals, `*`, `?`, policy variables).
//! * [`glob`]: the anchored, iterative matcher over pieces.
//! * [`action`]: [`ActionPattern`], `service:name` with the name matched ignoring case.
//! * [`arn`]: [`ArnPattern`], the segment-aware ARN matcher (SEMANTICS §5, §7.6.8).
//! * `buckets`: globs sorted into any/exact/prefix/suffix/general buckets.
//! * [`ActionPatternSet`] and [`ResourcePatternSet`]: one lookup per list.
//!
//! Not a stable API: public only so that iamsim's own crates, tests and fuzzing can
//! reach the matcher (see [`crate::internal`]).
//!
//! ```
//! use iamsim_engine::internal::pattern::glob::glob_match_str;
//! assert!(glob_match_str("arn:aws:s3:::acme-data/*", "arn:aws:s3:::acme-data/a/b.txt"));
//! assert!(!glob_match_str("arn:aws:s3:::acme", "arn:aws:s3:::acme-dev"));
//! ```

pub mod action;
mod action_set;
pub mod arn;
pub(crate) mod buckets;
pub mod glob;
pub mod pieces;
mod resource_set;

pub use crate::util::arn::split_arn;
pub use action::{ActionPattern, ActionPatternError};
pub use action_set::ActionPatternSet;
pub use arn::{ArnPattern, ArnPatternWarning, VariableScope};
pub use glob::{glob_match, literal_equals};
pub use pieces::{Piece, Variable, Wildcards};
pub use resource_set::{ResourcePatternSet, SetMatch};
