"""Captions: cue splitting and timing, SRT/WebVTT writing and reading."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from engine.media.captions import (
    MAX_CUE_CHARS,
    build_cues,
    cue_at,
    parse_captions,
    split_text,
    to_srt,
    to_vtt,
)


def test_cues_fill_each_segment_in_order() -> None:
    text = "First sentence here. " + "word " * 40 + "end."
    cues = build_cues([(text, 1.0, 9.0), ("Second slide.", 10.0, 11.5)])
    assert cues[0].start == 1.0
    assert abs(cues[-2].end - 9.0) < 0.01
    assert cues[-1].start == 10.0 and abs(cues[-1].end - 11.5) < 0.01
    assert all(len(c.text) <= MAX_CUE_CHARS for c in cues)
    assert all(a.end <= b.start + 1e-6 for a, b in itertools.pairwise(cues))


def test_srt_and_vtt_round_trip() -> None:
    cues = build_cues([("Hello there. This is a caption.", 0.5, 3.25), ("Next.", 3.9, 4.4)])
    srt, vtt = to_srt(cues), to_vtt(cues)
    assert srt.startswith("1\n00:00:00,500 --> ")
    assert vtt.startswith("WEBVTT\n\n00:00:00.500 --> ")
    for text in (srt, vtt):
        back = parse_captions(text)
        assert [c.text for c in back] == [c.text for c in cues]
        assert all(abs(a.start - b.start) < 0.002 for a, b in zip(back, cues, strict=True))


def test_parse_accepts_hours_and_cue_settings() -> None:
    cues = parse_captions("WEBVTT\n\n01:02:03.004 --> 01:02:04.500 align:start\nHi\nthere\n")
    assert cues[0].start == 3723.004 and cues[0].end == 3724.5 and cues[0].text == "Hi there"


def test_cue_at() -> None:
    cues = build_cues([("One. Two. Three.", 0.0, 3.0)])
    assert cue_at(cues, 0.1) is cues[0]
    assert cue_at(cues, 2.9) is cues[-1]
    assert cue_at(cues, 3.5) is None


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=400))
def test_split_keeps_every_word(text: str) -> None:
    pieces = split_text(text)
    assert " ".join(pieces).split() == text.split()
    assert all(len(p) <= MAX_CUE_CHARS or " " not in p for p in pieces)
