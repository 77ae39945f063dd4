# lvsdeck reconcile on the real kernel: applies keepalived.conf's virtual servers, leaves
# hand-made services alone, applies exactly the changed weights, reports and reverts drift,
# refuses bad configurations without changing anything, and builds the seeds' tables as
# keepalived would. Configs and expected tables come in through --file (/opt/bin).

F=/opt/bin
STATE=/run/lvsdeck/reconcile.rules

# table_is NAME EXPECTED_FILE: `ipvsadm -Sn` holds exactly those lines (order aside).
table_is() {
    ipvsadm -Sn | sort >/tmp/t.got; sort "$2" >/tmp/t.want
    if cmp -s /tmp/t.want /tmp/t.got; then echo "PASS table: $1 ($(wc -l </tmp/t.got) lines)"; else
        echo "FAIL table: $1"; diff -u /tmp/t.want /tmp/t.got | sed 's/^/    /' | head -40; fi
}

# output_is NAME EXPECTED_TEXT FILE: FILE's lines other than `#` comments are exactly these.
output_is() {
    printf '%s' "$2" >/tmp/o.want
    grep -v '^#' "$3" >/tmp/o.got
    if cmp -s /tmp/o.want /tmp/o.got; then echo "PASS output: $1"; else
        echo "FAIL output: $1"; diff -u /tmp/o.want /tmp/o.got | sed 's/^/    /' | head -30; fi
}

# refuses NAME CONF WHERE: reconcile exits 1, says WHERE (file:line: error), changes nothing.
refuses() {
    ipvsadm -Sn >/tmp/r.before; cp "$STATE" /tmp/r.state 2>/dev/null || : >/tmp/r.state
    lvsdeck reconcile -f "$2" >/tmp/r.out 2>/tmp/r.err; rc=$?
    ipvsadm -Sn >/tmp/r.after; cp "$STATE" /tmp/r.state2 2>/dev/null || : >/tmp/r.state2
    if [ $rc = 1 ] && grep -q "^$3: error: " /tmp/r.err && cmp -s /tmp/r.before /tmp/r.after \
        && cmp -s /tmp/r.state /tmp/r.state2 && [ ! -s /tmp/r.out ]; then
        echo "PASS refused: $1 -> $(grep -m1 ": error: " /tmp/r.err)"
    else
        echo "FAIL refused: $1 (exit $rc)"; sed 's/^/    stderr: /' /tmp/r.err | head -8
        diff -u /tmp/r.before /tmp/r.after | sed 's/^/    /' | head -10
    fi
}

HAND="-A -t 203.0.113.50:8080 -s rr
-a -t 203.0.113.50:8080 -r 192.0.2.50:8080 -m -w 1
"

# A service made by hand before lvsdeck runs.
ipvsadm -A -t 203.0.113.50:8080 -s rr
ipvsadm -a -t 203.0.113.50:8080 -r 192.0.2.50:8080 -m -w 1

# 1. First run: the configuration's table next to the hand-made service.
check "reconcile base.conf" lvsdeck reconcile -f $F/base.conf
{ cat $F/base.expected; printf '%s' "$HAND"; } >/tmp/want.base
table_is "base.conf applied, hand-made service untouched" /tmp/want.base
lvsdeck reconcile -f $F/base.conf --dry-run >/tmp/dry 2>/tmp/dry.err
output_is "second run has nothing to do" "" /tmp/dry

# 2. Weights changed in the file: exactly those edits.
sed -e '/real_server 192.0.2.1 80/,/}/s/weight 3/weight 5/' \
    -e '/real_server 192.0.2.4 443/,/}/s/weight 2/weight 4/' $F/base.conf >/tmp/weights.conf
lvsdeck reconcile -f /tmp/weights.conf --dry-run >/tmp/dry 2>/tmp/dry.err
output_is "weights: the plan is the two edits" "-e -t 198.51.100.10:80 -r 192.0.2.1:80 -m -w 5
-e -t 198.51.100.20:443 -r 192.0.2.4:443 -g -w 4
" /tmp/dry
table_is "dry run changed nothing" /tmp/want.base
lvsdeck reconcile -f /tmp/weights.conf >/tmp/applied 2>/tmp/applied.err
output_is "weights: applied the two edits" "-e -t 198.51.100.10:80 -r 192.0.2.1:80 -m -w 5
-e -t 198.51.100.20:443 -r 192.0.2.4:443 -g -w 4
" /tmp/applied
check "each op logged as an ipvsadm line" grep -q "ipvsadm -e -t 198.51.100.20:443 -r 192.0.2.4:443 -g -w 4" /tmp/applied.err
sed -e 's/192.0.2.1:80 -m -w 3/192.0.2.1:80 -m -w 5/' -e 's/192.0.2.4:443 -g -w 2/192.0.2.4:443 -g -w 4/' \
    /tmp/want.base >/tmp/want.weights
table_is "weights applied" /tmp/want.weights

# 3. Hand changes: a real server deleted from an owned service is drift; a change to the
# hand-made service is not.
ipvsadm -d -t 198.51.100.10:80 -r 192.0.2.2:80
ipvsadm -e -t 203.0.113.50:8080 -r 192.0.2.50:8080 -m -w 9
ipvsadm -Sn >/tmp/hand.table
lvsdeck reconcile -f /tmp/weights.conf --dry-run >/tmp/dry 2>/tmp/dry.err
check "dry run reports the deleted server as drift" grep -qx \
    "# drift -t 198.51.100.10:80 -r 192.0.2.2:80: expected -a -t 198.51.100.10:80 -r 192.0.2.2:80 -m -w 1, found nothing" /tmp/dry
check "drift is the only report" test "$(grep -c '^# drift' /tmp/dry)" = 1
output_is "dry run plans the re-add only" "-a -t 198.51.100.10:80 -r 192.0.2.2:80 -m -w 1
" /tmp/dry
ipvsadm -Sn >/tmp/hand.after
check "dry run left the drift in place" cmp /tmp/hand.table /tmp/hand.after
check "reconcile re-adds it" lvsdeck reconcile -f /tmp/weights.conf
sed 's/192.0.2.50:8080 -m -w 1/192.0.2.50:8080 -m -w 9/' /tmp/want.weights >/tmp/want.drift
table_is "server re-added, hand edit of the hand-made service kept" /tmp/want.drift

# 4. A configuration with an error: named by file and line, nothing changes.
sed -e 's/weight 5/weight 8/' -e '/real_server 192.0.2.2 80/,/}/s/weight 1/weight lots/' /tmp/weights.conf >/tmp/bad.conf
line=$(grep -n 'weight lots' /tmp/bad.conf | cut -d: -f1)
refuses "weight lots" /tmp/bad.conf "/tmp/bad.conf:$line"
check "a missing file is refused" sh -c '! lvsdeck reconcile -f /tmp/nonexistent.conf'

# 5. A virtual server removed from the file: its service goes, the hand-made one stays.
sed '/^virtual_server 198.51.100.30 53/,/^}/d' /tmp/weights.conf >/tmp/dropped.conf
lvsdeck reconcile -f /tmp/dropped.conf >/tmp/applied 2>/tmp/applied.err
output_is "dropped virtual server: one delete" "-D -u 198.51.100.30:53
" /tmp/applied
grep -v ' 198.51.100.30:53 ' /tmp/want.drift >/tmp/want.dropped
table_is "dropped virtual server deleted" /tmp/want.dropped

# 6. The seeds. Those with errors are refused as they are; their virtual servers alone, and
# keepalived's own virtual_server_group sample, give the table keepalived would create
# (every real server in at its weight, sorry servers out, before any check has run).
ipvsadm -C; rm -f $STATE
refuses "seed-000 as written" $F/seed-000-lvs-devel.conf "$F/seed-000-lvs-devel.conf:15"
refuses "seed-003 lvs-dr as written" $F/seed-003-lvs-dr-master.conf "$F/seed-003-lvs-dr-master.conf:23"
for s in seed-000-virtual-servers seed-003-lvs-dr-virtual-servers sample-virtual-server-group; do
    ipvsadm -C; rm -f $STATE
    check "reconcile $s" lvsdeck reconcile -f $F/$s.conf
    table_is "$s as keepalived builds it" $F/$s.expected
    lvsdeck reconcile -f $F/$s.conf --dry-run >/tmp/dry 2>/tmp/dry.err
    output_is "$s: second run has nothing to do" "" /tmp/dry
done
