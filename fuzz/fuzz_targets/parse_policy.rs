//! Fuzz target `parse_policy`: see `iamsim_testkit::fuzz::check_parse_policy` for the properties
//! checked.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    iamsim_testkit::fuzz::check_parse_policy(data);
});
