"""Requests drawn from the installed botocore's KMS model, valid and hostile.

Three ways of sending, as callers do:

- ``checked``: Python values through a client with botocore's parameter validation on;
  values at and past every constraint, which botocore may refuse before sending;
- ``unchecked``: the same through a client with ``parameter_validation=False``, so that
  out-of-range values reach the mock;
- ``raw``: a JSON body written over the serialized one (a ``before-send`` hook), with
  members of the wrong JSON type, blobs that are not base64, and nesting deeper than
  the interpreter's stack.
"""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any

from botocore.model import Shape
from hypothesis import strategies as st

from tests.fuzz.world import MAC, SIGNING, World

# Members whose values name things in the world; drawing from it reaches past the first
# lookup, where most rules are.
_IDENTIFIER_MEMBERS = {"KeyId", "TargetKeyId", "SourceKeyId", "DestinationKeyId"}

ODD_TEXT = [
    "",
    " ",
    "\x00",
    "\u202e",
    "😀" * 3,
    "ß\u0301",
    "\ufeff",
    "a\nb\tc\r",
    "é" * 300,
    "%s%n{}",
    "../../etc/passwd",
]
_MAX_DRAWN = 300  # strings and blobs longer than this come only as exact boundary sizes


def _text(data: st.DataObject, shape: Shape) -> str:
    low = shape.metadata.get("min", 0)
    high = shape.metadata.get("max")
    choice = data.draw(st.integers(0, 5))
    if choice == 0:
        odd: str = data.draw(st.sampled_from(ODD_TEXT))
        return odd
    if choice == 1 and high is not None and high <= 200_000:
        # Exactly at and just past the maximum.
        size: int = data.draw(st.sampled_from([high, high + 1]))
        return "a" * size
    if choice == 2 and low:
        short: int = data.draw(st.sampled_from([low, low - 1]))
        return "a" * short
    bound = min(high if high is not None else _MAX_DRAWN, _MAX_DRAWN)
    return data.draw(st.text(max_size=bound + 1))


def _blob(data: st.DataObject, shape: Shape, name: str, world: World) -> bytes:
    pools = {
        "CiphertextBlob": world.ciphertexts,
        "Signature": world.signatures,
        "Mac": world.signatures,
        "PublicKey": world.public_keys,
    }
    pool = pools.get(name)
    if pool and data.draw(st.booleans()):
        known: bytes = data.draw(st.sampled_from(pool))
        return known
    high = shape.metadata.get("max")
    if high is not None and high <= 70_000 and data.draw(st.integers(0, 5)) == 0:
        edge: int = data.draw(st.sampled_from([high, high + 1]))
        return b"\x01" * edge
    return data.draw(st.binary(max_size=min(high or _MAX_DRAWN, _MAX_DRAWN) + 1))


def _string(data: st.DataObject, shape: Shape, name: str, world: World) -> str:
    enum_values = shape.metadata.get("enum")
    pools: dict[str, list[str]] = {
        "AliasName": world.alias_names,
        "GrantId": world.grant_ids,
        "GrantToken": world.grant_tokens,
        "CustomKeyStoreId": world.store_ids,
        "GranteePrincipal": world.principals,
        "RetiringPrincipal": world.principals,
        "Policy": world.policies,
        "SigningAlgorithm": SIGNING,
        "MacAlgorithm": MAC,
    }
    if name in _IDENTIFIER_MEMBERS:
        pools[name] = world.identifiers
    pool = pools.get(name)
    if enum_values:
        pool = list(enum_values) + (pool or [])
    if pool and data.draw(st.integers(0, 3)) > 0:
        return data.draw(st.sampled_from(pool))
    return _text(data, shape)


def python_value(data: st.DataObject, shape: Shape, name: str, world: World, depth: int = 0) -> Any:
    """A value of the member's Python type, at or past its constraints."""
    kind = shape.type_name
    if kind == "string":
        return _string(data, shape, name, world)
    if kind == "blob":
        return _blob(data, shape, name, world)
    if kind == "boolean":
        return data.draw(st.booleans())
    if kind in ("integer", "long"):
        low, high = shape.metadata.get("min", -(2**31)), shape.metadata.get("max", 2**31 - 1)
        return data.draw(
            st.one_of(st.integers(low - 1, high + 1), st.sampled_from([0, -1, 2**31, 2**63]))
        )
    if kind == "timestamp":
        return data.draw(
            st.datetimes(
                min_value=datetime.datetime(1970, 1, 2),
                max_value=datetime.datetime(2200, 1, 1),
                timezones=st.just(datetime.timezone.utc),
            )
        )
    if kind == "list":
        high = min(shape.metadata.get("max", 4) + 1, 12)
        size = data.draw(st.integers(0, high))
        return [
            python_value(data, shape.member, name, world, depth + 1)  # type: ignore[attr-defined]
            for _ in range(size)
        ]
    if kind == "map":
        size = data.draw(st.integers(0, 4))
        return {
            _text(data, shape.key): _text(data, shape.value)  # type: ignore[attr-defined]
            for _ in range(size)
        }
    if kind == "structure":
        return structure(data, shape, world, depth + 1)
    raise AssertionError(f"a shape type the fuzzer does not know: {kind}")


def structure(data: st.DataObject, shape: Shape, world: World, depth: int = 0) -> dict[str, Any]:
    """A structure's members: required ones nearly always, optional ones sometimes."""
    required = set(shape.required_members)
    params: dict[str, Any] = {}
    for member, member_shape in shape.members.items():  # type: ignore[attr-defined]
        # Optional members come two times in three: most rules are about them.
        odds = 9 if member in required else 2
        wanted = data.draw(st.integers(0, odds)) > 0
        if wanted and depth < 4:
            params[member] = python_value(data, member_shape, member, world, depth)
    return params


# Raw bodies ----------------------------------------------------------------------------

_DEEP = 100_000  # past any recursion limit, hypothesis raising the interpreter's as it runs


def _wrong_json(data: st.DataObject) -> Any:
    return data.draw(
        st.sampled_from(
            [
                None,
                0,
                -1,
                1.5,
                1e308,
                True,
                "text",
                "",
                [],
                ["a", 1],
                {},
                {"a": {"b": []}},
                json.loads("[" * 200 + "]" * 200),
            ]
        )
    )


def _wire(data: st.DataObject, shape: Shape, name: str, world: World, depth: int) -> Any:
    """The member as JSON on the wire: usually its own type, sometimes not."""
    if data.draw(st.integers(0, 4)) == 0:
        return _wrong_json(data)
    kind = shape.type_name
    if kind == "blob":
        choice = data.draw(st.integers(0, 3))
        if choice == 0:
            return data.draw(st.sampled_from(["!!!!", "YQ", "YQ=", "Y Q==", "YQ==\n", "=", "é"]))
        return base64.b64encode(_blob(data, shape, name, world)).decode()
    if kind == "timestamp":
        return data.draw(st.one_of(st.floats(allow_nan=False), st.text(max_size=20)))
    if kind in ("integer", "long"):
        return data.draw(st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=5)))
    if kind == "list":
        return [
            _wire(data, shape.member, name, world, depth + 1)  # type: ignore[attr-defined]
            for _ in range(data.draw(st.integers(0, 4)))
        ]
    if kind == "map":
        value_shape: Shape = shape.value  # type: ignore[attr-defined]
        return {
            data.draw(st.text(max_size=5)): _wire(data, value_shape, name, world, depth + 1)
            for _ in range(data.draw(st.integers(0, 3)))
        }
    if kind == "structure":
        return raw_structure(data, shape, world, depth + 1)
    if kind == "boolean":
        return data.draw(st.one_of(st.booleans(), st.sampled_from(["true", 1, 0])))
    return _string(data, shape, name, world)


def raw_structure(data: st.DataObject, shape: Shape, world: World, depth: int = 0) -> Any:
    params: dict[str, Any] = {}
    for member, member_shape in shape.members.items():  # type: ignore[attr-defined]
        if data.draw(st.booleans()) and depth < 4:
            params[member] = _wire(data, member_shape, member, world, depth)
    if data.draw(st.integers(0, 9)) == 0:
        params[data.draw(st.text(min_size=1, max_size=10))] = "unknown member"
    return params


def raw_body(data: st.DataObject, shape: Shape | None, world: World) -> bytes:
    """A whole request body: usually an object, sometimes anything but."""
    choice = data.draw(st.integers(0, 19))
    if choice == 0:
        return b"[" * _DEEP + b"]" * _DEEP
    if choice == 1:
        return b'{"a":' * _DEEP + b"1" + b"}" * _DEEP
    if choice == 2:
        return data.draw(st.sampled_from([b"", b"null", b"[]", b'"text"', b"{", b"\xff\xfe"]))
    body = raw_structure(data, shape, world) if shape is not None else {}
    if choice == 3 and body:
        # A member nested past the interpreter's stack: written into the text, since
        # json.dumps could not write it either.
        member = data.draw(st.sampled_from(sorted(body)))
        body[member] = _PLACEHOLDER
        deep = "[" * _DEEP + "]" * _DEEP
        return json.dumps(body).replace(json.dumps(_PLACEHOLDER), deep).encode()
    return json.dumps(body).encode()


_PLACEHOLDER = "kmsmock-fuzz-deep-member"
