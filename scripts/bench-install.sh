# shellcheck shell=bash
# Section `install` of scripts/bench (sourced by it; run with `scripts/bench install`, as root).
# A 2 GiB GPT raw image (the sample metal image when built, plus 256 MiB of random data), xz -1,
# signed by a throwaway key, installed onto a loop device; compared with `xz -dc | dd`
# followed by `gpg --verify`, and with the bare decompression floor `xz -dc > /dev/null`.
# The same image as zstd -3 too. The installer's peak RSS must stay < 150 MB.
bench_install() {
  local d="$BENCH_TMP/install" t ref rss_mb verdict dev
  mkdir -p "$d"
  bench_gpg_key
  truncate -s 2G "$d/img.raw"
  if [ -f "$REPO/build/images/nestos-sample-metal.x86_64.raw" ]; then
    dd if="$REPO/build/images/nestos-sample-metal.x86_64.raw" of="$d/img.raw" bs=4M conv=notrunc,sparse status=none
    sgdisk -e "$d/img.raw" >/dev/null
  else
    sgdisk -n1:0:0 -c1:data "$d/img.raw" >/dev/null
  fi
  head -c 256M /dev/urandom | dd of="$d/img.raw" bs=4M seek=384 conv=notrunc status=none
  xz -T0 -1 -c "$d/img.raw" > "$d/img.raw.xz"
  zstd -q -3 -T0 -c "$d/img.raw" > "$d/img.raw.zst"
  rm -f "$d/img.raw"
  gpg --homedir "$BENCH_TMP/gnupg" --batch --quiet --detach-sign -o "$d/img.raw.xz.sig" "$d/img.raw.xz"
  gpg --homedir "$BENCH_TMP/gnupg" --batch --quiet --detach-sign -o "$d/img.raw.zst.sig" "$d/img.raw.zst"
  truncate -s 2100M "$d/target.img"
  dev="$(losetup --show -f "$d/target.img")"
  # shellcheck disable=SC2064
  trap "losetup -d '$dev' 2>/dev/null || true; bench_cleanup" EXIT

  bench_time t sh -c "xz -dc '$d/img.raw.xz' > /dev/null"
  bench_row install "xz -dc > /dev/null (2 GiB out)" "${t% *}" "${t#* }"
  bench_time t sh -c "xz -dc '$d/img.raw.xz' | dd of='$dev' bs=1M conv=fsync status=none && gpg --homedir '$BENCH_TMP/gnupg' --batch --quiet --verify '$d/img.raw.xz.sig' '$d/img.raw.xz' 2>/dev/null"
  ref=${t% *}
  bench_row install "xz -dc + dd conv=fsync, then gpg --verify" "${t% *}" "${t#* }"
  bench_time t "${CLI[@]}" install "$dev" -f "$d/img.raw.xz" --trusted-key "$BENCH_TMP/key.asc" 2>"$d/log" ||
    { tail -5 "$d/log" >&2; losetup -d "$dev"; return 1; }
  rss_mb=$(( ${t#* } / 1024 ))
  verdict="$(bench_pct "${t% *}" "$ref"); RSS OK (< 150 MB)"
  [ "$rss_mb" -lt 150 ] || verdict="$(bench_pct "${t% *}" "$ref"); RSS OVER BUDGET"
  bench_row install "install (verify + write + 2x fsync)" "${t% *}" "${t#* }" "$verdict"
  local zst_rss_mb
  bench_time t "${CLI[@]}" install "$dev" -f "$d/img.raw.zst" --trusted-key "$BENCH_TMP/key.asc" 2>"$d/log" ||
    { tail -5 "$d/log" >&2; losetup -d "$dev"; return 1; }
  zst_rss_mb=$(( ${t#* } / 1024 ))
  verdict="RSS OK (< 150 MB)"
  [ "$zst_rss_mb" -lt 150 ] || verdict="RSS OVER BUDGET"
  bench_row install "install, same image as .zst" "${t% *}" "${t#* }" "$verdict"
  losetup -d "$dev"
  trap bench_cleanup EXIT
  rm -f "$d/target.img"
  [ "$rss_mb" -lt 150 ] && [ "$zst_rss_mb" -lt 150 ] || { echo "bench_install: peak RSS over the 150 MB budget" >&2; return 1; }
}
