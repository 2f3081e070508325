//! Fuzz target `condition`: see `iamsim_testkit::fuzz::check_condition` for the properties
//! checked.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    iamsim_testkit::fuzz::check_condition(data);
});
