"""Compact JWS with EdDSA (Ed25519): the envelope of credentials and revocation lists.

Why JOSE rather than a Data Integrity proof: a JWS signs exact bytes, so no JSON-LD
canonicalisation (and no fetching of contexts) is needed to verify, which is what an offline
verifier with only a public key can do reliably. The JSON inside is written canonically
(sorted keys, no spaces, UTF-8) so the same content always gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from engine.certificates.encoding import EncodingError, b64url_decode, b64url_encode


class MalformedToken(ValueError):
    """Not a compact JWS at all (wrong shape or encoding)."""


class Signer(Protocol):
    @property
    def kid(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(payload: dict[str, Any], signer: Signer, typ: str, cty: str | None = None) -> str:
    header: dict[str, Any] = {"alg": "EdDSA", "kid": signer.kid, "typ": typ}
    if cty:
        header["cty"] = cty
    signing_input = (
        f"{b64url_encode(canonical_json(header))}.{b64url_encode(canonical_json(payload))}"
    )
    signature = signer.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


@dataclass(frozen=True)
class ParsedToken:
    header: dict[str, Any]
    header_bytes: bytes
    payload_bytes: bytes
    signature: bytes

    @property
    def signing_input(self) -> bytes:
        return f"{b64url_encode(self.header_bytes)}.{b64url_encode(self.payload_bytes)}".encode()

    def payload(self) -> dict[str, Any]:
        """The payload as JSON; ``ValueError`` when it is not a JSON object (damaged)."""
        value = json.loads(self.payload_bytes.decode("utf-8"))
        if not isinstance(value, dict):
            raise ValueError("the payload is not a JSON object")
        return value

    def compact(self) -> str:
        return f"{self.signing_input.decode()}.{b64url_encode(self.signature)}"


def parse_header(token: str) -> ParsedToken:
    """Split a compact JWS; only the header must be readable JSON here. The payload and
    signature may be damaged: callers tell "damaged certificate" from "not a certificate"
    by the header."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise MalformedToken("not a signed credential (a JWS has three parts)")
    try:
        header_bytes = b64url_decode(parts[0])
        header = json.loads(header_bytes.decode("utf-8"))
    except (EncodingError, ValueError):
        raise MalformedToken("not a signed credential (unreadable header)") from None
    if not isinstance(header, dict):
        raise MalformedToken("not a signed credential (header is not an object)")
    try:
        payload_bytes = b64url_decode(parts[1])
    except EncodingError:
        payload_bytes = b""
    try:
        signature = b64url_decode(parts[2])
    except EncodingError:
        signature = b""
    return ParsedToken(header, header_bytes, payload_bytes, signature)


def from_parts(header_bytes: bytes, payload_bytes: bytes, signature: bytes) -> str:
    """The compact JWS for raw parts (the QR payload carries them unencoded)."""
    return (
        f"{b64url_encode(header_bytes)}.{b64url_encode(payload_bytes)}.{b64url_encode(signature)}"
    )
