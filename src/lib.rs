//! The `iamsim` command line, as a library so the integration tests drive exactly
//! what the binary runs. Every command is thin over `iamsim-engine`: files are read
//! here, evaluated there, and reported here.

pub mod cases;
pub mod commands;
pub mod input;
pub mod rows;
mod scan;
pub mod scenario;
pub mod yaml;
