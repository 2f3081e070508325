//! One module per subcommand.

pub mod batch;
pub mod bench;
pub mod check;
pub mod eval;
pub mod gen;
pub mod matrix;

/// How a command finished, as the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything passed (exit 0).
    Success,
    /// Some case or row failed (exit 1).
    Failures,
    /// The input could not be used (exit 2).
    BadInput,
}

impl Outcome {
    /// The process exit code.
    pub fn code(self) -> i32 {
        match self {
            Outcome::Success => 0,
            Outcome::Failures => 1,
            Outcome::BadInput => 2,
        }
    }
}
