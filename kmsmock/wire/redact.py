"""Request and response bodies as a test reads them in ``kms.calls``.

Blobs become bytes, and whatever the model marks sensitive (plaintext, messages to sign,
secrets, key store passwords) reads as ``REDACTED``.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from kmsmock.wire.model import operation_model, operation_names

if TYPE_CHECKING:
    from botocore.model import Shape

REDACTED = "REDACTED"


def readable(
    operation: str, request_body: bytes, response_body: bytes | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The request's members and the response's (None for a failed call), redacted."""
    request_shape = response_shape = None
    if operation in operation_names():
        model = operation_model(operation)
        request_shape, response_shape = model.input_shape, model.output_shape
    request = _readable(request_shape, _json(request_body))
    if response_body is None:
        return request, None
    return request, _readable(response_shape, _json(response_body))


def _json(body: bytes) -> dict[str, Any]:
    try:
        found = json.loads(body) if body else {}
    except (ValueError, RecursionError):
        return {}
    return found if isinstance(found, dict) else {}


def _readable(shape: Shape | None, value: Any) -> Any:
    if shape is None:
        return value
    if shape.metadata.get("sensitive"):
        return REDACTED
    kind = shape.type_name
    if kind == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value)
        except (binascii.Error, ValueError):
            return value
    if kind == "structure" and isinstance(value, dict):
        members = shape.members  # type: ignore[attr-defined]
        return {name: _readable(members.get(name), item) for name, item in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_readable(shape.member, item) for item in value]  # type: ignore[attr-defined]
    if kind == "map" and isinstance(value, dict):
        return {key: _readable(shape.value, item) for key, item in value.items()}  # type: ignore[attr-defined]
    return value
