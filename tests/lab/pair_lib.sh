# Drills on the director pair (`lvsdeck lab --pair --run`, after lib.sh): rounds of long-lived
# client connections through the VIP across a failover, with the takeover's timeline.
# The pair itself (namespaces, daemons, helpers: at, bg, stop, holder, restart, ...) is
# /lab/pair/pair.sh, brought up by the VM's init before the scenario.
PAIR_LIB=1 . /lab/pair/pair.sh
# Whatever happens, the processes (by their PIDs) and namespaces go at the end.
trap 'down >/dev/null 2>&1' EXIT

# RFC 5798 for B (priority 100, advert_int 1 s, VRRPv2 as keepalived: skew in seconds):
# Skew_Time = (256 - 100) / 256 s = 609 ms, Master_Down_Interval = 3 s + skew = 3609 ms.
SKEW_MS=609
MDI_MS=3609
# Pass/fail limits on the takeover (the figures are printed either way): generous, since the
# VM runs under software emulation on shared cores.
GIVEUP_LIMIT_MS=1500
KILL_LIMIT_MS=4600
# The flows of a round: this many connections, a line every 50 ms on each.
FLOWS=4

# stamp: T = milliseconds since boot (the flow tool's clock), without a fork.
stamp() { read -r u _ </proc/uptime; T=$(( ${u%.*}${u#*.} * 10 )); }

# counts NAME: "ID LINES" of the round's flows as the real servers counted them, by ID.
counts() { cat $RUN/rs1.flow $RUN/rs2.flow 2>/dev/null | awk -v p="$1-" 'index($1, p) == 1 { print $1, $2 }' | sort; }

# growing NAME BEFORE_FILE: how many of the round's connections the client still has (not
# broken) and whose count at the real server grew since BEFORE_FILE.
growing() {
    counts $1 >/tmp/now.$1
    ok_ids=$(awk '$3 == "ok" { print $1 }' $RUN/$1.flow 2>/dev/null)
    n=0
    for id in $ok_ids; do
        b=$(awk -v i=$id '$1 == i { print $2 }' $2); a=$(awk -v i=$id '$1 == i { print $2 }' /tmp/now.$1)
        [ -n "$a" ] && [ "${a:-0}" -gt "${b:-0}" ] && n=$((n + 1))
    done
    echo $n
}

# established NS NAME: the round's connections (by the client's ports) that NS's IPVS table
# holds as ESTABLISHED.
established() {
    at $1 lvsdeck adm -Lnc 2>/dev/null | awk '$3 == "ESTABLISHED" { split($4, a, ":"); print a[2] }' >/tmp/est.$1
    n=0
    for p in $(awk '{ print $4 }' $RUN/$2.flow); do grep -qx "$p" /tmp/est.$1 && n=$((n + 1)); done
    echo $n
}

# event FILE WORD: the time of the first `WORD ... MS` line of a watch log (`vip up MS`,
# `forward MS ...`).
event() {
    case $2 in
    vip) awk '$1 == "vip" && $2 == "up" { print $3; exit }' $1 ;;
    forward) awk '$1 == "forward" { print $2; exit }' $1 ;;
    esac
}

# wait_until SECS COMMAND...: poll COMMAND every 0.1 s until it succeeds, SECS at most.
wait_until() {
    n=0; lim=$(($1 * 10)); shift
    while ! "$@"; do
        n=$((n + 1)); [ $n -ge $lim ] && return 1
        usleep 100000
    done
}
a_is_master() { [ "$(holder)" = A ]; }
b_has_vip() { has_vip B; }
flows_started() { [ "$(awk '$2 > 0' $RUN/$NAME.flow 2>/dev/null | wc -l)" = $FLOWS ]; }

# giveup NS: the give-up drill on director NS through its control socket: priority 0 for
# 10 s, then the daemon takes the VIP back by itself (preemption).
giveup() {
    lvsdeck control --control /run/lvsdeck/$1.sock give-up VI_1 --for 10s >/dev/null
}

# round NAME DRILL EXPECT: one round (EXPECT kept, broken, or report: no check on the flows;
# AFTER_TAKEOVER, when set, is run once B holds the VIP). Fresh flows (FLOWS connections) from the client through
# the VIP while A is master; once they have had time to be synced (7 s: the kernel syncs a
# connection at its 3rd packet and flushes within 2 s), the drill on A (giveup or kill) with
# a stopwatch in B's namespace; then whether each flow kept flowing through B, and (EXPECT
# kept) through the failback to A. Prints PASS/FAIL lines and a MEASURED line; appends
# "DRILL VIP_MS FORWARD_MS KEPT" to /tmp/figures.
round() {
    NAME=$1; drill=$2; expect=$3
    wait_until 15 a_is_master || { echo "FAIL $NAME: A is not master before the drill ($(holder))"; return 1; }
    rm -f $RUN/$NAME.flow
    bg flow-$NAME client lvsdeck lab-flow send --to $VIP:8080 --conns $FLOWS --every 50 \
        --for 90 --name $NAME --status $RUN/$NAME.flow
    wait_until 10 flows_started || { echo "FAIL $NAME: the flows did not start"; cat $LOG/flow-$NAME.log; stop flow-$NAME; return 1; }
    sleep 7
    synced=$(established B $NAME)
    bg watch-$NAME B lvsdeck lab-flow watch --vip $VIP --for 20
    usleep 500000
    counts $NAME >/tmp/before.$NAME
    stamp; T0=$T
    case $drill in
    giveup) giveup A ;;
    kill) kill -KILL $(pid_of A) ;;
    term) kill -TERM $(pid_of A) ;;
    esac
    wait_until 10 b_has_vip
    [ -n "$AFTER_TAKEOVER" ] && $AFTER_TAKEOVER
    # Time for the client's retransmissions to reach B and the counts to move.
    sleep 3
    kept=$(growing $NAME /tmp/before.$NAME)
    stop watch-$NAME
    vip=$(event $LOG/watch-$NAME.log vip); fwd=$(event $LOG/watch-$NAME.log forward)
    vip_ms=$(( ${vip:-$T0} - T0 )); fwd_ms=$(( ${fwd:-$T0} - T0 ))
    [ -n "$vip" ] || vip_ms=none
    [ -n "$fwd" ] || fwd_ms=none
    echo "MEASURED $NAME $drill: synced to B before: $synced; VIP on B +$vip_ms ms, B forwards +$fwd_ms ms; kept $kept of $FLOWS"
    limit=$GIVEUP_LIMIT_MS; [ $drill = kill ] && limit=$KILL_LIMIT_MS
    if [ "$vip_ms" != none ] && [ $vip_ms -le $limit ]; then
        echo "PASS $NAME: B took over $vip_ms ms after the $drill (limit $limit)"
    else
        echo "FAIL $NAME: B took over after $vip_ms ms (limit $limit)"
        tail -5 $LOG/B.log | sed 's/^/    B: /'
    fi
    case $expect in
    kept)
        [ $synced = $FLOWS ] && echo "PASS $NAME: B had all $FLOWS connections (synced) before the drill" \
            || echo "FAIL $NAME: B had $synced of $FLOWS connections before the drill"
        [ $kept = $FLOWS ] && echo "PASS $NAME: $kept of $FLOWS connections kept flowing through B" \
            || { echo "FAIL $NAME: only $kept of $FLOWS connections kept flowing through B (synced before: $synced)"; cat $RUN/$NAME.flow | sed 's/^/    client: /'; }
        ;;
    report) ;;
    broken)
        [ $synced = 0 ] && echo "PASS $NAME: without sync, B knew none of the connections" \
            || echo "FAIL $NAME: without sync, B had $synced of $FLOWS connections"
        [ $kept = 0 ] && echo "PASS $NAME: without sync, all $FLOWS connections broke at the $drill ($(awk '{ print $3 }' $RUN/$NAME.flow | sed 's/@[0-9]*//' | sort | uniq -c | tr -s ' ' | tr '\n' ' '))" \
            || echo "FAIL $NAME: without sync, $kept of $FLOWS connections still flow"
        ;;
    esac
    echo "$drill $vip_ms $fwd_ms $kept" >>/tmp/figures.$expect
    # Failback: A's daemon again (a no-op after a real give-up, whose hold ends by itself);
    # it preempts B after its Master_Down_Interval.
    restart A
    if ! wait_until 45 a_is_master; then
        echo "FAIL $NAME: A did not take the VIP back ($(holder))"
        stop flow-$NAME
        return 1
    fi
    if [ $expect = kept ]; then
        counts $NAME >/tmp/back.$NAME
        sleep 3
        back=$(growing $NAME /tmp/back.$NAME)
        [ $back = $FLOWS ] && echo "PASS $NAME: $back of $FLOWS connections kept flowing through the failback to A" \
            || { echo "FAIL $NAME: only $back of $FLOWS connections kept flowing through the failback to A"; cat $RUN/$NAME.flow | sed 's/^/    client: /'; }
        echo "$back" >>/tmp/figures.back
    fi
    stop flow-$NAME
}

# figures DRILL BOUND_MS: median and max of the DRILL rounds in /tmp/figures.kept, against
# the bound.
figures() {
    f=/tmp/figures.kept
    medmax() { awk -v d=$1 -v c=$2 '$1 == d && $c != "none" { print $c }' $f | sort -n \
        | awk '{ v[NR] = $1 } END { if (NR == 0) { print "none none 0"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2); print m, v[NR], NR }'; }
    set -- $1 $2 $(medmax $1 2) $(medmax $1 3)
    rounds=$(awk -v d=$1 '$1 == d' $f | wc -l)
    kept=$(awk -v d=$1 '$1 == d { k += $4 } END { print k + 0 }' $f)
    echo "FIGURE $1: VIP on B median $3 ms, max $4 ms (bound $2 ms); B forwards median $6 ms, max $7 ms; $rounds rounds; connections kept $kept of $((rounds * FLOWS))"
}

