//! The principal × target × action matrix as reports show it, and its writers:
//! text and Markdown grids, CSV and JSON records, a self-contained HTML page.

mod html;
mod records;
mod text;

use iamsim_engine::{Decision, ResponseJson};
use std::io::Write;

/// A principal as the matrix shows it.
#[derive(Debug, Clone)]
pub struct PrincipalInfo {
    /// Scenario name.
    pub name: String,
    /// Kind (`user`, `role`, …).
    pub kind: &'static str,
    /// ARN.
    pub arn: String,
}

/// One evaluation.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The engine's JSON form of the response: decision, reason, deciding
    /// statements, blocking layer, missing keys.
    pub response: ResponseJson,
    /// The `render_text` trace (HTML only).
    pub trace: Option<String>,
}

/// One principal's cells on one target, one per action.
#[derive(Debug, Clone)]
pub struct GridRow {
    /// Index into [`Matrix::principals`].
    pub principal: usize,
    /// One cell per action of the target.
    pub cells: Vec<Cell>,
}

/// One target: its actions (columns) and the principals' rows.
#[derive(Debug, Clone)]
pub struct TargetGrid {
    /// Display name.
    pub name: String,
    /// ARN evaluated.
    pub arn: String,
    /// Column headings: the actions.
    pub actions: Vec<String>,
    /// One row per principal.
    pub rows: Vec<GridRow>,
}

/// Which cells carry their full trace in HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Traces {
    /// No traces.
    None,
    /// Allowed and explicitly denied cells only (the matrix is large).
    Decisive,
    /// Every cell.
    All,
}

/// The evaluated matrix, after filtering.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// The scenario's name.
    pub scenario: String,
    /// The selected principals.
    pub principals: Vec<PrincipalInfo>,
    /// One grid per target.
    pub targets: Vec<TargetGrid>,
    /// Only allowed cells are shown.
    pub allowed_only: bool,
    /// Which cells carry traces.
    pub traces: Traces,
    /// The action catalog's version (JSON and HTML name it).
    pub catalog: String,
}

impl Matrix {
    fn cells(&self) -> impl Iterator<Item = (&TargetGrid, &PrincipalInfo, &str, &Cell)> + '_ {
        self.targets.iter().flat_map(move |t| {
            t.rows.iter().flat_map(move |r| {
                t.actions
                    .iter()
                    .zip(&r.cells)
                    .map(move |(a, c)| (t, &self.principals[r.principal], a.as_str(), c))
            })
        })
    }

    /// How many principals have a row somewhere (fewer than selected with
    /// `--allowed-only`).
    fn shown_principals(&self) -> usize {
        let mut seen = vec![false; self.principals.len()];
        for t in &self.targets {
            for r in &t.rows {
                seen[r.principal] = true;
            }
        }
        seen.iter().filter(|s| **s).count()
    }

    /// (allowed, explicit deny, implicit deny) counts.
    pub fn counts(&self) -> [usize; 3] {
        let mut n = [0; 3];
        for (_, _, _, c) in self.cells() {
            n[decision_index(c.response.decision)] += 1;
        }
        n
    }

    /// Drops what has nothing allowed: cells' columns, rows, targets.
    pub fn keep_allowed_only(&mut self) {
        for t in &mut self.targets {
            let keep: Vec<bool> = (0..t.actions.len())
                .map(|i| {
                    t.rows
                        .iter()
                        .any(|r| r.cells[i].response.decision == Decision::Allowed)
                })
                .collect();
            retain_mask(&mut t.actions, &keep);
            for r in &mut t.rows {
                retain_mask(&mut r.cells, &keep);
            }
            t.rows.retain(|r| {
                r.cells
                    .iter()
                    .any(|c| c.response.decision == Decision::Allowed)
            });
        }
        self.targets.retain(|t| !t.rows.is_empty());
        self.allowed_only = true;
    }
}

/// Keeps the items whose flag is set.
fn retain_mask<T>(items: &mut Vec<T>, keep: &[bool]) {
    let mut flags = keep.iter();
    items.retain(|_| flags.next().copied().unwrap_or(false));
}

/// `1 principal`, `2 principals`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn decision_index(d: Decision) -> usize {
    match d {
        Decision::Allowed => 0,
        Decision::ExplicitDeny => 1,
        Decision::ImplicitDeny => 2,
    }
}

/// The formats a matrix is written in (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatrixFormat {
    /// A grid per target: principals as rows, actions as columns.
    Text,
    /// One row per evaluation.
    Csv,
    /// An array with one object per evaluation.
    Json,
    /// A table per target, for a README.
    Markdown,
    /// A self-contained page: colour-coded grids, a filter, explanations on click.
    Html,
}

/// Writes `m` in `format`.
pub fn write(m: &Matrix, format: MatrixFormat, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        MatrixFormat::Text => text::write_text(m, out),
        MatrixFormat::Markdown => text::write_markdown(m, out),
        MatrixFormat::Csv => records::write_csv(m, out),
        MatrixFormat::Json => records::write_json(m, out),
        MatrixFormat::Html => html::write_html(m, out),
    }
}

/// Splits a target's actions into a shared `service:` prefix (when they all have
/// the same one) and the column headings.
fn split_service(actions: &[String]) -> (Option<&str>, Vec<&str>) {
    let service = |a: &str| a.split_once(':').map(|(s, _)| s.len() + 1);
    let first = actions.first().and_then(|a| service(a).map(|n| &a[..n]));
    match first {
        Some(prefix) if actions.iter().all(|a| a.starts_with(prefix)) => (
            Some(prefix),
            actions.iter().map(|a| &a[prefix.len()..]).collect(),
        ),
        _ => (None, actions.iter().map(String::as_str).collect()),
    }
}
