"""KMS operations, one module per family; importing this package fills the registry."""

from __future__ import annotations

from kmsmock.operations import (
    agreement,
    aliases,
    crypto,
    custom_key_stores,
    encapsulation,
    grants,
    imports,
    keys,
    mac,
    multi_region,
    policies,
    rotation,
    signing,
    tags,
)
from kmsmock.operations._registry import HANDLERS, Handler, Params, Result, handles

__all__ = [
    "HANDLERS",
    "Handler",
    "Params",
    "Result",
    "agreement",
    "aliases",
    "crypto",
    "custom_key_stores",
    "encapsulation",
    "grants",
    "handles",
    "implemented",
    "imports",
    "keys",
    "mac",
    "multi_region",
    "policies",
    "rotation",
    "signing",
    "tags",
]


def implemented() -> list[str]:
    return sorted(HANDLERS)
