#!/usr/bin/env bash
# Builds the collector if needed, then runs it in one of three roles:
#   bash collector/run.sh [--config=overlay.yaml ...]          local: otel-collector.yaml
#   bash collector/run.sh agent                                agent: collector/agent.yaml
#   bash collector/run.sh gateway [--config=overlay.yaml ...]  otel-collector.yaml + collector/gateway.yaml
# Runs from the repository root, so the config's relative defaults (./.cache/otel-out/...) land
# there. Extra arguments go to the collector (later --config files are merged over earlier ones).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

# A config that names ${env:NAME} without a `:-default` needs NAME (the backend overlays' secrets
# and log group names). The collector would expand it to "" and start anyway, with one warning,
# then have every export refused; fail here instead, naming each variable. Only --config=FILE
# arguments are read, relative to the current directory; they are passed on as absolute paths,
# since the collector runs from the repository root.
case "${1:-}" in
  agent) shift; set -- "--config=$here/agent.yaml" "$@" ;;
  gateway) shift; set -- "--config=$root/otel-collector.yaml" "--config=$here/gateway.yaml" "$@" ;;
  *) set -- "--config=$root/otel-collector.yaml" "$@" ;;
esac

missing=()
args=()
for arg in "$@"; do
  args+=("$arg")
  [[ "$arg" == --config=* ]] || continue
  file="${arg#--config=}"
  file="${file#file:}"
  [[ -f "$file" ]] || continue
  [[ "$file" == /* ]] || args[${#args[@]} - 1]="--config=$PWD/$file"
  while read -r name; do
    [[ -n "${!name:-}" ]] || missing+=("$name (needed by ${file#"$root/"})")
  done < <(grep -v '^[[:space:]]*#' "$file" | grep -oE '\$\{env:[A-Za-z_][A-Za-z0-9_]*\}' | sed -E 's/^\$\{env:(.*)\}$/\1/' | sort -u)
done
if ((${#missing[@]} > 0)); then
  printf 'collector/run.sh: set these environment variables first (see docs/backends.md):\n' >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 2
fi

bin="$(bash "$here/build.sh" | tail -n 1)"
cd "$root"
exec "$bin" "${args[@]}"
