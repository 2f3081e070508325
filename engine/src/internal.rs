//! Not a stable API: for iamsim's own crates, tests, benches and fuzzing only.
//!
//! The tokenizer, the wildcard matcher, the compiled conditions and the JSON reader
//! are reachable here so that the CLI, the reference evaluator, the pattern oracle
//! and the fuzz targets can test them directly. Anything here may change or vanish
//! in any release; library users use the items at the crate root.

/// The compiled conditions, one typed test per operator family.
pub use crate::condition;
/// The IAM wildcard language: pieces and variables, the matcher, action and ARN
/// patterns, pattern sets.
pub use crate::pattern;
