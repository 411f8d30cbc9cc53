#!/usr/bin/env bash
# Supply-chain check, offline (CI reaches crates.io but not GitHub, so the RustSec
# database cannot be fetched there):
#   1. always: deny.toml's licenses, bans and sources applied to `cargo metadata --locked
#      --offline` by tests/tests/hardening_supply_chain.rs (no extra tool to build);
#   2. when cargo-deny is already installed (`cargo install --locked cargo-deny`, a long
#      build - see docs/RELIABILITY.md): `cargo deny --offline check licenses bans sources`,
#      and `advisories` when a local RustSec database exists (ignore list in deny.toml).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test -p peernet-tests --locked --test hardening_supply_chain -- --nocapture

if cargo deny --version >/dev/null 2>&1; then
  echo "supply-chain: $(cargo deny --version)"
  cargo deny --offline --all-features check licenses bans sources
  db="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
  if compgen -G "$db/*/crates" >/dev/null; then
    cargo deny --offline --all-features check advisories
  else
    echo "supply-chain: no local RustSec database ($db); advisories reviewed by hand in docs/RELIABILITY.md"
  fi
else
  echo "supply-chain: cargo-deny not installed; the built-in check above covers licenses, bans and sources"
fi
