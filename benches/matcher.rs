//! Resource-list matching: our bucketed `ResourcePatternSet` against one
//! `regex::Regex` per pattern, one `regex::RegexSet`, and one `glob::Pattern` per
//! pattern, on the same patterns and texts; plus the adversarial `*a*a*…*b` pattern
//! on 10,000 characters. See `benches/matcher.md`.
//!
//! ```text
//! cargo bench --bench matcher
//! ```

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use iamsim_engine::internal::pattern::arn::{ArnPattern, VariableScope};
use iamsim_engine::internal::pattern::glob::glob_match;
use iamsim_engine::internal::pattern::pieces::{parse_pieces, Wildcards};
use iamsim_engine::internal::pattern::ResourcePatternSet;
use iamsim_engine::request::Context;
use iamsim_testkit::oracle::wildcard_regex;
use regex::{Regex, RegexSet};
use std::time::Duration;

/// The kinds of pattern list measured.
#[derive(Clone, Copy)]
enum Mix {
    /// `arn:aws:s3:::bucket-N`: no wildcard (our exact bucket).
    Exact,
    /// `arn:aws:s3:::bucket-N/*`: literal then `*` (our prefix bucket).
    Prefix,
    /// `arn:aws:logs:*:123456789012:log-group:/app/N/*`: a wildcard before the
    /// resource part, so it is matched segment by segment (our general list).
    General,
    /// One third of each, interleaved.
    Mixed,
}

impl Mix {
    fn name(self) -> &'static str {
        match self {
            Mix::Exact => "exact",
            Mix::Prefix => "prefix",
            Mix::General => "general",
            Mix::Mixed => "mixed",
        }
    }

    fn pattern(self, i: usize) -> String {
        let kind = match self {
            Mix::Mixed => [Mix::Exact, Mix::Prefix, Mix::General][i % 3],
            other => other,
        };
        match kind {
            Mix::Exact => format!("arn:aws:s3:::bucket-{i}"),
            Mix::Prefix => format!("arn:aws:s3:::bucket-{i}/*"),
            _ => format!("arn:aws:logs:*:123456789012:log-group:/app/{i}/*"),
        }
    }

    /// A text matched by pattern `i` only.
    fn hit(self, i: usize) -> String {
        let kind = match self {
            Mix::Mixed => [Mix::Exact, Mix::Prefix, Mix::General][i % 3],
            other => other,
        };
        match kind {
            Mix::Exact => format!("arn:aws:s3:::bucket-{i}"),
            Mix::Prefix => format!("arn:aws:s3:::bucket-{i}/2024/05/01/c-1.wav"),
            _ => {
                format!("arn:aws:logs:ap-northeast-1:123456789012:log-group:/app/{i}/log-stream:s")
            }
        }
    }

    /// A text of the same shape that no pattern matches.
    fn miss(self) -> String {
        match self {
            Mix::Exact => "arn:aws:s3:::bucket-x".to_owned(),
            Mix::Prefix | Mix::Mixed => "arn:aws:s3:::bucket-x/2024/05/01/c-1.wav".to_owned(),
            Mix::General => {
                "arn:aws:logs:ap-northeast-1:123456789012:log-group:/app/x/log-stream:s".to_owned()
            }
        }
    }
}

struct Matchers {
    ours: ResourcePatternSet,
    regexes: Vec<Regex>,
    regex_set: RegexSet,
    globs: Vec<glob::Pattern>,
}

impl Matchers {
    fn new(patterns: &[String]) -> Matchers {
        // The test kit's oracle regexes. (Our ARN matcher also keeps `*` in the first
        // five segments from crossing a `:`; the texts used here do not tell the two
        // apart, and `agree` checks that every matcher does.)
        let regex_sources: Vec<String> = patterns.iter().map(|p| wildcard_regex(p)).collect();
        Matchers {
            ours: ResourcePatternSet::new(
                patterns
                    .iter()
                    .map(|p| ArnPattern::parse(p, true, VariableScope::ResourcePart))
                    .collect(),
            ),
            regexes: regex_sources
                .iter()
                .map(|r| Regex::new(r).unwrap_or_else(|e| panic!("{e}")))
                .collect(),
            regex_set: RegexSet::new(&regex_sources).unwrap_or_else(|e| panic!("{e}")),
            globs: patterns
                .iter()
                .map(|p| glob::Pattern::new(p).unwrap_or_else(|e| panic!("{p}: {e}")))
                .collect(),
        }
    }

    /// Checks that all four agree on `text`, and returns the answer.
    fn agree(&self, text: &str, context: &Context) -> bool {
        let ours = self.ours.matches(text, context).matched;
        assert_eq!(
            ours,
            self.regexes.iter().any(|r| r.is_match(text)),
            "{text}"
        );
        assert_eq!(ours, self.regex_set.is_match(text), "{text}");
        assert_eq!(ours, self.globs.iter().any(|g| g.matches(text)), "{text}");
        ours
    }
}

fn resource_lists(c: &mut Criterion) {
    let context = Context::new();
    for mix in [Mix::Exact, Mix::Prefix, Mix::General, Mix::Mixed] {
        let mut group = c.benchmark_group(format!("resource-list/{}", mix.name()));
        for n in [1usize, 10, 100, 1000] {
            let patterns: Vec<String> = (0..n).map(|i| mix.pattern(i)).collect();
            let m = Matchers::new(&patterns);
            // The last pattern is the worst case for anything that scans in order.
            for (query, text) in [("hit-last", mix.hit(n - 1)), ("miss", mix.miss())] {
                let expected = query == "hit-last";
                assert_eq!(
                    m.agree(&text, &context),
                    expected,
                    "{} {n} {query}",
                    mix.name()
                );
                let id = |matcher: &str| BenchmarkId::new(format!("{matcher}/{query}"), n);
                group.bench_with_input(id("ours"), &text, |b, text| {
                    b.iter(|| m.ours.matches(black_box(text), &context).matched)
                });
                group.bench_with_input(id("regex-each"), &text, |b, text| {
                    b.iter(|| m.regexes.iter().any(|r| r.is_match(black_box(text))))
                });
                group.bench_with_input(id("regex-set"), &text, |b, text| {
                    b.iter(|| m.regex_set.is_match(black_box(text)))
                });
                group.bench_with_input(id("glob-each"), &text, |b, text| {
                    b.iter(|| m.globs.iter().any(|g| g.matches(black_box(text))))
                });
            }
        }
        group.finish();
    }
}

/// `*a*a*…*a*b` (50 stars) against 10,000 `a`s: no match, and every naive
/// backtracking matcher's worst case.
fn adversarial(c: &mut Criterion) {
    let pattern = format!("{}*b", "*a".repeat(49));
    let text = "a".repeat(10_000);
    let context = Context::new();
    let pieces = parse_pieces(&pattern, false, Wildcards::Recognised);
    let regex = Regex::new(&wildcard_regex(&pattern)).unwrap_or_else(|e| panic!("{e}"));
    let glob = glob::Pattern::new(&pattern).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(glob_match(&pieces, &text, &context), Some(false));
    assert!(!regex.is_match(&text));
    assert!(!glob.matches(&text));
    let mut group = c.benchmark_group("adversarial-50-stars-10k-chars");
    group.bench_function("ours", |b| {
        b.iter(|| glob_match(&pieces, black_box(&text), &context))
    });
    group.bench_function("regex", |b| b.iter(|| regex.is_match(black_box(&text))));
    group.bench_function("glob", |b| b.iter(|| glob.matches(black_box(&text))));
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(600))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = resource_lists, adversarial
}
criterion_main!(benches);
