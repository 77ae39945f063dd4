#!/bin/sh
# Seeds the lab director with a demo table served by busybox httpd on loopback, and starts a
# bounded traffic generator (at most 2 hours, about 5 requests a second) so counters move.
mkdir -p /srv/www
echo "lvsdeck lab real server" > /srv/www/index.html
dd if=/dev/zero of=/srv/www/big bs=1k count=64 2>/dev/null
for p in 8080 8081 8082 8083 8084; do httpd -p 127.0.0.1:$p -h /srv/www; done
httpd -p '[::1]:8080' -h /srv/www 2>/dev/null
ip addr add 198.51.100.10/32 dev lo
ip addr add 198.51.100.20/32 dev lo
ip -6 addr add 2001:db8::10/128 dev lo nodad 2>/dev/null
ipvsadm -A -t 198.51.100.10:80 -s wlc
ipvsadm -a -t 198.51.100.10:80 -r 127.0.0.1:8080 -m -w 3
ipvsadm -a -t 198.51.100.10:80 -r 127.0.0.1:8081 -m -w 2
ipvsadm -a -t 198.51.100.10:80 -r 127.0.0.1:8082 -m -w 1
ipvsadm -A -t 198.51.100.20:8000 -s rr -p 300
ipvsadm -a -t 198.51.100.20:8000 -r 127.0.0.1:8083 -m
ipvsadm -a -t 198.51.100.20:8000 -r 127.0.0.1:8084 -m
ipvsadm -A -u 198.51.100.10:53 -s rr -o
ipvsadm -a -u 198.51.100.10:53 -r 192.0.2.53:53 -g -w 1
ipvsadm -a -u 198.51.100.10:53 -r 192.0.2.54:53 -g -w 0
ipvsadm -A -f 7 -s sh -b sh-port
ipvsadm -a -f 7 -r 192.0.2.71 -g -w 5
ipvsadm -a -f 7 -r 192.0.2.72 -i -w 5
ipvsadm -A -t '[2001:db8::10]:80' -s lc
ipvsadm -a -t '[2001:db8::10]:80' -r '[::1]:8080' -m
(
    i=0
    while [ $i -lt 36000 ]; do
        wget -q -O /dev/null http://198.51.100.10/ 2>/dev/null
        wget -q -O /dev/null http://198.51.100.10/big 2>/dev/null
        wget -q -O /dev/null http://198.51.100.20:8000/ 2>/dev/null
        [ $((i % 4)) = 0 ] && wget -q -O /dev/null 'http://[2001:db8::10]/' 2>/dev/null
        i=$((i + 1))
        usleep 200000
    done
) </dev/null >/dev/null 2>&1 &
