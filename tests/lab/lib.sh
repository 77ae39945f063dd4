# Shared helpers for lab scenarios (run inside the director VM by `lvsdeck lab --run`).
# Each check prints one line starting with PASS or FAIL; the Rust test counts them.

LVS="lvsdeck adm"

# same ARGS...: `ipvsadm ARGS` and `lvsdeck adm ARGS` print the same bytes and exit alike.
# Counters and rates move under traffic, so a mismatch is retried a few times (two reads in a
# row fall in the same 2-second estimator period almost always).
same() {
    n=0
    while :; do
        ipvsadm "$@" >/tmp/want 2>/tmp/want.err; w=$?
        $LVS "$@" >/tmp/got 2>/tmp/got.err; g=$?
        if [ $w = $g ] && cmp -s /tmp/want /tmp/got; then
            echo "PASS same: $* ($(wc -l </tmp/want) lines, exit $w)"
            return 0
        fi
        n=$((n + 1))
        if [ $n -ge 5 ]; then
            echo "FAIL same: $* (ipvsadm exit $w, lvsdeck exit $g)"
            diff -u /tmp/want /tmp/got | head -40 | sed 's/^/    /'
            sed 's/^/    ipvsadm stderr: /' /tmp/want.err | head -3
            sed 's/^/    lvsdeck stderr: /' /tmp/got.err | head -3
            return 1
        fi
        usleep 300000
    done
}

# same_conns ARGS...: as `same` for `-c` listings, whose expiry column ticks every second:
# the rest of every line must be identical, the expiry within 2 seconds.
same_conns() {
    n=0
    while :; do
        ipvsadm "$@" >/tmp/want 2>&1; w=$?
        $LVS "$@" >/tmp/got 2>&1; g=$?
        sed 's/^\([A-Z]* *\)[0-9]*:[0-9][0-9] /\1EXPIRY /' /tmp/want >/tmp/want.m
        sed 's/^\([A-Z]* *\)[0-9]*:[0-9][0-9] /\1EXPIRY /' /tmp/got >/tmp/got.m
        drift=$(paste -d' ' /tmp/want /tmp/got | awk 'NR > 2 { split($2, a, ":"); n = NF / 2 + 1; split($(n + 1), b, ":");
            d = (a[1] * 60 + a[2]) - (b[1] * 60 + b[2]); if (d < 0) d = -d; if (d > m) m = d } END { print m + 0 }')
        if [ $w = $g ] && cmp -s /tmp/want.m /tmp/got.m && [ "$drift" -le 2 ]; then
            echo "PASS same_conns: $* ($(wc -l </tmp/want) lines, expiry drift ${drift}s)"
            return 0
        fi
        n=$((n + 1))
        if [ $n -ge 3 ]; then
            echo "FAIL same_conns: $* (ipvsadm exit $w, lvsdeck exit $g, drift $drift)"
            diff -u /tmp/want.m /tmp/got.m | head -30 | sed 's/^/    /'
            return 1
        fi
    done
}

# check NAME COMMAND...: PASS when the command succeeds.
check() {
    name=$1; shift
    if "$@" >/tmp/check.out 2>&1; then echo "PASS $name"; else
        echo "FAIL $name"; sed 's/^/    /' /tmp/check.out | head -20; fi
}

# refused ARGS...: both ipvsadm and lvsdeck adm reject ARGS with a non-zero exit and a
# message, and neither changes the table.
refused() {
    ipvsadm -Sn >/tmp/before
    ipvsadm "$@" >/dev/null 2>/tmp/w.err; w=$?
    ipvsadm -Sn >/tmp/after.w
    $LVS "$@" >/dev/null 2>/tmp/g.err; g=$?
    ipvsadm -Sn >/tmp/after.g
    if [ $w -ne 0 ] && [ $g -ne 0 ] && [ -s /tmp/g.err ] && cmp -s /tmp/before /tmp/after.g; then
        echo "PASS refused: $* -> $(head -1 /tmp/g.err)"
    else
        echo "FAIL refused: $* (ipvsadm exit $w, lvsdeck exit $g, table changed: $(cmp -s /tmp/before /tmp/after.g && echo no || echo yes))"
        sed 's/^/    lvsdeck stderr: /' /tmp/g.err | head -3
    fi
    # Undo whatever ipvsadm itself accepted, so the next check starts from the same table.
    cmp -s /tmp/before /tmp/after.w || { ipvsadm -C; ipvsadm -R </tmp/before; }
}

# writes_alike SETUP_FILE: apply the file's ipvsadm lines with ipvsadm on a clean table,
# save; apply them line by line with lvsdeck adm on a clean table, save; compare the saves.
writes_alike() {
    name=$1; file=$2
    ipvsadm -C
    while read -r line; do [ -n "$line" ] && eval "ipvsadm $line"; done <"$file"
    ipvsadm -Sn >/tmp/w.save; ipvsadm -Ln --thresholds --tun-info >/tmp/w.list
    ipvsadm -C
    ok=1
    while read -r line; do
        [ -n "$line" ] || continue
        eval "$LVS $line" 2>/tmp/l.err || { ok=0; echo "    lvsdeck adm $line: $(cat /tmp/l.err)"; }
    done <"$file"
    ipvsadm -Sn >/tmp/g.save; ipvsadm -Ln --thresholds --tun-info >/tmp/g.list
    if [ $ok = 1 ] && cmp -s /tmp/w.save /tmp/g.save && cmp -s /tmp/w.list /tmp/g.list; then
        echo "PASS writes: $name ($(wc -l </tmp/w.save) saved lines)"
    else
        echo "FAIL writes: $name"; diff -u /tmp/w.save /tmp/g.save | head -30 | sed 's/^/    /'
        diff -u /tmp/w.list /tmp/g.list | head -30 | sed 's/^/    /'
    fi
}

# Real servers: busybox httpd on loopback, VIPs on lo.
start_http() {
    mkdir -p /srv/www; echo "real server" >/srv/www/index.html
    dd if=/dev/zero of=/srv/www/big bs=1k count=32 2>/dev/null
    for p in "$@"; do httpd -p 127.0.0.1:$p -h /srv/www; done
}

# traffic URL COUNT: COUNT sequential requests (bounded).
traffic() {
    i=0; while [ $i -lt $2 ]; do wget -q -O /dev/null "$1" 2>/dev/null; i=$((i + 1)); done
}

# Real servers the daemon scenarios kill and revive by PID (health.sh, ops.sh, release.sh).
# serve PORT: a busybox httpd in the foreground of a background job; its PID in PID_<PORT>.
serve() { httpd -f -p 127.0.0.1:$1 -h /srv/www & eval "PID_$1=$!"; }
stop_serving() { eval "kill \$PID_$1"; eval "wait \$PID_$1" 2>/dev/null; }

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# wait_table NAME EXPECTED_TEXT LIMIT_MS: polls `ipvsadm -Sn` (every WAIT_POLL_US µs, at most
# WAIT_POLLS reads; 200000 and 300 unless the scenario sets them) until it holds exactly these
# lines (order aside), at most LIMIT_MS after the call, or after T0 (ms, now_ms) when set (T0
# is cleared); prints the time taken and leaves it in LAST_MS.
wait_table() {
    printf '%s' "$2" | sort >/tmp/w.want
    t0=${T0:-$(now_ms)}; n=0; T0=
    while :; do
        ipvsadm -Sn | sort >/tmp/w.got
        t=$(( $(now_ms) - t0 ))
        if cmp -s /tmp/w.want /tmp/w.got; then
            echo "PASS $1 (${t} ms, limit $3 ms)"; LAST_MS=$t; return 0
        fi
        n=$((n + 1))
        if [ $t -gt $3 ] || [ $n -gt ${WAIT_POLLS:-300} ]; then
            echo "FAIL $1 (not within $3 ms)"; diff -u /tmp/w.want /tmp/w.got | sed 's/^/    /' | head -20
            tail -15 /tmp/daemon.log | sed 's/^/    log: /'
            return 1
        fi
        usleep ${WAIT_POLL_US:-200000}
    done
}

# stays NAME EXPECTED_TEXT MS: the table holds exactly these lines at every 0.2 s read for MS.
stays() {
    printf '%s' "$2" | sort >/tmp/s.want
    t0=$(now_ms)
    while [ $(( $(now_ms) - t0 )) -lt $3 ]; do
        ipvsadm -Sn | sort >/tmp/s.got
        if ! cmp -s /tmp/s.want /tmp/s.got; then
            echo "FAIL $1 (changed after $(( $(now_ms) - t0 )) ms)"
            diff -u /tmp/s.want /tmp/s.got | sed 's/^/    /' | head -20; return 1
        fi
        usleep 200000
    done
    echo "PASS $1 (unchanged for $3 ms)"
}

# health.conf's table as `ipvsadm -Sn` prints it (health.sh, ops.sh): its two services and
# their real servers at the configured weights, a line each.
VS1="-A -t 198.51.100.10:80 -s rr
"
VS2="-A -t 198.51.100.20:80 -s wrr
"
R1="-a -t 198.51.100.10:80 -r 127.0.0.1:8081 -m -w 2
"
R2="-a -t 198.51.100.10:80 -r 127.0.0.1:8082 -m -w 3
"
R3="-a -t 198.51.100.20:80 -r 127.0.0.1:8083 -m -w 4
"
R4="-a -t 198.51.100.20:80 -r 127.0.0.1:8084 -m -w 1
"

# start_health_daemon: health.conf's VIPs on lo, its real servers 8081-8084 (serve), and
# `lvsdeck daemon -f $CONF` in the background, logging to /tmp/daemon.log; its PID in DPID.
start_health_daemon() {
    ip addr add 198.51.100.10/32 dev lo
    ip addr add 198.51.100.20/32 dev lo
    for p in 8081 8082 8083 8084; do serve $p; done
    usleep 300000
    lvsdeck daemon -f $CONF 2>/tmp/daemon.log &
    DPID=$!
}
