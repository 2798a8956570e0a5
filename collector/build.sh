#!/usr/bin/env bash
# Builds the mlobs collector into <repo>/.cache/collector/otelcol-mlobs, or reuses the existing
# binary when its inputs (go.mod, go.sum, *.go, Go version and target) have not changed.
# Progress goes to stderr; the last line on stdout is the binary's absolute path.
# Exit codes: 0 ok, 3 `go` is not installed, anything else: the Go build failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out_dir="$root/.cache/collector"
bin="$out_dir/otelcol-mlobs"
stamp="$bin.stamp"

if ! command -v go >/dev/null 2>&1; then
  echo "collector/build.sh: 'go' not found on PATH; install Go >= 1.26 (see collector/go.mod) to build the collector" >&2
  exit 3
fi

# Static binary: no C toolchain needed, and the same binary works in any Linux container.
export CGO_ENABLED=0

# sha256sum is GNU coreutils; macOS has shasum instead.
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum; }
else
  sha256() { shasum -a 256; }
fi

# The stamp hashes everything that can change the binary, so an unchanged tree costs one hash,
# not a `go build` (which, even fully cached, spends seconds re-linking a 50 MB binary).
inputs_hash() {
  {
    go version
    go env GOOS GOARCH GOAMD64 CGO_ENABLED GOFLAGS
    cd "$here"
    for f in go.mod go.sum *.go build.sh; do
      printf '%s\n' "$f"
      cat "$f"
    done
  } | sha256 | cut -d' ' -f1
}

hash="$(inputs_hash)"
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then
  echo "collector/build.sh: up to date" >&2
  echo "$bin"
  exit 0
fi

mkdir -p "$out_dir"
echo "collector/build.sh: building $bin (the first build downloads modules and takes a few minutes)" >&2
start=$SECONDS
# -mod=readonly: a build never rewrites go.mod/go.sum behind the reviewer's back.
# Build to a temp name and rename, so a running collector or a parallel build never sees half a file.
(cd "$here" && go build -mod=readonly -trimpath -ldflags='-s -w' -o "$bin.tmp.$$" .)
mv -f "$bin.tmp.$$" "$bin"
echo "$hash" >"$stamp"
echo "collector/build.sh: built in $((SECONDS - start))s" >&2
echo "$bin"
