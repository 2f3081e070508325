//! Fuzz target `case`: see `iamsim_testkit::fuzz::check_case` for the properties
//! checked, on the CLI's case reader.

#![no_main]

use iamsim_testkit::corpus::ReadCase;

/// `iamsim_scenario::cases::parse_case_file` as the test kit's `CaseReader` (the same adapter
/// as the root package's tests use).
fn read_cases(text: &str, source: &str) -> Vec<Result<ReadCase, String>> {
    iamsim_scenario::cases::parse_case_file(text, source)
        .into_iter()
        .map(|result| {
            result
                .map(|case| ReadCase {
                    id: case.id,
                    request: case.request,
                    policies: case.policies,
                })
                .map_err(|e| e.message)
        })
        .collect()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    iamsim_testkit::fuzz::check_case(data, read_cases);
});
