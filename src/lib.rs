//! The `iamsim` command line, as a library so the integration tests drive exactly
//! what the binary runs. Three layers, data flowing one way:
//!
//! * [`input`]: readers (tables, request streams, policy files, context arguments);
//! * [`commands`]: one module per subcommand, arguments + run, thin over
//!   `iamsim-engine` (the policy language) and `iamsim-scenario` (the world and the
//!   batch evaluator); commands never import each other;
//! * [`report`]: writers for every output format.
//!
//! [`error::CliError`] is the one error type; `main` prints it once.

pub mod commands;
pub mod error;
pub mod input;
pub mod report;

pub use error::{CliError, Outcome};
