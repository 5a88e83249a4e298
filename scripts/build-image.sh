#!/usr/bin/env bash
# Builds the container image tsysdig:VERSION (VERSION from package.json) offline,
# with no base image: a root filesystem assembled from this machine's Debian
# packages and the project itself, imported with `docker import`.
#
#   scripts/build-image.sh            build (or reuse) tsysdig:VERSION; prints the tag
#   scripts/build-image.sh --force    rebuild even when the content is unchanged
#   IMAGE=name:tag scripts/build-image.sh    another tag
#
# The root filesystem holds only what `tsysdig --agent` and live capture need:
#   /usr/bin/node and the shared libraries `ldd` lists for it,
#   libbpf.so.1 (package libbpf1) and its libraries (libelf, libz),
#   /opt/tsysdig: bin/, dist/, views/, rules/ (when present), the built probe
#   (probe/build/tsysdig.bpf.o), package.json and the production node_modules
#   (npm ci --omit=dev from the warm cache; koffi's native module and its libraries).
# The content hash of all of that is kept in the image (ENV TSYSDIG_IMAGE_HASH):
# when it matches, the build is skipped, so repeated runs take a second.
#
# Needs: root or a docker group member, a running dockerd, node, npm, libbpf1
# (scripts/setup.sh installs it), and the project built (npm run setup).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

say() { printf 'build-image: %s\n' "$*" >&2; }
die() { printf 'build-image: %s\n' "$*" >&2; exit 1; }

FORCE=0
[ "${1:-}" = --force ] && FORCE=1

VERSION=$(node -p "require('./package.json').version")
IMAGE=${IMAGE:-tsysdig:$VERSION}

command -v docker >/dev/null || die "docker not found (apt-get install docker.io)"
docker info >/dev/null 2>&1 || die "no docker engine answers on /var/run/docker.sock"
[ -f dist/cli/main.js ] || die "dist/ not built; run npm run setup"
[ -f probe/build/tsysdig.bpf.o ] || die "probe/build/tsysdig.bpf.o missing; run bash probe/build.sh"
NODE=$(readlink -f "$(command -v node)")
LIBBPF=$(ldconfig -p | awk '/libbpf\.so\.1 .*x86-64|libbpf\.so\.1 .*aarch64/ {print $NF; exit}')
[ -n "$LIBBPF" ] || LIBBPF=$(ldconfig -p | awk '/libbpf\.so\.1 / {print $NF; exit}')
[ -n "$LIBBPF" ] && [ -e "$LIBBPF" ] || die "libbpf.so.1 not found (apt-get install libbpf1)"
LIBBPF=$(readlink -f "$LIBBPF")

# The project files that go into /opt/tsysdig.
APP_DIRS=(bin dist views probe/build/tsysdig.bpf.o)
[ -d rules ] && APP_DIRS+=(rules)

# Content hash: every file that goes into the image, plus this script.
HASH=$( {
  sha256sum "$NODE" "$LIBBPF" package.json package-lock.json "$0"
  find "${APP_DIRS[@]}" -type f -print0 | sort -z | xargs -0 sha256sum
} | sha256sum | cut -c1-16)

if [ "$FORCE" = 0 ]; then
  have=$(docker image inspect "$IMAGE" --format '{{range .Config.Env}}{{println .}}{{end}}' 2>/dev/null | sed -n 's/^TSYSDIG_IMAGE_HASH=//p' || true)
  if [ "$have" = "$HASH" ]; then
    say "$IMAGE is up to date (content $HASH)"
    echo "$IMAGE"
    exit 0
  fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tsysdig-image.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RFS=$WORK/rootfs
mkdir -p "$RFS"/{usr/bin,opt/tsysdig,etc,tmp,proc,sys,dev,host,run,var}
chmod 1777 "$RFS/tmp"
# HOST_ROOT=/host: the host's /proc, /etc and /run are mounted under /host (deploy/kubernetes).
# The engines' sockets are looked up under $HOST_ROOT/var/run and $HOST_ROOT/run; /var/run is /run.
mkdir -p "$RFS/host/proc" "$RFS/host/etc" "$RFS/host/run" "$RFS/host/var"
ln -s /host/run "$RFS/host/var/run"

# Debian's merged /usr: /bin, /lib and /lib64 are links into /usr, in the image as on the host.
for d in bin lib lib64; do
  if [ -L "/$d" ]; then mkdir -p "$RFS/$(readlink -f "/$d")"; ln -s "$(readlink "/$d")" "$RFS/$d"; fi
done
# Copy a file into the rootfs at its real path, and its name (when a link) as a link to it.
copy_file() {
  local f=$1 real
  real=$(readlink -f "$f")
  mkdir -p "$RFS$(dirname "$real")"
  cp -a --remove-destination "$real" "$RFS$real"
  if [ ! -e "$RFS$f" ]; then
    mkdir -p "$RFS$(dirname "$f")"
    ln -s "$real" "$RFS$f"
  fi
}
# A binary or library and every library ldd resolves for it (the loader included).
copy_with_libs() {
  copy_file "$1"
  ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | while read -r lib; do copy_file "$lib"; done
}

say "node $("$NODE" --version) and its libraries"
copy_with_libs "$NODE"
[ -e "$RFS/usr/bin/node" ] || ln -s "$NODE" "$RFS/usr/bin/node"

# cat, ls and env: `kubectl exec POD -- ls/cat` fetch a node's capture (docs/kubernetes.md); no shell.
for tool in cat ls env; do
  copy_with_libs "$(command -v "$tool")"
  [ -e "$RFS/usr/bin/$tool" ] || ln -s "$(readlink -f "$(command -v "$tool")")" "$RFS/usr/bin/$tool"
done

say "libbpf ($LIBBPF) and its libraries"
copy_with_libs "$LIBBPF"
ln -sf "$(basename "$LIBBPF")" "$RFS$(dirname "$LIBBPF")/libbpf.so.1"

say "the project: ${APP_DIRS[*]}"
for p in "${APP_DIRS[@]}"; do
  mkdir -p "$RFS/opt/tsysdig/$(dirname "$p")"
  cp -a "$p" "$RFS/opt/tsysdig/$p"
done
cp package.json package-lock.json "$RFS/opt/tsysdig/"
ln -s /opt/tsysdig/bin/tsysdig.js "$RFS/usr/bin/tsysdig"

say "production node_modules (npm ci --omit=dev, offline cache)"
(cd "$RFS/opt/tsysdig" && npm ci --omit=dev --prefer-offline --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
rm -f "$RFS/opt/tsysdig/package-lock.json"
# koffi ships native modules for every platform: keep this machine's, and its libraries.
KOFFI=$(find "$RFS/opt/tsysdig/node_modules" -path '*linux_x64/koffi.node' -o -path '*linux_arm64/koffi.node' | head -n 1)
[ -n "$KOFFI" ] || die "koffi's native module not found in node_modules"
ldd "$KOFFI" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | while read -r lib; do copy_file "$lib"; done
find "$RFS/opt/tsysdig/node_modules" -path '*koffi*' -name '*.node' ! -path "$(dirname "$KOFFI")/*" -delete

# The loader cache, so dlopen("libbpf.so.1") finds it without LD_LIBRARY_PATH.
ldconfig -r "$RFS" 2>/dev/null || true
printf 'root:x:0:0:root:/root:/bin/false\n' >"$RFS/etc/passwd"
printf 'root:x:0:\n' >"$RFS/etc/group"
[ -f /etc/services ] && cp /etc/services "$RFS/etc/services"
printf 'tsysdig %s image, content %s, built %s from %s\n' "$VERSION" "$HASH" "$(date -u +%FT%TZ)" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" >"$RFS/opt/tsysdig/IMAGE"

say "importing $(du -sh "$RFS" | cut -f1) as $IMAGE"
tar -C "$RFS" --numeric-owner -c . | docker import \
  --change 'ENTRYPOINT ["/usr/bin/node", "/opt/tsysdig/bin/tsysdig.js"]' \
  --change 'CMD ["--agent"]' \
  --change 'WORKDIR /opt/tsysdig' \
  --change "ENV TSYSDIG_IMAGE_HASH=$HASH" \
  --change 'ENV PATH=/usr/bin:/bin' \
  - "$IMAGE" >/dev/null
say "built $IMAGE (content $HASH)"
echo "$IMAGE"
