"""The only code that touches botocore internals: the ``Endpoint._send`` seam.

``Endpoint._send`` is looked up on the class at every request, so replacing it
there reaches clients created before activation too, and leaves botocore's
serialising, signing, retries and parsing exactly as they are. The original is
saved from the class ``__dict__`` (not through ``getattr``, which could hand
back a bound or wrapped object) and restored by identity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kmsmock.errors import ActivationError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse
    from botocore.endpoint import Endpoint

# Answers a KMS request; for anything else returns None to let the request through,
# or raises.
Router = Callable[["Endpoint", "AWSPreparedRequest"], "AWSResponse | None"]

_original: Any = None
_installed: Any = None


def install(router: Router) -> None:
    """Route every ``Endpoint._send`` through ``router``. Called once, by the first start."""
    global _original, _installed
    from botocore.endpoint import Endpoint

    if _installed is not None:
        raise ActivationError("kmsmock's patch is already installed")
    original = Endpoint.__dict__["_send"]

    def _send(self: Endpoint, request: AWSPreparedRequest) -> AWSResponse:
        response = router(self, request)
        if response is None:
            return original(self, request)  # type: ignore[no-any-return]
        return response

    _send.__wrapped__ = original  # type: ignore[attr-defined]
    _original = original
    _installed = _send
    Endpoint._send = _send  # type: ignore[attr-defined]


def restore() -> None:
    """Put the original ``_send`` back. Called once, by the last stop."""
    global _original, _installed
    from botocore.endpoint import Endpoint

    if _installed is None:
        raise ActivationError("kmsmock's patch is not installed")
    current = Endpoint.__dict__.get("_send")
    original, installed = _original, _installed
    _original = _installed = None
    if current is not installed:
        # Someone patched over us; putting our original back would drop their patch.
        raise ActivationError(
            f"botocore.endpoint.Endpoint._send was replaced while kmsmock was active "
            f"(found {current!r}); kmsmock cannot restore the original safely"
        )
    Endpoint._send = original  # type: ignore[attr-defined]


def endpoint_prefix(endpoint: Endpoint) -> str:
    prefix: str = endpoint._endpoint_prefix  # type: ignore[attr-defined]
    return prefix
