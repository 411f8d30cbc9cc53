//! The facade benchmarks of `cargo xtask bench-scale` (`peernet-bench scale`):
//!
//! * `paths`: `identity_export` / `identity_import` (XML + PFX + store) against
//!   `pkcs12::write` / `pkcs12::read` of the same key and certificate alone, alternately.
//! * `store`: `group_open` (first open in a context, and cached), `identity_details` and
//!   `Group::create_invitation` in stores of 1,000 / 100,000 / 1,000,000 real rows.
//! * `memory`: peak RSS of the release `peernet identity import` on 1 MiB inputs.
//!
//! Each prints a Markdown table on standard output; progress goes to standard error.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use peernet::lower::crypto::pkcs12::{self, Pkcs12Profile, Pkcs12WriteOptions};
use peernet::lower::protocol::IdentityExport;
use peernet::lower::storage::{GroupSecrets, NewGroup, NewIdentity, Store};
use peernet::{GroupProperties, Options, Peernet, Profile, Role};

use crate::fmt_time;

const PASSWORD: &str = "peernet bench password";

/// p50 / p99 (nearest rank) of `samples`, in seconds.
pub(crate) fn p50_p99(samples: &[f64]) -> (f64, f64) {
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
    (rank(0.50), rank(0.99))
}

fn median(samples: &[f64]) -> f64 {
    p50_p99(samples).0
}

/// A scratch directory under `base`, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(base: &Path, name: &str) -> Scratch {
        let p = base.join(format!("peernet-bench-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("scratch directory");
        Scratch(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The directory for stores: tmpfs (`/dev/shm`) when present, or `PEERNET_BENCH_DIR`.
fn tmpfs() -> PathBuf {
    std::env::var_os("PEERNET_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let shm = PathBuf::from("/dev/shm");
            if shm.is_dir() {
                shm
            } else {
                std::env::temp_dir()
            }
        })
}

/// A directory on the disk (`target/`), for the runs that include `fsync`.
fn disk() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-scratch");
    std::fs::create_dir_all(&p).expect("target/bench-scratch");
    p
}

// ---------------------------------------------------------------------------------------
// Item 6: export/import paths against the PFX work alone.

struct PathRow {
    name: String,
    facade: f64,
    pfx: f64,
    rounds: usize,
}

fn paths_case(profile: Profile, base: &Path, where_: &str, rounds: usize) -> Vec<PathRow> {
    let pname = match profile {
        Profile::Windows => "windows",
        _ => "modern",
    };
    let iterations = match profile {
        Profile::Windows => pkcs12::WINDOWS_ITERATIONS,
        _ => pkcs12::MODERN_ITERATIONS,
    };
    let a = Scratch::new(base, &format!("paths-a-{pname}"));
    let b = Scratch::new(base, &format!("paths-b-{pname}"));
    let opts = Options::default().with_pfx_iterations(iterations);
    let pa = Peernet::open_with(&a.0, opts.clone()).expect("store a");
    let pb = Peernet::open_with(&b.0, opts).expect("store b");
    let me = pa
        .identity_create(Some("bench"), Some("Bench"), Some(profile))
        .expect("identity");
    let details = pa.identity_details(&me).expect("details");
    let pkcs8 = pa
        .identity_get_crypt_key(&me)
        .expect("key")
        .private_key()
        .to_pkcs8_der()
        .expect("pkcs8");
    let wopts = Pkcs12WriteOptions::new(match profile {
        Profile::Windows => Pkcs12Profile::Windows,
        _ => Pkcs12Profile::Modern,
    })
    .with_iterations(iterations)
    .with_friendly_name(details.friendly_name.clone());
    let certs = std::slice::from_ref(&details.idc);
    // Like with like: the facade's PFX and ours have the same size, and each side reads
    // what the other wrote.
    let xml = pa.identity_export(&me, &PASSWORD.into()).expect("export");
    let doc = IdentityExport::parse_str(&xml).expect("parse export");
    let pfx = pkcs12::write(certs, &pkcs8, PASSWORD, &wopts).expect("pfx");
    assert_eq!(doc.data.len(), pfx.len(), "same PFX size");
    pkcs12::read(&doc.data, PASSWORD).expect("read the facade's PFX");
    assert_eq!(
        pb.identity_import(&xml, &PASSWORD.into()).expect("import"),
        me
    );
    pb.identity_delete(&me).expect("delete");

    if std::env::var_os("PEERNET_BENCH_CALLGRIND").is_some() {
        // Under `valgrind --tool=callgrind --collect-atstart=no
        // --toggle-collect='*profiled_*'`: 20 calls of each path.
        for _ in 0..20 {
            profiled_export(&pa, &me);
            profiled_pfx_write(certs, &pkcs8, &wopts);
            profiled_import(&pb, &xml);
            pb.identity_delete(&me).expect("delete");
            profiled_pfx_read(&doc.data);
        }
        return Vec::new();
    }
    let timed = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64()
    };
    eprintln!("bench-scale: {pname} export/import on {where_}: {rounds} rounds");
    let (mut ex_f, mut ex_p, mut im_f, mut im_p) = (vec![], vec![], vec![], vec![]);
    for r in 0..rounds {
        let mut facade_export = || {
            black_box(pa.identity_export(&me, &PASSWORD.into()).expect("export"));
        };
        let mut pfx_write = || {
            black_box(pkcs12::write(certs, &pkcs8, PASSWORD, &wopts).expect("write"));
        };
        let mut facade_import = || {
            black_box(pb.identity_import(&xml, &PASSWORD.into()).expect("import"));
        };
        let mut pfx_read = || {
            black_box(pkcs12::read(&doc.data, PASSWORD).expect("read"));
        };
        if r % 2 == 0 {
            ex_f.push(timed(&mut facade_export));
            ex_p.push(timed(&mut pfx_write));
            im_f.push(timed(&mut facade_import));
            im_p.push(timed(&mut pfx_read));
        } else {
            ex_p.push(timed(&mut pfx_write));
            ex_f.push(timed(&mut facade_export));
            im_p.push(timed(&mut pfx_read));
            im_f.push(timed(&mut facade_import));
        }
        // Not timed: make room for the next import.
        pb.identity_delete(&me).expect("delete");
    }
    vec![
        PathRow {
            name: format!(
                "`identity_export` vs `pkcs12::write`, {pname} ({iterations} iterations), store on {where_}"
            ),
            facade: median(&ex_f),
            pfx: median(&ex_p),
            rounds,
        },
        PathRow {
            name: format!(
                "`identity_import` vs `pkcs12::read`, {pname} ({iterations} iterations), store on {where_}"
            ),
            facade: median(&im_f),
            pfx: median(&im_p),
            rounds,
        },
    ]
}

#[inline(never)]
fn profiled_export(pn: &Peernet, identity: &str) {
    black_box(
        pn.identity_export(identity, &PASSWORD.into())
            .expect("export"),
    );
}

#[inline(never)]
fn profiled_pfx_write(certs: &[Vec<u8>], pkcs8: &[u8], opts: &Pkcs12WriteOptions) {
    black_box(pkcs12::write(certs, pkcs8, PASSWORD, opts).expect("write"));
}

#[inline(never)]
fn profiled_import(pn: &Peernet, xml: &str) {
    black_box(pn.identity_import(xml, &PASSWORD.into()).expect("import"));
}

#[inline(never)]
fn profiled_pfx_read(pfx: &[u8]) {
    black_box(pkcs12::read(pfx, PASSWORD).expect("read"));
}

pub(crate) fn paths() -> String {
    if std::env::var_os("PEERNET_BENCH_CALLGRIND").is_some() {
        paths_case(Profile::Windows, &tmpfs(), "tmpfs", 0);
        return String::new();
    }
    let mut rows = Vec::new();
    rows.extend(paths_case(Profile::Windows, &tmpfs(), "tmpfs", 401));
    rows.extend(paths_case(Profile::Windows, &disk(), "disk", 201));
    rows.extend(paths_case(Profile::Modern, &tmpfs(), "tmpfs", 9));
    let mut out = String::from(
        "| path | whole facade call, median | PFX work alone, median | XML + store overhead | rounds |\n\
         |---|---:|---:|---:|---:|\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {:+.1} % ({}{}) | {} |\n",
            r.name,
            fmt_time(r.facade),
            fmt_time(r.pfx),
            (r.facade / r.pfx - 1.0) * 100.0,
            if r.facade < r.pfx { "−" } else { "+" },
            fmt_time((r.facade - r.pfx).abs()),
            r.rounds
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------
// Store scaling through the facade.

/// One real identity with one real group (it owns it), made through the facade.
struct PoolEntry {
    identity: String,
    idc: Vec<u8>,
    key: Vec<u8>,
    group: peernet::lower::storage::Group,
    group_key: Vec<u8>,
}

fn pool(pn: &Peernet, n: usize) -> Vec<PoolEntry> {
    (0..n)
        .map(|k| {
            let id = pn
                .identity_create(Some(&format!("pool{k}")), None, Some(Profile::Modern))
                .expect("pool identity");
            let g = pn
                .group_create(
                    &GroupProperties::new(format!("group{k}"), format!("Group {k}"))
                        .with_creator(&id),
                )
                .expect("pool group");
            let store = pn.store();
            PoolEntry {
                idc: pn.identity_details(&id).expect("details").idc,
                key: pn
                    .identity_get_crypt_key(&id)
                    .expect("key")
                    .private_key()
                    .to_pkcs8_der()
                    .expect("pkcs8")
                    .to_vec(),
                group: store.group(&id, g.peer_name()).expect("group row"),
                group_key: store
                    .group_private_key(&id, g.peer_name())
                    .expect("group key")
                    .expect("owner")
                    .to_vec(),
                identity: id,
            }
        })
        .collect()
}

/// Row `i` of the scaled store: identity `<authority of pool k>.s<i>` holding pool
/// identity k's certificate and key, owning pool group k (real GRC + GMC chain for that
/// key, group key sealed), k = i mod pool size.
fn row_names(pool: &[PoolEntry], i: usize) -> (String, &str) {
    let e = &pool[i % pool.len()];
    let authority = e.identity.split('.').next().expect("authority");
    (format!("{authority}.s{i}"), &e.group.group_peer_name)
}

fn fill(store: &Store, pool: &[PoolEntry], range: std::ops::Range<usize>) {
    peernet::lower::storage::testing::bulk_insert_rows(store, range, |i| {
        let e = &pool[i % pool.len()];
        let (name, _) = row_names(pool, i);
        let g = &e.group;
        let mut props = g.properties.clone();
        props.creator_peer_name = name.clone();
        (
            NewIdentity {
                peer_name: name.clone(),
                friendly_name: format!("Bench {i}"),
                profile: "modern".into(),
                idc: e.idc.clone(),
            },
            &e.key[..],
            NewGroup {
                identity: name,
                group_peer_name: g.group_peer_name.clone(),
                classifier: g.classifier.clone(),
                cloud: g.cloud.clone(),
                profile: g.profile.clone(),
                gmc_chain: g.gmc_chain.clone(),
                properties: props,
                status: 0,
            },
            GroupSecrets {
                group_key: Some(&e.group_key[..]),
                password_verifier: None,
            },
        )
    })
    .expect("bulk fill");
}

/// Pseudo-random walk over `0..n`.
struct Walk(u64);

impl Walk {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

struct ScaleRow {
    rows: usize,
    fill: f64,
    /// (p50, p99) of: cold open, cached open, identity_details, create_invitation.
    ops: [(f64, f64); 4],
    samples: [usize; 4],
}

fn sample(n: usize, mut f: impl FnMut(usize)) -> Vec<f64> {
    (0..n)
        .map(|s| {
            let t = Instant::now();
            f(s);
            t.elapsed().as_secs_f64()
        })
        .collect()
}

pub(crate) fn store_scaling(sizes: &[usize]) -> String {
    let base = tmpfs();
    let pool_dir = Scratch::new(&base, "pool");
    let scaled_dir = Scratch::new(&base, "scaled");
    let pool_pn = Peernet::open(&pool_dir.0).expect("pool store");
    let t = Instant::now();
    let pool = pool(&pool_pn, 16);
    let invitee = pool_pn
        .identity_create(Some("invitee"), Some("Invitee"), Some(Profile::Modern))
        .expect("invitee");
    let invitee_xml = pool_pn.identity_get_xml(Some(&invitee)).expect("info");
    eprintln!(
        "bench-scale: pool of {} identities + groups in {:.1?}",
        pool.len(),
        t.elapsed()
    );
    let store = Arc::new(Store::open(&scaled_dir.0).expect("scaled store"));
    let mut filled = 0usize;
    let mut out = Vec::new();
    let mut walk = Walk(42);
    for &n in sizes {
        let t = Instant::now();
        // In steps of 100,000 rows (one transaction each).
        while filled < n {
            let end = n.min(filled + 100_000);
            fill(&store, &pool, filled..end);
            filled = end;
        }
        let fill_secs = t.elapsed().as_secs_f64();
        eprintln!("bench-scale: {n} rows (filled in {fill_secs:.1} s)");
        let names: Vec<(String, String)> = (0..n)
            .map(|_| {
                let i = walk.next(n);
                let (id, g) = row_names(&pool, i);
                (id, g.to_owned())
            })
            .take(20_000)
            .collect();
        // Sanity: a row opens, through real validation, with a valid membership.
        let check = Peernet::from_store(store.clone(), Options::default());
        let g = check
            .group_open(&names[0].0, &names[0].1, None)
            .expect("open a bench row");
        assert_eq!(g.membership(), peernet::MembershipStatus::Valid);
        assert_eq!(g.roles(), vec![Role::ADMIN]);

        if std::env::var_os("PEERNET_BENCH_CALLGRIND").is_some() {
            // Under `valgrind --tool=callgrind --collect-atstart=no
            // --toggle-collect='*profiled_*'`: instruction counts per call at each size.
            let warm = Peernet::from_store(store.clone(), Options::default());
            let working = names.len().min(2_000);
            for (id, g) in names.iter().take(working) {
                warm.group_open(id, g, None).expect("open");
            }
            profiled_cached_opens(&warm, &names[..working], n);
            profiled_identity_details(&warm, &names[..working], n);
            continue;
        }
        // Cold: a context of its own per open, so its chain cache is empty.
        let cold = sample(3_000, |s| {
            let pn = Peernet::from_store(store.clone(), Options::default());
            let (id, g) = &names[s % names.len()];
            black_box(pn.group_open(id, g, None).expect("open"));
        });
        // Cached: one context that has opened these (up to 2,000) groups before.
        let warm = Peernet::from_store(store.clone(), Options::default());
        let working = names.len().min(2_000);
        for (id, g) in names.iter().take(working) {
            warm.group_open(id, g, None).expect("open");
        }
        let cached = sample(20_000, |s| {
            let (id, g) = &names[(s * 7919) % working];
            black_box(warm.group_open(id, g, None).expect("open"));
        });
        let lookup = sample(20_000, |s| {
            let (id, _) = &names[s % names.len()];
            black_box(warm.identity_details(id).expect("details"));
        });
        let groups: Vec<_> = names
            .iter()
            .take(200)
            .map(|(id, g)| warm.group_open(id, g, None).expect("open"))
            .collect();
        let invite = sample(2_000, |s| {
            black_box(
                groups[s % groups.len()]
                    .create_invitation(&invitee_xml, None, &[Role::MEMBER])
                    .expect("invitation"),
            );
        });
        out.push(ScaleRow {
            rows: n,
            fill: fill_secs,
            ops: [
                p50_p99(&cold),
                p50_p99(&cached),
                p50_p99(&lookup),
                p50_p99(&invite),
            ],
            samples: [cold.len(), cached.len(), lookup.len(), invite.len()],
        });
        if let Ok(m) = std::fs::metadata(store.db_path()) {
            eprintln!("bench-scale: database {} MB", m.len() / 1_000_000);
        }
    }
    render_scaling(&out)
}

/// 2,000 cached opens (`n` only names the call in the profile).
#[inline(never)]
fn profiled_cached_opens(pn: &Peernet, names: &[(String, String)], n: usize) {
    for (id, g) in names.iter().cycle().take(2_000) {
        black_box(pn.group_open(id, g, None).expect("open"));
    }
    eprintln!("bench-scale: profiled 2000 cached opens at {n} rows");
}

/// 2,000 `identity_details` calls.
#[inline(never)]
fn profiled_identity_details(pn: &Peernet, names: &[(String, String)], n: usize) {
    for (id, _) in names.iter().cycle().take(2_000) {
        black_box(pn.identity_details(id).expect("details"));
    }
    eprintln!("bench-scale: profiled 2000 identity_details at {n} rows");
}

fn render_scaling(rows: &[ScaleRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "| rows (identities = groups) | fill (this step) | `group_open`, first in context: p50 / p99 | `group_open`, cached: p50 / p99 | `identity_details`: p50 / p99 | `create_invitation`: p50 / p99 |\n\
         |---:|---:|---:|---:|---:|---:|\n",
    );
    let pair = |(a, b): (f64, f64)| format!("{} / {}", fmt_time(a), fmt_time(b));
    for r in rows {
        out.push_str(&format!(
            "| {} | {:.1} s | {} | {} | {} | {} |\n",
            r.rows,
            r.fill,
            pair(r.ops[0]),
            pair(r.ops[1]),
            pair(r.ops[2]),
            pair(r.ops[3]),
        ));
    }
    if let (Some(first), Some(last)) = (rows.first(), rows.last())
        && rows.len() > 1
    {
        let ratio = |k: usize| {
            format!(
                "{:.2} / {:.2}",
                last.ops[k].0 / first.ops[k].0,
                last.ops[k].1 / first.ops[k].1
            )
        };
        out.push_str(&format!(
            "| {} / {} ratio (p50 / p99) | | {} | {} | {} | {} |\n",
            last.rows,
            first.rows,
            ratio(0),
            ratio(1),
            ratio(2),
            ratio(3)
        ));
    }
    let s = &rows[0].samples;
    out.push_str(&format!(
        "\nSamples per point: {} first opens, {} cached opens, {} lookups, {} invitations.\n",
        s[0], s[1], s[2], s[3]
    ));
    out
}

// ---------------------------------------------------------------------------------------
// Peak memory of `peernet identity import`.

/// Runs `peernet --store DIR identity import FILE` under `/usr/bin/time -v`; returns
/// (exit status success, maximum resident set size in KiB, standard error's last line).
fn rss_of_import(peernet: &Path, store: &Path, file: &Path) -> (bool, u64, String) {
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(peernet)
        .arg("--store")
        .arg(store)
        .args(["identity", "import"])
        .arg(file)
        .args(["--passin", "env:PEERNET_BENCH_PW"])
        .env("PEERNET_BENCH_PW", PASSWORD)
        .output()
        .expect("run /usr/bin/time (apt-get install time)");
    let err = String::from_utf8_lossy(&out.stderr);
    let rss = err
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .expect("time -v output");
    let status_line = err
        .lines()
        .find(|l| l.trim_start().starts_with("Exit status:"))
        .map(|l| l.trim().to_owned())
        .unwrap_or_default();
    let first = err
        .lines()
        .find(|l| l.starts_with("error") || l.contains("Error"))
        .unwrap_or("")
        .to_owned();
    let _ = status_line;
    (out.status.success(), rss, first)
}

pub(crate) fn memory(peernet_bin: &Path) -> String {
    let base = tmpfs();
    let dir = Scratch::new(&base, "rss");
    let src = Peernet::open(dir.0.join("a")).expect("store a");
    let me = src
        .identity_create(Some("big"), Some("Big"), Some(Profile::Windows))
        .expect("identity");
    let xml = src.identity_export(&me, &PASSWORD.into()).expect("export");
    let limit = peernet::lower::protocol::MAX_DOCUMENT_SIZE;
    // Valid and as large as the parser accepts: the same document with the DATA base64
    // broken into 76-character lines and the rest of the room filled by an XML comment
    // (comments are skipped), for a total of exactly 1 MiB.
    let doc = IdentityExport::parse_str(&xml).expect("parse");
    let b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&doc.data)
    };
    let wrapped: String = b64
        .as_bytes()
        .chunks(76)
        .map(|c| format!("\r\n{}", std::str::from_utf8(c).expect("ascii")))
        .collect::<String>()
        + "\r\n";
    let start = xml.find(&b64).expect("DATA text in the export");
    let mut valid = format!("{}{}{}", &xml[..start], wrapped, &xml[start + b64.len()..]);
    let close = valid.rfind("</PEERIDENTITYEXPORT>").expect("root end");
    let room = limit - valid.len() - "<!--".len() - "-->".len();
    valid.insert_str(close, &format!("<!--{}-->", "x".repeat(room)));
    assert_eq!(valid.len(), limit);
    // Hostile: a well-formed export of exactly 1 MiB whose DATA is ~786 KB of random
    // bytes (not a PFX): everything is decoded before the PFX parser refuses it.
    let mut junk = vec![0u8; (limit - 1024) / 4 * 3];
    let mut w = Walk(7);
    for b in &mut junk {
        *b = (w.next(256)) as u8;
    }
    let junk_b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&junk)
    };
    let mut hostile = format!("{}{}{}", &xml[..start], junk_b64, &xml[start + b64.len()..]);
    let close = hostile.rfind("</PEERIDENTITYEXPORT>").expect("root end");
    let room = limit - hostile.len() - 7;
    hostile.insert_str(close, &format!("<!--{}-->", "y".repeat(room)));
    assert_eq!(hostile.len(), limit);
    // Over the limit by one byte: refused before parsing.
    let over = format!("{valid} ");

    let cases = [
        ("ordinary export (windows)", xml.clone(), true),
        ("valid export padded to 1 MiB", valid, true),
        ("hostile: 1 MiB, DATA = random bytes", hostile, false),
        ("hostile: 1 MiB + 1 byte", over, false),
    ];
    let mut out = String::from(
        "| input | size | outcome | maximum resident set size |\n|---|---:|---|---:|\n",
    );
    for (k, (name, body, ok)) in cases.iter().enumerate() {
        let file = dir.0.join(format!("input-{k}.xml"));
        std::fs::write(&file, body).expect("write input");
        let store = dir.0.join(format!("store-{k}"));
        let (success, rss, err) = rss_of_import(peernet_bin, &store, &file);
        assert_eq!(success, *ok, "{name}: {err}");
        out.push_str(&format!(
            "| {name} | {} bytes | {} | {:.1} MiB |\n",
            body.len(),
            if success {
                "imported".to_owned()
            } else {
                format!("refused: `{}`", err.trim())
            },
            rss as f64 / 1024.0
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(p50_p99(&v), (50.0, 99.0));
        assert_eq!(p50_p99(&[3.0]), (3.0, 3.0));
    }
}
