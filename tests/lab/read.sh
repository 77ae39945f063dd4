# Reading: every listing form of `lvsdeck adm` against ipvsadm 1.31 on the same kernel table.

same -Ln                      # empty table
modprobe dummy; ip link add sync0 type dummy; ip link set sync0 up multicast on
start_http 8080 8081 8082
ip addr add 198.51.100.10/32 dev lo; ip addr add 198.51.100.11/32 dev lo
ipvsadm -A -t 198.51.100.10:80 -s wlc
ipvsadm -a -t 198.51.100.10:80 -r 127.0.0.1:8080 -m -w 3 -x 1000 -y 100
ipvsadm -a -t 198.51.100.10:80 -r 127.0.0.1:8081 -m -w 0
ipvsadm -A -t 198.51.100.11:80 -s rr -p 600 -M 255.255.255.0
ipvsadm -a -t 198.51.100.11:80 -r 127.0.0.1:8082 -m -w 65535
ipvsadm -A -t 200.0.0.1:443 -s sh -b sh-fallback,sh-port
ipvsadm -a -t 200.0.0.1:443 -r 192.0.2.1 -g
ipvsadm -a -t 200.0.0.1:443 -r 192.0.2.2 -i --tun-type gue --tun-port 6080 --tun-csum
ipvsadm -a -t 200.0.0.1:443 -r 192.0.2.3 -i --tun-type gre --tun-nocsum
ipvsadm -a -t 200.0.0.1:443 -r 192.0.2.4 -i
ipvsadm -A -t 203.0.113.80:80 -s lc
ipvsadm -a -t 203.0.113.80:80 -r 192.0.2.200:8080 -m
ipvsadm -a -t 203.0.113.80:80 -r 192.0.2.20:8080 -m
ipvsadm -A -u 198.51.100.10:53 -s rr -o
ipvsadm -a -u 198.51.100.10:53 -r 192.0.2.53 -g
ipvsadm -A -u 198.51.100.10:5060 -s mh -b mh-port -p 60 --pe sip
ipvsadm -A --sctp-service 198.51.100.12:3868 -s sed
ipvsadm -a --sctp-service 198.51.100.12:3868 -r 192.0.2.40:3868 -m -w 7
ipvsadm -A -f 7 -s wrr -p
ipvsadm -a -f 7 -r 192.0.2.71 -g -w 5
ipvsadm -a -f 7 -r 192.0.2.72:8080 -m -w 5
ipvsadm -A -f 8 -6 -s nq
ipvsadm -a -f 8 -6 -r 2001:db8::81 -g
ipvsadm -A -t [2001:db8::10]:80 -s fo -p 120 -M 64
ipvsadm -a -t [2001:db8::10]:80 -r [2001:db8::1:1]:80 -g
ipvsadm -a -t [2001:db8::10]:80 -r [2001:db8:1::abcd]:80 -g -w 9
ipvsadm -A -t [2001:db8:0:0:1:2:3:4]:8443 -s ovf
ipvsadm -A -t 203.0.113.1:0 -s dh -p 30
ipvsadm -A -t 203.0.113.2:22 -s lblc
ipvsadm -A -t 203.0.113.3:23 -s lblcr
ipvsadm --start-daemon master --mcast-interface sync0 --syncid 3
ipvsadm --start-daemon backup --mcast-interface sync0 --syncid 4 --sync-maxlen 1400 --mcast-group 239.1.2.3 --mcast-port 8849 --mcast-ttl 2
ipvsadm --set 1000 60 200

# Traffic through the masqueraded services, then let the estimator tick.
traffic http://198.51.100.10/ 30
traffic http://198.51.100.10/big 10
traffic http://198.51.100.11/ 12
sleep 3

for args in "-Ln" "-L -n" "-l -n" "-Ln --stats" "-Ln --rate" "-Ln --stats --exact" \
    "-Ln --rate --exact" "-Ln --thresholds" "-Ln --persistent-conn" "-Ln --tun-info" \
    "-Ln --nosort" "-Ln --nosort --stats" "-Ln --exact" "-Ln --stats --rate" \
    "-Ln -t 198.51.100.10:80" "-Ln -t 198.51.100.10:80 --stats" "-Ln -f 7" "-Ln -f 8 -6" \
    "-Ln -t [2001:db8::10]:80 --rate" "-Ln -u 198.51.100.10:5060" \
    "-Ln --sctp-service 198.51.100.12:3868" "-Ln --timeout" "-L --timeout" "-Ln --daemon" \
    "-L --daemon" "-Sn" "-S -n" "-Sn -t 198.51.100.10:80" \
    "-L" "-L --stats" "-S" "-Ln -t 198.51.100.99:80"; do
    # shellcheck disable=SC2086
    same $args
done

# Connections: expiry times tick between two reads, so they are compared apart from the rest.
for args in "-Lnc" "-Ln -c" "-Lnc --persistent-conn" "-Lc"; do
    # shellcheck disable=SC2086
    same_conns $args
done

# The binary behaves as `lvsdeck adm` when called through a link named ipvsadm.
ipvsadm -Ln --stats >/tmp/a; /opt/lvsdeck/ipvsadm -Ln --stats >/tmp/b
check "argv0 ipvsadm link" cmp /tmp/a /tmp/b
# -h is ipvsadm's text; only the version line (lvsdeck's own) differs.
ipvsadm -h >/tmp/h.want 2>&1; PATH=/opt/lvsdeck:$PATH ipvsadm -h >/tmp/h.got 2>&1
tail -n +2 /tmp/h.want >/tmp/h.want2; tail -n +2 /tmp/h.got >/tmp/h.got2
check "-h text after the version line" cmp /tmp/h.want2 /tmp/h.got2

# Deviation (documented in src/adm/mod.rs): ipvsadm's sort overflows on addresses more than
# 2^31 apart; lvsdeck prints the same lines in numeric order.
ipvsadm -C
ipvsadm -A -t 200.0.0.1:80 -s rr; ipvsadm -A -t 10.0.0.1:80 -s rr
ipvsadm -a -t 10.0.0.1:80 -r 192.0.2.200:8080 -m; ipvsadm -a -t 10.0.0.1:80 -r 10.9.9.9:8080 -m
ipvsadm -A -t [2001:db8::10]:80 -s rr
ipvsadm -a -t [2001:db8::10]:80 -r [2001:db8:ffff::abcd]:80 -g; ipvsadm -a -t [2001:db8::10]:80 -r [2001:db8::1:1]:80 -g
ipvsadm -Sn | sort >/tmp/s.want; $LVS -Sn >/tmp/s.got; sort /tmp/s.got >/tmp/s.gots
check "sort deviation: same lines" cmp /tmp/s.want /tmp/s.gots
check "sort deviation: numeric order" sh -c "grep -n '^-A' /tmp/s.got | head -1 | grep -q 10.0.0.1 && grep -n '^-a -t 10.0.0.1' /tmp/s.got | head -1 | grep -q 10.9.9.9 && grep '^-a -t .2001' /tmp/s.got | head -1 | grep -q '::1:1'"
