#!/bin/bash
# Builds the sample OS (kernel, probe initramfs, ostree repo, signing key, metal images, live ISO,
# PXE artifacts, stream metadata) into build/images/. Every step is cached by a hash of its inputs
# (see lib.sh), so a rebuild with nothing changed only re-hashes. Usage: images/build.sh
source "$(dirname "$0")/lib.sh"
T0=$(date +%s.%N)
# One build at a time (tests, the demo and people may start it concurrently).
exec 9>"$CACHE/build.lock"
if ! flock -n 9; then log "another images/build.sh is running; waiting"; flock 9; fi
S=$IMAGES_SRC/steps

# apt-cache is slow (~3 s); re-ask only when the apt lists changed.
APTSTAMP=$(stat -c %Y /var/lib/apt/lists 2>/dev/null || echo 0)
if [ -f "$CACHE/kernel-pkg" ] && [ "$(sed -n 1p "$CACHE/kernel-pkg")" = "$APTSTAMP" ]; then
  KPKG=$(sed -n 2p "$CACHE/kernel-pkg")
else
  KPKG=$(bash "$S/kernel-pkg.sh" "$CACHE/kernel")
  printf '%s\n%s\n' "$APTSTAMP" "$KPKG" >"$CACHE/kernel-pkg"
fi
step kernel "vmlinuz kernel-version modules" "$S/kernel.sh" "$KPKG" -- bash "$S/kernel.sh" "$KPKG"

step probe-initramfs "probe-initramfs.img" "$S/probe-initramfs.sh" "$S/initramfs-stage.sh" "$S/pack-cpio.sh" \
  "$IMAGES_SRC/probe" "$(key_of kernel)" /bin/busybox -- bash "$S/probe-initramfs.sh"

step signing-key "gnupg sample-signing-key.pub.asc sample-signing-key.fpr" "$S/signing-key.sh" \
  -- bash "$S/signing-key.sh"

step repo "repo repo-ref" "$S/repo.sh" "$IMAGES_SRC/tree" "$(key_of probe-initramfs)" "$(key_of signing-key)" /bin/busybox \
  -- bash "$S/repo.sh"

# Metal images come from build-metal.sh (our installer's ostree mode).
if [ -f "$IMAGES_SRC/build-metal.sh" ]; then
  if ! bash "$IMAGES_SRC/build-metal.sh"; then
    [ -n "${CI:-}" ] && { log "build-metal.sh failed"; exit 1; }
    log "WARNING: build-metal.sh failed; continuing without metal images"
  fi
else
  log "images/build-metal.sh not present yet; skipping metal images"
fi
MOUT=""
[ -f "$OUT/nestos-sample-metal.x86_64.raw" ] && MOUT="nestos-sample-metal.x86_64.raw.xz nestos-sample-metal.x86_64.raw.gz nestos-sample-metal.x86_64.raw.zst"
[ -f "$OUT/nestos-sample-metal4k.x86_64.raw" ] && MOUT="$MOUT nestos-sample-metal4k.x86_64.raw.xz"
step compress-metal "$MOUT" "$S/compress-metal.sh" "$(key_of metal)" "$(key_of metal4k)" "$MOUT" \
  -- bash "$S/compress-metal.sh"

# osmet files: what an offline install needs, besides the live rootfs's OSTree repo, to rebuild
# each metal image bit for bit (pack osmet of our installer).
[ -f "$REPO_ROOT/dist/src/main.js" ] || (cd "$REPO_ROOT" && npm run build --silent) || true
D=$REPO_ROOT/dist/src
OSMET_CODE=$(hash_inputs "$D/osmet/pack.js" "$D/osmet/scan.js" "$D/osmet/fiemap.js" "$D/osmet/mappings.js" \
  "$D/osmet/packed-image.js" "$D/osmet/format.js" "$D/formats/bincode.js")
step osmet "nestos-sample-metal.x86_64.osmet nestos-sample-metal4k.x86_64.osmet" "$S/osmet.sh" \
  "$(key_of metal)" "$(key_of metal4k)" "$OSMET_CODE" -- bash "$S/osmet.sh"

# The live system: rootfs.img (squashfs with the repo, Node.js and the installer; osmet files),
# a small initramfs that finds, checks and mounts it, and the kernel.
step live-initramfs "nestos-sample-live-initramfs.x86_64.img nestos-sample-live-rootfs.x86_64.img nestos-sample-live-kernel-x86_64" \
  "$S/live-initramfs.sh" "$S/live-rootfs.sh" "$S/initramfs-stage.sh" "$S/pack-cpio.sh" "$IMAGES_SRC/probe" \
  "$IMAGES_SRC/live" "$S/live-payload.sh" "$(key_of kernel)" "$(key_of repo)" "$(key_of osmet)" "$(key_of signing-key)" \
  /bin/busybox "$(hash_inputs "$REPO_ROOT/dist/src" "$REPO_ROOT/package-lock.json" "node-$(node --version)")" \
  -- bash "$S/live-initramfs.sh"

step live-iso "nestos-sample-live.x86_64.iso" "$S/live-iso.sh" "$IMAGES_SRC/live" "$(key_of live-initramfs)" \
  "$(hash_inputs "$REPO_ROOT/dist/src/iso" "$REPO_ROOT/dist/src/formats")" -- bash "$S/live-iso.sh"

# Detached binary signatures for every published artifact (and the raw images, for tests).
ARTS=(nestos-sample-metal.x86_64.raw nestos-sample-metal4k.x86_64.raw $MOUT nestos-sample-live.x86_64.iso
  nestos-sample-live-kernel-x86_64 nestos-sample-live-initramfs.x86_64.img nestos-sample-live-rootfs.x86_64.img)
SIGN=()
for a in "${ARTS[@]}"; do [ -f "$OUT/$a" ] && SIGN+=("$a"); done
SIGOUT=$(printf '%s.sig ' "${SIGN[@]}")
step sign "$SIGOUT" "$IMAGES_SRC/sign.sh" "$(key_of signing-key)" "$(key_of compress-metal)" "$(key_of metal)" \
  "$(key_of metal4k)" "$(key_of live-iso)" "$(key_of live-initramfs)" "${SIGN[@]}" \
  -- bash -c 'cd "$0" && bash "$1" "${@:2}"' "$OUT" "$IMAGES_SRC/sign.sh" "${SIGN[@]}"

step stream "sample.json" "$IMAGES_SRC/make-stream.sh" "$(key_of sign)" -- bash "$IMAGES_SRC/make-stream.sh"

T1=$(date +%s.%N)
log "all done in $(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.1f", b-a}')s"
