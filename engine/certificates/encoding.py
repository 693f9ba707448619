"""Byte encodings the certificate formats need: base64url (JOSE) and base45 (QR codes).

Why base45 (RFC 9285): a QR code's alphanumeric mode stores 45 characters at 5.5 bits each,
so two bytes in three base45 characters fill the code ~30% better than base64 in byte mode.
The EU Digital COVID Certificate uses it for the same reason.
"""

from __future__ import annotations

import base64
import binascii

BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_BASE45_INDEX = {c: i for i, c in enumerate(BASE45_ALPHABET)}


class EncodingError(ValueError):
    """Text that is not valid in the expected encoding."""


def b64url_encode(data: bytes) -> str:
    """base64url without padding, as JOSE writes it (canonical for given bytes)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not text or any(c not in _B64URL for c in text) or len(text) % 4 == 1:
        raise EncodingError("not base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as err:
        raise EncodingError(f"not base64url ({err})") from None
    if b64url_encode(data) != text:  # non-canonical trailing bits: reject, never "fix"
        raise EncodingError("not canonical base64url")
    return data


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def base45_encode(data: bytes) -> str:
    out: list[str] = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        c, n = divmod(n, 45 * 45)
        e, d = divmod(n, 45)
        out += (BASE45_ALPHABET[d], BASE45_ALPHABET[e], BASE45_ALPHABET[c])
    if len(data) % 2:
        e, d = divmod(data[-1], 45)
        out += (BASE45_ALPHABET[d], BASE45_ALPHABET[e])
    return "".join(out)


def base45_decode(text: str) -> bytes:
    try:
        values = [_BASE45_INDEX[c] for c in text]
    except KeyError as err:
        raise EncodingError(f"not base45 (character {err.args[0]!r})") from None
    if len(values) % 3 == 1:
        raise EncodingError("not base45 (length)")
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i : i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            if n > 0xFFFF:
                raise EncodingError("not base45 (value out of range)")
            out += bytes(divmod(n, 256))
        else:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise EncodingError("not base45 (value out of range)")
            out.append(n)
    return bytes(out)
