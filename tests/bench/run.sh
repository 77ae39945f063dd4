#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail). Builds lvsdeck in release mode, then:
#  - in fresh lab VMs (real kernel IPVS, software emulation), restores 10,000 services x 10
#    real servers with ipvsadm -R and with lvsdeck adm -R (one build per VM, ROUNDS rounds
#    each), and times -Sn, -Ln --stats and -Ln of both tools on that table;
#  - on the host, reads a synthetic 1,000,000-entry /proc/net/ip_vs_conn.
#  - in one more lab VM, on the same 10,000 x 10 table, scrapes lvsdeck daemon --metrics
#    and node_exporter's ipvs collector (Debian's prometheus-node-exporter, only that
#    collector) SCRAPES times each, and reads their peak resident sets (tests/bench/metrics.sh).
# Prints every figure and the lvsdeck/ipvsadm and lvsdeck/node_exporter ratios (medians).
# WHAT=adm or WHAT=metrics runs one part only.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-2}
WHAT=${WHAT:-adm,metrics}
cargo build --release --locked --bin lvsdeck --example conn_bench
out=$(mktemp); scen=$(mktemp)
trap 'rm -f "$out" "$scen"' EXIT

if [[ $WHAT == *metrics* ]]; then
  node=/usr/bin/prometheus-node-exporter
  [ -x $node ] || { echo "apt-get install prometheus-node-exporter"; exit 1; }
  { echo "ROUNDS=${SCRAPES:-5}"; cat tests/bench/metrics.sh; } >"$scen"
  ./target/release/lvsdeck lab --quiet --timeout 1800 --mem 2048 --file $node --run "$scen" | tee "$out"
  echo
  echo "== lvsdeck --metrics vs node_exporter's ipvs collector, 10,000 services x 10 real servers (lab VM, TCG), medians"
  awk '/^FIGURE scrape_/ { t = substr($2, 8); v[t, ++n[t]] = $3 }
       /^FIGURE rss_/ { r[substr($2, 5)] = $3 }
       function median(t,   i, j, c, a, x) { c = n[t]; for (i = 1; i <= c; i++) a[i] = v[t, i]
           for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
           return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2 }
       END { l = median("lvsdeck"); e = median("node_exporter")
             printf "scrape   node_exporter %8.2f s   lvsdeck %8.2f s   ratio %.2f   (%d/%d samples)\n", e, l, (e > 0 ? l / e : 0), n["node_exporter"], n["lvsdeck"]
             printf "peak RSS node_exporter %8.1f MiB lvsdeck %8.1f MiB ratio %.2f\n", r["node_exporter"] / 1024, r["lvsdeck"] / 1024, (r["node_exporter"] > 0 ? r["lvsdeck"] / r["node_exporter"] : 0) }' "$out"
  echo
fi
[[ $WHAT == *adm* ]] || exit 0

for round in $(seq "$ROUNDS"); do
  for tool in ipvsadm lvsdeck; do
    { echo "RESTORE_WITH=$tool"; cat tests/bench/adm.sh; } >"$scen"
    ./target/release/lvsdeck lab --quiet --timeout 1800 --mem 2048 --run "$scen" | tee -a "$out"
  done
done
echo
echo "== lvsdeck adm vs ipvsadm 1.31, 10,000 services x 10 real servers (lab VM, TCG), medians"
awk '/^FIGURE/ { split($2, p, "_"); k = p[1]; t = p[2]; v[k, t, ++n[k, t]] = $3
                 if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
     function median(k, t,   i, j, c, a, x) { c = n[k, t]; for (i = 1; i <= c; i++) a[i] = v[k, t, i]
         for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
         return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2 }
     END { for (i = 1; i <= m; i++) { k = order[i]; a = median(k, "ipvsadm"); l = median(k, "lvsdeck")
           printf "%-10s ipvsadm %8.2f s   lvsdeck %8.2f s   ratio %.2f   (%d/%d samples)\n", k, a, l, (a > 0 ? l / a : 0), n[k, "ipvsadm"], n[k, "lvsdeck"] } }' "$out"
echo
echo "== connection table, 1,000,000 entries (host)"
./target/release/examples/conn_bench
