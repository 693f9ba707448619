"""``python -m app``: the ``byteos`` command (see ``app.cli``), e.g. for ``-X importtime``."""

from app.cli import main

raise SystemExit(main())
