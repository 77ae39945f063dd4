# Refusing: bad input exits non-zero with a message and changes nothing (as ipvsadm does).

ipvsadm -A -t 198.51.100.10:80 -s rr
ipvsadm -a -t 198.51.100.10:80 -r 192.0.2.1:80 -g
ipvsadm -A -u 198.51.100.10:53
refused -A -t 198.51.100.10:80 -s rr                       # exists
refused -A -t 198.51.100.11:0 -s rr                        # port 0 without persistence
refused -A -t 198.51.100.11:80 -s nosuchsched              # unknown scheduler
refused -A -t 198.51.100.11:80 -o                          # one-packet on TCP
refused -A -t 198.51.100.11:80 --pe nosuchpe -p
refused -A -t 300.1.1.1:80
refused -A -t 198.51.100.11:99999
refused -A -t 198.51.100.11
refused -A -t 198.51.100.11:80 -b sh-port -s rr            # flags not for rr
refused -E -t 198.51.100.99:80 -s rr                        # no such service
refused -D -t 198.51.100.99:80
refused -a -t 198.51.100.10:80 -r 192.0.2.1:80 -g           # exists
refused -a -t 198.51.100.10:80 -r 192.0.2.2 -w -1
refused -a -t 198.51.100.10:80 -r 192.0.2.2 -w abc
refused -a -t 198.51.100.99:80 -r 192.0.2.2                 # no such service
refused -a -t 198.51.100.10:80 -r [2001:db8::1]:80 -g       # mixed family without tunnel
refused -a -t 198.51.100.10:80 -r 192.0.2.2 -m --tun-type gue   # tunnel option without -i
refused -a -t 198.51.100.10:80 -r 192.0.2.2 -i --tun-type gue   # gue without port
refused -a -t 198.51.100.10:80 -r 192.0.2.2 -i --tun-type gre --tun-remcsum
refused -e -t 198.51.100.10:80 -r 192.0.2.9 -w 3            # no such server
refused -d -t 198.51.100.10:80 -r 192.0.2.9                 # no such server
refused -a -t 198.51.100.10:80 -r 192.0.2.2 -s rr           # option not for this command
refused -L -n --stats --thresholds -Z
refused -A -t 198.51.100.10:81 -t 198.51.100.10:82
refused --frobnicate
refused -A
refused -Q
refused --set 1 2
refused --start-daemon primary --mcast-interface lo
refused -Z -t 198.51.100.99:80
refused -A -f 0
check "table unchanged by all of the above" sh -c "[ \$(ipvsadm -Sn | wc -l) = 3 ]"
