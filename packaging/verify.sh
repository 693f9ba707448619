#!/usr/bin/env bash
# Check a downloaded ByteOS package against a pinned public key, with no network:
#
#   bash packaging/verify.sh PACKAGE [SUMS [SIG [PUBKEY]]]
#
# SUMS defaults to SHA256SUMS beside PACKAGE, SIG to SUMS.asc, PUBKEY to $BYTEOS_PINNED_KEY or
# packaging/keys/byteos-release.asc. Passes (exit 0) only when SIG is a good signature of SUMS
# by PUBKEY (its primary key or a subkey) and SUMS lists PACKAGE's name exactly once with
# PACKAGE's SHA-256. Anything else exits 1 and says what failed. No key server is asked.
set -euo pipefail
fail() { echo "verify: FAILED: $*" >&2; exit 1; }
[ $# -ge 1 ] && [ $# -le 4 ] || { sed -n '2,9p' "$0" >&2; exit 1; }
PACKAGE=$1
SUMS=${2:-$(dirname "$PACKAGE")/SHA256SUMS}
SIG=${3:-$SUMS.asc}
PUBKEY=${4:-${BYTEOS_PINNED_KEY:-$(dirname "$0")/keys/byteos-release.asc}}
for f in "$PACKAGE" "$SUMS" "$SIG" "$PUBKEY"; do
  [ -f "$f" ] || fail "$f does not exist"
done

GNUPGHOME=$(mktemp -d "${TMPDIR:-/tmp}/byteos-verify.XXXXXX")
export GNUPGHOME
trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
chmod 700 "$GNUPGHOME"
GPG=(gpg --batch --quiet --no-tty --no-auto-key-retrieve --no-auto-key-locate)
"${GPG[@]}" --import "$PUBKEY" 2>/dev/null || fail "$PUBKEY is not an OpenPGP public key"
pinned=$(gpg --batch --with-colons --list-keys | awk -F: '$1=="pub"{getline; print $10}')
[ "$(printf '%s\n' "$pinned" | grep -c .)" -eq 1 ] || fail "$PUBKEY must hold exactly one key"

status=$("${GPG[@]}" --status-fd 1 --verify "$SIG" "$SUMS" 2>/dev/null) \
  || fail "$SIG is not a good signature of $SUMS by the pinned key $pinned"
signer=$(printf '%s\n' "$status" | awk '$2=="VALIDSIG"{print $NF}')
[ "$signer" = "$pinned" ] || fail "signed by ${signer:-nobody}, not by the pinned key $pinned"
if printf '%s\n' "$status" | grep -qE '^\[GNUPG:\] (EXPKEYSIG|REVKEYSIG|EXPSIG)'; then
  fail "the signing key or the signature has expired or been revoked"
fi

name=$(basename "$PACKAGE")
lines=$(awk -v n="$name" '{f=$2; sub(/^\*/, "", f)} f==n' "$SUMS")
[ "$(printf '%s' "$lines" | grep -c .)" -eq 1 ] || fail "$SUMS does not list $name exactly once"
want=$(printf '%s\n' "$lines" | awk '{print $1}')
have=$(sha256sum -- "$PACKAGE" | awk '{print $1}')
[ "$want" = "$have" ] || fail "$name does not match $SUMS (sha256 $have, signed $want)"
echo "verify: OK: $name matches the signed SHA256SUMS (key $pinned)"
