#![no_main]

use libfuzzer_sys::fuzz_target;
use peernet_protocol::RecordAttributes;

fuzz_target!(|data: &[u8]| peernet_fuzz::check::<RecordAttributes>(data));
