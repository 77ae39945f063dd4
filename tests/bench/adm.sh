# Benchmark scenario (inside the lab VM): lvsdeck adm against ipvsadm 1.31 on the same kernel,
# 10,000 services x 10 real servers. run.sh prepends RESTORE_WITH=ipvsadm|lvsdeck: each VM
# builds the table once, because after a flush the kernel keeps deleted real servers in a
# trash list for minutes and scans it on every add (a second build in one VM is ~7x slower).
# Prints "FIGURE name seconds" lines; /proc/uptime has 10 ms resolution.
SERVICES=${SERVICES:-10000}
SERVERS=${SERVERS:-10}
now() { cut -d" " -f1 /proc/uptime; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

awk -v s="$SERVICES" -v r="$SERVERS" 'BEGIN {
    for (i = 0; i < s; i++) {
        vip = sprintf("198.18.%d.%d", int(i / 250), i % 250 + 1)
        printf "-A -t %s:80 -s wlc\n", vip
        for (j = 0; j < r; j++) {
            # Real servers from 198.18.64.0 upwards, one address each, within 198.18.0.0/15.
            m = 64 * 256 + i * r + j
            printf "-a -t %s:80 -r 198.%d.%d.%d:8080 -m -w %d\n", vip, 18 + int(m / 65536), int(m / 256) % 256, m % 256, j + 1
        }
    }
}' >/tmp/table
echo "INFO restore file: $(wc -l </tmp/table) lines; restoring with $RESTORE_WITH"

t0=$(now)
if [ "$RESTORE_WITH" = ipvsadm ]; then ipvsadm -R </tmp/table 2>/tmp/r.err; else lvsdeck adm -R </tmp/table 2>/tmp/r.err; fi
rc=$?; t1=$(now)
[ -s /tmp/r.err ] && sed 's/^/INFO restore stderr: /' /tmp/r.err | head -3
echo "FIGURE restore_$RESTORE_WITH $(elapsed $t0 $t1) rc=$rc"
echo "INFO table now: $(ipvsadm -Sn | wc -l) saved lines"

for args in "-Sn" "-Ln --stats" "-Ln"; do
    name=$(echo "$args" | tr -d ' -')
    for tool in ipvsadm lvsdeck ipvsadm lvsdeck; do
        cmd=ipvsadm; [ $tool = lvsdeck ] && cmd="lvsdeck adm"
        t0=$(now); $cmd $args >/tmp/o.$tool; t1=$(now)
        echo "FIGURE ${name}_$tool $(elapsed $t0 $t1)"
    done
    cmp -s /tmp/o.ipvsadm /tmp/o.lvsdeck && echo "INFO $args: outputs identical ($(wc -l </tmp/o.lvsdeck) lines)" || echo "INFO $args: outputs DIFFER"
done
