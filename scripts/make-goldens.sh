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
echo "goldens written to test/golden/"
