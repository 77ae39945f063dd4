#!/bin/sh
# VRRP takeover benchmark: lvsdeck and keepalived 2.2.7 in two network namespaces (root).
# Prints median and max per direction and event, against the RFC bounds.
# VRRP_BENCH_ROUNDS=N (default 5).
# Runs of 2026-11-21 (release, 5 rounds, 2 shared cores): see the README's table.
# Bounds: Master_Down_Interval 3609 + 20, Skew_Time 609 + 20.
set -eu
cd "$(dirname "$0")/../.."
exec timeout 900 cargo test --release --test vrrp_interop takeover_bench -- --ignored --nocapture --test-threads 1
