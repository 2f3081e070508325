//! Grid writers: plain text for the terminal and Markdown for a README. One grid
//! per target, principals as rows and actions as columns.

use super::{count, split_service, Matrix, TargetGrid};
use iamsim_engine::Decision;
use std::io::{self, Write};

/// The word a grid cell shows.
fn word(d: Decision) -> &'static str {
    match d {
        Decision::Allowed => "allow",
        Decision::ExplicitDeny => "DENY",
        Decision::ImplicitDeny => "-",
    }
}

/// Newlines and tabs in user text would break the grid.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn summary(m: &Matrix, implicit: &str) -> String {
    let [a, d, i] = m.counts();
    let mut s = format!(
        "{} × {}: {}, {a} allow, {d} DENY, {i} {implicit}",
        count(m.shown_principals(), "principal"),
        count(m.targets.len(), "target"),
        count(a + d + i, "cell")
    );
    if m.allowed_only {
        s.push_str(" (allowed only: principals and actions without an allowed cell are hidden)");
    }
    s
}

const LEGEND: &str =
    "allow = allowed · DENY = explicit deny (a Deny statement applies) · - = implicit deny (nothing allows)";

const NOTHING: &str = "Nothing is allowed for the selected principals, targets and actions.";

/// Writes the text grids.
/// The line that stands in for the grids when no target is left.
fn write_no_targets(m: &Matrix, out: &mut dyn Write) -> io::Result<()> {
    if m.targets.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            if m.allowed_only {
                NOTHING
            } else {
                "No targets."
            }
        )?;
    }
    Ok(())
}

pub(super) fn write_text(m: &Matrix, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", one_line(&m.scenario))?;
    writeln!(out, "{}", summary(m, "-"))?;
    writeln!(out, "legend: {LEGEND}")?;
    write_no_targets(m, out)?;
    for t in &m.targets {
        writeln!(out)?;
        write_text_grid(m, t, out)?;
    }
    Ok(())
}

fn write_text_grid(m: &Matrix, t: &TargetGrid, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", one_line(&t.name))?;
    writeln!(out, "  {}", one_line(&t.arn))?;
    let (service, heads) = split_service(&t.actions);
    let mut lines: Vec<Vec<String>> = Vec::with_capacity(t.rows.len() + 1);
    let mut head = vec![service.map(one_line).unwrap_or_default()];
    head.extend(heads.iter().map(|h| one_line(h)));
    lines.push(head);
    for r in &t.rows {
        let mut line = vec![one_line(&m.principals[r.principal].name)];
        line.extend(r.cells.iter().map(|c| word(c.response.decision).to_owned()));
        lines.push(line);
    }
    let columns = lines[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|i| lines.iter().map(|l| width(&l[i])).max().unwrap_or(0))
        .collect();
    for l in &lines {
        let mut s = String::from("  ");
        for (i, (cell, w)) in l.iter().zip(&widths).enumerate() {
            s.push_str(cell);
            if i + 1 < columns {
                s.extend(std::iter::repeat_n(' ', w - width(cell) + 2));
            }
        }
        writeln!(out, "{}", s.trim_end())?;
    }
    Ok(())
}

/// Escapes text for a Markdown table cell (GitHub-flavoured).
fn md(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '#' => {
                o.push('\\');
                o.push(c);
            }
            c => o.push(c),
        }
    }
    o
}

/// A code span for an ARN; `|` must still be escaped inside a table.
fn md_code(s: &str) -> String {
    let s = one_line(s);
    if s.contains('`') {
        return md(&s);
    }
    format!("`{}`", s.replace('|', "\\|"))
}

/// Writes a Markdown document: a title, a legend and a table per target.
pub(super) fn write_markdown(m: &Matrix, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# Access matrix: {}", md(&m.scenario))?;
    writeln!(out)?;
    writeln!(out, "{}.", summary(m, "`-`"))?;
    writeln!(
        out,
        "Legend: **allow** = allowed · **DENY** = explicit deny (a Deny statement applies) · `-` = implicit deny (nothing allows)."
    )?;
    write_no_targets(m, out)?;
    for t in &m.targets {
        writeln!(out)?;
        writeln!(out, "## {}", md(&t.name))?;
        writeln!(out)?;
        writeln!(out, "{}", md_code(&t.arn))?;
        writeln!(out)?;
        let mut head = String::from("| principal |");
        let mut rule = String::from("| --- |");
        for a in &t.actions {
            head.push_str(&format!(" {} |", md(a)));
            rule.push_str(" :---: |");
        }
        writeln!(out, "{head}")?;
        writeln!(out, "{rule}")?;
        for r in &t.rows {
            let mut line = format!("| {} |", md(&m.principals[r.principal].name));
            for c in &r.cells {
                line.push_str(match c.response.decision {
                    Decision::Allowed => " allow |",
                    Decision::ExplicitDeny => " **DENY** |",
                    Decision::ImplicitDeny => " `-` |",
                });
            }
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}
