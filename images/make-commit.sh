#!/bin/bash
# make-commit.sh VERSION [REPO] : adds a signed commit with metadata version=VERSION on top of the
# sample ref (content differs by usr/lib/nestos-sample-version), then updates the signed summary.
# REPO defaults to build/images/repo; pass a copy when a test must not change the shared repo.
source "$(dirname "$0")/lib.sh"
VERSION=${1:?usage: make-commit.sh VERSION [REPO]}
REPO=${2:-$OUT/repo}
REF=$(cat "$OUT/repo-ref")
FPR=$(cat "$OUT/sample-signing-key.fpr")
ov=$(mktemp -d)
trap 'rm -rf "$ov"; gpgconf --homedir "$OUT/gnupg" --kill gpg-agent 2>/dev/null || true' EXIT
mkdir -p "$ov/usr/lib"
echo "$VERSION" >"$ov/usr/lib/nestos-sample-version"
ostree commit --repo="$REPO" --branch="$REF" --subject="NestOS sample $VERSION" \
  --add-metadata-string=version="$VERSION" --add-metadata-string=nestos.stream=sample \
  --owner-uid=0 --owner-gid=0 --no-xattrs --tree=ref="$REF" --tree=dir="$ov" \
  --gpg-sign="$FPR" --gpg-homedir="$OUT/gnupg"
ostree summary --repo="$REPO" -u --gpg-sign="$FPR" --gpg-homedir="$OUT/gnupg"
