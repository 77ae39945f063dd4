# lvsdeck daemon's exit on the real kernel, as keepalived's: SIGTERM removes the virtual
# servers the configuration owns and leaves a hand-made one; omega runs the down notifiers
# then; --dont-release-ipvs leaves the table; lvs_flush flushes at start; lvs_flush_on_stop
# flushes everything at stop. notify_up/notify_down run on real transitions (busybox httpd
# killed and revived by PID).

mkdir -p /srv/www; echo "real server" >/srv/www/index.html

# wait_log NAME PATTERN LIMIT_MS: /tmp/notify.log has a line matching PATTERN within LIMIT_MS.
wait_log() {
    t0=$(now_ms)
    while ! grep -q "$2" /tmp/notify.log 2>/dev/null; do
        if [ $(( $(now_ms) - t0 )) -gt $3 ]; then
            echo "FAIL $1 (no '$2' within $3 ms)"; sed 's/^/    notify: /' /tmp/notify.log 2>/dev/null
            tail -10 /tmp/daemon.log | sed 's/^/    log: /'; return 1
        fi
        usleep 100000
    done
    echo "PASS $1 ($(( $(now_ms) - t0 )) ms)"
}

# term NAME: SIGTERM the daemon; it must exit 0 within 5 s.
term() {
    t0=$(now_ms); kill -TERM $DPID; n=0
    while kill -0 $DPID 2>/dev/null && [ $n -lt 50 ]; do usleep 100000; n=$((n + 1)); done
    if kill -0 $DPID 2>/dev/null; then echo "FAIL $1: daemon still running"; kill -KILL $DPID; return 1; fi
    wait $DPID; rc=$?
    if [ $rc = 0 ]; then echo "PASS $1: exited 0 in $(( $(now_ms) - t0 )) ms"; else echo "FAIL $1: exit $rc"; fi
}

hand_made() {
    ipvsadm -A -t 203.0.113.50:80 -s rr
    ipvsadm -a -t 203.0.113.50:80 -r 192.0.2.50:80 -g -w 1
}
HAND="-A -t 203.0.113.50:80 -s rr
-a -t 203.0.113.50:80 -r 192.0.2.50:80 -g -w 1
"
VS30="-A -t 198.51.100.30:80 -s rr
-a -t 198.51.100.30:80 -r 127.0.0.1:8091 -m -w 1
"
VS31="-A -t 198.51.100.31:80 -s rr
-a -t 198.51.100.31:80 -r 127.0.0.1:8092 -m -w 1
"

# conf GLOBALS: two virtual servers, one with omega; every script appends to /tmp/notify.log.
conf() {
    cat >/tmp/release.conf <<CONF
global_defs {
    router_id lab
    $1
}
virtual_server 198.51.100.30 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    omega
    quorum_up "/bin/sh -c 'echo quorum_up 30 >> /tmp/notify.log'"
    quorum_down "/bin/sh -c 'echo quorum_down 30 >> /tmp/notify.log'"
    real_server 127.0.0.1 8091 {
        weight 1
        notify_up "/bin/sh -c 'echo up 8091 >> /tmp/notify.log'"
        notify_down "/bin/sh -c 'echo down 8091 >> /tmp/notify.log'"
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
}
virtual_server 198.51.100.31 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 127.0.0.1 8092 {
        weight 1
        notify_down "/bin/sh -c 'echo down 8092 >> /tmp/notify.log'"
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
CONF
}

ipvsadm -C
serve 8091; serve 8092
usleep 300000

# 1. SIGTERM releases what the configuration owns, runs omega's notifiers, keeps the rest.
hand_made
conf ""
rm -f /tmp/notify.log
lvsdeck daemon -f /tmp/release.conf 2>/tmp/daemon.log &
DPID=$!
wait_table "start: both virtual servers in, the hand-made one kept" "$HAND$VS30$VS31" 3000
stop_serving 8091
wait_log "notify_down ran when 8091 died" "^down 8091$" 4000
wait_log "quorum_down ran when the last server of 198.51.100.30 left" "^quorum_down 30$" 2000
serve 8091
wait_log "notify_up ran when 8091 came back" "^up 8091$" 4000
wait_log "quorum_up ran with it" "^quorum_up 30$" 2000
wait_table "8091 back in" "$HAND$VS30$VS31" 3000
: >/tmp/notify.log
term "SIGTERM"
wait_table "SIGTERM: owned virtual servers removed, the hand-made one left" "$HAND" 500
sort /tmp/notify.log >/tmp/n.got
printf 'down 8091\nquorum_down 30\n' >/tmp/n.want
if cmp -s /tmp/n.want /tmp/n.got; then echo "PASS SIGTERM: omega ran notify_down and quorum_down, the other VS none"
else echo "FAIL SIGTERM: omega scripts"; diff -u /tmp/n.want /tmp/n.got | sed 's/^/    /'; fi
grep -q "ipvsadm -D -t 198.51.100.30:80" /tmp/daemon.log && echo "PASS SIGTERM: release logged as ipvsadm lines" \
    || { echo "FAIL SIGTERM: no ipvsadm -D line"; tail -5 /tmp/daemon.log | sed 's/^/    log: /'; }

# 2. --dont-release-ipvs: the table stays, no script runs.
rm -f /tmp/notify.log
lvsdeck daemon --dont-release-ipvs -f /tmp/release.conf 2>/tmp/daemon.log &
DPID=$!
wait_table "-I start" "$HAND$VS30$VS31" 3000
term "SIGTERM with --dont-release-ipvs"
wait_table "--dont-release-ipvs: the table stays" "$HAND$VS30$VS31" 500
usleep 1500000
if [ -s /tmp/notify.log ]; then echo "FAIL --dont-release-ipvs: scripts ran"; sed 's/^/    /' /tmp/notify.log
else echo "PASS --dont-release-ipvs: no script ran"; fi

# 3. lvs_flush: the whole table is flushed at start (the hand-made service too).
ipvsadm -C; hand_made
conf "lvs_flush"
lvsdeck daemon -f /tmp/release.conf 2>/tmp/daemon.log &
DPID=$!
wait_table "lvs_flush: hand-made service flushed at start" "$VS30$VS31" 3000
term "SIGTERM after lvs_flush"
wait_table "lvs_flush: owned services removed at stop" "" 500

# 4. lvs_flush_on_stop: everything goes at stop, as keepalived.
hand_made
conf "lvs_flush_on_stop"
lvsdeck daemon -f /tmp/release.conf 2>/tmp/daemon.log &
DPID=$!
wait_table "lvs_flush_on_stop start: hand-made kept while running" "$HAND$VS30$VS31" 3000
term "SIGTERM with lvs_flush_on_stop"
wait_table "lvs_flush_on_stop: the whole table flushed" "" 500

stop_serving 8091; stop_serving 8092
ipvsadm -C
