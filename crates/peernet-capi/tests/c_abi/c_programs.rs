//! `crates/peernet-capi/tests/c/*.c` compiled against `include/p2p.h`, linked against the cdylib cargo
//! built for this test run, run directly and under valgrind.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::{include_dir, library_dir, run, scratch, tool};

/// Compile `tests/c/<name>.c` in strict C99 and link it against `libpeernet_capi`.
fn build(cc: &str, name: &str, extra: &[&str]) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/c")
        .join(format!("{name}.c"));
    let dir = scratch(name);
    let exe = dir.join(name);
    let lib = library_dir();
    run(Command::new(cc)
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I"])
        .arg(include_dir())
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .arg("-L")
        .arg(&lib)
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        // RPATH rather than RUNPATH on Linux: it takes precedence over the LD_LIBRARY_PATH
        // cargo sets for tests (which names target/<profile>, where a stale library from an
        // earlier `cargo build` may lie).
        .args(if cfg!(target_os = "linux") {
            &["-Wl,--disable-new-dtags"][..]
        } else {
            &[][..]
        })
        .arg("-lpeernet_capi")
        .args(extra));
    exe
}

/// A wrapper program and its arguments (valgrind), or none.
type Wrapper<'a> = Option<(&'a str, &'a [&'a str])>;

/// `exe`, or `exe` under `wrapper`.
fn command(exe: &Path, wrapper: Wrapper<'_>) -> Command {
    match wrapper {
        Some((program, args)) => {
            let mut c = Command::new(program);
            c.args(args).arg(exe);
            c
        }
        None => Command::new(exe),
    }
}

/// Run `cmd`; it must succeed and print `<what>: ok`.
fn expect_ok(cmd: &mut Command, what: &str) {
    let out = run(cmd);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("{what}: ok")
    );
}

/// Build `tests/c/<name>.c` with the `extra` flags and call `run_in(exe, dir, wrapper)`
/// plainly in `<scratch>/plain`, then under valgrind in `<scratch>/valgrind`.
fn plain_then_valgrind(name: &str, extra: &[&str], run_in: impl Fn(&Path, &Path, Wrapper<'_>)) {
    let Some(cc) = tool("cc", "building the tests/c programs") else {
        return;
    };
    let exe = build(&cc, name, extra);
    let dir = exe.parent().expect("scratch directory").to_path_buf();
    run_in(&exe, &dir.join("plain"), None);

    let Some(valgrind) = tool("valgrind", "checking the C ABI for memory errors and leaks") else {
        return;
    };
    let t = std::time::Instant::now();
    run_in(&exe, &dir.join("valgrind"), Some((&valgrind, VALGRIND)));
    eprintln!("tests/c/{name}.c under valgrind: {:?}", t.elapsed());
}

/// Build `tests/c/<name>.c`, run it, then run it under valgrind; it must print
/// `<name>: ok` both times.
fn build_and_run(name: &str, extra: &[&str]) {
    plain_then_valgrind(name, extra, |exe, _, wrapper| {
        expect_ok(&mut command(exe, wrapper), name);
    });
}

/// Memory errors and definite or indirect leaks fail the run. Blocks reachable only
/// through interior pointers ("possibly lost": the hash tables and SQLite page cache of
/// the process-wide store context, kept until exit) are neither errors nor shown.
const VALGRIND: &[&str] = &[
    "--leak-check=full",
    "--error-exitcode=1",
    "--errors-for-leak-kinds=definite,indirect",
    "--show-leak-kinds=definite,indirect",
    "-q",
];

/// The phases of `tests/c/e2e.c` in order, with the store ("computer") each runs on.
const E2E_PHASES: &[(&str, &str)] = &[
    ("alice", "computer-a"),
    ("bob", "computer-b"),
    ("alice2", "computer-a"),
    ("bob2", "computer-b"),
];

/// Run the e2e phases, each a new process with `PEERNET_HOME` set to its computer's
/// store, exchanging files through a shared directory. `wrapper` is e.g. valgrind.
fn run_e2e(exe: &Path, root: &Path, wrapper: Wrapper<'_>) {
    let _ = std::fs::remove_dir_all(root);
    let exchange = root.join("exchange");
    std::fs::create_dir_all(&exchange).expect("exchange directory");
    for (phase, computer) in E2E_PHASES {
        let store = root.join(computer);
        std::fs::create_dir_all(&store).expect("store directory");
        expect_ok(
            command(exe, wrapper)
                .arg(phase)
                .arg(&exchange)
                .env("PEERNET_HOME", &store),
            &format!("e2e {phase}"),
        );
    }
}

/// `tests/c/e2e.c`: identity → export → import on the other computer → group → invitation
/// from the invitee's PEERIDENTITYINFO → join → config export → import → open, with the
/// error paths; plain, then under valgrind.
#[test]
fn e2e() {
    plain_then_valgrind("e2e", &[], run_e2e);
}

#[test]
fn enum_and_startup() {
    build_and_run("enum_and_startup", &[]);
}

/// `tests/c/sigpipe.c`: PeerGroupStartup ignores a default SIGPIPE (a write to a closed
/// socket fails with EPIPE instead of killing the host) and keeps a host's own handler.
#[test]
fn sigpipe() {
    let Some(cc) = tool("cc", "building the tests/c programs") else {
        return;
    };
    let exe = build(&cc, "sigpipe", &[]);
    // std's Command starts children with SIGPIPE at its default.
    expect_ok(Command::new(&exe).arg("default"), "sigpipe");
    expect_ok(Command::new(&exe).arg("own"), "sigpipe");
}

#[test]
fn threads() {
    build_and_run("threads", &["-pthread"]);
}

/// Run `tests/c/records.c` with its own empty store (`PEERNET_HOME`) and directory.
fn run_records(exe: &Path, root: &Path, wrapper: Wrapper<'_>) {
    let _ = std::fs::remove_dir_all(root);
    let store = root.join("store");
    std::fs::create_dir_all(&store).expect("store directory");
    expect_ok(
        command(exe, wrapper).arg(root).env("PEERNET_HOME", &store),
        "records",
    );
}

/// `tests/c/records.c`: records, members, database export/import and events (a pipe as
/// `hEvent`, and `PeernetWaitForGroupEvent`); plain, then under valgrind.
#[test]
fn records() {
    plain_then_valgrind("records", &[], run_records);
}

/// Every `HOSTILE_SAMPLE_EVERY`-th UTF-8 row of the hostile corpus goes through
/// `tests/c/hostile.c` (the full corpus runs through the same exports in
/// `tests/hardening_corpus.rs`); `PEERNET_CAPI_CORPUS=all` takes every UTF-8 row.
const HOSTILE_SAMPLE_EVERY: usize = 8;

/// Prepare the corpus store and the row list for `tests/c/hostile.c`; returns
/// (store, list).
fn hostile_setup(root: &Path) -> (PathBuf, PathBuf) {
    use peernet_tests::hostile::{corpus_dir, import_base, parse_manifest};
    let _ = std::fs::remove_dir_all(root);
    let corpus = corpus_dir();
    let store = root.join("store");
    let pn =
        peernet::Peernet::open_with(&store, peernet_tests::store::fast_options()).expect("store");
    let (owner, group) = import_base(&pn);
    drop(pn);
    let every = if std::env::var("PEERNET_CAPI_CORPUS").is_ok_and(|v| v == "all") {
        1
    } else {
        HOSTILE_SAMPLE_EVERY
    };
    let manifest = std::fs::read_to_string(corpus.join("manifest.txt")).expect("manifest");
    let mut list = format!("{owner}\n{group}\n");
    let mut n = 0;
    for (i, row) in parse_manifest(&manifest).iter().enumerate() {
        let path = corpus.join(&row.file);
        let bytes = std::fs::read(&path).expect("corpus file");
        if i % every != 0 || std::str::from_utf8(&bytes).is_err() {
            continue;
        }
        let code = peernet::HResult::all()
            .iter()
            .find(|(_, name)| *name == row.expected)
            .map(|(h, _)| h.0)
            .or((row.expected == "S_OK").then_some(0))
            .unwrap_or_else(|| panic!("unknown HRESULT {}", row.expected));
        list.push_str(&format!(
            "{code:08X} {} {}\n",
            row.entry.name(),
            path.display()
        ));
        n += 1;
    }
    eprintln!("tests/c/hostile.c: {n} rows");
    let list_path = root.join("rows.txt");
    std::fs::write(&list_path, list).expect("row list");
    (store, list_path)
}

/// Run `tests/c/hostile.c` on a fresh corpus store and row list in `root`.
fn run_hostile(exe: &Path, root: &Path, wrapper: Wrapper<'_>) {
    let (store, list) = hostile_setup(root);
    expect_ok(
        command(exe, wrapper).arg(&list).env("PEERNET_HOME", &store),
        "hostile",
    );
}

/// `tests/c/hostile.c`: a sample of the hostile corpus through the C functions; plain, then
/// under valgrind (memory errors and leaks on the error paths).
#[test]
fn hostile_corpus_sample() {
    plain_then_valgrind("hostile", &[], run_hostile);
}

/// Run `tests/c/groupchat.c` with `args` on the store `store`.
fn run_groupchat(exe: &Path, store: &Path, args: &[&str], wrapper: Wrapper<'_>) {
    expect_ok(
        command(exe, wrapper).args(args).env("PEERNET_HOME", store),
        "groupchat",
    );
}

/// A store where an identity has a group whose database knows a member without its
/// credentials; returns (store, identity, group, member).
fn groupchat_setup(root: &Path) -> (PathBuf, String, String, String) {
    let store = root.join("group");
    let pn =
        peernet::Peernet::open_with(&store, peernet_tests::store::fast_options()).expect("store");
    let me = pn
        .identity_create(Some("GroupChatMember"), Some("Me"), None)
        .expect("identity");
    let group = pn
        .group_create(&peernet::GroupProperties::new("SampleChatGroup", "Chat").with_creator(&me))
        .expect("group");
    let member = format!("{}.stranger", "c".repeat(40));
    pn.store()
        .upsert_member(
            &me,
            group.peer_name(),
            &peernet_storage::MemberRow {
                peer_name: member.clone(),
                flags: 0,
                attributes: None,
                node_id: None,
                gmc_chain: None,
            },
        )
        .expect("member row");
    (store, me, group.peer_name().to_owned(), member)
}

/// `tests/c/groupchat.c`: what the SDK's GroupChat sample assumes of the results (members
/// with credential info, the end of an enumeration, in-place peer time, both startup
/// versions, PeerFreeData(NULL)) and its NULL identity on a store without identities;
/// plain, then under valgrind.
#[test]
fn groupchat() {
    plain_then_valgrind("groupchat", &[], |exe, root, wrapper| {
        let (store, me, group, member) = groupchat_setup(root);
        let empty = root.join("empty");
        run_groupchat(exe, &empty, &["empty"], wrapper);
        let pn = peernet::Peernet::open(&empty).expect("store");
        assert!(pn.enum_identities().expect("identities").is_empty());
        drop(pn);
        let group_args = ["group", me.as_str(), group.as_str(), member.as_str()];
        run_groupchat(exe, &store, &group_args, wrapper);
    });
}

/// `tests/c/connect.c`: PeerGroupConnectByAddress, PeerGroupGetStatus,
/// PeerGroupEnumConnections and NEIGHBOR_CONNECTION from C. Store A (the creator) is
/// connected by this test process (its node on a thread here, listening on loopback);
/// the C program connects store B (its node on a thread of the C program) by address.
/// Run plainly only: under valgrind the libp2p node's handshakes take minutes.
#[test]
fn connect() {
    let Some(cc) = tool("cc", "building the tests/c programs") else {
        return;
    };
    let exe = build(&cc, "connect", &[]);
    let root = exe.parent().expect("scratch directory").join("plain");
    let _ = std::fs::remove_dir_all(&root);
    let runtime = root.join("runtime");
    let options = || {
        peernet_tests::store::fast_options()
            .with_node_launch(peernet::NodeLaunch::InProcess)
            .with_runtime_dir(&runtime)
    };
    let loopback: std::net::SocketAddr = "127.0.0.1:0".parse().expect("address");
    let a = peernet::Peernet::open_with(root.join("a"), options()).expect("store a");
    let b = peernet::Peernet::open_with(root.join("b"), options()).expect("store b");
    for s in [&a, &b] {
        s.set_node_listen(Some(&[loopback])).expect("listen");
    }
    let alice = a
        .identity_create(Some("alice"), Some("Alice"), None)
        .expect("alice");
    let bob = b
        .identity_create(Some("bob"), Some("Bob"), None)
        .expect("bob");
    let g = a
        .group_create(&peernet::GroupProperties::new("chat", "Chat").with_creator(&alice))
        .expect("group");
    let info = b.identity_get_xml(Some(&bob)).expect("bob's info");
    let inv = g
        .create_invitation(&info, None, &[peernet::Role::MEMBER])
        .expect("invitation");
    b.group_join(Some(&bob), &inv, None).expect("join");
    g.connect().expect("alice connects");
    let port = peernet::node::node_status(&a)
        .expect("status")
        .expect("a's node runs")
        .listen[0]
        .port();
    drop(b);
    expect_ok(
        Command::new(&exe)
            .args([
                bob.as_str(),
                g.peer_name(),
                &port.to_string(),
                alice.as_str(),
            ])
            .env("PEERNET_HOME", root.join("b"))
            .env("PEERNET_RUNTIME_DIR", &runtime),
        "connect",
    );
    let _ = peernet::node::stop_node(&a);
}

/// `tests/c/chat.c`: the GroupChat sample's call sequence between two stores on this
/// machine, as two C processes, each with its store's node on a thread of its own
/// (loopback only, same-machine discovery in a runtime directory of this test): the
/// guest saves its identity info, the host creates the group and an invitation for it,
/// both register GroupChat's 5 events and connect; each sees the other's chat record,
/// and the guest's whisper over a direct connection gets its answer. Run plainly only
/// (two libp2p nodes under valgrind take minutes).
#[test]
fn chat_between_two_stores() {
    let Some(cc) = tool("cc", "building the tests/c programs") else {
        return;
    };
    let exe = build(&cc, "chat", &[]);
    let root = exe.parent().expect("scratch directory").join("plain");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("scratch");
    let runtime = root.join("runtime");
    let (idt, inv) = (root.join("guest.idt"), root.join("host.inv"));
    let chat = |store: &str| {
        let mut c = Command::new(&exe);
        c.env("PEERNET_HOME", root.join(store))
            .env("PEERNET_RUNTIME_DIR", &runtime)
            .env("PEERNET_NODE_LISTEN", "127.0.0.1:0")
            .env_remove("PEERNET_NODE_EXE");
        c
    };
    expect_ok(chat("guest").args(["identity", "Guest"]).arg(&idt), "chat");
    let mut host = chat("host")
        .args(["host", "Host"])
        .arg(&idt)
        .arg(&inv)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the host");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !inv.exists() {
        if std::time::Instant::now() > deadline || host.try_wait().expect("host").is_some() {
            let out = host.wait_with_output().expect("host output");
            panic!(
                "the host wrote no invitation: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let guest = chat("guest")
        .args(["guest"])
        .arg(&inv)
        .output()
        .expect("guest");
    // The host ends once the guest closed its direct connection (bounded in chat.c).
    let host = host.wait_with_output().expect("host output");
    let show = |o: &std::process::Output| {
        format!(
            "status {:?}\n{}{}",
            o.status,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    assert!(
        guest.status.success() && host.status.success(),
        "guest: {}\nhost: {}",
        show(&guest),
        show(&host)
    );
    assert_eq!(String::from_utf8_lossy(&guest.stdout).trim(), "chat: ok");
    assert_eq!(String::from_utf8_lossy(&host.stdout).trim(), "chat: ok");
}
