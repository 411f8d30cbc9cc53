#!/usr/bin/env bash
# Install or check what the test suite needs beyond Rust: the OpenSSL command line,
# Python 3 with the `cryptography` package, C and C++ compilers, and valgrind. Idempotent; safe to rerun.
# Used by .ci/run and by anyone running the tests on a fresh machine.
set -euo pipefail

need_apt=()
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v cc >/dev/null 2>&1 || need_apt+=(gcc libc6-dev)
command -v c++ >/dev/null 2>&1 || need_apt+=(g++)            # C ABI: header compiles as C++11
command -v valgrind >/dev/null 2>&1 || need_apt+=(valgrind)  # C ABI: crates/peernet-capi/tests/c programs under valgrind
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-pip)

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-deps: installing ${need_apt[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "test-deps: missing ${need_apt[*]}; install them and rerun" >&2
    exit 1
  fi
fi

# Every locked package, for every target (cargo build fetches only the host's): cargo-deny
# (scripts/supply-chain.sh) reads the whole graph offline, e.g. the wasm-only dependencies of
# rusqlite. The tests themselves need only the host's, which `cargo test` downloads.
cargo fetch --locked --quiet

# bench/ (peernet-bench, a workspace member) links the system OpenSSL: headers + pkg-config.
"$(dirname "$0")/bench-deps.sh"

if ! python3 -c 'import cryptography' >/dev/null 2>&1; then
  echo "test-deps: installing python package cryptography" >&2
  python3 -m pip install --quiet --disable-pip-version-check 'cryptography>=42' \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages 'cryptography>=42'
fi

echo "test-deps: $(openssl version | head -1); python cryptography $(python3 -c 'import cryptography; print(cryptography.__version__)'); $(cc --version | head -1); $(valgrind --version)" >&2
