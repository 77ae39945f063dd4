# Connection sync on the real kernel: lvsdeck daemon, then keepalived 2.2.7, each with the
# same keepalived.conf (one VRRP instance on a veth, no peer, `lvs_sync_daemon va VI_1 id 7`),
# through the same steps: start, MASTER, out of MASTER, SIGHUP unchanged, SIGHUP with
# another sync id, SIGTERM. At each step the kernel's sync daemons are read with the real
# ipvsadm (-L --daemon) and the kernel thread's PID; then lvsdeck's readings are compared
# with keepalived's, step by step. lvsdeck leaves MASTER by the control socket's give-up
# drill, keepalived (which has no such command) by a failing track script: both leave
# MASTER, which is what the sync daemon follows.

F=/opt/bin
IP=$F/ip
CONF=/tmp/sync.conf
SOCK=/tmp/lvsdeck.sock
cp $F/sync.conf $CONF
printf '#!/bin/sh\n[ ! -e /tmp/fail ]\n' >/root/ok.sh; chmod 755 /root/ok.sh
modprobe veth
$IP link add va type veth peer name vb
$IP addr add 192.0.2.1/24 dev va
$IP link set va up
$IP link set vb up

check "the lab kernel lists connections by origin (/proc/net/ip_vs_conn_sync has Origin)" \
    grep -q Origin /proc/net/ip_vs_conn_sync

daemons() { ipvsadm -L --daemon 2>&1 | sort; }
# The sync daemon kernel threads' PIDs (ipvs-m:..., ipvs-b:...).
kthreads() { ps | awk '/\[ipvs-[mb]:/ && !/awk/ { print $1 }' | sort | tr '\n' ' '; }
master_up() { $IP -o addr show dev va | grep -q 192.0.2.100; }

# expect TOOL STEP NAME PATTERN...: within 20 s the daemon listing has exactly one line per
# PATTERN (grep -E, in sorted order), then it is recorded as /tmp/TOOL.STEP.
expect() {
    tool=$1; step=$2; name=$3; shift 3
    t0=$(now_ms)
    while :; do
        daemons >/tmp/d.now
        ok=1
        [ "$(wc -l </tmp/d.now)" -eq $# ] || ok=0
        [ $# -eq 0 ] && [ ! -s /tmp/d.now ] && ok=1
        i=1
        for p in "$@"; do
            sed -n "${i}p" /tmp/d.now | grep -Eq "$p" || ok=0
            i=$((i + 1))
        done
        if [ $ok = 1 ]; then
            cp /tmp/d.now /tmp/$tool.$step
            echo "PASS $tool $step $name ($(( $(now_ms) - t0 )) ms): $(tr '\n' ';' </tmp/d.now)"
            return 0
        fi
        if [ $(( $(now_ms) - t0 )) -gt 20000 ]; then
            cp /tmp/d.now /tmp/$tool.$step
            echo "FAIL $tool $step $name: want $*"
            sed 's/^/    kernel: /' /tmp/d.now
            return 1
        fi
        usleep 200000
    done
}

# within MS COMMAND...: COMMAND succeeds within MS.
within() {
    limit=$1; shift; t0=$(now_ms)
    until "$@"; do
        [ $(( $(now_ms) - t0 )) -gt $limit ] && return 1
        usleep 200000
    done
}

B7='^backup sync daemon \(mcast=va, syncid=7'
M7='^master sync daemon \(mcast=va, syncid=7'
B9='^backup sync daemon \(mcast=va, syncid=9'

# steps TOOL PID LOG LEAVE_MASTER_COMMAND: the steps both tools go through.
steps() {
    tool=$1; pid=$2; log=$3; shift 3
    expect $tool 1 "start: backup daemon" "$B7"
    check "$tool 2 becomes MASTER (VIP on va)" within 20000 master_up
    expect $tool 2 "MASTER: master daemon only" "$M7"
    [ -n "$AT_MASTER" ] && $AT_MASTER
    "$@" >/tmp/$tool.leave 2>&1
    check "$tool 3 leaves MASTER (VIP gone)" within 10000 sh -c "! $IP -o addr show dev va | grep -q 192.0.2.100"
    expect $tool 3 "out of MASTER: backup daemon only" "$B7"
    before=$(kthreads)
    n=$(grep -c "$RELOAD_MARK" $log)
    kill -HUP $pid
    check "$tool 4 reloaded" within 10000 sh -c "[ \$(grep -c '$RELOAD_MARK' $log) -gt $n ]"
    sleep 2
    expect $tool 4 "SIGHUP, settings unchanged: backup daemon" "$B7"
    after=$(kthreads)
    if [ -n "$before" ] && [ "$before" = "$after" ]; then
        echo "PASS $tool 4 the unchanged reload restarted nothing (kernel thread $after)"
    else
        echo "FAIL $tool 4 the unchanged reload restarted the daemon (threads $before -> $after)"
    fi
    sed -i 's/lvs_sync_daemon va VI_1 id 7/lvs_sync_daemon va VI_1 id 9/' $CONF
    n=$(grep -c "$RELOAD_MARK" $log)
    kill -HUP $pid
    check "$tool 5 reloaded" within 10000 sh -c "[ \$(grep -c '$RELOAD_MARK' $log) -gt $n ]"
    expect $tool 5 "SIGHUP, id 7 -> 9: backup daemon restarted with syncid 9" "$B9"
    changed=$(kthreads)
    if [ -n "$changed" ] && [ "$changed" != "$after" ]; then
        echo "PASS $tool 5 a new kernel thread ($after -> $changed)"
    else
        echo "FAIL $tool 5 no new kernel thread ($after -> $changed)"
    fi
    [ -n "$BEFORE_STOP" ] && $BEFORE_STOP
    kill -TERM $pid
    check "$tool 6 exits on SIGTERM" within 15000 sh -c "! kill -0 $pid 2>/dev/null"
    expect $tool 6 "SIGTERM: no daemon" 
    sed -i 's/lvs_sync_daemon va VI_1 id 9/lvs_sync_daemon va VI_1 id 7/' $CONF
}

# The other drill, and a drill for an instance that does not run (lvsdeck only).
lvsdeck_drills() {
    lvsdeck control --control $SOCK priority VI_1 50 --for 5s >/tmp/prio.out 2>&1
    check "lvsdeck control priority VI_1 50 --for 5s: done" \
        grep -q '"message":"VI_1: priority 50 for 5 s, then the configured one"' /tmp/prio.out
    lvsdeck control --control $SOCK status >/tmp/status.json 2>&1
    check "lvsdeck status: effective priority 50, sync id 9 running as backup" \
        grep -Eq '"effective_priority":50.*"daemons":\[\{"role":"backup","interface":"va","syncid":9' /tmp/status.json
    lvsdeck control --control $SOCK give-up VI_9 >/tmp/gu.out 2>&1; rc=$?
    check "lvsdeck give-up VI_9 refused (exit $rc), naming the instances that run" \
        sh -c "[ $rc = 1 ] && grep -q 'no VRRP instance VI_9 runs here (running: VI_1)' /tmp/gu.out"
    check "lvsdeck logs the priority drill" grep -q 'control: VI_1: priority 50 for 5 s' /tmp/lvsdeck.log
    check "lvsdeck logs the refused drill" grep -q 'control: refused: no VRRP instance VI_9 runs here' /tmp/lvsdeck.log
}

# While MASTER: a service (on lo) with a busybox httpd behind it, three requests; the
# status then counts the connection entries as this director's own (Origin LOCAL).
lvsdeck_traffic() {
    mkdir -p /srv/www; echo "real server" >/srv/www/index.html
    httpd -p 127.0.0.1:8080 -h /srv/www
    $IP addr add 198.51.100.10/32 dev lo
    ipvsadm -A -t 198.51.100.10:80 -s rr
    ipvsadm -a -t 198.51.100.10:80 -r 127.0.0.1:8080 -m
    # (busybox 1.35's wget crashes with -T: bounded by timeout instead)
    for i in 1 2 3; do timeout 5 wget -q -O /dev/null http://198.51.100.10/ || echo "    wget failed"; done
    lvsdeck control --control $SOCK status >/tmp/status.json 2>&1
    local_n=$(sed -n 's/.*"local_connections":\([0-9]*\).*/\1/p' /tmp/status.json)
    check "lvsdeck status counts the connections as local ($local_n local, $(grep -c LOCAL /proc/net/ip_vs_conn_sync) LOCAL in /proc)" \
        sh -c "[ '$local_n' -ge 3 ] && grep -q '\"synced_connections\":0' /tmp/status.json && grep -q '\"role\":\"master\"' /tmp/status.json"
    ipvsadm -D -t 198.51.100.10:80
}

# --- lvsdeck ---
AT_MASTER=lvsdeck_traffic
RELOAD_MARK='reloaded /tmp/sync.conf'
BEFORE_STOP=lvsdeck_drills
lvsdeck daemon -f $CONF --control $SOCK >/tmp/lvsdeck.log 2>&1 &
LPID=$!
check "lvsdeck daemon runs" within 5000 test -S $SOCK
lvsdeck control --control $SOCK status >/tmp/status.json 2>&1
check "lvsdeck control status: sync setting, backup wanted and running, connection counts" \
    grep -Eq '"sync":\{"setting":"lvs_sync_daemon va VI_1 id 7","instance":"VI_1","instance_state":"BACKUP","wanted":\["backup"\],"daemons":\[\{"role":"backup","interface":"va","syncid":7.*"local_connections":0,"synced_connections":0' /tmp/status.json
steps lvsdeck $LPID /tmp/lvsdeck.log lvsdeck control --control $SOCK give-up VI_1 --for 120s
check "lvsdeck give-up replied done" grep -q '"reply":"done","message":"VI_1: giving up mastership (priority 0), BACKUP for 120 s"' /tmp/lvsdeck.leave
check "lvsdeck logs the drill" grep -q 'control: VI_1: giving up mastership' /tmp/lvsdeck.log
for line in \
    "ipvsadm --start-daemon backup --mcast-interface va --syncid 7" \
    "ipvsadm --stop-daemon backup" \
    "ipvsadm --start-daemon master --mcast-interface va --syncid 7" \
    "ipvsadm --stop-daemon master" \
    "ipvsadm --start-daemon backup --mcast-interface va --syncid 9"; do
    check "lvsdeck logs '$line'" grep -q -- "$line" /tmp/lvsdeck.log
done
check "lvsdeck logs no refused sync command" sh -c "! grep -Eq 'ipvsadm --(start|stop)-daemon.* refused' /tmp/lvsdeck.log"
echo "--- lvsdeck's sync log lines:"
grep -E 'connection sync|daemon' /tmp/lvsdeck.log | sed 's/^/    /' | head -30

# --- keepalived 2.2.7 ---
BEFORE_STOP=
AT_MASTER=
rm -f /tmp/fail
RELOAD_MARK='Reloading'
$F/keepalived -n -l -D -f $CONF -p /tmp/k.pid -r /tmp/kv.pid -c /tmp/kc.pid >/tmp/keepalived.log 2>&1 &
KPID=$!
check "keepalived runs" within 5000 kill -0 $KPID
steps keepalived $KPID /tmp/keepalived.log touch /tmp/fail
echo "--- keepalived's sync log lines:"
grep -Ei 'sync|IPVS|Reload|STATE' /tmp/keepalived.log | sed 's/^/    /' | head -30

# --- the same, step by step ---
for step in 1 2 3 4 5 6; do
    if [ -e /tmp/lvsdeck.$step ] && cmp -s /tmp/lvsdeck.$step /tmp/keepalived.$step; then
        echo "PASS step $step: lvsdeck and keepalived leave the same sync daemons: $(tr '\n' ';' </tmp/lvsdeck.$step)"
    else
        echo "FAIL step $step: lvsdeck and keepalived differ"
        diff /tmp/keepalived.$step /tmp/lvsdeck.$step | sed 's/^/    /'
    fi
done
