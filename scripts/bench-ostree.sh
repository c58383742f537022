# shellcheck shell=bash
# bench_ostree: time of a full ostree install of the sample OS (install --ostree-repo: partition,
# mkfs, pull, deploy, GRUB BIOS+UEFI) vs the image install of the same OS (install -f the metal
# image built from it), both onto a loop device, for the README bench table. Needs root and
# build/images (npm run images). Sourced by scripts/bench; also runnable alone.
bench_ostree() {
  local repo; repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  local main="${NESTOS_INSTALLER_MAIN:-$repo/dist/src/main.js}" img="$repo/build/images"
  [ -f "$main" ] || (cd "$repo" && npm run build --silent)
  [ -d "$img/repo" ] || { echo "bench_ostree: $img/repo missing; run npm run images"; return 1; }
  local work; work="$(mktemp -d /tmp/bench-ostree.XXXXXX)"
  local dev=""
  # shellcheck disable=SC2064
  trap "[ -n \"\$dev\" ] && losetup -d \"\$dev\" 2>/dev/null; rm -rf '$work'" RETURN
  local ref key; ref="$(cat "$img/repo-ref")"; key="$img/sample-signing-key.pub.asc"
  echo "== ostree install vs image install of the sample OS ($ref) =="
  truncate -s 1100M "$work/a.img" "$work/b.img"
  dev="$(losetup --show -f "$work/a.img")"
  /usr/bin/time -f '%e' -o "$work/t1" node "$main" install --ostree-repo "$img/repo" --ostree-ref "$ref" \
    --trusted-key "$key" "$dev" 2>"$work/log1" || { tail -5 "$work/log1"; echo "bench_ostree: ostree install failed"; return 1; }
  losetup -d "$dev"; dev="$(losetup --show -f "$work/b.img")"
  local src=(-f "$img/nestos-sample-metal.x86_64.raw.xz" --trusted-key "$key") what='raw.xz, verified'
  if [ ! -f "$img/nestos-sample-metal.x86_64.raw.xz.sig" ]; then
    src=(-f "$img/nestos-sample-metal.x86_64.raw" --insecure); what='raw, unverified'
  fi
  /usr/bin/time -f '%e' -o "$work/t2" node "$main" install "${src[@]}" "$dev" 2>"$work/log2" \
    || { tail -5 "$work/log2"; echo "bench_ostree: image install failed"; return 1; }
  printf '%-52s %8s s\n' 'install --ostree-repo (pull + deploy + GRUB)' "$(cat "$work/t1")" \
    "install -f metal image ($what)" "$(cat "$work/t2")"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  bench_ostree
fi
