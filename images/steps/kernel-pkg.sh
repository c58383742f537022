#!/bin/bash
# Prints the Debian cloud kernel package name (linux-image-<ver>-cloud-amd64); falls back to a
# cached download when apt metadata is unavailable.
set -euo pipefail
pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}' || true)
if [ -z "$pkg" ]; then
  f=$(ls "$1"/linux-image-*-cloud-amd64_*.deb 2>/dev/null | head -1 || true)
  [ -n "$f" ] || { echo "cannot find the Debian cloud kernel package (apt-get update?)" >&2; exit 1; }
  pkg=$(basename "$f"); pkg=${pkg%%_*}
fi
echo "$pkg"
