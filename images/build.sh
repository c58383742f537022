#!/bin/bash
# Builds the sample OS (kernel, probe initramfs, ostree repo, signing key, metal images, live ISO,
# PXE artifacts, stream metadata) into build/images/. Every step is cached by a hash of its inputs
# (see lib.sh), so a rebuild with nothing changed only re-hashes. Usage: images/build.sh
source "$(dirname "$0")/lib.sh"
T0=$(date +%s.%N)
S=$IMAGES_SRC/steps

KPKG=$(bash "$S/kernel-pkg.sh" "$CACHE/kernel")
step kernel "vmlinuz kernel-version modules" "$S/kernel.sh" "$KPKG" -- bash "$S/kernel.sh" "$KPKG"

step probe-initramfs "probe-initramfs.img" "$S/probe-initramfs.sh" "$S/initramfs-stage.sh" "$S/pack-cpio.sh" \
  "$IMAGES_SRC/probe" "$(key_of kernel)" /bin/busybox -- bash "$S/probe-initramfs.sh"

step signing-key "gnupg sample-signing-key.pub.asc sample-signing-key.fpr" "$S/signing-key.sh" \
  -- bash "$S/signing-key.sh"

step repo "repo repo-ref" "$S/repo.sh" "$IMAGES_SRC/tree" "$(key_of probe-initramfs)" "$(key_of signing-key)" /bin/busybox \
  -- bash "$S/repo.sh"

step live-initramfs "nestos-sample-live-initramfs.x86_64.img nestos-sample-live-rootfs.x86_64.img nestos-sample-live-kernel-x86_64" \
  "$S/live-initramfs.sh" "$S/initramfs-stage.sh" "$S/pack-cpio.sh" "$IMAGES_SRC/probe" "$IMAGES_SRC/live/init" \
  "$IMAGES_SRC/live/features.json" "$(key_of kernel)" /bin/busybox -- bash "$S/live-initramfs.sh"

step live-iso "nestos-sample-live.x86_64.iso" "$S/live-iso.sh" "$IMAGES_SRC/live" "$(key_of live-initramfs)" \
  -- bash "$S/live-iso.sh"

T1=$(date +%s.%N)
log "all done in $(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.1f", b-a}')s"
