//! Not a stable API: for iamsim's own crates, tests, benches and fuzzing only.
//!
//! The tokenizer, the wildcard matcher, the compiled conditions and the JSON reader
//! are reachable here so that the CLI, the reference evaluator, the pattern oracle
//! and the fuzz targets can test them directly. Anything here may change or vanish
//! in any release; library users use the items at the crate root.

/// The JSON reader with positions (old path `iamsim_engine::json`).
pub mod json {
    pub use crate::source::json::*;
}

/// Policy text → pieces (old path `iamsim_engine::variables`).
pub mod variables {
    pub use crate::pattern::pieces::*;
}

pub use crate::condition;
pub use crate::pattern;
