# shellcheck shell=bash
# bench_install: install of a 2 GiB-raw xz image onto a loop device, compared with
# `xz -dc | dd` followed by `gpg --verify`, and with bare `xz -dc > /dev/null`; reports the
# installer's peak RSS (budget: < 150 MB). Needs root (loop devices). Sourced by scripts/bench;
# also runnable alone: `bash scripts/bench-install.sh`.
bench_install() {
  local repo; repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  local main="${NESTOS_INSTALLER_MAIN:-$repo/dist/src/main.js}"
  [ -f "$main" ] || (cd "$repo" && npm run build --silent)
  local work; work="$(mktemp -d /tmp/bench-install.XXXXXX)"
  local dev=""
  # shellcheck disable=SC2064
  trap "[ -n \"\$dev\" ] && losetup -d \"\$dev\" 2>/dev/null; gpgconf --homedir '$work/gnupg' --kill all 2>/dev/null; rm -rf '$work'" RETURN
  echo "== install: 2 GiB raw image (xz) to a loop device =="
  # A 2 GiB GPT disk with real data in it: the sample metal image if built, plus random blocks.
  truncate -s 2G "$work/img.raw"
  if [ -f "$repo/build/images/nestos-sample-metal.x86_64.raw" ]; then
    dd if="$repo/build/images/nestos-sample-metal.x86_64.raw" of="$work/img.raw" bs=4M conv=notrunc,sparse status=none
    sgdisk -e "$work/img.raw" >/dev/null
  else
    sgdisk -n1:0:0 -c1:data "$work/img.raw" >/dev/null
  fi
  head -c 256M /dev/urandom | dd of="$work/img.raw" bs=4M seek=384 conv=notrunc status=none
  xz -T0 -1 -c "$work/img.raw" > "$work/img.raw.xz"
  mkdir -m 700 "$work/gnupg"
  gpg --homedir "$work/gnupg" --batch --quiet --passphrase '' --quick-gen-key 'Bench <b@example>' rsa2048 sign never
  gpg --homedir "$work/gnupg" --batch --quiet --armor --export > "$work/key.asc"
  gpg --homedir "$work/gnupg" --batch --quiet --detach-sign -o "$work/img.raw.xz.sig" "$work/img.raw.xz"
  rm -f "$work/img.raw"
  truncate -s 2100M "$work/target.img"
  dev="$(losetup --show -f "$work/target.img")"
  local xzsize; xzsize=$(stat -c %s "$work/img.raw.xz")
  echo "image: 2048 MiB raw, $((xzsize / 1048576)) MiB xz"

  /usr/bin/time -f '%e %M' -o "$work/t1" node "$main" install "$dev" -f "$work/img.raw.xz" --trusted-key "$work/key.asc" 2>"$work/log1" \
    || { tail -5 "$work/log1"; echo "bench_install: install failed"; return 1; }
  /usr/bin/time -f '%e %M' -o "$work/t2" sh -c "xz -dc '$work/img.raw.xz' | dd of='$dev' bs=1M status=none && gpg --homedir '$work/gnupg' --batch --quiet --verify '$work/img.raw.xz.sig' '$work/img.raw.xz' 2>/dev/null"
  /usr/bin/time -f '%e %M' -o "$work/t3" sh -c "xz -dc '$work/img.raw.xz' > /dev/null"
  read -r s1 r1 < "$work/t1"; read -r s2 _ < "$work/t2"; read -r s3 _ < "$work/t3"
  printf '%-44s %8s s\n' 'nestos-installer install (verify+write)' "$s1" \
    'xz -dc | dd, then gpg --verify' "$s2" 'xz -dc > /dev/null (decompression floor)' "$s3"
  printf 'installer peak RSS: %d MB (budget < 150 MB)\n' "$((r1 / 1024))"
  [ "$((r1 / 1024))" -lt 150 ] || { echo "bench_install: peak RSS over budget"; return 1; }
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  bench_install
fi
