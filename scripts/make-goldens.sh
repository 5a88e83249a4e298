#!/usr/bin/env bash
# Regenerates the reference outputs in test/golden/ from Debian's sysdig 0.29.3.
# The goldens are checked in, so the test suite needs no sysdig; rerun this only
# when adding a fixture. Times are rendered in UTC.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sysdig >/dev/null || { echo "make-goldens: needs sysdig (apt-get install sysdig)" >&2; exit 1; }
sysdig --version | grep -q '0.29.3' || echo "make-goldens: warning: reference is sysdig 0.29.3, found $(sysdig --version)" >&2
export TZ=UTC
for f in test/fixtures/*.scap; do
  b=$(basename "$f" .scap)
  sysdig -r "$f" > "test/golden/events/$b.txt"
  sysdig -r "$f" "evt.type=open" > "test/golden/events/$b.evt.type=open.txt"
done


# csysdig's tables for the views the acceptance compares (its last table is the whole capture).
mkdir -p test/golden/views
for f in test/fixtures/*.scap; do
  b=$(basename "$f" .scap)
  for v in procs containers connections syscalls files directories errors threads sports io_by_type procs_fd_usage; do
    csysdig --raw -r "$f" -v "$v" > "test/golden/views/$b.$v.txt"
  done
done
echo "view goldens written to test/golden/views/"
