#!/bin/sh
# /usr/bin/byteos: the app installed in /opt/byteos (a PyInstaller one-folder build).
exec /opt/byteos/byteos "$@"
