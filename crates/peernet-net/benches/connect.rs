//! Connect + membership proof on loopback, side by side with a bare libp2p connect +
//! one ping over the same transport (TCP, Noise, yamux), both profiles. Each iteration
//! dials a fresh connection from the same node and closes it once done.

// `criterion_group!` generates an undocumented `pub fn`.
#![allow(missing_docs)]

use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, criterion_group};
use futures::StreamExt;
use libp2p_core::Multiaddr;
use libp2p_ping as ping;
use libp2p_swarm::Swarm;
use libp2p_swarm::SwarmEvent;
use peernet_crypto::cert::{GmcParams, GrcParams, IdcParams};
use peernet_crypto::{PrivateKey, Profile, Role};
use peernet_net::{Event, Events, GroupCredentials, Node, NodeConfig, NodeKey};

const WAIT: Duration = Duration::from_secs(10);

fn credentials(group_key: &PrivateKey, grc: &peernet_crypto::Certificate) -> GroupCredentials {
    let profile = group_key.profile();
    let now = SystemTime::now();
    let key = PrivateKey::generate(profile).unwrap();
    let idc = IdcParams::new(key.peer_name("m").unwrap(), "m", now)
        .unwrap()
        .issue(&key)
        .unwrap();
    let gmc = GmcParams::for_identity(&idc, &[Role::MEMBER], grc)
        .unwrap()
        .issue(grc, group_key)
        .unwrap();
    let group = grc.group_peer_name().unwrap();
    GroupCredentials::new(group, profile, vec![grc.clone(), gmc], key).unwrap()
}

async fn node() -> (Node, Events) {
    let config = NodeConfig {
        listen: vec!["127.0.0.1:0".parse().unwrap()],
        handshake_timeout: WAIT,
    };
    Node::start(NodeKey::generate().unwrap(), config)
        .await
        .unwrap()
}

async fn until(events: &mut Events, pred: impl Fn(&Event) -> bool) {
    tokio::time::timeout(WAIT, async {
        while let Some(e) = events.next().await {
            if pred(&e) {
                return;
            }
        }
    })
    .await
    .expect("event in time");
}

fn transport(
    key: &libp2p_identity::Keypair,
) -> libp2p_core::transport::Boxed<(libp2p_identity::PeerId, libp2p_core::muxing::StreamMuxerBox)> {
    use libp2p_core::Transport as _;
    libp2p_tcp::tokio::Transport::new(libp2p_tcp::Config::default().nodelay(true))
        .upgrade(libp2p_core::upgrade::Version::V1)
        .authenticate(libp2p_noise::Config::new(key).unwrap())
        .multiplex(libp2p_yamux::Config::default())
        .boxed()
}

fn ping_swarm() -> Swarm<ping::Behaviour> {
    let key = libp2p_identity::Keypair::generate_ed25519();
    let peer = key.public().to_peer_id();
    Swarm::new(
        transport(&key),
        ping::Behaviour::new(ping::Config::new().with_interval(Duration::from_secs(3600))),
        peer,
        libp2p_swarm::Config::with_tokio_executor().with_idle_connection_timeout(WAIT),
    )
}

/// Two member nodes of one group of `profile`: (dialer, its events, target, its events).
struct ProofPair {
    a: Node,
    ea: Events,
    b: Node,
    eb: Events,
}

impl ProofPair {
    async fn new(profile: Profile) -> ProofPair {
        let group_key = PrivateKey::generate(profile).unwrap();
        let name = group_key.peer_name("bench").unwrap();
        let grc = GrcParams::new(name, "bench", SystemTime::now())
            .unwrap()
            .issue(&group_key)
            .unwrap();
        let (a, ea) = node().await;
        let (b, eb) = node().await;
        a.join_group(credentials(&group_key, &grc));
        b.join_group(credentials(&group_key, &grc));
        ProofPair { a, ea, b, eb }
    }

    /// One connect until both sides authenticated (timed), then its close (not timed).
    async fn once(&mut self) -> Duration {
        let target = self.a.listen_addrs()[0];
        let t = Instant::now();
        let id = self.b.dial(target).await.unwrap();
        until(
            &mut self.eb,
            |e| matches!(e, Event::PeerAuthenticated { connection, .. } if *connection == id),
        )
        .await;
        until(&mut self.ea, |e| {
            matches!(e, Event::PeerAuthenticated { .. })
        })
        .await;
        let took = t.elapsed();
        self.b.close(id).await.unwrap();
        until(&mut self.eb, |e| matches!(e, Event::Disconnected { .. })).await;
        until(&mut self.ea, |e| matches!(e, Event::Disconnected { .. })).await;
        took
    }
}

/// Two bare libp2p swarms (TCP, Noise, yamux, ping).
struct PingPair {
    server: Swarm<ping::Behaviour>,
    client: Swarm<ping::Behaviour>,
    addr: Multiaddr,
}

impl PingPair {
    async fn new() -> PingPair {
        let mut server = ping_swarm();
        server
            .listen_on("/ip4/127.0.0.1/tcp/0".parse().unwrap())
            .unwrap();
        let addr: Multiaddr = loop {
            if let SwarmEvent::NewListenAddr { address, .. } = server.select_next_some().await {
                break address;
            }
        };
        PingPair {
            server,
            client: ping_swarm(),
            addr,
        }
    }

    /// One connect and ping round trip (timed), then its close (not timed).
    async fn once(&mut self) -> Duration {
        let (server, client) = (&mut self.server, &mut self.client);
        let t = Instant::now();
        client.dial(self.addr.clone()).unwrap();
        let peer = tokio::time::timeout(WAIT, async {
            loop {
                tokio::select! {
                    e = client.select_next_some() => {
                        if let SwarmEvent::Behaviour(ping::Event { result: Ok(_), peer, .. }) = e {
                            break peer;
                        }
                    }
                    _ = server.select_next_some() => {}
                }
            }
        })
        .await
        .expect("ping in time");
        let took = t.elapsed();
        let _ = client.disconnect_peer_id(peer);
        tokio::time::timeout(WAIT, async {
            loop {
                tokio::select! {
                    e = client.select_next_some() => {
                        if let SwarmEvent::ConnectionClosed { .. } = e { break; }
                    }
                    _ = server.select_next_some() => {}
                }
            }
        })
        .await
        .expect("closed in time");
        took
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("loopback_connect");
    g.sample_size(30).measurement_time(Duration::from_secs(8));
    for profile in [Profile::Windows, Profile::Modern] {
        let mut pair = rt.block_on(ProofPair::new(profile));
        g.bench_function(format!("proof_{}", profile.as_str()), |bench| {
            bench.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        total += pair.once().await;
                    }
                    total
                })
            })
        });
    }
    // Bare libp2p: connect and one ping round trip.
    let mut ping = rt.block_on(PingPair::new());
    g.bench_function("bare_libp2p_ping", |bench| {
        bench.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += ping.once().await;
                }
                total
            })
        })
    });
    g.finish();
}

/// p50 and p99 of `n` connects of each case, interleaved round-robin so that every case
/// sees the same machine conditions; printed as a table (docs/PERFORMANCE.md).
fn percentiles(n: usize) {
    let rt = runtime();
    let (mut windows, mut modern, mut bare) = rt.block_on(async {
        (
            ProofPair::new(Profile::Windows).await,
            ProofPair::new(Profile::Modern).await,
            PingPair::new().await,
        )
    });
    let mut samples: [Vec<Duration>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    rt.block_on(async {
        for _ in 0..n {
            samples[0].push(bare.once().await);
            samples[1].push(modern.once().await);
            samples[2].push(windows.once().await);
        }
    });
    let pick = |v: &mut Vec<Duration>, q: usize| {
        v.sort();
        v[(v.len() * q / 100).min(v.len() - 1)]
    };
    let [mut b, mut m, mut w] = samples;
    let (b50, b99) = (pick(&mut b, 50), pick(&mut b, 99));
    println!("\nconnect until both sides authenticated, {n} samples each, interleaved:");
    println!("| case | p50 | p99 | p50 vs bare | p99 vs bare |");
    println!("|---|---|---|---|---|");
    for (name, v) in [
        ("bare libp2p connect + ping", &mut b),
        ("connect + proof, modern (P-256)", &mut m),
        ("connect + proof, windows (RSA-1024)", &mut w),
    ] {
        let (p50, p99) = (pick(v, 50), pick(v, 99));
        println!(
            "| {name} | {:.2} ms | {:.2} ms | {:.2} × | {:.2} × |",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            p50.as_secs_f64() / b50.as_secs_f64(),
            p99.as_secs_f64() / b99.as_secs_f64()
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Only under `cargo bench` (which passes --bench), not when tests build benches.
    if std::env::args().any(|a| a == "--bench") {
        let n = std::env::var("PEERNET_BENCH_SAMPLES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300);
        percentiles(n);
    }
}
