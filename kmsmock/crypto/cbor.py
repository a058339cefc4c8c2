"""A small CBOR (RFC 8949) encoder and decoder: what attestation documents need.

Nitro attestation documents are COSE_Sign1 structures in CBOR, made of unsigned and
negative integers, byte and text strings, arrays, maps, tags and the simple values
false, true and null. Only definite lengths are read (the Nitro Secure Module writes
nothing else); floats and indefinite lengths are refused as malformed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class CborError(ValueError):
    """The bytes are not CBOR this decoder reads."""


@dataclass(frozen=True, slots=True)
class Tagged:
    tag: int
    value: Any


_SIMPLE = {20: False, 21: True, 22: None}
_MAX_DEPTH = 32


def decode(data: bytes) -> Any:
    """The one CBOR item ``data`` holds; CborError for anything else (trailing bytes too)."""
    value, end = _item(data, 0, 0)
    if end != len(data):
        raise CborError("trailing bytes after the CBOR item")
    return value


def _head(data: bytes, at: int) -> tuple[int, int, int]:
    """(major type, argument, offset after the head)."""
    if at >= len(data):
        raise CborError("truncated")
    first = data[at]
    major, info = first >> 5, first & 0x1F
    if info < 24:
        return major, info, at + 1
    if info > 27:
        raise CborError("indefinite lengths and reserved values are not read")
    size = 1 << (info - 24)
    end = at + 1 + size
    if end > len(data):
        raise CborError("truncated")
    return major, int.from_bytes(data[at + 1 : end], "big"), end


def _item(data: bytes, at: int, depth: int) -> tuple[Any, int]:
    if depth > _MAX_DEPTH:
        raise CborError("nested too deeply")
    major, argument, at = _head(data, at)
    if major == 0:
        return argument, at
    if major == 1:
        return -1 - argument, at
    if major in (2, 3):
        end = at + argument
        if end > len(data):
            raise CborError("truncated")
        raw = data[at:end]
        if major == 2:
            return raw, end
        try:
            return raw.decode("utf-8"), end
        except UnicodeDecodeError:
            raise CborError("text string is not UTF-8") from None
    if major == 4:
        items = []
        for _ in range(argument):
            item, at = _item(data, at, depth + 1)
            items.append(item)
        return items, at
    if major == 5:
        mapping: dict[Any, Any] = {}
        for _ in range(argument):
            name, at = _item(data, at, depth + 1)
            if isinstance(name, (list, dict)):
                raise CborError("map key is not a scalar")
            mapping[name], at = _item(data, at, depth + 1)
        return mapping, at
    if major == 6:
        value, at = _item(data, at, depth + 1)
        return Tagged(argument, value), at
    if argument in _SIMPLE:
        return _SIMPLE[argument], at
    raise CborError("floats and other simple values are not read")


def encode(value: Any) -> bytes:
    """Deterministic CBOR of ``value`` (ints, bytes, str, list, dict, Tagged, bool, None)."""
    if value is False or value is True or value is None:
        return bytes([0xE0 | {False: 20, True: 21, None: 22}[value]])
    if isinstance(value, int):
        return _encode_head(0, value) if value >= 0 else _encode_head(1, -1 - value)
    if isinstance(value, bytes):
        return _encode_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _encode_head(3, len(raw)) + raw
    if isinstance(value, (list, tuple)):
        return _encode_head(4, len(value)) + b"".join(encode(item) for item in value)
    if isinstance(value, dict):
        body = b"".join(encode(name) + encode(item) for name, item in value.items())
        return _encode_head(5, len(value)) + body
    if isinstance(value, Tagged):
        return _encode_head(6, value.tag) + encode(value.value)
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


def _encode_head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise ValueError("integer too large for CBOR")
