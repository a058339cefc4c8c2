"""Multi-Region key sets: finding a key's related keys, and what they share
(docs/kms-behaviour.md#multi-region-keys).

Related keys share key ID, spec, usage, origin, key material and the rotation setting;
everything else (state, description, policy, tags, aliases, grants) is their own. The
primary is the source: after anything that changes shared properties on it, ``share``
copies them to every replica. Material is shared by reference (one dict of material
versions, one key pair), so material made lazily through any key of the set is the
set's, and ciphertext or signatures from one key work with every other.
"""

from __future__ import annotations

from kmsmock.state.backend import KmsBackend
from kmsmock.state.keys import Key


def members(backend: KmsBackend, key: Key) -> list[Key]:
    """Every key of ``key``'s set that exists now, the primary first; [key] if it has none."""
    found = key.region_set
    if found is None:
        return [key]
    keys = []
    for region in (found.primary, *found.replicas):
        state = backend.peek(key.account, region)
        member = state.keys.get(key.key_id) if state is not None else None
        if member is not None:
            keys.append(member)
    return keys


def share(backend: KmsBackend, primary: Key) -> None:
    """Copy the primary's shared properties to its replicas."""
    if primary.region_set is None or primary.is_replica:
        return
    for replica in members(backend, primary)[1:]:
        copy_shared(primary, replica)


def copy_shared(primary: Key, replica: Key) -> None:
    # The rotation setting is copied; the rotations done are shared below, or each
    # imported key's own.
    setting = primary.rotation
    if setting is not None or replica.rotation is not None:
        rotation = replica.rotation_record()
        rotation.period_days = setting.period_days if setting is not None else None
        rotation.next_date = setting.next_date if setting is not None else None
    if primary.origin == "EXTERNAL":
        # Imported material reaches each replica by its own import
        # (docs/kms-behaviour.md#multi-region-keys).
        return
    if primary.spec.symmetric:
        if primary.materials is None:
            # Fix the dict now, so that material made later is made once, for the set.
            primary.materials = dict.fromkeys(primary.material_ids())
        shared = primary.rotation_record()
        if shared.completed is None:
            shared.completed = []
        replica.materials = primary.materials
        replica.rotation_record().completed = shared.completed
        replica.material_id = primary.material_id
    else:
        replica.secret = primary.secret
