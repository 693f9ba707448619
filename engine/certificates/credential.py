"""The certificate as an Open Badges 3.0 ``OpenBadgeCredential`` (a W3C VC 2.0), and back.

Why Open Badges 3.0: it is the standard shape for "this organisation says this person
achieved this", understood by wallets and badge platforms, and it is a W3C Verifiable
Credential, so the envelope (VC-JOSE-COSE: the credential is the JWS payload, header
``typ: vc+jwt``) is standard too. The learner's name is an ``IdentityObject`` (``identityType:
name``, not hashed) because it is printed on the certificate anyway; the learner's id is the
subject ``id``. ``credentialStatus`` points at the issuer's revocation list
(``1EdTechRevocationList``, the Open Badges revocation mechanism).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.certificates import jws
from engine.certificates.timefmt import format_time, parse_time

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREDENTIAL_TYPES = ("VerifiableCredential", "OpenBadgeCredential")
JWT_TYPE = "vc+jwt"
STATUS_TYPE = "1EdTechRevocationList"


class NotACredential(ValueError):
    """JSON that is not (or no longer) a ByteOS certificate credential."""


@dataclass(frozen=True)
class Achievement:
    id: str
    """``urn:uuid:<learning path or course id>``."""
    name: str
    description: str
    criteria: str
    """What the learner had to do (the criteria narrative)."""
    achievement_type: str = "Certificate"


@dataclass(frozen=True)
class CertificateClaims:
    """What a certificate says, as plain data (the credential JSON is built from it)."""

    credential_id: str
    """``urn:uuid:<certification id>``."""
    issuer_id: str
    issuer_name: str
    learner_id: str
    """``urn:uuid:<profile id>``."""
    learner_name: str
    achievement: Achievement
    valid_from: datetime
    valid_until: datetime | None
    status_list_id: str
    verification_code: str
    """The human-typable code (``XXXX-XXXX-XXXX-XXXX``), also printed on the certificate."""
    completed_at: datetime | None = None
    """When the learner finished (``activityEndDate``); ``validFrom`` is when it was signed."""

    def to_credential(self) -> dict[str, Any]:
        a = self.achievement
        vc: dict[str, Any] = {
            "@context": [VC_CONTEXT, OB_CONTEXT],
            "id": self.credential_id,
            "type": list(CREDENTIAL_TYPES),
            "name": a.name,
            "issuer": {"id": self.issuer_id, "type": ["Profile"], "name": self.issuer_name},
            "validFrom": format_time(self.valid_from),
            "credentialSubject": {
                "id": self.learner_id,
                **(
                    {"activityEndDate": format_time(self.completed_at)}
                    if self.completed_at is not None
                    else {}
                ),
                "type": ["AchievementSubject"],
                "identifier": [
                    {
                        "type": "IdentityObject",
                        "identityType": "name",
                        "hashed": False,
                        "identityHash": self.learner_name,
                    }
                ],
                "achievement": {
                    "id": a.id,
                    "type": ["Achievement"],
                    "achievementType": a.achievement_type,
                    "name": a.name,
                    "description": a.description,
                    "criteria": {"narrative": a.criteria},
                },
            },
            "credentialStatus": {"id": self.status_list_id, "type": STATUS_TYPE},
            "byteosVerificationCode": self.verification_code,
        }
        if self.valid_until is not None:
            vc["validUntil"] = format_time(self.valid_until)
        return vc

    @classmethod
    def from_credential(cls, vc: Mapping[str, Any]) -> CertificateClaims:
        try:
            types = vc["type"]
            if not all(t in types for t in CREDENTIAL_TYPES):
                raise NotACredential("not an Open Badges credential")
            subject = vc["credentialSubject"]
            ach = subject["achievement"]
            names = [
                i["identityHash"]
                for i in subject.get("identifier", [])
                if i.get("identityType") == "name" and not i.get("hashed")
            ]
            until = vc.get("validUntil")
            ended = subject.get("activityEndDate")
            return cls(
                credential_id=str(vc["id"]),
                issuer_id=str(vc["issuer"]["id"]),
                issuer_name=str(vc["issuer"].get("name", "")),
                learner_id=str(subject.get("id", "")),
                learner_name=str(names[0]) if names else "",
                achievement=Achievement(
                    id=str(ach.get("id", "")),
                    name=str(ach["name"]),
                    description=str(ach.get("description", "")),
                    criteria=str(ach.get("criteria", {}).get("narrative", "")),
                    achievement_type=str(ach.get("achievementType", "Certificate")),
                ),
                valid_from=parse_time(str(vc["validFrom"])),
                valid_until=parse_time(str(until)) if until else None,
                status_list_id=str(vc.get("credentialStatus", {}).get("id", "")),
                verification_code=str(vc.get("byteosVerificationCode", "")),
                completed_at=parse_time(str(ended)) if ended else None,
            )
        except NotACredential:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise NotACredential(
                f"not a complete certificate credential ({type(err).__name__}: {err})"
            ) from None


def sign_credential(claims: CertificateClaims, signer: jws.Signer) -> str:
    """The credential as a VC-JWT (compact JWS, EdDSA; deterministic for given claims and
    key, since Ed25519 signatures are)."""
    return jws.sign(claims.to_credential(), signer, typ=JWT_TYPE, cty="vc")
