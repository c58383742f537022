#!/bin/bash
# pack-cpio.sh STAGE_DIR OUT_FILE [gzip|zstd|none] : newc cpio owned by root, sorted, compressed.
set -euo pipefail
ST=$1; DEST=$2; COMP=${3:-gzip}
tmp="$DEST.tmp.$$"
trap 'rm -f "$tmp"' EXIT
case "$COMP" in
  gzip) filter=(gzip -6 -n) ;;
  zstd) filter=(zstd -q -T0 -10) ;;
  none) filter=(cat) ;;
esac
(cd "$ST" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet --reproducible) |
  "${filter[@]}" >"$tmp"
mv "$tmp" "$DEST"
