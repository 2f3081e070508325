//! The one error type of the command line, and how a command finished. Commands
//! return [`CliError`] for input they cannot use at all; `main` prints it, once, as
//! `iamsim: <message>` and exits 2.

use iamsim_scenario::{InputError, ScenarioError};
use std::path::PathBuf;

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

/// Input a command cannot use at all (exit 2). Every message already names its file
/// and, where it has one, line:column and JSON Pointer.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A file that cannot be read, is too large or is not UTF-8.
    #[error("{0}")]
    Input(#[from] InputError),
    /// A scenario that cannot be loaded.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// Arguments that do not fit the input (a `--principal` the scenario lacks, …).
    #[error("{0}")]
    Usage(String),
    /// Input that was read but cannot be used (an invalid policy, a bad table header).
    #[error("{0}")]
    Invalid(String),
    /// An input file that cannot be opened.
    #[error("{}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An output file that cannot be created or written.
    #[error("cannot write `{}`: {source}", path.display())]
    Create {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Writing the output stream failed (a closed pipe is not reported).
    #[error("{0}")]
    Write(#[from] std::io::Error),
}
