"""Every verdict, with real Ed25519 signatures: valid, tampered, unknown issuer, expired,
revoked, stale or missing revocation list, key rotation, foreign QR text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from engine.certificates import qr_payload
from engine.certificates.codes import new_code
from engine.certificates.credential import Achievement, CertificateClaims, sign_credential
from engine.certificates.encoding import b64url_decode, b64url_encode, base45_decode, base45_encode
from engine.certificates.keys import KeySet, SigningKey, issuer_id_for, new_key_set, rotate
from engine.certificates.revocation import Revocation, empty_list, list_id_for, sign_list
from engine.certificates.verify import TrustedIssuers, Verdict, verify_qr_text, verify_token

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ORG = "0350eaac-3764-5955-87ad-27fbc6ee74ae"
ISSUER = issuer_id_for(ORG)


def claims(valid_from: datetime = T0, days: int | None = 365, **kw: object) -> CertificateClaims:
    base = CertificateClaims(
        credential_id="urn:uuid:6f2b1d34-9a7c-4e1b-8d2f-0c3a5b7e9f11",
        issuer_id=ISSUER,
        issuer_name="ByteOS Demo Academy",
        learner_id="urn:uuid:a8739373-d5ee-5d22-9e9a-0c4a574e0774",
        learner_name="Sam Rivera",
        achievement=Achievement(
            id="urn:uuid:2d9e4c1a-7b3f-4a6e-9c8d-1e2f3a4b5c6d",
            name="Learning How to Learn",
            description="Four modules on memory and attention.",
            criteria="Completed every required course of the path.",
        ),
        valid_from=valid_from,
        valid_until=valid_from + timedelta(days=days) if days else None,
        status_list_id=list_id_for(ISSUER),
        verification_code=str(new_code()),
        completed_at=valid_from - timedelta(hours=2),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


@pytest.fixture
def org() -> tuple[KeySet, SigningKey]:
    return new_key_set(ISSUER, "ByteOS Demo Academy", T0 - timedelta(days=30))


def trust_for(
    key_set: KeySet, key: SigningKey, listed_at: datetime = T0, *revoked: str
) -> TrustedIssuers:
    revs = empty_list(ISSUER, listed_at)
    for cid in revoked:
        revs = revs.with_revocation(Revocation(cid, listed_at, "issued in error"), listed_at)
    return TrustedIssuers({ISSUER: key_set}, {ISSUER: sign_list(revs, key)})


def test_a_genuine_certificate_is_valid_from_token_and_from_qr(
    org: tuple[KeySet, SigningKey],
) -> None:
    key_set, key = org
    c = claims()
    token = sign_credential(c, key)
    trust = trust_for(key_set, key, T0 + timedelta(days=9))
    for result in (
        verify_token(token, trust, T0 + timedelta(days=10)),
        verify_qr_text(qr_payload.encode(token), trust, T0 + timedelta(days=10)),
    ):
        assert result.verdict is Verdict.VALID, result.message
        assert result.ok and result.claims == c
        assert "Sam Rivera" in result.reason and "Learning How to Learn" in result.reason
    header = json.loads(b64url_decode(token.split(".")[0]))
    assert header == {"alg": "EdDSA", "cty": "vc", "kid": key.kid, "typ": "vc+jwt"}
    assert key.kid.startswith(ISSUER + "#")


def test_the_credential_is_an_open_badges_3_credential(org: tuple[KeySet, SigningKey]) -> None:
    _, key = org
    vc = json.loads(b64url_decode(sign_credential(claims(), key).split(".")[1]))
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "ob/v3p0" in vc["@context"][1]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["id"] == ISSUER and vc["issuer"]["name"] == "ByteOS Demo Academy"
    subject = vc["credentialSubject"]
    assert subject["achievement"]["criteria"]["narrative"]
    assert subject["identifier"][0]["identityHash"] == "Sam Rivera"
    assert vc["validFrom"] == "2026-03-01T09:00:00Z" and vc["validUntil"] == "2027-03-01T09:00:00Z"
    assert vc["credentialStatus"] == {"id": list_id_for(ISSUER), "type": "1EdTechRevocationList"}


def test_one_flipped_byte_anywhere_in_the_payload_is_tampered(
    org: tuple[KeySet, SigningKey],
) -> None:
    key_set, key = org
    token = sign_credential(claims(), key)
    trust = trust_for(key_set, key)
    head, body, sig = token.split(".")
    raw = bytearray(b64url_decode(body))
    for i in (0, len(raw) // 3, len(raw) // 2, len(raw) - 1):
        changed = bytearray(raw)
        changed[i] ^= 0x01
        forged = f"{head}.{b64url_encode(bytes(changed))}.{sig}"
        result = verify_token(forged, trust, T0)
        assert result.verdict is Verdict.TAMPERED, (i, result.message)
    # the learner's name changed, re-encoded cleanly: still tampered
    vc = json.loads(raw)
    vc["credentialSubject"]["identifier"][0]["identityHash"] = "Mallory"
    forged = f"{head}.{b64url_encode(json.dumps(vc).encode())}.{sig}"
    assert verify_token(forged, trust, T0).verdict is Verdict.TAMPERED


def test_one_flipped_byte_in_the_qr_is_tampered_unless_no_signed_byte_changed(
    org: tuple[KeySet, SigningKey],
) -> None:
    """A flip inside the deflate stream can turn a back-reference into another one that
    copies identical bytes: then every signed byte is unchanged and "valid" is right. Any
    flip that changes what was signed must give "tampered"."""
    key_set, key = org
    token = sign_credential(claims(), key)
    text = qr_payload.encode(token)
    trust = trust_for(key_set, key)
    data = bytearray(base45_decode(text[len(qr_payload.PREFIX) :]))
    tampered = 0
    for i in range(len(data)):
        changed = bytearray(data)
        changed[i] ^= 0x20
        flipped = qr_payload.PREFIX + base45_encode(bytes(changed))
        result = verify_qr_text(flipped, trust, T0)
        if result.verdict is Verdict.TAMPERED:
            tampered += 1
            continue
        assert result.verdict is Verdict.VALID, (i, result.message)
        assert qr_payload.decode(flipped) == token, i  # the same signed bytes came out
    assert tampered > 0.9 * len(data)


def test_another_organisations_key_is_an_unknown_issuer(org: tuple[KeySet, SigningKey]) -> None:
    key_set, key = org
    other_issuer = issuer_id_for("9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d")
    _, other_key = new_key_set(other_issuer, "Forgery Institute", T0 - timedelta(days=1))
    trust = trust_for(key_set, key)
    # their own credential, signed with their own key: not an issuer we trust
    theirs = sign_credential(
        claims(issuer_id=other_issuer, issuer_name="Forgery Institute"), other_key
    )
    result = verify_token(theirs, trust, T0)
    assert result.verdict is Verdict.UNKNOWN_ISSUER
    assert "Forgery Institute" in result.reason and "does not know or trust" in result.reason
    # our issuer's name, signed with their key (kid names their issuer): unknown issuer
    assert (
        verify_token(sign_credential(claims(), other_key), trust, T0).verdict
        is Verdict.UNKNOWN_ISSUER
    )


def test_a_key_of_our_issuer_we_have_not_seen_is_unknown_with_advice(
    org: tuple[KeySet, SigningKey],
) -> None:
    key_set, key = org
    stranger = SigningKey.generate(ISSUER, T0 - timedelta(days=1))
    result = verify_token(sign_credential(claims(), stranger), trust_for(key_set, key), T0)
    assert result.verdict is Verdict.UNKNOWN_ISSUER
    assert "update the organisation's keys" in result.reason


def test_expired(org: tuple[KeySet, SigningKey]) -> None:
    key_set, key = org
    token = sign_credential(claims(days=30), key)
    now = T0 + timedelta(days=31)
    result = verify_token(token, trust_for(key_set, key, now), now)
    assert result.verdict is Verdict.EXPIRED and not result.ok
    assert "31 March 2026" in result.reason


def test_revoked_even_when_the_list_is_stale(org: tuple[KeySet, SigningKey]) -> None:
    key_set, key = org
    c = claims()
    token = sign_credential(c, key)
    listed = T0 + timedelta(days=5)
    trust = trust_for(key_set, key, listed, c.credential_id)
    for now in (listed, listed + timedelta(days=300)):
        result = verify_token(token, trust, now)
        assert result.verdict is Verdict.REVOKED, result.message
        assert "6 March 2026" in result.reason and "issued in error" in result.reason


def test_stale_list_is_valid_with_status_unknown_since_its_date(
    org: tuple[KeySet, SigningKey],
) -> None:
    key_set, key = org
    token = sign_credential(claims(), key)
    listed = T0 + timedelta(days=3)
    result = verify_token(token, trust_for(key_set, key, listed), listed + timedelta(days=40))
    assert result.verdict is Verdict.VALID_STATUS_UNKNOWN and result.ok
    assert result.status_known_until == listed
    assert result.headline == "Valid, revocation status unknown since 4 March 2026"


def test_missing_or_damaged_list_is_never_invalid(org: tuple[KeySet, SigningKey]) -> None:
    key_set, key = org
    token = sign_credential(claims(), key)
    good = trust_for(key_set, key)
    lists: list[dict[str, str]] = [{}, {ISSUER: "garbage"}, {ISSUER: token}]
    list_token = good.revocation_lists[ISSUER]
    h, p, s = list_token.split(".")
    broken = ("B" if s[0] != "B" else "C") + s[1:]  # always a different signature
    lists.append({ISSUER: f"{h}.{p}.{broken}"})  # a list whose signature was broken
    _, stranger = new_key_set(ISSUER, "x", T0 - timedelta(days=5))
    lists.append({ISSUER: sign_list(empty_list(ISSUER, T0), stranger)})  # signed by a stranger
    for revocation_lists in lists:
        result = verify_token(token, TrustedIssuers({ISSUER: key_set}, revocation_lists), T0)
        assert result.verdict is Verdict.VALID_STATUS_UNKNOWN, result.message
        assert result.headline == "Valid, revocation status unknown since 1 March 2026"


def test_rotation_keeps_old_certificates_valid(org: tuple[KeySet, SigningKey]) -> None:
    key_set, old_key = org
    old_cert = sign_credential(claims(), old_key)
    rotated_at = T0 + timedelta(days=100)
    key_set2, new_key = rotate(key_set, rotated_at)
    assert [k.valid_until for k in key_set2.keys] == [rotated_at, None]
    new_cert = sign_credential(claims(valid_from=rotated_at + timedelta(days=1)), new_key)
    # the verifier learned the rotated set through its JWKS (public halves only)
    jwks = json.loads(json.dumps(key_set2.to_jwks()))
    assert all("d" not in k for k in jwks["keys"])
    learned = KeySet.from_jwks(jwks)
    now = rotated_at + timedelta(days=2)
    trust = trust_for(learned, new_key, now)
    assert verify_token(old_cert, trust, now).verdict is Verdict.VALID
    assert verify_token(new_cert, trust, now).verdict is Verdict.VALID
    # a retired key cannot sign new certificates (dated after its retirement)
    late = sign_credential(claims(valid_from=rotated_at + timedelta(days=1)), old_key)
    result = verify_token(late, trust, now)
    assert result.verdict is Verdict.UNKNOWN_ISSUER and "not in use" in result.reason


def test_a_device_that_learns_an_older_key_set_keeps_the_newer_history(
    org: tuple[KeySet, SigningKey],
) -> None:
    key_set, _ = org
    rotated, _ = rotate(key_set, T0)
    assert key_set.merged(rotated) == rotated.merged(key_set)
    assert key_set.merged(rotated).keys[0].valid_until == T0


def test_qr_text_from_another_system_is_not_a_certificate(org: tuple[KeySet, SigningKey]) -> None:
    key_set, key = org
    trust = trust_for(key_set, key)
    cases = {
        "https://example.com/badge/42": "web link",
        "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N": "EU Digital COVID",
        "WIFI:S:cafe;T:WPA;P:secret;;": "not a ByteOS certificate",
    }
    for text, why in cases.items():
        result = verify_qr_text(text, trust, T0)
        assert result.verdict is Verdict.NOT_A_CERTIFICATE and why in result.reason


def test_signed_things_that_are_not_certificates(org: tuple[KeySet, SigningKey]) -> None:
    key_set, key = org
    trust = trust_for(key_set, key)
    revocation_list = trust.revocation_lists[ISSUER]
    assert verify_token(revocation_list, trust, T0).verdict is Verdict.NOT_A_CERTIFICATE
    assert verify_token("not.a.jwt", trust, T0).verdict is Verdict.NOT_A_CERTIFICATE
    assert verify_token("hello", trust, T0).verdict is Verdict.NOT_A_CERTIFICATE


def test_the_private_key_leaves_only_through_the_keyring_export(
    org: tuple[KeySet, SigningKey],
) -> None:
    key_set, key = org
    exported = key.export_for_keyring()
    d = json.loads(exported)["d"]
    assert d not in key_set.to_json() and d not in repr(key) and d not in str(key.public)
    again = SigningKey.import_from_keyring(exported)
    assert again.kid == key.kid and again.sign(b"x") == key.sign(b"x")


def test_a_trusted_issuer_cannot_sign_in_another_issuers_name(
    org: tuple[KeySet, SigningKey],
) -> None:
    key_set, _ = org
    other_issuer = issuer_id_for("9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d")
    other_set, other_key = new_key_set(other_issuer, "Partner College", T0 - timedelta(days=1))
    trust = TrustedIssuers({ISSUER: key_set, other_issuer: other_set}, {})
    result = verify_token(sign_credential(claims(), other_key), trust, T0)
    assert result.verdict is Verdict.TAMPERED
    assert "signed with a key of Partner College" in result.reason
