#!/bin/bash
# sign.sh FILE... : writes a binary detached signature FILE.sig with the sample key.
source "$(dirname "$0")/lib.sh"
trap 'gpgconf --homedir "$OUT/gnupg" --kill gpg-agent 2>/dev/null || true' EXIT
for f in "$@"; do
  rm -f "$f.sig.tmp"
  gpg --homedir "$OUT/gnupg" --batch --quiet --yes --pinentry-mode loopback --passphrase '' \
    --digest-algo SHA256 --detach-sign --output "$f.sig.tmp" "$f"
  mv "$f.sig.tmp" "$f.sig"
done
