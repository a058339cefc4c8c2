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
from kmsmock.wire import model

# The service-side errors worth injecting: code -> (HTTP status, default message), with the statuses
# of docs/kms-behaviour.md#http-status. ThrottlingException is not in KMS's model but is what KMS
# answers over its request quotas. The default messages are kmsmock's; pass ``message=`` for a text
# a test depends on.
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


# Client errors came back from KMS as 400 whatever the status its documentation gives
# (404, 409, 412); kmsmock answers an injected modelled error the same way.
_CLIENT_ERROR_STATUS = 400


def _check_operation(operation: str | None) -> None:
    if operation is None or operation in model.operation_names():
        return
    import difflib  # only for a typo's hint, not with every start

    near = difflib.get_close_matches(operation, sorted(model.operation_names()), n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    raise ValueError(f"{operation!r} is not a KMS operation{hint}")


def _status(operation: str | None, code: str) -> int:
    """The HTTP status ``code`` is answered with, if ``operation`` can fail with it:
    the generic faults for any operation, else an error the model lists for it."""
    if code in _FAULTS:
        return _FAULTS[code][0]
    if operation is None:
        raise ValueError(
            f"a fault for every operation (operation=None) takes one of {sorted(_FAULTS)}, "
            f"not {code!r}"
        )
    modelled = sorted(shape.name for shape in model.operation_model(operation).error_shapes)
    if code not in modelled:
        allowed = sorted({*_FAULTS, *modelled})
        raise ValueError(f"{operation} does not fail with {code!r}; it fails with {allowed}")
    return _CLIENT_ERROR_STATUS


@dataclass(slots=True)
class _Fault:
    operation: str | None  # None: every operation
    code: str
    status: int
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

        ``code`` is one of the generic faults (ThrottlingException, KMSInternalException,
        DependencyTimeoutException, KeyUnavailableException), or an error the KMS model
        lists for ``operation`` (answered with status 400, as KMS answers client
        errors). A name that is not a KMS operation, or an error the operation cannot
        return, is refused with ValueError, so a typo cannot make a test pass vacuously.
        ``times`` calls fail (None: until ``clear()``); with ``probability`` below 1, each
        call fails with that chance, drawn from the mock's seeded randomness.
        """
        _check_operation(operation)
        status = _status(operation, code)
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1 (or None for no limit), got {times}")
        if not 0 < probability <= 1:
            raise ValueError(f"probability must be in (0, 1], got {probability}")
        default = _FAULTS[code][1] if code in _FAULTS else f"{code} (injected by kmsmock)."
        self._faults.append(
            _Fault(
                operation,
                code,
                status,
                default if message is None else message,
                times,
                probability,
            )
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
            return InjectedError(fault.code, fault.status, fault.message)
        return None
