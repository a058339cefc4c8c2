"""The state file of ``kmsmock serve --state-file``: a mock's state as versioned JSON.

Keys (with their key material, grants, rotations, tags and policies), aliases, custom
key stores, grant tokens, identities and the clock's offset are written; bytes as
base64, asymmetric key material as DER PKCS#8. Nothing is pickled, so a state file is
readable, diffable and safe to load. Open import parameters (GetParametersForImport's
wrapping keys, valid for a day) are not kept: an import started before a restart asks
for new parameters after it. The call journal and injected faults are not state.

Time-based effects (deletion windows, automatic rotations, expiring imported material)
are scheduled again on load from the dates the keys hold.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from kmsmock.crypto.asymmetric import KeyPair, private_pkcs8
from kmsmock.crypto.specs import KEY_SPECS
from kmsmock.crypto.unwrap import load_material
from kmsmock.state import deletion, expiry, rotation
from kmsmock.state.backend import Alias, KmsBackend, RegionState
from kmsmock.state.custom_key_stores import CustomKeyStore
from kmsmock.state.grants import Grant, TokenTarget
from kmsmock.state.identities import is_service_principal
from kmsmock.state.keys import Key, KeyState, RegionSet

FORMAT = "kmsmock-state"
VERSION = 1

# Key fields written as they are (JSON's own types); the others are handled by name.
_SKIPPED = {"arn_text", "import_parameters", "spec", "state", "secret", "materials"}
_TUPLES = {"last_usage"}


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
            "regions": [_region(state) for state in backend.regions()],
        }


def load(backend: KmsBackend, document: Any) -> None:
    """Replace the backend's state with the document's; StateFileError if unreadable."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateFileError('not a kmsmock state file (no "format": "kmsmock-state")')
    if document.get("version") != VERSION:
        raise StateFileError(
            f"state file version {document.get('version')!r} is not one this kmsmock reads "
            f"({VERSION})"
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


def _region(state: RegionState) -> dict[str, Any]:
    return {
        "account": state.account,
        "region": state.region,
        "created": state.created,
        "stores_created": state.stores_created,
        "keys": [_key(key) for key in state.keys.values()],
        "aliases": [
            [alias.name, alias.target_key_id, alias.created, alias.updated]
            for alias in state.aliases.values()
        ],
        "custom_key_stores": [_store(store) for store in state.custom_key_stores.values()],
    }


def _key(key: Key) -> dict[str, Any]:
    out: dict[str, Any] = {
        "spec": key.spec.name,
        "state": key.state.value,
    }
    for field in dataclasses.fields(key):
        name = field.name
        if name in _SKIPPED:
            continue
        value = getattr(key, name)
        if value is None or (name == "multi_region" and not value):
            continue
        if name == "grants":
            value = [dataclasses.asdict(grant) for grant in value.values()]
        elif name == "region_set":
            value = {"primary": value.primary, "replicas": list(value.replicas)}
        out[name] = value
    if key.materials is not None:
        out["materials"] = {
            material_id: None if data is None else _b64(data)
            for material_id, data in key.materials.items()
        }
    secret = key.secret
    if isinstance(secret, bytes):
        out["secret"] = {"bytes": _b64(secret)}
    elif isinstance(secret, KeyPair):
        out["secret"] = {"pkcs8": _b64(private_pkcs8(secret))}
    return out


def _store(store: CustomKeyStore) -> dict[str, Any]:
    out = dataclasses.asdict(store)
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
            state = backend.state(region["account"], region["region"])
            read = [_read_key(entry, sets) for entry in region["keys"]]
            for key in sorted(read, key=lambda key: key.seq):
                state.restore_key(key)
                keys.append(key)
            state.created = int(region["created"])
            state.stores_created = int(region.get("stores_created", 0))
            for name, target, created, updated in region["aliases"]:
                state.add_alias(Alias(name, target, created, updated))
            for entry in region.get("custom_key_stores", []):
                parked = {k: KeyState(v) for k, v in entry.pop("parked", {}).items()}
                store = CustomKeyStore(**entry, parked=parked)
                state.custom_key_stores[store.store_id] = store
        # Grant IDs keep counting from the last one issued.
        seqs = [grant.seq for key in keys for grant in (key.grants or {}).values()]
        backend.continue_grant_seq(max(seqs, default=0))
        if document.get("entropy") is not None:
            backend.entropy.restore(document["entropy"])
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
    for name in _TUPLES:
        if fields.get(name) is not None:
            fields[name] = tuple(fields[name])
    if fields.get("rotations") is not None:
        fields["rotations"] = [tuple(rotation) for rotation in fields["rotations"]]
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


def _reschedule(backend: KmsBackend, key: Key) -> None:
    if key.state is KeyState.PENDING_DELETION and key.deletion_date is not None:
        deletion.schedule(backend, key, key.deletion_date)
    if key.next_rotation is not None and key.rotation_period_days:
        rotation.schedule(backend, key)
    if key.valid_to is not None:
        expiry.schedule_expiry(backend, key, key.valid_to)
