"""The mock's notion of now: real time (so freezegun and time-machine move it) plus an offset."""

from __future__ import annotations

import math
import time

DAY = 86400.0  # seconds
# How far ahead the clock may go: 1000 years keeps every timestamp KMS returns inside
# what a datetime (and so botocore's parser) can hold.
MAX_OFFSET = 1000 * 365.25 * DAY


def days_after(instant: float, days: float) -> float:
    """The instant ``days`` days after ``instant``, to the millisecond as KMS dates are."""
    return round(instant + days * DAY, 3)


class Clock:
    """What KMS believes the time is. ``advance`` moves it forward for every key at once.

    Examples:
        >>> with mock_kms() as kms:
        ...     kms.clock.advance(days=7)
    """

    __slots__ = ("_offset",)

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        """Seconds since the epoch to the millisecond, as KMS timestamps are."""
        # Looked up on the module at each call so that freezegun's patch applies.
        return round(time.time() + self._offset, 3)

    def advance(
        self, *, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0
    ) -> float:
        """Move the clock forward; returns the new now. Moving backwards is refused, and
        so are amounts that are not finite numbers or reach past 1000 years ahead."""
        for name, amount in (("days", days), ("hours", hours), ("minutes", minutes)):
            _check_amount(name, amount)
        _check_amount("seconds", seconds)
        delta = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
        if delta < 0:
            raise ValueError("the KMS clock only moves forward")
        if self._offset + delta > MAX_OFFSET:
            raise ValueError(
                f"the KMS clock moves at most {MAX_OFFSET / DAY:.0f} days ahead of real "
                f"time; it is {self._offset / DAY:.6g} days ahead, asked for "
                f"{delta / DAY:.6g} more"
            )
        self._offset += delta
        return self.now()

    @property
    def offset(self) -> float:
        """Seconds the clock is ahead of real time."""
        return self._offset


def _check_amount(name: str, amount: object) -> None:
    # bool is an int to Python, but advance(days=True) is a mistake.
    if isinstance(amount, bool) or not isinstance(amount, (int, float)):
        raise TypeError(f"{name} must be a number, got {amount!r}")
    if not math.isfinite(amount):
        raise ValueError(f"{name} must be a finite number, got {amount!r}")
