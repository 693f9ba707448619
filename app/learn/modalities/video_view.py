"""Video (spec operation ``video.generate``): the module as a narrated slide video.

The slides are the module's blocks laid out by ``engine.media.script``; each is shown while
its narration plays. The MP4 (H.264 + AAC, with a mov_text caption track and a WebVTT
sidecar) is rendered in the background with progress and Cancel, cached with the module and
re-rendered when its content changes. It plays in a ``QVideoWidget`` with the shared
transport bar; captions (on by default, toggled with C) are drawn under the picture from the
WebVTT cues.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.learn.modalities.audio_view import MediaModalityView
from app.learn.modalities.base import ModalityHost, local_shortcut
from app.services import media_variants
from app.services.media_variants import MediaFile
from app.tasks import TaskControl
from engine.media.captions import Cue


class VideoView(MediaModalityView):
    name = "video"
    label = "Video"
    media_kind = "video"
    noun = "video"

    def __init__(self, host: ModalityHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.transport.addWidget(self.captions_button)

    def build_display(self) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(6)
        self.video = QVideoWidget()
        self.video.setObjectName("video-screen")
        self.video.setMinimumSize(480, 270)
        self.video.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
        self.video.setStyleSheet("background: #000;")
        self.player.setVideoOutput(self.video)
        self.frames_shown = 0
        self._last_frame: QVideoFrame | None = None
        self.video.videoSink().videoFrameChanged.connect(self._on_frame)
        v.addWidget(self.video, 1)
        self.caption = QLabel()
        self.caption.setObjectName("video-caption")
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setMinimumHeight(56)
        self.caption.setStyleSheet(
            "background: #111; color: #fff; font-size: 14pt; padding: 8px; border-radius: 4px;"
        )
        self.caption.setAccessibleName("Captions")
        v.addWidget(self.caption)
        self.captions_button = QPushButton("Captions: on")
        self.captions_button.setObjectName("video-captions")
        self.captions_button.setCheckable(True)
        self.captions_button.setChecked(True)
        self.captions_button.setAccessibleName("Show or hide captions (C)")
        self.captions_button.toggled.connect(self.set_captions)
        local_shortcut(self, Qt.Key.Key_C, self.captions_button.toggle)
        return box

    def _on_frame(self, frame: QVideoFrame) -> None:
        if frame.isValid():
            self.frames_shown += 1
            self._last_frame = frame

    def current_frame(self) -> QImage:
        """The picture on screen now (a null image before the first frame). ``grab()`` cannot
        see inside the native video surface, so tests and screenshots use this."""
        return self._last_frame.toImage() if self._last_frame is not None else QImage()

    def make(self, control: TaskControl) -> MediaFile:
        assert self.host.module.id
        return media_variants.ensure_video(self.host.ctx, self.host.module.id, control.progress)

    def set_captions(self, on: bool) -> None:
        self.captions_button.setText(f"Captions: {'on' if on else 'off'}")
        self.caption.setVisible(on)

    def show_media(self, media: MediaFile) -> None:
        self.caption.setText(self.cues[0].text if self.cues else "")

    def position_changed(self, ms: int, cue: Cue | None) -> None:
        self.caption.setText(cue.text if cue is not None else "")
