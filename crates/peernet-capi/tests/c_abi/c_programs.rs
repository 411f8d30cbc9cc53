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
    let out = run(Command::new(valgrind)
        .args([
            "--leak-check=full",
            "--error-exitcode=1",
            "--errors-for-leak-kinds=definite,indirect",
            "-q",
        ])
        .arg(&exe));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), ok);
}

#[test]
fn enum_and_startup() {
    build_and_run("enum_and_startup", &[]);
}

#[test]
fn threads() {
    build_and_run("threads", &["-pthread"]);
}
