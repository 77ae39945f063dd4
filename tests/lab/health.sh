# lvsdeck daemon on the real kernel: health checkers (TCP_CHECK, HTTP_GET) decide the IPVS
# table through the reconciler. Real servers are busybox httpd on loopback, killed and
# revived by PID; the table is read with ipvsadm -Sn every 0.2 s. Configs come in through
# --file (/opt/bin).

F=/opt/bin
CONF=/tmp/health.conf
cp $F/health.conf $CONF
mkdir -p /srv/www; echo "real server" >/srv/www/index.html

# VS1, VS2 and R1-R4 (health.conf's table) come from lib.sh.
SORRY="-a -t 198.51.100.10:80 -r 127.0.0.1:8090 -m -w 1
"
R3_0="-a -t 198.51.100.20:80 -r 127.0.0.1:8083 -m -w 0
"
# The detection bound: delay_loop + retry x delay_before_retry + connect_timeout, plus one
# 0.2 s poll.
BOUND=3200

start_health_daemon

# 1. Start: every real server in at its weight, no sorry server.
wait_table "start: all real servers in" "$VS1$R1$R2$VS2$R3$R4" 3000
stays "start: healthy servers stay in" "$VS1$R1$R2$VS2$R3$R4" 2500
wget -q -O /tmp/page http://198.51.100.10/index.html 2>/dev/null
check "traffic through the VIP reaches a real server" grep -q "real server" /tmp/page

# 2. A TCP_CHECK server dies: it leaves within the bound.
stop_serving 8081
wait_table "8081 killed: out of the table" "$VS1$R2$VS2$R3$R4" $BOUND
echo "MEASURED tcp_check removal: ${LAST_MS} ms (bound ${BOUND} ms)"

# 3. inhibit_on_failure: weight 0 instead of removal.
stop_serving 8083
wait_table "8083 killed (inhibit_on_failure): weight 0" "$VS1$R2$VS2$R3_0$R4" $BOUND
echo "MEASURED inhibit: ${LAST_MS} ms"

# 4. Both come back at their weights (one success: delay_loop + a check).
serve 8081; serve 8083
wait_table "8081 and 8083 revived: back at their weights" "$VS1$R1$R2$VS2$R3$R4" 2500
echo "MEASURED recovery: ${LAST_MS} ms"

# 5. Quorum (3): HTTP_GET server 8082 (weight 3) dies, live weight 2 < 3: the sorry server
# takes over alone.
stop_serving 8082
wait_table "8082 killed: quorum lost, sorry server alone" "$VS1$SORRY$VS2$R3$R4" $BOUND
echo "MEASURED http_get removal + sorry server: ${LAST_MS} ms"
serve 8082
wait_table "8082 revived: quorum back, sorry server out" "$VS1$R1$R2$VS2$R3$R4" 2500

# 6. SIGHUP with new weights while 8084 is down: weights applied, 8084 stays out (its down
# verdict carries over the reload), and comes back at its new weight when revived.
stop_serving 8084
wait_table "8084 killed: out" "$VS1$R1$R2$VS2$R3" $BOUND
sed -e '/real_server 127.0.0.1 8081/,/weight/s/weight 2/weight 5/' \
    -e '/real_server 127.0.0.1 8083/,/weight/s/weight 4/weight 6/' \
    -e '/real_server 127.0.0.1 8084/,/weight/s/weight 1/weight 7/' $F/health.conf >$CONF
kill -HUP $DPID
R1_5="-a -t 198.51.100.10:80 -r 127.0.0.1:8081 -m -w 5
"
R3_6="-a -t 198.51.100.20:80 -r 127.0.0.1:8083 -m -w 6
"
R4_7="-a -t 198.51.100.20:80 -r 127.0.0.1:8084 -m -w 7
"
wait_table "SIGHUP: new weights applied" "$VS1$R1_5$R2$VS2$R3_6" 2000
stays "SIGHUP: the dead server stays out across the reload" "$VS1$R1_5$R2$VS2$R3_6" 2500
check "SIGHUP: weights logged as ipvsadm lines" grep -q "ipvsadm -e -t 198.51.100.10:80 -r 127.0.0.1:8081 -m -w 5" /tmp/daemon.log
serve 8084
wait_table "8084 revived after the reload: at its new weight" "$VS1$R1_5$R2$VS2$R3_6$R4_7" 2500

# 7. A bad file on SIGHUP: refused (file and line named), nothing changes, not even the
# valid weight edit next to the error.
cp $CONF /tmp/good.conf
sed -e '/real_server 127.0.0.1 8081/,/weight/s/weight 5/weight 9/' \
    -e '/real_server 127.0.0.1 8082/,/weight/s/weight 3/weight lots/' /tmp/good.conf >$CONF
line=$(grep -n 'weight lots' $CONF | cut -d: -f1)
kill -HUP $DPID
stays "SIGHUP with a bad file: table unchanged" "$VS1$R1_5$R2$VS2$R3_6$R4_7" 1500
check "bad file: refusal names file and line" grep -q "$CONF:$line: error" /tmp/daemon.log
check "bad file: reload refused" grep -q "reload refused" /tmp/daemon.log
kill -0 $DPID && echo "PASS bad file: daemon still running" || echo "FAIL bad file: daemon died"

# 8. SIGTERM: the daemon exits and, as keepalived, removes the virtual servers it owns
# (tests/lab/release.sh covers hand-made services, --dont-release-ipvs and omega scripts).
t0=$(now_ms)
kill -TERM $DPID
n=0; while kill -0 $DPID 2>/dev/null && [ $n -lt 50 ]; do usleep 100000; n=$((n + 1)); done
if kill -0 $DPID 2>/dev/null; then echo "FAIL SIGTERM: daemon still running"; kill -KILL $DPID; else
    wait $DPID; rc=$?; echo "PASS SIGTERM: daemon exited with $rc in $(( $(now_ms) - t0 )) ms"; fi
wait_table "SIGTERM: the configuration's virtual servers removed" "" 500
check "audit log has the ipvsadm lines of the health decisions" grep -q "ipvsadm -d -t 198.51.100.10:80 -r 127.0.0.1:8081" /tmp/daemon.log

for p in 8081 8082 8083 8084; do stop_serving $p; done
ipvsadm -C

# 9. Seed configurations (virtual servers only): the daemon starts, applies their services,
# stops. Real servers there are unreachable from the VM, so checks may take them out:
# services must match exactly, real servers must be a subset of the expected ones.
seed() {
    ipvsadm -C
    lvsdeck daemon -f "$F/$1" 2>/tmp/seed.log &
    SP=$!
    grep '^-A' "$F/$2" | sort >/tmp/seed.svc
    n=0; ok=0
    while [ $n -lt 25 ]; do
        ipvsadm -Sn | grep '^-A' | sort >/tmp/seed.got
        if cmp -s /tmp/seed.svc /tmp/seed.got; then ok=1; break; fi
        usleep 200000; n=$((n + 1))
    done
    ipvsadm -Sn | grep '^-a' | sort >/tmp/seed.rs
    extra=$(grep -vxFf "$F/$2" /tmp/seed.rs | wc -l)
    kill -TERM $SP; n=0
    while kill -0 $SP 2>/dev/null && [ $n -lt 50 ]; do usleep 100000; n=$((n + 1)); done
    if kill -0 $SP 2>/dev/null; then kill -KILL $SP; alive=1; else alive=0; wait $SP; fi
    rc=$?
    if [ $ok = 1 ] && [ "$extra" = 0 ] && [ $alive = 0 ] && [ $rc = 0 ]; then
        echo "PASS seed $1: $(wc -l </tmp/seed.svc) services, $(wc -l </tmp/seed.rs) real servers in, stopped"
    else
        echo "FAIL seed $1 (services match: $ok, unexpected real servers: $extra, alive: $alive, exit $rc)"
        diff -u /tmp/seed.svc /tmp/seed.got | sed 's/^/    /' | head -10
        tail -8 /tmp/seed.log | sed 's/^/    log: /'
    fi
}
seed seed-000-virtual-servers.conf seed-000-virtual-servers.expected
seed seed-003-lvs-dr-virtual-servers.conf seed-003-lvs-dr-virtual-servers.expected
seed sample-virtual-server-group.conf sample-virtual-server-group.expected
ipvsadm -C
