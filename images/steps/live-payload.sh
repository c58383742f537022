#!/bin/bash
# live-payload.sh STAGE : adds the live installer to the live root filesystem's stage (the squashfs
# of rootfs.img): Node.js + its shared libraries, this project's dist/ + production node_modules as
# /usr/lib/nestos-installer, the launcher, and the disk tools the installer runs (util-linux,
# e2fsprogs) + their libraries. The live initramfs reaches them through /sysroot (live/init).
source "$(dirname "$0")/../lib.sh"
ST=$1
APP=$ST/usr/lib/nestos-installer
DIST=$REPO_ROOT/dist/src
[ -f "$DIST/main.js" ] || (cd "$REPO_ROOT" && npm run build --silent) || true
[ -f "$DIST/main.js" ] && [ -f "$REPO_ROOT/dist/cli/main.js" ] || { log "live-payload: dist/ incomplete (npm run build)"; exit 1; }

# copy_bin SRC DEST_IN_STAGE : the binary plus every library ldd lists, at the same paths.
copy_libs() {
  { ldd "$1" 2>/dev/null || true; } | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i}' | while read -r lib; do
    [ -e "$ST$lib" ] && continue
    mkdir -p "$ST$(dirname "$lib")"
    cp -L "$lib" "$ST$lib"
  done
}
copy_bin() {
  mkdir -p "$ST$(dirname "$2")"
  rm -f "$ST$2"
  cp -L "$1" "$ST$2"
  copy_libs "$1"
}
copy_bin "$(readlink -f "$(command -v node)")" /usr/bin/node
# Real tools go to /usr/sbin, which the live service puts first in PATH (busybox stays in /bin).
for t in lsblk blkid partx blockdev mount umount losetup debugfs wipefs sfdisk sgdisk e2fsck dd sync udevadm; do
  p=$(command -v "$t" || true)
  [ -n "$p" ] && copy_bin "$p" "/usr/sbin/$t"
done

mkdir -p "$APP"
cp "$REPO_ROOT/package.json" "$APP/"
mkdir -p "$APP/dist"
(cd "$REPO_ROOT/dist" && find src cli -name '*.js' -print0 | cpio --null -pdm --quiet "$APP/dist")
[ -d "$REPO_ROOT/keys" ] && cp -r "$REPO_ROOT/keys" "$APP/keys"
(cd "$REPO_ROOT" && npm ls --omit=dev --parseable --all 2>/dev/null | tail -n +2) | while read -r pkg; do
  rel=${pkg#"$REPO_ROOT/"}
  mkdir -p "$APP/$(dirname "$rel")"
  [ -e "$APP/$rel" ] || cp -a "$pkg" "$APP/$rel"
done
# prebuilt addons for other platforms are dead weight
find "$APP/node_modules" -type d -path '*/prebuilds/*' ! -name 'linux-x64*' -prune -exec rm -rf {} + 2>/dev/null || true
# native addons (node-liblzma, zstd-napi) need their shared libraries too
find "$APP/node_modules" -name '*.node' | while read -r addon; do copy_libs "$addon"; done
# dev-only nested copies are not needed
find "$APP/node_modules" -depth -type d \( -name test -o -name tests -o -name docs -o -name '*.map' \) -prune -exec rm -rf {} + 2>/dev/null || true
cat >"$ST/usr/bin/nestos-installer" <<'SH'
#!/bin/sh
exec /usr/bin/node /usr/lib/nestos-installer/dist/cli/main.js "$@"
SH
chmod 0755 "$ST/usr/bin/nestos-installer"
ln -sf nestos-installer "$ST/usr/bin/coreos-installer"
install -m 0755 "$IMAGES_SRC/live/live-service" "$APP/live-service"
install -m 0644 "$IMAGES_SRC/live/apply-ignition-files.mjs" "$APP/apply-ignition-files.mjs"
echo "$(cd "$ST" && du -sh . | cut -f1) live root stage" >&2
