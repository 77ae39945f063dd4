# Runs netlink_smoke in the lab VM and diffs its view of the table with ipvsadm's.
#   cargo build --example netlink_smoke
#   target/debug/lvsdeck lab --file target/debug/examples/netlink_smoke --run examples/netlink_smoke.sh
# Prints CHECK lines, COMPARE lines and ipvsadm's listings; exits non-zero on any failure.
set -u
fail=0
echo "--- populate"
netlink_smoke populate || fail=1
ipvsadm -Sn | sort > /tmp/ipvsadm.save
ipvsadm -Ln --thresholds | grep -- '->' | grep -v RemoteAddress | sort > /tmp/ipvsadm.th
echo "--- ipvsadm -Ln --thresholds"
ipvsadm -Ln --thresholds
echo "--- ipvsadm -Ln --tun-info"
ipvsadm -Ln --tun-info
echo "--- check"
netlink_smoke check > /tmp/check.out || fail=1
cat /tmp/check.out
sed -n '/^=== save ===$/,/^=== end save ===$/p' /tmp/check.out | sed '1d;$d' > /tmp/ours.save
sed -n '/^=== thresholds ===$/,/^=== end thresholds ===$/p' /tmp/check.out | sed '1d;$d' > /tmp/ours.th
if diff /tmp/ipvsadm.save /tmp/ours.save; then
  echo "COMPARE ok   ipvsadm -Sn identical ($(wc -l < /tmp/ours.save) lines)"
else echo "COMPARE FAIL ipvsadm -Sn"; fail=1; fi
if diff /tmp/ipvsadm.th /tmp/ours.th; then
  echo "COMPARE ok   ipvsadm -Ln --thresholds dest lines identical ($(wc -l < /tmp/ours.th) lines)"
else echo "COMPARE FAIL ipvsadm -Ln --thresholds"; fail=1; fi
echo "--- ipvsadm -L --timeout / --daemon (daemons still running)"
ipvsadm -L --timeout
ipvsadm -L --daemon
t=$(grep '^TIMEOUTS' /tmp/check.out | cut -d' ' -f2-)
if ipvsadm -L --timeout | grep -q "): $t\$"; then echo "COMPARE ok   timeouts $t"
else echo "COMPARE FAIL timeouts $t"; fail=1; fi
echo "--- cleanup"
netlink_smoke cleanup || fail=1
ipvsadm -Ln
echo "--- all stages in one process"
netlink_smoke all > /tmp/all.out || fail=1
grep -v "CHECK ok" /tmp/all.out | grep -v '^-[aA] \|^  -> \|^===\|^DAEMON\|^TIMEOUTS'
echo "SMOKE-RESULT $([ $fail = 0 ] && echo PASS || echo FAIL)"
exit $fail
