# Benchmark scenario (inside the lab VM): what the peer stream costs for a 10,000 services x
# 10 real servers table at a 1 s refresh. Restores the table with lvsdeck adm -R, then runs
# `lvsdeck serve --stdio --interval 1` for 24 s into a file: 12 s with the table quiet
# (heartbeats), then 12 s while a bounded loop changes 100 real servers' weights every
# second (the changes frames carry those). Prints "FIGURE name value" lines: the snapshot's
# size, bytes per second of each phase after the snapshot, the serving end's CPU.
# Run: lvsdeck lab --quiet --mem 2048 --timeout 1200 --run tests/bench/peer_stream.sh
SERVICES=${SERVICES:-10000}
SERVERS=${SERVERS:-10}
awk -v s="$SERVICES" -v r="$SERVERS" 'BEGIN {
    for (i = 0; i < s; i++) {
        vip = sprintf("198.18.%d.%d", int(i / 250), i % 250 + 1)
        printf "-A -t %s:80 -s wlc\n", vip
        for (j = 0; j < r; j++) {
            m = 64 * 256 + i * r + j
            printf "-a -t %s:80 -r 198.%d.%d.%d:8080 -m -w %d\n", vip, 18 + int(m / 65536), int(m / 256) % 256, m % 256, j + 1
        }
    }
}' >/tmp/table
lvsdeck adm -R </tmp/table || { echo "FAIL restore"; exit 1; }
echo "INFO table: $(lvsdeck adm -Sn | wc -l) lines"
up() { cut -d" " -f1 /proc/uptime; }
# The watching end: says hello, then stays (its stdin stays open for the whole run).
( echo '{"t":"hello","version":1,"from":"bench@host"}'; sleep 40 ) |
    lvsdeck serve --stdio --interval 1 --audit-log /tmp/audit.log >/tmp/stream 2>/tmp/serve.err &
pid=$!
sleep 1
t0=$(up)
sleep 12
q_end=$(wc -c </tmp/stream); q_t=$(up)
i=0
while [ $i -lt 12 ]; do
    w=$(( (i % 5) + 1 ))
    awk -v w="$w" 'BEGIN { for (k = 0; k < 100; k++) { i = k * 97; m = 64 * 256 + i * 10
        printf "-e -t 198.18.%d.%d:80 -r 198.%d.%d.%d:8080 -m -w %d\n", int(i / 250), i % 250 + 1, 18 + int(m / 65536), int(m / 256) % 256, m % 256, w + 10 } }' |
        lvsdeck adm -R
    i=$((i + 1)); sleep 1
done
c_end=$(wc -c </tmp/stream); c_t=$(up)
cpu=$(awk '{ print ($14 + $15) / 100 }' /proc/$pid/stat 2>/dev/null)
kill $pid 2>/dev/null
sleep 1
awk -v q_end="$q_end" -v c_end="$c_end" -v t0="$t0" -v q_t="$q_t" -v c_t="$c_t" -v cpu="$cpu" '
    { n += length($0) + 1; if (NR == 2) snap = n - first; if (NR == 1) first = n
      if ($0 ~ /"t":"heartbeat"/) hb++; if ($0 ~ /"t":"changes"/) ch++ }
    END {
      printf "INFO frames: %d lines, %d heartbeats, %d changes\n", NR, hb, ch
      printf "FIGURE snapshot_bytes %d\n", snap
      printf "FIGURE quiet_bytes_per_s %.0f\n", (q_end - first - snap) / (q_t - t0)
      printf "FIGURE changing_bytes_per_s %.0f (100 servers re-weighted per second)\n", (c_end - q_end) / (c_t - q_t)
      printf "FIGURE serve_cpu_s %s over %.0f s\n", cpu, c_t - t0 + 1
    }' /tmp/stream
grep -m3 . /tmp/serve.err | sed 's/^/INFO serve stderr: /'
echo "PASS peer stream measured"
