//! Replication in the node: one session per (group, authenticated neighbour) on a group
//! data stream, and one change-log watcher per group for the changes this store's
//! processes make.
//!
//! A session (see [`crate::replication`]) starts with both sides sending the GMC
//! chains they know (`Members`); the side whose PeerId is lower opens the stream and
//! starts the reconciliation; records the other side lacks, or asks for (`Want`), are
//! sent in batches. When the exchange has ended and every `Want` is answered, the
//! session is synchronized: the group listens from then on ([MS-PPSEC] 3.1.7.3: after
//! the database is synchronized). After that the session carries floods: every record
//! this store accepted from a neighbour, and every local change, goes to the other
//! neighbours; a record is applied (and relayed) only when it is newer than the stored
//! one, which suppresses duplicates.
//!
//! Database work runs on tokio's blocking pool, never on the network thread.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures::{AsyncReadExt, AsyncWriteExt};
use peernet_net::{DataStream, PeerId};
use peernet_storage::{ChangeEvent, Guid, MemberChangeType, RecordChangeType, RecordRow};
use tokio::sync::mpsc;

use super::service::Shared;
use crate::replication::reconcile::{Set, item_hash};
use crate::replication::validate::{Validator, Verdict, replaces};
use crate::replication::wire::{
    Message, RECORDS_BATCH_BYTES, read_message, record_len, write_message,
};

/// A group of the node, by (identity, group peer name).
pub(crate) type Key = (String, String);

/// Messages waiting for one session's writer.
pub(crate) const SESSION_QUEUE: usize = 4096;
/// Records whose modifier's membership has not arrived, kept per group; past this the
/// oldest are dropped (the next synchronization brings them again).
pub(crate) const MAX_DEFERRED: usize = 10_000;
/// Remembered relayed items and applied versions per group; past this the sets start
/// over (a repeat is then dropped by its receivers as "already present").
const MAX_SEEN: usize = 100_000;
/// Tries to open a session's stream.
const OPEN_ATTEMPTS: usize = 5;
/// Ids read from the store per batch when answering.
const READ_BATCH: usize = 512;

struct Session {
    tx: mpsc::Sender<Message>,
    writer: tokio::task::AbortHandle,
    cancel: Arc<tokio::sync::Notify>,
}

impl Session {
    fn close(&self) {
        self.writer.abort();
        self.cancel.notify_one();
    }
}

#[derive(Default)]
struct GroupReplica {
    sessions: HashMap<PeerId, Session>,
    deferred: Vec<RecordRow>,
    /// (id, version) applied from the network: the change-log watcher does not send
    /// them again.
    recent: HashSet<(Guid, u32)>,
    /// Item hashes this node has relayed or sent as its own (each goes out once).
    seen: HashSet<u64>,
    /// Each session's clock offset (its UTC minus ours, FILETIME ticks).
    offsets: HashMap<PeerId, i64>,
    /// A validator kept between batches (its cached memberships), with its age.
    validator: Option<(Validator, Instant)>,
    stop: Arc<AtomicBool>,
}

/// The replication state of a node.
#[derive(Default)]
pub(crate) struct Replicas {
    groups: Mutex<HashMap<Key, GroupReplica>>,
}

impl Replicas {
    fn lock(&self) -> MutexGuard<'_, HashMap<Key, GroupReplica>> {
        self.groups
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The group's peer-time offset from this node's UTC (FILETIME ticks): the mean of the
/// clocks of this node and its synchronizing neighbours ([MS-PPGRH] 1.3.6), so that
/// two neighbours agree exactly and a larger group approximately. `None` without a
/// neighbour's clock yet.
pub(crate) fn peer_time_offset(shared: &Shared, key: &Key) -> Option<i64> {
    let groups = shared.replicas.lock();
    let g = groups.get(key)?;
    if g.offsets.is_empty() {
        return None;
    }
    let sum: i128 = g.offsets.values().map(|o| i128::from(*o)).sum();
    i64::try_from(sum / (g.offsets.len() as i128 + 1)).ok()
}

fn now_filetime() -> u64 {
    crate::time::to_filetime(std::time::SystemTime::now())
}

/// Starts replicating `key`: its change-log watcher.
pub(crate) fn start_group(shared: &Arc<Shared>, key: &Key) {
    let stop = {
        let mut groups = shared.replicas.lock();
        if groups.contains_key(key) {
            return;
        }
        let g = groups.entry(key.clone()).or_default();
        g.stop.clone()
    };
    let shared = shared.clone();
    let key = key.clone();
    std::thread::spawn(move || watch_local_changes(&shared, &key, &stop));
}

/// Stops replicating `key`: sessions end, the watcher stops.
pub(crate) fn stop_group(shared: &Shared, key: &Key) {
    if let Some(g) = shared.replicas.lock().remove(key) {
        g.stop.store(true, Ordering::Relaxed);
        for s in g.sessions.values() {
            s.close();
        }
    }
}

/// A neighbour proved `key`'s group: the lower PeerId opens the session.
pub(crate) fn on_authenticated(shared: &Arc<Shared>, key: &Key, peer: PeerId) {
    if shared.node.peer_id() >= peer {
        return;
    }
    let Some(name) = shared.group_name(key) else {
        return;
    };
    if shared
        .replicas
        .lock()
        .get(key)
        .is_none_or(|g| g.sessions.contains_key(&peer))
    {
        return;
    }
    let shared = shared.clone();
    let key = key.clone();
    tokio::spawn(async move {
        // Two nodes that dialed each other at once hold two connections and libp2p
        // closes one; a stream opened on it fails: try again while still proven.
        for attempt in 0..OPEN_ATTEMPTS {
            match shared.node.open_data_stream(peer, &name).await {
                Ok(stream) => return run_session(shared, key, peer, stream, true).await,
                Err(e)
                    if attempt + 1 == OPEN_ATTEMPTS
                        || !shared.node.is_authenticated(&peer, &name) =>
                {
                    eprintln!("peernet node: cannot open replication to {peer}: {e}");
                    return;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    });
}

/// An inbound data stream for `group` from `peer` (already gated by the node).
pub(crate) fn on_inbound(shared: &Arc<Shared>, peer: PeerId, group: &str, stream: DataStream) {
    let Some(key) = shared.key_of(group) else {
        return;
    };
    let shared = shared.clone();
    tokio::spawn(async move { run_session(shared, key, peer, stream, false).await });
}

/// Runs `f` on the blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(f).await.ok()
}

fn load_set(shared: &Shared, key: &Key) -> Set {
    let mut items = Vec::new();
    let r = shared
        .ctx
        .store
        .for_each_record_item(&key.0, &key.1, |id, version, sd| {
            let id = *id.as_bytes();
            items.push((id, item_hash(&id, version, sd)));
        });
    if let Err(e) = r {
        eprintln!("peernet node: cannot read the records of {}: {e}", key.1);
    }
    Set::new(items)
}

/// Reads the records `ids` and splits them into `Records` messages of about
/// [`RECORDS_BATCH_BYTES`].
fn record_messages(shared: &Shared, key: &Key, ids: &[Guid]) -> Vec<Message> {
    let mut out = Vec::new();
    let mut batch = Vec::new();
    let mut bytes = 0;
    for chunk in ids.chunks(READ_BATCH) {
        let rows = match shared.ctx.store.records_by_ids(&key.0, &key.1, chunk) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("peernet node: cannot read records of {}: {e}", key.1);
                continue;
            }
        };
        for r in rows {
            bytes += record_len(&r);
            batch.push(r);
            if bytes >= RECORDS_BATCH_BYTES {
                out.push(Message::Records(std::mem::take(&mut batch)));
                bytes = 0;
            }
        }
    }
    if !batch.is_empty() {
        out.push(Message::Records(batch));
    }
    out
}

fn batches(rows: Vec<RecordRow>) -> Vec<Message> {
    let mut out = Vec::new();
    let mut batch = Vec::new();
    let mut bytes = 0;
    for r in rows {
        bytes += record_len(&r);
        batch.push(r);
        if bytes >= RECORDS_BATCH_BYTES {
            out.push(Message::Records(std::mem::take(&mut batch)));
            bytes = 0;
        }
    }
    if !batch.is_empty() {
        out.push(Message::Records(batch));
    }
    out
}

/// What validation made of a batch of received records.
#[derive(Default)]
struct Checked {
    valid: Vec<RecordRow>,
    deferred: Vec<RecordRow>,
}

/// How long a kept validator's cached memberships are trusted.
const VALIDATOR_AGE: Duration = Duration::from_secs(60);

/// Validates `rows` against the memberships this store knows, with the group's kept
/// validator when it is fresh.
fn validate_rows(shared: &Shared, key: &Key, rows: Vec<RecordRow>) -> Checked {
    let mut out = Checked::default();
    let kept = shared
        .replicas
        .lock()
        .get_mut(key)
        .and_then(|g| g.validator.take())
        .filter(|(_, at)| at.elapsed() < VALIDATOR_AGE);
    let (mut v, at) = match kept {
        Some(k) => k,
        None => {
            let made = shared
                .ctx
                .group_open(&key.0, &key.1, None)
                .and_then(|g| Validator::new(&g));
            match made {
                Ok(v) => (v, Instant::now()),
                Err(e) => {
                    eprintln!("peernet node: cannot validate for {}: {e}", key.1);
                    return out;
                }
            }
        }
    };
    for r in rows {
        match v.check(&r) {
            Verdict::Valid => out.valid.push(r),
            Verdict::Defer { .. } => out.deferred.push(r),
            Verdict::Invalid(why) => {
                if !why.contains("expired") {
                    eprintln!("peernet node: refused record {} of {}: {why}", r.id, key.1);
                }
            }
        }
    }
    if let Some(g) = shared.replicas.lock().get_mut(key) {
        g.validator = Some((v, at));
    }
    out
}

/// Memberships changed: the kept validator must look them up again.
fn memberships_changed(shared: &Shared, key: &Key) {
    if let Some(g) = shared.replicas.lock().get_mut(key) {
        g.validator = None;
    }
}

/// Stores validated rows in one transaction; returns those that were newer.
fn store_rows(shared: &Shared, key: &Key, valid: &[RecordRow]) -> Vec<RecordRow> {
    if valid.is_empty() {
        return Vec::new();
    }
    match shared
        .ctx
        .store
        .apply_records(&key.0, &key.1, valid, replaces)
    {
        Ok(applied) => applied.into_iter().map(|a| a.row).collect(),
        Err(e) => {
            eprintln!("peernet node: cannot store records of {}: {e}", key.1);
            Vec::new()
        }
    }
}

fn row_hash(r: &RecordRow) -> u64 {
    item_hash(r.id.as_bytes(), r.version, &r.security_data)
}

/// The rows of `rows` this node has not relayed yet, marking them relayed.
fn unseen(shared: &Shared, key: &Key, rows: &[RecordRow]) -> Vec<RecordRow> {
    let mut groups = shared.replicas.lock();
    let Some(g) = groups.get_mut(key) else {
        return Vec::new();
    };
    if g.seen.len() > MAX_SEEN {
        g.seen.clear();
    }
    rows.iter()
        .filter(|r| g.seen.insert(row_hash(r)))
        .cloned()
        .collect()
}

/// Sends `msgs` to every session of `key` except `except`'s, without waiting: a
/// session whose queue is full is closed (its next synchronization repairs it).
fn flood(shared: &Shared, key: &Key, except: Option<PeerId>, msgs: &[Message]) {
    if msgs.is_empty() {
        return;
    }
    let mut groups = shared.replicas.lock();
    let Some(g) = groups.get_mut(key) else { return };
    let mut full = Vec::new();
    for (peer, s) in &g.sessions {
        if Some(*peer) == except {
            continue;
        }
        for m in msgs {
            if s.tx.try_send(m.clone()).is_err() {
                full.push(*peer);
                break;
            }
        }
    }
    for p in full {
        if let Some(s) = g.sessions.remove(&p) {
            eprintln!("peernet node: replication to {p} fell behind; closing it");
            s.close();
        }
    }
}

/// Takes a received batch: validated rows this node has not relayed before go on to the
/// other neighbours at once (a flood does not wait for the local commit's fsync; an
/// older version relayed this way is dropped as "old" by its receivers), then the batch
/// is stored in one transaction; what waits for a membership is kept.
async fn receive(shared: &Arc<Shared>, key: &Key, from: Option<PeerId>, rows: Vec<RecordRow>) {
    let s = shared.clone();
    let k = key.clone();
    let Some(checked) = blocking(move || validate_rows(&s, &k, rows)).await else {
        return;
    };
    let fresh = unseen(shared, key, &checked.valid);
    flood(shared, key, from, &batches(fresh));
    let s = shared.clone();
    let k = key.clone();
    let valid = checked.valid;
    let applied = blocking(move || store_rows(&s, &k, &valid))
        .await
        .unwrap_or_default();
    let mut groups = shared.replicas.lock();
    if let Some(g) = groups.get_mut(key) {
        if g.recent.len() > MAX_SEEN {
            g.recent.clear();
        }
        g.recent.extend(applied.iter().map(|r| (r.id, r.version)));
        g.deferred.extend(checked.deferred);
        let excess = g.deferred.len().saturating_sub(MAX_DEFERRED);
        g.deferred.drain(..excess);
    }
}

/// New memberships arrived: deferred records are validated again (and relayed to every
/// neighbour: the one that sent them may not know the author either).
async fn retry_deferred(shared: &Arc<Shared>, key: &Key) {
    let rows = {
        let mut groups = shared.replicas.lock();
        match groups.get_mut(key) {
            Some(g) => std::mem::take(&mut g.deferred),
            None => return,
        }
    };
    if !rows.is_empty() {
        Box::pin(receive(shared, key, None, rows)).await;
    }
}

#[derive(Default)]
struct SyncState {
    ended: bool,
    wants: usize,
    reported: bool,
}

async fn run_session(
    shared: Arc<Shared>,
    key: Key,
    peer: PeerId,
    stream: DataStream,
    initiator: bool,
) {
    let (mut rd, mut wr) = stream.split();
    let (tx, mut rx) = mpsc::channel::<Message>(SESSION_QUEUE);
    let writer = tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            if write_message(&mut wr, &m).await.is_err() {
                break;
            }
            if rx.is_empty() && wr.flush().await.is_err() {
                break;
            }
        }
        let _ = wr.close().await;
    });
    let cancel = Arc::new(tokio::sync::Notify::new());
    {
        let mut groups = shared.replicas.lock();
        let Some(g) = groups.get_mut(&key) else {
            writer.abort();
            return;
        };
        if g.sessions.contains_key(&peer) {
            writer.abort();
            return;
        }
        g.sessions.insert(
            peer,
            Session {
                tx: tx.clone(),
                writer: writer.abort_handle(),
                cancel: cancel.clone(),
            },
        );
    }
    let s = shared.clone();
    let k = key.clone();
    let prepared = blocking(move || {
        let chains = s
            .ctx
            .group_open(&k.0, &k.1, None)
            .and_then(|g| g.member_chains())
            .map(|v| v.into_iter().map(|(_, c)| c).collect::<Vec<_>>())
            .unwrap_or_default();
        (chains, load_set(&s, &k))
    })
    .await;
    let Some((chains, set)) = prepared else {
        end_session(&shared, &key, peer);
        return;
    };
    let mut ok = tx.send(Message::Members(chains)).await.is_ok();
    ok &= tx.send(Message::Time(now_filetime())).await.is_ok();
    if initiator && ok {
        ok = tx.send(Message::Ranges(set.initiate())).await.is_ok();
    }
    let set = Arc::new(set);
    let mut sync = SyncState::default();
    while ok {
        let msg = tokio::select! {
            r = read_message(&mut rd) => match r {
                Ok((m, _)) => m,
                Err(_) => break,
            },
            () = cancel.notified() => break,
        };
        match msg {
            Message::Members(chains) => {
                let s = shared.clone();
                let k = key.clone();
                let accepted = blocking(move || {
                    let g = s.ctx.group_open(&k.0, &k.1, None).ok()?;
                    let names = g.accept_member_chains(&chains).ok()?;
                    let all = g.member_chains().ok()?;
                    Some(
                        all.into_iter()
                            .filter(|(n, _)| names.contains(n))
                            .map(|(_, c)| c)
                            .collect::<Vec<_>>(),
                    )
                })
                .await
                .flatten()
                .unwrap_or_default();
                if !accepted.is_empty() {
                    memberships_changed(&shared, &key);
                    flood(&shared, &key, Some(peer), &[Message::Members(accepted)]);
                    retry_deferred(&shared, &key).await;
                }
            }
            Message::Ranges(ranges) => {
                let step = set.respond(&ranges);
                let send: Vec<Guid> = step.send.iter().map(|id| Guid::from_bytes(*id)).collect();
                if !send.is_empty() {
                    let s = shared.clone();
                    let k = key.clone();
                    for m in blocking(move || record_messages(&s, &k, &send))
                        .await
                        .unwrap_or_default()
                    {
                        ok &= tx.send(m).await.is_ok();
                    }
                }
                if !step.want.is_empty() {
                    sync.wants += 1;
                    ok &= tx.send(Message::Want(step.want)).await.is_ok();
                }
                if step.reply.is_empty() {
                    sync.ended = true;
                    ok &= tx.send(Message::Done).await.is_ok();
                } else {
                    ok &= tx.send(Message::Ranges(step.reply)).await.is_ok();
                }
            }
            Message::Want(hashes) => {
                let ids: Vec<Guid> = hashes
                    .iter()
                    .filter_map(|h| set.id_of(*h))
                    .map(Guid::from_bytes)
                    .collect();
                let s = shared.clone();
                let k = key.clone();
                for m in blocking(move || record_messages(&s, &k, &ids))
                    .await
                    .unwrap_or_default()
                {
                    ok &= tx.send(m).await.is_ok();
                }
                // An empty Records message ends the answer to one Want.
                ok &= tx.send(Message::Records(Vec::new())).await.is_ok();
            }
            Message::Records(rows) => {
                if rows.is_empty() {
                    sync.wants = sync.wants.saturating_sub(1);
                } else {
                    receive(&shared, &key, Some(peer), rows).await;
                }
            }
            Message::Done => sync.ended = true,
            Message::Time(theirs) => {
                // One way, so the offset carries the transit time (sub-millisecond on a
                // LAN); a clock beyond the FILETIME range is ignored.
                if let (Ok(t), Ok(n)) = (i64::try_from(theirs), i64::try_from(now_filetime()))
                    && let Some(g) = shared.replicas.lock().get_mut(&key)
                {
                    g.offsets.insert(peer, t - n);
                }
            }
        }
        if sync.ended && sync.wants == 0 && !sync.reported {
            sync.reported = true;
            shared.synchronized(&key);
        }
    }
    end_session(&shared, &key, peer);
}

fn end_session(shared: &Shared, key: &Key, peer: PeerId) {
    let mut groups = shared.replicas.lock();
    if let Some(g) = groups.get_mut(key) {
        g.offsets.remove(&peer);
        if let Some(s) = g.sessions.remove(&peer) {
            s.close();
        }
    }
}

/// Sends this store's own changes (made by any process) to the neighbours: records
/// added, updated or deleted, and memberships joined or renewed.
fn watch_local_changes(shared: &Arc<Shared>, key: &Key, stop: &AtomicBool) {
    let mut watcher = match shared.ctx.store.watch_changes(&key.0, &key.1) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("peernet node: cannot watch {}: {e}", key.1);
            return;
        }
    };
    while !stop.load(Ordering::Relaxed) {
        let changes = match watcher.wait(Duration::from_millis(200)) {
            Ok(c) => c,
            Err(_) => break,
        };
        let mut ids = Vec::new();
        let mut members = Vec::new();
        for c in changes {
            match c.event {
                ChangeEvent::RecordChanged {
                    change:
                        RecordChangeType::Added | RecordChangeType::Updated | RecordChangeType::Deleted,
                    record_id,
                    ..
                } => ids.push(record_id),
                ChangeEvent::MemberChanged {
                    change: MemberChangeType::Joined | MemberChangeType::Updated,
                    member_peer_name,
                } => members.push(member_peer_name),
                _ => {}
            }
        }
        if !members.is_empty() {
            memberships_changed(shared, key);
        }
        if !members.is_empty()
            && let Ok(g) = shared.ctx.group_open(&key.0, &key.1, None)
            && let Ok(all) = g.member_chains()
        {
            let chains: Vec<Vec<u8>> = all
                .into_iter()
                .filter(|(n, _)| members.contains(n))
                .map(|(_, c)| c)
                .collect();
            if !chains.is_empty() {
                flood(shared, key, None, &[Message::Members(chains)]);
            }
        }
        if ids.is_empty() {
            continue;
        }
        let rows = match shared.ctx.store.records_by_ids(&key.0, &key.1, &ids) {
            Ok(r) => r,
            Err(_) => continue,
        };
        let rows: Vec<RecordRow> = {
            let mut groups = shared.replicas.lock();
            let Some(g) = groups.get_mut(key) else { break };
            rows.into_iter()
                .filter(|r| !g.recent.remove(&(r.id, r.version)))
                .collect()
        };
        let rows = unseen(shared, key, &rows);
        flood(shared, key, None, &batches(rows));
    }
}
