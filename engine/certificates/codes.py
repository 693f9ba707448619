"""Verification codes a person can read off a certificate and type: ``7KQM-3XWD-R9TP-HC4F``.

Why this shape: 16 characters in four groups of four are easy to read aloud and type; the
alphabet (32 symbols) leaves out 0/O and 1/I, which people confuse; 15 random symbols carry
75 bits, so codes cannot be guessed or enumerated; the 16th is a Luhn mod 32 check character,
which catches every single mistyped character and nearly every swap of two neighbours, so a typo is
reported as a typo ("check the code") instead of as "unknown certificate".

A code is only a handle to look a certificate up; what makes a certificate genuine is the
signature of the credential it names (see ``verify.py``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""32 symbols: digits 2-9 and the letters without I and O."""

DATA_LENGTH = 15
CODE_LENGTH = DATA_LENGTH + 1
GROUP = 4
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_CONFUSABLE = {"0": "O or 0", "O": "O or 0", "1": "1 or I", "I": "1 or I"}


class CodeError(ValueError):
    """Not a well-formed verification code; the message says what is wrong, for a person."""


@dataclass(frozen=True)
class VerificationCode:
    value: str
    """The 16 symbols, upper case, no separators."""

    def __str__(self) -> str:
        return "-".join(self.value[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def check_character(data: str) -> str:
    """Luhn mod N over ``data`` (symbols of :data:`ALPHABET`)."""
    n = len(ALPHABET)
    factor, total = 2, 0
    for ch in reversed(data):
        addend = factor * _INDEX[ch]
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def new_code(random_bytes: Callable[[int], bytes] = secrets.token_bytes) -> VerificationCode:
    """A fresh random code (256 is a multiple of 32, so ``b % 32`` is unbiased)."""
    data = "".join(ALPHABET[b % len(ALPHABET)] for b in random_bytes(DATA_LENGTH))
    return VerificationCode(data + check_character(data))


def looks_like_code(text: str) -> bool:
    """Whether ``text`` is shaped like a code someone typed (right length once separators are
    dropped, letters and digits only), whatever its mistakes; used to tell a code from a
    file name or QR text before :func:`parse_code` explains what is wrong with it."""
    compact = _compact(text)
    return len(compact) in (CODE_LENGTH - 1, CODE_LENGTH, CODE_LENGTH + 1) and compact.isalnum()


def parse_code(text: str) -> VerificationCode:
    """The code in ``text`` (case, spaces and hyphens do not matter), or :class:`CodeError`
    saying what is wrong: its length, a symbol codes never use, or a failed check."""
    compact = _compact(text)
    if len(compact) != CODE_LENGTH:
        raise CodeError(
            f"a verification code has {CODE_LENGTH} letters and digits "
            f"(like 7KQM-3XWD-R9TP-HC4F); this one has {len(compact)}"
        )
    for ch in compact:
        if ch not in _INDEX:
            hint = _CONFUSABLE.get(ch)
            why = f" (codes never use {hint}: look again at that character)" if hint else ""
            raise CodeError(f"{ch!r} does not occur in verification codes{why}")
    if check_character(compact[:-1]) != compact[-1]:
        raise CodeError(
            "this code has a typo: its check character does not match; compare it with "
            "the certificate again"
        )
    return VerificationCode(compact)


def _compact(text: str) -> str:
    return "".join(ch for ch in text.strip().upper() if ch not in " -_\t")
