"""The state file of ``kmsmock serve --state-file``: a mock's state as versioned JSON.

Keys (with their key material, grants, rotations, tags, policies, per-material import
state and RAM shares), aliases, custom key stores, grant tokens, identities and the
clock's offset are written; bytes as base64, asymmetric key material as DER PKCS#8.
The default account is written for the reader's information only: on load the running
server's own default account stays, as it is a setting, not state. Nothing is pickled,
so a state file is readable, diffable and safe to load. Open import parameters
(GetParametersForImport's wrapping keys, valid for a day) are not kept: an import
started before a restart asks for new parameters after it. The call journal and
injected faults are not state.

Time-based effects (deletion windows, automatic rotations, expiring imported material)
are scheduled again on load from the dates the keys hold. Related multi-Region keys share
their key material again after a load, as they did before it.

Every field of the records saved here is named below as written as it is, written in a
form of its own, or not kept (and why), so a field added later is a decision, not an
omission: the tests compare these sets with the records' fields.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from kmsmock.crypto.specs import KEY_SPECS
from kmsmock.state import deletion, expiry, multi_region, rotation
from kmsmock.state.backend import AccountRegion, Alias, KmsBackend
from kmsmock.state.custom_key_stores import CustomKeyStore
from kmsmock.state.grants import Grant, TokenTarget
from kmsmock.state.identities import is_service_principal
from kmsmock.state.imported import ImportedMaterials, MaterialImport
from kmsmock.state.keys import Imported, Key, KeyState, RegionSet, Rotation, StoreLink

FORMAT = "kmsmock-state"
# Version 2 adds the per-material import state of imported symmetric keys ("imports").
# A version 1 file is a version 2 file without it, and is read as one.
VERSION = 2
READABLE = (1, 2)

# Key fields written as they are (JSON's own types).
KEY_AS_IS = frozenset(
    {
        "key_id",
        "account",
        "region",
        "usage",
        "origin",
        "description",
        "created",
        "multi_region",
        "key_manager",
        "policy",
        "tags",
        "material_id",
        "deletion_date",
        "seq",
        "pending_window_days",
    }
)
# Key fields written as JSON lists and read back as tuples.
KEY_TUPLES = frozenset({"last_usage", "ram_shares"})
# Key fields with a form of their own (see ``_key``).
KEY_CODED = frozenset({"spec", "state", "materials", "secret", "grants", "region_set"})
# Key fields not kept: a cache of what the key's ID, account and Region make.
KEY_NOT_KEPT = frozenset({"arn_text"})
# The parts only some keys have (None on the others) are written flat, each field as the
# member it was when it was a Key field, so the file did not change with them.
# Key field -> (its record, {record field: member}).
KEY_PARTS: dict[str, tuple[type[Any], dict[str, str]]] = {
    "rotation": (
        Rotation,
        {
            "period_days": "rotation_period_days",
            "next_date": "next_rotation",
            "completed": "rotations",
        },
    ),
    "imported": (
        Imported,
        {
            "expiration_model": "expiration_model",
            "valid_to": "valid_to",
            "bound_material": "bound_material",
            "per_material": "imports",
        },
    ),
    "store": (
        StoreLink,
        {
            "store_id": "custom_key_store_id",
            "cluster_id": "cloud_hsm_cluster_id",
            "xks_key_id": "xks_key_id",
        },
    ),
}
# Members of the parts with a form of their own (see ``_key``); the others are as they are.
PART_CODED = frozenset({"rotations", "imports"})
# Record fields of the parts not kept: open import parameters (wrapping keys valid for a
# day; an import asks for new ones).
PART_NOT_KEPT = {"imported": frozenset({"parameters"})}
_PART_MEMBERS = frozenset(
    member for _, members in KEY_PARTS.values() for member in members.values()
)

GRANT_FIELDS = (
    "grant_id",
    "name",
    "created",
    "grantee",
    "retiring",
    "issuing_account",
    "operations",
    "constraints",
    "seq",
    "grantee_service",
    "retiring_service",
)
ALIAS_FIELDS = ("name", "target_key_id", "created", "updated")
MATERIAL_IMPORT_FIELDS = ("description", "expiration_model", "valid_to")
# ImportedMaterials: "records" by material ID, "pending", "pending_material" as base64.
IMPORTS_FIELDS = ("records", "pending", "pending_material")
STORE_AS_IS = (
    "store_id",
    "name",
    "store_type",
    "created",
    "seq",
    "state",
    "cluster_id",
    "trust_anchor",
    "password",
    "proxy",
    "secret_access_key",
)
# A store's "parked" maps key IDs to KeyState values.
STORE_CODED = frozenset({"parked"})
REGION_SET_FIELDS = ("primary", "replicas")
# AccountRegion: what is written, and the indexes rebuilt from it as keys and aliases are
# put back (``restore_key``, ``add_alias``); no deleted key is saved, so none is counted.
REGION_WRITTEN = frozenset(
    {"account", "region", "keys", "aliases", "custom_key_stores", "created", "stores_created"}
)
REGION_REBUILT = frozenset({"key_order", "deleted_in_order", "alias_names", "aliases_by_key"})


class StateFileError(ValueError):
    """A state file kmsmock cannot read: not its format, or a version it does not know."""


def dump(backend: KmsBackend) -> dict[str, Any]:
    """The backend's state as a JSON-ready document."""
    with backend.lock:
        backend.settle()
        return {
            "format": FORMAT,
            "version": VERSION,
            "clock_offset": backend.clock.offset,
            "default_account": backend.default_account,
            "identities": {
                access_key: list(found) for access_key, found in backend.identities.known().items()
            },
            "grant_tokens": {
                token: [target.account, target.region, target.key_id, target.grant_id]
                for token, target in backend.grant_tokens.items()
            },
            "entropy": backend.entropy.snapshot(),
            "regions": [_region(state) for state in backend.account_regions()],
        }


def load(backend: KmsBackend, document: Any) -> None:
    """Replace the backend's state with the document's; StateFileError if unreadable."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateFileError('not a kmsmock state file (no "format": "kmsmock-state")')
    if document.get("version") not in READABLE:
        readable = ", ".join(str(version) for version in READABLE)
        raise StateFileError(
            f"state file version {document.get('version')!r} is not one this kmsmock reads "
            f"({readable})"
        )
    try:
        _load(backend, document)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        backend.reset()
        raise StateFileError(f"the state file is damaged: {error!r}") from None


def save_file(backend: KmsBackend, path: str | os.PathLike[str]) -> None:
    """Write the state to ``path`` atomically: a crash leaves the old file or the new."""
    target = Path(path)
    text = json.dumps(dump(backend), indent=1, sort_keys=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_file(backend: KmsBackend, path: str | os.PathLike[str]) -> None:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError as error:
        raise StateFileError(f"{path} is not JSON: {error}") from None
    load(backend, document)


# Writing -------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _region(state: AccountRegion) -> dict[str, Any]:
    return {
        "account": state.account,
        "region": state.region,
        "created": state.created,
        "stores_created": state.stores_created,
        "keys": [_key(key) for key in state.keys.values()],
        "aliases": [
            [getattr(alias, name) for name in ALIAS_FIELDS] for alias in state.aliases.values()
        ],
        "custom_key_stores": [_store(store) for store in state.custom_key_stores.values()],
    }


def _key(key: Key) -> dict[str, Any]:
    out: dict[str, Any] = {
        "spec": key.spec.name,
        "state": key.state.value,
    }
    flat = {name: getattr(key, name) for name in KEY_AS_IS | KEY_TUPLES}
    for part, (_, members) in KEY_PARTS.items():
        record = getattr(key, part)
        if record is not None:
            flat.update(
                (member, getattr(record, name))
                for name, member in members.items()
                if member not in PART_CODED
            )
    for name in sorted(flat):
        value = flat[name]
        if value is None or (name == "multi_region" and not value):
            continue
        out[name] = list(value) if name in KEY_TUPLES else value
    rotations = key.rotation.completed if key.rotation is not None else None
    if rotations is not None:
        out["rotations"] = [list(entry) for entry in rotations]
    if key.grants is not None:
        out["grants"] = [_grant(grant) for grant in key.grants.values()]
    if key.region_set is not None:
        out["region_set"] = {
            "primary": key.region_set.primary,
            "replicas": list(key.region_set.replicas),
        }
    imports = key.imported.per_material if key.imported is not None else None
    if imports is not None:
        out["imports"] = _imports(imports)
    if key.materials is not None:
        out["materials"] = {
            material_id: None if data is None else _b64(data)
            for material_id, data in key.materials.items()
        }
    secret = key.secret
    if isinstance(secret, bytes):
        out["secret"] = {"bytes": _b64(secret)}
    elif secret is not None:
        # Imported here: a mock with symmetric keys only never loads the asymmetric engine.
        from kmsmock.crypto.asymmetric import KeyPair, private_pkcs8

        if isinstance(secret, KeyPair):
            out["secret"] = {"pkcs8": _b64(private_pkcs8(secret))}
    return out


def _grant(grant: Grant) -> dict[str, Any]:
    out = {name: getattr(grant, name) for name in GRANT_FIELDS}
    out["operations"] = list(grant.operations)
    return out


def _imports(imports: ImportedMaterials) -> dict[str, Any]:
    return {
        "records": {
            material_id: {name: getattr(record, name) for name in MATERIAL_IMPORT_FIELDS}
            for material_id, record in imports.records.items()
        },
        "pending": imports.pending,
        "pending_material": (
            None if imports.pending_material is None else _b64(imports.pending_material)
        ),
    }


def _store(store: CustomKeyStore) -> dict[str, Any]:
    out = {name: getattr(store, name) for name in STORE_AS_IS}
    out["proxy"] = dict(store.proxy)
    out["parked"] = {key_id: state.value for key_id, state in store.parked.items()}
    return out


# Reading -------------------------------------------------------------------------------


def _load(backend: KmsBackend, document: dict[str, Any]) -> None:
    with backend.lock:
        backend.reset()
        offset = float(document.get("clock_offset", 0.0))
        if offset > 0:
            backend.clock.advance(seconds=offset)
        for access_key, (account, principal, *rest) in document.get("identities", {}).items():
            source_arn = rest[0] if rest else None
            if is_service_principal(principal):
                backend.identities.add(
                    access_key,
                    account_id=account,
                    service_principal=principal,
                    source_arn=source_arn,
                )
            else:
                backend.identities.add(access_key, account_id=account, arn=principal)
        for token, target in document.get("grant_tokens", {}).items():
            backend.grant_tokens[token] = TokenTarget(*target)
        sets: dict[tuple[str, str], RegionSet] = {}
        keys: list[Key] = []
        for region in document["regions"]:
            state = backend.account_region(region["account"], region["region"])
            read = [_read_key(entry, sets) for entry in region["keys"]]
            for key in sorted(read, key=lambda key: key.seq):
                state.restore_key(key)
                keys.append(key)
            state.created = int(region["created"])
            state.stores_created = int(region.get("stores_created", 0))
            for entry in region["aliases"]:
                state.add_alias(Alias(*entry))
            for entry in region.get("custom_key_stores", []):
                parked = {k: KeyState(v) for k, v in entry.pop("parked", {}).items()}
                store = CustomKeyStore(**entry, parked=parked)
                state.custom_key_stores[store.store_id] = store
        backend.retirable.rebuild(keys)
        # Grant IDs keep counting from the last one issued.
        seqs = [grant.seq for key in keys for grant in (key.grants or {}).values()]
        backend.continue_grant_seq(max(seqs, default=0))
        if document.get("entropy") is not None:
            backend.entropy.restore(document["entropy"])
        _share_material(backend, keys)
        for key in keys:
            _reschedule(backend, key)


def _read_key(entry: dict[str, Any], sets: dict[tuple[str, str], RegionSet]) -> Key:
    fields = dict(entry)
    spec = KEY_SPECS[fields.pop("spec")]
    state = KeyState(fields.pop("state"))
    materials = fields.pop("materials", None)
    secret = fields.pop("secret", None)
    grants = fields.pop("grants", None)
    region_set = fields.pop("region_set", None)
    unknown = set(fields) - KEY_AS_IS - KEY_TUPLES - _PART_MEMBERS
    if unknown:
        raise ValueError(f"unknown key fields {sorted(unknown)}")
    for name in KEY_TUPLES:
        if fields.get(name) is not None:
            fields[name] = tuple(fields[name])
    if fields.get("rotations") is not None:
        fields["rotations"] = [tuple(rotation) for rotation in fields["rotations"]]
    if fields.get("imports") is not None:
        fields["imports"] = _read_imports(fields["imports"])
    for part, (record, members) in KEY_PARTS.items():
        given = {name: fields.pop(member, None) for name, member in members.items()}
        given = {name: value for name, value in given.items() if value is not None}
        fields[part] = record(**given) if given else None
    key = Key(spec=spec, state=state, **fields)
    if materials is not None:
        key.materials = {
            material_id: None if data is None else base64.b64decode(data)
            for material_id, data in materials.items()
        }
    if secret is not None:
        if "bytes" in secret:
            key.secret = base64.b64decode(secret["bytes"])
        else:
            from kmsmock.crypto.unwrap import load_material

            key.secret = load_material(spec.name, base64.b64decode(secret["pkcs8"]))
            if key.secret is None:
                raise ValueError(f"the key material of {key.key_id} does not fit {spec.name}")
    if grants is not None:
        key.grants = {}
        for grant in grants:
            grant["operations"] = tuple(grant["operations"])
            key.grants[grant["grant_id"]] = Grant(**grant)
    if region_set is not None:
        # Related multi-Region keys share one RegionSet, as they did when saved.
        shared = (key.account, key.key_id)
        found = sets.get(shared)
        if found is None:
            found = sets[shared] = RegionSet(region_set["primary"], list(region_set["replicas"]))
        key.region_set = found
    return key


def _read_imports(imports: dict[str, Any]) -> ImportedMaterials:
    return ImportedMaterials(
        records={
            material_id: MaterialImport(**record)
            for material_id, record in imports["records"].items()
        },
        pending=imports["pending"],
        pending_material=(
            None
            if imports["pending_material"] is None
            else base64.b64decode(imports["pending_material"])
        ),
    )


def _reschedule(backend: KmsBackend, key: Key) -> None:
    if key.state is KeyState.PENDING_DELETION and key.deletion_date is not None:
        deletion.schedule(backend, key, key.deletion_date)
    if rotation.next_date(key) is not None:
        rotation.schedule(backend, key)
    imported = key.imported
    if imported is not None and imported.valid_to is not None:
        expiry.schedule_expiry(backend, key, imported.valid_to)
    if imported is not None and imported.per_material is not None:
        # Each expiring material of a symmetric key, the pending one included.
        for material_id, record in imported.per_material.records.items():
            if record.valid_to is not None:
                expiry.schedule_expiry(backend, key, record.valid_to, material_id)


def _share_material(backend: KmsBackend, keys: list[Key]) -> None:
    """Related multi-Region keys made by KMS share one material dict, rotation list and
    key pair (``multi_region.copy_shared``): the file holds a copy in each, and material
    made later through one key must be the others' too. Imported keys hold their own."""
    done: set[int] = set()
    for key in keys:
        found = key.region_set
        if found is None or key.origin == "EXTERNAL" or id(found) in done:
            continue
        done.add(id(found))
        members = multi_region.members(backend, key)
        source = members[0]
        for member in members[1:]:
            member.materials = source.materials
            rotations = source.rotation.completed if source.rotation is not None else None
            if rotations is not None or member.rotation is not None:
                member.rotation_record().completed = rotations
            member.secret = source.secret
