# shellcheck shell=bash
# Section `install` of scripts/bench (sourced by it; run with `scripts/bench install`, as root).
# Three xz images, each signed by a throwaway key and installed onto a loop device:
#   metal   the sample metal image (1 GiB raw, mostly empty space; xz -T0 -0, many blocks)
#   dense   256 MiB: seeded random 256 KiB blocks between 768 KiB zero runs, xz -1 (one block);
#           like a real OS image, most of whose MiB blocks hold file system data
#   sparse  2 GiB: the sample metal image plus 256 MiB of seeded random data, xz -T0 -1
# Every install row is compared with the bare decoder (`xz -dc > /dev/null`) and with the
# two-pass pipeline a user would run instead (`xz -dc | dd conv=fsync`, then `gpg --verify`).
# Two more rows split an install's time: `install --dry-run` is its fixed part (Node's start,
# loading the CLI, the checks before the target is opened: key, signature issuer, first MiB,
# target), and `xz -dc -T2` is what decoding the image's blocks on both cores takes (an image
# compressed in one block decodes on one core whatever the thread count).
# The five commands run interleaved, BENCH_RUNS rounds (default 3); a row is the median, its
# note gives min–max and the median user+sys CPU seconds. The sparse image as zstd is one more
# row. The installer's peak RSS must stay < 150 MB.
BENCH_INSTALL_SEED=14

# Writes SIZE_MIB MiB of seeded data to FILE: every MiB is RANDOM_KIB KiB of random bytes, then zeros.
install_pattern() {
  python3 - "$1" "$2" "$3" "$BENCH_INSTALL_SEED" <<'PY'
import random, sys
path, mib, rand_kib, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
r = random.Random(seed)
zeros = bytes((1024 - rand_kib) * 1024)
with open(path, 'wb') as f:
    for _ in range(mib):
        f.write(r.randbytes(rand_kib * 1024))
        f.write(zeros)
PY
}

# Benchmarks one image: NAME XZFILE DEV. Appends three rows; returns 1 on a failed install or RSS over budget.
install_image() {
  local name=$1 img=$2 dev=$3 d="$BENCH_TMP/install" runs="${BENCH_RUNS:-3}" i s dec two ins dry par
  rm -f "$d/$name".{decode,decode2,twopass,dryrun,install}
  for i in $(seq "$runs"); do
    echo "install: $name, round $i of $runs" >&2
    bench_sample "$d/$name.decode" sh -c "xz -dc '$img' > /dev/null"
    bench_sample "$d/$name.decode2" sh -c "xz -dc -T2 '$img' > /dev/null"
    bench_sample "$d/$name.dryrun" "${CLI[@]}" install "$dev" -f "$img" --trusted-key "$BENCH_TMP/key.asc" --dry-run >/dev/null 2>"$d/log" ||
      { echo "bench_install: install --dry-run of $name failed" >&2; tail -5 "$d/log" >&2; return 1; }
    bench_sample "$d/$name.twopass" sh -c "xz -dc '$img' | dd of='$dev' bs=1M conv=fsync status=none && gpg --homedir '$BENCH_TMP/gnupg' --batch --quiet --verify '$img.sig' '$img' 2>/dev/null"
    bench_sample "$d/$name.install" "${CLI[@]}" install "$dev" -f "$img" --trusted-key "$BENCH_TMP/key.asc" 2>"$d/log" ||
      { echo "bench_install: install of $name failed" >&2; tail -5 "$d/log" >&2; return 1; }
  done
  read -r -a dec <<<"$(bench_stats "$d/$name.decode")"
  read -r -a two <<<"$(bench_stats "$d/$name.twopass")"
  read -r -a ins <<<"$(bench_stats "$d/$name.install")"
  read -r -a dry <<<"$(bench_stats "$d/$name.dryrun")"
  read -r -a par <<<"$(bench_stats "$d/$name.decode2")"
  bench_row install "$name: xz -dc > /dev/null" "${dec[0]}" "${dec[3]}" "${dec[1]}–${dec[2]} s; cpu ${dec[4]} s"
  bench_row install "$name: xz -dc -T2 > /dev/null (both cores)" "${par[0]}" "${par[3]}" "${par[1]}–${par[2]} s; cpu ${par[4]} s; vs xz -dc $(bench_times "${par[0]}" "${dec[0]}")"
  bench_row install "$name: xz -dc + dd conv=fsync, gpg --verify" "${two[0]}" "${two[3]}" "${two[1]}–${two[2]} s; cpu ${two[4]} s"
  bench_row install "$name: install --dry-run (start-up and checks)" "${dry[0]}" "${dry[3]}" "${dry[1]}–${dry[2]} s; cpu ${dry[4]} s"
  bench_row install "$name: install (verify + write + syncs)" "${ins[0]}" "${ins[3]}" \
    "${ins[1]}–${ins[2]} s; cpu ${ins[4]} s; vs decode $(bench_ratio "${ins[0]}" "${dec[0]}" 1.10); vs two-pass $(bench_ratio "${ins[0]}" "${two[0]}" 0.75); after the checks (install − dry-run) vs decode $(bench_times "$(bench_minus "${ins[0]}" "${dry[0]}")" "${dec[0]}")"
  [ $((ins[3] / 1024)) -lt 150 ] || { echo "bench_install: $name: peak RSS $((ins[3] / 1024)) MB over the 150 MB budget" >&2; return 1; }
}

bench_install() {
  local d="$BENCH_TMP/install" metal="$REPO/build/images/nestos-sample-metal.x86_64.raw" dev status=0 t
  mkdir -p "$d"
  bench_gpg_key
  if [ ! -f "$metal.xz" ]; then
    echo "install: building the sample images (images/build.sh)..." >&2
    bash "$REPO/images/build.sh" >&2 || { echo "bench_install: images/build.sh failed" >&2; return 1; }
  fi
  echo "install: preparing the images..." >&2
  ln -sf "$metal.xz" "$d/metal.raw.xz"
  install_pattern "$d/dense.raw" 256 256
  xz -1 -T1 -c "$d/dense.raw" > "$d/dense.raw.xz"
  rm -f "$d/dense.raw"
  truncate -s 2G "$d/sparse.raw"
  dd if="$metal" of="$d/sparse.raw" bs=4M conv=notrunc,sparse status=none
  sgdisk -e "$d/sparse.raw" >/dev/null
  install_pattern "$d/random.raw" 256 1024
  dd if="$d/random.raw" of="$d/sparse.raw" bs=4M seek=384 conv=notrunc status=none
  rm -f "$d/random.raw"
  xz -1 -T0 -c "$d/sparse.raw" > "$d/sparse.raw.xz"
  zstd -q -3 -T0 -c "$d/sparse.raw" > "$d/sparse.raw.zst"
  rm -f "$d/sparse.raw"
  for f in metal.raw.xz dense.raw.xz sparse.raw.xz sparse.raw.zst; do
    gpg --homedir "$BENCH_TMP/gnupg" --batch --quiet --detach-sign -o "$d/$f.sig" "$d/$f"
  done
  truncate -s 2100M "$d/target.img"
  dev="$(losetup --show -f "$d/target.img")"
  # shellcheck disable=SC2064
  trap "losetup -d '$dev' 2>/dev/null || true; bench_cleanup" EXIT

  install_image metal "$d/metal.raw.xz" "$dev" || status=1
  install_image dense "$d/dense.raw.xz" "$dev" || status=1
  install_image sparse "$d/sparse.raw.xz" "$dev" || status=1
  rm -f "$d/zst.install"
  if bench_sample "$d/zst.install" "${CLI[@]}" install "$dev" -f "$d/sparse.raw.zst" --trusted-key "$BENCH_TMP/key.asc" 2>"$d/log"; then
    read -r -a t <<<"$(bench_stats "$d/zst.install")"
    bench_row install "sparse as .zst: install" "${t[0]}" "${t[3]}" "cpu ${t[4]} s; one run"
    [ $((t[3] / 1024)) -lt 150 ] || { echo "bench_install: zstd install over the 150 MB budget" >&2; status=1; }
  else
    echo "bench_install: zstd install failed" >&2; tail -5 "$d/log" >&2; status=1
  fi
  losetup -d "$dev"
  trap bench_cleanup EXIT
  rm -f "$d/target.img"
  return "$status"
}
