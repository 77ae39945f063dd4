# `lvsdeck serve --stdio` on the real kernel: the stream carries the table, the sync daemon
# and the connections by origin; an `apply` frame's ipvsadm line changes the kernel through
# the one client, is answered, recorded in this director's audit log with who asked, and
# comes back as a changes frame; a line the kernel refuses changes nothing (all or nothing).
# The watching end is a fifo this script writes frames into.

check() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; fi; }
ip addr add 198.51.100.10/32 dev lo
mkdir -p /srv/www; echo ok >/srv/www/index.html
httpd -p 127.0.0.1:8080 -h /srv/www
lvsdeck adm -A -t 198.51.100.10:80 -s rr
lvsdeck adm -a -t 198.51.100.10:80 -r 127.0.0.1:8080 -m -w 1
ip link set lo multicast on 2>/dev/null
if lvsdeck adm --start-daemon master --mcast-interface lo --syncid 7 2>/tmp/sd.err; then sync=1; else
    sync=0; echo "INFO sync daemon not started on lo: $(cat /tmp/sd.err)"; fi

mkfifo /tmp/in
lvsdeck serve --stdio --interval 0.5 --audit-log /tmp/audit.log </tmp/in >/tmp/out 2>/tmp/err &
spid=$!
exec 3>/tmp/in
echo '{"t":"hello","version":1,"from":"alice@lb1"}' >&3
sleep 2
check "hello first" "head -1 /tmp/out | grep -q '\"t\":\"hello\"'"
check "snapshot has the service and its server" \
    "sed -n 2p /tmp/out | grep -q '\"svc -t 198.51.100.10:80\"' && sed -n 2p /tmp/out | grep -q -- '\"-a -t 198.51.100.10:80 -r 127.0.0.1:8080 -m -w 1\"'"
[ $sync = 1 ] && check "snapshot has the sync daemon" "sed -n 2p /tmp/out | grep -q '\"sync master\".*\"syncid\":7'"
check "the daemon's absence is said" "sed -n 2p /tmp/out | grep -q 'daemon: none answers'"

# A connection through the VIP: counted as local in the next frames.
wget -q -O /dev/null http://198.51.100.10/
sleep 2
check "connections by origin (local)" "grep -q '\"local\":[1-9]' /tmp/out"

echo '{"t":"apply","id":1,"lines":["-e -t 198.51.100.10:80 -r 127.0.0.1:8080 -m -w 3"]}' >&3
sleep 2
check "apply answered done" "grep '\"t\":\"reply\",\"id\":1' /tmp/out | grep -q '\"reply\":\"done\"'"
check "the kernel has the new weight" "ipvsadm -Sn | grep -q -- '-r 127.0.0.1:8080 -m -w 3'"
check "a changes frame carries it" "grep '\"t\":\"changes\"' /tmp/out | grep -q -- '-r 127.0.0.1:8080 -m -w 3'"
check "audit names who asked" "grep -q '^# .* alice@lb1 via lvsdeck serve as ' /tmp/audit.log"
check "audit has the replayable line" "grep -qx -- '-e -t 198.51.100.10:80 -r 127.0.0.1:8080 -m -w 3' /tmp/audit.log"

# All or nothing: the second line is refused by the kernel, the first is rolled back.
echo '{"t":"apply","id":2,"lines":["-e -t 198.51.100.10:80 -r 127.0.0.1:8080 -m -w 9","-a -t 198.51.100.99:80 -r 127.0.0.1:8080"]}' >&3
sleep 2
check "a refused line is an error reply" "grep '\"t\":\"reply\",\"id\":2' /tmp/out | grep -q '\"reply\":\"error\"'"
check "nothing of it stayed" "ipvsadm -Sn | grep -q -- '-r 127.0.0.1:8080 -m -w 3'"
check "not in the audit log" "! grep -q -- '-w 9' /tmp/audit.log"
check "sequence numbers follow" "grep -o '\"seq\":[0-9]*' /tmp/out | cut -d: -f2 | awk 'NR > 1 && \$1 != p + 1 { bad = 1 } { p = \$1 } END { exit bad }'"

exec 3>&-
n=0; while kill -0 $spid 2>/dev/null && [ $n -lt 50 ]; do usleep 100000; n=$((n + 1)); done
check "serve ends with its input" "! kill -0 $spid 2>/dev/null"
[ -s /tmp/err ] && sed 's/^/INFO serve stderr: /' /tmp/err | head -5
true
