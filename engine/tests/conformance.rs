//! The conformance corpus (`fixtures/conformance/cases.jsonl`) on the surfaces the
//! engine has without the CLI: its fast path and its explain path, on cases the test
//! kit compiles from its own loader, and the naive reference evaluator. (The root
//! package runs the same corpus on the CLI and on the CLI's case reader too.)

use iamsim_testkit::surface::{assert_surfaces, Corpus, Library, Reference};

#[test]
fn evaluate_explain_and_the_reference_reach_the_expected_decision() {
    let corpus = Corpus::conformance();
    let cases = corpus.compiled();
    assert_surfaces(
        &corpus,
        &[
            &Library::evaluate(cases.clone()),
            &Library::explain(cases),
            &Reference,
        ],
    );
}
