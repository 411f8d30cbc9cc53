//! `peernet group connect` end to end: two stores on one machine, each with a node
//! process started on demand, on loopback only; two processes sharing one node; a node
//! killed with SIGKILL. Every node a test starts is stopped when the test ends.

use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use peernet::flags::{PEER_GROUP_STATUS_HAS_CONNECTIONS, PEER_GROUP_STATUS_LISTENING};
use serde_json::Value;

const BOTH: u64 = (PEER_GROUP_STATUS_LISTENING | PEER_GROUP_STATUS_HAS_CONNECTIONS) as u64;

/// A temporary "machine": stores and the runtime directory of same-machine discovery.
struct Env {
    dir: tempfile::TempDir,
    stores: Vec<String>,
}

impl Env {
    fn new() -> Self {
        Env {
            dir: tempfile::tempdir().unwrap(),
            stores: Vec::new(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self, store: &str, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("peernet").unwrap();
        c.current_dir(self.dir.path())
            .env_remove("PEERNET_HOME")
            .env("PEERNET_PFX_ITERATIONS", "1000")
            .env("PEERNET_RUNTIME_DIR", self.path("runtime"))
            .arg("--store")
            .arg(self.path(store))
            .args(args)
            .write_stdin("")
            .timeout(Duration::from_secs(60));
        c
    }

    fn run(&self, store: &str, args: &[&str]) -> Output {
        self.cmd(store, args).output().unwrap()
    }

    fn ok(&self, store: &str, args: &[&str]) -> String {
        let out = self.run(store, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .trim_end()
            .to_string()
    }

    fn json(&self, store: &str, args: &[&str]) -> Value {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        let s = self.ok(store, &full);
        serde_json::from_str(&s).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {s}"))
    }

    /// A store whose node listens on loopback, with one identity; returns the identity.
    fn store(&mut self, store: &str, classifier: &str) -> String {
        self.stores.push(store.to_string());
        self.ok(store, &["node", "listen", "127.0.0.1:0"]);
        self.ok(
            store,
            &["-q", "identity", "create", "--classifier", classifier],
        )
    }

    /// `owner` (of store a) creates a group that `member` (of store b) joins.
    fn group(&self, owner: &str, member: &str) -> String {
        let g = self.ok(
            "a",
            &[
                "-q",
                "group",
                "create",
                "--identity",
                owner,
                "--classifier",
                "chat",
            ],
        );
        self.ok("b", &["identity", "info", member, "-o", "bob.xml"]);
        self.ok(
            "a",
            &[
                "group",
                "invite",
                "--identity",
                owner,
                &g,
                "--invitee",
                "bob.xml",
                "-o",
                "inv.xml",
            ],
        );
        self.ok("b", &["group", "join", "--identity", member, "inv.xml"]);
        g
    }

    fn node_pid(&self, store: &str) -> Option<u64> {
        self.json(store, &["node", "status"])["pid"].as_u64()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        for s in &self.stores {
            let _ = self.run(s, &["node", "stop"]);
        }
    }
}

/// Polls `group status` (bounded) until its flags are `want`.
fn wait_status(env: &Env, store: &str, id: &str, g: &str, want: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = env.json(store, &["group", "status", "--identity", id, g]);
        if v["status"] == want || Instant::now() >= deadline {
            return v;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn two_cli_stores_connect_and_processes_share_one_node() {
    let mut env = Env::new();
    let alice = env.store("a", "alice");
    let bob = env.store("b", "bob");
    let g = env.group(&alice, &bob);
    assert_eq!(env.json("a", &["node", "status"])["running"], false);
    // The creator listens at once; the joiner returns once connected.
    let a = env.json("a", &["group", "connect", "--identity", &alice, &g]);
    assert_eq!(a["flags"][0], "listening", "{a}");
    let b = env.json(
        "b",
        &[
            "group",
            "connect",
            "--identity",
            &bob,
            &g,
            "--timeout",
            "20s",
        ],
    );
    assert_eq!(b["status"], BOTH, "{b}");
    assert_eq!(b["connections"], 1);
    let a = wait_status(&env, "a", &alice, &g, BOTH);
    assert_eq!(a["status"], BOTH, "{a}");
    let conns = env.json("a", &["group", "connections", "--identity", &alice, &g]);
    assert_eq!(conns["connections"][0]["member"], bob.as_str(), "{conns}");
    // Every process of store b uses the same node: a later process sees it, and a
    // second connect from another process does not start another.
    let pid = env.node_pid("b").expect("b's node runs");
    env.json("b", &["group", "connect", "--identity", &bob, &g]);
    assert_eq!(env.node_pid("b"), Some(pid));
    let status = env.json("b", &["node", "status"]);
    assert_eq!(status["groups"][0]["persistent"], true, "{status}");
    // The Rust API in this process sees the same connection through the socket.
    let pn = peernet::Peernet::open_with(
        env.path("b"),
        peernet::Options::default().with_node_launch(peernet::NodeLaunch::Never),
    )
    .unwrap();
    let rust = pn.group_open(&bob, &g, None).unwrap();
    assert_eq!(u64::from(rust.get_status().unwrap().flags), BOTH);
    assert_eq!(rust.enum_connections().unwrap()[0].member, alice);
    // Disconnecting b leaves a listening alone.
    env.ok("b", &["group", "disconnect", "--identity", &bob, &g]);
    let a = wait_status(
        &env,
        "a",
        &alice,
        &g,
        u64::from(PEER_GROUP_STATUS_LISTENING),
    );
    assert_eq!(a["status"], u64::from(PEER_GROUP_STATUS_LISTENING), "{a}");
    assert_eq!(
        env.json("b", &["group", "status", "--identity", &bob, &g])["status"],
        0
    );
}

#[test]
fn sigkill_of_the_node_loses_nothing_and_the_next_connect_starts_one() {
    let mut env = Env::new();
    let alice = env.store("a", "alice");
    let bob = env.store("b", "bob");
    let g = env.group(&alice, &bob);
    env.ok("a", &["group", "connect", "--identity", &alice, &g]);
    env.ok("b", &["group", "connect", "--identity", &bob, &g]);
    env.ok(
        "b",
        &[
            "record",
            "add",
            "--identity",
            &bob,
            &g,
            "--type",
            "4d5b2f11-6522-433b-84ef-a298e60757b0",
            "--data",
            "kept",
        ],
    );
    let before = env.ok("b", &["record", "list", "--identity", &bob, &g]);
    let pid = env.node_pid("b").expect("b's node runs");
    let killed = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // Alice notices, bob's store has no node and reports nothing connected.
    let a = wait_status(
        &env,
        "a",
        &alice,
        &g,
        u64::from(PEER_GROUP_STATUS_LISTENING),
    );
    assert_eq!(a["status"], u64::from(PEER_GROUP_STATUS_LISTENING), "{a}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while env.node_pid("b").is_some() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(env.node_pid("b"), None);
    assert_eq!(
        env.json("b", &["group", "status", "--identity", &bob, &g])["status"],
        0
    );
    assert_eq!(
        env.ok("b", &["record", "list", "--identity", &bob, &g]),
        before
    );
    // The next connect starts a new node, with the same PeerId (the key is the store's).
    let b = env.json("b", &["group", "connect", "--identity", &bob, &g]);
    assert_eq!(b["status"], BOTH, "{b}");
    let new_pid = env.node_pid("b").unwrap();
    assert_ne!(new_pid, pid);
}

#[test]
fn unreachable_address_fails_with_connection_failed_and_releases_the_group() {
    let mut env = Env::new();
    let alice = env.store("a", "alice");
    let bob = env.store("b", "bob");
    let g = env.group(&alice, &bob);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let out = env.run(
        "b",
        &[
            "group",
            "connect",
            "--identity",
            &bob,
            &g,
            "--address",
            &addr,
            "--timeout",
            "2s",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("PEER_E_CONNECTION_FAILED"), "{err}");
    let status = env.json("b", &["node", "status"]);
    assert_eq!(
        status["groups"].as_array().map(Vec::len),
        Some(0),
        "{status}"
    );
    // Bad addresses are usage errors naming the HRESULT.
    let out = env.run(
        "b",
        &[
            "group",
            "connect",
            "--identity",
            &bob,
            &g,
            "--address",
            "nowhere",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("E_INVALIDARG"));
}

#[test]
fn node_commands() {
    let mut env = Env::new();
    env.store("a", "alice");
    assert_eq!(env.json("a", &["node", "status"])["running"], false);
    assert_eq!(env.json("a", &["node", "stop"])["stopped"], false);
    let v = env.json("a", &["node", "listen", "127.0.0.1:4000", "[::1]:4000"]);
    assert_eq!(v["listen"][1], "[::1]:4000");
    let v = env.json("a", &["node", "listen", "--default"]);
    assert_eq!(v["listen"][0], "0.0.0.0:3587");
    env.ok("a", &["node", "listen", "127.0.0.1:0"]);
    // A foreground node on demand of this test: started, seen, stopped.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("peernet"))
        .arg("--store")
        .arg(env.path("a"))
        .args(["node", "run", "--service"])
        .env("PEERNET_RUNTIME_DIR", env.path("runtime"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while env.node_pid("a").is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = env.json("a", &["node", "status"]);
    assert_eq!(status["service"], true, "{status}");
    assert_eq!(status["pid"], u64::from(child.id()));
    // A second node for the same store refuses to start.
    let out = env.run("a", &["node", "run"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("PEER_E_ALREADY_EXISTS"));
    assert_eq!(env.json("a", &["node", "stop"])["stopped"], true);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            assert!(s.success());
            break;
        }
        assert!(Instant::now() < deadline, "the node did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sigkill_mid_sync_leaves_whole_records_and_the_next_sync_completes() {
    const TOTAL: u64 = 30_000;
    let mut env = Env::new();
    let alice = env.store("a", "alice");
    let bob = env.store("b", "bob");
    let g = env.group(&alice, &bob);
    // Alice publishes through the library (one transaction per 5,000 records).
    let opts = || peernet::Options::default().with_pfx_iterations(1000);
    let pa = peernet::Peernet::open_with(env.path("a"), opts()).unwrap();
    let ga = pa.group_open(&alice, &g, None).unwrap();
    let expires = std::time::SystemTime::now() + Duration::from_secs(3600);
    let ty: peernet::Guid = "{4d5b2f11-6522-433b-84ef-a298e60757b0}".parse().unwrap();
    for chunk in 0..TOTAL / 5000 {
        let batch: Vec<peernet::Record> = (0..5000)
            .map(|i| {
                peernet::Record::new(ty, expires).with_data(format!("{chunk}/{i}").into_bytes())
            })
            .collect();
        ga.add_records(&batch).unwrap();
    }
    drop((ga, pa));
    let pb = peernet::Peernet::open_with(env.path("b"), opts()).unwrap();
    let count = || pb.store().record_count(&bob, &g, None).unwrap();
    env.ok("a", &["group", "connect", "--identity", &alice, &g]);
    // Bob's node runs as a child of this test, and his connect (which returns once the
    // first synchronization is done) in the background.
    let spawn = |args: &[&str]| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("peernet"))
            .current_dir(env.dir.path())
            .env_remove("PEERNET_HOME")
            .env("PEERNET_PFX_ITERATIONS", "1000")
            .env("PEERNET_RUNTIME_DIR", env.path("runtime"))
            .arg("--store")
            .arg(env.path("b"))
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut node = spawn(&["node", "run"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while env.node_pid("b") != Some(u64::from(node.id())) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut connect = spawn(&["group", "connect", "--identity", &bob, &g]);
    // Kill bob's node as soon as the first batch of the sync is committed.
    let deadline = Instant::now() + Duration::from_secs(60);
    while count() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    node.kill().unwrap(); // SIGKILL
    let _ = node.wait();
    let _ = connect.wait();
    let at_kill = count();
    assert!(
        at_kill > 0 && at_kill < TOTAL,
        "the kill landed mid-sync ({at_kill} of {TOTAL} stored)"
    );
    // Whole records only: the store is intact and every stored record verifies.
    pb.store().check_integrity().unwrap();
    let gb = pb.group_open(&bob, &g, None).unwrap();
    assert_eq!(gb.enum_records(None).unwrap().len() as u64, count());
    // The next connect starts a node that resumes and completes the sync.
    env.ok("b", &["group", "connect", "--identity", &bob, &g]);
    let deadline = Instant::now() + Duration::from_secs(180);
    while count() < TOTAL && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(count(), TOTAL, "resumed from {at_kill}");
    assert_eq!(gb.enum_records(None).unwrap().len() as u64, TOTAL);
}

/// A `peernet chat` process of `store` with its output read line by line.
struct Chat {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    stderr: PathBuf,
}

impl Chat {
    fn start(env: &Env, store: &str, identity: &str, group: &str) -> Chat {
        use std::io::BufRead;
        let stderr = env.path(&format!("chat-{store}.err"));
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("peernet"))
            .current_dir(env.dir.path())
            .env_remove("PEERNET_HOME")
            .env("PEERNET_RUNTIME_DIR", env.path("runtime"))
            .arg("--store")
            .arg(env.path(store))
            .args(["chat", "--identity", identity, group])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        Chat {
            child,
            lines,
            stderr,
        }
    }

    fn say(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// Waits (60 s at most) for an output line containing `text`; on failure shows what
    /// `other` printed too.
    fn expect_with(&self, text: &str, other: &Chat) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(l) if l.contains(text) => return,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let theirs: Vec<String> = other.lines.try_iter().collect();
        panic!(
            "no line with {text:?}; the other chat printed {theirs:?}, stderr: {}; this one's stderr: {}",
            std::fs::read_to_string(&other.stderr).unwrap_or_default(),
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        );
    }

    /// Waits (60 s at most) for an output line containing `text`.
    fn expect(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(l) if l.contains(text) => return,
                Ok(l) => seen.push(l),
                Err(_) => break,
            }
        }
        panic!(
            "no line with {text:?}; saw {seen:?}; stderr: {}",
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        );
    }

    fn quit(mut self) {
        self.say("/quit");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                assert!(s.success(), "chat exited with {s}");
                return;
            }
            assert!(Instant::now() < deadline, "chat did not end on /quit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Chat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn two_chats_see_messages_and_whispers_and_direct_send_reaches_the_other() {
    let mut env = Env::new();
    let alice = env.store("a", "alice");
    let bob = env.store("b", "bob");
    let g = env.group(&alice, &bob);
    let a = Chat::start(&env, "a", &alice, &g);
    let mut b = Chat::start(&env, "b", &bob, &g);
    b.say("hello from bob");
    a.expect("hello from bob");
    b.say(&format!("/w {alice} psst"));
    a.expect_with("whispers: psst", &b);
    // Another process of bob's store sends on a direct connection of its own.
    let sent = env.json(
        "b",
        &[
            "group",
            "direct",
            "send",
            "--identity",
            &bob,
            &g,
            "--to",
            &alice,
            "one-shot",
        ],
    );
    assert_eq!(sent["bytes"], 8);
    a.expect("whispers: one-shot");
    // Errors name the HRESULT.
    let out = env.run(
        "b",
        &["group", "direct", "close", "--identity", &bob, &g, "12345"],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("PEER_E_CONNECTION_NOT_FOUND"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    b.say("/members");
    b.expect("(online)");
    b.quit();
    a.quit();
}
