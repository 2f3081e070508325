//! Fuzz target `condition`: see `checks::check_condition` for the properties checked.

#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::check_condition(data);
});
