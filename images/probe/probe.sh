# First-boot probe (busybox sh). Sourced by /init of the probe and live initramfs.
# probe_line prints: FIRSTBOOT-PROBE {"cmdline":..,"deployment":..,"ignition_sha256":..,
#   "firstboot":bool,"platform":..,"network_keyfiles":[..],"kernel":..,"disks":[..]}

# JSON string literal of $1 (escapes backslash, quote, tab, newline; drops other control chars).
jstr() {
  tab=$(printf '\t')
  printf '%s' "$1" | tr -d '\001-\010\013-\037' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
    -e "s/$tab/\\\\t/g" -e ':a' -e 'N' -e '$!ba' -e 's/\n/\\n/g' | { printf '"'; cat; printf '"'; }
}
# JSON string or null when $1 is empty.
jstr_or_null() { if [ -n "$1" ]; then jstr "$1"; else printf null; fi; }

probe_load_modules() {
  kver=$(uname -r)
  [ -f /etc/initrd-modules ] || return 0
  while read -r ko; do
    [ -n "$ko" ] || continue
    insmod "/lib/modules/$kver/$ko" 2>/dev/null || true
  done </etc/initrd-modules
}

# Waits (max ~10 s) until every virtio block device has its /sys/block node, so that findfs sees
# the partitions; returns at once when the machine has no virtio disks.
probe_wait_disks() {
  i=0
  while [ $i -lt 100 ]; do
    want=0; have=0
    for d in /sys/bus/virtio/devices/*; do
      [ -f "$d/device" ] && [ "$(cat "$d/device")" = 0x0002 ] && want=$((want + 1))
    done
    for b in /sys/block/vd*; do [ -e "$b" ] && have=$((have + 1)); done
    [ $want -gt 0 ] && [ $have -ge $want ] && break
    [ $want = 0 ] && [ $i -ge 10 ] && break
    i=$((i + 1)); usleep 100000
  done
  # partition nodes may trail the disk node a little
  usleep 200000
}

probe_find_label() {
  findfs "LABEL=$1" 2>/dev/null || true
}

probe_mount_ro() { # dev dir
  mkdir -p "$2"
  mount -o ro "$1" "$2" 2>/dev/null || mount -o ro,norecovery "$1" "$2" 2>/dev/null
}

probe_line() {
  set -f
  cmdline=$(cat /proc/cmdline)
  platform=""; ostree_path=""
  for arg in $cmdline; do
    case "$arg" in
      ignition.platform.id=*) platform=${arg#ignition.platform.id=} ;;
      ostree=*) ostree_path=${arg#ostree=} ;;
    esac
  done
  set +f
  bootdev=$(probe_find_label boot)
  rootdev=$(probe_find_label root)
  bootmnt=""
  if [ -n "$bootdev" ] && probe_mount_ro "$bootdev" /mnt/boot; then bootmnt=/mnt/boot; fi

  ign=""
  if [ -f /config.ign ]; then ign=/config.ign
  elif [ -n "$bootmnt" ] && [ -f "$bootmnt/ignition/config.ign" ]; then ign=$bootmnt/ignition/config.ign
  fi
  ign_sha=""
  [ -n "$ign" ] && ign_sha=$(sha256sum "$ign" | cut -d' ' -f1)

  firstboot=false
  [ -n "$bootmnt" ] && [ -e "$bootmnt/ignition.firstboot" ] && firstboot=true

  deployment=""
  if [ -n "$ostree_path" ] && [ -n "$rootdev" ] && probe_mount_ro "$rootdev" /sysroot; then
    res=$(readlink -f "/sysroot$ostree_path" 2>/dev/null || true)
    case "$res" in
      /sysroot/*) [ -d "$res" ] && deployment=${res#/sysroot/} ;;
    esac
    umount /sysroot 2>/dev/null || true
  fi

  keyfiles=""
  for d in /etc/nestos-firstboot-network /etc/coreos-firstboot-network \
    "$bootmnt/nestos-firstboot-network" "$bootmnt/coreos-firstboot-network"; do
    case "$d" in /nestos-*|/coreos-*) continue ;; esac # no boot fs mounted
    [ -d "$d" ] || continue
    for f in "$d"/*; do [ -f "$f" ] && keyfiles="$keyfiles${f##*/}
"; done
  done
  kf_json=""
  for n in $(printf '%s' "$keyfiles" | sort -u); do
    kf_json="$kf_json${kf_json:+,}$(jstr "$n")"
  done

  disks=""
  for b in /sys/block/vd*; do
    [ -e "$b/queue/logical_block_size" ] || continue
    disks="$disks${disks:+,}{\"name\":\"${b##*/}\",\"lbs\":$(cat "$b/queue/logical_block_size")}"
  done
  [ -n "$bootmnt" ] && umount "$bootmnt" 2>/dev/null

  # Quiet the kernel's console while the line is printed, so no kernel message can land inside it.
  echo 1 > /proc/sys/kernel/printk 2>/dev/null
  printf '\nFIRSTBOOT-PROBE {"cmdline":%s,"deployment":%s,"ignition_sha256":%s,"firstboot":%s,"platform":%s,"network_keyfiles":[%s],"kernel":%s,"disks":[%s]}\n' \
    "$(jstr "$cmdline")" "$(jstr_or_null "$deployment")" "$(jstr_or_null "$ign_sha")" "$firstboot" \
    "$(jstr_or_null "$platform")" "$kf_json" "$(jstr "$(uname -r)")" "$disks"
}

probe_setup() {
  export PATH=/bin:/sbin:/usr/bin:/usr/sbin
  mkdir -p /proc /sys /dev /mnt/boot /sysroot /run /tmp
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  mount -t devtmpfs devtmpfs /dev
  [ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
  echo # firmware escape codes may precede our first line
  probe_load_modules
  probe_wait_disks
}
