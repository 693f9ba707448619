"""``byteos keyring``: where secrets are kept on this machine, and storing an API key headless.

    byteos keyring status                      which store is in use (exit 5 when none)
    byteos keyring set-key PROVIDER            read a key from standard input and store it

Why a command: on a server or a managed laptop there is no settings screen to type a key into,
and IT needs to see at a glance whether the session of a scheduled ``byteos sync`` will
survive to the next run. Keys are read from standard input, never from the command line
(which other users can see in the process list).
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_NO_KEYRING = 5


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from engine.llm.keys import ENV_KEYS

    kr = sub.add_parser("keyring", help="where secrets are kept; store an API key")
    kr_sub = kr.add_subparsers(dest="keyring_command", required=True)
    kr_sub.add_parser("status", help="which secret store is in use")
    setk = kr_sub.add_parser("set-key", help="store a cloud AI or image-search key (stdin)")
    setk.add_argument(
        "provider",
        help=f"{', '.join(ENV_KEYS)} or an environment-variable name such as PEXELS_API_KEY",
    )


def run(args: argparse.Namespace) -> int:
    from engine import secrets
    from engine.llm.keys import ENV_KEYS

    if args.keyring_command == "status":
        st = secrets.status()
        print(
            json.dumps(
                {
                    "store": st.kind,
                    "persistent": st.persistent,
                    "path": str(st.path) if st.path else None,
                    "message": st.message,
                }
            )
        )
        return 0 if st.persistent else EXIT_NO_KEYRING
    name = ENV_KEYS.get(args.provider.lower(), args.provider)
    if not name.replace("_", "").isalnum() or not name.isupper():
        print(
            f"byteos keyring: unknown provider {args.provider!r}: use one of "
            f"{', '.join(ENV_KEYS)} or a key's environment-variable name",
            file=sys.stderr,
        )
        return 1
    from app.services.api_keys import locked_reason

    reason = locked_reason(name)
    if reason:
        print(f"byteos keyring: {reason}", file=sys.stderr)
        return 1
    value = sys.stdin.readline().strip()
    if not value:
        print("byteos keyring: no key on standard input; nothing stored", file=sys.stderr)
        return 1
    try:
        secrets.set_secret(name, value)
    except secrets.SecretsUnavailable as err:
        print(f"byteos keyring: {err}", file=sys.stderr)
        return EXIT_NO_KEYRING
    print(f"stored {name} ({secrets.status().message})")
    return 0
