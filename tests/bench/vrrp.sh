#!/bin/sh
# VRRP takeover benchmark: lvsdeck and keepalived 2.2.7 in two network namespaces (root).
# Prints median and max per direction and event, against the RFC bounds.
# VRRP_BENCH_ROUNDS=N (default 5).
# Run of 2026-11-21 (release, 5 rounds, 2 shared cores at load ~5), median/max in ms,
# measured from the backup's receive of the last advert (kill) / the priority-0 advert (term):
#   lvsdeck->keepalived   SIGKILL 3619/3624  SIGTERM 619/625
#   keepalived->lvsdeck   SIGKILL 3618/3630  SIGTERM 618/632
#   keepalived->keepalived SIGKILL 3620/3627 SIGTERM 620/658
# Bounds: Master_Down_Interval 3609 + 20, Skew_Time 609 + 20.
set -eu
cd "$(dirname "$0")/../.."
exec timeout 900 cargo test --release --test vrrp_interop takeover_bench -- --ignored --nocapture --test-threads 1
