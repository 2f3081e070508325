//! The action catalog a command checks actions against: the pinned one, plus the
//! user's `--catalog-overlay FILE` (same schema as `catalog/data/overlay.json`) for
//! actions AWS shipped after the pin.

use crate::error::CliError;
use iamsim_catalog::Catalog;
use iamsim_scenario::files::{read_text, DEFAULT_MAX_POLICY_BYTES};
use std::path::Path;

/// The catalog, with `overlay` merged in when given. Lives for the whole process.
pub fn load_catalog(overlay: Option<&Path>) -> Result<&'static Catalog, CliError> {
    let builtin = Catalog::builtin();
    let Some(path) = overlay else {
        return Ok(builtin);
    };
    let text = read_text(path, DEFAULT_MAX_POLICY_BYTES * 16)?;
    let merged = builtin
        .with_overlay(&path.display().to_string(), &text)
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    // One catalog per run, read before any row: leaking it gives every lane a plain
    // reference for the rest of the process.
    Ok(Box::leak(Box::new(merged)))
}
