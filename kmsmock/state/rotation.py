"""Key rotation: new key material, on demand or on the clock's schedule
(docs/kms-behaviour.md#rotation).

Old material is never removed, so earlier ciphertext keeps decrypting; new
ciphertext uses the current material. Automatic rotation is a time-based effect:
it happens when the clock passes NextRotationDate, for keys that are Enabled then;
a key that was disabled or pending deletion at that moment rotates as soon as it is
enabled again.
"""

from __future__ import annotations

from kmsmock.state import multi_region as _multi_region
from kmsmock.state.backend import KmsBackend
from kmsmock.state.clock import days_after
from kmsmock.state.keys import Key, KeyState

AUTOMATIC = "AUTOMATIC"
ON_DEMAND = "ON_DEMAND"


def rotate(backend: KmsBackend, key: Key, when: float, rotation_type: str) -> None:
    """New current material; a multi-Region primary hands it, and its schedule, on."""
    key.add_material(backend.entropy.hex(32), when, rotation_type)
    _multi_region.share(backend, key)


def _rotate_on_schedule(backend: KmsBackend, key: Key, when: float) -> None:
    assert key.rotation_period_days is not None
    key.next_rotation = days_after(when, key.rotation_period_days)
    schedule(backend, key)
    rotate(backend, key, when, AUTOMATIC)


def enable(backend: KmsBackend, key: Key, period_days: int, now: float) -> None:
    key.rotation_period_days = period_days
    key.next_rotation = days_after(now, period_days)
    schedule(backend, key)
    _multi_region.share(backend, key)


def disable(backend: KmsBackend, key: Key) -> None:
    key.rotation_period_days = None
    key.next_rotation = None
    _multi_region.share(backend, key)


def catch_up(backend: KmsBackend, key: Key, now: float) -> None:
    """Rotate a key whose automatic rotation fell due while it could not rotate.

    Replicas never rotate themselves: their primary does, for the whole set.
    """
    if key.is_replica:
        return
    if key.next_rotation is not None and key.next_rotation <= now and key.rotation_period_days:
        _rotate_on_schedule(backend, key, now)


def schedule(backend: KmsBackend, key: Key) -> None:
    assert key.next_rotation is not None

    def due(when: float) -> None:
        # A disabled or re-scheduled rotation leaves a stale entry behind: skip it.
        if key.next_rotation != when or key.rotation_period_days is None or key.is_replica:
            return
        if key.state is not KeyState.ENABLED:
            return
        _rotate_on_schedule(backend, key, when)

    backend.at(key.next_rotation, due)
