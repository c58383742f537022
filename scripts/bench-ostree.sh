# shellcheck shell=bash
# Section `ostree` of scripts/bench: a full ostree install of the sample OS (install
# --ostree-repo: partition, mkfs, signed pull, deploy, GRUB BIOS+UEFI) vs the image install of
# the same OS (install -f of the metal image built from it), both onto a loop device.
# Needs root and build/images (npm run images).
bench_ostree() {
  local img="$REPO/build/images" d="$BENCH_TMP/ostree" t ref key dev
  [ -d "$img/repo" ] || { echo "bench_ostree: $img/repo missing; run npm run images" >&2; return 1; }
  mkdir -p "$d"
  ref="$(cat "$img/repo-ref")"; key="$img/sample-signing-key.pub.asc"
  truncate -s 1100M "$d/a.img" "$d/b.img"

  dev="$(losetup --show -f "$d/a.img")"
  if ! bench_time t "${CLI[@]}" install --ostree-repo "$img/repo" --ostree-ref "$ref" --trusted-key "$key" "$dev" 2>"$d/log1"; then
    losetup -d "$dev"; tail -5 "$d/log1" >&2; return 1
  fi
  losetup -d "$dev"
  bench_row ostree "install --ostree-repo (pull, deploy, GRUB x2)" "${t% *}" "${t#* }"
  local ostree_s=${t% *}

  dev="$(losetup --show -f "$d/b.img")"
  if ! bench_time t "${CLI[@]}" install -f "$img/nestos-sample-metal.x86_64.raw.xz" --trusted-key "$key" "$dev" 2>"$d/log2"; then
    losetup -d "$dev"; tail -5 "$d/log2" >&2; return 1
  fi
  losetup -d "$dev"
  bench_row ostree "install -f metal raw.xz (same OS, verified)" "${t% *}" "${t#* }" "ostree deploy: $(bench_pct "$ostree_s" "${t% *}")"
  rm -f "$d/a.img" "$d/b.img"
}
