//! `cargo xtask`: project automation.
//!
//! * `cargo xtask fixtures` regenerates every golden file under `fixtures/`
//!   deterministically (fixed clocks, seeds, serials and committed input keys).
//! * `cargo xtask fixtures --check` regenerates in memory and fails when a committed
//!   file differs from what the code produces now (or is missing, or is stale).
//! * `cargo xtask fuzz-smoke [SECONDS]` runs every cargo-fuzz target in `fuzz/` for
//!   SECONDS (default 10) each, seeded from `fuzz/corpus/<target>/` (when it exists) and
//!   the target's fixture directories (see [`seeds`]); new inputs go to
//!   `<target dir>/fuzz-smoke/`, so neither seed set is touched. Installs cargo-fuzz first
//!   (`scripts/fuzz-deps.sh`); runs it with `RUSTC_BOOTSTRAP=1` on stable.
//! * `cargo xtask bench-compare` builds `bench/` (package `peernet-bench`) in release
//!   mode, runs it (peernet-crypto and OpenSSL timed alternately on identical inputs),
//!   prints its table and writes it into `docs/PERFORMANCE.md` between the
//!   `bench-compare` markers of the section "Side by side with OpenSSL".
//! * `cargo xtask bench-scale [paths] [store] [memory]` builds `bench/` and the `peernet`
//!   CLI in release mode and runs `peernet-bench scale` once per part (default: all):
//!   identity export/import against the PFX work alone, store scaling through the facade
//!   at 1,000 / 100,000 / 1,000,000 rows, peak RSS of `peernet identity import` (needs
//!   `/usr/bin/time`); each part's table goes between its `bench-scale:PART` markers in
//!   `docs/PERFORMANCE.md`.
//! * `cargo xtask completions [DIR]` writes shell completions of `peernet` (bash, zsh,
//!   fish, elvish, PowerShell) to DIR (default `<target dir>/completions/`).
//! * `cargo xtask man [DIR]` writes `peernet.1` and one page per subcommand
//!   (`peernet-identity-create.1`, …) to DIR (default `<target dir>/man/`).
//!
//! `<target dir>` is cargo's build directory as `cargo metadata` reports it: `target/`
//! unless `CARGO_TARGET_DIR` or `build.target-dir` moves it (see [`target_dir`]). Every
//! binary xtask builds is looked for there.

mod docs;
mod fixtures;

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!(
        "usage: cargo xtask fixtures [--check] | fuzz-smoke [SECONDS] | bench-compare | bench-scale [paths] [store] [memory] | completions [DIR] | man [DIR]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["fixtures"] => match fixtures::write_all(&root) {
            Ok(n) => {
                println!("fixtures: wrote {n} files");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        ["fixtures", "--check"] => match fixtures::check_all(&root) {
            Ok(n) => {
                println!("fixtures: {n} files up to date");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        ["completions"] => docs::report(docs::completions(&target_dir(&root).join("completions"))),
        ["completions", dir] => docs::report(docs::completions(std::path::Path::new(dir))),
        ["man"] => docs::report(docs::man(&target_dir(&root).join("man"))),
        ["man", dir] => docs::report(docs::man(std::path::Path::new(dir))),
        ["fuzz-smoke"] => fuzz_smoke(&root, 10),
        ["fuzz-smoke", secs] => secs
            .parse()
            .map_or_else(|_| usage(), |s| fuzz_smoke(&root, s)),
        ["bench-compare"] => bench_compare(&root),
        ["bench-scale"] => bench_scale(&root, &["paths", "store", "memory"]),
        ["bench-scale", parts @ ..] => bench_scale(&root, parts),
        _ => usage(),
    }
}

const BENCH_BEGIN: &str = "<!-- bench-compare:begin -->";
const BENCH_END: &str = "<!-- bench-compare:end -->";
const BENCH_HEADING: &str = "## Side by side with OpenSSL";

/// Runs one of the repository's install-or-check scripts (`scripts/bench-deps.sh`: libssl-dev,
/// pkg-config, GNU time; `scripts/fuzz-deps.sh`: cargo-fuzz, a C++ compiler), so the
/// subcommands that need `what` work from a fresh clone.
fn deps_script(root: &std::path::Path, script: &str, what: &str) -> bool {
    let ok = std::process::Command::new("bash")
        .current_dir(root)
        .arg(script)
        .status();
    if !matches!(ok, Ok(s) if s.success()) {
        eprintln!("error: {script} could not install or find {what}");
        return false;
    }
    true
}

/// Build and run `peernet-bench` in release mode; splice its output into the document.
fn bench_compare(root: &std::path::Path) -> ExitCode {
    if !deps_script(root, "scripts/bench-deps.sh", "the benchmark dependencies") {
        return ExitCode::FAILURE;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = std::process::Command::new(&cargo)
        .current_dir(root)
        .args(["build", "--release", "--locked", "-p", "peernet-bench"])
        .status();
    if !matches!(built, Ok(s) if s.success()) {
        eprintln!(
            "error: cannot build peernet-bench (needs libssl-dev and pkg-config: scripts/bench-deps.sh)"
        );
        return ExitCode::FAILURE;
    }
    let exe = target_dir(root)
        .join("release/peernet-bench")
        .with_extension(std::env::consts::EXE_EXTENSION);
    let out = match std::process::Command::new(&exe)
        .current_dir(root)
        .stderr(std::process::Stdio::inherit())
        .output()
    {
        Ok(o) if o.status.success() => o.stdout,
        Ok(o) => {
            eprintln!("error: peernet-bench failed ({})", o.status);
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("error: cannot run {}: {e}", exe.display());
            return ExitCode::FAILURE;
        }
    };
    let table = String::from_utf8_lossy(&out);
    print!("{table}");
    let doc_path = root.join("docs/PERFORMANCE.md");
    let doc = match std::fs::read_to_string(&doc_path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {}: {e}", doc_path.display());
            return ExitCode::FAILURE;
        }
    };
    let updated = match splice_section(&doc, &table) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: docs/PERFORMANCE.md: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(&doc_path, updated) {
        eprintln!("error: {}: {e}", doc_path.display());
        return ExitCode::FAILURE;
    }
    println!("bench-compare: updated docs/PERFORMANCE.md");
    ExitCode::SUCCESS
}

/// Build `peernet-bench` and `peernet` in release mode; run `peernet-bench scale` for each
/// part and splice its output between that part's markers.
fn bench_scale(root: &std::path::Path, parts: &[&str]) -> ExitCode {
    if !deps_script(root, "scripts/bench-deps.sh", "the benchmark dependencies") {
        return ExitCode::FAILURE;
    }
    const HEADINGS: [(&str, &str); 3] = [
        ("paths", "## Identity export/import paths"),
        ("store", "## Store scaling through the facade"),
        ("memory", "## Peak memory"),
    ];
    if parts
        .iter()
        .any(|p| !HEADINGS.iter().any(|(name, _)| name == p))
    {
        return usage();
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = std::process::Command::new(&cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            "peernet-bench",
            "-p",
            "peernet-cli",
        ])
        .status();
    if !matches!(built, Ok(s) if s.success()) {
        eprintln!(
            "error: cannot build peernet-bench and peernet-cli (needs libssl-dev and pkg-config: scripts/bench-deps.sh)"
        );
        return ExitCode::FAILURE;
    }
    let release = target_dir(root).join("release");
    let exe = |name: &str| {
        release
            .join(name)
            .with_extension(std::env::consts::EXE_EXTENSION)
    };
    let doc_path = root.join("docs/PERFORMANCE.md");
    for (part, heading) in HEADINGS.iter().filter(|(n, _)| parts.contains(n)) {
        let out = match std::process::Command::new(exe("peernet-bench"))
            .current_dir(root)
            .arg("scale")
            .arg(exe("peernet"))
            .env("PEERNET_BENCH_ONLY", part)
            .stderr(std::process::Stdio::inherit())
            .output()
        {
            Ok(o) if o.status.success() => o.stdout,
            Ok(o) => {
                eprintln!("error: peernet-bench scale ({part}) failed ({})", o.status);
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("error: cannot run peernet-bench: {e}");
                return ExitCode::FAILURE;
            }
        };
        let table = String::from_utf8_lossy(&out);
        print!("{table}");
        let markers = Markers {
            begin: format!("<!-- bench-scale:{part}:begin -->"),
            end: format!("<!-- bench-scale:{part}:end -->"),
            heading: (*heading).to_owned(),
        };
        let updated = std::fs::read_to_string(&doc_path)
            .map_err(|e| e.to_string())
            .and_then(|doc| splice_between(&doc, &table, &markers).map_err(str::to_owned))
            .and_then(|u| std::fs::write(&doc_path, u).map_err(|e| e.to_string()));
        if let Err(e) = updated {
            eprintln!("error: {}: {e}", doc_path.display());
            return ExitCode::FAILURE;
        }
        println!("bench-scale: updated the {part} part of docs/PERFORMANCE.md");
    }
    ExitCode::SUCCESS
}

/// The markers around a generated part of `docs/PERFORMANCE.md`, and the heading of the
/// section made when they are missing.
struct Markers {
    begin: String,
    end: String,
    heading: String,
}

/// Replace what lies between the bench-compare markers with `body`; when the markers are
/// missing, append the section (heading and markers) at the end. Nothing else changes.
fn splice_section(doc: &str, body: &str) -> Result<String, &'static str> {
    splice_between(
        doc,
        body,
        &Markers {
            begin: BENCH_BEGIN.to_owned(),
            end: BENCH_END.to_owned(),
            heading: BENCH_HEADING.to_owned(),
        },
    )
}

/// [`splice_section`] with any markers.
fn splice_between(doc: &str, body: &str, m: &Markers) -> Result<String, &'static str> {
    let body = body.trim_end();
    let (begin, end, heading) = (&m.begin, &m.end, &m.heading);
    match (doc.find(begin.as_str()), doc.find(end.as_str())) {
        (Some(b), Some(e)) if b < e => {
            let head = &doc[..b + begin.len()];
            let tail = &doc[e..];
            Ok(format!("{head}\n{body}\n{tail}"))
        }
        (None, None) => {
            let sep = if doc.ends_with('\n') { "\n" } else { "\n\n" };
            Ok(format!("{doc}{sep}{heading}\n\n{begin}\n{body}\n{end}\n"))
        }
        _ => Err("the markers are unbalanced"),
    }
}

/// The fixture directories that seed `target` (besides `fuzz/corpus/<target>/`), and the
/// largest input libFuzzer may make for it (`-max_len`; chains of 25 RSA certificates
/// are about 34 KB).
fn seeds(target: &str) -> (&'static [&'static str], u32) {
    match target {
        "pkcs12_read" => (&["fixtures/pfx"], 8192),
        "pkcs7_decode" => (&["fixtures/p7b"], 65536),
        "certificate_parse" => (&["fixtures/der", "fixtures/keys"], 8192),
        "chain_validate" => (&["fixtures/p7b"], 65536),
        "encrypted_key_open" => (&["fixtures/p8"], 8192),
        // End to end through the facade: the hostile corpus' sound documents and its
        // defects of the same document type (the password is the corpus' own).
        "identity_import" => (&["fixtures/hostile/base", "fixtures/hostile/ie"], 16384),
        "config_import" => (&["fixtures/hostile/base", "fixtures/hostile/gc"], 16384),
        "invitation_join" => (&["fixtures/hostile/base", "fixtures/hostile/inv"], 16384),
        // Document text in every encoding Windows programs write, accepted and refused.
        "text_decode" => (&["fixtures/encodings"], 16384),
        // peernet-net's handshake frames: only its own corpus (a frame is at most 256 KiB).
        "handshake_messages" => (&[], 65536),
        // The node socket's JSON lines: its own corpus (a line is at most 1 MiB).
        "node_socket" => (&[], 65536),
        // Replication frames: its own corpus (a frame is at most 4 MiB).
        "replication_messages" => (&[], 65536),
        // peernet-protocol targets: the golden and the hostile XML documents.
        _ => (&["fixtures/xml", "fixtures/invalid/xml"], 8192),
    }
}

/// Run each fuzz target briefly; fails on the first target that finds a crash.
fn fuzz_smoke(root: &std::path::Path, seconds: u32) -> ExitCode {
    if !deps_script(root, "scripts/fuzz-deps.sh", "cargo-fuzz") {
        return ExitCode::FAILURE;
    }
    let Ok(entries) = std::fs::read_dir(root.join("fuzz/fuzz_targets")) else {
        eprintln!("error: no fuzz/fuzz_targets directory");
        return ExitCode::FAILURE;
    };
    let mut targets: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".rs")
                .map(str::to_owned)
        })
        .collect();
    targets.sort();
    let smoke_dir = target_dir(root).join("fuzz-smoke");
    for t in &targets {
        let scratch = smoke_dir.join(t);
        if let Err(e) = std::fs::create_dir_all(&scratch) {
            eprintln!("error: {}: {e}", scratch.display());
            return ExitCode::FAILURE;
        }
        println!("fuzz-smoke: {t} for {seconds}s");
        let (fixture_dirs, max_len) = seeds(t);
        // libFuzzer exits when a corpus directory is missing: pass only those that exist.
        let corpus: Vec<PathBuf> = std::iter::once(root.join("fuzz/corpus").join(t))
            .chain(fixture_dirs.iter().map(|d| root.join(d)))
            .filter(|d| d.is_dir())
            .collect();
        // libFuzzer's progress lines go to a log beside the scratch corpus; the summary
        // (and, on failure, the end of the log with the crash report) is printed here.
        let log = smoke_dir.join(format!("{t}.log"));
        let output =
            std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .current_dir(root)
                .env("RUSTC_BOOTSTRAP", "1")
                .args(["fuzz", "run", t])
                .arg(&scratch)
                .args(&corpus)
                .args([
                    "--",
                    &format!("-max_total_time={seconds}"),
                    &format!("-max_len={max_len}"),
                    "-print_final_stats=1",
                ])
                .stdin(std::process::Stdio::null())
                .output();
        let output = match output {
            Ok(o) => o,
            Err(e) => {
                eprintln!("error: cannot run cargo fuzz: {e}");
                return ExitCode::FAILURE;
            }
        };
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if let Err(e) = std::fs::write(&log, &text) {
            eprintln!("error: {}: {e}", log.display());
        }
        if !output.status.success() {
            let lines: Vec<&str> = text.lines().collect();
            for l in &lines[lines.len().saturating_sub(80)..] {
                eprintln!("{l}");
            }
            eprintln!(
                "error: fuzz target {t} failed ({}); full output: {}",
                output.status,
                log.display()
            );
            return ExitCode::FAILURE;
        }
        for l in text.lines().filter(|l| {
            l.contains("\tDONE ")
                || l.starts_with("stat::number_of_executed_units")
                || l.starts_with("stat::peak_rss_mb")
        }) {
            println!("  {l}");
        }
    }
    println!("fuzz-smoke: {} targets ran clean", targets.len());
    ExitCode::SUCCESS
}

/// Cargo's build directory for this workspace, where `cargo build` puts the binaries xtask
/// runs: `target_directory` from `cargo metadata --no-deps` (which applies
/// `CARGO_TARGET_DIR` and `build.target-dir`); if cargo cannot be asked, `CARGO_TARGET_DIR`
/// (relative to the workspace root when relative), else `<root>/target`.
pub fn target_dir(root: &std::path::Path) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let reported = std::process::Command::new(cargo)
        .current_dir(root)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok())
        .and_then(|m| m["target_directory"].as_str().map(PathBuf::from));
    reported.unwrap_or_else(|| {
        std::env::var_os("CARGO_TARGET_DIR")
            .filter(|d| !d.is_empty())
            .map_or_else(|| root.join("target"), |d| root.join(d))
    })
}

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The target directory xtask uses is the one cargo built this test into, wherever
    /// `CARGO_TARGET_DIR` or `build.target-dir` put it.
    #[test]
    fn target_dir_is_where_cargo_builds() {
        let exe = std::env::current_exe().unwrap();
        let dir = target_dir(&workspace_root());
        assert!(
            exe.starts_with(&dir),
            "{} is not under {}",
            exe.display(),
            dir.display()
        );
    }

    #[test]
    fn splice_replaces_only_between_markers() {
        let doc =
            format!("# P\n\n{BENCH_HEADING}\n\nintro\n{BENCH_BEGIN}\nold\n{BENCH_END}\nafter\n");
        let out = splice_section(&doc, "new table\n").unwrap();
        assert_eq!(
            out,
            format!(
                "# P\n\n{BENCH_HEADING}\n\nintro\n{BENCH_BEGIN}\nnew table\n{BENCH_END}\nafter\n"
            )
        );
        assert_eq!(
            splice_section(&out, "new table").unwrap(),
            out,
            "idempotent"
        );
    }

    #[test]
    fn splice_appends_a_missing_section_and_refuses_broken_markers() {
        let out = splice_section("# P\n\ntext\n", "t").unwrap();
        assert_eq!(
            out,
            format!("# P\n\ntext\n\n{BENCH_HEADING}\n\n{BENCH_BEGIN}\nt\n{BENCH_END}\n")
        );
        assert!(splice_section(&format!("{BENCH_END}\n{BENCH_BEGIN}\n"), "t").is_err());
        assert!(splice_section(&format!("{BENCH_BEGIN}\n"), "t").is_err());
    }
}
