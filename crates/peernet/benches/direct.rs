//! Direct-connection figures for `docs/PERFORMANCE.md` ("Direct connections"), side by
//! side in one run:
//!
//! 1. throughput: 64 MiB in 1 MiB `PeerGroupSendData` calls from one store to another's
//!    `INCOMING_DATA` registration, next to a bare libp2p stream (the same TCP + Noise +
//!    yamux transport, no node, no framing) carrying the same 64 MiB;
//! 2. small-message round trip (16 bytes there, 16 back) p50 / p99 over 1,000 rounds,
//!    through the stores' nodes and over the bare stream.
//!
//! Each side is measured [`RUNS`] times, alternately, and the median of each figure is
//! shown. `cargo bench -p peernet --bench direct` (release). Every node runs on a thread
//! of the bench process, on loopback. Not a test: nothing is asserted.

#[path = "../../peernet-net/tests/support/mod.rs"]
#[allow(unused_imports)]
mod support;

use std::time::{Duration, Instant};

use futures::{AsyncReadExt, AsyncWriteExt, StreamExt};
use peernet::event::{PEER_GROUP_EVENT_DIRECT_CONNECTION, PEER_GROUP_EVENT_INCOMING_DATA};
use peernet::flags::{PEER_GROUP_STATUS_HAS_CONNECTIONS, PEER_GROUP_STATUS_LISTENING};
use peernet::{
    EventRegistration, GroupEvent, GroupProperties, Guid, NodeLaunch, Options, Peernet, Profile,
    Role,
};

const TYPE: Guid = Guid::from_fields(0x4d5b_2f11, 0x6522, 0x433b, [9, 9, 9, 9, 9, 9, 9, 9]);
const MIB: usize = 1 << 20;
const TOTAL_MIB: usize = 64;
const ROUNDS: usize = 1000;
const WAIT: Duration = Duration::from_secs(60);
const RUNS: usize = 5;

struct Store {
    _dir: tempfile::TempDir,
    pn: Peernet,
    identity: String,
}

fn store(name: &str, runtime: &std::path::Path) -> Store {
    let dir = tempfile::tempdir().unwrap();
    let pn = Peernet::open_with(
        dir.path(),
        Options::default()
            .with_pfx_iterations(1000)
            .with_node_launch(NodeLaunch::InProcess)
            .with_runtime_dir(runtime),
    )
    .unwrap();
    pn.set_node_listen(Some(&["127.0.0.1:0".parse().unwrap()]))
        .unwrap();
    let identity = pn
        .identity_create(Some(name), Some(name), Some(Profile::Modern))
        .unwrap();
    Store {
        _dir: dir,
        pn,
        identity,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn show(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn mib_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / MIB as f64 / d.as_secs_f64()
}

/// The next INCOMING_DATA of `h` (bounded).
fn next_data(h: &peernet::EventHandle) -> (u64, Vec<u8>) {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if let Some(e) = h.next_event(Duration::from_millis(100))
            && let GroupEvent::IncomingData {
                connection_id,
                data,
                ..
            } = e.event
        {
            return (connection_id, data);
        }
    }
    panic!("no data within {WAIT:?}");
}

/// (throughput MiB/s, RTT p50, RTT p99) through two stores' nodes.
fn through_nodes() -> (f64, Duration, Duration) {
    let runtime = tempfile::tempdir().unwrap();
    let (a, b) = (store("alice", runtime.path()), store("bob", runtime.path()));
    let ga =
        a.pn.group_create(
            &GroupProperties::new("bench", "Bench")
                .with_creator(&a.identity)
                .with_profile(Profile::Modern),
        )
        .unwrap();
    let info = b.pn.identity_get_xml(Some(&b.identity)).unwrap();
    let inv = ga.create_invitation(&info, None, &[Role::MEMBER]).unwrap();
    let gb = b.pn.group_join(Some(&b.identity), &inv, None).unwrap();
    let ha = ga
        .register_event(&[
            EventRegistration::new(PEER_GROUP_EVENT_DIRECT_CONNECTION),
            EventRegistration::new(PEER_GROUP_EVENT_INCOMING_DATA),
        ])
        .unwrap();
    let hb = gb
        .register_event(&[EventRegistration::new(PEER_GROUP_EVENT_INCOMING_DATA)])
        .unwrap();
    ga.connect().unwrap();
    ga.wait_for_status(PEER_GROUP_STATUS_LISTENING, WAIT)
        .unwrap();
    gb.connect().unwrap();
    let both = PEER_GROUP_STATUS_LISTENING | PEER_GROUP_STATUS_HAS_CONNECTIONS;
    assert_eq!(gb.wait_for_status(both, WAIT).unwrap() & both, both);
    let id = gb.open_direct_connection(&a.identity, None).unwrap();

    // Throughput: alice's thread counts what arrives.
    let payload = vec![0x5au8; MIB];
    let reader = std::thread::spawn(move || {
        let mut got = 0;
        let mut a_id = 0;
        while got < TOTAL_MIB * MIB {
            let (cid, data) = next_data(&ha);
            got += data.len();
            a_id = cid;
        }
        (ha, a_id, Instant::now())
    });
    let started = Instant::now();
    for _ in 0..TOTAL_MIB {
        gb.send_data(id, &TYPE, &payload).unwrap();
    }
    let (ha, a_id, done) = reader.join().unwrap();
    let throughput = mib_per_s(TOTAL_MIB * MIB, done - started);

    // Round trips: alice answers each message on her side of the connection.
    let ga2 = ga.clone();
    let echo = std::thread::spawn(move || {
        for _ in 0..ROUNDS + 10 {
            let (_, data) = next_data(&ha);
            ga2.send_data(a_id, &TYPE, &data).unwrap();
        }
    });
    let msg = [7u8; 16];
    let mut rtts = Vec::with_capacity(ROUNDS);
    for i in 0..ROUNDS + 10 {
        let t = Instant::now();
        gb.send_data(id, &TYPE, &msg).unwrap();
        let (_, back) = next_data(&hb);
        assert_eq!(back, msg);
        if i >= 10 {
            rtts.push(t.elapsed());
        }
    }
    echo.join().unwrap();
    rtts.sort();
    let r = (throughput, percentile(&rtts, 0.5), percentile(&rtts, 0.99));
    let _ = peernet::node::stop_node(&a.pn);
    let _ = peernet::node::stop_node(&b.pn);
    r
}

/// (throughput MiB/s, RTT p50, RTT p99) over one bare libp2p stream.
fn bare_libp2p() -> (f64, Duration, Duration) {
    const PROTO: libp2p_swarm::StreamProtocol =
        libp2p_swarm::StreamProtocol::new("/peernet-bench/raw/1");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (listener, mut incoming, addr) = support::Hostile::listen_for(PROTO).await;
        let target = (addr, listener.peer);
        let mut dialer = support::Hostile::connect(&target).await;
        let mut out = dialer.stream_of(&target, PROTO).await;
        let (_, mut inbound) = incoming.next().await.unwrap();
        // Throughput.
        let reader = tokio::spawn(async move {
            let mut buf = vec![0u8; MIB];
            let mut got = 0;
            while got < TOTAL_MIB * MIB {
                let n = inbound.read(&mut buf).await.unwrap();
                assert!(n > 0);
                got += n;
            }
            (inbound, Instant::now())
        });
        let payload = vec![0x5au8; MIB];
        let started = Instant::now();
        for _ in 0..TOTAL_MIB {
            out.write_all(&payload).await.unwrap();
        }
        out.flush().await.unwrap();
        let (mut inbound, done) = reader.await.unwrap();
        let throughput = mib_per_s(TOTAL_MIB * MIB, done - started);
        // Round trips.
        let echo = tokio::spawn(async move {
            let mut b = [0u8; 16];
            for _ in 0..ROUNDS + 10 {
                inbound.read_exact(&mut b).await.unwrap();
                inbound.write_all(&b).await.unwrap();
                inbound.flush().await.unwrap();
            }
        });
        let msg = [7u8; 16];
        let mut back = [0u8; 16];
        let mut rtts = Vec::with_capacity(ROUNDS);
        for i in 0..ROUNDS + 10 {
            let t = Instant::now();
            out.write_all(&msg).await.unwrap();
            out.flush().await.unwrap();
            out.read_exact(&mut back).await.unwrap();
            if i >= 10 {
                rtts.push(t.elapsed());
            }
        }
        echo.await.unwrap();
        rtts.sort();
        drop(dialer);
        drop(listener);
        (throughput, percentile(&rtts, 0.5), percentile(&rtts, 0.99))
    })
}

fn median(runs: &[(f64, Duration, Duration)]) -> (f64, Duration, Duration) {
    let mid = runs.len() / 2;
    let mut t: Vec<f64> = runs.iter().map(|r| r.0).collect();
    t.sort_by(f64::total_cmp);
    let mut p50: Vec<Duration> = runs.iter().map(|r| r.1).collect();
    p50.sort();
    let mut p99: Vec<Duration> = runs.iter().map(|r| r.2).collect();
    p99.sort();
    (t[mid], p50[mid], p99[mid])
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken.
    let (mut bare, mut nodes) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        bare.push(bare_libp2p());
        nodes.push(through_nodes());
    }
    let spread = |runs: &[(f64, Duration, Duration)]| {
        let lo = runs.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
        let hi = runs.iter().map(|r| r.0).fold(0.0, f64::max);
        format!("{lo:.0}–{hi:.0}")
    };
    println!(
        "{RUNS} runs each; throughput range bare {} MiB/s, nodes {} MiB/s",
        spread(&bare),
        spread(&nodes)
    );
    let ratios: Vec<f64> = bare.iter().zip(&nodes).map(|(b, n)| n.0 / b.0).collect();
    println!(
        "per-run ratios: {}",
        ratios
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let (bare, nodes) = (median(&bare), median(&nodes));
    println!("| path | throughput (64 × 1 MiB) | vs bare | RTT p50 (16 B) | RTT p99 |");
    println!("|---|---|---|---|---|");
    println!(
        "| bare libp2p stream (TCP + Noise + yamux) | {:.1} MiB/s | 1.00 × | {} | {} |",
        bare.0,
        show(bare.1),
        show(bare.2)
    );
    println!(
        "| PeerGroupSendData through both stores' nodes | {:.1} MiB/s | {:.2} × | {} | {} |",
        nodes.0,
        nodes.0 / bare.0,
        show(nodes.1),
        show(nodes.2)
    );
}
