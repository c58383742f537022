# Shared helpers for the sample-OS image recipes (sourced by build.sh and the step scripts).
# Caching: every step has a key = sha256 of its recipe files + inputs + extra strings. When the key
# stored in $CACHE/<step>.key matches and every declared output exists, the step is skipped.
set -euo pipefail
IMAGES_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$IMAGES_SRC/.." && pwd)
OUT=${NESTOS_IMAGES_DIR:-$REPO_ROOT/build/images}
CACHE=$OUT/.cache
mkdir -p "$OUT" "$CACHE"

log() { printf '[images] %s\n' "$*" >&2; }

# hash_inputs PATH_OR_STRING... : files and directories are hashed by content (dirs recursively,
# including symlink targets and modes); anything else is hashed as a literal string.
hash_inputs() {
  local a
  for a in "$@"; do
    if [ -d "$a" ]; then
      (cd "$a" && find . \( -type f -o -type l \) -printf '%p %m %l\n' | LC_ALL=C sort &&
        find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
    elif [ -f "$a" ]; then
      sha256sum <"$a"
    else
      printf 'str:%s\n' "$a"
    fi
  done | sha256sum | cut -c1-64
}

# step NAME "OUT1 OUT2..." INPUT... -- COMMAND...
# Runs COMMAND unless the cache key for NAME is unchanged and all outputs (relative to $OUT) exist.
step() {
  local name=$1 outputs=$2; shift 2
  local inputs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do inputs+=("$1"); shift; done
  shift
  local key; key=$(hash_inputs "$IMAGES_SRC/lib.sh" "${inputs[@]}")
  local keyfile=$CACHE/$name.key o ok=1
  for o in $outputs; do [ -e "$OUT/$o" ] || ok=0; done
  if [ $ok = 1 ] && [ -f "$keyfile" ] && [ "$(cat "$keyfile")" = "$key" ]; then
    log "$name: cached"
    return 0
  fi
  log "$name: building"
  local t0=$SECONDS
  rm -f "$keyfile"
  "$@"
  for o in $outputs; do [ -e "$OUT/$o" ] || { log "$name: missing output $o"; return 1; }; done
  echo "$key" >"$keyfile"
  log "$name: done in $((SECONDS - t0))s"
}

# key_of NAME: the current cache key of a step (to chain steps: a step depends on another's key).
key_of() { cat "$CACHE/$1.key" 2>/dev/null || echo none; }
