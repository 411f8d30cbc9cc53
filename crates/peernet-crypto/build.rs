//! Declares the `fuzzing` cfg that cargo-fuzz sets (`fuzz/`), so `#[cfg(fuzzing)]` is not an
//! unexpected cfg in ordinary builds.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(fuzzing)");
}
