#!/bin/bash
# Generates the sample OpenPGP signing key (RSA 3072, no passphrase) in build/images/gnupg and
# exports the armored public key as sample-signing-key.pub.asc.
source "$(dirname "$0")/../lib.sh"
G=$OUT/gnupg
rm -rf "$G" "$OUT/sample-signing-key.pub.asc"
mkdir -m 0700 "$G"
gpg --homedir "$G" --batch --quiet --pinentry-mode loopback --passphrase '' \
  --quick-gen-key 'NestOS Sample Signing Key (test only) <sample-signing@nestos.invalid>' rsa3072 sign never
gpg --homedir "$G" --batch --armor --export >"$OUT/sample-signing-key.pub.asc.tmp"
mv "$OUT/sample-signing-key.pub.asc.tmp" "$OUT/sample-signing-key.pub.asc"
gpg --homedir "$G" --batch --list-keys --with-colons | awk -F: '$1=="fpr"{print $10; exit}' >"$OUT/sample-signing-key.fpr"
gpgconf --homedir "$G" --kill gpg-agent 2>/dev/null || true
