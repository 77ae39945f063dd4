# The director pair keeps long-lived connections through failovers when it syncs them, and
# loses them when it does not (so this test can fail). ROUNDS rounds of each drill on the
# master A, each with fresh flows from the client through the VIP (4 connections, a line
# every 50 ms): the give-up (B takes over after Skew_Time) and a SIGKILL of A's daemon (B
# takes over after Master_Down_Interval), then the failback to A; the timeline of each
# takeover from B's namespace. Then the same drills with lvs_sync_daemon taken out of both
# files: every connection breaks. Figures: median and max per drill.
ROUNDS=${ROUNDS:-5}
rm -f /tmp/figures.*

i=1
while [ $i -le $ROUNDS ]; do round giveup$i giveup kept; i=$((i + 1)); done
i=1
while [ $i -le $ROUNDS ]; do round kill$i kill kept; i=$((i + 1)); done
figures giveup $SKEW_MS
figures kill $MDI_MS
back=$(awk '{ s += $1; n++ } END { print s + 0, "of", n * '$FLOWS' }' /tmp/figures.back)
echo "FIGURE failback to A (preemption): connections kept $back"

# A plain SIGTERM of the master's daemon (a package upgrade, systemctl stop): it hands over
# (priority 0, VIPs removed) before it releases its virtual servers, so the flows go on
# through B.
round sigterm term kept

# Without sync: both directors again from their files minus lvs_sync_daemon, the kernel's
# sync daemons stopped.
stop A; stop B
stop_sync A; stop_sync B
NO_SYNC=1
start_director A; start_director B
check 20 && echo "PASS without sync: the pair is up again" || echo "FAIL without sync: the pair did not come up ($(holder))"
at A lvsdeck adm -L --daemon | grep -q . && echo "FAIL without sync: A still runs a sync daemon" || echo "PASS without sync: no sync daemon on A"
round nosync-giveup giveup broken
round nosync-kill kill broken
