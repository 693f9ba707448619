"""Checking a certificate offline: one verdict, and the reason in words.

What a verifier needs: the issuer's public key set (JWKS, with retired keys) and, to know
about revocations, a recent copy of the issuer's signed revocation list. Nothing else, no
network.

The checks, in order, and the verdict each gives when it fails:

1. it is a signed credential at all (a JWS whose header says ``vc+jwt``) - *not a certificate*
2. the issuer and key it names are trusted here                          - *unknown issuer*
3. the signature matches the bytes                                        - *tampered*
4. the payload is an Open Badges credential of that same issuer           - *tampered* /
   *not a certificate*; the key was current on the certificate's date     - *unknown issuer*
5. it is not on the issuer's revocation list                              - *revoked*
6. today is inside ``validFrom`` .. ``validUntil``                        - *expired* /
   *not yet valid*
7. the revocation list is fresh (signed within ``max_list_age``)          - otherwise
   *valid, revocation status unknown since DATE*: a verifier that cannot know never says
   "invalid" by mistake. A revocation list that is missing, damaged or signed by an unknown
   key counts as missing, never as a reason to reject.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from engine.certificates import jws, qr_payload
from engine.certificates.credential import JWT_TYPE, CertificateClaims, NotACredential
from engine.certificates.keys import KeySet, PublicKey
from engine.certificates.revocation import JWT_TYPE as LIST_TYPE
from engine.certificates.revocation import BadRevocationList, RevocationList
from engine.certificates.timefmt import format_date, utc

DEFAULT_MAX_LIST_AGE = timedelta(days=14)


class Verdict(StrEnum):
    VALID = "valid"
    VALID_STATUS_UNKNOWN = "valid_status_unknown"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    TAMPERED = "tampered"
    UNKNOWN_ISSUER = "unknown_issuer"
    NOT_A_CERTIFICATE = "not_a_certificate"
    UNKNOWN_CODE = "unknown_code"
    """A well-formed code this device has no certificate for (lookup, not a signature)."""
    MISTYPED_CODE = "mistyped_code"


HEADLINES = {
    Verdict.VALID: "Valid",
    Verdict.VALID_STATUS_UNKNOWN: "Valid, revocation status unknown",
    Verdict.EXPIRED: "Expired",
    Verdict.NOT_YET_VALID: "Not yet valid",
    Verdict.REVOKED: "Revoked",
    Verdict.TAMPERED: "Tampered",
    Verdict.UNKNOWN_ISSUER: "Unknown issuer",
    Verdict.NOT_A_CERTIFICATE: "Not a certificate",
    Verdict.UNKNOWN_CODE: "Unknown code",
    Verdict.MISTYPED_CODE: "Mistyped code",
}


@dataclass(frozen=True)
class VerificationResult:
    verdict: Verdict
    reason: str
    claims: CertificateClaims | None = None
    kid: str | None = None
    status_known_until: datetime | None = None
    """For :attr:`Verdict.VALID_STATUS_UNKNOWN`: revocations are known up to this time."""
    token: str | None = None

    @property
    def ok(self) -> bool:
        """The certificate is genuine and in force (revocation status possibly unknown)."""
        return self.verdict in (Verdict.VALID, Verdict.VALID_STATUS_UNKNOWN)

    @property
    def headline(self) -> str:
        if self.verdict is Verdict.VALID_STATUS_UNKNOWN and self.status_known_until:
            return f"Valid, revocation status unknown since {format_date(self.status_known_until)}"
        return HEADLINES[self.verdict]

    @property
    def message(self) -> str:
        return f"{self.headline}: {self.reason}"


@dataclass(frozen=True)
class TrustedIssuers:
    """What this verifier trusts: key sets by issuer id, and the cached signed revocation
    lists by issuer id."""

    key_sets: Mapping[str, KeySet]
    revocation_lists: Mapping[str, str]

    def key(self, kid: str) -> tuple[KeySet, PublicKey] | None:
        for ks in self.key_sets.values():
            found = ks.find(kid)
            if found is not None:
                return ks, found
        return None


def verify_qr_text(
    text: str,
    trust: TrustedIssuers,
    now: datetime,
    max_list_age: timedelta = DEFAULT_MAX_LIST_AGE,
) -> VerificationResult:
    try:
        token = qr_payload.decode(text)
    except qr_payload.NotOurQr as err:
        return VerificationResult(Verdict.NOT_A_CERTIFICATE, str(err))
    except qr_payload.DamagedQr as err:
        return VerificationResult(Verdict.TAMPERED, str(err))
    result = verify_token(token, trust, now, max_list_age)
    if result.verdict is Verdict.NOT_A_CERTIFICATE:  # our prefix, but garbage inside
        return VerificationResult(
            Verdict.TAMPERED, f"the certificate QR is damaged: {result.reason}"
        )
    return result


def verify_token(
    token: str,
    trust: TrustedIssuers,
    now: datetime,
    max_list_age: timedelta = DEFAULT_MAX_LIST_AGE,
) -> VerificationResult:
    now = utc(now)
    try:
        parsed = jws.parse_header(token)
    except jws.MalformedToken as err:
        return VerificationResult(Verdict.NOT_A_CERTIFICATE, str(err))
    header = parsed.header
    if header.get("typ") != JWT_TYPE or not isinstance(header.get("kid"), str):
        return VerificationResult(
            Verdict.NOT_A_CERTIFICATE, "a signed document, but not a certificate credential"
        )
    kid: str = header["kid"]
    if header.get("alg") != "EdDSA":
        return VerificationResult(
            Verdict.TAMPERED, f"signed with {header.get('alg')!r}, certificates use EdDSA", kid=kid
        )
    found = trust.key(kid)
    if found is None:
        return VerificationResult(Verdict.UNKNOWN_ISSUER, _unknown_key(kid, parsed, trust), kid=kid)
    key_set, key = found
    if not key.verify(parsed.signature, parsed.signing_input):
        return VerificationResult(
            Verdict.TAMPERED,
            f"the signature does not match the content: it was changed after "
            f"{key_set.issuer_name} signed it",
            kid=kid,
        )
    try:
        claims = CertificateClaims.from_credential(parsed.payload())
    except (NotACredential, ValueError) as err:
        return VerificationResult(Verdict.NOT_A_CERTIFICATE, str(err), kid=kid)
    if claims.issuer_id != key_set.issuer_id:
        return VerificationResult(
            Verdict.TAMPERED,
            f"it names {claims.issuer_name or claims.issuer_id} as issuer but is signed with "
            f"a key of {key_set.issuer_name}",
            claims,
            kid,
        )
    if not key.covers(claims.valid_from):
        until = format_date(key.valid_until) if key.valid_until else "-"
        return VerificationResult(
            Verdict.UNKNOWN_ISSUER,
            f"signed with a key of {key_set.issuer_name} that was not in use on "
            f"{format_date(claims.valid_from)} (it was used from {format_date(key.valid_from)} "
            f"to {until})",
            claims,
            kid,
        )
    revocations, list_problem = _revocation_list(trust, key_set, now)
    if revocations is not None:
        entry = revocations.find(claims.credential_id)
        if entry is not None:
            why = f" ({entry.reason})" if entry.reason else ""
            return VerificationResult(
                Verdict.REVOKED,
                f"{key_set.issuer_name} revoked this certificate on "
                f"{format_date(entry.revoked_at)}{why}",
                claims,
                kid,
                token=parsed.compact(),
            )
    if claims.valid_until is not None and now >= claims.valid_until:
        return VerificationResult(
            Verdict.EXPIRED,
            f"it was valid until {format_date(claims.valid_until)}",
            claims,
            kid,
            token=parsed.compact(),
        )
    if now < claims.valid_from:
        return VerificationResult(
            Verdict.NOT_YET_VALID,
            f"it is valid from {format_date(claims.valid_from)}",
            claims,
            kid,
            token=parsed.compact(),
        )
    who = (
        f"{claims.learner_name} achieved {claims.achievement.name!r}, "
        f"signed by {key_set.issuer_name}"
    )
    if revocations is None or now - revocations.issued > max_list_age:
        since = revocations.issued if revocations is not None else claims.valid_from
        why = list_problem or (f"the revocation list on this device is from {format_date(since)}")
        return VerificationResult(
            Verdict.VALID_STATUS_UNKNOWN,
            f"{who}; {why}, so a revocation since then cannot be ruled out",
            claims,
            kid,
            status_known_until=since,
            token=parsed.compact(),
        )
    return VerificationResult(
        Verdict.VALID,
        f"{who}; not revoked as of {format_date(revocations.issued)}",
        claims,
        kid,
        status_known_until=revocations.issued,
        token=parsed.compact(),
    )


def read_revocation_list(token: str, key_set: KeySet) -> RevocationList:
    """The list in ``token`` if it is genuinely signed by a key of ``key_set`` that was in
    use when the list was issued; :class:`BadRevocationList` otherwise."""
    try:
        parsed = jws.parse_header(token)
    except jws.MalformedToken:
        raise BadRevocationList("the revocation list is not a signed list") from None
    if parsed.header.get("typ") != LIST_TYPE:
        raise BadRevocationList("the revocation list is not a signed list")
    key = key_set.find(str(parsed.header.get("kid")))
    if key is None:
        raise BadRevocationList(
            "the revocation list is signed with a key this device does not know"
        )
    if not key.verify(parsed.signature, parsed.signing_input):
        raise BadRevocationList("the revocation list on this device is damaged")
    try:
        revocations = RevocationList.from_payload(parsed.payload())
    except ValueError as err:
        raise BadRevocationList(str(err)) from None
    if revocations.issuer_id != key_set.issuer_id or not key.covers(revocations.issued):
        raise BadRevocationList("the revocation list is not this issuer's")
    return revocations


def _revocation_list(
    trust: TrustedIssuers, key_set: KeySet, now: datetime
) -> tuple[RevocationList | None, str | None]:
    token = trust.revocation_lists.get(key_set.issuer_id)
    if token is None:
        return None, f"this device has no revocation list from {key_set.issuer_name}"
    try:
        return read_revocation_list(token, key_set), None
    except BadRevocationList as err:
        return None, str(err)


def _unknown_key(kid: str, parsed: jws.ParsedToken, trust: TrustedIssuers) -> str:
    issuer_id = kid.split("#", 1)[0]
    name = None
    try:
        issuer = parsed.payload().get("issuer")
        if isinstance(issuer, dict):
            name = issuer.get("name")
    except (ValueError, UnicodeDecodeError):
        pass
    if issuer_id in trust.key_sets:
        ks = trust.key_sets[issuer_id]
        return (
            f"signed with a key of {ks.issuer_name} that this device does not know; update "
            "the organisation's keys (sync, or import its key set) and verify again"
        )
    who = f"{name!r} ({issuer_id})" if name else issuer_id
    return (
        f"it says it is from {who}, an organisation this device does not know or trust "
        "(if you trust it, import its published key set first)"
    )
