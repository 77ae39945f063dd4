# lvsdeck and keepalived 2.2.7 as a director pair, each with `lvs_sync_daemon eth0 VI_1 id 7`:
# A is lvsdeck (priority 150), B is keepalived with the same B.conf the lvsdeck pair uses.
# Long-lived connections keep flowing from lvsdeck to keepalived (the give-up drill and a
# SIGKILL of A's daemon) and back from keepalived to lvsdeck (A preempts at failback);
# keepalived's kernel sync daemon follows its VRRP state (backup, master, backup again).
ROUNDS=${ROUNDS:-2}
rm -f /tmp/figures.*
[ -x /opt/bin/keepalived ] || { echo "FAIL keepalived is not in the VM (--file /usr/sbin/keepalived)"; exit 1; }

# B becomes keepalived: its lvsdeck daemon and the hand-started sync daemons go first.
stop B; stop_sync B
start_keepalived B /lab/pair/B.conf
b_ready() { [ "$(at B lvsdeck adm -Sn 2>/dev/null | grep -c '^-a')" = 4 ] && at B lvsdeck adm -L --daemon | grep -q '^backup'; }
wait_until 20 b_ready && echo "PASS keepalived as B: its checker filled the table, its backup sync daemon runs" \
    || { echo "FAIL keepalived as B did not come up"; tail -20 $LOG/B.log | sed 's/^/    /'; }
check 15 && echo "PASS lvsdeck A is master beside keepalived B" || echo "FAIL A is not master ($(holder))"

# While keepalived is master its kernel daemon is the master one.
b_sync_master() {
    n=0; while [ $n -lt 30 ]; do at B lvsdeck adm -L --daemon | grep -q '^master' && break; usleep 100000; n=$((n + 1)); done
    at B lvsdeck adm -L --daemon | grep -q '^master' \
        && echo "PASS $NAME: keepalived switched to the master sync daemon as it took over" \
        || { echo "FAIL $NAME: keepalived's sync daemon: $(at B lvsdeck adm -L --daemon)"; }
}
AFTER_TAKEOVER=b_sync_master
i=1
while [ $i -le $ROUNDS ]; do
    round ka-giveup$i giveup kept
    round ka-kill$i kill kept
    usleep 500000
    at B lvsdeck adm -L --daemon | grep -q '^backup' \
        && echo "PASS round $i: keepalived back on the backup sync daemon after the failback" \
        || echo "FAIL round $i: keepalived's sync daemon after the failback: $(at B lvsdeck adm -L --daemon)"
    i=$((i + 1))
done
figures giveup $SKEW_MS
figures kill $MDI_MS
back=$(awk '{ s += $1; n++ } END { print s + 0, "of", n * '$FLOWS' }' /tmp/figures.back)
echo "FIGURE failback keepalived -> lvsdeck (preemption): connections kept $back"
stop B
