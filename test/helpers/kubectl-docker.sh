#!/usr/bin/env bash
# kubectl for tests on a machine without a cluster: the calls `tsysdig --fetch-capture`
# makes, carried out on local docker containers (a pod = a container of that name).
#   kubectl -n NS get pod NAME -o name          → pod/NAME when the container exists
#   kubectl -n NS get pods -l SEL --field-selector spec.nodeName=N -o jsonpath=…
#                                               → the container labelled node=N
#   kubectl -n NS exec POD -c CONTAINER -- CMD… → docker exec POD CMD…
set -euo pipefail
[ "${1:-}" = -n ] && shift 2
verb=$1; shift
case "$verb" in
  get)
    if [ "$1" = pod ]; then
      docker inspect --format '{{.Name}}' "$2" >/dev/null 2>&1 || { echo "Error from server (NotFound): pods \"$2\" not found" >&2; exit 1; }
      echo "pod/$2"
    else
      node=$(printf '%s\n' "$@" | sed -n 's/^spec.nodeName=//p')
      docker ps --filter "label=node=$node" --format '{{.Names}}' | head -n 1
    fi
    ;;
  exec)
    pod=$1; shift
    [ "$1" = -c ] && shift 2
    [ "$1" = -- ] && shift
    exec docker exec "$pod" "$@"
    ;;
  *) echo "kubectl-docker: $verb not supported" >&2; exit 1 ;;
esac
