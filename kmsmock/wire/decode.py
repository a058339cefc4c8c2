"""Server-side request validation, compiled from the model's input shapes.

KMS validates every request in its own front end (the Coral validation layer),
whatever the client checked. botocore checks only minima and required members,
and not at all with ``Config(parameter_validation=False)``, so every constraint
of the model is enforced here: required members, string, list and blob lengths,
integer ranges, enums and patterns, with AWS's message format
(docs/kms-behaviour.md#validation-messages).

Each shape compiles once into a function that turns the decoded JSON value into
the Python value handlers see (blobs to ``bytes``, timestamps to ``float``) and
collects constraint violations on the way, so a request is walked exactly once.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from kmsmock.wire.aws_errors import (
    SerializationException,
    ValidationException,
    unexpected_list,
    unexpected_structure,
)
from kmsmock.wire.model import operation_model

if TYPE_CHECKING:
    from botocore.model import Shape

# (value, path) -> converted value; violations are appended to the list.
Converter = Callable[[Any, str, list[tuple[str, str]]], Any]


def message_name(member: str) -> str:
    """The name AWS uses for a member in validation messages (``KeyId`` -> ``keyId``)."""
    return member[:1].lower() + member[1:]


def validation_message(violations: list[tuple[str, str]]) -> str:
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(text for _, text in violations)


# AWS's front end lists some enums in an order of its own (a hash order), not the
# model's. Where a response was recorded, its order is kept here by shape name; it is
# used only while the model's values are still the same set, else the model's order.
_AWS_ENUM_ORDER: dict[str, tuple[str, ...]] = {
    # GenerateMac with MacAlgorithm "INVALID", recorded from KMS.
    "MacAlgorithmSpec": ("HMAC_SHA_384", "HMAC_SHA_256", "HMAC_SHA_224", "HMAC_SHA_512"),
}


def listed_enum(shape: Shape) -> list[str]:
    """A shape's enum values in the order AWS lists them in a ValidationException."""
    enum: list[str] = list(shape.metadata.get("enum") or [])
    observed = _AWS_ENUM_ORDER.get(shape.name)
    if observed is not None and set(observed) == set(enum) and len(observed) == len(enum):
        return list(observed)
    return enum


def enum_item(value: str, path: str, allowed: list[str]) -> str:
    return (
        f"Value '{value}' at '{path}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]"
    )


def outside_china(
    operation: str, member: str, value: str, unavailable: Collection[str] = ()
) -> ValidationException:
    """What KMS answers for an enum value its Region lacks (SM2 outside China, ML-KEM in
    China): the enum check of the model, with the value and ``unavailable`` missing from
    the set."""
    shape = operation_model(operation).input_shape
    assert shape is not None
    enum = listed_enum(shape.members[member])
    missing = {value, *unavailable}
    item = enum_item(value, message_name(member), [v for v in enum if v not in missing])
    return ValidationException(validation_message([(member, item)]))


def _not_converted(token: str, target: str) -> SerializationException:
    article = "an" if target[0] in "AEIOU" else "a"
    return SerializationException(f"{token} can not be converted to {article} {target}")


def _token(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE_VALUE" if value else "FALSE_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    if isinstance(value, (int, float)):
        return "NUMBER_VALUE"
    if isinstance(value, list):
        return "START_ARRAY"
    return "START_OBJECT"


def _shown(value: object) -> str:
    """A value as AWS's Java front end prints it in a message."""
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_shown(k)}={_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _length_checks(
    shape: Shape, show_value: bool
) -> Callable[[Any, int, str, list[tuple[str, str]]], None] | None:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is None and high is None:
        return None

    def check(value: Any, length: int, path: str, out: list[tuple[str, str]]) -> None:
        prefix = f"Value '{_shown(value)}' at" if show_value else "Value at"
        if low is not None and length < low:
            out.append(
                (
                    path,
                    f"{prefix} '{path}' failed to satisfy constraint: "
                    f"Member must have length greater than or equal to {low}",
                )
            )
        if high is not None and length > high:
            out.append(
                (
                    path,
                    f"{prefix} '{path}' failed to satisfy constraint: "
                    f"Member must have length less than or equal to {high}",
                )
            )

    return check


def _string(shape: Shape) -> Converter:
    sensitive = bool(shape.metadata.get("sensitive"))
    lengths = _length_checks(shape, show_value=not sensitive)
    enum = listed_enum(shape)
    allowed = frozenset(enum)
    pattern_text = shape.metadata.get("pattern")
    # Smithy anchors every pattern; the model's copies sometimes lack ^...$.
    pattern = re.compile(pattern_text) if pattern_text else None

    def convert(value: Any, path: str, out: list[tuple[str, str]]) -> Any:
        if not isinstance(value, str):
            raise _not_converted(_token(value), "String")
        if lengths is not None:
            lengths(value, len(value), path, out)
        if allowed and value not in allowed:
            out.append((path, enum_item(value, path, enum)))
        if pattern is not None and pattern.fullmatch(value) is None:
            shown = f"Value '{value}' at" if not sensitive else "Value at"
            out.append(
                (
                    path,
                    f"{shown} '{path}' failed to satisfy constraint: "
                    f"Member must satisfy regular expression pattern: {pattern_text}",
                )
            )
        return value

    return convert


def _blob(shape: Shape) -> Converter:
    # AWS never echoes blob contents in a message (docs/kms-behaviour.md#validation-messages).
    lengths = _length_checks(shape, show_value=False)

    def convert(value: Any, path: str, out: list[tuple[str, str]]) -> Any:
        if not isinstance(value, str):
            raise _not_converted(_token(value), "Blob")
        try:
            data = binascii.a2b_base64(value, strict_mode=True)
        except (binascii.Error, ValueError):  # ValueError: characters outside ASCII
            raise SerializationException(
                f"Base64 encoded bytes at '{path}' could not be decoded"
            ) from None
        if lengths is not None:
            lengths(data, len(data), path, out)
        return data

    return convert


def _integer(shape: Shape) -> Converter:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")

    def convert(value: Any, path: str, out: list[tuple[str, str]]) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise _not_converted(_token(value), "Integer")
        if low is not None and value < low:
            out.append(
                (
                    path,
                    f"Value '{value}' at '{path}' failed to satisfy constraint: "
                    f"Member must have value greater than or equal to {low}",
                )
            )
        if high is not None and value > high:
            out.append(
                (
                    path,
                    f"Value '{value}' at '{path}' failed to satisfy constraint: "
                    f"Member must have value less than or equal to {high}",
                )
            )
        return value

    return convert


def _boolean(value: Any, path: str, out: list[tuple[str, str]]) -> Any:
    if not isinstance(value, bool):
        raise _not_converted(_token(value), "Boolean")
    return value


def _timestamp(value: Any, path: str, out: list[tuple[str, str]]) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _not_converted(_token(value), "Timestamp")
    return float(value)


def _list(shape: Shape) -> Converter:
    lengths = _length_checks(shape, show_value=True)
    item = converter(shape.member)  # type: ignore[attr-defined]

    def convert(value: Any, path: str, out: list[tuple[str, str]]) -> Any:
        if not isinstance(value, list):
            raise _not_converted(_token(value), "List")
        if lengths is not None:
            lengths(value, len(value), path, out)
        return [item(v, f"{path}.{i}.member", out) for i, v in enumerate(value, 1) if v is not None]

    return convert


def _map(shape: Shape) -> Converter:
    key = converter(shape.key)  # type: ignore[attr-defined]
    val = converter(shape.value)  # type: ignore[attr-defined]

    def convert(value: Any, path: str, out: list[tuple[str, str]]) -> Any:
        if not isinstance(value, dict):
            raise unexpected_list()
        return {
            key(k, f"{path}.key", out): val(v, f"{path}.value", out)
            for k, v in value.items()
            if v is not None
        }

    if not (_plain_string(shape.key) and _plain_string(shape.value)):  # type: ignore[attr-defined]
        return convert

    def convert_plain(value: Any, path: str, out: list[tuple[str, str]]) -> Any:
        # Maps of unconstrained strings (encryption contexts, on most crypto calls):
        # JSON object keys are strings already, so only the values need a look.
        if isinstance(value, dict):
            for item in value.values():
                if type(item) is not str:
                    break
            else:
                return value
        return convert(value, path, out)

    return convert_plain


def _plain_string(shape: Shape) -> bool:
    """A string shape with nothing to check but that it is a string."""
    metadata = shape.metadata
    return shape.type_name == "string" and not any(
        metadata.get(name) for name in ("min", "max", "enum", "pattern")
    )


def _structure(shape: Shape) -> Converter:
    required = tuple(shape.required_members)
    members = tuple(
        (name, message_name(name), converter(member), name in required)
        for name, member in shape.members.items()  # type: ignore[attr-defined]
    )
    by_name = {name: (wire, convert_member) for name, wire, convert_member, _ in members}

    def in_model_order(value: dict[str, Any], prefix: str, out: list[tuple[str, str]]) -> Any:
        # Several violations are listed in the model's member order, as AWS lists them.
        result: dict[str, Any] = {}
        for name, wire, convert_member, is_required in members:
            raw = value.get(name)
            if raw is not None:
                result[name] = convert_member(raw, prefix + wire, out)
            elif is_required:
                out.append(
                    (
                        prefix + wire,
                        f"Value null at '{prefix}{wire}' failed to satisfy "
                        "constraint: Member must not be null",
                    )
                )
        return result

    def convert(value: Any, path: str, out: list[tuple[str, str]]) -> Any:
        if not isinstance(value, dict):
            raise unexpected_list()
        prefix = f"{path}." if path else ""
        # Requests carry a few of many optional members: visit only those present,
        # and walk the whole model only to report what is wrong.
        mark = len(out)
        result: dict[str, Any] = {}
        for name, raw in value.items():
            entry = by_name.get(name)
            # Members the model does not know are ignored, as the service does.
            if entry is not None and raw is not None:
                result[name] = entry[1](raw, prefix + entry[0], out)
        if len(out) == mark and all(name in result for name in required):
            return result
        del out[mark:]
        return in_model_order(value, prefix, out)

    return convert


_CONVERTERS: dict[str, Converter] = {}


def converter(shape: Shape) -> Converter:
    """The compiled converter of a shape; shape names are unique within the model."""
    found = _CONVERTERS.get(shape.name)
    if found is None:
        found = _CONVERTERS[shape.name] = _compile(shape)
    return found


def _compile(shape: Shape) -> Converter:
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape)
    if kind == "string":
        return _string(shape)
    if kind == "blob":
        return _blob(shape)
    if kind in ("integer", "long"):
        return _integer(shape)
    if kind == "boolean":
        return _boolean
    if kind == "timestamp":
        return _timestamp
    if kind == "list":
        return _list(shape)
    if kind == "map":
        return _map(shape)
    raise TypeError(f"kmsmock cannot validate shape type {kind!r} ({shape.name})")


def json_body(raw: bytes | str) -> dict[str, Any]:
    """The request body as JSON: an object, or AWS's SerializationException."""
    if not raw:
        return {}
    try:
        # botocore sends UTF-8; decoding here spares json its encoding detection.
        body = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    except (ValueError, RecursionError):
        # RecursionError: nesting deeper than the interpreter's stack, which AWS's parser
        # refuses as it refuses any body that is not one JSON object.
        raise unexpected_structure() from None
    if not isinstance(body, dict):
        raise unexpected_structure()
    return body


def input_decoder(shape: Shape | None) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function that validates a request body against an input shape and returns the
    handler's params, raising AWS's ValidationException with every violation."""
    if shape is None:
        return lambda body: {}
    convert = converter(shape)

    def decode(body: dict[str, Any]) -> dict[str, Any]:
        violations: list[tuple[str, str]] = []
        params: dict[str, Any] = convert(body, "", violations)
        if violations:
            raise ValidationException(validation_message(violations))
        return params

    return decode
