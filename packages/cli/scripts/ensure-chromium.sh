#!/usr/bin/env bash
# Installs Debian's chromium for the test that opens `mlobs report --html` pages in a headless
# browser (packages/cli/src/report/render-html-report.test.ts); without it that test is skipped.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: chromium is absent and cannot be installed here (needs root and apt-get)" >&2
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
chromium --version
