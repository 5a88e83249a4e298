#!/usr/bin/env bash
# Builds the tsysdig eBPF probe: probe/build/tsysdig.bpf.o (CO-RE, BTF-based).
# Idempotent: generates probe/build/vmlinux.h once, recompiles only when a
# source is newer than the object. Exits non-zero with a one-line reason
# when the toolchain or kernel BTF is missing.
set -euo pipefail
cd "$(dirname "$0")"

say() { printf 'probe build: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

CLANG=${CLANG:-clang}
BPFTOOL=${BPFTOOL:-}
BTF=${TSYSDIG_BTF:-/sys/kernel/btf/vmlinux}
OUT=build
OBJ=$OUT/tsysdig.bpf.o
SRCS=(tsysdig.bpf.c tsysdig.h build.sh)

need_tools() {
  command -v "$CLANG" >/dev/null 2>&1 || die "clang not found (apt-get install clang llvm)"
  if [ -z "$BPFTOOL" ]; then
    for c in bpftool /usr/sbin/bpftool /usr/local/sbin/bpftool; do
      if command -v "$c" >/dev/null 2>&1; then BPFTOOL=$(command -v "$c"); break; fi
    done
  fi
  [ -n "$BPFTOOL" ] || die "bpftool not found (apt-get install bpftool)"
  [ -f /usr/include/bpf/bpf_helpers.h ] || die "libbpf headers not found (apt-get install libbpf-dev)"
  [ -r "$BTF" ] || die "kernel BTF not found at $BTF (needs a kernel built with CONFIG_DEBUG_INFO_BTF=y)"
}

# Up to date? Then there is nothing to do (and no tool is needed).
stale=0
[ -f "$OBJ" ] && [ -s "$OUT/vmlinux.h" ] || stale=1
if [ "$stale" = 0 ]; then
  for s in "${SRCS[@]}" "$OUT/vmlinux.h"; do
    [ "$s" -nt "$OBJ" ] && stale=1
  done
fi
[ "$stale" = 0 ] && exit 0

need_tools
mkdir -p "$OUT"

# vmlinux.h: all kernel types, from the running kernel's BTF.
if [ ! -s "$OUT/vmlinux.h" ]; then
  say "generating $OUT/vmlinux.h from $BTF"
  "$BPFTOOL" btf dump file "$BTF" format c > "$OUT/vmlinux.h.tmp" || { rm -f "$OUT/vmlinux.h.tmp"; die "bpftool btf dump failed"; }
  mv "$OUT/vmlinux.h.tmp" "$OUT/vmlinux.h"
fi

say "compiling $OBJ"
"$CLANG" -O2 -g -target bpf -D__TARGET_ARCH_x86 \
  -Wall -Wno-unused-function -Werror=implicit-function-declaration \
  -I"$OUT" -I. \
  -c tsysdig.bpf.c -o "$OBJ.tmp" || { rm -f "$OBJ.tmp"; die "clang failed to compile tsysdig.bpf.c"; }
mv "$OBJ.tmp" "$OBJ"
say "built $OBJ"
