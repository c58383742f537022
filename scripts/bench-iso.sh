# shellcheck shell=bash
# bench_iso: `iso ignition embed` in place on a 10 MiB and a 1 GiB ISO (should cost the same:
# only the 256 KiB area is written), and `-o FILE` on the 1 GiB ISO vs `cp` of it (copy +
# patch), both as a user sees them (the copy in the page cache) and followed by `sync` (the copy
# on disk). Sourced by scripts/bench (uses bench_time/bench_row, $CLI).
bench_iso() {
  local dist="${NESTOS_INSTALLER_DIST:-$REPO/dist}" work="$BENCH_TMP/iso"
  local t1 t2 t3 t4 t6 t7
  mkdir -p "$work"
  [ -f "$dist/test/helpers/iso-fixture.js" ] || { echo "bench_iso: build first (npm run build)"; return 1; }
  local small
  small="$(node -e "import('$dist/test/helpers/iso-fixture.js').then(m => console.log(m.buildFixtureIso({ filler: 10 * 1024 * 1024 }).iso))")"
  head -c 1G /dev/urandom > "$work/filler.bin"
  xorriso -indev "$small" -outdev "$work/big.iso" -boot_image any replay -map "$work/filler.bin" /filler2.bin -commit >/dev/null 2>&1
  rm -f "$work/filler.bin"
  cp "$small" "$work/small.iso"; sync
  printf '{"ignition":{"version":"3.3.0"}}' > "$work/config.ign"
  bench_time t1 "${CLI[@]}" iso ignition embed -f -i "$work/config.ign" "$work/small.iso"
  bench_time t2 "${CLI[@]}" iso ignition embed -f -i "$work/config.ign" "$work/big.iso"
  # Best of 3 each; the input is in the page cache for all. Without sync: what a user waits for
  # (the copy lands in the page cache). With sync: the copy written back to disk as well.
  local i t cli="${CLI[*]}"
  t3="999 0"; t4="999 0"; t6="999 0"; t7="999 0"
  for i in 1 2 3; do
    rm -f "$work/cp.iso" "$work/out.iso"; sync
    bench_time t cp "$work/big.iso" "$work/cp.iso"
    bench_lt "${t% *}" "${t6% *}" && t6="$t"
    rm -f "$work/cp.iso"; sync
    bench_time t $cli iso ignition embed -f -i "$work/config.ign" -o "$work/out.iso" "$work/big.iso"
    bench_lt "${t% *}" "${t7% *}" && t7="$t"
    rm -f "$work/out.iso"; sync
    bench_time t sh -c "cp '$work/big.iso' '$work/cp.iso' && sync"
    bench_lt "${t% *}" "${t3% *}" && t3="$t"
    rm -f "$work/cp.iso"; sync
    bench_time t sh -c "$cli iso ignition embed -f -i '$work/config.ign' -o '$work/out.iso' '$work/big.iso' && sync"
    bench_lt "${t% *}" "${t4% *}" && t4="$t"
  done
  local t5
  bench_time t5 "${CLI[@]}" --version
  local s
  s="$(du -m "$work/small.iso" | cut -f1)"
  bench_row iso "embed in place, ${s} MiB ISO" ${t1% *} ${t1#* }
  bench_row iso "embed in place, 1 GiB ISO" ${t2% *} ${t2#* } "vs ${s} MiB: same work (256 KiB area)"
  bench_row iso "cp of the 1 GiB ISO (best of 3)" ${t6% *} ${t6#* }
  bench_row iso "embed -o FILE, 1 GiB (best of 3)" ${t7% *} ${t7#* } "$(bench_pct ${t7% *} ${t6% *})"
  bench_row iso "cp + sync of the 1 GiB ISO (best of 3)" ${t3% *} ${t3#* }
  bench_row iso "embed -o FILE + sync, 1 GiB (best of 3)" ${t4% *} ${t4#* } "$(bench_pct ${t4% *} ${t3% *})"
  bench_row iso "CLI startup alone (--version)" ${t5% *} ${t5#* } "-o FILE minus startup vs cp: $(bench_pct "$(awk -v a="${t4% *}" -v b="${t5% *}" 'BEGIN{print a-b}')" ${t3% *})"
  rm -rf "$work" "$(dirname "$small")"
}
