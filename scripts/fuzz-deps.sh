#!/usr/bin/env bash
# Install or check what `cargo xtask fuzz-smoke` needs beyond the Rust toolchain: cargo-fuzz
# (pinned, built from crates.io with its own lock file) and a C++ compiler for libFuzzer
# (libfuzzer-sys builds it from source). Idempotent.
set -euo pipefail

CARGO_FUZZ_VERSION=0.13.2

if ! command -v c++ >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "fuzz-deps: installing g++" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ >/dev/null
  else
    echo "fuzz-deps: no C++ compiler (c++); install g++ and rerun" >&2
    exit 1
  fi
fi

have="$(cargo fuzz --version 2>/dev/null || true)"
if [ "$have" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  echo "fuzz-deps: installing cargo-fuzz $CARGO_FUZZ_VERSION (found: ${have:-none})" >&2
  cargo install --locked --quiet cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi
echo "fuzz-deps: $(cargo fuzz --version); $(c++ --version | head -n1)" >&2
