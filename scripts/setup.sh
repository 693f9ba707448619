#!/usr/bin/env bash
# Idempotent set-up of a fresh Debian machine for ByteOS: system packages, then .venv.
# Fast when everything is already installed (checks before it installs).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # Qt's runtime libraries (xcb platform plugin, OpenGL, fonts, keyboard)
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxrender1 libxi6
  fonts-dejavu-core
  # a virtual screen for tests and screenshots
  xvfb xauth
  # Audio/Video modalities: ffmpeg/ffprobe to encode and check media, the offline voice
  ffmpeg espeak-ng
  # sync tests: a throwaway PostgreSQL server (started by the tests on a loopback port)
  postgresql
  # SCORM tests: the exported runtime plays in a real browser, against the LMS runtime
  # LMSs embed (scorm-again, fetched with npm by the tests into ~/.cache/byteos-tests)
  chromium
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm from Debian only where there is none: a Node.js installed another way (NodeSource, a
# tarball) conflicts with Debian's npm package
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi

# Reinstall only when the dependency list changed.
stamp=.venv/.byteos-deps
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! .venv/bin/python -c "import app" 2>/dev/null; then
  echo "setup: installing Python packages into .venv"
  log=$(mktemp)
  # llama-cpp-python compiles from source: build for any x86-64, not just this CPU
  export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}"
  # torch: the CPU build when one lies on disk (a bare PyPI torch is a multi-GB CUDA build)
  cpu_torch=$(ls /opt/wheels/torch-2.13.0+cpu-*.whl 2>/dev/null | head -n 1 || true)
  if [ -n "$cpu_torch" ] && ! .venv/bin/python -c "import torch" 2>/dev/null; then
    .venv/bin/python -m pip install -q "$cpu_torch" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  fi
  if ! .venv/bin/python -m pip install -q -e ".[dev]" >"$log" 2>&1; then
    grep -v "is ignored" "$log" >&2
    echo "setup: pip install failed" >&2
    exit 1
  fi
  rm -f "$log"
  .venv/bin/python -c "import app, PySide6, sqlalchemy, alembic, llama_cpp, torch"
  echo "$want" > "$stamp"
fi
