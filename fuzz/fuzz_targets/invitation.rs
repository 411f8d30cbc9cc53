#![no_main]

use libfuzzer_sys::fuzz_target;
use peernet_protocol::Invitation;

fuzz_target!(|data: &[u8]| peernet_fuzz::check::<Invitation>(data));
