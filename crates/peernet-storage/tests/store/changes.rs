//! The change log and `ChangeWatcher`: events for every kind of change, in order, across
//! threads and processes; latency and idle CPU are measured and printed.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use peernet_storage::{
    ChangeEvent, MemberChangeType, MemberRow, RecordChangeType, SecretUpdate, Store, event_type,
};

use crate::common::{guid, record, store_with_group, tempdir};

/// Records the writer child adds.
const WRITER_RECORDS: u32 = 40;
/// Pause between the writer child's operations, so that latency is measured per change.
const WRITER_PAUSE: Duration = Duration::from_millis(15);

fn rec_event(change: RecordChangeType, i: u32) -> ChangeEvent {
    ChangeEvent::RecordChanged {
        change,
        record_id: guid(i),
        record_type: record(i).record_type,
    }
}

/// The events the writer child causes, in order.
fn writer_events() -> Vec<ChangeEvent> {
    let mut events = Vec::new();
    for k in 0..WRITER_RECORDS {
        events.push(rec_event(RecordChangeType::Added, k));
        match k % 4 {
            1 => events.push(rec_event(RecordChangeType::Updated, k)),
            3 => events.push(rec_event(RecordChangeType::Deleted, k)),
            _ => {}
        }
    }
    events.push(ChangeEvent::StatusChanged { status: 3 });
    events.push(ChangeEvent::PropertyChanged);
    events.push(ChangeEvent::MemberChanged {
        change: MemberChangeType::Joined,
        member_peer_name: "b.y".into(),
    });
    events
}

/// Child role `record-writer`: makes the changes of [`writer_events`].
pub fn record_writer(dir: &Path) {
    let store = Store::open(dir).expect("open");
    for k in 0..WRITER_RECORDS {
        store.insert_record("a.x", "g.1", &record(k)).expect("add");
        std::thread::sleep(WRITER_PAUSE);
        match k % 4 {
            1 => {
                let mut next = record(k);
                next.version = 2;
                next.data = b"updated".to_vec();
                store.update_record("a.x", "g.1", &next, 1).expect("update");
                std::thread::sleep(WRITER_PAUSE);
            }
            3 => {
                store.delete_record("a.x", "g.1", &guid(k)).expect("delete");
                std::thread::sleep(WRITER_PAUSE);
            }
            _ => {}
        }
    }
    store.set_group_status("a.x", "g.1", 3).expect("status");
    std::thread::sleep(WRITER_PAUSE);
    let mut props = store.group("a.x", "g.1").expect("group").properties;
    props.comment = "changed by the child".into();
    store
        .update_group_properties("a.x", "g.1", &props, SecretUpdate::Keep)
        .expect("properties");
    std::thread::sleep(WRITER_PAUSE);
    store
        .upsert_member(
            "a.x",
            "g.1",
            &MemberRow {
                peer_name: "b.y".into(),
                flags: 1,
                attributes: None,
                node_id: Some(7),
                gmc_chain: None,
            },
        )
        .expect("member");
    println!("DONE");
}

fn latency_ms(time: SystemTime) -> f64 {
    SystemTime::now()
        .duration_since(time)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

#[test]
fn watcher_receives_another_process_changes_in_order() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    let store_dir = dir.path().join("store");
    let mut watcher = store.watch_changes("a.x", "g.1").expect("watch");
    let child = crate::processes::child_command("record-writer", &store_dir, 0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let expected = writer_events();
    let mut got = Vec::new();
    let mut latencies = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while got.len() < expected.len() && Instant::now() < deadline {
        for change in watcher.wait(Duration::from_secs(1)).expect("wait") {
            latencies.push(latency_ms(change.time));
            got.push(change);
        }
    }
    let out = child.wait_with_output().expect("child");
    assert!(
        out.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<ChangeEvent> = got.iter().map(|c| c.event.clone()).collect();
    assert_eq!(events, expected);
    assert!(got.windows(2).all(|w| w[0].seq < w[1].seq));
    assert!(
        got.iter()
            .all(|c| c.identity == "a.x" && c.group_peer_name == "g.1")
    );
    assert_eq!(watcher.last_seq(), got.last().expect("some").seq);
    // Nothing more arrives.
    assert!(
        watcher
            .wait(Duration::from_millis(100))
            .expect("wait")
            .is_empty()
    );
    latencies.sort_by(f64::total_cmp);
    let max = latencies.last().copied().unwrap_or(0.0);
    let median = latencies[latencies.len() / 2];
    eprintln!(
        "cross-process event latency over {} changes: median {median:.1} ms, max {max:.1} ms",
        latencies.len()
    );
    assert!(max < 5_000.0, "an event took {max} ms");
}

#[test]
fn watcher_in_the_same_process_is_woken_at_once() {
    let dir = tempdir();
    let store = Arc::new(store_with_group(dir.path()));
    let mut watcher = store.watch_changes("a.x", "g.1").expect("watch");
    // A long poll interval: only the in-process wake-up can make this fast.
    watcher.set_poll_interval(Duration::from_secs(5));
    let writer = {
        let store = Arc::clone(&store);
        std::thread::spawn(move || {
            for i in 0..5 {
                std::thread::sleep(Duration::from_millis(20));
                store.insert_record("a.x", "g.1", &record(i)).expect("add");
            }
        })
    };
    let mut got = Vec::new();
    let mut max = 0.0f64;
    let started = Instant::now();
    while got.len() < 5 && started.elapsed() < Duration::from_secs(30) {
        for c in watcher.wait(Duration::from_secs(10)).expect("wait") {
            max = max.max(latency_ms(c.time));
            got.push(c);
        }
    }
    writer.join().expect("writer");
    assert_eq!(got.len(), 5);
    eprintln!("in-process event latency: max {max:.1} ms");
    assert!(
        max < 2_500.0,
        "in-process wake-up did not happen ({max} ms)"
    );
}

#[test]
fn event_kinds_status_property_and_filtering() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    store
        .insert_group(
            &crate::common::group("a.x", "g.2", 1),
            peernet_storage::GroupSecrets::default(),
        )
        .expect("second group");
    let mut watcher = store.watch_changes("a.x", "g.1").expect("watch");
    assert!(watcher.poll().expect("poll").is_empty());
    store.set_group_status("a.x", "g.1", 1).expect("status");
    store
        .set_group_status("a.x", "g.1", 1)
        .expect("same status: no event");
    store
        .insert_record("a.x", "g.2", &record(1))
        .expect("other group");
    let props = store.group("a.x", "g.1").expect("group").properties;
    store
        .update_group_properties("a.x", "g.1", &props, SecretUpdate::Keep)
        .expect("properties");
    store
        .upsert_group(
            &crate::common::group("a.x", "g.1", 2),
            peernet_storage::GroupSecrets::default(),
        )
        .expect("re-import config");
    let events: Vec<(u32, ChangeEvent)> = watcher
        .wait(Duration::from_secs(5))
        .expect("wait")
        .into_iter()
        .map(|c| (c.event.event_type(), c.event))
        .collect();
    assert_eq!(
        events,
        [
            (
                event_type::PEER_GROUP_EVENT_STATUS_CHANGED,
                ChangeEvent::StatusChanged { status: 1 }
            ),
            (
                event_type::PEER_GROUP_EVENT_PROPERTY_CHANGED,
                ChangeEvent::PropertyChanged
            ),
            (
                event_type::PEER_GROUP_EVENT_PROPERTY_CHANGED,
                ChangeEvent::PropertyChanged
            ),
        ]
    );
    assert_eq!(
        rec_event(RecordChangeType::Added, 1).event_type(),
        event_type::PEER_GROUP_EVENT_RECORD_CHANGED
    );
    assert_eq!(
        ChangeEvent::MemberChanged {
            change: MemberChangeType::Updated,
            member_peer_name: String::new()
        }
        .event_type(),
        event_type::PEER_GROUP_EVENT_MEMBER_CHANGED
    );
    assert_eq!(store.changes_since("a.x", "g.2", 0).expect("g.2").len(), 1);
    assert!(matches!(
        store.watch_changes("a.x", "nope"),
        Err(peernet_storage::Error::NotFound { .. })
    ));
}

#[test]
fn watcher_times_out_empty_and_resumes_from_a_sequence() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    for i in 0..3 {
        store.insert_record("a.x", "g.1", &record(i)).expect("add");
    }
    let started = Instant::now();
    let mut watcher = store.watch_changes("a.x", "g.1").expect("watch");
    assert!(
        watcher
            .wait(Duration::from_millis(80))
            .expect("wait")
            .is_empty()
    );
    assert!(started.elapsed() >= Duration::from_millis(80));
    let mut from_start = store.watch_changes_after("a.x", "g.1", 0).expect("watch");
    assert_eq!(
        from_start.wait(Duration::from_secs(1)).expect("wait").len(),
        3
    );
    let first = store.changes_since("a.x", "g.1", 0).expect("all")[0].seq;
    assert_eq!(
        store
            .changes_since("a.x", "g.1", first)
            .expect("rest")
            .len(),
        2
    );
}

#[test]
fn prune_removes_old_rows_only() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    store.insert_record("a.x", "g.1", &record(1)).expect("add");
    assert_eq!(
        store
            .prune_changes(SystemTime::now() - Duration::from_secs(60))
            .expect("prune"),
        0
    );
    let seq = store.last_change_seq("a.x", "g.1").expect("seq");
    assert_eq!(
        store
            .prune_changes(SystemTime::now() + Duration::from_secs(1))
            .expect("prune"),
        1
    );
    assert_eq!(store.last_change_seq("a.x", "g.1").expect("seq"), 0);
    // Sequence numbers are never reused after pruning.
    store.insert_record("a.x", "g.1", &record(2)).expect("add");
    assert!(store.last_change_seq("a.x", "g.1").expect("seq") > seq);
}

/// CPU time of the calling thread, from /proc (Linux); `None` elsewhere.
fn thread_cpu() -> Option<Duration> {
    if let Ok(s) = std::fs::read_to_string("/proc/thread-self/schedstat") {
        let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
        return Some(Duration::from_nanos(ns));
    }
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat; `rest` starts at field 3.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

#[test]
fn idle_watcher_costs_little_cpu() {
    let secs: u64 = std::env::var("PEERNET_WATCHER_IDLE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let dir = tempdir();
    let store = store_with_group(dir.path());
    let mut watcher = store.watch_changes("a.x", "g.1").expect("watch");
    let Some(before) = thread_cpu() else {
        eprintln!("no per-thread CPU clock here; skipping the measurement");
        return;
    };
    let wall = Instant::now();
    assert!(
        watcher
            .wait(Duration::from_secs(secs))
            .expect("wait")
            .is_empty()
    );
    let wall = wall.elapsed();
    let cpu = thread_cpu().expect("cpu") - before;
    let share = cpu.as_secs_f64() / wall.as_secs_f64();
    eprintln!(
        "idle watcher: {cpu:?} CPU over {wall:?} wall ({:.3} %, poll every {:?})",
        share * 100.0,
        peernet_storage::DEFAULT_POLL_INTERVAL
    );
    assert!(share < 0.25, "idle watcher used {:.1} % CPU", share * 100.0);
}
