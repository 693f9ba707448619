"""An organisation's certificate keys: Ed25519, with history, public half as a JWKS.

Why a history: certificates live for years and keys are rotated (a new admin laptop, a
suspected leak, policy). Rotation retires the signing key (its ``valid_until`` is set) and
adds a new one; the retired public key stays in the set, so every certificate signed while it
was current still verifies. A key signs only inside its own validity window; a signature
dated outside it is refused (see ``verify.py``).

Why the private key has no ``to_dict``: it must never be written anywhere by accident (a
synced row, a log, a JSON export of the key set). The one way out is
:meth:`SigningKey.export_for_keyring`, whose text the app layer hands to the OS keyring
(``engine/secrets.py``) on the organisation admin's machine, and nowhere else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from engine.certificates.encoding import EncodingError, b64url_decode, b64url_encode
from engine.certificates.timefmt import format_time, parse_time

KEYRING_FORMAT = "byteos-certificate-signing-key/1"


class KeyFormatError(ValueError):
    """A key or key set that cannot be read."""


def issuer_id_for(org_id: str) -> str:
    """The issuer identifier certificates of organisation ``org_id`` carry."""
    return f"urn:uuid:{org_id}"


@dataclass(frozen=True)
class PublicKey:
    kid: str
    """``<issuer id>#<RFC 7638 thumbprint>``: names the issuer and the key."""
    public_bytes: bytes
    valid_from: datetime
    valid_until: datetime | None = None
    """``None`` while the key is current; set when it is retired."""

    def covers(self, when: datetime) -> bool:
        return self.valid_from <= when and (self.valid_until is None or when < self.valid_until)

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_bytes).verify(signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True

    def to_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url_encode(self.public_bytes),
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
            "valid_from": format_time(self.valid_from),
        }
        if self.valid_until is not None:
            jwk["valid_until"] = format_time(self.valid_until)
        return jwk

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> PublicKey:
        try:
            if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
                raise KeyFormatError("only Ed25519 (OKP) keys are used for certificates")
            x = b64url_decode(str(jwk["x"]))
            if len(x) != 32:
                raise KeyFormatError("an Ed25519 public key has 32 bytes")
            until = jwk.get("valid_until")
            return cls(
                kid=str(jwk["kid"]),
                public_bytes=x,
                valid_from=parse_time(str(jwk["valid_from"])),
                valid_until=parse_time(str(until)) if until else None,
            )
        except (KeyError, TypeError, EncodingError) as err:
            raise KeyFormatError(f"not a certificate key ({type(err).__name__}: {err})") from None


def thumbprint(public_bytes: bytes) -> str:
    """RFC 7638 JWK thumbprint (SHA-256) of an Ed25519 public key."""
    canonical = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": b64url_encode(public_bytes)},
        separators=(",", ":"),
        sort_keys=True,
    )
    return b64url_encode(hashlib.sha256(canonical.encode()).digest())


@dataclass(frozen=True)
class KeySet:
    """The public keys of one issuer, current and retired. Safe to publish and sync."""

    issuer_id: str
    issuer_name: str
    keys: tuple[PublicKey, ...]

    def find(self, kid: str) -> PublicKey | None:
        return next((k for k in self.keys if k.kid == kid), None)

    def current(self) -> PublicKey | None:
        return next((k for k in reversed(self.keys) if k.valid_until is None), None)

    def to_jwks(self) -> dict[str, Any]:
        return {
            "issuer": {"id": self.issuer_id, "name": self.issuer_name},
            "keys": [k.to_jwk() for k in self.keys],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_jwks(), indent=2, ensure_ascii=False)

    @classmethod
    def from_jwks(cls, data: Mapping[str, Any]) -> KeySet:
        try:
            issuer = data["issuer"]
            keys = tuple(PublicKey.from_jwk(k) for k in data["keys"])
            issuer_id, name = str(issuer["id"]), str(issuer.get("name") or issuer["id"])
        except (KeyError, TypeError) as err:
            raise KeyFormatError(
                f"not a certificate key set ({type(err).__name__}: {err})"
            ) from None
        for k in keys:
            if not k.kid.startswith(issuer_id + "#"):
                raise KeyFormatError(f"key {k.kid} does not belong to issuer {issuer_id}")
        return cls(issuer_id, name, keys)

    @classmethod
    def from_json(cls, text: str) -> KeySet:
        try:
            data = json.loads(text)
        except ValueError as err:
            raise KeyFormatError(f"not a certificate key set (not JSON: {err})") from None
        if not isinstance(data, dict):
            raise KeyFormatError("not a certificate key set")
        return cls.from_jwks(data)

    def merged(self, other: KeySet) -> KeySet:
        """Both histories together (a key seen in both keeps the later ``valid_until``);
        a device that learned a newer set never forgets an older key."""
        if other.issuer_id != self.issuer_id:
            raise KeyFormatError("cannot merge key sets of two issuers")
        by_kid: dict[str, PublicKey] = {k.kid: k for k in self.keys}
        for k in other.keys:
            mine = by_kid.get(k.kid)
            if mine is None or (mine.valid_until is None and k.valid_until is not None):
                by_kid[k.kid] = k
        ordered = sorted(by_kid.values(), key=lambda k: k.valid_from)
        return KeySet(self.issuer_id, other.issuer_name or self.issuer_name, tuple(ordered))


class SigningKey:
    """The private half of the organisation's current key. Holds secret material: no
    ``repr`` of it, no ``to_dict``; :meth:`export_for_keyring` is the one way out."""

    __slots__ = ("_private", "public")

    def __init__(self, private: Ed25519PrivateKey, public: PublicKey) -> None:
        self._private = private
        self.public = public

    def __repr__(self) -> str:
        return f"SigningKey(kid={self.public.kid!r})"

    @property
    def kid(self) -> str:
        return self.public.kid

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    @classmethod
    def generate(cls, issuer_id: str, valid_from: datetime) -> SigningKey:
        private = Ed25519PrivateKey.generate()
        raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return cls(private, PublicKey(f"{issuer_id}#{thumbprint(raw)}", raw, valid_from))

    def export_for_keyring(self) -> str:
        """The private key as text, for the OS keyring only (never a file, row or log)."""
        raw = self._private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return json.dumps(
            {"format": KEYRING_FORMAT, "d": b64url_encode(raw), **self.public.to_jwk()},
            separators=(",", ":"),
        )

    @classmethod
    def import_from_keyring(cls, text: str) -> SigningKey:
        try:
            data = json.loads(text)
            if data.get("format") != KEYRING_FORMAT:
                raise KeyFormatError("not a ByteOS certificate signing key")
            private = Ed25519PrivateKey.from_private_bytes(b64url_decode(data["d"]))
            public = PublicKey.from_jwk(data)
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            if isinstance(err, KeyFormatError):
                raise
            raise KeyFormatError(
                f"the stored signing key cannot be read ({type(err).__name__})"
            ) from None
        raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        if raw != public.public_bytes:
            raise KeyFormatError("the stored signing key does not match its public key")
        return cls(private, public)


def new_key_set(issuer_id: str, issuer_name: str, now: datetime) -> tuple[KeySet, SigningKey]:
    """A first key for an organisation."""
    key = SigningKey.generate(issuer_id, now)
    return KeySet(issuer_id, issuer_name, (key.public,)), key


def rotate(key_set: KeySet, now: datetime) -> tuple[KeySet, SigningKey]:
    """Retire every current key at ``now`` and add a new one; old keys stay in the set."""
    new = SigningKey.generate(key_set.issuer_id, now)
    kept = tuple(replace(k, valid_until=now) if k.valid_until is None else k for k in key_set.keys)
    return KeySet(key_set.issuer_id, key_set.issuer_name, (*kept, new.public)), new


def trusted_by_issuer(key_sets: Iterable[KeySet]) -> dict[str, KeySet]:
    out: dict[str, KeySet] = {}
    for ks in key_sets:
        out[ks.issuer_id] = out[ks.issuer_id].merged(ks) if ks.issuer_id in out else ks
    return out
