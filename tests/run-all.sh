#!/usr/bin/env bash
# The whole test suite, from a fresh Debian/Ubuntu machine with a Rust toolchain: installs the
# Debian packages the tests use, then runs every test, the lab's real-kernel tests included.
# This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(qemu-system-x86 busybox-static ipvsadm kmod cpio keepalived tmux iproute2 openssl nftables man-db systemd openssh-server openssh-client prometheus prometheus-node-exporter curl)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "run-all: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Style gates first: they are cheap and catch what review would.
cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings

# tests/lab_netlink.rs runs the netlink_smoke example inside the lab VM: `cargo test` builds
# examples only as test harnesses, so build the plain binaries first.
cargo build --examples --locked

# Unit, property and real-kernel lab tests (the lab boots qemu; see README).
cargo test --all-targets --locked --no-fail-fast 2>&1
