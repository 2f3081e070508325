//! Loads the built-in catalog once and prints how long it took, the resident memory
//! before and after (Linux `VmRSS`), and the counts. For measuring first use:
//! `cargo run --release -p iamsim-catalog --example load`, or under
//! `valgrind --tool=callgrind` for instruction counts.

use iamsim_catalog::Catalog;
use std::time::Instant;

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn main() {
    let before = rss_kib();
    let start = Instant::now();
    let catalog = Catalog::builtin();
    let elapsed = start.elapsed();
    let after = rss_kib();
    println!("catalog {}", catalog.version());
    println!("first use: {:.2} ms", elapsed.as_secs_f64() * 1e3);
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "VmRSS: {b} KiB before, {a} KiB after (+{} KiB)",
            a.saturating_sub(b)
        );
    }
    println!("{:?}", catalog.counts());
}
