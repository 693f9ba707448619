"""Audio: the module narrated, with a player (play/pause, seek, ±10 s, speed) and a transcript
that follows the voice; clicking a line of the transcript jumps there. Keys (while the view
has focus): K play/pause, ←/→ 5 s, J/L 10 s; the video adds C for captions.

The narration is made on demand by ``app.services.media_variants`` in the background (edge-tts
online; offline Piper, else espeak-ng) and cached with the module; once made it opens at once.
Playback records ``video_play`` / ``video_pause`` / ``video_replay`` events with
``{"media": "audio"}`` (the spec's media events; a pause carries the seconds listened since
the play and why: ``user``, ``left`` or ``ended``).

:class:`MediaModalityView` holds everything the Audio and Video views share.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.learn.modalities.base import ModalityHost, ModalityView, local_shortcut
from app.services import media_variants
from app.services.media_variants import MediaFile, MediaKind
from app.tasks import TaskControl, TaskHandle
from engine.media.captions import Cue, cue_at

log = logging.getLogger(__name__)

SPEEDS: tuple[float, ...] = (0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
SKIP_MS = 10_000


def clock(ms: int) -> str:
    secs = max(0, ms) // 1000
    return f"{secs // 60}:{secs % 60:02d}"


class MediaModalityView(ModalityView):
    """A module's generated media with a transport bar; subclasses supply the display."""

    media_kind: MediaKind = "audio"
    noun = "narration"

    def __init__(self, host: ModalityHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.media: MediaFile | None = None
        self.cues: list[Cue] = []
        self.task: TaskHandle | None = None
        self.error: str | None = None
        self._ended = False
        self._played_since: float | None = None  # monotonic time of the last play
        self._seeking = False

        self.player = QMediaPlayer(self)
        self.audio_output = QAudioOutput(self)
        self.player.setAudioOutput(self.audio_output)
        self.player.positionChanged.connect(self._on_position)
        self.player.durationChanged.connect(self._on_duration)
        self.player.playbackStateChanged.connect(self._on_state)
        self.player.mediaStatusChanged.connect(self._on_status)
        self.player.errorOccurred.connect(self._on_player_error)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 16, 24, 16)
        lay.setSpacing(10)
        head = QHBoxLayout()
        title = QLabel(host.module.title)
        title.setProperty("role", "title")
        title.setWordWrap(True)
        head.addWidget(title, 1)
        self.voice_label = QLabel()
        self.voice_label.setObjectName(f"{self.name}-voice")
        self.voice_label.setProperty("role", "muted")
        head.addWidget(self.voice_label, 0, Qt.AlignmentFlag.AlignBottom)
        lay.addLayout(head)

        self.stack = QStackedWidget()
        lay.addWidget(self.stack, 1)
        self.stack.addWidget(self._build_prepare_page())
        player_page = QWidget()
        pl = QVBoxLayout(player_page)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.build_display(), 1)
        self.transport = self._build_transport()
        pl.addLayout(self.transport)
        self.stack.addWidget(player_page)

        # Space plays/pauses through the Play button, which has the focus once media loads
        # (a Space shortcut would steal Space from the other buttons); K works anywhere.
        local_shortcut(self, Qt.Key.Key_K, self.toggle_play)
        local_shortcut(self, Qt.Key.Key_Left, lambda: self.skip(-SKIP_MS // 2))
        local_shortcut(self, Qt.Key.Key_Right, lambda: self.skip(SKIP_MS // 2))
        local_shortcut(self, Qt.Key.Key_J, lambda: self.skip(-SKIP_MS))
        local_shortcut(self, Qt.Key.Key_L, lambda: self.skip(SKIP_MS))
        self._set_transport_enabled(False)

    # -- building ------------------------------------------------------------------------
    def _build_prepare_page(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.addStretch(1)
        self.status = QLabel(f"The {self.noun} has not been made yet.")
        self.status.setObjectName(f"{self.name}-status")
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        v.addWidget(self.status)
        self.progress = QProgressBar()
        self.progress.setObjectName(f"{self.name}-progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(440)
        v.addWidget(self.progress, 0, Qt.AlignmentFlag.AlignHCenter)
        row = QHBoxLayout()
        row.addStretch(1)
        self.make_button = QPushButton(f"Make the {self.noun}")
        self.make_button.setObjectName(f"{self.name}-make")
        self.make_button.setProperty("role", "primary")
        self.make_button.clicked.connect(self.generate)
        row.addWidget(self.make_button)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName(f"{self.name}-cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        v.addLayout(row)
        v.addStretch(2)
        return page

    def _build_transport(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.play_button = QPushButton("Play")
        self.play_button.setObjectName(f"{self.name}-play")
        self.play_button.setProperty("role", "primary")
        self.play_button.setMinimumWidth(96)
        self.play_button.setAccessibleName("Play or pause (K)")
        self.play_button.clicked.connect(self.toggle_play)
        row.addWidget(self.play_button)
        self.back_button = QPushButton("−10 s")
        self.back_button.setObjectName(f"{self.name}-back")
        self.back_button.setAccessibleName("Back 10 seconds (J)")
        self.back_button.clicked.connect(lambda: self.skip(-SKIP_MS))
        row.addWidget(self.back_button)
        self.forward_button = QPushButton("+10 s")
        self.forward_button.setObjectName(f"{self.name}-forward")
        self.forward_button.setAccessibleName("Forward 10 seconds (L)")
        self.forward_button.clicked.connect(lambda: self.skip(SKIP_MS))
        row.addWidget(self.forward_button)
        self.replay_button = QPushButton("Replay")
        self.replay_button.setObjectName(f"{self.name}-replay")
        self.replay_button.setAccessibleName("Play again from the start")
        self.replay_button.clicked.connect(self.replay)
        row.addWidget(self.replay_button)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName(f"{self.name}-seek")
        self.slider.setAccessibleName("Position")
        self.slider.sliderPressed.connect(lambda: setattr(self, "_seeking", True))
        self.slider.sliderReleased.connect(self._slider_released)
        self.slider.sliderMoved.connect(lambda v: self.time_label.setText(self._time_text(v)))
        self.slider.actionTriggered.connect(self._slider_action)
        row.addWidget(self.slider, 1)
        self.time_label = QLabel("0:00 / 0:00")
        self.time_label.setObjectName(f"{self.name}-time")
        self.time_label.setProperty("role", "muted")
        row.addWidget(self.time_label)
        self.speed = QComboBox()
        self.speed.setObjectName(f"{self.name}-speed")
        self.speed.setAccessibleName("Playback speed")
        for s in SPEEDS:
            self.speed.addItem(f"{s:g}×", s)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.currentIndexChanged.connect(
            lambda i: self.set_rate(float(self.speed.itemData(i)))
        )
        row.addWidget(self.speed)
        return row

    def build_display(self) -> QWidget:
        """What is shown above the transport bar (subclasses)."""
        return QWidget()

    # -- the modality hooks --------------------------------------------------------------
    def activate(self) -> None:
        if self.media is not None or self.task is not None:
            return
        module_id = self.host.module.id
        if not module_id:
            self.status.setText(f"Save this module to make its {self.noun}.")
            self.make_button.setEnabled(False)
            return
        try:
            cached = media_variants.cached_media(self.host.ctx, module_id, self.media_kind)
        except Exception:  # the cache is an optimisation: make it again rather than fail
            log.exception("could not read the cached %s", self.media_kind)
            cached = None
        if cached is not None:
            self.load(cached)
        else:
            self.generate()

    def deactivate(self) -> None:
        if self.is_playing:
            self.pause(reason="left")
        if self.task is not None:
            self.cancel()

    # -- making the media ----------------------------------------------------------------
    def make(self, control: TaskControl) -> MediaFile:
        assert self.host.module.id
        return media_variants.ensure_audio(self.host.ctx, self.host.module.id, control.progress)

    def generate(self) -> None:
        if self.task is not None or not self.host.module.id:
            return
        self.error = None
        self.stack.setCurrentIndex(0)
        self.status.setText(f"Making the {self.noun}…")
        self.progress.setRange(0, 0)  # busy until the first step is done
        self.progress.show()
        self.make_button.hide()
        self.cancel_button.show()
        self.task = self.host.runner.run(
            f"Making the {self.noun} of “{self.host.module.title}”",
            self.make,
            on_success=self._made,
            on_error=self._failed,
            on_progress=self._progressed,
            on_cancel=self._cancelled,
        )

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _progressed(self, fraction: float, message: str) -> None:
        if fraction > 0 and self.progress.maximum() == 0:
            self.progress.setRange(0, 1000)
        self.progress.setValue(round(fraction * 1000))
        if message:
            self.status.setText(f"{message}…")

    def _made(self, media: object) -> None:
        self.task = None
        assert isinstance(media, MediaFile)
        self.load(media)

    def _failed(self, message: str) -> None:
        self.task = None
        self.error = message
        self.status.setText(f"The {self.noun} could not be made: {message}")
        self._show_make_button("Try again")

    def _cancelled(self) -> None:
        self.task = None
        self.status.setText(f"Stopped. The {self.noun} has not been made.")
        self._show_make_button(f"Make the {self.noun}")

    def _show_make_button(self, text: str) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.make_button.setText(text)
        self.make_button.show()

    def load(self, media: MediaFile) -> None:
        self.media = media
        self.cues = media.cues()
        self.voice_label.setText(f"Voice: {media.voice}" if media.voice else "")
        self.player.setSource(QUrl.fromLocalFile(str(media.path)))
        self.slider.setRange(0, round(media.duration * 1000))
        self.time_label.setText(self._time_text(0))
        self.show_media(media)
        self.stack.setCurrentIndex(1)
        self._set_transport_enabled(True)
        self.play_button.setFocus()

    def show_media(self, media: MediaFile) -> None:
        """Fill the display once the media is ready (subclasses)."""

    # -- playback ------------------------------------------------------------------------
    @property
    def is_playing(self) -> bool:
        return self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def _payload(self, **extra: Any) -> dict[str, Any]:
        return {
            "media": self.media_kind,
            "position_secs": round(self.player.position() / 1000, 1),
            "rate": self.player.playbackRate(),
            **extra,
        }

    def toggle_play(self) -> None:
        if self.media is None:
            return
        if self.is_playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if self.media is None or self.is_playing:
            return
        if self._ended:
            self.replay()
            return
        self.host.record("video_play", payload=self._payload())
        self._played_since = time.monotonic()
        self.player.play()

    def replay(self) -> None:
        if self.media is None:
            return
        if self.is_playing:
            self._record_pause("replay")
        self._ended = False
        self.player.setPosition(0)
        self.host.record("video_replay", payload=self._payload(position_secs=0.0))
        self._played_since = time.monotonic()
        self.player.play()

    def pause(self, reason: str = "user") -> None:
        if not self.is_playing:
            return
        self.player.pause()
        self._record_pause(reason)

    def _record_pause(self, reason: str) -> None:
        listened = 0.0
        if self._played_since is not None:
            listened = time.monotonic() - self._played_since
        self._played_since = None
        self.host.record(
            "video_pause", duration_secs=round(listened), payload=self._payload(reason=reason)
        )

    def seek(self, ms: float) -> None:
        if self.media is None:
            return
        ms = max(0, min(int(ms), self.slider.maximum()))
        self._ended = False
        self.player.setPosition(ms)
        self._on_position(ms)

    def skip(self, delta_ms: int) -> None:
        self.seek(self.player.position() + delta_ms)

    def set_rate(self, rate: float) -> None:
        self.player.setPlaybackRate(rate)
        idx = self.speed.findData(rate)
        if idx >= 0 and idx != self.speed.currentIndex():
            self.speed.setCurrentIndex(idx)

    def _slider_released(self) -> None:
        self._seeking = False
        self.seek(self.slider.value())

    def _slider_action(self, _action: int) -> None:
        if not self._seeking:  # page/arrow steps on the slider itself
            self.seek(self.slider.sliderPosition())

    def _time_text(self, ms: int) -> str:
        return f"{clock(ms)} / {clock(self.slider.maximum())}"

    def _on_position(self, ms: int) -> None:
        if not self._seeking:
            self.slider.blockSignals(True)
            self.slider.setValue(ms)
            self.slider.blockSignals(False)
            self.time_label.setText(self._time_text(ms))
        self.position_changed(ms, cue_at(self.cues, ms / 1000))

    def position_changed(self, ms: int, cue: Cue | None) -> None:
        """Follow the playback (subclasses: highlight the transcript, show captions)."""

    def _on_duration(self, ms: int) -> None:
        if ms > 0:
            self.slider.setRange(0, ms)
            self.time_label.setText(self._time_text(self.player.position()))

    def _on_state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        self.play_button.setText("Pause" if playing else ("Play again" if self._ended else "Play"))

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            if self._played_since is not None:
                self._record_pause("ended")
            self._ended = True
            self.play_button.setText("Play again")

    def _on_player_error(self, _error: QMediaPlayer.Error, message: str) -> None:
        log.warning("media player: %s", message)
        self.voice_label.setText(f"Cannot play: {message}")

    def _set_transport_enabled(self, on: bool) -> None:
        for w in (
            self.play_button,
            self.back_button,
            self.forward_button,
            self.replay_button,
            self.slider,
            self.speed,
        ):
            w.setEnabled(on)


class AudioView(MediaModalityView):
    name = "audio"
    label = "Audio"
    media_kind = "audio"
    noun = "narration"

    def build_display(self) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        self.now = QLabel()
        self.now.setObjectName("audio-now")
        self.now.setWordWrap(True)
        self.now.setMinimumHeight(90)
        self.now.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.now.setStyleSheet("font-size: 17pt; font-weight: 600; padding: 12px;")
        self.now.setAccessibleName("What is being said")
        v.addWidget(self.now)
        hint = QLabel("Transcript: click a line to listen from there.")
        hint.setProperty("role", "muted")
        v.addWidget(hint)
        self.transcript = QListWidget()
        self.transcript.setObjectName("audio-transcript")
        self.transcript.setWordWrap(True)
        self.transcript.setAlternatingRowColors(False)
        self.transcript.setStyleSheet("font-size: 12pt;")
        self.transcript.itemClicked.connect(self._jump)
        v.addWidget(self.transcript, 1)
        self._current_row = -1
        return box

    def show_media(self, media: MediaFile) -> None:
        self.transcript.clear()
        for cue in self.cues:
            item = QListWidgetItem(f"{clock(round(cue.start * 1000))}   {cue.text}")
            item.setData(Qt.ItemDataRole.UserRole, cue.start)
            self.transcript.addItem(item)
        self.now.setText(self.cues[0].text if self.cues else self.host.module.title)

    def _jump(self, item: QListWidgetItem) -> None:
        start = float(item.data(Qt.ItemDataRole.UserRole))
        self.seek(round(start * 1000))
        if not self.is_playing:
            self.play()

    def position_changed(self, ms: int, cue: Cue | None) -> None:
        if cue is None:
            return
        row = self.cues.index(cue)
        if row != self._current_row:
            self._current_row = row
            self.now.setText(cue.text)
            self.transcript.setCurrentRow(row)
            self.transcript.scrollToItem(
                self.transcript.item(row), QListWidget.ScrollHint.PositionAtCenter
            )
