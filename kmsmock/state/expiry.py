"""Imported key material that expires (ExpirationModel KEY_MATERIAL_EXPIRES), and what its
end means for the key: the material is gone and the key waits for an import again."""

from __future__ import annotations

from kmsmock.state.backend import KmsBackend
from kmsmock.state.keys import Key, KeyState


def schedule_expiry(backend: KmsBackend, key: Key, valid_to: float) -> None:
    """Drop the key's imported material once the clock passes ``valid_to``."""

    def expire(when: float) -> None:
        # Re-imported with another date, or deleted, since: not this entry's business.
        if key.valid_to == when:
            drop_material(key)

    backend.at(valid_to, expire)


def drop_material(key: Key) -> None:
    """The material is gone (deleted or expired): the key waits for an import again."""
    if key.materials is not None:
        key.materials = dict.fromkeys(key.materials)
    if not key.spec.symmetric:
        key.secret = None
    key.expiration_model = key.valid_to = None
    if key.state not in (KeyState.PENDING_DELETION, KeyState.PENDING_REPLICA_DELETION):
        key.state = KeyState.PENDING_IMPORT
