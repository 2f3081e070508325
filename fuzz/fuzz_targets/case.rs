//! Fuzz target `case`: see `iamsim_testkit::fuzz::check_case` for the properties
//! checked, on the CLI's case reader.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    iamsim_testkit::fuzz::check_case(data, iamsim_testkit::corpus::read_cases);
});
