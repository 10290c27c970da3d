#!/usr/bin/env bash
# Everything the tests need on a fresh Debian 12 machine: apt packages (Vulkan loader, Chromium
# for the browser tests, sox for the WAV checks, redis-server for the batch queue tests), Mesa 25 lavapipe in .cache/ (Dawn rejects
# Debian's Mesa 22), and the npm dependencies. Idempotent: fast when all is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in libvulkan1 chromium sox redis-server; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need[*]}"
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

bash tools/setup-lavapipe.sh

if [ ! -d node_modules/.bin ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm install, not npm ci: npm 11's lock file leaves out other platforms' optional packages
  # (deno's), and npm ci then refuses it as out of sync.
  echo "setup: npm install"
  npm install --no-audit --no-fund --loglevel=error
fi
