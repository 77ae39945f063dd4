#!/bin/sh
# /init of the lab VM: bring up a director with the real kernel IPVS, then run what the host
# asked for (a scenario, or the console then a shell) and power off.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mkdir -p /dev/pts /run /var/log && mount -t devpts devpts /dev/pts
arg() { sed -n "s/.*lvsdeck\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
MODE=$(arg mode)
# libcrc32c softly depends on crc32c: load it first or ip_vs fails with "unknown symbol".
modprobe crc32c_generic 2>/dev/null
modprobe ip_vs || echo "lab: modprobe ip_vs failed" >&2
for s in rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos; do modprobe ip_vs_$s 2>/dev/null; done
modprobe ip_vs_pe_sip 2>/dev/null
ip link set lo up
hostname director
export PATH=/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
cd /root
PAIR=$(arg pair)
# The director pair: the shell's shorthands (A CMD, B CMD, ip as iproute2's) for everyone.
[ "$PAIR" = 1 ] && echo '. /lab/pair/profile' >>/etc/profile
case "$MODE" in
run)
    [ "$(arg demo)" = 1 ] && sh /lab/demo.sh >/dev/null 2>&1
    echo
    echo "===LAB-BEGIN==="
    rc=0
    if [ "$PAIR" = 1 ]; then
        # The scenario starts with the pair up (its own traffic is the scenario's to start).
        /lab/pair/pair.sh up 2>&1 | sed 's/^/pair: /'
        /lab/pair/pair.sh check >/dev/null 2>&1 || { echo "pair: not up"; rc=1; }
    fi
    [ $rc = 0 ] && { sh /lab/scenario.sh </dev/null 2>&1; rc=$?; }
    echo "===LAB-END rc=$rc==="
    ;;
*)
    ROWS=$(arg rows); COLS=$(arg cols)
    [ -n "$ROWS" ] && stty rows "$ROWS" cols "$COLS" 2>/dev/null
    export TERM=$(arg term)
    [ -z "$TERM" ] && export TERM=vt100
    [ "$(arg demo)" = 1 ] && sh /lab/demo.sh
    if [ "$PAIR" = 1 ]; then
        # Two directors: up, traffic on, what runs where; then the console on A (its peer
        # B beside it when this lvsdeck knows --peer-command), then a shell.
        /lab/pair/pair.sh up --traffic
        cat /lab/pair/motd
        printf 'Press Enter for the console on director A (q leaves it for this shell) '
        read -r _
        setsid cttyhack /lab/pair/pair.sh console
        cat /lab/pair/motd
    else
        # The console first; leaving it (q) drops to the shell, where ipvsadm and lvsdeck adm work.
        setsid cttyhack lvsdeck
        cat /lab/motd
    fi
    setsid cttyhack sh -l
    ;;
esac
poweroff -f
