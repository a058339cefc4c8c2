"""kmsmock: an in-process mock of AWS Key Management Service for botocore and boto3.

>>> import boto3
>>> from kmsmock import mock_kms
>>> with mock_kms():
...     kms = boto3.client("kms")
...     key = kms.create_key(Description="example")["KeyMetadata"]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from kmsmock._activation import KmsMock, mock_kms
from kmsmock.errors import (
    ActivationError,
    ExtraNotInstalledError,
    FeatureNotImplementedError,
    KmsMockError,
    OperationNotImplementedError,
    ParameterNotImplementedError,
    RequestRefusedError,
)

if TYPE_CHECKING:
    from kmsmock.state.clock import Clock
    from kmsmock.state.faults import Faults
    from kmsmock.state.identities import Identities
    from kmsmock.state.journal import Call, CallJournal
    from kmsmock.state.views import KeyView

__version__ = "0.1.0.dev0"

__all__ = [
    "ActivationError",
    "Call",
    "CallJournal",
    "Clock",
    "ExtraNotInstalledError",
    "Faults",
    "FeatureNotImplementedError",
    "Identities",
    "KeyView",
    "KmsMock",
    "KmsMockError",
    "OperationNotImplementedError",
    "ParameterNotImplementedError",
    "RequestRefusedError",
    "__version__",
    "mock_kms",
]

# The types of the handle's members, for annotations in tests and helpers. They are
# imported on first use: `import kmsmock` stays as cheap as the decorator needs. Type
# checkers see the imports above instead, so a misspelt name is still an error.
_LAZY = {
    "Call": "kmsmock.state.journal",
    "CallJournal": "kmsmock.state.journal",
    "Clock": "kmsmock.state.clock",
    "Faults": "kmsmock.state.faults",
    "Identities": "kmsmock.state.identities",
    "KeyView": "kmsmock.state.views",
}

if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'kmsmock' has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(__all__))
