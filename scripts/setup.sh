#!/usr/bin/env bash
# Idempotent set-up for `npm start` / `npm test`: installs what is missing, builds what is stale.
# Safe to run repeatedly; each step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'tsysdig setup: %s\n' "$*" >&2; }

# 1. npm packages (npm start/test run this before node_modules may exist).
if [ ! -d node_modules/koffi ] || [ ! -d node_modules/vitest ] || [ package.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >&2; else npm install --no-audit --no-fund >&2; fi
fi

# 2. Debian packages, only when root (a user without root gets replay and the demo capture).
need_pkgs=()
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  command -v clang >/dev/null || need_pkgs+=(clang llvm)
  command -v bpftool >/dev/null || [ -x /usr/sbin/bpftool ] || need_pkgs+=(bpftool)
  [ -f /usr/include/bpf/libbpf.h ] || need_pkgs+=(libbpf-dev)
  ldconfig -p 2>/dev/null | grep -q 'libbpf.so.1 ' || need_pkgs+=(libbpf1)
  command -v tmux >/dev/null || need_pkgs+=(tmux)
  # deploy/kubernetes is rendered by kubectl's built-in kustomize in test/deploy
  command -v kubectl >/dev/null || need_pkgs+=(kubernetes-client)
  # --ssh tests start their own sshd (own port, keys and config); the system's is never started or changed
  [ -x /usr/sbin/sshd ] || need_pkgs+=(openssh-server)
  command -v ssh >/dev/null || need_pkgs+=(openssh-client)
  if [ "${TSYSDIG_SKIP_REFERENCE:-}" != 1 ]; then
    command -v sysdig >/dev/null || need_pkgs+=(sysdig)
  fi
  if [ ${#need_pkgs[@]} -gt 0 ]; then
    say "installing Debian packages: ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || true
    apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2 || say "warning: apt-get install failed; live capture may be unavailable"
  fi
fi

# 3. The eBPF probe (needs clang + bpftool + BTF; otherwise live capture is unavailable, replay still works).
if [ -f probe/build.sh ]; then
  bash probe/build.sh || say "warning: probe build failed; live capture unavailable (replay still works)"
fi

# 4. TypeScript.
newest_src=$(find src -name '*.ts' -newer dist/.build-stamp 2>/dev/null | head -n 1 || true)
if [ ! -f dist/.build-stamp ] || [ -n "$newest_src" ] || [ tsconfig.json -nt dist/.build-stamp ]; then
  say "building TypeScript"
  npx tsc -p tsconfig.json
  touch dist/.build-stamp
fi
# 5. The CLI bundle and its code cache (scripts/bundle.mjs; does nothing when fresh).
node scripts/bundle.mjs

# 6. A plain `tsysdig` command, as `npm link` would make it: a symlink to
#    bin/tsysdig.js in /usr/local/bin (root) or ~/.local/bin (a user who has
#    it on PATH). A link to another checkout that still works is left alone
#    (several checkouts on one machine would otherwise take it in turns);
#    TSYSDIG_LINK=force takes it over, TSYSDIG_LINK=0 skips this step.
link_cli() {
  local self dir target current
  self="$(pwd)/bin/tsysdig.js"
  if [ "$(id -u)" = 0 ]; then dir=/usr/local/bin
  elif [ -d "$HOME/.local/bin" ] && [[ ":$PATH:" == *":$HOME/.local/bin:"* ]]; then dir="$HOME/.local/bin"
  else
    say "no tsysdig on PATH (not root, no ~/.local/bin on PATH): run $self, or add $(pwd)/bin to PATH"
    return 0
  fi
  target="$dir/tsysdig"
  if [ -L "$target" ]; then
    current="$(readlink "$target")"
    [ "$current" = "$self" ] && return 0
    if [ -e "$target" ] && [ "${TSYSDIG_LINK:-}" != force ]; then
      say "$target runs $current (another checkout); TSYSDIG_LINK=force npm run setup links this one"
      return 0
    fi
  elif [ -e "$target" ]; then
    say "$target exists and is not a link: left alone (run $self)"
    return 0
  fi
  ln -sfn "$self" "$target"
  say "linked $target -> $self: run \`tsysdig\`"
}
[ "${TSYSDIG_LINK:-}" = 0 ] || link_cli
