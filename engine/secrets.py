"""The one place ByteOS keeps secrets: the OS keyring, under one service name.

Why one helper: API keys, web-search keys and the Supabase session used to go through two
wrappers under two service names, and both failed differently on a machine with no keyring.
Every secret now goes through :func:`get_secret` / :func:`set_secret` / :func:`delete_secret`.

Where secrets go, in order:

1. the OS keyring (Secret Service / KWallet on Linux, Keychain on macOS, Credential Manager on
   Windows), or whatever ``PYTHON_KEYRING_BACKEND`` names (tests use an in-memory backend);
2. on a machine without one (a headless Linux box with no D-Bus session: keyring's active
   backend is then ``fail.Keyring``), an **encrypted file keyring** (``keyrings.cryptfile``:
   Argon2id key derivation, AES-GCM) in the user data folder, unlocked by a passphrase from
   ``BYTEOS_KEYRING_PASSPHRASE`` or from the file named by ``BYTEOS_KEYRING_PASSPHRASE_FILE``
   (e.g. a systemd credential or a file only the user can read, placed there by IT);
3. otherwise nowhere: :func:`get_secret` answers ``None`` and :func:`set_secret` raises
   :class:`SecretsUnavailable` whose message says how to set up 1 or 2.

Secrets are never written in plain text, printed or logged. The keyring is resolved lazily
(its backends may talk to D-Bus) and once per process; :func:`reset` forgets the choice.
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SERVICE = "ByteOS"
"""The one keyring service name every ByteOS secret is stored under."""

LEGACY_SERVICES = ("ByteOS Supabase session",)
"""Service names of earlier versions; read once and moved under :data:`SERVICE`."""

PASSPHRASE_ENV = "BYTEOS_KEYRING_PASSPHRASE"
PASSPHRASE_FILE_ENV = "BYTEOS_KEYRING_PASSPHRASE_FILE"
FILE_ENV = "BYTEOS_KEYRING_FILE"
DISABLE_ENV = "BYTEOS_NO_KEYRING"

HOW_TO_FIX = (
    "To keep secrets between runs on this machine, either run ByteOS inside a D-Bus session "
    "with a Secret Service (for a scheduled job: `dbus-run-session -- sh -c 'echo PASS | "
    "gnome-keyring-daemon --unlock; byteos sync'`), or set "
    f"{PASSPHRASE_ENV} (or {PASSPHRASE_FILE_ENV}, the path of a file holding it) to use "
    "ByteOS's encrypted file keyring."
)


class SecretsUnavailable(RuntimeError):
    """No place to keep a secret on this machine; the message says how to provide one."""


@dataclass(frozen=True)
class KeyringStatus:
    """Which store is in use, in words for a status line or ``byteos keyring status``."""

    kind: str
    """``os`` (a real OS keyring or an explicitly configured backend), ``encrypted-file``,
    or ``none``."""
    description: str
    persistent: bool
    path: Path | None = None

    @property
    def message(self) -> str:
        if self.kind == "none":
            return f"No keyring is available: {self.description}. {HOW_TO_FIX}"
        if self.kind == "encrypted-file":
            return f"Secrets are kept in the encrypted file keyring at {self.path}."
        return f"Secrets are kept in {self.description}."


_lock = threading.Lock()
_resolved: dict[tuple[object, ...], tuple[Any, KeyringStatus]] = {}


def reset() -> None:
    """Forget the chosen backend (tests; after the environment changed)."""
    with _lock:
        _resolved.clear()


def status() -> KeyringStatus:
    return _backend()[1]


def get_secret(name: str) -> str | None:
    """The secret stored under ``name``, or ``None`` (also when no keyring is usable)."""
    backend, _ = _backend()
    if backend is None:
        return None
    try:
        value = backend.get_password(SERVICE, name)
        if value is None:
            value = _migrate_legacy(backend, name)
    except Exception:  # a locked or broken keyring counts as "not stored"
        return None
    return value or None


def set_secret(name: str, value: str) -> None:
    """Store ``value`` under ``name``; :class:`SecretsUnavailable` when there is nowhere to."""
    backend, state = _backend()
    if backend is None:
        raise SecretsUnavailable(state.message)
    try:
        backend.set_password(SERVICE, name, value)
    except Exception as err:
        raise SecretsUnavailable(
            f"The keyring refused to store the secret ({type(err).__name__}: "
            f"{_short(err)}). {HOW_TO_FIX}"
        ) from None


def delete_secret(name: str) -> None:
    backend, _ = _backend()
    if backend is None:
        return
    for service in (SERVICE, *LEGACY_SERVICES):
        try:
            backend.delete_password(service, name)
        except Exception:  # not there, or a locked keyring: nothing to delete
            continue


def env_value(var: str) -> str | None:
    """A secret given by the environment variable ``var`` (stripped), or ``None``. Secrets are
    read here, not through ``engine.config``: settings are shown on the About / Policies page
    and kept in a plain file, secrets never are."""
    value = os.environ.get(var, "").strip()
    return value or None


def env_or_secret(var: str) -> str | None:
    """A secret by its environment-variable name (e.g. ``PEXELS_API_KEY``): the environment
    first, then the keyring under the same name."""
    value = env_value(var)
    if value:
        return value
    stored = get_secret(var)
    return stored.strip() if stored and stored.strip() else None


# -- choosing the backend ---------------------------------------------------------------------
def _backend() -> tuple[Any, KeyringStatus]:
    """The backend for the current keyring and environment; resolved once for each (an
    encrypted file is unlocked once, not at every read)."""
    try:
        import keyring

        active: object = keyring.get_keyring()
    except Exception:
        active = None
    names = (DISABLE_ENV, "PYTHON_KEYRING_BACKEND", PASSPHRASE_ENV, PASSPHRASE_FILE_ENV, FILE_ENV)
    key = (id(active), *(os.environ.get(n) for n in names))
    with _lock:
        if key not in _resolved:
            _resolved[key] = _resolve()
        return _resolved[key]


def _resolve() -> tuple[Any, KeyringStatus]:
    if os.environ.get(DISABLE_ENV):
        return None, KeyringStatus("none", f"{DISABLE_ENV} is set", persistent=False)
    try:
        import keyring
    except Exception as err:  # pragma: no cover - keyring is a dependency
        return None, KeyringStatus("none", f"keyring cannot load ({err})", persistent=False)
    try:
        active = keyring.get_keyring()
    except Exception as err:
        active, why = None, f"the keyring cannot start ({_short(err)})"
    else:
        usable = _os_keyring(active)
        if usable is not None:
            return usable, KeyringStatus("os", _describe(usable), persistent=True)
        why = "no OS keyring service is running (no D-Bus Secret Service session)"
    passphrase = _passphrase()
    if passphrase is None:
        return None, KeyringStatus("none", why, persistent=False)
    try:
        backend, path = _encrypted_file(passphrase)
    except SecretsUnavailable as err:
        return None, KeyringStatus("none", f"{why}, and {err}", persistent=False)
    except Exception as err:
        return None, KeyringStatus(
            "none", f"{why}, and the encrypted file keyring cannot open ({_short(err)})", False
        )
    return backend, KeyringStatus("encrypted-file", "an encrypted file", True, path)


def _os_keyring(active: Any) -> Any:
    """The active backend if it is a real OS keyring; ``None`` for keyring's "fail" backend,
    for file-based fallbacks that would prompt on a terminal, and for an empty chain."""
    backends = list(getattr(active, "backends", [active]))
    real = [b for b in backends if not _is_fallback(b)]
    if not real:
        return None
    return active if len(real) == len(backends) else real[0]


def _is_fallback(backend: Any) -> bool:
    module = type(backend).__module__
    # fail: raises on every call; null: silently stores nothing; the file-based ones would
    # prompt for a password on a terminal (ours is opened explicitly, with a passphrase)
    return module.startswith(
        ("keyring.backends.fail", "keyring.backends.null", "keyrings.cryptfile", "keyrings.alt")
    )


def _describe(backend: Any) -> str:
    name = str(getattr(backend, "name", None) or type(backend).__name__)
    return f"the {name}" if name.lower().endswith("keyring") else f"the {name} keyring"


def _passphrase() -> str | None:
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    file = os.environ.get(PASSPHRASE_FILE_ENV)
    if file:
        try:
            text = Path(file).read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return text or None
    return None


def keyring_file() -> Path:
    """Where the encrypted file keyring lives (``BYTEOS_KEYRING_FILE`` overrides)."""
    override = os.environ.get(FILE_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("ByteOS", appauthor=False)) / "secrets.cfg"


def _encrypted_file(passphrase: str) -> tuple[Any, Path]:
    from keyrings.cryptfile.cryptfile import CryptFileKeyring  # type: ignore[import-untyped]

    path = keyring_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    backend = CryptFileKeyring()
    backend.file_path = str(path)
    try:
        # the library's setter runs its own set-up: a new file gets a reference value, an
        # existing one is checked against it (ValueError when the passphrase does not match);
        # with the key set up front it never prompts on a terminal
        backend.keyring_key = passphrase
    except ValueError:
        raise SecretsUnavailable(
            f"the keyring passphrase ({PASSPHRASE_ENV} or {PASSPHRASE_FILE_ENV}) does not "
            f"open the encrypted file keyring at {path}"
        ) from None
    os.chmod(path, 0o600)
    return backend, path


def _migrate_legacy(backend: Any, name: str) -> str | None:
    for service in LEGACY_SERVICES:
        value = backend.get_password(service, name)
        if value is not None:
            backend.set_password(SERVICE, name, value)
            with contextlib.suppress(Exception):  # the copy is what matters
                backend.delete_password(service, name)
            return str(value)
    return None


def _short(err: BaseException) -> str:
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return text[:200]
