"""The AWS CLI's own botocore: the botocore door applied to ``awscli.botocore`` too.

From awscli 1.46 on, the AWS CLI v1 ships its own copy of botocore inside the awscli
package instead of depending on botocore. Importing awscli adds an import finder that
resolves a top-level ``import botocore`` to that copy when no botocore is loaded yet,
and the CLI's own code imports ``botocore``; so the CLI runs on whichever ``botocore``
the process loaded first, and the botocore door already covers it. Code that imports
the copy by its package name (``awscli.botocore.session``, ``awscli.botocore.endpoint``)
gets a second set of modules, with their own ``Session`` and ``Endpoint`` classes,
which the botocore door does not reach: this door patches them the same way (the
``Endpoint._send`` seam, and the session's credentials and region), and restores them
by identity at the last stop.

awscli is never imported here: importing it changes ``AWS_DATA_PATH`` and the import
system for the whole process. The door is installed only when awscli is already
imported and ships its own botocore; an ``awscli.botocore`` module first imported while
kmsmock is active is not seen.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING

from kmsmock.doors import botocore_seam

if TYPE_CHECKING:
    from kmsmock.doors.botocore_seam import Router

PACKAGE = "awscli.botocore"


def available() -> bool:
    """Whether an imported awscli ships its own botocore (found without importing it)."""
    awscli = sys.modules.get("awscli")
    location = getattr(awscli, "__file__", None)
    if not location:
        return False
    return os.path.isfile(os.path.join(os.path.dirname(location), "botocore", "__init__.py"))


def installed() -> bool:
    return botocore_seam.installed(PACKAGE)


def install(router: Router, region: str) -> bool:
    """Patch the AWS CLI's copy of botocore as the botocore door patches botocore; False
    when awscli is not imported or ships no copy."""
    if not available():
        return False
    try:
        for module in ("endpoint", "session", "credentials", "awsrequest"):
            importlib.import_module(f"{PACKAGE}.{module}")
    except Exception:  # a copy that cannot load has no sessions or clients to patch
        return False
    botocore_seam.install(router, region, PACKAGE)
    return True


def restore() -> None:
    """Put the copy's originals back. Called once, by the last stop."""
    botocore_seam.restore(PACKAGE)
