#!/usr/bin/env bash
# Idle cost of a store's node with N connected groups (default 100): two stores on
# loopback, store a creates N groups, store b joins and connects them all; then the CPU
# time and resident memory of b's node over an idle period (default 10 s).
#   scripts/idle-node.sh [N] [SECONDS]      (uses target/release/peernet, builds it)
set -euo pipefail
N=${1:-100}
IDLE=${2:-10}
cd "$(dirname "$0")/.."
cargo build --release -q -p peernet-cli
P=$PWD/target/release/peernet
W=$(mktemp -d)
trap 'for s in a b; do "$P" --store "$W/$s" node stop >/dev/null 2>&1 || true; done; rm -rf "$W"' EXIT
export PEERNET_RUNTIME_DIR=$W/runtime PEERNET_PFX_ITERATIONS=1000
q() { "$P" -q "$@" 2>/dev/null; }
for s in a b; do q --store "$W/$s" node listen 127.0.0.1:0 >/dev/null; done
A=$(q --store "$W/a" identity create --classifier alice)
B=$(q --store "$W/b" identity create --classifier bob)
q --store "$W/b" identity info "$B" -o "$W/bob.xml" >/dev/null
for i in $(seq 1 "$N"); do
  G=$(q --store "$W/a" group create --identity "$A" --classifier "g$i")
  q --store "$W/a" group invite --identity "$A" "$G" --invitee "$W/bob.xml" -o "$W/inv.xml" --force >/dev/null
  q --store "$W/b" group join --identity "$B" "$W/inv.xml" >/dev/null
  q --store "$W/a" group connect --identity "$A" "$G" >/dev/null
  q --store "$W/b" group connect --identity "$B" "$G" >/dev/null
done
PID=$("$P" --store "$W/b" --json node status | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
CONNS=$("$P" --store "$W/b" --json node status | grep -o '"connections":[0-9]*' | awk -F: '{s+=$2} END {print s}')
ticks() { awk '{print $14+$15}' "/proc/$PID/stat"; }
HZ=$(getconf CLK_TCK)
t0=$(ticks); sleep "$IDLE"; t1=$(ticks)
RSS=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
CPU=$(awk -v d=$((t1 - t0)) -v hz="$HZ" -v s="$IDLE" 'BEGIN {printf "%.2f", 100 * d / hz / s}')
echo "groups=$N connections=$CONNS idle=${IDLE}s cpu=${CPU}% rss=$((RSS / 1024))MiB"
