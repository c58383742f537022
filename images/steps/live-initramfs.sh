#!/bin/bash
# Builds the live PXE artifacts, laid out like a NestOS / Fedora CoreOS live system:
#   nestos-sample-live-rootfs.x86_64.img      the root filesystem (live-rootfs.sh)
#   nestos-sample-live-initramfs.x86_64.img   a small initramfs: busybox, the modules that find and
#                                             mount the rootfs (virtio, CD-ROM, iso9660, squashfs,
#                                             loop, virtio-net), the live /init, the first-boot probe,
#                                             the rootfs's hashes, links into /sysroot for the
#                                             installer that lives in the rootfs
#   nestos-sample-live-kernel-x86_64          the kernel
source "$(dirname "$0")/../lib.sh"
ST=$(mktemp -d "$OUT/.live-stage.XXXXXX")
FACTS=$(mktemp -d "$OUT/.live-facts.XXXXXX")
trap 'rm -rf "$ST" "$FACTS"' EXIT
chmod 0755 "$ST"
ROOTFS=$OUT/nestos-sample-live-rootfs.x86_64.img
bash "$IMAGES_SRC/steps/live-rootfs.sh" "$ROOTFS" "$FACTS"

PROBE_MODULES="virtio_pci virtio_blk virtio_scsi sr_mod isofs squashfs loop virtio_net xfs" \
  bash "$IMAGES_SRC/steps/initramfs-stage.sh" "$ST"
install -m 0755 "$IMAGES_SRC/live/init" "$ST/init"
install -m 0644 "$IMAGES_SRC/live/live.sh" "$ST/lib/live.sh"
install -m 0644 "$IMAGES_SRC/live/rootfs.sh" "$ST/lib/rootfs.sh"
install -m 0755 "$IMAGES_SRC/live/udhcpc.script" "$ST/lib/udhcpc.script"
mkdir -p "$ST/etc/coreos" "$ST/etc/nestos" "$ST/etc/nestos-installer/keys.d"
: >"$ST/etc/coreos-live-initramfs"
: >"$ST/etc/nestos-live-initramfs"
install -m 0644 "$IMAGES_SRC/live/features.json" "$ST/etc/coreos/features.json"
install -m 0644 "$IMAGES_SRC/live/features.json" "$ST/etc/nestos/features.json"
install -m 0644 "$FACTS/want-rootfs" "$ST/etc/coreos-live-want-rootfs"
install -m 0644 "$FACTS/want-rootfs" "$ST/etc/nestos-live-want-rootfs"
install -m 0644 "$FACTS/rootfs-members.sha256" "$ST/etc/nestos-live-rootfs-members.sha256"
cp "$OUT/sample-signing-key.pub.asc" "$ST/etc/nestos-installer/keys.d/nestos-sample.asc"
# The installer, Node.js and the disk tools live in the rootfs, mounted at /sysroot.
rm -rf "$ST/usr/sbin"
ln -s /sysroot/usr/sbin "$ST/usr/sbin"
ln -s /sysroot/lib64 "$ST/lib64"
ln -s /sysroot/lib/x86_64-linux-gnu "$ST/lib/x86_64-linux-gnu"
mkdir -p "$ST/usr/lib"
ln -s /sysroot/usr/lib/x86_64-linux-gnu "$ST/usr/lib/x86_64-linux-gnu"
ln -s /sysroot/usr/lib/nestos-installer "$ST/usr/lib/nestos-installer"
for b in node nestos-installer coreos-installer; do ln -s "/sysroot/usr/bin/$b" "$ST/usr/bin/$b"; done
bash "$IMAGES_SRC/steps/pack-cpio.sh" "$ST" "$OUT/nestos-sample-live-initramfs.x86_64.img" "${LIVE_INITRD_COMPRESSION:-zstd}"
log "live initramfs: $(du -h --apparent-size "$OUT/nestos-sample-live-initramfs.x86_64.img" | cut -f1)"
cp "$OUT/vmlinuz" "$OUT/nestos-sample-live-kernel-x86_64.tmp"
mv "$OUT/nestos-sample-live-kernel-x86_64.tmp" "$OUT/nestos-sample-live-kernel-x86_64"
