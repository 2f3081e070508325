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

/// Writes a report to `-o FILE` when given (buffered; a failure to create or write
/// it names the file), else to `out`. Returns the file's path when one was written,
/// for the command's one-line note on stderr.
pub fn write_output<'p>(
    path: Option<&'p std::path::Path>,
    out: &mut dyn std::io::Write,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<Option<&'p std::path::Path>, crate::error::CliError> {
    use std::io::Write as _;
    let Some(path) = path else {
        write(out)?;
        return Ok(None);
    };
    let create = |e| crate::error::CliError::Create {
        path: path.to_path_buf(),
        source: e,
    };
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).map_err(create)?);
    write(&mut w).map_err(create)?;
    w.flush().map_err(create)?;
    Ok(Some(path))
}

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
