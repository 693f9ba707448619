"""Render packaging/icons/byteos.svg into the icons installers need: hicolor PNGs (Linux),
an .ico (Windows) and an .icns (macOS). Run by build.sh with the project's Python:
``python packaging/icons/render.py OUT_DIR``. Qt draws the SVG; Pillow writes .ico/.icns."""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(out: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    svg = Path(__file__).with_name("byteos.svg")
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render.py: {svg} is not a valid SVG")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = out / f"byteos-{size}.png"
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"render.py: could not write {path}")
        written.append(path)
    del app
    big = Image.open(out / "byteos-512.png")
    big.save(out / "byteos.ico", sizes=[(s, s) for s in SIZES if s <= 256])
    big.save(out / "byteos.icns")
    return [*written, out / "byteos.ico", out / "byteos.icns"]


if __name__ == "__main__":
    for p in render(Path(sys.argv[1])):
        print(p)
