//! A process's side of the node socket: find the store's node, start one when none
//! runs, and ask it things.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::ipc::{MAX_LINE, Reply, Request};
use super::{EXE_ENV, LOG_FILE, NodeInfo, NodeLaunch, SOCKET_FILE, START_TIMEOUT};
use crate::context::Peernet;
use crate::error::{Error, Result};
use crate::hresult::{self as hr, HResult};

/// How long a request waits for the node's answer (a connect answers once its dials
/// started, well within this).
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);

/// One connection to the store's node. Dropping it releases every connect made on it.
pub(crate) struct Session {
    writer: UnixStream,
    reader: BufReader<UnixStream>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Session(node socket)")
    }
}

pub(crate) fn socket_path(store_dir: &Path) -> PathBuf {
    store_dir.join(SOCKET_FILE)
}

fn unavailable(message: impl fmt::Display) -> Error {
    Error::api(hr::PEER_E_SERVICE_NOT_AVAILABLE, message)
}

impl Session {
    /// Connects to the running node of `ctx`'s store; `None` when none runs.
    pub(crate) fn existing(ctx: &Peernet) -> Result<Option<Session>> {
        let path = socket_path(ctx.store.dir());
        match UnixStream::connect(&path) {
            Ok(s) => Session::from_stream(s).map(Some),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(unavailable(format!(
                "cannot reach the node socket '{}': {e}",
                path.display()
            ))),
        }
    }

    /// Connects to the store's node, starting one as `ctx`'s options say when none runs.
    pub(crate) fn open(ctx: &Peernet) -> Result<Session> {
        if let Some(s) = Session::existing(ctx)? {
            return Ok(s);
        }
        start(ctx)?;
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(s) = Session::existing(ctx)? {
                return Ok(s);
            }
            if Instant::now() >= deadline {
                return Err(unavailable(format!(
                    "the store's node did not open its socket within {} s; see '{}'",
                    START_TIMEOUT.as_secs(),
                    ctx.store.dir().join(LOG_FILE).display()
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn from_stream(s: UnixStream) -> Result<Session> {
        let io = |e: io::Error| unavailable(format!("node socket: {e}"));
        s.set_read_timeout(Some(REPLY_TIMEOUT)).map_err(io)?;
        // A node that stopped reading (a 4 MiB SendData body) cannot hold a caller forever.
        s.set_write_timeout(Some(REPLY_TIMEOUT)).map_err(io)?;
        let reader = BufReader::new(s.try_clone().map_err(io)?);
        Ok(Session { writer: s, reader })
    }

    /// Sends `request` and reads the answer; an `Error` answer becomes its HRESULT.
    pub(crate) fn request(&mut self, request: &Request) -> Result<Reply> {
        self.request_with(request, &[])
    }

    /// As [`Session::request`], with `body` sent raw after the request's line.
    pub(crate) fn request_with(&mut self, request: &Request, body: &[u8]) -> Result<Reply> {
        let io = |e: io::Error| unavailable(format!("the node went away: {e}"));
        let mut line = serde_json::to_string(request)
            .map_err(|e| Error::api(hr::E_FAIL, format!("encoding a node request: {e}")))?;
        line.push('\n');
        self.writer.write_all(line.as_bytes()).map_err(io)?;
        if !body.is_empty() {
            self.writer.write_all(body).map_err(io)?;
        }
        let mut answer = String::new();
        let n = (&mut self.reader)
            .take(MAX_LINE as u64 + 1)
            .read_line(&mut answer)
            .map_err(io)?;
        if n == 0 {
            return Err(unavailable("the node closed the connection"));
        }
        if n > MAX_LINE {
            return Err(unavailable("the node's answer is too long"));
        }
        match serde_json::from_str(&answer) {
            Ok(Reply::Error { hresult, message }) => Err(Error::api(HResult(hresult), message)),
            Ok(reply) => Ok(reply),
            Err(e) => Err(unavailable(format!("the node's answer is malformed: {e}"))),
        }
    }
}

impl Session {
    /// The raw bytes after a pushed line: they follow at once, so they are read with the
    /// reply timeout, then the push timeout is restored.
    fn push_body(&mut self, len: usize) -> Result<Vec<u8>> {
        use std::io::Read;
        if len > super::ipc::MAX_DATA {
            return Err(unavailable("the node's push is too long"));
        }
        let io = |e: io::Error| unavailable(format!("the node went away: {e}"));
        let previous = self.writer.read_timeout().map_err(io)?;
        self.writer
            .set_read_timeout(Some(REPLY_TIMEOUT))
            .map_err(io)?;
        let mut body = vec![0u8; len];
        let read = self.reader.read_exact(&mut body);
        self.writer.set_read_timeout(previous).map_err(io)?;
        read.map_err(io)?;
        Ok(body)
    }

    /// Sets how long [`Session::next_push`] waits.
    pub(crate) fn set_push_timeout(&self, timeout: Duration) -> Result<()> {
        self.writer
            .set_read_timeout(Some(timeout))
            .map_err(|e| unavailable(format!("node socket: {e}")))
    }

    /// The next line the node pushed to this listening session (see `Request::Listen`);
    /// `Ok(None)` when none completed within the push timeout. `buf` keeps a partial
    /// line between calls.
    pub(crate) fn next_push(&mut self, buf: &mut Vec<u8>) -> Result<Option<Reply>> {
        match (&mut self.reader)
            .take((MAX_LINE + 1 - buf.len().min(MAX_LINE)) as u64)
            .read_until(b'\n', buf)
        {
            Ok(0) => Err(unavailable("the node closed the connection")),
            Ok(_) if buf.ends_with(b"\n") => {
                let reply = serde_json::from_slice(buf);
                buf.clear();
                match reply {
                    Ok(Reply::IncomingData {
                        connection_id,
                        data_type,
                        len,
                        ..
                    }) => self.push_body(len).map(|body| {
                        Some(Reply::IncomingData {
                            connection_id,
                            data_type,
                            len,
                            body: std::sync::Arc::new(body),
                        })
                    }),
                    Ok(r) => Ok(Some(r)),
                    Err(e) => Err(unavailable(format!("the node's push is malformed: {e}"))),
                }
            }
            Ok(_) if buf.len() > MAX_LINE => Err(unavailable("the node's push is too long")),
            Ok(_) => Ok(None),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(unavailable(format!("the node went away: {e}"))),
        }
    }
}

/// The `peernet` executable to start as the node, for [`NodeLaunch::Auto`].
fn find_executable() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(EXE_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let exe = std::env::current_exe().ok()?;
    if exe.file_stem().is_some_and(|s| s == "peernet") {
        return Some(exe);
    }
    let dir = exe.parent()?;
    // Next to the executable, or one level up (cargo's test binaries live in deps/).
    [dir.join("peernet"), dir.parent()?.join("peernet")]
        .into_iter()
        .find(|p| p.is_file())
}

/// Starts the store's node as the options say.
fn start(ctx: &Peernet) -> Result<()> {
    let dir = ctx.store.dir().to_path_buf();
    let exe = match &ctx.options.node_launch {
        NodeLaunch::Never => {
            return Err(unavailable(
                "no node runs for this store and this context does not start one (run `peernet node run`)",
            ));
        }
        NodeLaunch::InProcess => None,
        NodeLaunch::Executable(p) => Some(p.clone()),
        NodeLaunch::Auto => find_executable(),
    };
    match exe {
        Some(exe) => spawn(&exe, &dir, ctx.options.runtime_dir.as_deref()),
        None => {
            let ctx = ctx.clone();
            std::thread::Builder::new()
                .name("peernet-node".into())
                .spawn(move || {
                    let options = super::NodeOptions {
                        in_process: true,
                        ..super::NodeOptions::default()
                    };
                    if let Err(e) = super::run_node_with(&ctx, options)
                        && e.hresult() != hr::PEER_E_ALREADY_EXISTS
                    {
                        eprintln!("peernet node: {e}");
                    }
                })
                .map(|_| ())
                .map_err(|e| unavailable(format!("cannot start the node thread: {e}")))
        }
    }
}

/// Starts `exe --store DIR node run --on-demand` in its own process group, with its
/// output appended to the store's node log; a thread reaps it when it exits.
fn spawn(exe: &Path, dir: &Path, runtime_dir: Option<&Path>) -> Result<()> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(LOG_FILE))
        .map_err(|e| unavailable(format!("cannot open the node log: {e}")))?;
    let log2 = log
        .try_clone()
        .map_err(|e| unavailable(format!("cannot open the node log: {e}")))?;
    let mut cmd = Command::new(exe);
    if let Some(r) = runtime_dir {
        cmd.env(super::RUNTIME_DIR_ENV, r);
    }
    let mut child = cmd
        .arg("--store")
        .arg(dir)
        .args(["node", "run", "--on-demand"])
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .process_group(0)
        .spawn()
        .map_err(|e| unavailable(format!("cannot start '{} node run': {e}", exe.display())))?;
    let _ = std::thread::Builder::new()
        .name("peernet-node-reaper".into())
        .spawn(move || {
            let _ = child.wait();
        });
    Ok(())
}

/// Starts the store's node as `pn`'s options say ([`NodeLaunch`]) when none runs, and
/// returns it.
///
/// # Errors
/// `PEER_E_SERVICE_NOT_AVAILABLE` when no node can be started or reached.
pub fn start_node(pn: &Peernet) -> Result<NodeInfo> {
    let mut s = Session::open(pn)?;
    match s.request(&Request::Hello)? {
        Reply::Node(info) => Ok(info),
        other => Err(unavailable(format!("unexpected answer {other:?}"))),
    }
}

/// The store's running node, or `None` when none runs (never starts one).
///
/// # Errors
/// `PEER_E_SERVICE_NOT_AVAILABLE` when the socket exists but the node does not answer.
pub fn node_status(pn: &Peernet) -> Result<Option<NodeInfo>> {
    let Some(mut s) = Session::existing(pn)? else {
        return Ok(None);
    };
    match s.request(&Request::Hello)? {
        Reply::Node(info) => Ok(Some(info)),
        other => Err(unavailable(format!("unexpected answer {other:?}"))),
    }
}

/// Stops the store's running node; returns whether one ran. Every process's groups
/// lose their connections (`NEIGHBOR_CONNECTION` / `PEER_DISCONNECTED`).
///
/// # Errors
/// `PEER_E_SERVICE_NOT_AVAILABLE` when the node does not answer.
pub fn stop_node(pn: &Peernet) -> Result<bool> {
    let Some(mut s) = Session::existing(pn)? else {
        return Ok(false);
    };
    s.request(&Request::Stop)?;
    // Bounded wait until the socket is gone.
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline && socket_path(pn.store.dir()).exists() {
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(true)
}
