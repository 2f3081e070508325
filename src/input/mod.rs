//! Readers: everything the commands read besides scenarios and case files (which the
//! scenario crate reads) — expectation tables, request streams, policy files named
//! by flags, `key=value` context arguments.

pub mod catalog;
pub mod context_arg;
pub mod policies;
pub mod rows;
pub mod sources;
pub mod stream;
pub mod table;

/// A row format, for input and output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RowFormat {
    /// JSON Lines: one JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

pub use iamsim_scenario::suggest::nearest;
