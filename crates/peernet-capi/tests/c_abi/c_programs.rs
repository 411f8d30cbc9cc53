//! `tests/c/*.c` compiled against `include/p2p.h`, linked against the cdylib cargo
//! built for this test run, run directly and under valgrind.

use std::path::PathBuf;
use std::process::Command;

use crate::tools::{include_dir, library_dir, run, scratch, tool, workspace_root};

/// Compile `tests/c/<name>.c` in strict C99 and link it against `libpeernet_capi`.
fn build(cc: &str, name: &str, extra: &[&str]) -> PathBuf {
    let src = workspace_root().join("tests/c").join(format!("{name}.c"));
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
        .arg("-lpeernet_capi")
        .args(extra));
    exe
}

/// Build `tests/c/<name>.c`, run it, then run it under valgrind; it must print
/// `<name>: ok` both times.
fn build_and_run(name: &str, extra: &[&str]) {
    let Some(cc) = tool("cc", "building the tests/c programs") else {
        return;
    };
    let exe = build(&cc, name, extra);
    let ok = format!("{name}: ok");
    let out = run(&mut Command::new(&exe));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), ok);

    let Some(valgrind) = tool("valgrind", "checking the C ABI for memory errors and leaks") else {
        return;
    };
    let out = run(Command::new(valgrind).args(VALGRIND).arg(&exe));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), ok);
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
fn run_e2e(exe: &std::path::Path, root: &std::path::Path, wrapper: Option<(&str, &[&str])>) {
    let _ = std::fs::remove_dir_all(root);
    let exchange = root.join("exchange");
    std::fs::create_dir_all(&exchange).expect("exchange directory");
    for (phase, computer) in E2E_PHASES {
        let store = root.join(computer);
        std::fs::create_dir_all(&store).expect("store directory");
        let mut cmd = match wrapper {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(exe);
                c
            }
            None => Command::new(exe),
        };
        cmd.arg(phase).arg(&exchange).env("PEERNET_HOME", &store);
        let out = run(&mut cmd);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            format!("e2e {phase}: ok")
        );
    }
}

/// `tests/c/e2e.c`: identity → export → import on the other computer → group → invitation
/// from the invitee's PEERIDENTITYINFO → join → config export → import → open, with the
/// error paths; plain, then under valgrind.
#[test]
fn e2e() {
    let Some(cc) = tool("cc", "building the tests/c programs") else {
        return;
    };
    let exe = build(&cc, "e2e", &[]);
    let dir = exe.parent().expect("scratch directory").to_path_buf();
    run_e2e(&exe, &dir.join("plain"), None);

    let Some(valgrind) = tool("valgrind", "checking the C ABI for memory errors and leaks") else {
        return;
    };
    run_e2e(&exe, &dir.join("valgrind"), Some((&valgrind, VALGRIND)));
}

#[test]
fn enum_and_startup() {
    build_and_run("enum_and_startup", &[]);
}

#[test]
fn threads() {
    build_and_run("threads", &["-pthread"]);
}

/// Run `tests/c/records.c` with its own empty store (`PEERNET_HOME`) and directory.
fn run_records(exe: &std::path::Path, root: &std::path::Path, wrapper: Option<(&str, &[&str])>) {
    let _ = std::fs::remove_dir_all(root);
    let store = root.join("store");
    std::fs::create_dir_all(&store).expect("store directory");
    let mut cmd = match wrapper {
        Some((program, args)) => {
            let mut c = Command::new(program);
            c.args(args).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    cmd.arg(root).env("PEERNET_HOME", &store);
    let out = run(&mut cmd);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "records: ok");
}

/// `tests/c/records.c`: records, members, database export/import and events (a pipe as
/// `hEvent`, and `PeernetWaitForGroupEvent`); plain, then under valgrind.
#[test]
fn records() {
    let Some(cc) = tool("cc", "building the tests/c programs") else {
        return;
    };
    let exe = build(&cc, "records", &[]);
    let dir = exe.parent().expect("scratch directory").to_path_buf();
    run_records(&exe, &dir.join("plain"), None);

    let Some(valgrind) = tool("valgrind", "checking the C ABI for memory errors and leaks") else {
        return;
    };
    run_records(&exe, &dir.join("valgrind"), Some((&valgrind, VALGRIND)));
}
