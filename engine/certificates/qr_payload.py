"""The QR code's text: ``BYTEOS1:`` + base45(zlib(header, payload, signature)).

Why this form (after the EU Digital COVID Certificate's ``HC1:`` + base45(zlib(COSE))):
the QR carries the whole signed credential, so a verifier with only the issuer's public keys
checks it with no network. A compact JWS is base64url of JSON, which compresses badly;
so the QR carries the raw header and payload bytes (which compress ~2:1) and the 64-byte
signature, framed by lengths; the verifier rebuilds the exact JWS (base64url without
padding is canonical) and checks the signature as usual. Base45 keeps the QR in alphanumeric
mode; the prefix names the format and its version, so a QR from another system is told
apart from a damaged ByteOS one.

Integrity comes from the signature over the decompressed bytes, not from the compressed
form: a changed QR either yields other bytes (the signature fails: *tampered*) or, rarely,
the very same bytes (a deflate back-reference turned into another that copies identical
text), in which case the certificate is, correctly, still valid.

Frame (before zlib): ``0x01`` (frame version), varint length + header bytes, varint length +
payload bytes, signature bytes (the rest).
"""

from __future__ import annotations

import zlib

from engine.certificates import jws
from engine.certificates.encoding import EncodingError, base45_decode, base45_encode

PREFIX = "BYTEOS1:"
_FRAME_VERSION = 1
_MAX_INFLATED = 64 * 1024


class NotOurQr(ValueError):
    """Text that is not a ByteOS certificate QR (another system's, or no QR text at all)."""


class DamagedQr(ValueError):
    """A ByteOS certificate QR whose content cannot be read: damaged or altered."""


def encode(token: str) -> str:
    parsed = jws.parse_header(token)
    frame = bytearray([_FRAME_VERSION])
    for part in (parsed.header_bytes, parsed.payload_bytes):
        frame += _varint(len(part)) + part
    frame += parsed.signature
    return PREFIX + base45_encode(zlib.compress(bytes(frame), 9))


def is_ours(text: str) -> bool:
    return text.strip().upper().startswith(PREFIX)


def decode(text: str) -> str:
    """The compact JWS inside a ``BYTEOS1:`` text."""
    stripped = text.strip()
    if not is_ours(stripped):
        raise NotOurQr(_describe_foreign(stripped))
    body = stripped[len(PREFIX) :]
    try:
        inflater = zlib.decompressobj()
        frame = inflater.decompress(base45_decode(body), _MAX_INFLATED)
        if inflater.unconsumed_tail or not inflater.eof:
            raise DamagedQr("the certificate QR is incomplete or too large")
    except (EncodingError, zlib.error) as err:
        raise DamagedQr(f"the certificate QR is damaged ({err})") from None
    if not frame or frame[0] != _FRAME_VERSION:
        raise DamagedQr("the certificate QR has an unknown layout")
    pos = 1
    parts: list[bytes] = []
    for _ in range(2):
        length, pos = _read_varint(frame, pos)
        if pos + length > len(frame):
            raise DamagedQr("the certificate QR is truncated")
        parts.append(frame[pos : pos + length])
        pos += length
    return jws.from_parts(parts[0], parts[1], frame[pos:])


def _describe_foreign(text: str) -> str:
    if not text:
        return "the QR code is empty"
    shown = text if len(text) <= 60 else text[:57] + "..."
    if text.lower().startswith(("http://", "https://")):
        return f"this QR code is a web link ({shown}), not a ByteOS certificate"
    if text.upper().startswith("HC1:"):
        return "this QR code is an EU Digital COVID Certificate, not a ByteOS certificate"
    return f"this QR code is not a ByteOS certificate (it reads {shown!r})"


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while pos < len(data) and shift < 28:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise DamagedQr("the certificate QR is truncated")
