//! The `peernet` command line as a library: the clap grammar ([`command`]) for the
//! completions and man page `cargo xtask` generates, and [`main`] for the binary.
//!
//! The commands, flags, JSON shapes and exit codes are documented in `docs/CLI.md`.
//!
//! Layout: `cli.rs` is the grammar; `commands/` holds one file per command group
//! (identity, group, record, cloud, demo) whose handlers carry the name of the facade
//! function they call; `ctx.rs` what they share (settings, reports, reading and writing
//! documents, passwords); `views.rs` how groups, joins, invitations and clouds are shown.

pub mod cli;
mod commands;
mod ctx;
mod duration;
mod error;
mod output;
mod passin;
mod progress;
mod render;
mod views;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

pub use ctx::PFX_ITERATIONS_ENV;
pub use error::CliError;

/// The clap command of `peernet` (for completions and the man page).
pub fn command() -> clap::Command {
    cli::Cli::command()
}

/// Runs the command line with the process arguments: exit status 0 on success, 1 on a
/// failed command (`error: NAME (0x…): sentence` on stderr), 2 on a usage error.
pub fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => e.exit(),
    };
    let ctx = ctx::Ctx {
        store: args.store,
        json: args.json,
        quiet: args.quiet,
    };
    match commands::run(&ctx, args.command) {
        Ok(report) => {
            let mut out = std::io::stdout().lock();
            // A streaming command (`group watch`) has printed its lines already.
            let res = if report.json.is_null() && report.human.is_empty() {
                Ok(())
            } else if ctx.json {
                writeln!(out, "{}", report.json)
            } else if report.human.is_empty() {
                Ok(())
            } else {
                writeln!(out, "{}", report.human)
            };
            match res.and_then(|_| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    report_error(
                        &ctx,
                        &CliError::new(
                            peernet::hresult::E_FAIL,
                            format!("cannot write to standard output: {e}"),
                        ),
                    );
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            report_error(&ctx, &e);
            ExitCode::FAILURE
        }
    }
}

fn report_error(ctx: &ctx::Ctx, e: &CliError) {
    let mut err = std::io::stderr().lock();
    let _ = if ctx.json {
        writeln!(err, "{}", e.to_json())
    } else {
        writeln!(err, "error: {e}")
    };
}
