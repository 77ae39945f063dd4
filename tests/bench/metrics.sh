# Benchmark scenario (inside the lab VM): lvsdeck daemon --metrics against node_exporter's
# ipvs collector (Debian's prometheus-node-exporter, passed in with --file, only the ipvs
# collector enabled) on the same kernel table of 10,000 services x 10 real servers, restored
# with lvsdeck adm -R. Each tool is scraped ROUNDS times with busybox wget; prints
# "FIGURE scrape_TOOL seconds" per scrape, "FIGURE rss_TOOL KiB" (VmHWM: the peak resident
# set after the scrapes) and the series counts. /proc/uptime has 10 ms resolution.
SERVICES=${SERVICES:-10000}
SERVERS=${SERVERS:-10}
ROUNDS=${ROUNDS:-3}
now() { cut -d" " -f1 /proc/uptime; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
kib() { awk -v k="$2:" '$1 == k { print $2 }' /proc/$1/status; }

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
lvsdeck adm -R </tmp/table
echo "INFO table: $(ipvsadm -Sn | wc -l) saved lines"

# lvsdeck: a daemon whose file configures nothing but the endpoint's reads.
printf 'global_defs {\n    router_id bench\n}\n' >/tmp/empty.conf
lvsdeck daemon -f /tmp/empty.conf --metrics 127.0.0.1:9739 2>/tmp/daemon.log &
LPID=$!
/opt/bin/prometheus-node-exporter --collector.disable-defaults --collector.ipvs \
    --web.listen-address=127.0.0.1:9100 2>/tmp/node.log &
NPID=$!
sleep 3
echo "INFO rss_lvsdeck before: $(kib $LPID VmRSS) KiB; rss_node_exporter before: $(kib $NPID VmRSS) KiB"

for round in $(seq "$ROUNDS"); do
    for tool in lvsdeck node_exporter; do
        url=http://127.0.0.1:9739/metrics; [ $tool = node_exporter ] && url=http://127.0.0.1:9100/metrics
        t0=$(now); wget -q -O /tmp/out.$tool "$url"; rc=$?; t1=$(now)
        echo "FIGURE scrape_$tool $(elapsed $t0 $t1) rc=$rc bytes=$(wc -c </tmp/out.$tool)"
    done
done
echo "FIGURE rss_lvsdeck $(kib $LPID VmHWM)"
echo "FIGURE rss_node_exporter $(kib $NPID VmHWM)"
echo "INFO series lvsdeck: $(grep -vc '^#' /tmp/out.lvsdeck) (lvsdeck_ipvs_*: $(grep -c '^lvsdeck_ipvs_' /tmp/out.lvsdeck))"
echo "INFO series node_exporter: $(grep -vc '^#' /tmp/out.node_exporter) (node_ipvs_*: $(grep -c '^node_ipvs_' /tmp/out.node_exporter))"
grep '^lvsdeck_scrape_\(up\|duration\)' /tmp/out.lvsdeck | sed 's/^/INFO /'
grep '^node_scrape_collector_duration_seconds' /tmp/out.node_exporter | sed 's/^/INFO /'
kill $LPID $NPID; wait $LPID $NPID 2>/dev/null  # their exit status (SIGTERM) is not the scenario's
exit 0
