"""The KMS key record and its states."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from kmsmock.crypto.specs import ALGORITHM_FIELD, KeySpecInfo
from kmsmock.state.grants import Grant
from kmsmock.state.ids import key_arn
from kmsmock.state.imported import ImportedMaterials, ImportParameters


class KeyState(str, enum.Enum):
    CREATING = "Creating"
    ENABLED = "Enabled"
    DISABLED = "Disabled"
    PENDING_DELETION = "PendingDeletion"
    PENDING_IMPORT = "PendingImport"
    PENDING_REPLICA_DELETION = "PendingReplicaDeletion"
    UNAVAILABLE = "Unavailable"
    UPDATING = "Updating"


@dataclass(slots=True, eq=False)
class RegionSet:
    """The Regions of a multi-Region key's related keys, shared by all of them: each key
    of the set has the same key ID in its own Region (docs/kms-behaviour.md#key-ids)."""

    primary: str
    replicas: list[str]


@dataclass(slots=True, eq=False)
class Rotation:
    """A key's rotations (docs/kms-behaviour.md#rotation): its automatic schedule and
    the rotations done."""

    # Automatic rotation is on while these are set (RotationPeriodInDays, NextRotationDate).
    period_days: int | None = None
    next_date: float | None = None
    # Completed rotations: (new material ID, date, "AUTOMATIC" | "ON_DEMAND"). Related
    # multi-Region keys made by KMS share one list.
    completed: list[tuple[str, float, str]] | None = None


@dataclass(slots=True, eq=False)
class Imported:
    """Imported key material (origin EXTERNAL, docs/kms-behaviour.md#imported-key-material)."""

    # Open import parameters by token ID.
    parameters: dict[bytes, ImportParameters] | None = None
    # Asymmetric and HMAC keys: the expiration model and ValidTo while their one material
    # is in place, and its fingerprint, bound to the key for good.
    expiration_model: str | None = None
    valid_to: float | None = None
    bound_material: str | None = None
    # Symmetric keys: the import state of each material.
    per_material: ImportedMaterials | None = None


class StoreLink(NamedTuple):
    """A key in a custom key store: the store, and its CloudHSM cluster or the external
    key in the external key manager. A tuple, so cheap to define: UpdateCustomKeyStore
    replaces it when the store moves to another cluster."""

    store_id: str
    cluster_id: str | None = None
    xks_key_id: str | None = None


@dataclass(slots=True, eq=False)
class Key:
    """One KMS key. Slotted and lean: a suite may hold tens of thousands."""

    key_id: str
    account: str
    region: str
    spec: KeySpecInfo
    usage: str
    origin: str
    description: str
    created: float
    state: KeyState
    multi_region: bool = False
    key_manager: str = "CUSTOMER"
    # None means the default key policy, rendered when asked for
    # (docs/kms-behaviour.md#default-key-policy).
    policy: str | None = None
    tags: dict[str, str] | None = None
    # Symmetric AWS_KMS keys report a material ID from creation on; the bytes
    # themselves are made when first needed.
    material_id: str | None = None
    deletion_date: float | None = None
    # Creation order within the account and region, for ListKeys pages.
    seq: int = 0
    # The last successful cryptographic use: (operation, timestamp, request ID).
    last_usage: tuple[str, float, str] | None = None
    # Material ID -> bytes, made when first needed; None until the key is first used.
    # Rotation never removes material: old ciphertext keeps decrypting.
    materials: dict[str, bytes | None] | None = None
    # Asymmetric keys: the private key object; HMAC keys: the secret. Made on first use.
    secret: Any = None
    # Grant ID -> grant, in creation order; None while the key has none.
    grants: dict[str, Grant] | None = None
    # Multi-Region keys that have (or had) replicas; None for a primary never replicated.
    region_set: RegionSet | None = None
    # A primary waiting for its replicas to go (PendingReplicaDeletion): its window.
    pending_window_days: int | None = None
    # The parts only some keys have, None until a key has them (a new symmetric key made
    # by KMS has none): a new feature of that kind adds one record, not five fields.
    rotation: Rotation | None = None
    imported: Imported | None = None
    store: StoreLink | None = None
    # Accounts the key is shared with through AWS RAM (``kms.share_key``), in order.
    ram_shares: tuple[str, ...] | None = None
    arn_text: str | None = field(default=None, repr=False)

    def material_ids(self) -> list[str]:
        """Every material ID the key holds, oldest first."""
        if self.materials is not None:
            return list(self.materials)
        return [self.material_id] if self.material_id is not None else []

    def material(self, material_id: str, make: Callable[[int], bytes]) -> bytes | None:
        """The bytes of one of the key's materials, made on first use; None if unknown."""
        materials = self.materials
        if materials is None:
            if material_id != self.material_id:
                return None
            materials = self.materials = {material_id: None}
        if material_id not in materials:
            return None
        found = materials[material_id]
        if found is None and self.origin != "EXTERNAL":
            # Imported material is never made up: None here means it was deleted.
            found = materials[material_id] = make(32)
        return found

    def add_material(self, material_id: str, rotated: float, rotation_type: str) -> None:
        """Rotate: a new current material; the old ones stay for decryption."""
        if self.materials is None:
            self.materials = dict.fromkeys(self.material_ids())
        self.materials[material_id] = None
        rotation = self.rotation_record()
        if rotation.completed is None:
            rotation.completed = []
        rotation.completed.append((material_id, rotated, rotation_type))
        self.material_id = material_id

    def rotation_record(self) -> Rotation:
        """The key's rotation record, made if it has none yet."""
        if self.rotation is None:
            self.rotation = Rotation()
        return self.rotation

    def imported_record(self) -> Imported:
        """The key's imported-material record, made if it has none yet."""
        if self.imported is None:
            self.imported = Imported()
        return self.imported

    def has_all_material(self) -> bool:
        """Whether an imported key holds every material bound to it, so it can be used."""
        imported = self.imported
        if imported is None:
            return False
        if imported.per_material is None:
            return imported.expiration_model is not None
        ids = self.material_ids()
        return bool(ids) and all(self.materials is not None and self.materials.get(i) for i in ids)

    def expiration(self) -> tuple[str | None, float | None]:
        """KeyMetadata's ExpirationModel and ValidTo. With several imported materials,
        ValidTo is the earliest expiry among those in place (KeyMetadata.ValidTo in
        https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html)."""
        imported = self.imported
        if imported is None:
            return None, None
        if imported.per_material is None:
            return imported.expiration_model, imported.valid_to
        records = imported.per_material.records
        found = [records[i] for i in self.material_ids() if i in records]
        models = [r for r in found if r.expiration_model is not None]
        if not models:
            return None, None
        ends = [r.valid_to for r in models if r.valid_to is not None]
        if not ends:
            return "KEY_MATERIAL_DOES_NOT_EXPIRE", None
        return "KEY_MATERIAL_EXPIRES", min(ends)

    @property
    def arn(self) -> str:
        # Asked for on most calls; a key's Region, account and ID never change.
        found = self.arn_text
        if found is None:
            found = self.arn_text = key_arn(self.region, self.account, self.key_id)
        return found

    def metadata(self) -> dict[str, Any]:
        """KeyMetadata as DescribeKey and CreateKey return it
        (docs/kms-behaviour.md#key-metadata)."""
        spec = self.spec
        meta: dict[str, Any] = {
            "AWSAccountId": self.account,
            "KeyId": self.key_id,
            "Arn": self.arn,
            "CreationDate": self.created,
            "Enabled": self.state is KeyState.ENABLED,
            "Description": self.description,
            "KeyUsage": self.usage,
            "KeyState": self.state.value,
            "Origin": self.origin,
            "KeyManager": self.key_manager,
            "KeySpec": spec.name,
            ALGORITHM_FIELD[self.usage]: list(spec.algorithms[self.usage]),
            "MultiRegion": self.multi_region,
        }
        if spec.has_customer_master_key_spec:
            meta["CustomerMasterKeySpec"] = spec.name
        if self.deletion_date is not None:
            meta["DeletionDate"] = self.deletion_date
        if self.material_id is not None:
            meta["CurrentKeyMaterialId"] = self.material_id
        expiration_model, valid_to = self.expiration()
        if expiration_model is not None:
            meta["ExpirationModel"] = expiration_model
        if valid_to is not None:
            meta["ValidTo"] = valid_to
        store = self.store
        if store is not None:
            meta["CustomKeyStoreId"] = store.store_id
            if store.cluster_id is not None:
                meta["CloudHsmClusterId"] = store.cluster_id
            if store.xks_key_id is not None:
                meta["XksKeyConfiguration"] = {"Id": store.xks_key_id}
        if self.pending_window_days is not None:
            meta["PendingDeletionWindowInDays"] = self.pending_window_days
        if self.multi_region:
            meta["MultiRegionConfiguration"] = self.multi_region_configuration()
        return meta

    def multi_region_configuration(self) -> dict[str, Any]:
        """The same primary and replica list, whichever key of the set is asked
        (docs/kms-behaviour.md#multi-region-keys)."""
        found = self.region_set
        primary = found.primary if found is not None else self.region
        replicas = found.replicas if found is not None else []

        def entry(region: str) -> dict[str, str]:
            return {"Arn": key_arn(region, self.account, self.key_id), "Region": region}

        return {
            "MultiRegionKeyType": "PRIMARY" if primary == self.region else "REPLICA",
            "PrimaryKey": entry(primary),
            "ReplicaKeys": [entry(region) for region in replicas],
        }

    @property
    def is_replica(self) -> bool:
        return self.region_set is not None and self.region_set.primary != self.region
