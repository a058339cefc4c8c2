"""Symmetric imported keys with several key materials: new material for on-demand
rotation, its states, deletion and expiry material by material, and multi-Region sets.

AWS's rules (ImportKeyMaterial, RotateKeyOnDemand, DeleteImportedKeyMaterial and
RotationsListEntry in https://docs.aws.amazon.com/kms/latest/APIReference/):

- The first material imported into a key becomes current and is bound to it for good.
  Later material imported as NEW_KEY_MATERIAL waits in PENDING_ROTATION (one at a
  time) until RotateKeyOnDemand makes it current; until then it is not bound to the
  key and can be deleted and replaced.
- A key is usable only while every material bound to it is in place: deleting or
  letting expire any of them makes it PendingImport; pending material does not count.
- Multi-Region sets: new material is imported into the primary, then the same bytes
  into each replica as EXISTING_KEY_MATERIAL; until every replica has it its state is
  PENDING_MULTI_REGION_IMPORT_AND_ROTATION, then PENDING_ROTATION, and the rotation
  is started on the primary. Deleting pending material on the primary deletes it from
  the replicas too; anything done to a replica affects only that replica.
"""

from __future__ import annotations

from kmsmock.state import multi_region as _multi_region
from kmsmock.state.backend import KmsBackend
from kmsmock.state.imported import ImportedMaterials
from kmsmock.state.keys import Key, KeyState
from kmsmock.state.rotation import ON_DEMAND, completed

PENDING_ROTATION = "PENDING_ROTATION"
PENDING_MULTI_REGION = "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
_KEEPS_STATE = (KeyState.PENDING_DELETION, KeyState.PENDING_REPLICA_DELETION)


def per_material(key: Key) -> ImportedMaterials | None:
    """The import state of each of a symmetric key's materials; None before any."""
    return key.imported.per_material if key.imported is not None else None


def imports_of(key: Key) -> ImportedMaterials:
    imported = key.imported_record()
    if imported.per_material is None:
        imported.per_material = ImportedMaterials()
    return imported.per_material


def _primary_of(backend: KmsBackend, key: Key) -> Key:
    return next((m for m in _multi_region.members(backend, key) if not m.is_replica), key)


def set_pending(backend: KmsBackend, key: Key) -> tuple[str | None, str | None]:
    """(ID, KeyMaterialState) of the material pending rotation in ``key``'s set, which
    is the material pending on its primary; (None, None) when there is none."""
    primary = _primary_of(backend, key)
    imports = per_material(primary)
    found = imports.pending if imports is not None else None
    if found is None:
        return None, None
    everywhere = all(_holds_pending(m, found) for m in _multi_region.members(backend, key))
    return found, PENDING_ROTATION if everywhere else PENDING_MULTI_REGION


def _holds_pending(key: Key, material_id: str) -> bool:
    imports = per_material(key)
    return imports is not None and imports.pending == material_id and bool(imports.pending_material)


def store(
    key: Key,
    material_id: str,
    material: bytes,
    *,
    pending: bool,
    expiration: tuple[str, float | None],
    description: str | None,
) -> None:
    """Put imported material in place (every check already passed)."""
    imports = imports_of(key)
    record = imports.record(material_id)
    record.expiration_model, record.valid_to = expiration
    if description is not None:
        # Without a description, the one given at the last import of it stays
        # (docs/kms-behaviour.md#imported-key-material).
        record.description = description
    if pending:
        imports.pending, imports.pending_material = material_id, material
        return
    if key.materials is None:
        key.materials = {}
    key.materials[material_id] = material
    if key.material_id is None:
        key.material_id = material_id
    if key.state is KeyState.PENDING_IMPORT and key.has_all_material():
        key.state = KeyState.ENABLED


def _forget_pending(key: Key, material_id: str) -> None:
    imports = per_material(key)
    if imports is not None and imports.pending == material_id:
        imports.pending = imports.pending_material = None
        imports.records.pop(material_id, None)


def delete(backend: KmsBackend, key: Key, material_id: str) -> None:
    """Delete one material from ``key`` (deletion or expiry)."""
    imports = imports_of(key)
    if imports.pending == material_id:
        # Not bound to the key: it goes, and other material may take its place. On a
        # primary it goes from the whole set.
        targets = [key] if key.is_replica else _multi_region.members(backend, key)
        for member in targets:
            _forget_pending(member, material_id)
        return
    if key.materials is not None and material_id in key.materials:
        key.materials[material_id] = None
    record = imports.record(material_id)
    record.expiration_model = record.valid_to = None
    if key.state not in _KEEPS_STATE:
        key.state = KeyState.PENDING_IMPORT


def rotate(backend: KmsBackend, primary: Key, when: float) -> bool:
    """Make the set's pending material current in every key of the set; False when no
    material is ready for rotation (PENDING_ROTATION)."""
    material_id, state = set_pending(backend, primary)
    if material_id is None or state != PENDING_ROTATION:
        return False
    for member in _multi_region.members(backend, primary):
        imports = imports_of(member)
        material = imports.pending_material
        member.add_material(material_id, when, ON_DEMAND)
        assert member.materials is not None
        member.materials[material_id] = material
        imports.pending = imports.pending_material = None
    return True


def replica_start(primary: Key, replica: Key) -> None:
    """A new replica of an imported key: bound to the set's materials, holding none."""
    ids = primary.material_ids()
    replica.materials = dict.fromkeys(ids)
    replica.material_id = primary.material_id
    replica.rotation_record().completed = list(completed(primary))
    replica.imported_record().per_material = ImportedMaterials()
