#!/usr/bin/env bash
# Builds the collector if needed, then runs it on the repository's otel-collector.yaml.
# Runs from the repository root, so the config's relative defaults (./.cache/otel-out/...) land
# there. Extra arguments go to the collector, e.g. `bash collector/run.sh --config=extra.yaml`
# (later --config files are merged over earlier ones).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

# A config that names ${env:NAME} without a `:-default` needs NAME (the backend overlays' secrets
# and log group names). The collector would expand it to "" and start anyway, with one warning,
# then have every export refused; fail here instead, naming each variable. Only --config=FILE
# arguments are read, relative to the current directory; they are passed on as absolute paths,
# since the collector runs from the repository root.
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
    [[ -n "${!name:-}" ]] || missing+=("$name (needed by $file)")
  done < <(grep -v '^[[:space:]]*#' "$file" | grep -oE '\$\{env:[A-Za-z_][A-Za-z0-9_]*\}' | sed -E 's/^\$\{env:(.*)\}$/\1/' | sort -u)
done
if ((${#missing[@]} > 0)); then
  printf 'collector/run.sh: set these environment variables first (see docs/backends.md):\n' >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 2
fi

bin="$(bash "$here/build.sh" | tail -n 1)"
cd "$root"
# ${args[@]+...}: an empty array is an unset variable to `set -u` in bash before 4.4.
exec "$bin" --config="$root/otel-collector.yaml" ${args[@]+"${args[@]}"}
