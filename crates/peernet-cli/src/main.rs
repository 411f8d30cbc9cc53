//! The `peernet` command line.

fn main() {
    eprintln!("error: the peernet command line is not built yet (see issue 6)");
    std::process::exit(2);
}
