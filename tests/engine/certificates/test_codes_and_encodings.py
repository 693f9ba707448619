"""Verification codes catch typos; base45 and base64url follow their RFCs exactly."""

from __future__ import annotations

import itertools

import pytest

from engine.certificates.codes import (
    ALPHABET,
    CODE_LENGTH,
    CodeError,
    check_character,
    looks_like_code,
    new_code,
    parse_code,
)
from engine.certificates.encoding import (
    EncodingError,
    b64url_decode,
    b64url_encode,
    base45_decode,
    base45_encode,
)


def test_a_new_code_reads_back_in_any_case_and_spacing() -> None:
    code = new_code()
    text = str(code)
    assert len(text) == CODE_LENGTH + 3 and text.count("-") == 3
    assert not set(code.value) & set("0O1I")
    assert parse_code(text) == code
    assert parse_code(text.lower().replace("-", " ")) == code
    assert looks_like_code(text)


def test_every_single_mistyped_character_is_caught() -> None:
    code = new_code().value
    for i, wrong in itertools.product(range(CODE_LENGTH), ALPHABET):
        if wrong == code[i]:
            continue
        typo = code[:i] + wrong + code[i + 1 :]
        with pytest.raises(CodeError, match="typo"):
            parse_code(typo)


def test_almost_every_swap_of_neighbours_is_caught() -> None:
    caught = total = 0
    for _ in range(50):
        code = new_code().value
        for i in range(CODE_LENGTH - 1):
            if code[i] == code[i + 1]:
                continue
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            total += 1
            try:
                parse_code(swapped)
            except CodeError:
                caught += 1
    assert caught / total > 0.95


def test_a_confusable_character_is_named() -> None:
    code = new_code().value
    with pytest.raises(CodeError, match="codes never use O or 0"):
        parse_code("O" + code[1:])
    with pytest.raises(CodeError, match="has 15"):
        parse_code(code[:-1])


def test_check_character_is_luhn_mod_32() -> None:
    data = "23456789ABCDEFG"
    full = data + check_character(data)
    assert parse_code(full).value == full


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        (b"AB", "BB8"),
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),
        (b"", ""),
    ],
)
def test_base45_matches_rfc_9285(raw: bytes, encoded: str) -> None:
    assert base45_encode(raw) == encoded
    assert base45_decode(encoded) == raw


def test_base45_refuses_what_is_not_base45() -> None:
    for bad in ("GGW", "a", "ZZZZ", "abc"):
        with pytest.raises(EncodingError):
            base45_decode(bad)


def test_base64url_is_canonical() -> None:
    assert b64url_decode(b64url_encode(b"\xff\x00 hi")) == b"\xff\x00 hi"
    with pytest.raises(EncodingError):
        b64url_decode("QR")  # trailing bits set: not what any encoder writes
    with pytest.raises(EncodingError):
        b64url_decode("ab+/")
