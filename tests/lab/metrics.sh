# lvsdeck daemon --metrics on the real kernel: health.conf's two virtual servers on busybox
# httpd real servers, traffic through the VIP, then /metrics read with wget and compared
# with what ipvsadm reads from the same kernel (counters, weights) and with what the test
# did (a killed real server is down and out; a drained one says so).

F=/opt/bin
CONF=/tmp/health.conf
cp $F/health.conf $CONF
mkdir -p /srv/www; echo "real server" >/srv/www/index.html
URL=http://127.0.0.1:9739/metrics

ip addr add 198.51.100.10/32 dev lo
ip addr add 198.51.100.20/32 dev lo
for p in 8081 8082 8083 8084; do serve $p; done
usleep 300000
lvsdeck daemon -f $CONF --metrics 127.0.0.1:9739 2>/tmp/daemon.log &
DPID=$!

wait_table "start: all real servers in" "$VS1$R1$R2$VS2$R3$R4" 3000

# scrape: /metrics into /tmp/m.txt (classic text format).
scrape() { wget -q -O /tmp/m.txt "$URL"; }
# value 'NAME{LABELS}': the sample's value in /tmp/m.txt (empty when absent).
value() { awk -v k="$1" 'index($0, k " ") == 1 { print $NF; exit }' /tmp/m.txt; }
# is NAME 'SERIES' WANT: PASS when the series has the value WANT.
is() {
    got=$(value "$2")
    if [ "$got" = "$3" ]; then echo "PASS $1 ($2 = $3)"; else
        echo "FAIL $1: $2 is '$got', expected '$3'"; grep -F "${2%%\{*}" /tmp/m.txt | head -5 | sed 's/^/    /'; fi
}
# above NAME 'SERIES' MIN: PASS when the series is at least MIN.
above() {
    got=$(value "$2")
    if [ -n "$got" ] && awk -v g="$got" -v m="$3" 'BEGIN { exit !(g + 0 >= m + 0) }'; then
        echo "PASS $1 ($2 = $got >= $3)"; else echo "FAIL $1: $2 is '$got', expected >= $3"; fi
}

for i in $(seq 20); do wget -q -O /dev/null http://198.51.100.10/index.html 2>/dev/null; done
sleep 3
scrape
check "GET /metrics answers" test -s /tmp/m.txt
SVC='proto="TCP",local_address="198.51.100.10",local_port="80",local_mark=""'
RS1="remote_address=\"127.0.0.1\",remote_port=\"8081\",$SVC"
RS2="remote_address=\"127.0.0.1\",remote_port=\"8082\",$SVC"
is "ipvs source up" 'lvsdeck_scrape_up{source="ipvs"}' 1
is "director source up" 'lvsdeck_scrape_up{source="director"}' 1
# The kernel's own counters, as ipvsadm reads them right after.
ipvsadm -Ln --stats --exact -t 198.51.100.10:80 >/tmp/st.txt
conns=$(awk '$1 == "TCP" { print $3 }' /tmp/st.txt)
inbytes=$(awk '$1 == "TCP" { print $6 }' /tmp/st.txt)
rs1=$(awk '$2 == "127.0.0.1:8081" { print $3 }' /tmp/st.txt)
is "service connections = ipvsadm's" "lvsdeck_ipvs_service_connections_total{$SVC}" "$conns"
is "service bytes in = ipvsadm's" "lvsdeck_ipvs_service_incoming_bytes_total{$SVC}" "$inbytes"
is "real server connections = ipvsadm's" "lvsdeck_ipvs_server_connections_total{$RS1}" "$rs1"
above "20 requests counted" "lvsdeck_ipvs_service_connections_total{$SVC}" 20
is "kernel weight of 8082" "lvsdeck_ipvs_server_weight{$RS2}" 3
is "scheduler in the service info" "lvsdeck_ipvs_service_info{$SVC,scheduler=\"rr\"}" 1
H1='virtual_server="198.51.100.10 80",server="-t 198.51.100.10:80 -r 127.0.0.1:8081"'
H4='virtual_server="198.51.100.20 80",server="-t 198.51.100.20:80 -r 127.0.0.1:8084"'
is "8081 up" "lvsdeck_server_up{$H1}" 1
is "8081 checker up" "lvsdeck_checker_up{$H1,checker=\"TCP_CHECK\",index=\"0\"}" 1
above "8081 checker latencies counted" "lvsdeck_checker_latency_seconds_count{$H1,checker=\"TCP_CHECK\",index=\"0\"}" 2
is "no drift" 'lvsdeck_drift_entries{kept="false"}' 0
check "promtool-style names: counters end in _total" sh -c '! grep "^# TYPE [^ ]* counter" /tmp/m.txt | grep -v "_total counter"'

# A real server dies: the checker says down, the kernel's series go with it.
stop_serving 8081
wait_table "8081 killed: out of the table" "$VS1$R2$VS2$R3$R4" 3200
scrape
is "8081 down" "lvsdeck_server_up{$H1}" 0
is "8081 out of the table (policy)" "lvsdeck_server_in_table{$H1}" 0
above "8081 consecutive failures" "lvsdeck_checker_consecutive_failures{$H1,checker=\"TCP_CHECK\",index=\"0\"}" 1
is "8081's kernel series gone" "lvsdeck_ipvs_server_weight{$RS1}" ""

# Operator intent.
lvsdeck control drain -t 198.51.100.20:80 -r 127.0.0.1:8084 >/tmp/ctl.txt 2>&1
scrape
is "8084 drained" "lvsdeck_server_intent{$H4,intent=\"drain\"}" 1
is "8084 not auto" "lvsdeck_server_intent{$H4,intent=\"auto\"}" 0
is "8084 kernel weight 0" "lvsdeck_ipvs_server_weight{remote_address=\"127.0.0.1\",remote_port=\"8084\",proto=\"TCP\",local_address=\"198.51.100.20\",local_port=\"80\",local_mark=\"\"}" 0

# OpenMetrics for a client that asks for it.
wget -q -O /tmp/om.txt --header 'Accept: application/openmetrics-text; version=1.0.0' "$URL"
check "OpenMetrics ends in # EOF" sh -c 'tail -1 /tmp/om.txt | grep -qx "# EOF"'
check "OpenMetrics has units" grep -q "^# UNIT lvsdeck_ipvs_server_incoming_bytes bytes" /tmp/om.txt

# Only /metrics is served.
check "other paths: 404" sh -c "! wget -q -O /dev/null http://127.0.0.1:9739/nothing"

kill $DPID; wait $DPID 2>/dev/null
for p in 8082 8083 8084; do stop_serving $p; done
grep -q "metrics on http://127.0.0.1:9739/metrics" /tmp/daemon.log && echo "PASS daemon logged its endpoint" || echo "FAIL daemon did not log its endpoint"
