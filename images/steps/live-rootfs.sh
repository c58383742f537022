#!/bin/bash
# live-rootfs.sh ROOTFS_IMG FACTS_DIR : builds the live root filesystem image, an uncompressed newc
# archive holding
#   root.squashfs                                 the live root: ostree/repo (bare; the sample commit,
#                                                 whose objects rebuild the metal images), Node.js and
#                                                 the installer (live-payload.sh)
#   run/nestos-installer/osmet/*.osmet            the 512-byte and 4Kn osmet files, beside the squashfs
# and writes into FACTS_DIR what the live initramfs checks it against: want-rootfs (upstream's
# stream-hash list of rootfs.img: "stream-hash sha256 CHUNK" then one sha256 per chunk) and
# rootfs-members.sha256 (sha256sum -c list of the members).
source "$(dirname "$0")/../lib.sh"
DEST=$1
FACTS=$2
CHUNK=$((4 * 1024 * 1024))
ST=$(mktemp -d "$OUT/.live-root.XXXXXX")
RS=$(mktemp -d "$OUT/.rootfs-stage.XXXXXX")
trap 'rm -rf "$ST" "$RS"' EXIT
chmod 0755 "$ST" "$RS"
REF=$(cat "$OUT/repo-ref")

# The OSTree repo of the live root, as on the metal image's root filesystem (mode bare: each
# content object is a plain file holding the file's bytes, what osmet extents point into).
mkdir -p "$ST/ostree" "$ST/sysroot" "$ST/proc" "$ST/sys" "$ST/dev" "$ST/run" "$ST/tmp"
ostree init --repo="$ST/ostree/repo" --mode=bare
ostree pull-local --repo="$ST/ostree/repo" "$OUT/repo" "$REF" >&2
ostree fsck --repo="$ST/ostree/repo" >/dev/null
bash "$IMAGES_SRC/steps/live-payload.sh" "$ST"

mkdir -p "$RS/run/nestos-installer/osmet"
mksquashfs "$ST" "$RS/root.squashfs" -noappend -comp zstd -Xcompression-level 3 -all-root -no-xattrs \
  -mkfs-time 0 -all-time 0 -quiet -no-progress -processors 2 >&2
for f in nestos-sample-metal.x86_64.osmet nestos-sample-metal4k.x86_64.osmet; do
  cp "$OUT/$f" "$RS/run/nestos-installer/osmet/$f"
done
bash "$IMAGES_SRC/steps/pack-cpio.sh" "$RS" "$DEST" none
(cd "$RS" && find . -type f | LC_ALL=C sort | sed 's#^\./##' | xargs sha256sum) >"$FACTS/rootfs-members.sha256"
{
  echo "stream-hash sha256 $CHUNK"
  split -b "$CHUNK" --filter='sha256sum | cut -c1-64' "$DEST"
} >"$FACTS/want-rootfs"
log "live rootfs: $(du -h --apparent-size "$DEST" | cut -f1) (squashfs $(du -h --apparent-size "$RS/root.squashfs" | cut -f1))"
