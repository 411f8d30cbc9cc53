#![no_main]

//! Any bytes as one line on a store's node socket (`peernet::node`, one JSON request per
//! line): the node answers or ends that session, never panics, and still answers the
//! next process. The node runs on a thread of this process, listening on loopback, for an
//! empty store: a well-formed connect reaches the store and is refused there, so no input
//! can make the node dial anything.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use peernet::{NodeLaunch, Options, Peernet};

struct Fixture {
    _dir: tempfile::TempDir,
    pn: Peernet,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary store");
        let pn = Peernet::open_with(
            dir.path().join("store"),
            Options::default()
                .with_pfx_iterations(1000)
                .with_node_launch(NodeLaunch::InProcess)
                .with_runtime_dir(dir.path().join("runtime")),
        )
        .expect("store");
        pn.set_node_listen(Some(&["127.0.0.1:0".parse().expect("address")]))
            .expect("listen");
        peernet::node::start_node(&pn).expect("node");
        Fixture { _dir: dir, pn }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let sock = f.pn.store().dir().join(peernet::node::SOCKET_FILE);
    let Ok(mut s) = UnixStream::connect(&sock) else {
        // A previous input stopped the node ({"op":"stop"}): start another.
        peernet::node::start_node(&f.pn).expect("a node starts again");
        return;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.write_all(data);
    let _ = s.write_all(b"\n");
    let mut answer = String::new();
    let _ = BufReader::new(&s).read_line(&mut answer);
    drop(s);
    if !data.windows(4).any(|w| w.eq_ignore_ascii_case(b"stop")) {
        assert!(
            peernet::node::node_status(&f.pn).expect("the node answers").is_some(),
            "the node stopped after {:?}",
            String::from_utf8_lossy(data)
        );
    }
});
