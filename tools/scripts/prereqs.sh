#!/usr/bin/env bash
# Installs what ./run.sh and ./test.sh need beyond the .NET SDK, Node and npm, once:
# Azurite from tools/azurite's lockfile, and (for the dashboard's browser tests) Debian's Chromium.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

need() { command -v "$1" >/dev/null 2>&1 || { echo "error: '$1' is required but not on PATH" >&2; exit 1; }; }
need dotnet
need node
need npm

azurite_dir="$root/tools/azurite"
stamp="$azurite_dir/node_modules/.lock-stamp"
if [ ! -x "$azurite_dir/node_modules/.bin/azurite" ] || ! cmp -s "$azurite_dir/package-lock.json" "$stamp"; then
  echo "==> installing Azurite from tools/azurite/package-lock.json"
  (cd "$azurite_dir" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$azurite_dir/package-lock.json" "$stamp"
fi

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Debian's chromium for the dashboard tests"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: chromium is not installed; the dashboard's browser tests will fail (apt-get install chromium)" >&2
  fi
fi

# A CJK font, so that the dashboard's screenshots show Chinese names (the tests do not depend on it).
if [ "${1:-}" = "--browser" ] && command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ] \
   && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing a Chinese font for the dashboard's screenshots"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 \
    || echo "warning: could not install fonts-wqy-microhei; screenshots will show boxes for Chinese text" >&2
fi
