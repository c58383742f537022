#!/bin/bash
# Builds nestos-sample-live.x86_64.iso: isolinux (BIOS) + GRUB EFI in an El Torito FAT image
# (UEFI), images/pxeboot/{vmlinuz,initrd.img,rootfs.img}, a zeroed 256 KiB images/ignition.img
# on every boot entry's initrd list, karg embed areas (coreos/kargs.json), igninfo/features, and
# {coreos,nestos}/miniso.dat: the same tree without rootfs.img (and without miniso.dat) is built
# as the minimal ISO, then packed into the full ISO's miniso.dat by `pack minimal-iso --consume`.
source "$(dirname "$0")/../lib.sh"
L=$IMAGES_SRC/live
VOLID=nestos-sample-24.03-LTS.1
KARGS="coreos.liveiso=$VOLID console=ttyS0,115200n8 ignition.firstboot ignition.platform.id=metal"
W=$(mktemp -d "$OUT/.iso.XXXXXX")
trap 'rm -rf "$W"' EXIT
R=$W/root
mkdir -p "$R/isolinux" "$R/images/pxeboot" "$R/EFI/BOOT" "$R/coreos" "$R/nestos"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$R/isolinux/"
cp "$OUT/nestos-sample-live-kernel-x86_64" "$R/images/pxeboot/vmlinuz"
cp "$OUT/nestos-sample-live-initramfs.x86_64.img" "$R/images/pxeboot/initrd.img"
cp "$OUT/nestos-sample-live-rootfs.x86_64.img" "$R/images/pxeboot/rootfs.img"
truncate -s 262144 "$R/images/ignition.img"
for d in coreos nestos; do
  echo '{"file": "images/ignition.img"}' >"$R/$d/igninfo.json"
  install -m 0644 "$L/features.json" "$R/$d/features.json"
  # pre-allocated; `pack minimal-iso` overwrites its start
  truncate -s 16384 "$R/$d/miniso.dat"
done
python3 "$L/render-kargs.py" "$R" "$KARGS" 1139 \
  "$L/isolinux.cfg.in:isolinux/isolinux.cfg" "$L/grub.cfg.in:EFI/BOOT/grub.cfg"
sed "s/@VOLID@/$VOLID/" "$L/grub-embed.cfg" >"$W/embed.cfg"
grub-mkimage -O x86_64-efi -o "$R/EFI/BOOT/BOOTX64.EFI" -p /EFI/BOOT -c "$W/embed.cfg" \
  iso9660 part_gpt part_msdos fat normal linux serial terminal echo search search_label \
  configfile test efi_gop all_video
mkfs.vfat -n EFIBOOT -C "$R/images/efiboot.img" 4096 >/dev/null
mmd -i "$R/images/efiboot.img" ::/EFI ::/EFI/BOOT
mcopy -i "$R/images/efiboot.img" "$R/EFI/BOOT/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
mkiso() { # ROOT OUT
  xorriso -as mkisofs -quiet -o "$2" -V "$VOLID" -R -J \
    -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table \
    -eltorito-alt-boot -e images/efiboot.img -no-emul-boot \
    -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin -isohybrid-gpt-basdat "$1" 2>&1 | grep -v '^xorriso : UPDATE' >&2 || true
  [ -s "$2" ]
}
mkiso "$R" "$W/out.iso"
# The minimal ISO: every file of the full ISO but the rootfs and miniso.dat, same kargs.
MR=$W/minimal-root
cp -al "$R" "$MR"
rm -f "$MR/images/pxeboot/rootfs.img" "$MR/coreos/miniso.dat" "$MR/nestos/miniso.dat"
mkiso "$MR" "$W/minimal.iso"
node "$REPO_ROOT/dist/src/main.js" pack minimal-iso --consume "$W/out.iso" "$W/minimal.iso" >&2
mv "$W/out.iso" "$OUT/nestos-sample-live.x86_64.iso"
