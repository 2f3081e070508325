//! Writers: every format a command prints — decision rows (JSON Lines, CSV), check
//! reports (text, JSON Lines, GitHub annotations, JUnit), the matrix (text,
//! Markdown, CSV, JSON, HTML), bench figures, generated requests — and warnings.

pub mod bench;
pub mod check;
pub mod decisions;
pub mod diff;
mod diff_html;
pub mod escape;
pub mod lint;
pub mod matrix;
pub mod missing_context;
pub mod requests;

/// Prints warnings about policies on standard error, one `iamsim: warning: …` line
/// each. They never change a decision.
pub fn print_warnings<W: std::fmt::Display>(warnings: &[W]) {
    for w in warnings {
        eprintln!("iamsim: warning: {w}");
    }
}

/// Under `--strict`, warnings fail the run (exit 1): says so on stderr and returns
/// whether they did.
pub fn strict_failure(strict: bool, warnings: usize) -> bool {
    if strict && warnings > 0 {
        eprintln!(
            "iamsim: --strict: {warnings} warning{} (each fails the run)",
            if warnings == 1 { "" } else { "s" }
        );
        true
    } else {
        false
    }
}
