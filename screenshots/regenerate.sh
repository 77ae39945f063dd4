#!/usr/bin/env bash
# Regenerates the PNGs in this folder from a real run of the console: `lvsdeck lab` (real
# kernel IPVS, the demo table with live traffic) in tmux, keys sent as a person types them,
# each screen captured with its colours (capture-pane -e), laid out cell by cell (render.py,
# pyte) and converted to PNG (rsvg-convert).
set -euo pipefail
cd "$(dirname "$0")/.."
COLS=${COLS:-150} ROWS=${ROWS:-42}

need=()
command -v tmux >/dev/null || need+=(tmux)
command -v rsvg-convert >/dev/null || need+=(librsvg2-bin)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
python3 -c 'import pyte' 2>/dev/null || python3 -m pip install -q pyte

cargo build --release --locked --bin lvsdeck
sock="lvsdeck-shots-$$"
tmp=$(mktemp -d)
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

t() { tmux -L "$sock" "$@"; }
screen() { t capture-pane -p -t shots; }
wait_for() { # wait_for TEXT SECONDS
  for _ in $(seq $(( $2 * 2 ))); do screen | grep -qF -- "$1" && return 0; sleep 0.5; done
  echo "regenerate: timed out waiting for '$1'; screen:" >&2; screen >&2; return 1
}
keys() { t send-keys -t shots "$@"; sleep 1.5; }
shot() { # shot NAME: the current screen as screenshots/NAME.png
  t capture-pane -p -e -t shots >"$tmp/$1.ans"
  python3 screenshots/render.py "$tmp/$1.ans" "$COLS" "$ROWS" "$tmp/$1.svg"
  rsvg-convert "$tmp/$1.svg" -o "screenshots/$1.png"
  echo "screenshots/$1.png"
}

t new-session -d -s shots -x "$COLS" -y "$ROWS" "./target/release/lvsdeck lab"
# The lab opens the console on the demo director (older labs: a shell, then start it).
started=""
for _ in $(seq 240); do
  s=$(screen)
  grep -qF "VRRP" <<<"$s" && break
  if [ -z "$started" ] && grep -qF "director:~#" <<<"$s"; then keys "lvsdeck" Enter; started=1; fi
  sleep 0.5
done
wait_for "VRRP" 60
sleep 8 # let the traffic generator move counters and rates over a few refreshes
shot console-main
keys x; shot console-exact; keys x
keys / ; keys "fwd=masq weight>1" ; keys Enter; shot console-filter; keys Escape
keys '?'; shot console-help; keys Escape
# The detail view of the busiest service's first real server, then the connection table.
keys j; keys j; keys Enter; sleep 3; shot console-detail; keys Escape
keys c; sleep 4; shot console-connections; keys Escape
# A drain: weight 0 with the counters falling beside the elapsed time.
keys d; sleep 5; shot console-drain
if [ -n "${EXTRA_SHOTS:-}" ]; then eval "$EXTRA_SHOTS"; fi
keys q
sleep 1
t send-keys -t shots "poweroff -f" Enter
