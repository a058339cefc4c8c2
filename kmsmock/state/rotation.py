"""Key rotation: new key material, on demand or on the clock's schedule
(docs/kms-behaviour.md#rotation).

Old material is never removed, so earlier ciphertext keeps decrypting; new
ciphertext uses the current material. Automatic rotation is a time-based effect:
it happens when the clock passes NextRotationDate, for keys that are Enabled then;
a key that was disabled or pending deletion at that moment rotates as soon as it is
enabled again.
"""

from __future__ import annotations

from collections.abc import Sequence

from kmsmock.state import multi_region as _multi_region
from kmsmock.state.backend import KmsBackend
from kmsmock.state.clock import days_after
from kmsmock.state.keys import Key, KeyState

AUTOMATIC = "AUTOMATIC"
ON_DEMAND = "ON_DEMAND"


def next_date(key: Key) -> float | None:
    """NextRotationDate while automatic rotation is on; None while it is off."""
    rotation = key.rotation
    return None if rotation is None or rotation.period_days is None else rotation.next_date


def completed(key: Key) -> Sequence[tuple[str, float, str]]:
    """The key's completed rotations, oldest first: (material ID, date, rotation type)."""
    rotation = key.rotation
    return () if rotation is None or rotation.completed is None else rotation.completed


def rotate(backend: KmsBackend, key: Key, when: float, rotation_type: str) -> None:
    """New current material; a multi-Region primary hands it, and its schedule, on."""
    key.add_material(backend.entropy.hex(32), when, rotation_type)
    _multi_region.share(backend, key)


def _rotate_on_schedule(backend: KmsBackend, key: Key, when: float) -> None:
    rotation = key.rotation
    assert rotation is not None
    assert rotation.period_days is not None
    rotation.next_date = days_after(when, rotation.period_days)
    schedule(backend, key)
    rotate(backend, key, when, AUTOMATIC)


def enable(backend: KmsBackend, key: Key, period_days: int, now: float) -> None:
    rotation = key.rotation_record()
    rotation.period_days = period_days
    rotation.next_date = days_after(now, period_days)
    schedule(backend, key)
    _multi_region.share(backend, key)


def disable(backend: KmsBackend, key: Key) -> None:
    if key.rotation is not None:
        key.rotation.period_days = key.rotation.next_date = None
    _multi_region.share(backend, key)


def catch_up(backend: KmsBackend, key: Key, now: float) -> None:
    """Rotate a key whose automatic rotation fell due while it could not rotate.

    Replicas never rotate themselves: their primary does, for the whole set.
    """
    if key.is_replica:
        return
    due = next_date(key)
    if due is not None and due <= now:
        _rotate_on_schedule(backend, key, now)


def schedule(backend: KmsBackend, key: Key) -> None:
    first = next_date(key)
    assert first is not None

    def due(when: float) -> None:
        # A disabled or re-scheduled rotation leaves a stale entry behind: skip it.
        if next_date(key) != when or key.is_replica:
            return
        if key.state is not KeyState.ENABLED:
            return
        _rotate_on_schedule(backend, key, when)

    backend.at(first, due)
