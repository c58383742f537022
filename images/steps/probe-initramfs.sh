#!/bin/bash
# Builds probe-initramfs.img (gzip newc; /init = first-boot probe).
source "$(dirname "$0")/../lib.sh"
ST=$(mktemp -d "$OUT/.probe-stage.XXXXXX")
trap 'rm -rf "$ST"' EXIT
bash "$IMAGES_SRC/steps/initramfs-stage.sh" "$ST"
bash "$IMAGES_SRC/steps/pack-cpio.sh" "$ST" "$OUT/probe-initramfs.img" gzip
