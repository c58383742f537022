#!/bin/bash
# initramfs-stage.sh STAGE_DIR : fills STAGE_DIR with busybox (+ applet links), the probe /init,
# /lib/probe.sh, and the kernel modules needed for virtio disks and the root fs (in load order).
source "$(dirname "$0")/../lib.sh"
ST=$1
KVER=$(cat "$OUT/kernel-version")
KROOT=$OUT/modules
mkdir -p "$ST"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,etc,lib,mnt/boot,sysroot,lib/modules/$KVER}
cp /bin/busybox "$ST/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$ST/bin/$a"; done
install -m 0755 "$IMAGES_SRC/probe/init" "$ST/init"
install -m 0644 "$IMAGES_SRC/probe/probe.sh" "$ST/lib/probe.sh"
: >"$ST/etc/initrd-modules"
for m in ${PROBE_MODULES:-virtio_pci virtio_blk xfs}; do
  modprobe -d "$KROOT" -S "$KVER" --show-depends "$m"
done | awk '$1=="insmod" && $2 !~ /crc32c-intel/ && !seen[$2]++ {print $2}' | while read -r ko; do
  rel=${ko#"$KROOT/lib/modules/$KVER/"}
  mkdir -p "$ST/lib/modules/$KVER/$(dirname "$rel")"
  cp "$ko" "$ST/lib/modules/$KVER/$rel"
  echo "$rel" >>"$ST/etc/initrd-modules"
done
