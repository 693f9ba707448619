"""``byteos certificate``: verify a certificate offline, and the signer's few chores.

    byteos certificate verify FILE|CODE|QR-TEXT|-   PDF, image of the QR, the code, the QR
                                                    text (``-``: read it from stdin)
    byteos certificate keys [--org ORG_ID]          print the trusted public key sets (JWKS)
    byteos certificate revocations --org ORG_ID     print the cached signed revocation list
    byteos certificate trust JWKS_FILE [--revocations FILE]
                                                    trust an organisation's published keys
    byteos certificate setup-signing --org ID --name NAME   make this device the signer
    byteos certificate rotate-key --org ORG_ID      retire the signing key, start a new one
    byteos certificate sign-pending --org ORG_ID    sign certificates pending signature
    byteos certificate revoke CODE|ID --org ORG_ID [--reason TEXT]

Every command takes ``--store DIR`` (default: ``certificates/`` beside the database, or in
the user data folder). Exit codes: 0 valid (also "valid, revocation status unknown"),
6 any other verdict (the reason is printed), 1 usage or refused input, 5 no keyring to keep
the signing key in.

Why a command: an HR officer or auditor checking a certificate has no ByteOS account; with
the organisation's public key set imported once (``trust``) everything else works offline.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

EXIT_NOT_VALID = 6
EXIT_NO_KEYRING = 5


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cert = sub.add_parser("certificate", help="verify certificates; sign, rotate, revoke")
    cs = cert.add_subparsers(dest="certificate_command", required=True)

    def common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--store", type=Path, help="certificate folder (keys, lists, issued)")
        p.add_argument("--db", type=Path, dest="db_path", help="database file (store beside it)")
        return p

    v = common(cs.add_parser("verify", help="verify a PDF, QR image, code or QR text"))
    v.add_argument("input", help="a file, a verification code, QR text, or - for stdin")
    v.add_argument("--json", action="store_true", help="print the verdict as JSON")
    v.add_argument(
        "--max-list-age-days",
        type=int,
        default=14,
        help="revocation list older than this counts as stale (default 14)",
    )
    k = common(cs.add_parser("keys", help="print trusted public key sets as JWKS"))
    k.add_argument("--org", help="only this organisation's key set")
    r = common(cs.add_parser("revocations", help="print an organisation's signed list"))
    r.add_argument("--org", required=True)
    t = common(cs.add_parser("trust", help="trust an organisation's published key set"))
    t.add_argument("jwks", type=Path)
    t.add_argument("--revocations", type=Path, help="its signed revocation list (.jwt)")
    s = common(cs.add_parser("setup-signing", help="make this device the organisation's signer"))
    s.add_argument("--org", required=True)
    s.add_argument("--name", required=True, help="the organisation's name, as certificates say")
    common(
        cs.add_parser("rotate-key", help="retire the signing key and use a new one")
    ).add_argument("--org", required=True)
    common(cs.add_parser("sign-pending", help="sign certificates pending signature")).add_argument(
        "--org", required=True
    )
    rv = common(cs.add_parser("revoke", help="revoke a certificate (by code or id)"))
    rv.add_argument("certificate")
    rv.add_argument("--org", required=True)
    rv.add_argument("--reason", default="")


def run(args: argparse.Namespace) -> int:
    ctx = None
    if not args.store and args.db_path is not None and args.db_path.is_file():
        from app.services.context import AppContext

        ctx = AppContext.open(args.db_path)  # codes and trust are looked up in its tables too
    try:
        return _run(args, ctx.db if ctx is not None else None)
    finally:
        if ctx is not None:
            ctx.close()


def _run(args: argparse.Namespace, db: object) -> int:
    from app.services import certificates as certs
    from app.services.errors import UserError
    from engine import secrets
    from engine.certificates.keys import issuer_id_for

    store = args.store and certs.CertificateStore(args.store)
    store = store or certs.CertificateStore.default(args.db_path, db)  # type: ignore[arg-type]
    now = datetime.now(UTC)
    command = args.certificate_command
    try:
        if command == "verify":
            return _verify(store, args, now)
        if command == "keys":
            sets = store.key_sets()
            if args.org:
                sets = [ks for ks in sets if ks.issuer_id == issuer_id_for(args.org)]
                if not sets:
                    print(f"byteos certificate: no key set for {args.org} here", file=sys.stderr)
                    return 1
            print(
                json.dumps(
                    sets[0].to_jwks() if args.org else [ks.to_jwks() for ks in sets], indent=2
                )
            )
            return 0
        if command == "revocations":
            token = store.revocations(issuer_id_for(args.org))
            if token is None:
                print(
                    f"byteos certificate: no revocation list for {args.org} here", file=sys.stderr
                )
                return 1
            print(token)
            return 0
        if command == "trust":
            revocations = args.revocations.read_text(encoding="utf-8") if args.revocations else None
            ks = certs.import_trust(store, args.jwks.read_text(encoding="utf-8"), revocations)
            print(f"trusting {ks.issuer_name} ({ks.issuer_id}): {len(ks.keys)} key(s)")
            return 0
        if command == "setup-signing":
            ks = certs.set_up_signing(store, args.org, args.name, now)
            print(f"this device now signs for {args.name}; key {ks.keys[-1].kid}")
            print("publish its public key set with: byteos certificate keys --org " + args.org)
            return 0
        if command == "rotate-key":
            ks = certs.rotate_signing_key(store, args.org, now)
            print(f"new signing key {ks.keys[-1].kid}; {len(ks.keys) - 1} earlier key(s) kept")
            return 0
        if command == "sign-pending":
            done = certs.sign_pending(store, args.org, now)
            for c in done:
                req = c.request
                print(f"signed {c.verification_code}  {req.learner_name}: {req.path_title}")
            print(f"{len(done)} certificate(s) signed")
            return 0
        if command == "revoke":
            cert = certs.revoke(store, args.org, args.certificate, args.reason, now)
            print(f"revoked {cert.verification_code} ({cert.request.learner_name})")
            return 0
    except secrets.SecretsUnavailable as err:
        print(f"byteos certificate: {err}", file=sys.stderr)
        return EXIT_NO_KEYRING
    except (UserError, OSError) as err:
        print(f"byteos certificate: {err}", file=sys.stderr)
        return 1
    return 1  # pragma: no cover - argparse rejects unknown commands


def _verify(store: object, args: argparse.Namespace, now: datetime) -> int:
    from app.services import certificates as certs

    assert isinstance(store, certs.CertificateStore)
    source: str | Path = args.input
    if args.input == "-":
        source = sys.stdin.read().strip()
    elif Path(args.input).suffix.lower() in (".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp"):
        path = Path(args.input)
        if not path.is_file():
            print(f"byteos certificate: no such file: {path}", file=sys.stderr)
            return 1
        source = path
    result = certs.verify(store, source, now, timedelta(days=max(0, args.max_list_age_days)))
    if args.json:
        claims = result.claims
        print(
            json.dumps(
                {
                    "verdict": result.verdict.value,
                    "ok": result.ok,
                    "headline": result.headline,
                    "reason": result.reason,
                    "learner": claims.learner_name if claims else None,
                    "achievement": claims.achievement.name if claims else None,
                    "issuer": claims.issuer_name if claims else None,
                    "code": claims.verification_code if claims else None,
                    "valid_until": claims.valid_until.isoformat()
                    if claims and claims.valid_until
                    else None,
                    "kid": result.kid,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(result.message)
    return 0 if result.ok else EXIT_NOT_VALID
