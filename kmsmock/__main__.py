"""``python -m kmsmock serve``: the same as the ``kmsmock`` console script."""

from __future__ import annotations

import sys

from kmsmock.cli import main

sys.exit(main())
