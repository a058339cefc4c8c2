"""Fault injection, ``kms.faults``: AWS errors on demand, to test retries and error paths.

    kms.faults.inject("Encrypt", "ThrottlingException", times=2)
    kms.faults.inject(None, "KMSInternalException", probability=0.1, times=None)

A fault is answered before the request is looked at, as a throttled or failing service
answers, and changes nothing. botocore retries throttling and 5xx errors by itself, so
``times=2`` with its default retry policy makes the third attempt succeed; ``kms.calls``
shows every attempt.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from kmsmock.wire import aws_errors as aws

# The service-side errors worth injecting: code -> (HTTP status, default message), with
# the statuses of reference §10.2. ThrottlingException is not in KMS's model but is what
# KMS answers over its request quotas. The default messages are kmsmock's; pass
# ``message=`` for a text a test depends on.
_FAULTS: dict[str, tuple[int, str]] = {
    "ThrottlingException": (400, "Rate exceeded"),
    "KMSInternalException": (500, "An internal error occurred (injected by kmsmock)."),
    "DependencyTimeoutException": (503, "The request timed out (injected by kmsmock)."),
    "KeyUnavailableException": (500, "The KMS key is unavailable (injected by kmsmock)."),
}


class InjectedError(aws.AwsError):
    """An AWS error a test asked for, with its own code and status."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(slots=True)
class _Fault:
    operation: str | None  # None: every operation
    code: str
    message: str
    remaining: int | None  # None: until cleared
    probability: float


class Faults:
    """The faults of one mock. Faults apply in the order they were injected."""

    def __init__(self, rng: random.Random) -> None:
        self._faults: list[_Fault] = []
        self._rng = rng
        # Requests take faults from many threads at once (a server's, a pool's): a fault
        # injected for one call must fail exactly one.
        self._lock = threading.Lock()

    def inject(
        self,
        operation: str | None,
        code: str,
        *,
        times: int | None = 1,
        probability: float = 1.0,
        message: str | None = None,
    ) -> None:
        """Make ``operation`` (None: any operation) fail with the AWS error ``code``.

        ``times`` calls fail (None: until ``clear()``); with ``probability`` below 1, each
        call fails with that chance, drawn from the mock's seeded randomness.
        """
        if code not in _FAULTS:
            raise ValueError(f"kmsmock injects {sorted(_FAULTS)}, not {code!r}")
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1 (or None for no limit), got {times}")
        if not 0 < probability <= 1:
            raise ValueError(f"probability must be in (0, 1], got {probability}")
        default = _FAULTS[code][1]
        self._faults.append(
            _Fault(operation, code, default if message is None else message, times, probability)
        )

    def clear(self) -> None:
        self._faults.clear()

    def __bool__(self) -> bool:
        return bool(self._faults)

    def __repr__(self) -> str:
        return f"<Faults: {len(self._faults)} injected>"

    def take(self, operation: str) -> InjectedError | None:
        """The error this call of ``operation`` is to fail with, if any; counts it."""
        with self._lock:
            return self._take(operation)

    def _take(self, operation: str) -> InjectedError | None:
        for fault in self._faults:
            if fault.operation not in (None, operation):
                continue
            if fault.probability < 1 and self._rng.random() >= fault.probability:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
            return InjectedError(fault.code, _FAULTS[fault.code][0], fault.message)
        return None
