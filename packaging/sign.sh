#!/usr/bin/env bash
# Write OUT/SHA256SUMS for FILE... (names inside OUT) and sign it: OUT/SHA256SUMS.asc, an
# armored detached OpenPGP signature, plus the public key (byteos-signing-key.asc) and its
# fingerprint (byteos-signing-key.fpr) for IT to pin. Called by build.sh:
#
#   bash packaging/sign.sh OUT KEY_FILE FILE...
#
# KEY_FILE: an armored secret key (empty: $BYTEOS_SIGNING_KEY holds one, else a throwaway key
# is made, for tests). $BYTEOS_SIGNING_PASSPHRASE unlocks it. A key file inside the repository
# is refused: the signing key never lives with the code.
set -euo pipefail
OUT=$1 KEY_FILE=$2
shift 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GNUPGHOME=$(mktemp -d "${TMPDIR:-/tmp}/byteos-sign.XXXXXX")
export GNUPGHOME
trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
chmod 700 "$GNUPGHOME"
GPG=(gpg --batch --quiet --no-tty --pinentry-mode loopback)

if [ -n "$KEY_FILE" ]; then
  real=$(realpath "$KEY_FILE")
  case "$real" in
    "$ROOT"/*) echo "sign.sh: refusing a signing key inside the repository ($KEY_FILE)" >&2; exit 1 ;;
  esac
  "${GPG[@]}" --import "$real"
elif [ -n "${BYTEOS_SIGNING_KEY:-}" ]; then
  printf '%s\n' "$BYTEOS_SIGNING_KEY" | "${GPG[@]}" --import
else
  echo "sign.sh: no signing key given: signing with a THROWAWAY key (tests only, not a release)" >&2
  "${GPG[@]}" --passphrase '' --quick-gen-key "ByteOS throwaway build key <throwaway@byteos.invalid>" \
    ed25519 sign 2d 2>"$GNUPGHOME/keygen.log" || { cat "$GNUPGHOME/keygen.log" >&2; exit 1; }
fi
fpr=$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '$1=="fpr"{print $10; exit}')
[ -n "$fpr" ] || { echo "sign.sh: the key holds no secret key to sign with" >&2; exit 1; }

(cd "$OUT" && sha256sum -- "$@") >"$OUT/SHA256SUMS"
rm -f "$OUT/SHA256SUMS.asc"
"${GPG[@]}" --passphrase-fd 3 --local-user "$fpr" --armor --detach-sign \
  --output "$OUT/SHA256SUMS.asc" "$OUT/SHA256SUMS" 3<<<"${BYTEOS_SIGNING_PASSPHRASE:-}"
gpg --batch --armor --export "$fpr" >"$OUT/byteos-signing-key.asc"
echo "$fpr" >"$OUT/byteos-signing-key.fpr"
echo "sign.sh: signed $OUT/SHA256SUMS with $fpr" >&2
