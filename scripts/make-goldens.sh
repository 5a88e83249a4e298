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


# Event export (docs/export.md): sysdig -j and -p for every fixture, one file per
# format of test/golden/export/FORMATS; every display field in -j for the small fixtures.
mkdir -p test/golden/export
for f in test/fixtures/*.scap; do
  b=$(basename "$f" .scap)
  while IFS=$'\t' read -r name opts format; do
    case "$name" in ''|'#'*) continue ;; esac
    [ "$opts" = - ] && opts=''
    # shellcheck disable=SC2086 # OPTIONS is a list of words
    if [ -n "$format" ]; then sysdig -r "$f" $opts -p "$format"; else sysdig -r "$f" $opts; fi > "test/golden/export/$b.$name.txt"
  done < test/golden/export/FORMATS
done
json_fields="*$(grep -v '^#' test/golden/export/JSON-FIELDS | sed 's/^/%/' | tr '\n' ' ' | sed 's/ $//')"
for b in falco_cat_write falco_syscall libs_single_ipv6_conn; do
  sysdig -r "test/fixtures/$b.scap" -j -p "$json_fields" > "test/golden/export/$b.json-fields.txt"
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

# Drill-down references (test/golden/drill/CASES): the child view under the filter Enter builds.
mkdir -p test/golden/drill
while IFS=$'\t' read -r fixture parent child field value; do
  case "$fixture" in ''|'#'*) continue ;; esac
  pf=$(sed -n 's/^filter: //p' "views/$parent.yaml")
  filter="$field=$value"
  [ -n "$pf" ] && filter="($pf) and $filter"
  csysdig --raw -r "test/fixtures/$fixture.scap" -v "$child" "$filter" > "test/golden/drill/$fixture.$parent.$child.$(printf '%s' "$value" | tr -c 'A-Za-z0-9._-' '_').txt"
done < test/golden/drill/CASES
