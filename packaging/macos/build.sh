#!/usr/bin/env bash
# Build the signed, notarised macOS installer package: ByteOS.app (PyInstaller, signed with
# the hardened runtime) inside a signed .pkg for /Applications, notarised and stapled.
# UNTESTED HERE (the project is built and tested on Debian). Needs Xcode's command line tools
# and, from the environment (never from the repository):
#   BYTEOS_MACOS_IDENTITY   "Developer ID Application: <Org> (<TEAMID>)"  (signs the app)
#   BYTEOS_INSTALLER_IDENTITY "Developer ID Installer: <Org> (<TEAMID>)"  (signs the .pkg)
#   BYTEOS_NOTARY_PROFILE   a profile saved with `xcrun notarytool store-credentials`
#
#   bash packaging/macos/build.sh
# Silent install for IT (MDM or ssh):   sudo installer -pkg ByteOS-0.1.0.pkg -target /
# The package has no scripts: it never launches the app.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${BYTEOS_MACOS_IDENTITY:?set BYTEOS_MACOS_IDENTITY}"
: "${BYTEOS_INSTALLER_IDENTITY:?set BYTEOS_INSTALLER_IDENTITY}"
: "${BYTEOS_NOTARY_PROFILE:?set BYTEOS_NOTARY_PROFILE}"
PY=.venv/bin/python
VERSION=$("$PY" -c "import tomllib;print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
OUT=dist/macos
mkdir -p "$OUT"
export BYTEOS_VERSION=$VERSION
BYTEOS_GGUF=$("$PY" -c "from pathlib import Path; from engine.llm.bundled import DEFAULT_MODEL, ensure_gguf; print(ensure_gguf(DEFAULT_MODEL, Path('build/models')))")
export BYTEOS_GGUF BYTEOS_ICONS=$OUT/byteos-icons
"$PY" packaging/icons/render.py "$BYTEOS_ICONS" >/dev/null
# PyInstaller signs every collected binary and the app with BYTEOS_MACOS_IDENTITY (the spec's
# codesign_identity, hardened runtime, entitlements.plist)
"$PY" -m PyInstaller --noconfirm --distpath "$OUT" --workpath build/pyinstaller packaging/byteos.spec
codesign --force --options runtime --timestamp --entitlements packaging/macos/entitlements.plist \
  --sign "$BYTEOS_MACOS_IDENTITY" "$OUT/ByteOS.app"
codesign --verify --strict --verbose=2 "$OUT/ByteOS.app"

mkdir -p "$OUT/pkgroot"
rm -rf "$OUT/pkgroot/ByteOS.app"
ditto "$OUT/ByteOS.app" "$OUT/pkgroot/ByteOS.app"
pkgbuild --root "$OUT/pkgroot" --component-plist packaging/macos/component.plist \
  --identifier org.byteos.desktop --version "$VERSION" --install-location /Applications \
  "$OUT/ByteOS-component.pkg"
PKG=$OUT/ByteOS-$VERSION.pkg
productbuild --package "$OUT/ByteOS-component.pkg" --sign "$BYTEOS_INSTALLER_IDENTITY" "$PKG"
xcrun notarytool submit "$PKG" --keychain-profile "$BYTEOS_NOTARY_PROFILE" --wait
xcrun stapler staple "$PKG"
pkgutil --check-signature "$PKG"
spctl --assess --type install --verbose "$PKG"
(cd "$OUT" && shasum -a 256 "$(basename "$PKG")" >SHA256SUMS)
echo "built $PKG"
