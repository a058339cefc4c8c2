"""Imported key material that expires (ExpirationModel KEY_MATERIAL_EXPIRES), and what its
end means for the key: the material is gone and the key waits for an import again."""

from __future__ import annotations

from kmsmock.state import imported_materials
from kmsmock.state.backend import KmsBackend
from kmsmock.state.keys import Key, KeyState


def schedule_expiry(
    backend: KmsBackend, key: Key, valid_to: float, symmetric_id: str | None = None
) -> None:
    """Drop imported material once the clock passes ``valid_to``: the key's (asymmetric or
    HMAC) material, or one of a symmetric key's materials, ``symmetric_id``."""

    def expire(when: float) -> None:
        # Re-imported with another date, or deleted, since: not this entry's business.
        if symmetric_id is None:
            if key.imported is not None and key.imported.valid_to == when:
                drop_material(key)
            return
        imports = imported_materials.per_material(key)
        record = imports.records.get(symmetric_id) if imports is not None else None
        if record is not None and record.valid_to == when:
            imported_materials.delete(backend, key, symmetric_id)

    backend.at(valid_to, expire)


def drop_material(key: Key) -> None:
    """The material of an asymmetric or HMAC key is gone (deleted or expired)."""
    key.secret = None
    if key.imported is not None:
        key.imported.expiration_model = key.imported.valid_to = None
    if key.state not in (KeyState.PENDING_DELETION, KeyState.PENDING_REPLICA_DELETION):
        key.state = KeyState.PENDING_IMPORT
