//! The conformance corpus run over every surface that decides a case: the library's
//! fast path, its explain path, the `iamsim check` binary and the naive reference
//! evaluator (the batch command and the Python package will add theirs). Every
//! surface implements [`Surface`]; [`assert_surfaces`] runs them all on one
//! [`Corpus`] and reports every failure of every surface at once.
//!
//! The CLI surface takes the binary's path as a parameter ([`Cli::new`]): only the
//! root package's tests know it (`env!("CARGO_BIN_EXE_iamsim")`), and the kit cannot
//! depend on the root package.

use crate::corpus::{conformance_path, load_cases, read_corpus, ReadCase, RefCase};
use crate::reference::reference_decision;
use iamsim_engine::Decision;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

/// A case file read by the reference loader: the cases every surface must decide.
#[derive(Debug)]
pub struct Corpus {
    /// Where the cases were read from (the CLI surface reads the same file).
    pub path: PathBuf,
    /// The file's text.
    pub text: String,
    /// Its cases, in order.
    pub cases: Vec<RefCase>,
}

impl Corpus {
    /// Reads the JSON Lines case file at `path` (panics on a malformed line).
    pub fn load(path: &Path) -> Corpus {
        let text = read_corpus(path);
        let cases = load_cases(&text, &path.display().to_string());
        Corpus {
            path: path.to_owned(),
            text,
            cases,
        }
    }

    /// `fixtures/conformance/cases.jsonl`.
    pub fn conformance() -> Corpus {
        Corpus::load(&conformance_path())
    }

    /// Every case compiled by the engine from the reference loader's policies
    /// ([`RefCase::compiled`]), for the [`Library`] surfaces.
    pub fn compiled(&self) -> Arc<Vec<ReadCase>> {
        Arc::new(self.cases.iter().map(RefCase::compiled).collect())
    }
}

/// What one surface answered for one case: a decision, or why there is none.
pub type Answer = Result<Decision, String>;

/// Everything one surface answered over a corpus.
#[derive(Debug, Default)]
pub struct Answers {
    /// Case id → answer.
    pub by_id: BTreeMap<String, Answer>,
    /// Failures not tied to one case (an exit status, an unreadable output line, a
    /// case answered twice).
    pub failures: Vec<String>,
}

impl Answers {
    /// Every case of `corpus` answered by `decide`.
    pub fn per_case(corpus: &Corpus, mut decide: impl FnMut(&RefCase) -> Answer) -> Answers {
        let mut answers = Answers::default();
        for case in &corpus.cases {
            answers.record(&case.id, decide(case));
        }
        answers
    }

    /// Records the answer for case `id`; a second answer for the same id is a failure.
    pub fn record(&mut self, id: &str, answer: Answer) {
        if self.by_id.insert(id.to_owned(), answer).is_some() {
            self.failures.push(format!("{id}: answered twice"));
        }
    }
}

/// One way of deciding the corpus cases.
pub trait Surface {
    /// The name failures are reported under (`evaluate`, `explain`, `cli`, …).
    fn name(&self) -> &str;

    /// Answers every case of `corpus` (all at once, so that a surface such as the CLI
    /// can decide the whole file in one run).
    fn answer(&self, corpus: &Corpus) -> Answers;
}

/// Runs every surface over `corpus` and returns every failure: a case a surface
/// decides wrongly, answers with an error or not at all, an answer for a case not in
/// the corpus, a surface's own failures, and a decision that differs from the first
/// surface's (so `explain vs evaluate` shows when the first is the fast path).
pub fn surface_failures(corpus: &Corpus, surfaces: &[&dyn Surface]) -> Vec<String> {
    let mut failures = Vec::new();
    let mut first: Option<(&str, BTreeMap<String, Answer>)> = None;
    for surface in surfaces {
        let name = surface.name();
        let Answers {
            mut by_id,
            failures: own,
        } = surface.answer(corpus);
        failures.extend(own.into_iter().map(|f| format!("{name}: {f}")));
        for case in &corpus.cases {
            let answer = by_id.get(&case.id);
            let got = match answer {
                None => Some("no answer".to_owned()),
                Some(Err(e)) => Some(format!("error ({e})")),
                Some(Ok(got)) if *got != case.expect => Some(got.to_string()),
                Some(Ok(_)) => None,
            };
            if let Some(got) = got {
                failures.push(format!(
                    "{}: {name}: got {got}, expected {}",
                    case.id, case.expect
                ));
            }
            if let (Some((first_name, baseline)), Some(Ok(got))) = (&first, answer) {
                if let Some(Ok(base)) = baseline.get(&case.id) {
                    if got != base {
                        failures.push(format!(
                            "{}: {name} vs {first_name}: got {got}, expected {base}",
                            case.id
                        ));
                    }
                }
            }
        }
        let known: std::collections::BTreeSet<&str> =
            corpus.cases.iter().map(|c| c.id.as_str()).collect();
        by_id.retain(|id, _| {
            let keep = known.contains(id.as_str());
            if !keep {
                failures.push(format!("{id}: {name}: answered, but not in the corpus"));
            }
            keep
        });
        if first.is_none() {
            first = Some((name, by_id));
        }
    }
    failures
}

/// [`surface_failures`], as a test: panics listing every failure.
#[track_caller]
pub fn assert_surfaces(corpus: &Corpus, surfaces: &[&dyn Surface]) {
    let failures = surface_failures(corpus, surfaces);
    assert!(
        failures.is_empty(),
        "{} failure(s) over {} cases of {}:\n{}",
        failures.len(),
        corpus.cases.len(),
        corpus.path.display(),
        failures.join("\n")
    );
}

/// The naive reference evaluator, on the reference loader's parsed policies.
#[derive(Debug, Default)]
pub struct Reference;

impl Surface for Reference {
    fn name(&self) -> &str {
        "reference"
    }

    fn answer(&self, corpus: &Corpus) -> Answers {
        Answers::per_case(corpus, |case| match &case.policies {
            Ok(policies) => Ok(reference_decision(policies, &case.request.to_request())),
            Err(e) => Err(e.clone()),
        })
    }
}

/// Which library path a [`Library`] surface takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LibraryPath {
    Evaluate,
    Explain,
}

/// The library on cases read (and compiled) by a case reader: `evaluate` (the fast
/// path) or `explain`.
#[derive(Debug)]
pub struct Library {
    cases: Arc<Vec<ReadCase>>,
    path: LibraryPath,
}

impl Library {
    /// `CompiledPolicySet::evaluate` on `cases`.
    pub fn evaluate(cases: Arc<Vec<ReadCase>>) -> Library {
        Library {
            cases,
            path: LibraryPath::Evaluate,
        }
    }

    /// `CompiledPolicySet::explain` on `cases`.
    pub fn explain(cases: Arc<Vec<ReadCase>>) -> Library {
        Library {
            cases,
            path: LibraryPath::Explain,
        }
    }
}

impl Surface for Library {
    fn name(&self) -> &str {
        match self.path {
            LibraryPath::Evaluate => "evaluate",
            LibraryPath::Explain => "explain",
        }
    }

    fn answer(&self, _corpus: &Corpus) -> Answers {
        let mut answers = Answers::default();
        for case in self.cases.iter() {
            let answer = match &case.policies {
                Ok(set) => Ok(match self.path {
                    LibraryPath::Evaluate => set.evaluate(&case.request).decision,
                    LibraryPath::Explain => set.explain(&case.request).response.decision,
                }),
                Err(e) => Err(e.clone()),
            };
            answers.record(&case.id, answer);
        }
        answers
    }
}

/// The `iamsim check FILE --format jsonl` binary: one JSON line per case, whose
/// `decision` is the answer; a line whose `expect` or `pass` contradicts the corpus is
/// an error.
#[derive(Debug)]
pub struct Cli {
    binary: PathBuf,
}

impl Cli {
    /// The `iamsim` binary at `binary` (in the root package's tests:
    /// `env!("CARGO_BIN_EXE_iamsim")`).
    pub fn new(binary: impl Into<PathBuf>) -> Cli {
        Cli {
            binary: binary.into(),
        }
    }
}

impl Surface for Cli {
    fn name(&self) -> &str {
        "cli"
    }

    fn answer(&self, corpus: &Corpus) -> Answers {
        let mut answers = Answers::default();
        let out = match Command::new(&self.binary)
            .arg("check")
            .arg(&corpus.path)
            .args(["--format", "jsonl"])
            .output()
        {
            Ok(out) => out,
            Err(e) => {
                answers
                    .failures
                    .push(format!("cannot run {}: {e}", self.binary.display()));
                return answers;
            }
        };
        if out.status.code() != Some(0) {
            answers.failures.push(format!(
                "exit status {:?}, expected Some(0) (stderr: {})",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let expected: BTreeMap<&str, Decision> = corpus
            .cases
            .iter()
            .map(|c| (c.id.as_str(), c.expect))
            .collect();
        let stdout = String::from_utf8_lossy(&out.stdout);
        for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
            let v = match serde_json::from_str::<serde_json::Value>(line) {
                Ok(v) => v,
                Err(e) => {
                    answers
                        .failures
                        .push(format!("unparseable output line `{line}`: {e}"));
                    continue;
                }
            };
            let id = v["id"].as_str().unwrap_or("(no id)");
            let decision = v["decision"].as_str().and_then(Decision::from_name);
            let consistent = |d: Decision| match expected.get(id) {
                Some(&expect) => v["expect"] == expect.as_str() && v["pass"] == (d == expect),
                None => true,
            };
            let answer = match decision {
                Some(d) if consistent(d) => Ok(d),
                _ => Err(v.to_string()),
            };
            answers.record(id, answer);
        }
        answers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A surface with fixed answers.
    struct Fixed(&'static str, Vec<(&'static str, Answer)>);

    impl Surface for Fixed {
        fn name(&self) -> &str {
            self.0
        }

        fn answer(&self, _corpus: &Corpus) -> Answers {
            let mut answers = Answers::default();
            for (id, answer) in &self.1 {
                answers.record(id, answer.clone());
            }
            answers
        }
    }

    fn corpus() -> Corpus {
        let line = |id: &str, expect: &str| {
            format!(
                r#"{{"id":"{id}","expect":"{expect}","policies":{{}},"request":{{"principal":"p","action":"s3:GetObject","resource":"*"}}}}"#
            )
        };
        let text = format!("{}\n{}\n", line("a", "allowed"), line("b", "implicitDeny"));
        Corpus {
            path: "inline.jsonl".into(),
            cases: load_cases(&text, "inline.jsonl"),
            text,
        }
    }

    #[test]
    fn every_failure_of_every_surface_is_reported() {
        let corpus = corpus();
        let right = Fixed(
            "right",
            vec![
                ("a", Ok(Decision::Allowed)),
                ("b", Ok(Decision::ImplicitDeny)),
            ],
        );
        let wrong = Fixed(
            "wrong",
            vec![
                ("a", Ok(Decision::ExplicitDeny)),
                ("a", Ok(Decision::ExplicitDeny)),
                ("c", Ok(Decision::Allowed)),
            ],
        );
        let broken = Fixed("broken", vec![("a", Err("boom".into()))]);
        assert!(surface_failures(&corpus, &[&right]).is_empty());
        assert_eq!(
            surface_failures(&corpus, &[&right, &wrong, &broken]),
            [
                "wrong: a: answered twice",
                "a: wrong: got explicitDeny, expected allowed",
                "a: wrong vs right: got explicitDeny, expected allowed",
                "b: wrong: got no answer, expected implicitDeny",
                "c: wrong: answered, but not in the corpus",
                "a: broken: got error (boom), expected allowed",
                "b: broken: got no answer, expected implicitDeny",
            ]
        );
    }
}
