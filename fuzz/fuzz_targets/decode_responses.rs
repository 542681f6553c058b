#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dataarts_tests::fuzz_logic::decode_responses(data));
