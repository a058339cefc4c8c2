"""moto side by side: KMS requests go to kmsmock even while moto's ``mock_aws`` is active.

moto answers requests from a ``before-send`` handler (its ``BotocoreStubber``) that it
adds to every botocore session, and ``before-send`` runs before ``Endpoint._send``,
kmsmock's seam. So while both are active moto would answer KMS too. kmsmock's first
start therefore makes moto's stubber step aside for the requests kmsmock answers
(KMS), whichever of the two started first; other services stay moto's. The stubber's
``__call__`` is saved from the class ``__dict__`` and restored by identity.

moto is never imported here: the patch is installed only when moto's stubber module is
already imported (moto imports it with ``from moto import mock_aws``). A moto first
imported while kmsmock is active is not seen; import moto at the top of the test
module, as moto's own documentation does.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from kmsmock.errors import ActivationError

if TYPE_CHECKING:
    from kmsmock.doors.botocore_seam import Router

_MODULE = "moto.core.botocore_stubber"
_patch: tuple[Any, Any] | None = None


def installed() -> bool:
    return _patch is not None


def install(router: Router) -> bool:
    """Let KMS requests past moto's stubber while ``router`` has a mock for them."""
    global _patch
    if _patch is not None:
        raise ActivationError("kmsmock's moto patch is already installed")
    module = sys.modules.get(_MODULE)
    stubber: Any = getattr(module, "BotocoreStubber", None)
    if stubber is None or "__call__" not in stubber.__dict__:
        return False
    original: Any = stubber.__dict__["__call__"]

    def __call__(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        # event_name is "before-send.<service id>.<operation>"; KMS's service id is "kms".
        if event_name.startswith("before-send.kms.") and router("kms", request.url) is not None:
            return None
        return original(self, event_name, request, **kwargs)

    __call__.__wrapped__ = original  # type: ignore[attr-defined]
    _patch = (original, __call__)
    stubber.__call__ = __call__
    return True


def restore() -> None:
    global _patch
    if _patch is None:
        raise ActivationError("kmsmock's moto patch is not installed")
    original, installed = _patch
    _patch = None
    stubber: Any = sys.modules[_MODULE].BotocoreStubber
    current = stubber.__dict__.get("__call__")
    if current is not installed:
        raise ActivationError(
            f"moto's BotocoreStubber.__call__ was replaced while kmsmock was active "
            f"(found {current!r}); kmsmock cannot restore the original safely"
        )
    stubber.__call__ = original
