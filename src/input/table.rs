//! Expectation tables: CSV, JSON Lines or YAML, by the file's extension.

use super::rows::{parse_jsonl_row, parse_yaml_rows, CsvRows, Row, RowParseError};
use std::path::Path;

/// The formats an expectation table can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// CSV with a header (`.csv`).
    Csv,
    /// One JSON object per line (any other extension).
    JsonLines,
    /// One YAML document, a sequence of row mappings (`.yaml`, `.yml`).
    Yaml,
}

impl TableFormat {
    /// The format a file's extension (any case) says: `.csv`, `.yaml`/`.yml`, else
    /// JSON Lines.
    pub fn of_path(path: &Path) -> TableFormat {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("csv") => TableFormat::Csv,
            Some("yaml" | "yml") => TableFormat::Yaml,
            _ => TableFormat::JsonLines,
        }
    }

    /// `CSV`, `JSON Lines` or `YAML`, for messages.
    pub fn name(self) -> &'static str {
        match self {
            TableFormat::Csv => "CSV",
            TableFormat::JsonLines => "JSON Lines",
            TableFormat::Yaml => "YAML",
        }
    }
}

/// Parses an expectation table. Malformed rows are kept as errors; `Err` only when the
/// table as a whole is unusable (bad CSV header, no `expect` column, a YAML document
/// that does not parse or is not a sequence of rows).
pub fn read_table(
    text: &str,
    source: &str,
    format: TableFormat,
) -> Result<Vec<Result<Row, RowParseError>>, String> {
    match format {
        TableFormat::Csv => {
            let rows = CsvRows::new(text.as_bytes(), source).map_err(|e| e.message)?;
            if !rows.has_expect() {
                return Err(format!(
                    "{source}:1: the CSV header has no `expect` column (an expectation table \
                     must say what each row expects; to evaluate requests without \
                     expectations use `iamsim batch`)"
                ));
            }
            Ok(rows.collect())
        }
        TableFormat::Yaml => parse_yaml_rows(text, source),
        TableFormat::JsonLines => {
            let mut rows = Vec::new();
            for (i, line) in text.lines().enumerate() {
                let line = if i == 0 {
                    line.trim_start_matches('\u{feff}')
                } else {
                    line
                };
                if line.trim().is_empty() {
                    continue;
                }
                rows.push(parse_jsonl_row(line, i as u32 + 1, source));
            }
            Ok(rows)
        }
    }
}
