"""The mock's notion of now: real time (so freezegun and time-machine move it) plus an offset."""

from __future__ import annotations

import time


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
        """Move the clock forward; returns the new now. Moving backwards is refused."""
        delta = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
        if delta < 0:
            raise ValueError("the KMS clock only moves forward")
        self._offset += delta
        return self.now()

    @property
    def offset(self) -> float:
        """Seconds the clock is ahead of real time."""
        return self._offset
