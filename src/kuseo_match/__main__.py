"""``python -m kuseo_match``: the ``kuseo-match`` command (see :mod:`kuseo_match.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
