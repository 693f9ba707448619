"""Passphrases of elevated local profiles on a shared PC (issue 13): asked for on sign-in,
rate-limited with a back-off that survives a restart, never synced; learners stay one click."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.services import accounts
from app.services.accounts import CurrentUser, PassphraseRequired
from app.services.context import AppContext
from app.services.errors import UserError
from app.shell.sign_in import CreateProfileDialog, SignInPage
from sync.store.column_types import utcnow
from sync.store.models import SyncOutbox, SyncState

SECRET = "training-room-42"


def _admin(ctx: AppContext, learner: CurrentUser, passphrase: str | None = SECRET) -> CurrentUser:
    return accounts.create_profile(
        ctx.db, "Ada Admin", "org_admin", learner.org_id, passphrase=passphrase
    )


def test_an_elevated_profile_needs_its_passphrase_and_a_learner_does_not(
    ctx: AppContext, learner: CurrentUser
) -> None:
    admin = _admin(ctx, learner)
    with pytest.raises(PassphraseRequired):
        accounts.sign_in(ctx.db, admin.id)
    assert isinstance(PassphraseRequired("x"), UserError)  # launch's resume falls back on it
    with pytest.raises(UserError, match="not this profile's passphrase"):
        accounts.sign_in(ctx.db, admin.id, "training-room-43")
    assert accounts.sign_in(ctx.db, admin.id, SECRET).role == "org_admin"
    assert accounts.sign_in(ctx.db, admin.id, unlocked_by_session=True).id == admin.id
    assert not accounts.has_passphrase(ctx.db, learner.id)
    assert accounts.sign_in(ctx.db, learner.id).id == learner.id
    with pytest.raises(UserError, match="at least 8"):
        accounts.set_passphrase(ctx.db, admin.id, "short")


def test_the_hash_is_slow_salted_and_never_synced(ctx: AppContext, learner: CurrentUser) -> None:
    with ctx.db.transaction() as s:
        before = s.scalar(select(SyncOutbox.id).order_by(SyncOutbox.id.desc()).limit(1)) or 0
    admin = _admin(ctx, learner)
    other = accounts.create_profile(ctx.db, "Bo Boss", "manager", learner.org_id, passphrase=SECRET)
    with ctx.db.transaction() as s:
        a = s.get(SyncState, f"local.passphrase.{admin.id}")
        b = s.get(SyncState, f"local.passphrase.{other.id}")
        assert a is not None and b is not None and a.value and b.value
        scheme, n, r, p, _salt, _digest = a.value.split("$")
        assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2**15, 8, 1)
        assert SECRET not in a.value and a.value != b.value  # salted: same secret, other hash
        tables = set(s.scalars(select(SyncOutbox.table_name).where(SyncOutbox.id > before)))
    assert "sync_state" not in tables and tables <= {"profiles", "learner_profiles"}


def test_wrong_passphrases_back_off_and_a_restart_does_not_reset_it(
    ctx: AppContext, learner: CurrentUser, tmp_path: Path
) -> None:
    admin = _admin(ctx, learner)
    now = utcnow()
    for _ in range(accounts.FREE_ATTEMPTS - 1):
        with pytest.raises(UserError, match=r"not this profile's passphrase\.$"):
            accounts.sign_in(ctx.db, admin.id, "guess-guess", now=now)
    with pytest.raises(UserError, match="Wait 2 seconds"):
        accounts.sign_in(ctx.db, admin.id, "guess-guess", now=now)
    # during the wait not even the right passphrase is checked
    with pytest.raises(UserError, match=r"try again in 1 second\.$"):
        accounts.sign_in(ctx.db, admin.id, SECRET, now=now + timedelta(seconds=1))
    later = now + timedelta(seconds=3)
    with pytest.raises(UserError, match="Wait 4 seconds"):
        accounts.sign_in(ctx.db, admin.id, "guess-guess", now=later)
    # the app restarts: the back-off is in the database, not in memory
    ctx.close()
    reopened = AppContext.open(tmp_path / "byteos.db", tmp_path / "assets")
    try:
        with pytest.raises(UserError, match="try again in 4 seconds"):
            accounts.sign_in(reopened.db, admin.id, SECRET, now=later)
        assert accounts.wait_after(20) == accounts.MAX_WAIT
        after = later + timedelta(seconds=5)
        assert accounts.sign_in(reopened.db, admin.id, SECRET, now=after).id == admin.id
        # a right passphrase clears the count: the next typo is free again
        with pytest.raises(UserError, match=r"passphrase\.$"):
            accounts.sign_in(reopened.db, admin.id, "typo-typo", now=after)
    finally:
        reopened.close()


def test_creating_an_elevated_profile_asks_for_a_passphrase(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr("app.shell.sign_in.QMessageBox.warning", lambda *a: warnings.append(a[2]))
    d = CreateProfileDialog(ctx)
    qtbot.addWidget(d)
    qtbot.keyClicks(d.name, "Grace Manager")
    d.role.setCurrentIndex(d.role.findData("learner"))
    assert not d.passphrase.isEnabled()
    d.role.setCurrentIndex(d.role.findData("manager"))
    assert d.passphrase.isEnabled() and d.passphrase.echoMode() == d.passphrase.EchoMode.Password
    d.create()
    assert d.created is None and "at least 8" in warnings[-1]
    qtbot.keyClicks(d.passphrase, SECRET)
    qtbot.keyClicks(d.passphrase_again, SECRET + "!")
    d.create()
    assert d.created is None and "not the same" in warnings[-1]
    d.passphrase_again.clear()
    qtbot.keyClicks(d.passphrase_again, SECRET)
    d.create()
    assert d.created is not None and accounts.has_passphrase(ctx.db, d.created.id)


def test_signing_in_asks_for_the_passphrase_and_offers_one_when_missing(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    admin = _admin(ctx, learner)
    bare = accounts.create_profile(ctx.db, "Cy Creator", "creator", learner.org_id)
    page = SignInPage(ctx)
    qtbot.addWidget(page)
    page.show()
    entered: list[CurrentUser] = []
    page.signed_in.connect(entered.append)

    page.select_profile(learner.id)  # one click
    qtbot.mouseClick(page.continue_button, Qt.MouseButton.LeftButton)
    assert [u.id for u in entered] == [learner.id] and page.passphrase_dialog is None

    page.refresh()
    page.select_profile(admin.id)
    qtbot.mouseClick(page.continue_button, Qt.MouseButton.LeftButton)
    dialog = page.passphrase_dialog
    assert dialog is not None and dialog.isVisible() and len(entered) == 1
    qtbot.keyClicks(dialog.secret, "not-the-one")
    dialog.submitted.emit()
    assert dialog.isVisible() and "not this profile's passphrase" in dialog.error.text()
    dialog.secret.clear()
    qtbot.keyClicks(dialog.secret, SECRET)
    dialog.submitted.emit()
    assert not dialog.isVisible() and entered[-1].id == admin.id

    page.refresh()
    page.select_profile(bare.id)  # elevated, no passphrase yet: in, then asked to set one
    qtbot.mouseClick(page.continue_button, Qt.MouseButton.LeftButton)
    assert entered[-1].id == bare.id
    qtbot.waitUntil(lambda: page.passphrase_dialog is not dialog)
    offer = page.passphrase_dialog
    assert offer is not None and offer.objectName() == "set-passphrase-dialog"
    qtbot.keyClicks(offer.secret, SECRET)
    qtbot.keyClicks(offer.again, SECRET)
    offer.submitted.emit()
    assert not offer.isVisible() and accounts.has_passphrase(ctx.db, bare.id)
    with pytest.raises(PassphraseRequired):
        accounts.sign_in(ctx.db, bare.id)
