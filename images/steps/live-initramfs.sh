#!/bin/bash
# Builds the live initramfs (probe stage + live /init + live stamps + features.json, plus the
# installer payload from live-payload.sh when present) and the PXE rootfs image.
source "$(dirname "$0")/../lib.sh"
ST=$(mktemp -d "$OUT/.live-stage.XXXXXX")
RS=$(mktemp -d "$OUT/.rootfs-stage.XXXXXX")
trap 'rm -rf "$ST" "$RS"' EXIT
PROBE_MODULES="virtio_pci virtio_blk xfs loop" bash "$IMAGES_SRC/steps/initramfs-stage.sh" "$ST"
install -m 0755 "$IMAGES_SRC/live/init" "$ST/init"
mkdir -p "$ST/etc/coreos" "$ST/etc/nestos"
: >"$ST/etc/coreos-live-initramfs"
: >"$ST/etc/nestos-live-initramfs"
install -m 0644 "$IMAGES_SRC/live/features.json" "$ST/etc/coreos/features.json"
install -m 0644 "$IMAGES_SRC/live/features.json" "$ST/etc/nestos/features.json"
if [ -f "$IMAGES_SRC/steps/live-payload.sh" ]; then
  bash "$IMAGES_SRC/steps/live-payload.sh" "$ST"
fi
bash "$IMAGES_SRC/steps/pack-cpio.sh" "$ST" "$OUT/nestos-sample-live-initramfs.x86_64.img" "${LIVE_INITRD_COMPRESSION:-zstd}"
# rootfs.img: a separate newc archive appended after the initramfs for PXE boots (as in FCOS).
mkdir -p "$RS/etc"
echo "NestOS sample live rootfs 24.03-LTS.1" >"$RS/etc/nestos-live-rootfs"
bash "$IMAGES_SRC/steps/pack-cpio.sh" "$RS" "$OUT/nestos-sample-live-rootfs.x86_64.img" gzip
cp "$OUT/vmlinuz" "$OUT/nestos-sample-live-kernel-x86_64.tmp"
mv "$OUT/nestos-sample-live-kernel-x86_64.tmp" "$OUT/nestos-sample-live-kernel-x86_64"
