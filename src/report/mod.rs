//! Writers: every format a command prints — decision rows (JSON Lines, CSV), check
//! reports (text, JSON Lines, GitHub annotations, JUnit), the matrix (text,
//! Markdown, CSV, JSON, HTML), bench figures, generated requests — and warnings.

pub mod bench;
pub mod check;
pub mod decisions;
pub mod escape;
pub mod matrix;
pub mod requests;

/// Prints warnings about policies on standard error, one `iamsim: warning: …` line
/// each. They never change a decision.
pub fn print_warnings(warnings: &[String]) {
    for w in warnings {
        eprintln!("iamsim: warning: {w}");
    }
}
