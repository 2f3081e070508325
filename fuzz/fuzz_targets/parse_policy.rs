//! Fuzz target `parse_policy`: see `checks::check_parse_policy` for the properties checked.

#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::check_parse_policy(data);
});
