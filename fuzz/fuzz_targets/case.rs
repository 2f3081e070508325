//! Fuzz target `case`: see `checks::check_case` for the properties checked.

#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::check_case(data);
});
