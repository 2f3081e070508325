//! Step: policy strings → compiled matchers. The IAM wildcard language (`*` and `?`)
//! for `Action`/`NotAction`, `Resource`/`NotResource` and the ARN and `StringLike`
//! condition operators, plus pattern sets sorted into buckets the way ripgrep's
//! `globset` does, so that a request is matched without re-reading policy text.
//!
//! * [`glob`]: the anchored, iterative matcher over [`Piece`](crate::variables::Piece)s.
//! * [`action`]: [`ActionPattern`], `service:name` with the name matched ignoring case.
//! * [`arn`]: [`ArnPattern`], the segment-aware ARN matcher (SEMANTICS §5, §7.6.8).
//! * [`set`]: [`ActionPatternSet`] and [`ResourcePatternSet`], one lookup per list.
//!
//! ```
//! use iamsim_engine::pattern::glob::glob_match_str;
//! assert!(glob_match_str("arn:aws:s3:::acme-data/*", "arn:aws:s3:::acme-data/a/b.txt"));
//! assert!(!glob_match_str("arn:aws:s3:::acme", "arn:aws:s3:::acme-dev"));
//! ```

pub mod action;
pub mod arn;
pub mod glob;
pub mod set;

pub use action::{ActionPattern, ActionPatternError};
pub use arn::{split_arn, ArnPattern, ArnPatternWarning, VariableScope};
pub use glob::{glob_match, literal_equals};
pub use set::{ActionPatternSet, ResourcePatternSet, SetMatch};
