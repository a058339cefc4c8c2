"""The call journal, ``kms.calls``: every KMS request the mock answered, in order.

Like ``responses.calls``: a test can see which operations its code made, with what, and
how each ended. Values the model marks sensitive (plaintext, messages to sign, secrets,
key store passwords) read as ``REDACTED``, in requests and responses alike.

The request path only appends a tuple holding the request's and the response's JSON
bodies as they crossed the wire; a ``Call`` is decoded from them when a test reads it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from botocore.model import Shape

REDACTED = "REDACTED"


@dataclass(frozen=True, slots=True)
class Call:
    """One request: who made it, where, with what, and how it ended.

    ``params`` and ``response`` hold the request's members and the response's as Python
    values (bytes for blobs, epoch seconds for timestamps), with sensitive values
    redacted. A call that failed has ``response`` None and ``error`` the AWS error code
    and message.
    """

    operation: str
    region: str
    account: str
    principal: str
    params: dict[str, Any]
    response: dict[str, Any] | None
    error: tuple[str, str] | None
    time: float  # the mock's clock when the call was answered

    @property
    def ok(self) -> bool:
        return self.error is None


# (operation, region, account, principal, request body, response body or None, error, time)
Entry = tuple[str, str, str, str, bytes, "bytes | None", "tuple[str, str] | None", float]


class CallJournal(Sequence[Call]):
    """The calls of one mock, oldest first; ``clear()`` empties it."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: list[Entry] = []

    def record(self, entry: Entry) -> None:
        self._entries.append(entry)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> Call: ...
    @overload
    def __getitem__(self, index: slice) -> list[Call]: ...

    def __getitem__(self, index: int | slice) -> Call | list[Call]:
        if isinstance(index, slice):
            return [_call(entry) for entry in self._entries[index]]
        return _call(self._entries[index])

    def __iter__(self) -> Iterator[Call]:
        return (_call(entry) for entry in list(self._entries))

    def __repr__(self) -> str:
        names = ", ".join(entry[0] for entry in self._entries[-5:])
        more = "..., " if len(self._entries) > 5 else ""
        return f"<CallJournal of {len(self._entries)} calls: [{more}{names}]>"

    def operations(self) -> list[str]:
        """The operation of each call, in order: the usual first assertion."""
        return [entry[0] for entry in self._entries]


def _call(entry: Entry) -> Call:
    operation, region, account, principal, request_body, response_body, error, time = entry
    shapes = _shapes(operation)
    return Call(
        operation,
        region,
        account,
        principal,
        _readable(shapes[0], _json(request_body)),
        None if response_body is None else _readable(shapes[1], _json(response_body)),
        error,
        time,
    )


def _json(body: bytes) -> dict[str, Any]:
    try:
        found = json.loads(body) if body else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _shapes(operation: str) -> tuple[Shape | None, Shape | None]:
    from kmsmock._model import operation_model, operation_names

    if operation not in operation_names():
        return None, None
    model = operation_model(operation)
    return model.input_shape, model.output_shape


def _readable(shape: Shape | None, value: Any) -> Any:
    """``value`` from the wire as a test wants it: blobs as bytes, and whatever ``shape``
    marks sensitive replaced by REDACTED."""
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
