"""``python -m rossum_trio.cli``: the ``rossum-trio`` command."""

from rossum_trio.cli import main

raise SystemExit(main())
