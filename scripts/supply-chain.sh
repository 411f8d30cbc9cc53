#!/usr/bin/env bash
# Supply-chain check against deny.toml (the committed policy):
#   1. deny.toml's licenses, bans and sources applied to `cargo metadata --locked --offline`
#      by tests/tests/hardening_supply_chain.rs (our own reading of the policy, 0.2 s), plus
#      the pinned-advisory regressions in that file;
#   2. cargo-deny itself (pinned, installed from crates.io when missing):
#      `cargo deny --offline check licenses bans sources`, and `advisories` when a local
#      RustSec database exists. CI reaches crates.io but not GitHub, where the database
#      lives, so advisories are reviewed by hand in docs/RELIABILITY.md there.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DENY_VERSION=0.20.2

cargo test -p peernet-tests --locked --test hardening_supply_chain -- --nocapture

have="$(cargo deny --version 2>/dev/null || true)"
if [ "$have" != "cargo-deny $CARGO_DENY_VERSION" ]; then
  echo "supply-chain: installing cargo-deny $CARGO_DENY_VERSION (found: ${have:-none}); a few minutes, once" >&2
  cargo install --locked --quiet cargo-deny --version "$CARGO_DENY_VERSION"
fi
echo "supply-chain: $(cargo deny --version)"
cargo deny --offline --all-features check licenses bans sources
db="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
if compgen -G "$db/*/crates" >/dev/null; then
  cargo deny --offline --all-features check advisories
else
  echo "supply-chain: no local RustSec database ($db); advisories reviewed by hand in docs/RELIABILITY.md"
fi
