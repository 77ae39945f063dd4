# Benchmark scenario (inside the lab VM): lvsdeck adm against ipvsadm 1.31 on the same kernel,
# 10,000 services x 10 real servers. Prints one "FIGURE name seconds" line per measurement.
SERVICES=${SERVICES:-10000}
SERVERS=${SERVERS:-10}
now() { cut -d" " -f1 /proc/uptime; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

awk -v s="$SERVICES" -v r="$SERVERS" 'BEGIN {
    for (i = 0; i < s; i++) {
        vip = sprintf("198.18.%d.%d", int(i / 250), i % 250 + 1)
        printf "-A -t %s:80 -s wlc\n", vip
        for (j = 0; j < r; j++)
            printf "-a -t %s:80 -r 198.19.%d.%d:8080 -m -w %d\n", vip, int(i / 25), (i % 25) * 10 + j + 1, j + 1
    }
}' >/tmp/table
echo "INFO restore file: $(wc -l </tmp/table) lines"

measure() { # measure NAME COMMAND... (stdout discarded)
    t0=$(now); "$@" >/dev/null; rc=$?; t1=$(now)
    echo "FIGURE $1 $(elapsed $t0 $t1) rc=$rc"
}
restore_ipvsadm() { ipvsadm -C; ipvsadm -R </tmp/table; }
restore_lvsdeck() { ipvsadm -C; lvsdeck adm -R </tmp/table; }
for round in 1 2; do
    ipvsadm -C
    t0=$(now); ipvsadm -R </tmp/table; t1=$(now)
    echo "FIGURE restore_ipvsadm $(elapsed $t0 $t1)"
    ipvsadm -Sn >/tmp/save.ipvsadm
    ipvsadm -C
    t0=$(now); lvsdeck adm -R </tmp/table; t1=$(now)
    echo "FIGURE restore_lvsdeck $(elapsed $t0 $t1)"
    ipvsadm -Sn >/tmp/save.lvsdeck
    cmp -s /tmp/save.ipvsadm /tmp/save.lvsdeck && echo "INFO restores agree ($(wc -l </tmp/save.lvsdeck) lines)" || echo "INFO restores DIFFER"
    for args in "-Sn" "-Ln --stats" "-Ln"; do
        name=$(echo "$args" | tr -d ' -')
        t0=$(now); ipvsadm $args >/tmp/o.ipvsadm; t1=$(now)
        echo "FIGURE ${name}_ipvsadm $(elapsed $t0 $t1)"
        t0=$(now); lvsdeck adm $args >/tmp/o.lvsdeck; t1=$(now)
        echo "FIGURE ${name}_lvsdeck $(elapsed $t0 $t1)"
        cmp -s /tmp/o.ipvsadm /tmp/o.lvsdeck && echo "INFO $args outputs agree" || echo "INFO $args outputs DIFFER"
    done
done
