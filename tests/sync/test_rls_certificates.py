"""Certificates: the signer path, the key set and the revocation list on the server
(the world: ``org_world``)."""

from __future__ import annotations

import json
import secrets

import pytest
from psycopg import errors

from tests.sync.conftest import Supabase
from tests.sync.org_world import JWT, W, new_id, org_world, refused, run  # noqa: F401 (org_world: the fixture w)


# -- certificates --------------------------------------------------------------------------------
def cert_sql() -> tuple[str, str]:
    return (
        "insert into certifications (id, user_id, path_id, expires_at, verification_code,"
        " credential_jwt) values (%s, %s, %s, now() + interval '365 days', %s, %s)",
        secrets.token_hex(8),
    )


def test_only_the_signer_writes_certifications_and_never_for_themselves(
    supabase: Supabase, w: W
) -> None:
    stmt, code = cert_sql()
    for who in (w.learner_a, w.manager_a, w.creator_a):
        refused(supabase, who, stmt, (new_id(), who.id, w.path_a, code, JWT))
    refused(supabase, w.manager_a, stmt, (new_id(), w.learner_a.id, w.path_a, code, JWT))
    refused(supabase, w.admin_a, stmt, (new_id(), w.admin_a.id, w.path_a, code, JWT))
    refused(supabase, w.admin_b, stmt, (new_id(), w.learner_a.id, w.path_a, code, JWT))
    with pytest.raises(errors.CheckViolation):  # a row is a signed certificate
        run(supabase, w.admin_a, stmt, (new_id(), w.learner_a.id, w.path_a, code, None))
    with pytest.raises(errors.CheckViolation):
        run(supabase, w.admin_a, stmt, (new_id(), w.learner_a.id, w.path_a, code, "not a jws"))
    cid = new_id()
    run(supabase, w.admin_a, stmt, (cid, w.learner_a.id, w.path_a, code, JWT))
    run(
        supabase,
        w.admin_a2,
        "update certifications set certificate_url = 'x' where id = %s",
        (cid,),
    )
    assert run(
        supabase, w.manager_a, "update certifications set expires_at = now() where id = %s", (cid,)
    ) == [0]
    assert run(
        supabase, w.learner_a, "update certifications set expires_at = null where id = %s", (cid,)
    ) == [0]
    assert run(
        supabase, w.learner_a, "select count(*) from certifications where id = %s", (cid,)
    ) == [(1,)]
    assert run(
        supabase, w.learner_a2, "select count(*) from certifications where id = %s", (cid,)
    ) == [(0,)]
    assert run(
        supabase, w.manager_a, "select count(*) from certifications where id = %s", (cid,)
    ) == [(1,)]
    # another admin signs the first admin's own certificate
    run(supabase, w.admin_a2, stmt, (new_id(), w.admin_a.id, w.path_a, secrets.token_hex(8), JWT))


def test_the_key_set_and_revocation_list_are_for_everyone_in_the_organisation(
    supabase: Supabase, w: W
) -> None:
    keys = {"issuer": {"id": f"urn:uuid:{w.a}"}, "keys": [{"kty": "OKP", "x": "abc"}]}
    iid = new_id()
    for who in (w.learner_a, w.manager_a, w.creator_a, w.admin_b):
        refused(
            supabase,
            who,
            "insert into certificate_issuers (id, org_id, key_set) values (%s, %s, %s)",
            (iid, w.a, json.dumps(keys)),
        )
    private = {"keys": [{"kty": "OKP", "x": "abc", "d": "the private half"}]}
    with pytest.raises(errors.CheckViolation):
        run(
            supabase,
            w.admin_a,
            "insert into certificate_issuers (id, org_id, key_set) values (%s, %s, %s)",
            (iid, w.a, json.dumps(private)),
        )
    run(
        supabase,
        w.admin_a,
        "insert into certificate_issuers (id, org_id, key_set,"
        " revocation_list) values (%s, %s, %s, %s)",
        (iid, w.a, json.dumps(keys), JWT),
    )
    for who in (w.learner_a, w.manager_a, w.creator_a, w.admin_a2):
        assert run(
            supabase,
            who,
            "select revocation_list from certificate_issuers where org_id = %s",
            (w.a,),
        ) == [(JWT,)]
    assert run(
        supabase, w.manager_b, "select count(*) from certificate_issuers where org_id = %s", (w.a,)
    ) == [(0,)]
    for who in (w.learner_a, w.manager_a):
        assert run(
            supabase,
            who,
            "update certificate_issuers set revocation_list = null where id = %s",
            (iid,),
        ) == [0]
    assert run(
        supabase,
        w.admin_b,
        "update certificate_issuers set revocation_list = null where id = %s",
        (iid,),
    ) == [0]
