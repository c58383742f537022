#!/bin/bash
# osmet.sh : packs the osmet file of each metal image with the installer's `pack osmet`:
#   nestos-sample-metal.x86_64.osmet     from nestos-sample-metal.x86_64.raw (512-byte loop device)
#   nestos-sample-metal4k.x86_64.osmet   from nestos-sample-metal4k.x86_64.raw (4096-byte loop device)
# `--fast` (xz preset 0) rather than upstream's preset 9: the packed remainder of these images is
# mostly zeros, which preset 0 already compresses well, at a fraction of preset 9's time and
# memory. Needs root (read-only loop devices, read-only mounts).
source "$(dirname "$0")/../lib.sh"
MAIN_JS=$REPO_ROOT/dist/src/main.js
DESCRIPTION="NestOS Sample 24.03-LTS.1"
LOOP=""
detach() {
  [ -n "$LOOP" ] || return 0
  partx -d "$LOOP" 2>/dev/null || true
  losetup -d "$LOOP"
  LOOP=""
}
trap detach EXIT

pack() { # RAW SECTOR OSMET
  local raw=$OUT/$1 sector=$2 dest=$OUT/$3 dev sha
  sha=$(sha256sum <"$raw" | cut -c1-64)
  dev=$(losetup --show -f -r -P --sector-size "$sector" "$raw")
  LOOP=$dev
  partx -a "$dev" 2>/dev/null || true
  rm -f "$dest"
  node "$MAIN_JS" pack osmet --fast --output "$dest" --checksum "$sha" --description "$DESCRIPTION" "$dev" >&2
  detach
  log "osmet: $3 ($(du -h --apparent-size "$dest" | cut -f1)) for $1 ($sector-byte sectors)"
}
pack nestos-sample-metal.x86_64.raw 512 nestos-sample-metal.x86_64.osmet
pack nestos-sample-metal4k.x86_64.raw 4096 nestos-sample-metal4k.x86_64.osmet
