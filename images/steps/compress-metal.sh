#!/bin/bash
# compress-metal.sh : raw.xz / raw.gz / raw.zst of the 512-byte metal image and 4k.raw.xz of the
# 4Kn one. xz uses CRC32 like coreos-assembler; fast presets because the images are mostly zeros
# (xz -6 of a 1 GiB image takes 80 s here, -0 takes 28 s and is only 6% larger).
source "$(dirname "$0")/../lib.sh"
compress() { # SRC DEST CMD...
  local src=$1 dest=$2; shift 2
  "$@" <"$src" >"$dest.tmp" && mv "$dest.tmp" "$dest"
}
M=$OUT/nestos-sample-metal.x86_64.raw
M4=$OUT/nestos-sample-metal4k.x86_64.raw
if [ -f "$M" ]; then
  compress "$M" "$M.xz" xz -T0 -0 --check=crc32 -c
  compress "$M" "$M.gz" gzip -1 -n -c
  compress "$M" "$M.zst" zstd -q -T0 -3 -c
fi
if [ -f "$M4" ]; then
  compress "$M4" "$M4.xz" xz -T0 -0 --check=crc32 -c
fi
