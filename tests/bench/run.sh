#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail): builds lvsdeck in release mode and runs the lab
# scenarios in tests/bench/, then prints each figure and the lvsdeck/ipvsadm ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --locked --examples
out=$(mktemp)
trap 'rm -f "$out"' EXIT
./target/release/lvsdeck lab --quiet --timeout 3000 --mem 2048 --run tests/bench/adm.sh | tee "$out"
echo
echo "== restore and listing, 10,000 services x 10 real servers (lab VM, software emulation)"
awk '/^FIGURE/ { split($2, p, "_"); t[p[1] "," p[2]] = $3; if (!(p[1] in seen)) { seen[p[1]] = 1; order[++n] = p[1] } }
     END { for (i = 1; i <= n; i++) { k = order[i]; a = t[k ",ipvsadm"]; l = t[k ",lvsdeck"];
           if (a > 0) printf "%-10s ipvsadm %8.3f s   lvsdeck %8.3f s   ratio %.3f\n", k, a, l, l / a } }' "$out"
if [ -x target/release/examples/conn_bench ]; then
  echo
  echo "== connection table, 1,000,000 entries"
  ./target/release/examples/conn_bench
fi
