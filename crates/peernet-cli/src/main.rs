//! The `peernet` command line (see `docs/CLI.md`).

fn main() -> std::process::ExitCode {
    peernet_cli::main()
}
