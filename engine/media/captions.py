"""Captions: the narration cut into short cues, timed to the audio, as SRT or WebVTT.

Each slide's narration is spoken between two known times; within that span a cue's time is
proportional to its share of the characters (speech runs at a near-constant rate), so cues
stay within a fraction of a second of the voice without needing word timings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CUE_CHARS = 84
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")
_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def split_text(text: str, max_chars: int = MAX_CUE_CHARS) -> list[str]:
    """Sentences, with long sentences broken at word boundaries into at most ``max_chars``."""
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        words = sentence.split()
        line = ""
        for w in words:
            if line and len(line) + 1 + len(w) > max_chars:
                pieces.append(line)
                line = w
            else:
                line = f"{line} {w}" if line else w
        if line:
            pieces.append(line)
    return pieces


def cues_for_segment(text: str, start: float, end: float) -> list[Cue]:
    pieces = split_text(text)
    total = sum(len(p) for p in pieces) or 1
    cues: list[Cue] = []
    t = start
    for p in pieces:
        span = (end - start) * len(p) / total
        cues.append(Cue(round(t, 3), round(t + span, 3), p))
        t += span
    return cues


def build_cues(segments: list[tuple[str, float, float]]) -> list[Cue]:
    """``segments`` are (spoken text, start, end) in seconds, in order."""
    cues: list[Cue] = []
    for text, start, end in segments:
        cues.extend(cues_for_segment(text, start, end))
    return cues


def _stamp(secs: float, sep: str) -> str:
    ms = max(0, round(secs * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(cues: list[Cue]) -> str:
    blocks = [
        f"{n}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n{c.text}\n"
        for n, c in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)


def to_vtt(cues: list[Cue]) -> str:
    body = "\n".join(f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n{c.text}\n" for c in cues)
    return "WEBVTT\n\n" + body


def _secs(stamp: str) -> float:
    m = _TIME.fullmatch(stamp.strip())
    if not m:
        raise ValueError(f"not a caption time: {stamp!r}")
    h, mi, s, ms = (int(g) if g else 0 for g in m.groups())
    return h * 3600 + mi * 60 + s + ms / 1000


def parse_captions(text: str) -> list[Cue]:
    """Read SRT or WebVTT cues (the subset this module writes, plus cue settings)."""
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [ln for ln in block.strip().split("\n") if ln.strip()]
        for i, line in enumerate(lines):
            if "-->" in line:
                left, right = line.split("-->", 1)
                right = right.strip().split(" ")[0]
                body = " ".join(lines[i + 1 :]).strip()
                cues.append(Cue(_secs(left), _secs(right), body))
                break
    return cues


def cue_at(cues: list[Cue], secs: float) -> Cue | None:
    """The cue showing at ``secs`` (cues are sorted and do not overlap)."""
    lo, hi = 0, len(cues) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        c = cues[mid]
        if secs < c.start:
            hi = mid - 1
        elif secs >= c.end:
            lo = mid + 1
        else:
            return c
    return None
