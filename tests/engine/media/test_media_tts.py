"""Speech providers: edge-tts against a local server speaking its protocol, espeak-ng for
real, and the fallback between them when offline or when the online voice fails."""

from __future__ import annotations

import socket
import time
import wave
from pathlib import Path

import pytest

from engine.media import ffmpeg
from engine.media.tts import (
    EdgeTTSProvider,
    EspeakNgProvider,
    PiperProvider,
    TTSError,
    TTSProvider,
    TTSUnavailable,
    can_connect,
    provider_chain,
    synthesize_with_fallback,
)
from tests.engine.media.conftest import FakeEdge


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _edge(server: FakeEdge, **kw: object) -> EdgeTTSProvider:
    return EdgeTTSProvider(
        ws_url=server.url,
        probe=("127.0.0.1", server.port),
        request_timeout=5,
        **kw,  # type: ignore[arg-type]
    )


def test_edge_tts_request_and_response(
    fake_edge: FakeEdge, mp3_bytes: bytes, tmp_path: Path
) -> None:
    edge = _edge(fake_edge, voice="en-GB-SoniaNeural", rate="+10%")
    assert edge.availability() is None
    out = edge.synthesize("Spacing & retrieval <beat> cramming.", tmp_path / "part")
    assert out.suffix == ".mp3" and out.read_bytes() == mp3_bytes  # every audio frame, in order
    req = fake_edge.requests[0]
    assert "TrustedClientToken" in req["query"] and "Sec-MS-GEC=" in req["query"]
    assert '"outputFormat":"audio-24khz-48kbitrate-mono-mp3"' in req["speech.config"]
    ssml = req["ssml"]
    assert "en-GB, SoniaNeural" in ssml and "rate='+10%'" in ssml
    assert "Spacing &amp; retrieval &lt;beat&gt; cramming." in ssml  # escaped for SSML
    assert edge.key == "edge-tts:en-GB-SoniaNeural:+10%"


@pytest.mark.parametrize("mode", ["no_audio", "close"])
def test_edge_tts_bad_answers_are_tts_errors(
    fake_edge: FakeEdge, tmp_path: Path, mode: str
) -> None:
    fake_edge.mode = mode
    with pytest.raises(TTSError):
        _edge(fake_edge).synthesize("Hello.", tmp_path / "part")


def test_edge_tts_silence_times_out(fake_edge: FakeEdge, tmp_path: Path) -> None:
    fake_edge.mode = "silent"
    edge = EdgeTTSProvider(
        ws_url=fake_edge.url, probe=("127.0.0.1", fake_edge.port), request_timeout=1.0
    )
    t = time.monotonic()
    with pytest.raises(TTSError, match="did not answer"):
        edge.synthesize("Hello.", tmp_path / "part")
    assert time.monotonic() - t < 4


def test_offline_is_detected_fast_even_if_lookups_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    edge = EdgeTTSProvider(probe=("127.0.0.1", _closed_port()), probe_timeout=1.0)
    t = time.monotonic()
    assert edge.availability() is not None and "offline" in (edge.availability() or "")
    assert time.monotonic() - t < 1.5

    def hang(*_a: object, **_k: object) -> socket.socket:
        time.sleep(20)
        raise OSError("unreachable")

    monkeypatch.setattr(socket, "create_connection", hang)
    t = time.monotonic()
    assert can_connect("speech.example", 443, timeout=0.5) is False
    assert time.monotonic() - t < 1.5


def test_piper_speaks_offline_with_the_shipped_voice(tmp_path: Path) -> None:
    piper = PiperProvider()
    assert piper.availability() is None, piper.availability()
    model = piper.model_path()
    assert model is not None and model.name == "en_US-joe-medium.onnx"
    out = piper.synthesize("Spacing beats cramming. Review tomorrow.", tmp_path / "part")
    with wave.open(str(out)) as w:
        secs = w.getnframes() / w.getframerate()
        assert w.getnchannels() == 1 and w.getframerate() == 22050
    assert 1.0 < secs < 6
    fast = PiperProvider(speed=1.5).synthesize("Spacing beats cramming.", tmp_path / "fast")
    with wave.open(str(fast)) as w:
        assert w.getnframes() / w.getframerate() < secs


def test_piper_without_a_model_is_unavailable(tmp_path: Path) -> None:
    missing = PiperProvider(model=tmp_path / "none.onnx")
    assert missing.availability() is not None
    with pytest.raises(TTSUnavailable):
        missing.synthesize("Hi.", tmp_path / "x")


def test_espeak_ng_speaks_to_a_wav(tmp_path: Path) -> None:
    out = EspeakNgProvider().synthesize("Spacing beats cramming.", tmp_path / "part")
    with wave.open(str(out)) as w:
        secs = w.getnframes() / w.getframerate()
    assert 0.8 < secs < 5


class _Broken(TTSProvider):
    name = "broken"
    voice = "x"

    def __init__(self, fail_at: int) -> None:
        self.fail_at = fail_at
        self.calls = 0

    def availability(self) -> str | None:
        return None

    def synthesize(self, text: str, dest: Path) -> Path:
        self.calls += 1
        if self.calls > self.fail_at:
            raise TTSError("lost the connection")
        dest = dest.with_suffix(".txt")
        dest.write_text(text)
        return dest


def test_fallback_offline_goes_straight_to_espeak(tmp_path: Path) -> None:
    edge = EdgeTTSProvider(probe=("127.0.0.1", _closed_port()), probe_timeout=0.5)
    t = time.monotonic()
    result = synthesize_with_fallback([edge, EspeakNgProvider()], ["One.", "Two."], tmp_path)
    assert time.monotonic() - t < 10
    assert result.provider.name == "espeak-ng" and len(result.files) == 2
    assert result.skipped and result.skipped[0].startswith("edge-tts: offline")


def test_offline_auto_chain_prefers_piper(tmp_path: Path) -> None:
    edge = EdgeTTSProvider(probe=("127.0.0.1", _closed_port()), probe_timeout=0.5)
    chain = provider_chain("auto", edge=edge)
    result = synthesize_with_fallback(chain, ["One."], tmp_path)
    assert result.provider.name == "piper" and result.skipped[0].startswith("edge-tts")


def test_fallback_never_mixes_voices(tmp_path: Path) -> None:
    flaky = _Broken(fail_at=1)  # says the first part, fails on the second
    result = synthesize_with_fallback([flaky, EspeakNgProvider()], ["One.", "Two."], tmp_path)
    assert result.provider.name == "espeak-ng"
    assert all(f.suffix == ".wav" for f in result.files)
    assert "lost the connection" in result.skipped[0]


def test_fallback_with_online_voice_uses_it(fake_edge: FakeEdge, tmp_path: Path) -> None:
    result = synthesize_with_fallback(
        [_edge(fake_edge), EspeakNgProvider()], ["A.", "B."], tmp_path
    )
    assert result.provider.name == "edge-tts" and result.skipped == []
    wav = tmp_path / "a.wav"
    ffmpeg.run_quick(ffmpeg.to_wav_cmd(result.files[0], wav))  # the mp3 decodes
    assert ffmpeg.probe(wav).duration > 1.0


def test_no_provider_at_all(tmp_path: Path) -> None:
    with pytest.raises(TTSUnavailable, match="No voice"):
        synthesize_with_fallback([_Broken(fail_at=0)], ["One."], tmp_path)


def test_cancel_is_not_a_fallback(tmp_path: Path) -> None:
    class Stop(Exception):
        pass

    def on_item(done: int, total: int, provider: TTSProvider) -> None:
        raise Stop()

    with pytest.raises(Stop):
        synthesize_with_fallback([EspeakNgProvider()], ["One.", "Two."], tmp_path, on_item)


def test_chain_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYTEOS_TTS", "espeak")
    assert [p.name for p in provider_chain()] == ["espeak-ng"]
    monkeypatch.setenv("BYTEOS_TTS", "auto")
    monkeypatch.setenv("BYTEOS_TTS_VOICE", "en-US-GuyNeural")
    chain = provider_chain()
    assert [p.name for p in chain] == ["edge-tts", "piper", "espeak-ng"]
    assert chain[0].voice == "en-US-GuyNeural"
    monkeypatch.setenv("BYTEOS_TTS", "offline")
    assert [p.name for p in provider_chain()] == ["piper", "espeak-ng"]
