#!/bin/bash
# build-metal.sh: builds the sample OS metal disk images with OUR installer's ostree mode
# (install --ostree-repo), from build/images/repo at the ref in build/images/repo-ref:
#   nestos-sample-metal.x86_64.raw     512-byte sectors, BIOS + UEFI GRUB
#   nestos-sample-metal4k.x86_64.raw   4096-byte sectors, UEFI only (BIOS on 4Kn is out of scope)
# Each is cached by a hash of (repo commit, installer sources, this script); a rebuild with
# nothing changed prints "cached". Needs root (loop devices) and a built dist/ (npm run build).
# The images carry no Ignition config but DO carry the ignition.firstboot stamp and
# nestos/platforms.json, as FCOS/NestOS metal images do. images/build.sh compresses the results.
source "$(dirname "$0")/lib.sh"
MAIN_JS=${NESTOS_INSTALLER_MAIN:-$REPO_ROOT/dist/src/main.js}
SIZE=${METAL_IMAGE_SIZE:-1G}
REF=$(cat "$OUT/repo-ref")
COMMIT=$(ostree rev-parse --repo="$OUT/repo" "$REF")
KEY=$OUT/sample-signing-key.pub.asc
[ -f "$MAIN_JS" ] || (cd "$REPO_ROOT" && npm run build --silent) || true
[ -f "$MAIN_JS" ] || { log "metal: $MAIN_JS missing; run npm run build"; exit 1; }

# install_image FILE SECTOR FIRMWARE: one ostree install into a new image file.
install_image() {
  local file=$1 sector=$2 firmware=$3 tmp="$OUT/.$1.tmp"
  rm -f "$tmp"
  node "$MAIN_JS" install --ostree-repo "$OUT/repo" --ostree-ref "$REF" --trusted-key "$KEY" \
    --ostree-firmware "$firmware" --dest-size "$SIZE" --dest-sector-size "$sector" "$tmp" >&2
  mv -f "$tmp" "$OUT/$file"
  log "metal: built $OUT/$file ($sector-byte sectors, $firmware, commit ${COMMIT:0:12}, $(du -h --apparent-size "$OUT/$file" | cut -f1) sparse, $(du -h "$OUT/$file" | cut -f1) used)"
}

INPUTS=("$COMMIT" "$KEY" "$SIZE" "$IMAGES_SRC/build-metal.sh" "$REPO_ROOT/src/ostree" "$REPO_ROOT/src/boot"
  "$REPO_ROOT/src/install" "$REPO_ROOT/src/cli/install.ts" "$REPO_ROOT/src/flavor.ts" "$REPO_ROOT/libexec/ostree-grub2-exec")

step metal "nestos-sample-metal.x86_64.raw" "${INPUTS[@]}" -- \
  install_image nestos-sample-metal.x86_64.raw 512 bios,uefi
step metal4k "nestos-sample-metal4k.x86_64.raw" "${INPUTS[@]}" -- \
  install_image nestos-sample-metal4k.x86_64.raw 4096 uefi
for f in nestos-sample-metal.x86_64.raw nestos-sample-metal4k.x86_64.raw; do
  log "metal: $OUT/$f ($(du -h --apparent-size "$OUT/$f" | cut -f1) sparse) from $REF @ ${COMMIT:0:12}"
done
