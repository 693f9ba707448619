#!/usr/bin/env bash
# Screenshots of the real app for review, at 1024x700, 1280x820 and 1920x1080: the Learn
# dashboard, the course player (a module open, and the video's progress page), the Studio
# editor and every dialog (app/shell/screenshots.py says how). Usage:
#   bash scripts/screenshots.sh [OUT_DIR]      (default: a new temporary folder)
# The PNGs are for looking at, never for committing: keep OUT_DIR outside the repository.
# Runs under Xvfb (a 1920x1080 virtual screen) unless QT_QPA_PLATFORM is already set.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d "${TMPDIR:-/tmp}/byteos-screenshots-XXXXXX")}"
python=.venv/bin/python
[ -x "$python" ] || { bash scripts/setup.sh; }
if [ -n "${QT_QPA_PLATFORM:-}" ]; then
  exec "$python" -m app.shell.screenshots "$out"
fi
exec xvfb-run -a -s "-screen 0 1920x1080x24" "$python" -m app.shell.screenshots "$out"
