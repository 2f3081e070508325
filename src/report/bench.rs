//! What `iamsim bench` measured, as text or one JSON object.

use std::io::Write;
use std::time::Duration;

/// One measured phase.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    /// What one decision includes (`evaluate`, `prepare+evaluate`).
    pub name: &'static str,
    /// Decisions made.
    pub decisions: u64,
    /// Wall time of the phase.
    pub elapsed: Duration,
    /// Median ns per decision over the batches.
    pub median_ns: f64,
    /// 99th-percentile ns per decision over the batches.
    pub p99_ns: f64,
    /// Allowed decisions among them (a check that the work was done).
    pub allowed: u64,
}

impl Phase {
    /// Decisions per second over the phase.
    pub fn per_second(&self) -> f64 {
        self.decisions as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Everything `iamsim bench` reports.
#[derive(Debug, Clone)]
pub struct Report {
    /// `scenario` or `cases`.
    pub kind: &'static str,
    /// The file measured.
    pub file: String,
    /// Where the requests came from.
    pub requests_from: String,
    /// Distinct requests (or cases) cycled through.
    pub requests: usize,
    /// Rows or cases left out (unknown principal, uncompilable policies, bad rows).
    pub skipped: usize,
    /// Loading (and for case files, parsing and compiling): time and item count.
    pub load: (Duration, usize),
    /// Evaluating threads.
    pub threads: u32,
    /// Decisions per timed batch.
    pub batch: usize,
    /// The measured phases.
    pub phases: Vec<Phase>,
    /// Peak resident set size in bytes (`VmHWM`), when the platform reports it.
    pub peak_rss: Option<u64>,
}

impl Report {
    /// The text report.
    pub fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "iamsim bench: {} {}", self.kind, self.file)?;
        writeln!(
            out,
            "requests:    {} distinct ({}){}",
            group(self.requests as f64),
            self.requests_from,
            if self.skipped > 0 {
                format!(", {} skipped", group(self.skipped as f64))
            } else {
                String::new()
            }
        )?;
        let (load_time, load_items) = self.load;
        let ms = fixed(load_time.as_secs_f64() * 1e3, 1);
        if self.kind == "cases" {
            writeln!(
                out,
                "load:        {ms} ms to read, parse and compile {} cases ({} cases/s)",
                group(load_items as f64),
                group(load_items as f64 / load_time.as_secs_f64().max(1e-9))
            )?;
        } else {
            writeln!(
                out,
                "load:        {ms} ms to read and compile the scenario ({} principals)",
                group(load_items as f64)
            )?;
        }
        writeln!(
            out,
            "threads:     {}; ns/decision from batches of {} decisions timed with Instant",
            self.threads,
            group(self.batch as f64)
        )?;
        for p in &self.phases {
            writeln!(
                out,
                "{:<18} {:>12} decisions/s   ns/decision median {:>8}  p99 {:>8}   ({} decisions in {} s)",
                format!("{}:", p.name),
                group(p.per_second()),
                fixed(p.median_ns, 1),
                fixed(p.p99_ns, 1),
                group(p.decisions as f64),
                fixed(p.elapsed.as_secs_f64(), 2),
            )?;
        }
        write_peak_memory(out, self.peak_rss)
    }

    /// The JSON report.
    pub fn to_json(&self) -> serde_json::Value {
        let phases: Vec<serde_json::Value> = self
            .phases
            .iter()
            .map(|p| {
                serde_json::json!({
                    "name": p.name,
                    "decisions": p.decisions,
                    "seconds": p.elapsed.as_secs_f64(),
                    "decisions_per_second": p.per_second().round(),
                    "ns_per_decision": { "median": p.median_ns, "p99": p.p99_ns },
                    "allowed": p.allowed,
                })
            })
            .collect();
        serde_json::json!({
            "kind": self.kind,
            "file": self.file,
            "requests_from": self.requests_from,
            "requests": self.requests,
            "skipped": self.skipped,
            "load": { "seconds": self.load.0.as_secs_f64(), "items": self.load.1 },
            "threads": self.threads,
            "timing": format!("batches of {} decisions, each timed with std::time::Instant", self.batch),
            "phases": phases,
            "peak_rss_bytes": self.peak_rss,
            "catalog": iamsim_catalog::Catalog::builtin().version().to_string(),
        })
    }
}

/// One file of `iamsim bench --compile`.
#[derive(Debug, Clone)]
pub struct CompileRow {
    /// The file, as given.
    pub file: String,
    /// Its size.
    pub bytes: usize,
    /// Median µs to parse it (JSON text → typed policy).
    pub parse_us: f64,
    /// Median µs to compile the parsed policy into a set of its own.
    pub compile_us: f64,
    /// µs to load it (parse + compile): median and p99.
    pub load_us: (f64, f64),
}

/// What `iamsim bench --compile` measured.
#[derive(Debug, Clone)]
pub struct CompileReport {
    /// The policies' kind (`identity`, …).
    pub kind: &'static str,
    /// One row per file, in the order given.
    pub rows: Vec<CompileRow>,
    /// Rounds measured (every file once per round).
    pub rounds: usize,
    /// µs per round, median and p99 (each file parsed, compiled and loaded once).
    pub all_us: (f64, f64),
    /// Peak resident set size in bytes (`VmHWM`), when the platform reports it.
    pub peak_rss: Option<u64>,
}

impl CompileReport {
    /// The text report.
    pub fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let bytes: usize = self.rows.iter().map(|r| r.bytes).sum();
        let load: f64 = self.rows.iter().map(|r| r.load_us.0).sum();
        writeln!(
            out,
            "iamsim bench: compile {} {} polic{} ({} bytes of JSON), {} rounds",
            group(self.rows.len() as f64),
            self.kind,
            if self.rows.len() == 1 { "y" } else { "ies" },
            group(bytes as f64),
            group(self.rounds as f64)
        )?;
        let width = self
            .rows
            .iter()
            .map(|r| r.file.len())
            .max()
            .unwrap_or(4)
            .max(4);
        writeln!(
            out,
            "{:<width$}  {:>9}  {:>9}  {:>10}  {:>9}  {:>9}",
            "file", "bytes", "parse µs", "compile µs", "load µs", "p99 µs"
        )?;
        for r in &self.rows {
            writeln!(
                out,
                "{:<width$}  {:>9}  {:>9}  {:>10}  {:>9}  {:>9}",
                r.file,
                group(r.bytes as f64),
                fixed(r.parse_us, 1),
                fixed(r.compile_us, 1),
                fixed(r.load_us.0, 1),
                fixed(r.load_us.1, 1)
            )?;
        }
        writeln!(
            out,
            "all:         {} µs to load every file ({} MB/s of policy JSON); a round of parse, compile and load: median {} µs, p99 {} µs",
            fixed(load, 1),
            fixed(bytes as f64 / load.max(1e-9), 1),
            fixed(self.all_us.0, 1),
            fixed(self.all_us.1, 1)
        )?;
        write_peak_memory(out, self.peak_rss)
    }

    /// The JSON report.
    pub fn to_json(&self) -> serde_json::Value {
        let files: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "file": r.file,
                    "bytes": r.bytes,
                    "parse_us": r.parse_us,
                    "compile_us": r.compile_us,
                    "load_us": { "median": r.load_us.0, "p99": r.load_us.1 },
                })
            })
            .collect();
        serde_json::json!({
            "kind": "compile",
            "policy_kind": self.kind,
            "files": files,
            "rounds": self.rounds,
            "round_us": { "median": self.all_us.0, "p99": self.all_us.1 },
            "timing": "each file's parse, compile and load timed with std::time::Instant, once per round",
            "peak_rss_bytes": self.peak_rss,
        })
    }
}

/// `peak memory: 40.7 MB (VmHWM)`, or `n/a` where the platform does not say.
fn write_peak_memory(out: &mut dyn Write, peak_rss: Option<u64>) -> std::io::Result<()> {
    writeln!(
        out,
        "peak memory: {}",
        match peak_rss {
            Some(bytes) => format!("{} MB (VmHWM)", fixed(bytes as f64 / 1e6, 1)),
            None => "n/a".to_owned(),
        }
    )
}

/// `1234567.8` → `1,234,568`.
pub fn group(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number with `decimals` decimals.
pub fn fixed(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(group(0.4), "0");
        assert_eq!(group(999.0), "999");
        assert_eq!(group(1000.0), "1,000");
        assert_eq!(group(1_234_567.8), "1,234,568");
    }
}
