#!/bin/bash
# Fetches the Debian cloud kernel package (apt-get download; never installed), unpacks it and
# runs depmod. Outputs: vmlinuz, kernel-version, modules/lib/modules/<kver>/.
source "$(dirname "$0")/../lib.sh"
PKG=$1
mkdir -p "$CACHE/kernel"
deb=$(ls "$CACHE/kernel/${PKG}"_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
  (cd "$CACHE/kernel" && apt-get download "$PKG" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
  deb=$(ls "$CACHE/kernel/${PKG}"_*.deb | head -1)
fi
KVER=${PKG#linux-image-}
tmp=$(mktemp -d "$OUT/.kernel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp/x"
depmod -b "$tmp/x" "$KVER"
rm -rf "$OUT/modules"
mkdir -p "$OUT/modules/lib/modules"
mv "$tmp/x/lib/modules/$KVER" "$OUT/modules/lib/modules/$KVER"
cp "$tmp/x/boot/vmlinuz-$KVER" "$OUT/vmlinuz.tmp" && mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
cp "$tmp/x/boot/config-$KVER" "$OUT/kernel-config"
echo "$KVER" >"$OUT/kernel-version"
