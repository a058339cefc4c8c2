"""KMS operations, one module per family; importing this package fills the registry."""

from __future__ import annotations

from kmsmock.operations import crypto, keys
from kmsmock.operations._registry import HANDLERS, Handler, Params, Result, handles

__all__ = ["HANDLERS", "Handler", "Params", "Result", "crypto", "handles", "implemented", "keys"]


def implemented() -> list[str]:
    return sorted(HANDLERS)
