"""The frozen app's entry point (packaging/byteos.spec): ``byteos`` as in a checkout, plus
``byteos self-check --db PATH``, which only an installed build has (packaging/frozen/
byteos_bundle_check.py): it proves the bundle works offline on this machine."""

from __future__ import annotations

import multiprocessing
import sys


def main() -> int:
    multiprocessing.freeze_support()  # torch and joblib may start worker processes
    if sys.argv[1:2] == ["self-check"]:
        import byteos_bundle_check

        return byteos_bundle_check.main(sys.argv[2:])
    from app.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
