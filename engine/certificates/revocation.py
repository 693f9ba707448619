"""The issuer's revocation list: a signed JSON list of revoked credential ids, with its time.

Why a list of ids and not a W3C Bitstring Status List: a bitstring needs every certificate to
get a unique index at signing time, which two admins signing offline on two laptops cannot
agree on without a server. A list of revoked ids needs no coordination, stays small (only
revoked certificates are in it) and is what Open Badges' ``1EdTechRevocationList`` status
type describes. The list is signed with the issuer's current key (a JWS with ``typ:
byteos-revocation+jwt``) so a copy cached or passed around cannot be edited, and it carries
``issued`` so a verifier knows how fresh its copy is.

Revocations are permanent: a new list always contains every entry of the previous one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.certificates import jws
from engine.certificates.timefmt import format_time, parse_time

JWT_TYPE = "byteos-revocation+jwt"


class BadRevocationList(ValueError):
    """A revocation list that cannot be trusted or read; verifiers then treat the status as
    unknown (never as "revoked" or "invalid")."""


def list_id_for(issuer_id: str) -> str:
    return f"{issuer_id}/revocations"


@dataclass(frozen=True)
class Revocation:
    credential_id: str
    revoked_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class RevocationList:
    list_id: str
    issuer_id: str
    issued: datetime
    entries: tuple[Revocation, ...] = field(default=())

    def find(self, credential_id: str) -> Revocation | None:
        return next((e for e in self.entries if e.credential_id == credential_id), None)

    def with_revocation(self, entry: Revocation, now: datetime) -> RevocationList:
        if self.find(entry.credential_id) is not None:
            return RevocationList(self.list_id, self.issuer_id, now, self.entries)
        return RevocationList(self.list_id, self.issuer_id, now, (*self.entries, entry))

    def to_payload(self) -> dict[str, Any]:
        return {
            "id": self.list_id,
            "type": "1EdTechRevocationList",
            "issuer": self.issuer_id,
            "issued": format_time(self.issued),
            "revokedCredentials": [
                {
                    "id": e.credential_id,
                    "revocationDate": format_time(e.revoked_at),
                    "reason": e.reason,
                }
                for e in self.entries
            ],
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> RevocationList:
        try:
            if data.get("type") != "1EdTechRevocationList":
                raise BadRevocationList("not a revocation list")
            entries = tuple(
                Revocation(
                    str(e["id"]), parse_time(str(e["revocationDate"])), str(e.get("reason", ""))
                )
                for e in data["revokedCredentials"]
            )
            return cls(
                str(data["id"]), str(data["issuer"]), parse_time(str(data["issued"])), entries
            )
        except BadRevocationList:
            raise
        except (KeyError, TypeError, ValueError) as err:
            raise BadRevocationList(f"unreadable revocation list ({type(err).__name__})") from None


def empty_list(issuer_id: str, now: datetime) -> RevocationList:
    return RevocationList(list_id_for(issuer_id), issuer_id, now)


def sign_list(revocations: RevocationList, signer: jws.Signer) -> str:
    return jws.sign(revocations.to_payload(), signer, typ=JWT_TYPE)
