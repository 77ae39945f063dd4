# Writing: changes made by `lvsdeck adm` leave the kernel exactly as ipvsadm's do.

modprobe dummy; ip link add sync0 type dummy; ip link set sync0 up multicast on
cat >/tmp/basic <<'X'
-A -t 198.51.100.10:80 -s wlc
-a -t 198.51.100.10:80 -r 192.0.2.1:8080 -m -w 3
-a -t 198.51.100.10:80 -r 192.0.2.2:8080 -m -w 0 -x 50 -y 10
-a -t 198.51.100.10:80 -r 192.0.2.3 -g
-A -t 198.51.100.10:443 -s rr -p
-a -t 198.51.100.10:443 -r 192.0.2.1:443 -g -w 2
-A -u 198.51.100.10:53 -s sh -b sh-fallback -o
-a -u 198.51.100.10:53 -r 192.0.2.53:53 -i -w 4
-A --sctp-service 198.51.100.10:3868 -s wrr -p 100 -M 255.255.0.0
-A -f 10 -s lblc -p 1
-a -f 10 -r 192.0.2.9 -i --tun-type gue --tun-port 5555 --tun-remcsum
-a -f 10 -r 192.0.2.10 -i --tun-type gre --tun-csum
-A -f 11 -6 -s mh -b mh-fallback,mh-port
-a -f 11 -6 -r [2001:db8::11]:0 -g
-A -t [2001:db8::1]:80 -s wlc -p 300 -M 96
-a -t [2001:db8::1]:80 -r [2001:db8::2]:80 -g -w 65535
-a -t [2001:db8::1]:80 -r 192.0.2.77:80 -i
-A -u 198.51.100.20:5060 -s rr -p 30 --pe sip
-A -t 203.0.113.5:0 -s lc -p 10
X
writes_alike "adds of every kind" /tmp/basic

cat >/tmp/edits <<'X'
-A -t 198.51.100.10:80 -s wlc
-a -t 198.51.100.10:80 -r 192.0.2.1:8080 -m -w 3
-a -t 198.51.100.10:80 -r 192.0.2.2:8080 -m
-E -t 198.51.100.10:80 -s rr -p 60
-e -t 198.51.100.10:80 -r 192.0.2.1:8080 -m -w 0 -x 9 -y 2
-e -t 198.51.100.10:80 -r 192.0.2.2:8080 -m -w 7
-A -f 3 -s wlc
-a -f 3 -r 192.0.2.30 -g
-E -f 3 -s sh -b sh-port
-e -f 3 -r 192.0.2.30 -i --tun-type gue --tun-port 7000 --tun-csum
-d -t 198.51.100.10:80 -r 192.0.2.2:8080
-A -t 198.51.100.11:80
-D -t 198.51.100.11:80
--add-service --tcp-service 198.51.100.12:80 --scheduler wrr --persistent 90
--add-server --tcp-service 198.51.100.12:80 --real-server 192.0.2.5:80 --masquerading --weight 4
--edit-server --tcp-service 198.51.100.12:80 --real-server 192.0.2.5:80 --masquerading --weight 5
X
writes_alike "edits and deletes" /tmp/edits

# Restore: the same file through -R.
ipvsadm -C; ipvsadm -R </tmp/basic; ipvsadm -Sn >/tmp/w.save
ipvsadm -C; $LVS -R </tmp/basic; ipvsadm -Sn >/tmp/g.save
check "restore -R equals ipvsadm -R" cmp /tmp/w.save /tmp/g.save
# A save from lvsdeck restores through ipvsadm to the same table.
$LVS -Sn >/tmp/l.save; ipvsadm -C; ipvsadm -R </tmp/l.save; ipvsadm -Sn >/tmp/g2.save
check "lvsdeck -Sn restores through ipvsadm" cmp /tmp/w.save /tmp/g2.save
# --save-thresholds keeps -x/-y and ipvsadm -R accepts it.
ipvsadm -C; ipvsadm -R </tmp/basic; ipvsadm -Ln --thresholds >/tmp/t.before
$LVS -Sn --save-thresholds >/tmp/t.save
ipvsadm -C; ipvsadm -R </tmp/t.save; ipvsadm -Ln --thresholds >/tmp/t.after
check "save-thresholds keeps thresholds through ipvsadm -R" cmp /tmp/t.before /tmp/t.after
check "thresholds were there to keep" grep -q " 50 *10 " /tmp/t.before
# A bad line in the middle of a restore: ipvsadm stops there; we refuse the whole input.
ipvsadm -C
printf -- '-A -t 198.51.100.30:80\n-a -t 198.51.100.30:80 -r 192.0.2.1 -w abc\n' >/tmp/bad
$LVS -R </tmp/bad 2>/tmp/bad.err; rc=$?
check "bad restore exits non-zero" [ $rc -ne 0 ]
check "bad restore names line 2" grep -q "line 2" /tmp/bad.err
check "bad restore changes nothing" [ -z "$(ipvsadm -Sn)" ]

# Zero: counters cleared per service and globally.
start_http 8081 8082
ip addr add 198.51.100.40/32 dev lo
ipvsadm -A -t 198.51.100.40:81 -s rr; ipvsadm -a -t 198.51.100.40:81 -r 127.0.0.1:8081 -m
ipvsadm -A -t 198.51.100.40:82 -s rr; ipvsadm -a -t 198.51.100.40:82 -r 127.0.0.1:8082 -m
traffic http://198.51.100.40:81/ 5; traffic http://198.51.100.40:82/ 5; sleep 3
ipvsadm -Ln --stats --exact >/tmp/z0
# Rows: "TCP  addr conns ..." and "  -> addr conns ...": the connection count is field 3.
check "traffic counted before zero" sh -c "cat /tmp/z0; awk 'NR>3 {n++; if (\$3 == 0) bad=1} END {exit bad || n != 4}' /tmp/z0"
$LVS -Z -t 198.51.100.40:81
check "zero one service" sh -c "ipvsadm -Ln --stats --exact -t 198.51.100.40:81 | awk 'NR>2 {n++; if (\$3 != 0) bad=1} END {exit bad || n != 2}'"
check "other service kept its counters" sh -c "ipvsadm -Ln --stats --exact -t 198.51.100.40:82 | awk 'NR>2 {n++; if (\$3 == 0) bad=1} END {exit bad || n != 2}'"
$LVS -Z
check "zero all" sh -c "ipvsadm -Ln --stats --exact | awk 'NR>3 {n++; if (\$3 != 0) bad=1} END {exit bad || n != 4}'"

# Timeouts.
$LVS --set 1234 56 789
check "set timeouts" sh -c "ipvsadm -L --timeout | grep -q 'Timeout (tcp tcpfin udp): 1234 56 789'"
$LVS --set 0 0 0
check "zero timeouts leave them unchanged" sh -c "ipvsadm -L --timeout | grep -q '1234 56 789'"

# Sync daemons.
$LVS --start-daemon master --mcast-interface sync0 --syncid 9
$LVS --start-daemon backup --mcast-interface sync0 --syncid 10 --mcast-group 239.9.9.9 --mcast-port 9999 --mcast-ttl 3 --sync-maxlen 1300
ipvsadm -L --daemon >/tmp/d.list; cat /tmp/d.list | sed 's/^/    daemons: /'
check "start master daemon" grep -q "master sync daemon (mcast=sync0, syncid=9" /tmp/d.list
check "start backup daemon" grep -q "backup sync daemon (mcast=sync0, syncid=10" /tmp/d.list
$LVS --stop-daemon master
check "stop master daemon" sh -c "! ipvsadm -L --daemon | grep -q master"
$LVS --stop-daemon backup
check "stop backup daemon" [ -z "$(ipvsadm -L --daemon)" ]

# Clear.
$LVS -C
check "clear" [ -z "$(ipvsadm -Sn)" ]

# What ipvsadm 1.31 accepts although one might expect a refusal: lvsdeck accepts it too.
cat >/tmp/lenient <<'X'
-A -t 198.51.100.50:80 -M 255.255.255.0
-a -t 198.51.100.50:80 -r 192.0.2.2 -w 65536
X
writes_alike "lenient like ipvsadm" /tmp/lenient
