"""The AWS JSON 1.1 encoder: handler results and AWS errors as response bodies.

Results are encoded by the output shape (blobs as base64, timestamps as epoch seconds,
absent members omitted); AWS errors become ``{"__type", "message"}`` bodies.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kmsmock.wire import aws_errors as aws

if TYPE_CHECKING:
    from botocore.model import Shape

CONTENT_TYPE = "application/x-amz-json-1.1"
# One encoder for every response: json.dumps would build a new one per call.
_dumps = json.JSONEncoder(separators=(",", ":")).encode

# Handlers return plain values: bytes for blobs, epoch seconds (floats) for timestamps.
# Each output shape compiles into a function that rewrites only the members that need
# it (blobs become base64), or into None when nothing below it does.
Encoder = Callable[[Any], Any]
_ENCODERS: dict[str, Encoder | None] = {}


def result_encoder(shape: Shape | None) -> Callable[[dict[str, Any]], bytes]:
    """The function that turns a handler's result into the response body."""
    encoder = _encoder(shape) if shape is not None else None
    if encoder is None:
        return lambda result: _dumps(result).encode()
    return lambda result: _dumps(encoder(result)).encode()


def error_body(error: aws.AwsError) -> bytes:
    body = {"__type": error.code}
    # Every AWS error has a message, except an unknown operation's when none is given.
    if error.message or not isinstance(error, aws.UnknownOperationException):
        body["message"] = error.message
    return _dumps(body).encode()


def _encoder(shape: Shape) -> Encoder | None:
    if shape.name not in _ENCODERS:
        _ENCODERS[shape.name] = _compile(shape)
    return _ENCODERS[shape.name]


def _blob(value: bytes) -> str:
    return binascii.b2a_base64(value, newline=False).decode("ascii")


def _compile(shape: Shape) -> Encoder | None:
    kind = shape.type_name
    if kind == "blob":
        return _blob
    if kind == "timestamp":
        # Handlers give epoch seconds already, to the millisecond (the clock's unit).
        return None
    if kind == "list":
        item = _encoder(shape.member)  # type: ignore[attr-defined]
        if item is None:
            return None
        return lambda values: [item(v) for v in values]
    if kind == "map":
        value_encoder = _encoder(shape.value)  # type: ignore[attr-defined]
        if value_encoder is None:
            return None
        return lambda mapping: {k: value_encoder(v) for k, v in mapping.items()}
    if kind != "structure":
        return None
    members = [
        (name, enc)
        for name, member in shape.members.items()  # type: ignore[attr-defined]
        if (enc := _encoder(member)) is not None
    ]
    if not members:
        return None

    def encode(value: dict[str, Any]) -> dict[str, Any]:
        for name, enc in members:
            member_value = value.get(name)
            if member_value is not None:
                value[name] = enc(member_value)
        return value

    return encode
