"""The call journal, ``kms.calls``: every KMS request the mock answered, in order.

Like ``responses.calls``: a test can see which operations its code made, with what, and
how each ended. Values the model marks sensitive (plaintext, messages to sign, secrets,
key store passwords) read as ``REDACTED``, in requests and responses alike.

The request path only appends an ``Entry`` holding the request's and the response's JSON
bodies as they crossed the wire; a ``Call`` is decoded from them when a test reads it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, overload

from kmsmock.wire.redact import REDACTED, readable

__all__ = ["DEFAULT_MAX_CALLS", "REDACTED", "Call", "CallJournal", "Entry"]

# The journal keeps the latest calls only, so a mock that runs long stays flat in memory;
# ``kms.calls.max_calls`` changes the bound (None: no bound).
DEFAULT_MAX_CALLS = 100_000


@dataclass(frozen=True, slots=True)
class Call:
    """One request: who made it, where, with what, and how it ended.

    ``params`` and ``response`` hold the request's members and the response's as Python
    values (bytes for blobs, epoch seconds for timestamps), with sensitive values
    redacted. A call that failed has ``response`` None and ``error`` the AWS error code
    and message.

    Attributes:
        operation: The KMS operation, e.g. ``"Encrypt"``.
        region: The region the request was signed for.
        account: The account of the caller's access key.
        principal: The caller's ARN (``kms.identities``).
        params: The request's members.
        response: The response's members; None for a failed call.
        error: ``(code, message)`` of a failed call; None for a call that succeeded.
        time: The mock's clock when the call was answered, in epoch seconds.
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


class Entry(NamedTuple):
    """What the request path records: the bodies as they crossed the wire."""

    operation: str
    region: str
    account: str
    principal: str
    request_body: bytes
    response_body: bytes | None  # None for a failed call
    error: tuple[str, str] | None  # (code, message) of a failed call
    time: float


class CallJournal(Sequence[Call]):
    """The latest calls of one mock (up to ``max_calls``), oldest first; ``clear()``
    empties it."""

    __slots__ = ("_entries",)

    def __init__(self, max_calls: int | None = DEFAULT_MAX_CALLS) -> None:
        self._entries: deque[Entry] = deque(maxlen=max_calls)

    @property
    def max_calls(self) -> int | None:
        """How many calls are kept; the oldest go first once it is reached."""
        return self._entries.maxlen

    @max_calls.setter
    def max_calls(self, value: int | None) -> None:
        if value is not None and value < 0:
            raise ValueError(f"max_calls must be 0 or more (or None: no bound), got {value}")
        self._entries = deque(self._entries, maxlen=value)

    def record(self, entry: Entry) -> None:
        # deque.append is atomic: threads answering at once lose no entry.
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
            return [_call(entry) for entry in list(self._entries)[index]]
        return _call(self._entries[index])

    def __iter__(self) -> Iterator[Call]:
        return (_call(entry) for entry in list(self._entries))

    def __repr__(self) -> str:
        names = ", ".join(entry.operation for entry in list(self._entries)[-5:])
        more = "..., " if len(self._entries) > 5 else ""
        return f"<CallJournal of {len(self._entries)} calls: [{more}{names}]>"

    def operations(self) -> list[str]:
        """The operation of each call, in order: the usual first assertion."""
        return [entry.operation for entry in self._entries]


def _call(entry: Entry) -> Call:
    request, response = readable(entry.operation, entry.request_body, entry.response_body)
    return Call(
        entry.operation,
        entry.region,
        entry.account,
        entry.principal,
        request,
        response,
        entry.error,
        entry.time,
    )
