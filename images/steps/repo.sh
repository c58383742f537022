#!/bin/bash
# Builds the ostree archive repo build/images/repo with one signed commit of the sample OS on
# ref openEuler/x86_64/nestos/sample (version 24.03-LTS.1), plus a signed summary and repo-ref.
source "$(dirname "$0")/../lib.sh"
REF=openEuler/x86_64/nestos/sample
KVER=$(cat "$OUT/kernel-version")
ST=$(mktemp -d "$OUT/.tree.XXXXXX")
NEW=$(mktemp -d "$OUT/.repo.XXXXXX")
trap 'rm -rf "$ST" "$NEW"' EXIT
chmod 0755 "$ST"
cd "$ST"
mkdir -p boot dev proc sys run sysroot var tmp usr/bin usr/sbin usr/lib usr/lib64 usr/etc \
  usr/lib/modules/"$KVER" usr/lib/tmpfiles.d usr/share
chmod 1777 tmp
ln -s usr/bin bin; ln -s usr/sbin sbin; ln -s usr/lib lib; ln -s usr/lib64 lib64
for d in home mnt opt srv; do ln -s var/$d $d; done
ln -s var/roothome root; ln -s run/media media; ln -s sysroot/ostree ostree
ln -s ../var/usrlocal usr/local
cp "$OUT/vmlinuz" usr/lib/modules/"$KVER"/vmlinuz
cp "$OUT/probe-initramfs.img" usr/lib/modules/"$KVER"/initramfs.img
cp /bin/busybox usr/bin/busybox
ln -s busybox usr/bin/sh
install -m 0644 "$IMAGES_SRC/tree/os-release" usr/lib/os-release
ln -s ../usr/lib/os-release usr/etc/os-release
install -m 0644 "$IMAGES_SRC/tree/passwd" usr/etc/passwd
install -m 0644 "$IMAGES_SRC/tree/group" usr/etc/group
install -m 0644 "$IMAGES_SRC/tree/tmpfiles.conf" usr/lib/tmpfiles.d/nestos-sample-var.conf
echo "NestOS sample OS (test fixture of nestos-installer)" >usr/share/nestos-sample
cd "$OUT"
ostree init --repo="$NEW/repo" --mode=archive
ostree commit --repo="$NEW/repo" --branch="$REF" --subject="NestOS sample 24.03-LTS.1" \
  --add-metadata-string=version=24.03-LTS.1 --add-metadata-string=nestos.stream=sample \
  --owner-uid=0 --owner-gid=0 --no-xattrs --timestamp=2024-01-01T00:00:00Z \
  --gpg-sign="$(cat "$OUT/sample-signing-key.fpr")" --gpg-homedir="$OUT/gnupg" "$ST" >/dev/null
ostree summary --repo="$NEW/repo" -u --gpg-sign="$(cat "$OUT/sample-signing-key.fpr")" --gpg-homedir="$OUT/gnupg"
gpgconf --homedir "$OUT/gnupg" --kill gpg-agent 2>/dev/null || true
rm -rf "$OUT/repo"
mv "$NEW/repo" "$OUT/repo"
echo "$REF" >"$OUT/repo-ref"
