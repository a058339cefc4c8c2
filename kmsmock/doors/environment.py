"""The process environment while kmsmock is active, and the fake keys kmsmock signs with.

kmsmock resolves the region and the credentials of a client itself (the botocore door's
``get_config_variable`` and ``get_credentials``), so it writes no region and no keys
into ``os.environ``. The one variable it sets, when unset, is
``AWS_EC2_METADATA_DISABLED``: a last guard for any botocore path that would ask the
EC2 instance metadata service, over the network. At the stop it takes back only what
it set: a variable the test changed meanwhile (with monkeypatch, say) keeps the test's
value.
"""

from __future__ import annotations

import os

# AWS's documented example credentials: recognisable, never valid.
FAKE_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
FAKE_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

# Variable -> (its value before kmsmock, the value kmsmock gave it; None: unset).
Saved = dict[str, tuple[str | None, str | None]]


def default_region(mock_region: str) -> str:
    """The region a client gets when neither it nor its session names one: the
    environment's ``AWS_DEFAULT_REGION`` (botocore reads no ``AWS_REGION``), else the
    mock's."""
    return os.environ.get("AWS_DEFAULT_REGION") or mock_region


def apply() -> Saved:
    """Set what is missing; returns what to restore."""
    saved: Saved = {}
    if "AWS_EC2_METADATA_DISABLED" not in os.environ:
        saved["AWS_EC2_METADATA_DISABLED"] = (None, "true")
        os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    return saved


def restore(saved: Saved) -> None:
    """Undo what ``apply`` did, except where the variable no longer holds kmsmock's value:
    then the test set it on purpose, and it stays."""
    for name, (before, applied) in saved.items():
        if os.environ.get(name) != applied:
            continue
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before
