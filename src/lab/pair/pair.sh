#!/bin/sh
# The director pair of `lvsdeck lab --pair`, inside the lab VM. IPVS is per network
# namespace, so each director is one: two directors, two real servers and a client, each a
# namespace whose eth0 is plugged into the bridge br0 of the VM (the "switch"):
#
#     client 192.0.2.100 ─┐
#     A      192.0.2.1   ─┤  lvsdeck daemon -f /lab/pair/A.conf   VI_1 priority 150 (master)
#     B      192.0.2.2   ─┼─ br0   lvsdeck daemon -f /lab/pair/B.conf   VI_1 priority 100
#     rs1    192.0.2.11  ─┤  httpd :80, lvsdeck lab-flow sink :8080, VIP on lo
#     rs2    192.0.2.12  ─┘  the same
#
# The VIP 198.51.100.10 is on the master's eth0 (VRRP moves it); the real servers hold it on
# their loopback (direct routing) and neither answer ARP for it nor announce it (arp_ignore
# 1, arp_announce 2). Both directors health-check both real servers (TCP_CHECK) and sync
# their connections over eth0 (`lvs_sync_daemon eth0 VI_1 id 7`).
#
#   pair up [--traffic]   build it all and start the directors (and the client's traffic)
#   pair check            0 once A is master with both virtual servers and their servers up
#   pair status           who holds the VIP, both tables, the sync daemons, the flows
#   pair traffic          the client's bounded traffic: wget every 0.5 s, 4 long-lived flows
#   pair restart A|B      start that director's daemon again after a drill stopped it
#   pair console          the console on director A
#   pair down             stop everything by PID, remove the namespaces and the bridge
#
# Scenarios source it (`PAIR_LIB=1 . /lab/pair/pair.sh`) for the functions below.
# Logs are in /var/log/pair/, PIDs in /run/pair/NAME.pid, flow counts in /run/pair/*.flow.

IP=/usr/sbin/ip # iproute2's: busybox's `ip` (the bare name in this shell) has no netns
VIP=198.51.100.10
RUN=/run/pair
LOG=/var/log/pair
NAMESPACES="A B rs1 rs2 client"

addr_of() {
    case $1 in
    A) echo 192.0.2.1 ;; B) echo 192.0.2.2 ;;
    rs1) echo 192.0.2.11 ;; rs2) echo 192.0.2.12 ;; client) echo 192.0.2.100 ;;
    esac
}

# at NS CMD...: run CMD in namespace NS.
at() { ns=$1; shift; $IP netns exec "$ns" "$@"; }

# bg NAME NS CMD...: CMD in namespace NS in the background, output to $LOG/NAME.log, its
# PID in $RUN/NAME.pid (ip netns exec execs CMD: $! is CMD's own PID).
bg() {
    name=$1; ns=$2; shift 2
    $IP netns exec "$ns" "$@" </dev/null >>$LOG/$name.log 2>&1 &
    echo $! >$RUN/$name.pid
}

pid_of() { cat $RUN/$1.pid 2>/dev/null; }
alive() { p=$(pid_of $1) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

# stop NAME [SIGNAL]: signal the process by its PID (TERM unless given), wait for it (5 s,
# then KILL).
stop() {
    p=$(pid_of $1) || return 0
    [ -n "$p" ] || return 0
    kill -${2:-TERM} "$p" 2>/dev/null
    n=0
    while kill -0 "$p" 2>/dev/null && [ $n -lt 50 ]; do usleep 100000; n=$((n + 1)); done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
    rm -f $RUN/$1.pid
}

# start_director NS [CONF]: `lvsdeck daemon` in namespace NS with CONF (default
# /lab/pair/NS.conf) and its own control socket /run/lvsdeck/NS.sock. With NO_SYNC=1 the
# file is used without its lvs_sync_daemon line (and no sync daemon is started by hand);
# DAEMON_FLAGS go to the daemon (e.g. --dont-release-ipvs).
start_director() {
    conf=${2:-/lab/pair/$1.conf}
    if [ "$NO_SYNC" = 1 ]; then
        sed '/lvs_sync_daemon/d' $conf >$RUN/$1-nosync.conf
        conf=$RUN/$1-nosync.conf
    fi
    bg $1 $1 lvsdeck daemon $DAEMON_FLAGS -f $conf --control /run/lvsdeck/$1.sock
    return 0
}

# restart NS: start NS's daemon again after a drill stopped or killed it; a VIP a killed
# daemon left on eth0 is removed first, as the reboot of a real director would.
restart() {
    alive $1 && return 0
    $IP -n $1 addr del $VIP/32 dev eth0 2>/dev/null
    start_director $1
}

# start_keepalived NS CONF: keepalived 2.2.7 (copied in as /opt/bin/keepalived) as director
# NS instead, foreground, logging to $LOG/NS.log; PID in $RUN/NS.pid, its children's in
# NS-vrrp.pid and NS-check.pid. It also logs to syslog, and to the VM's console when no
# syslogd listens: busybox's syslogd takes that into $LOG/syslog.
start_keepalived() {
    [ -f /var/run/syslogd.pid ] || syslogd -O $LOG/syslog
    bg $1 $1 /opt/bin/keepalived -n -l -D -R -f $2 \
        -p $RUN/$1-ka.pid -r $RUN/$1-vrrp.pid -c $RUN/$1-check.pid
}

# stop_sync NS: stop both kernel sync daemons in NS.
stop_sync() {
    at $1 lvsdeck adm --stop-daemon master 2>/dev/null
    at $1 lvsdeck adm --stop-daemon backup 2>/dev/null
    return 0
}

# has_vip NS: the VIP is on NS's eth0.
has_vip() { $IP -n $1 -4 -o addr show dev eth0 | grep -q " $VIP/"; }

# holder: which director holds the VIP (A, B, both or none).
holder() {
    a=0; b=0
    has_vip A && a=1
    has_vip B && b=1
    case $a$b in 10) echo A ;; 01) echo B ;; 11) echo both ;; *) echo none ;; esac
}

up() {
    mkdir -p $RUN $LOG /run/lvsdeck
    modprobe bridge 2>/dev/null
    modprobe veth 2>/dev/null
    $IP link add br0 type bridge || return 1
    $IP link set br0 up
    for ns in $NAMESPACES; do
        $IP netns add $ns || return 1
        $IP link add $ns-eth0 type veth peer name eth0 netns $ns || return 1
        $IP link set $ns-eth0 master br0 up
        # IPVS refuses real servers in a namespace whose lo is down ("address not unicast").
        $IP -n $ns link set lo up
        $IP -n $ns addr add $(addr_of $ns)/24 dev eth0
        $IP -n $ns link set eth0 up
    done
    # The client reaches the VIP on the link (whoever answers ARP for it: the master).
    $IP -n client route add 198.51.100.0/24 dev eth0
    mkdir -p /srv
    for rs in rs1 rs2; do
        # Direct routing: the VIP on lo, never answered for or announced on eth0.
        $IP -n $rs addr add $VIP/32 dev lo
        for i in all eth0; do
            at $rs sh -c "echo 1 >/proc/sys/net/ipv4/conf/$i/arp_ignore
                echo 2 >/proc/sys/net/ipv4/conf/$i/arp_announce"
        done
        mkdir -p /srv/$rs && echo "hello from $rs" >/srv/$rs/index.html
        bg $rs-httpd $rs httpd -f -p 80 -h /srv/$rs
        bg $rs-sink $rs lvsdeck lab-flow sink --listen 0.0.0.0:8080 --for 14400 \
            --status $RUN/$rs.flow
    done
    start_director A
    start_director B
    [ "$1" = --traffic ] && traffic
    echo "pair up: namespaces $NAMESPACES on br0; directors A and B starting (logs in $LOG)"
}

# check [SECS]: within SECS (15), A holds the VIP and both tables have both services with
# both real servers (their health checks passed).
check() {
    n=0
    while [ $n -lt $((${1:-15} * 5)) ]; do
        if [ "$(holder)" = A ] \
            && [ "$(at A lvsdeck adm -Sn 2>/dev/null | grep -c '^-a')" = 4 ] \
            && [ "$(at B lvsdeck adm -Sn 2>/dev/null | grep -c '^-a')" = 4 ]; then
            return 0
        fi
        usleep 200000
        n=$((n + 1))
    done
    return 1
}

traffic() {
    # Short requests: at most 7200 × 2 over 2 hours.
    bg client-wget client sh -c 'i=0; while [ $i -lt 14400 ]; do
        wget -q -O /dev/null http://'$VIP'/ ; i=$((i + 1)); usleep 500000; done'
    # Long-lived: 4 connections, a line every 50 ms each, for 2 hours.
    bg client-flows client lvsdeck lab-flow send --to $VIP:8080 --conns 4 --every 50 \
        --for 7200 --name client --status $RUN/client.flow
}

status() {
    echo "VIP $VIP on: $(holder)"
    for d in A B; do
        echo "--- director $d ($(addr_of $d)), daemon $(alive $d && echo "running, pid $(pid_of $d)" || echo 'not running')"
        at $d lvsdeck adm -Ln --stats
        at $d lvsdeck adm -L --daemon
        echo "connections: $(at $d lvsdeck adm -Lnc | grep -c ESTABLISHED) established"
    done
    for f in client rs1 rs2; do
        [ -f $RUN/$f.flow ] && { echo "--- flows seen by $f"; cat $RUN/$f.flow; }
    done
}

console() {
    # The console attaches to A's daemon through its control socket; with a console that
    # knows --peer-command, director B is shown beside it, reached through `ip netns exec`.
    set -- --control /run/lvsdeck/A.sock
    if lvsdeck --help 2>&1 | grep -q -- --peer-command; then
        peer="$IP netns exec B lvsdeck serve --stdio"
        lvsdeck serve --help 2>&1 | grep -q -- --control && peer="$peer --control /run/lvsdeck/B.sock"
        set -- "$@" --peer-command "$peer"
    fi
    exec $IP netns exec A lvsdeck "$@"
}

down() {
    for f in $RUN/*.pid; do
        [ -f "$f" ] && stop $(basename $f .pid)
    done
    for ns in $NAMESPACES; do
        $IP netns pids $ns 2>/dev/null | while read -r p; do kill -KILL $p 2>/dev/null; done
        $IP netns del $ns 2>/dev/null
    done
    $IP link del br0 2>/dev/null
    return 0
}

if [ -z "$PAIR_LIB" ]; then
    cmd=${1:-status}
    [ $# -gt 0 ] && shift
    case $cmd in
    up | check | status | traffic | restart | console | down) $cmd "$@" ;;
    *) sed -n '/^#   pair/s/^#   //p' "$0"; exit 2 ;;
    esac
fi
