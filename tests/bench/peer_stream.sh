# Benchmark scenario (inside the lab VM): what the peer stream costs for a 10,000 services x
# 10 real servers table at a 1 s refresh. Restores the table with lvsdeck adm -R, then runs
# `lvsdeck serve --stdio --interval 1` into a file: QUIET s with the table quiet
# (heartbeats), then CHANGING s while a bounded loop changes 100 real servers' weights every
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
QUIET=${QUIET:-30}
CHANGING=${CHANGING:-40}
# The watching end: says hello, then stays (its stdin stays open for the whole run).
( echo '{"t":"hello","version":1,"from":"bench@host"}'; sleep 900 ) |
    lvsdeck serve --stdio --interval 1 --audit-log /tmp/audit.log >/tmp/stream 2>/tmp/serve.err &
sleep 1
pid=$(pidof lvsdeck | tr ' ' '\n' | sort -n | tail -1)
t0=$(up)
sleep "$QUIET"
q_end=$(wc -c </tmp/stream); q_t=$(up)
i=0
while [ $i -lt "$CHANGING" ]; do
    w=$(( (i % 5) + 11 ))
    awk -v w="$w" 'BEGIN { for (k = 0; k < 100; k++) { i = k * 97; m = 64 * 256 + i * 10
        printf "-e -t 198.18.%d.%d:80 -r 198.%d.%d.%d:8080 -m -w %d\n", int(i / 250), i % 250 + 1, 18 + int(m / 65536), int(m / 256) % 256, m % 256, w } }' |
        lvsdeck adm -R
    i=$((i + 1)); sleep 1
done
c_end=$(wc -c </tmp/stream); c_t=$(up)
cpu=$(awk '{ print ($14 + $15) / 100 }' /proc/$pid/stat 2>/dev/null)
kill $pid 2>/dev/null
sleep 1
# One line per frame: its type, seq, the serving end's clock, its size, servers in it.
awk '{ t = $0; sub(/^\{"t":"/, "", t); sub(/".*/, "", t); seq = $0; sub(/.*"seq":/, "", seq); sub(/[,}].*/, "", seq)
       c = $0; sub(/.*"clock_ms":/, "", c); sub(/[,}].*/, "", c)
       n = 0; if (t == "changes") n = gsub(/"kind":"server"/, "&")
       printf "FRAME %s seq=%s clock_ms=%s bytes=%d servers=%d\n", t, seq, c, length($0) + 1, n }' /tmp/stream |
    grep -v "FRAME snapshot" | head -40
awk '{ n += length($0) + 1; if (NR == 1) first = n; if (NR == 2) snap = n - first
       if ($0 ~ /^\{"t":"heartbeat"/) { hb++; hbb += length($0) + 1 }
       if ($0 ~ /^\{"t":"changes"/) { ch++; chb += length($0) + 1 }
       if ($0 ~ /^\{"t":"snapshot"/) { c = $0; sub(/.*"clock_ms":/, "", c); sub(/[,}].*/, "", c); snapc = c } }
    END {
      printf "INFO frames: %d lines, %d heartbeats, %d changes\n", NR, hb, ch
      printf "FIGURE snapshot_bytes %d (sent at the serving end clock %s ms)\n", snap, snapc
      if (hb) printf "FIGURE heartbeat_bytes %.0f\n", hbb / hb
      if (ch) printf "FIGURE changes_frame_bytes %.0f (mean)\n", chb / ch
    }' /tmp/stream
echo "FIGURE quiet_phase_bytes_per_s $(awk -v a="$q_end" -v t0="$t0" -v t1="$q_t" 'BEGIN { printf "%.0f", a / (t1 - t0) }') (snapshot included)"
echo "FIGURE changing_phase_bytes_per_s $(awk -v a="$q_end" -v b="$c_end" -v t0="$q_t" -v t1="$c_t" 'BEGIN { printf "%.0f", (b - a) / (t1 - t0) }')"
echo "FIGURE serve_cpu_s ${cpu:-?} over $(awk -v a="$t0" -v b="$c_t" 'BEGIN { printf "%.0f", b - a + 1 }') s"
grep -m3 . /tmp/serve.err | sed 's/^/INFO serve stderr: /'
echo "PASS peer stream measured"
