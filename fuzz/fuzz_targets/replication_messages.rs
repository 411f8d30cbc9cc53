#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| peernet_fuzz::replication::messages(data));
