#!/usr/bin/env bash
# Regenerates the field goldens in test/golden/fields/ from Debian's sysdig 0.29.3
# (all captures, or only those given as arguments).
# The goldens are checked in, so the test suite needs no sysdig; rerun this when
# adding a fixture, a field to FIELDS or a filter to FILTERS. Times are in UTC.
#
#  <fixture>.txt          for every field in FIELDS: "== FIELD", then "EVTNUM<TAB>TEXT"
#                         lines, one for the first event and one for each change
#                         (sysdig -D, so internal events such as procinfo are included);
#  <fixture>.filters.txt  for every filter in FILTERS: "== FILTER", then the numbers of
#                         the events it accepts (sysdig -d: filtering after parsing).
#  synthetic/             the same for synthetic/*.scap, a capture written by
#                         test/fields/synthetic-capture.ts (rebuild it with
#                         UPDATE_SYNTHETIC=1 npx vitest run test/fields/synthetic.test.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sysdig >/dev/null || { echo "make-field-goldens: needs sysdig (apt-get install sysdig)" >&2; exit 1; }
sysdig --version | grep -q '0.29.3' || echo "make-field-goldens: warning: reference is sysdig 0.29.3, found $(sysdig --version)" >&2
export TZ=UTC
dir=test/golden/fields
# The real captures, and the synthetic one (built by test/fields/synthetic-capture.ts; its goldens sit beside it).
captures=("$@")
[[ ${#captures[@]} -eq 0 ]] && captures=(test/fixtures/*.scap "$dir"/synthetic/*.scap)
for f in "${captures[@]}"; do
  b=$(basename "$f" .scap)
  odir=$dir
  [[ "$f" == "$dir"/synthetic/* ]] && odir=$dir/synthetic
  out="$odir/$b.txt"
  : > "$out.tmp"
  while IFS= read -r field; do
    [[ -z "$field" || "$field" == \#* ]] && continue
    printf '== %s\n' "$field" >> "$out.tmp"
    if ! sysdig -D -r "$f" -p "*@@%evt.num %$field" > "$out.raw" 2> "$out.err"; then
      echo "make-field-goldens: sysdig fails on $b with field $field: $(grep -v '^[0-9][0-9]-[0-9][0-9] ' "$out.err" | head -3)" >&2
      rm -f "$out.raw" "$out.err"
      exit 1
    fi
    node scripts/field-golden-encode.mjs < "$out.raw" >> "$out.tmp"
    rm -f "$out.raw" "$out.err"
  done < "$dir/FIELDS"
  mv "$out.tmp" "$out"
  out="$odir/$b.filters.txt"
  : > "$out.tmp"
  while IFS= read -r filter; do
    [[ -z "$filter" || "$filter" == \#* ]] && continue
    printf '== %s\n' "$filter" >> "$out.tmp"
    if ! sysdig -d -r "$f" -p "%evt.num" "$filter" > "$out.nums" 2> "$out.err"; then
      echo "make-field-goldens: sysdig rejects filter '$filter': $(cat "$out.err")" >&2
      rm -f "$out.nums" "$out.err"
      exit 1
    fi
    tr '\n' ' ' < "$out.nums" | sed 's/ $//' >> "$out.tmp"
    printf '\n' >> "$out.tmp"
    rm -f "$out.nums" "$out.err"
  done < "$dir/FILTERS"
  mv "$out.tmp" "$out"
done
echo "field goldens written to $dir/"
