//! The `peernet` command line.

#![allow(dead_code)] // wiring in progress (issue 6)

mod cli;
mod output;
mod passin;

fn main() {
    eprintln!("error: the peernet command line is not built yet (see issue 6)");
    std::process::exit(2);
}
