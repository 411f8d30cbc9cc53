//! Measures `group_open` latency (p50/p99) for both profiles on a small store.
//!
//! `cargo run -p peernet --release --example open_latency`

use std::time::Instant;

use peernet::{GroupProperties, Peernet, Profile};

fn main() -> Result<(), peernet::Error> {
    for profile in [Profile::Windows, Profile::Modern] {
        let dir = std::env::temp_dir().join(format!("peernet-open-latency-{}", std::process::id()));
        let pn = Peernet::open(&dir)?;
        let me = pn.identity_create(Some("bench"), None, Some(profile))?;
        let g = pn.group_create(&GroupProperties::new("bench", "Bench").with_creator(&me))?;
        let cold = Peernet::open(&dir)?;
        let t = Instant::now();
        cold.group_open(&me, g.peer_name(), None)?;
        let first = t.elapsed();
        let mut samples: Vec<u128> = (0..2000)
            .map(|_| {
                let t = Instant::now();
                let h = pn.group_open(&me, g.peer_name(), None).expect("open");
                drop(h);
                t.elapsed().as_nanos()
            })
            .collect();
        samples.sort_unstable();
        println!(
            "{profile:?}: first open (validates) {first:?}; cached p50 {} µs, p99 {} µs",
            samples[samples.len() / 2] / 1000,
            samples[samples.len() * 99 / 100] / 1000
        );
        pn.group_delete(Some(&me), g.peer_name())?;
        pn.identity_delete(&me)?;
        drop((pn, cold));
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
