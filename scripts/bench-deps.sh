#!/usr/bin/env bash
# Install or check what `cargo xtask bench-compare` (package bench/, peernet-bench) needs
# beyond Rust: the OpenSSL headers and pkg-config, so the `openssl` crate can link the
# system libcrypto, and GNU time (`/usr/bin/time -v`, the peak-memory part of
# `cargo xtask bench-scale`). Idempotent; installs with apt-get only when run as root.
# scripts/test-deps.sh calls this too: bench/ is a workspace member and CI builds it.
set -euo pipefail

need_apt=()
[ -x /usr/bin/time ] || need_apt+=(time)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
if ! { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists openssl; }; then
  need_apt+=(libssl-dev)
fi

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench-deps: installing ${need_apt[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "bench-deps: missing ${need_apt[*]}; install them and rerun" >&2
    exit 1
  fi
fi

echo "bench-deps: pkg-config $(pkg-config --version); libcrypto $(pkg-config --modversion libcrypto)" >&2
