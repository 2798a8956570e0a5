#!/usr/bin/env bash
# Builds the collector if needed, then runs it on the repository's otel-collector.yaml.
# Runs from the repository root, so the config's relative defaults (./.cache/otel-out/...) land
# there. Extra arguments go to the collector, e.g. `bash collector/run.sh --config=extra.yaml`
# (later --config files are merged over earlier ones).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

bin="$(bash "$here/build.sh" | tail -n 1)"
cd "$root"
exec "$bin" --config="$root/otel-collector.yaml" "$@"
