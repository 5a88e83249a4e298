#!/bin/bash
# Live memory soak (issue 15 item 14): a fork loop (`while :; do /bin/true; done`)
# runs beside a live tsysdig, and the tsysdig process's resident set (VmRSS,
# main thread and live worker together) is sampled every few seconds.
#
#   scripts/soak.sh [--ui] [--seconds N] [--every S] [-- EXTRA TSYSDIG ARGS]
#
#   default   node bin/tsysdig.js --raw -v procs -M N   (the whole-run table)
#   --ui      the full-screen monitor (-v procs) in a detached tmux session,
#             quit with q after N seconds
#
# Prints one line per sample (seconds, VmRSS in MB) and a summary: RSS at
# the first minute and at the end, and the growth between them. Needs root
# (live capture). Run it on a quiet machine: a busy one drops events and the
# figures say more about the load than about tsysdig.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
mode=raw
seconds=600
every=10
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ui) mode=ui ;;
    --seconds) seconds=$2; shift ;;
    --every) every=$2; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "soak: unknown argument $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$(id -u)" != 0 ]; then echo "soak: live capture needs root" >&2; exit 2; fi

tmp=$(mktemp -d)
loop=
session=
pid=
cleanup() {
  [ -n "$loop" ] && kill "$loop" 2>/dev/null || true
  [ -n "$session" ] && tmux kill-session -t "$session" 2>/dev/null || true
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

(while :; do /bin/true; done) &
loop=$!

if [ "$mode" = raw ]; then
  node "$here/bin/tsysdig.js" --raw -v procs -M "$seconds" "${extra[@]}" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
else
  session="tsysdig-soak-$$"
  # exec: the pane runs node itself, so its pid is the one sampled
  tmux new-session -d -s "$session" -x 200 -y 50 "exec node $here/bin/tsysdig.js -v procs ${extra[*]} 2>$tmp/err"
  pid=$(tmux display-message -p -t "$session" '#{pane_pid}')
fi

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || true; }

printf 'mode %s, %d s, fork loop pid %d, tsysdig pid %d\n' "$mode" "$seconds" "$loop" "$pid"
printf '%8s %10s\n' seconds rss_mb
start=$(date +%s)
at60=
last=
while :; do
  sleep "$every"
  t=$(( $(date +%s) - start ))
  r=$(rss_mb "$pid")
  [ -z "$r" ] && break
  printf '%8d %10s\n' "$t" "$r"
  last=$r
  [ -z "$at60" ] && [ "$t" -ge 60 ] && at60=$r
  if [ "$t" -ge "$seconds" ]; then
    [ "$mode" = ui ] && tmux send-keys -t "$session" q
    break
  fi
done
[ "$mode" = raw ] && { wait "$pid" || true; pid=; }
if [ "$mode" = ui ]; then
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  pid=
fi
if [ -n "$at60" ] && [ -n "$last" ]; then
  awk -v a="$at60" -v b="$last" 'BEGIN { printf "rss at 60 s %.1f MB, at end %.1f MB, growth %+.1f MB\n", a, b, b - a }'
fi
grep -h 'dropped' "$tmp/err" || true
