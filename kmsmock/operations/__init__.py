"""KMS operations, one module per family; importing this package fills the registry."""

from __future__ import annotations

from kmsmock.operations import aliases, crypto, keys, policies, rotation, tags
from kmsmock.operations._registry import HANDLERS, Handler, Params, Result, handles

__all__ = [
    "HANDLERS",
    "Handler",
    "Params",
    "Result",
    "aliases",
    "crypto",
    "handles",
    "implemented",
    "keys",
    "policies",
    "rotation",
    "tags",
]


def implemented() -> list[str]:
    return sorted(HANDLERS)
