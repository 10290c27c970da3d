#!/usr/bin/env bash
# Fetches Mesa >= 25 lavapipe (a software Vulkan driver Dawn accepts) from Debian's
# bookworm-backports into a private folder, without touching the system's packages.
# Usage: tools/setup-lavapipe.sh [DEST]   (default: .cache/lavapipe in the repo)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/.cache/lavapipe}
icd="$dest/lvp_icd.json"
if [ -f "$icd" ]; then echo "lavapipe: $icd"; exit 0; fi
work=$(mktemp -d)
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/parts" "$dest"
# Same archive and keyring as the machine's own sources, backports suite only.
uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
uri=${uri:-http://deb.debian.org/debian}
cat > "$work/parts/backports.sources" <<SRC
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
cat > "$work/apt.conf" <<CONF
Dir::Etc::sourcelist "/dev/null";
Dir::Etc::sourceparts "$work/parts";
Dir::State::lists "$work/lists";
Dir::Cache "$work/cache";
CONF
export APT_CONFIG="$work/apt.conf"
apt-get -qq update
(cd "$work" && apt-get -qq download mesa-vulkan-drivers/bookworm-backports \
  libdrm2/bookworm-backports libdrm-amdgpu1/bookworm-backports)
for deb in "$work"/*.deb; do dpkg -x "$deb" "$dest"; done
lib="$dest/usr/lib/x86_64-linux-gnu"
cat > "$icd" <<JSON
{"file_format_version":"1.0.0","ICD":{"api_version":"1.4.305","library_path":"$lib/libvulkan_lvp.so"}}
JSON
rm -rf "$work"
echo "lavapipe: $icd"
