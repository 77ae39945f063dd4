# lvsdeck daemon's control socket on the real kernel: status from a shell, a drain that
# holds across a health transition and a reconciler period (operator intent wins, not
# reverted as drift), undrain, a hand edit reverted on request, bad requests refused, a
# second daemon refused, the socket's mode and removal. Real servers are busybox httpd on
# loopback, killed and revived by PID; the table is read with ipvsadm -Sn.

F=/opt/bin
CONF=/tmp/health.conf
cp $F/health.conf $CONF
mkdir -p /srv/www; echo "real server" >/srv/www/index.html
SOCK=/run/lvsdeck/control.sock
# ops.sh reads the table every 0.1 s, up to 400 times, in wait_table (lib.sh).
WAIT_POLL_US=100000; WAIT_POLLS=400

# status_has NAME PATTERN LIMIT_MS: `lvsdeck control status` matches PATTERN (grep -E)
# within LIMIT_MS.
status_has() {
    t0=$(now_ms)
    while :; do
        lvsdeck control status >/tmp/status.json 2>&1
        if grep -Eq "$2" /tmp/status.json; then
            echo "PASS $1 ($(( $(now_ms) - t0 )) ms)"; return 0
        fi
        if [ $(( $(now_ms) - t0 )) -gt $3 ]; then
            echo "FAIL $1 (not within $3 ms)"; head -c 1500 /tmp/status.json | sed 's/^/    /'; echo
            return 1
        fi
        usleep 200000
    done
}

# VS1, VS2 and R1-R4 (health.conf's table) come from lib.sh.
R3_9="-a -t 198.51.100.20:80 -r 127.0.0.1:8083 -m -w 9
"
R4_0="-a -t 198.51.100.20:80 -r 127.0.0.1:8084 -m -w 0
"
S4='-t 198.51.100.20:80 -r 127.0.0.1:8084'
# The 8084 entry of a status reply, with its health (fields in protocol order).
entry() { echo "\"server\":\"$S4\",\"why\":\\{\"kind\":\"$1\"[^}]*\\},\"reason\":\"[^\"]*\",\"health\":\"$2\""; }

start_health_daemon
wait_table "start: all real servers in" "$VS1$R1$R2$VS2$R3$R4" 4000

# 1. The socket: there, 0600, and a second daemon refuses to start on it.
check "control socket exists" test -S $SOCK
mode=$(ls -l $SOCK | cut -c1-10)
[ "$mode" = "srw-------" ] && echo "PASS control socket mode 0600 ($mode)" || echo "FAIL control socket mode: $mode"
lvsdeck daemon -f $CONF 2>/tmp/second.log; rc=$?
[ $rc = 1 ] && grep -q "another lvsdeck daemon answers" /tmp/second.log \
    && echo "PASS a second daemon on the same socket refuses (exit $rc)" \
    || { echo "FAIL second daemon: exit $rc"; sed 's/^/    /' /tmp/second.log | head -5; }
check "the first daemon still runs" kill -0 $DPID
wait_table "the table is untouched by the refused daemon" "$VS1$R1$R2$VS2$R3$R4" 1500

# 2. Status from a shell: every checked server, up.
status_has "status lists 8084 up" "$(entry weight up)" 3000
for p in 8081 8082 8083; do
    check "status lists 127.0.0.1:$p" grep -q "127.0.0.1:$p" /tmp/status.json
done

# 3. Drain from the shell: weight 0 in the kernel.
T0=$(now_ms)
lvsdeck control drain $S4 >/tmp/reply.json; rc=$?
check "drain: the daemon answers done" grep -q '"reply":"done"' /tmp/reply.json
wait_table "drain 8084: weight 0" "$VS1$R1$R2$VS2$R3$R4_0" 3000
echo "MEASURED control drain request to kernel weight 0: ${LAST_MS} ms"
status_has "status says 8084 drained by the operator" "$(entry operator_drained up)" 2000

# 4. Its httpd dies and comes back: it stays at weight 0 all along (checks do not undo the
# drain), including across a reconciler period (10 s): no drift revert.
stop_serving 8084
status_has "8084 killed: status says down, still drained" "$(entry operator_drained down)" 5000
stays "8084 down while drained: stays at weight 0" "$VS1$R1$R2$VS2$R3$R4_0" 3000
serve 8084
status_has "8084 revived: status says up, still drained" "$(entry operator_drained up)" 5000
stays "8084 up again while drained: stays at weight 0 (over a reconciler period)" "$VS1$R1$R2$VS2$R3$R4_0" 11000
check "no drift was logged for the drain" sh -c "! grep -q 'drift.*8084' /tmp/daemon.log"

# 5. Undrain: back at its configured weight.
T0=$(now_ms)
lvsdeck control undrain $S4 >/tmp/reply.json
wait_table "undrain 8084: back at weight 1" "$VS1$R1$R2$VS2$R3$R4" 3000
echo "MEASURED control undrain request to kernel weight 1: ${LAST_MS} ms"

# 6. Disable: out of the table; undrain puts it back.
lvsdeck control disable $S4 >/dev/null
wait_table "disable 8084: out of the table" "$VS1$R1$R2$VS2$R3" 3000
lvsdeck control undrain $S4 >/dev/null
wait_table "undrain after disable: back" "$VS1$R1$R2$VS2$R3$R4" 3000

# 7. A hand edit (drift) reverted at once on request, one entry.
ipvsadm -e -t 198.51.100.20:80 -r 127.0.0.1:8083 -m -w 9
T0=$(now_ms)
lvsdeck control reconcile -t 198.51.100.20:80 -r 127.0.0.1:8083 >/tmp/reply.json
wait_table "hand edit reverted by a reconcile request" "$VS1$R1$R2$VS2$R3$R4" 3000
echo "MEASURED reconcile request to kernel revert: ${LAST_MS} ms"

# 8. Bad requests: refused with a reason, nothing changes.
lvsdeck control '{"cmd":"explode"}' >/tmp/bad.json; rc=$?
[ $rc = 1 ] && grep -q 'unknown variant' /tmp/bad.json && echo "PASS bad request refused: $(cat /tmp/bad.json)" \
    || echo "FAIL bad request: exit $rc $(cat /tmp/bad.json)"
lvsdeck control '{"cmd":"drain", oops' >/tmp/bad.json; rc=$?
[ $rc = 1 ] && grep -q 'bad request (column' /tmp/bad.json && echo "PASS a line that is not JSON refused: $(cat /tmp/bad.json)" \
    || echo "FAIL not JSON: exit $rc $(cat /tmp/bad.json)"
lvsdeck control drain -t 198.51.100.20:80 -r 127.0.0.1:9999 >/tmp/bad.json; rc=$?
[ $rc = 1 ] && grep -q 'not a real server of the configuration' /tmp/bad.json \
    && echo "PASS drain of an unknown server refused" || echo "FAIL unknown server: exit $rc $(cat /tmp/bad.json)"
wait_table "bad requests changed nothing" "$VS1$R1$R2$VS2$R3$R4" 1500

# 9. SIGTERM: the socket goes with the daemon; a killed daemon's stale socket is replaced.
kill -TERM $DPID
n=0; while kill -0 $DPID 2>/dev/null && [ $n -lt 50 ]; do usleep 100000; n=$((n + 1)); done
check "SIGTERM: the daemon has exited" sh -c "! kill -0 $DPID 2>/dev/null"
check "SIGTERM: the control socket is removed" sh -c "! test -e $SOCK"
lvsdeck daemon -f $CONF 2>/tmp/daemon2.log &
D2=$!
n=0; while ! test -S $SOCK && [ $n -lt 50 ]; do usleep 100000; n=$((n + 1)); done
kill -KILL $D2; wait $D2 2>/dev/null
check "SIGKILL leaves a stale socket" test -S $SOCK
lvsdeck daemon -f $CONF 2>/tmp/daemon3.log &
D3=$!
status_has "a new daemon replaces the stale socket and answers" "$(entry weight up)" 5000
kill -TERM $D3; wait $D3

for p in 8081 8082 8083 8084; do stop_serving $p; done
ipvsadm -C
