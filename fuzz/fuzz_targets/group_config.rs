#![no_main]

use libfuzzer_sys::fuzz_target;
use peernet_protocol::GroupConfig;

fuzz_target!(|data: &[u8]| peernet_fuzz::check::<GroupConfig>(data));
