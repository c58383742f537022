# Live root filesystem setup for live/init (busybox sh; sourced after probe.sh): finds rootfs.img,
# checks it against the hashes recorded when the initramfs was built, unpacks it, mounts its
# squashfs at /sysroot (where the installer, Node.js and the OSTree repo live) and leaves the
# osmet files in /run/nestos-installer/osmet. Three sources, as on NestOS / Fedora CoreOS:
#   - rootfs.img appended to the initramfs (PXE): the kernel already unpacked it;
#   - {nestos,coreos}.live.rootfs_url=URL (PXE, minimal ISO): fetched over HTTP (DHCP on eth0);
#   - {nestos,coreos}.liveiso=LABEL (live ISO): read from the ISO 9660 volume with that label.
# Prints one line `NESTOS-LIVE-ROOTFS {json}` saying where the rootfs came from, or why not.

WANT_ROOTFS=/etc/nestos-live-want-rootfs
MEMBERS=/etc/nestos-live-rootfs-members.sha256

rootfs_karg() { # PREFIX... : value of the first karg with one of these names
  set -f
  for arg in $(cat /proc/cmdline); do
    for name in "$@"; do
      case "$arg" in "$name="*) echo "${arg#"$name="}"; set +f; return 0 ;; esac
    done
  done
  set +f
  return 1
}

# Checks FILE against the stream-hash list: "stream-hash sha256 CHUNK", then one sha256 per chunk.
rootfs_check_chunks() {
  read -r magic algo chunk <"$WANT_ROOTFS"
  [ "$magic" = stream-hash ] && [ "$algo" = sha256 ] && [ "$chunk" -gt 0 ] || { echo "bad hash list $WANT_ROOTFS"; return 1; }
  size=$(stat -c %s "$1")
  want=$(($(wc -l <"$WANT_ROOTFS") - 1))
  have=$(((size + chunk - 1) / chunk))
  [ "$have" = "$want" ] || { echo "rootfs.img is $size bytes, expected $want chunks of $chunk"; return 1; }
  i=0
  tail -n +2 "$WANT_ROOTFS" | while read -r expected; do
    got=$(dd if="$1" bs="$chunk" skip="$i" count=1 2>/dev/null | sha256sum | cut -d' ' -f1)
    [ "$got" = "$expected" ] || { echo "hash mismatch at offset $((i * chunk)); expected $expected, found $got"; exit 1; }
    i=$((i + 1))
  done
}

rootfs_unpack() { # FILE: verified archive -> /
  msg=$(rootfs_check_chunks "$1") || { echo "$msg"; return 1; }
  (cd / && cpio -idm <"$1" 2>/dev/null) || { echo "cannot unpack $1"; return 1; }
}

rootfs_network() {
  for n in /sys/class/net/*; do
    iface=${n##*/}
    [ "$iface" = lo ] && continue
    ip link set "$iface" up
    udhcpc -i "$iface" -q -n -t 20 -T 3 -s /lib/udhcpc.script >/dev/null 2>&1 && return 0
  done
  return 1
}

rootfs_from_url() {
  rootfs_network || { echo "no network (DHCP failed)"; return 1; }
  wget -q -O /run/rootfs.img "$1" || { echo "fetching $1 failed"; return 1; }
  rootfs_unpack /run/rootfs.img
  rc=$?
  rm -f /run/rootfs.img
  return $rc
}

rootfs_from_iso() {
  i=0
  dev=""
  while [ $i -lt 600 ]; do
    dev=$(findfs "LABEL=$1" 2>/dev/null) && [ -n "$dev" ] && break
    i=$((i + 1)); usleep 100000
  done
  [ -n "$dev" ] || { echo "no volume labelled $1"; return 1; }
  mkdir -p /run/media/iso
  mount -t iso9660 -o ro "$dev" /run/media/iso || { echo "cannot mount $dev"; return 1; }
  rootfs_unpack /run/media/iso/images/pxeboot/rootfs.img
  rc=$?
  umount /run/media/iso
  return $rc
}

rootfs_report() { # JSON-FIELDS
  echo 1 >/proc/sys/kernel/printk 2>/dev/null
  printf '\nNESTOS-LIVE-ROOTFS {%s}\n' "$1"
}

# Sets up the rootfs; returns non-zero (after reporting why) when there is none.
live_rootfs_setup() {
  if [ -f /root.squashfs ]; then
    source=initrd; where=""
  elif url=$(rootfs_karg nestos.live.rootfs_url coreos.live.rootfs_url); then
    source=url; where=$url
    err=$(rootfs_from_url "$url") || { rootfs_report "\"source\":\"url\",\"url\":$(jstr "$url"),\"error\":$(jstr "$err")"; return 1; }
  elif label=$(rootfs_karg nestos.liveiso coreos.liveiso); then
    source=iso; where=$label
    err=$(rootfs_from_iso "$label") || { rootfs_report "\"source\":\"iso\",\"label\":$(jstr "$label"),\"error\":$(jstr "$err")"; return 1; }
  else
    rootfs_report '"error":"no root filesystem: no rootfs.img appended and no *.live.rootfs_url= or *.liveiso= karg"'
    return 1
  fi
  if ! err=$(cd / && sha256sum -c "$MEMBERS" 2>&1); then
    rootfs_report "\"source\":\"$source\",\"error\":$(jstr "rootfs members do not match: $err")"
    return 1
  fi
  if ! err=$(mount -t squashfs -o ro,loop /root.squashfs /sysroot 2>&1); then
    rootfs_report "\"source\":\"$source\",\"error\":$(jstr "mounting /root.squashfs: $err")"
    return 1
  fi
  osmet=""
  for f in /run/nestos-installer/osmet/*; do [ -f "$f" ] && osmet="$osmet${osmet:+,}$(jstr "${f##*/}")"; done
  case $source in
    url) where=",\"url\":$(jstr "$where")" ;;
    iso) where=",\"label\":$(jstr "$where")" ;;
  esac
  rootfs_report "\"source\":\"$source\"$where,\"verified\":true,\"repo\":$([ -d /sysroot/ostree/repo/objects ] && echo true || echo false),\"osmet\":[$osmet]"
}
