//! Connect + membership proof on loopback, side by side with a bare libp2p connect +
//! one ping over the same transport (TCP, Noise, yamux), both profiles. Each iteration
//! dials a fresh connection from the same node and closes it once done.

// `criterion_group!` generates an undocumented `pub fn`.
#![allow(missing_docs)]

use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
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

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut g = c.benchmark_group("loopback_connect");
    g.sample_size(30).measurement_time(Duration::from_secs(8));
    for profile in [Profile::Windows, Profile::Modern] {
        let group_key = PrivateKey::generate(profile).unwrap();
        let name = group_key.peer_name("bench").unwrap();
        let grc = GrcParams::new(name, "bench", SystemTime::now())
            .unwrap()
            .issue(&group_key)
            .unwrap();
        let (a, mut ea, b, mut eb) = rt.block_on(async {
            let (a, ea) = node().await;
            let (b, eb) = node().await;
            (a, ea, b, eb)
        });
        a.join_group(credentials(&group_key, &grc));
        b.join_group(credentials(&group_key, &grc));
        let target = a.listen_addrs()[0];
        g.bench_function(format!("proof_{}", profile.as_str()), |bench| {
            bench.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let t = Instant::now();
                        let id = b.dial(target).await.unwrap();
                        until(&mut eb, |e| matches!(e, Event::PeerAuthenticated { connection, .. } if *connection == id)).await;
                        until(&mut ea, |e| matches!(e, Event::PeerAuthenticated { .. })).await;
                        total += t.elapsed();
                        b.close(id).await.unwrap();
                        until(&mut eb, |e| matches!(e, Event::Disconnected { .. })).await;
                        until(&mut ea, |e| matches!(e, Event::Disconnected { .. })).await;
                    }
                    total
                })
            })
        });
    }
    // Bare libp2p: connect and one ping round trip.
    let (mut server, mut client, addr) = rt.block_on(async {
        let mut server = ping_swarm();
        server
            .listen_on("/ip4/127.0.0.1/tcp/0".parse().unwrap())
            .unwrap();
        let addr: Multiaddr = loop {
            if let SwarmEvent::NewListenAddr { address, .. } = server.select_next_some().await {
                break address;
            }
        };
        (server, ping_swarm(), addr)
    });
    g.bench_function("bare_libp2p_ping", |bench| {
        bench.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    client.dial(addr.clone()).unwrap();
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
                    total += t.elapsed();
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
                }
                total
            })
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
