#!/usr/bin/env bash
# Records demo/tsysdig-demo.scap.gz: a few seconds of live capture on a node
# running three named containers (file, network and process work), so that
# `npm start` without root still has containers to show (see demo/README.md).
#
#   sudo bash scripts/record-demo.sh            # writes demo/tsysdig-demo.scap.gz
#   sudo bash scripts/record-demo.sh OUT.scap.gz 8   # another file / duration (s)
#   DEMO_FILTER= sudo bash scripts/record-demo.sh    # keep every event (see FILTER)
#
# Needs root, a built probe and CLI (npm run setup), docker.io and
# busybox-static. Like test/helpers/docker.ts it starts
# `dockerd --iptables=false --bridge=none` when no daemon answers and builds
# the offline image tsysdig-busybox from busybox-static when it is missing.
# Containers run with --network none; the network container talks to itself
# over 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/demo/tsysdig-demo.scap.gz}"
SECONDS_TO_RECORD="${2:-8}"
IMAGE=tsysdig-busybox
NAMES=(tsysdig-demo-files tsysdig-demo-net tsysdig-demo-procs)
# Events kept: everything but the host's test runners and tracers (a shared CI
# or dev machine is often running vitest, benchmarks or sysdig itself, which
# would swamp the demo). The process snapshot is always complete.
FILTER="${DEMO_FILTER-container.id!=host or not proc.name in (node, sysdig, csysdig, esbuild)}"

die() { echo "record-demo: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (live capture and docker)"
command -v docker >/dev/null && command -v dockerd >/dev/null || die "docker.io is not installed (apt-get install docker.io)"

ping_docker() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if ! ping_docker; then
  echo "record-demo: starting dockerd --iptables=false --bridge=none (log /tmp/tsysdig-dockerd.log)" >&2
  nohup dockerd --iptables=false --bridge=none >>/tmp/tsysdig-dockerd.log 2>&1 &
  for _ in $(seq 1 240); do ping_docker && break; sleep 0.25; done
  ping_docker || die "dockerd did not start (see /tmp/tsysdig-dockerd.log)"
fi

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  BB="$(command -v busybox || true)"
  [ -n "$BB" ] || die "busybox not found (apt-get install busybox-static)"
  ROOTFS="$(mktemp -d /tmp/tsysdig-rootfs-XXXXXX)"
  mkdir -p "$ROOTFS"/{bin,etc,proc,sys,dev,tmp,root}
  chmod 1777 "$ROOTFS/tmp"
  install -m 0755 "$BB" "$ROOTFS/bin/busybox"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOTFS/etc/passwd"
  echo 'root:x:0:' >"$ROOTFS/etc/group"
  chroot "$ROOTFS" /bin/busybox --install -s /bin
  tar -C "$ROOTFS" -c . | docker import - "$IMAGE" >/dev/null
  rm -rf "$ROOTFS"
fi

cleanup() { docker rm -f "${NAMES[@]}" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup

run() { # name script
  docker run -d --name "$1" --network none --label tsysdig.demo="$1" "$IMAGE" /bin/sh -c "$2" >/dev/null
}
# file work: append to a log, rewrite a small file, read it back
run tsysdig-demo-files 'i=0; while true; do i=$((i+1)); echo "line $i" >> /tmp/log.txt; echo "state $i" > /tmp/state.txt; cat /tmp/state.txt > /dev/null; sleep 0.1; done'
# network work: a server and a client on 127.0.0.1:9000 exchanging a line each way
run tsysdig-demo-net 'while true; do echo pong | nc -l -p 9000 > /dev/null; done & while true; do echo ping | nc -w 1 127.0.0.1 9000 > /dev/null; sleep 0.2; done'
# process work: short-lived processes
run tsysdig-demo-procs 'while true; do /bin/true; /bin/date > /dev/null; /bin/ls / > /dev/null; sleep 0.2; done'
sleep 1  # let the loops get going

mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
RAW=$(mktemp /tmp/tsysdig-demo-raw.XXXXXX.scap)
node "$ROOT/bin/tsysdig.js" -w "$RAW" -M "$SECONDS_TO_RECORD" ${FILTER:+"$FILTER"}
# Keep only the containers and their runtime: nothing else of this machine goes into the shared file.
node "$ROOT/scripts/demo-sanitize.mjs" "$RAW" "$OUT"
rm -f "$RAW"
chmod 0644 "$OUT"  # checked in: readable by everyone (tsysdig writes captures 0600)
[ "$OUT" = "$ROOT/demo/tsysdig-demo.scap.gz" ] || { echo "record-demo: wrote $OUT ($(du -h "$OUT" | cut -f1))" >&2; exit 0; }
echo "record-demo: wrote $OUT ($(du -h "$OUT" | cut -f1)) with containers: ${NAMES[*]}" >&2

# The demo's csysdig reference for test/containers/e2e-pc.test.ts follows the file.
if command -v csysdig >/dev/null; then
  TZ=UTC csysdig -pc --raw -r "$OUT" -v procs >"$ROOT/test/golden/views/pc/tsysdig-demo.procs.txt"
  echo "record-demo: updated test/golden/views/pc/tsysdig-demo.procs.txt (csysdig -pc)" >&2
else
  echo "record-demo: csysdig not found: regenerate test/golden/views/pc/tsysdig-demo.procs.txt elsewhere (see demo/README.md)" >&2
fi
