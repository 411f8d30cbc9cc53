//! The C ABI seen from C: the header compiles in strict C99 and C++11, its layouts and
//! constants equal the Rust side, and C programs linked against the library pass
//! (also under valgrind).
//!
//! - `header`: strict compilation, `sizeof`/`offsetof`, HRESULT values;
//! - `c_programs`: `tests/c/*.c` (next to this crate) linked against the cdylib, run plain and under valgrind;
//! - `exports`: the exact list of exported `Peer*` symbols.

mod c_programs;
mod exports;
mod header;
mod tools;
