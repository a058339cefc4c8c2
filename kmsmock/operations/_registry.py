"""The registry: model operation name -> handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kmsmock.state.context import RequestContext

Params = dict[str, Any]
Result = dict[str, Any]
Handler = Callable[[RequestContext, Params], Result]

HANDLERS: dict[str, Handler] = {}


def handles(operation: str) -> Callable[[Handler], Handler]:
    """Register a handler under the model's operation name (``"CreateKey"``)."""

    def register(handler: Handler) -> Handler:
        if operation in HANDLERS:
            raise RuntimeError(f"two handlers for {operation}")
        HANDLERS[operation] = handler
        return handler

    return register
