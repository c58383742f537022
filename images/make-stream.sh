#!/bin/bash
# make-stream.sh [BASE_URL] [OUTPUT] : writes FCOS-style stream metadata for stream "sample"
# (x86_64 / metal; formats raw.xz raw.gz raw.zst 4k.raw.xz iso pxe) from the artifacts that exist
# in build/images, with sha256, uncompressed-sha256 and .sig locations.
# Without BASE_URL, locations are relative file names (build/images/sample.json); the stream
# server (scripts/serve-stream) serves sample.json with locations made absolute (<base>/<file>).
source "$(dirname "$0")/lib.sh"
BASE=${1:-}
DEST=${2:-$OUT/sample.json}
sha_cached() { # sha256 of a file, memoised by path+size+mtime in .cache/sha256
  local f=$1 id
  id=$(stat -c '%n %s %Y' "$f" | sha256sum | cut -c1-32)
  if [ ! -f "$CACHE/sha256/$id" ]; then
    mkdir -p "$CACHE/sha256"
    sha256sum <"$f" | cut -c1-64 >"$CACHE/sha256/$id"
  fi
  cat "$CACHE/sha256/$id"
}
args=()
add() { # FORMAT TYPE FILE [UNCOMPRESSED_FILE]
  [ -f "$OUT/$3" ] || return 0
  local u=""
  [ -n "${4:-}" ] && [ -f "$OUT/$4" ] && u=$(sha_cached "$OUT/$4")
  args+=("$1" "$2" "$3" "$(sha_cached "$OUT/$3")" "$u")
}
M=nestos-sample-metal.x86_64.raw
M4=nestos-sample-metal4k.x86_64.raw
add raw.xz disk "$M.xz" "$M"
add raw.gz disk "$M.gz" "$M"
add raw.zst disk "$M.zst" "$M"
add 4k.raw.xz disk "$M4.xz" "$M4"
add iso disk nestos-sample-live.x86_64.iso
add pxe kernel nestos-sample-live-kernel-x86_64
add pxe initramfs nestos-sample-live-initramfs.x86_64.img
add pxe rootfs nestos-sample-live-rootfs.x86_64.img
python3 - "$BASE" "$DEST" "${args[@]}" <<'PY'
import json, sys, datetime
base, dest, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
def url(name):
    return base.rstrip("/") + "/" + name if base else name
formats = {}
for i in range(0, len(rest), 5):
    fmt, typ, name, sha, usha = rest[i:i + 5]
    art = {"location": url(name), "signature": url(name + ".sig"), "sha256": sha}
    if usha:
        art["uncompressed-sha256"] = usha
    formats.setdefault(fmt, {})[typ] = art
doc = {
    "stream": "sample",
    "metadata": {"last-modified": "2024-01-01T00:00:00Z", "generator": "nestos-installer images/make-stream.sh"},
    "architectures": {"x86_64": {"artifacts": {"metal": {"release": "24.03-LTS.1", "formats": formats}}}},
}
with open(dest + ".tmp", "w") as f:
    json.dump(doc, f, indent=2, sort_keys=True)
    f.write("\n")
import os
os.replace(dest + ".tmp", dest)
PY
