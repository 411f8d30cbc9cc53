//! Replication figures for `docs/PERFORMANCE.md` ("Replication"), all in one run:
//!
//! 1. reconciliation cost of two 1,000,000-record sets differing by 100 records (bytes
//!    and round trips of the exchange, next to Windows' hash-based sync computed for
//!    the same sets);
//! 2. a fresh member synchronizing N records (default 100,000; `PEERNET_BENCH_RECORDS`)
//!    over loopback, next to the floor of the same run: verifying N signatures plus one
//!    bulk insert of N rows;
//! 3. propagation of a record to every member of a 20-member group on loopback, p50 and
//!    p99 over 50 records × 19 receivers;
//! 4. the process's peak RSS.
//!
//! `cargo bench -p peernet --bench replication` (release). Not a test: nothing is
//! asserted.

use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime};

use peernet::replication::reconcile::{Set, Step, item_hash, windows_hash_sync_bytes};
use peernet::replication::validate::{Validator, Verdict};
use peernet::replication::wire::Message;
use peernet::{Group, GroupProperties, Guid, NodeLaunch, Options, Peernet, Profile, Record, Role};
use sha2::{Digest, Sha256};

const TYPE: Guid = Guid::from_fields(0x4d5b_2f11, 0x6522, 0x433b, [1, 2, 3, 4, 5, 6, 7, 8]);

fn id(n: u64) -> [u8; 16] {
    let d = Sha256::digest(n.to_be_bytes());
    let mut id = [0u8; 16];
    id.copy_from_slice(&d[..16]);
    id
}

fn reconcile_cost() {
    let n = 1_000_000u64;
    // 100 differences: 34 records only on A, 33 only on B, 33 in another version on B.
    let a = Set::new((0..n + 34).map(|k| (id(k), item_hash(&id(k), 1, b"sig"))));
    let b = Set::new((34..n + 67).map(|k| {
        let v = if k >= n + 34 || k < 67 { 2 } else { 1 };
        (id(k), item_hash(&id(k), v, b"sig"))
    }));
    let started = Instant::now();
    let mut bytes = 0usize;
    let mut messages = 0usize;
    let mut msg = a.initiate();
    let mut turn_b = true;
    let mut transfer: HashSet<[u8; 16]> = HashSet::new();
    let mut wants = 0usize;
    while !msg.is_empty() {
        bytes += 4 + Message::Ranges(msg.clone()).encode().unwrap().len();
        messages += 1;
        let (side, other) = if turn_b { (&b, &a) } else { (&a, &b) };
        let Step { reply, send, want } = side.respond(&msg);
        transfer.extend(send);
        if !want.is_empty() {
            bytes += 4 + Message::Want(want.clone()).encode().unwrap().len();
            wants += 1;
            transfer.extend(want.iter().filter_map(|h| other.id_of(*h)));
        }
        msg = reply;
        turn_b = !turn_b;
    }
    let took = started.elapsed();
    println!("## reconcile 1,000,000 vs 1,000,000 differing by 100");
    println!(
        "| exchange | bytes (ranges + wants) | messages | round trips | records to transfer |"
    );
    println!("|---|---|---|---|---|");
    println!(
        "| peernet range-based (branch 16, lists ≤ 16) | {} ({:.1} KiB) | {} ranges + {} wants | {} | {} |",
        bytes,
        bytes as f64 / 1024.0,
        messages,
        wants,
        messages.div_ceil(2),
        transfer.len()
    );
    let w = windows_hash_sync_bytes(n, 100);
    println!(
        "| Windows hash sync (computed, [MS-PPGRH] 3.1.7.31) | {} ({:.1} KiB) | 1 abstract + advertise/request | 2 | 100 |",
        w,
        w as f64 / 1024.0
    );
    println!("(computing the exchange in memory: {took:.2?})\n");
}

struct Store {
    _dir: tempfile::TempDir,
    pn: Peernet,
    identity: String,
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = peernet::node::stop_node(&self.pn);
    }
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

fn group(stores: &[&Store]) -> Vec<Group> {
    let g = stores[0]
        .pn
        .group_create(
            &GroupProperties::new("bench", "Bench")
                .with_creator(&stores[0].identity)
                .with_profile(Profile::Modern),
        )
        .unwrap();
    let mut out = vec![g.clone()];
    for s in &stores[1..] {
        let info = s.pn.identity_get_xml(Some(&s.identity)).unwrap();
        let inv = g.create_invitation(&info, None, &[Role::MEMBER]).unwrap();
        out.push(s.pn.group_join(Some(&s.identity), &inv, None).unwrap());
    }
    out
}

fn count(g: &Group, pn: &Peernet) -> u64 {
    pn.store()
        .record_count(g.identity(), g.peer_name(), None)
        .unwrap_or(0)
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn fresh_sync(n: usize) {
    let runtime = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        store("alice", runtime.path()),
        store("bob", runtime.path()),
        store("carol", runtime.path()),
    );
    let g = group(&[&a, &b, &c]);
    let expires = SystemTime::now() + Duration::from_secs(86_400);
    let started = Instant::now();
    for chunk in 0..n.div_ceil(5000) {
        let k = 5000.min(n - chunk * 5000);
        let batch: Vec<Record> = (0..k)
            .map(|i| {
                Record::new(TYPE, expires)
                    .with_data(format!("record {chunk}/{i} with some payload").into_bytes())
            })
            .collect();
        g[0].add_records(&batch).unwrap();
    }
    let publish = started.elapsed();
    let rss_before = peak_rss_kib();

    // The floor: verify every signature (as the receiver does) and insert every row in
    // one transaction into a store that never held them.
    let rows =
        a.pn.store()
            .records(&a.identity, g[0].peer_name(), None)
            .unwrap();
    let t = Instant::now();
    let mut v = Validator::new(&g[0]).unwrap();
    let valid = rows.iter().filter(|r| v.check(r) == Verdict::Valid).count();
    let verify = t.elapsed();
    assert_eq!(valid, n);
    let t = Instant::now();
    c.pn.store()
        .insert_records(&c.identity, g[2].peer_name(), &rows)
        .unwrap();
    let insert = t.elapsed();
    drop(rows);

    // The sync itself.
    g[0].connect().unwrap();
    let t = Instant::now();
    g[1].connect().unwrap();
    let deadline = Instant::now() + Duration::from_secs(600);
    while count(&g[1], &b.pn) < n as u64 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let sync = t.elapsed();
    let got = count(&g[1], &b.pn);
    let floor = verify + insert;
    println!("## fresh member syncs {n} records (loopback, both nodes in this process)");
    println!("| measure | time | vs floor |");
    println!("|---|---|---|");
    println!("| floor: verify {n} signatures | {verify:.2?} | |");
    println!("| floor: one bulk insert of {n} rows | {insert:.2?} | |");
    println!("| floor total | {floor:.2?} | 1.00 × |");
    println!(
        "| sync from connect until {got} records stored | {sync:.2?} | {:.2} × |",
        sync.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "(publishing them on alice took {publish:.2?}; peak RSS before the sync {} MiB, after {} MiB)\n",
        rss_before / 1024,
        peak_rss_kib() / 1024
    );
}

fn propagation() {
    let runtime = tempfile::tempdir().unwrap();
    let n = 20;
    let stores: Vec<Store> = (0..n)
        .map(|i| store(&format!("m{i}"), runtime.path()))
        .collect();
    let refs: Vec<&Store> = stores.iter().collect();
    let g = group(&refs);
    let expires = SystemTime::now() + Duration::from_secs(3600);
    for gi in &g {
        gi.add_record(&Record::new(TYPE, expires)).unwrap();
        gi.connect().unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while g
        .iter()
        .zip(&stores)
        .any(|(gi, s)| count(gi, &s.pn) < n as u64)
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut samples = Vec::new();
    let mut last_all = Vec::new();
    for k in 0..50 {
        let origin = k % n;
        // One watcher per receiver, woken by its store's commits.
        let watchers: Vec<_> = (0..n)
            .filter(|&i| i != origin)
            .map(|i| {
                stores[i]
                    .pn
                    .store()
                    .watch_changes(g[i].identity(), g[i].peer_name())
                    .unwrap()
            })
            .collect();
        let t0 = Instant::now();
        let rid = g[origin].add_record(&Record::new(TYPE, expires)).unwrap();
        let handles: Vec<_> = watchers
            .into_iter()
            .map(|mut w| {
                std::thread::spawn(move || {
                    let deadline = t0 + Duration::from_secs(30);
                    while Instant::now() < deadline {
                        for c in w.wait(Duration::from_millis(100)).unwrap_or_default() {
                            if let peernet_storage::ChangeEvent::RecordChanged { record_id, .. } =
                                c.event
                                && record_id == rid
                            {
                                return Some(t0.elapsed());
                            }
                        }
                    }
                    None
                })
            })
            .collect();
        let mut worst = Duration::ZERO;
        for h in handles {
            if let Some(d) = h.join().unwrap() {
                samples.push(d);
                worst = worst.max(d);
            }
        }
        last_all.push(worst);
    }
    samples.sort();
    last_all.sort();
    let pct = |v: &[Duration], p: f64| v[((v.len() - 1) as f64 * p) as usize];
    println!("## propagation to a 20-member group (loopback, 20 nodes in this process, 2 cores)");
    println!("| measure | p50 | p99 | samples |");
    println!("|---|---|---|---|");
    println!(
        "| one receiver | {:.2?} | {:.2?} | {} |",
        pct(&samples, 0.5),
        pct(&samples, 0.99),
        samples.len()
    );
    println!(
        "| all 19 receivers | {:.2?} | {:.2?} | {} |",
        pct(&last_all, 0.5),
        pct(&last_all, 0.99),
        last_all.len()
    );
    println!();
}

fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let n = std::env::var("PEERNET_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    // The sync first, so that its peak RSS is not the reconciliation's 1M-item sets.
    fresh_sync(n);
    reconcile_cost();
    propagation();
    println!("peak RSS of the whole run: {} MiB", peak_rss_kib() / 1024);
}
