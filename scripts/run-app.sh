#!/usr/bin/env bash
# One command to run ByteOS: set up if needed, then open the app (local SQLite, demo content).
# Without a display (a server, CI, SSH) it runs under Xvfb. Extra arguments go to `byteos`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "run-app: no display found; starting ByteOS on a virtual screen (xvfb-run)"
  exec xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/byteos "$@"
fi
exec .venv/bin/byteos "$@"
