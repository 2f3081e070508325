//! One module per subcommand: its arguments (clap) and its `run`. Commands read
//! through [`crate::input`], evaluate through the engine and scenario crates, and
//! write through [`crate::report`]; they never import each other.

pub mod actions;
pub mod batch;
pub mod bench;
pub mod check;
pub mod diff;
pub mod eval;
pub mod gen;
pub mod lint;
pub mod matrix;
