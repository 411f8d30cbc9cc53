#!/usr/bin/env bash
# Supply-chain check against deny.toml (the committed policy):
#   1. cargo-deny itself (pinned, installed from crates.io when missing):
#      `cargo deny --offline check licenses bans sources` over every platform's graph, and
#      `advisories` when a local RustSec database exists. CI reaches crates.io but not
#      GitHub, where the database lives, so advisories are reviewed by hand in
#      docs/RELIABILITY.md there;
#   2. tests/tests/hardening_supply_chain.rs (also part of `cargo test`): the same policy
#      mirrored over the host's graph (tests/src/supply_chain.rs), plus the pinned-advisory
#      regressions.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DENY_VERSION=0.20.2

have="$(cargo deny --version 2>/dev/null || true)"
if [ "$have" != "cargo-deny $CARGO_DENY_VERSION" ]; then
  echo "supply-chain: installing cargo-deny $CARGO_DENY_VERSION (found: ${have:-none}); a few minutes, once" >&2
  cargo install --locked --quiet cargo-deny --version "$CARGO_DENY_VERSION"
fi
echo "supply-chain: $(cargo deny --version)"
# cargo-deny reads the graph of every target: fetch what a host build leaves out (the
# wasm-only dependencies of rusqlite's bundled build, the Windows-only crates).
cargo fetch --locked --quiet
cargo deny --offline --all-features check licenses bans sources
db="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
if compgen -G "$db/*/crates" >/dev/null; then
  cargo deny --offline --all-features check advisories
else
  echo "supply-chain: no local RustSec database ($db); advisories reviewed by hand in docs/RELIABILITY.md"
fi
PEERNET_REQUIRE_INTEROP=1 cargo test -p peernet-tests --locked --test hardening_supply_chain -- --nocapture
