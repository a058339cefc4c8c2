"""Imported symmetric keys with several key materials: ImportType, on-demand rotation to
newly imported material, PENDING_ROTATION and PENDING_MULTI_REGION_IMPORT_AND_ROTATION,
DeleteImportedKeyMaterial by KeyMaterialId, and multi-Region sets, as the ImportKeyMaterial,
RotateKeyOnDemand and DeleteImportedKeyMaterial API references describe them. Material is
wrapped offline with `cryptography`."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests._support import (
    MATERIAL_ID,
    assert_valid_output,
    body,
    error,
    import_material,
    key_arn,
    refused,
)

REPLICA_REGION = "us-west-2"
NO_EXPIRY = "KEY_MATERIAL_DOES_NOT_EXPIRE"
EXPIRES = "KEY_MATERIAL_EXPIRES"
UTC = timezone.utc


def metadata(client: Any, key_id: str) -> dict[str, Any]:
    meta: dict[str, Any] = client.describe_key(KeyId=key_id)["KeyMetadata"]
    return meta


def materials(client: Any, key_id: str, include: str = "ALL_KEY_MATERIAL") -> list[dict[str, Any]]:
    response = client.list_key_rotations(KeyId=key_id, IncludeKeyMaterial=include)
    assert_valid_output("ListKeyRotations", response)
    entries: list[dict[str, Any]] = response["Rotations"]
    return entries


def imported_key(client: Any, *, multi_region: bool = False) -> tuple[str, bytes, str]:
    """An Enabled EXTERNAL symmetric key: (key ID, its first material, material ID)."""
    key_id: str = client.create_key(Origin="EXTERNAL", MultiRegion=multi_region)["KeyMetadata"][
        "KeyId"
    ]
    material = os.urandom(32)
    material_id: str = import_material(client, key_id, material)["KeyMaterialId"]
    return key_id, material, material_id


def import_new(client: Any, key_id: str, material: bytes, **kwargs: Any) -> str:
    response = import_material(client, key_id, material, ImportType="NEW_KEY_MATERIAL", **kwargs)
    assert_valid_output("ImportKeyMaterial", response)
    assert body(response) == {"KeyId": key_arn(key_id), "KeyMaterialId": response["KeyMaterialId"]}
    material_id: str = response["KeyMaterialId"]
    return material_id


def encrypt(client: Any, key_id: str, plaintext: bytes) -> bytes:
    blob: bytes = client.encrypt(KeyId=key_id, Plaintext=plaintext)["CiphertextBlob"]
    return blob


def open_offline(material: bytes, blob: bytes) -> bytes:
    """Open a kmsmock blob made without encryption context with the imported material,
    outside kmsmock: AES-256-GCM over the blob layout of kmsmock.crypto.ciphertext
    (97-byte header, authenticated as AAD, whose last 12 bytes are the IV)."""
    plaintext: bytes = AESGCM(material).decrypt(blob[85:97], blob[97:], blob[:97])
    return plaintext


def entry(key_id: str, material_id: str, state: str, **more: Any) -> dict[str, Any]:
    found = {
        "KeyId": key_id,
        "KeyMaterialId": material_id,
        "ImportState": "IMPORTED",
        "KeyMaterialState": state,
        "ExpirationModel": NO_EXPIRY,
    }
    found.update(more)
    return found


# ImportType NEW_KEY_MATERIAL --------------------------------------------------------------


def test_import_key_material_new_material_waits_pending_rotation(client):
    key_id, first, first_id = imported_key(client)
    second = os.urandom(32)
    second_id = import_new(client, key_id, second, KeyMaterialDescription="next year")
    assert MATERIAL_ID.fullmatch(second_id)
    assert second_id != first_id
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["CurrentKeyMaterialId"]) == ("Enabled", first_id)
    assert materials(client, key_id) == [
        entry(key_id, first_id, "CURRENT"),
        entry(key_id, second_id, "PENDING_ROTATION", KeyMaterialDescription="next year"),
    ]
    assert materials(client, key_id, "ROTATIONS_ONLY") == []
    # Pending material is not used: new ciphertext is still under the first material.
    blob = encrypt(client, key_id, b"still the first")
    assert client.decrypt(CiphertextBlob=blob)["KeyMaterialId"] == first_id
    assert open_offline(first, blob) == b"still the first"


def test_import_key_material_second_new_material_raises_invalid_state(client):
    key_id, _, first_id = imported_key(client)
    pending_id = import_new(client, key_id, os.urandom(32))
    other = os.urandom(32)
    before = materials(client, key_id)
    with pytest.raises(ClientError) as info:
        import_material(client, key_id, other, ImportType="NEW_KEY_MATERIAL")
    # The material ID KMS would give the refused material: fixed by key and bytes.
    other_code, other_message = error(info.value)
    other_id = re.search(r"id: ([0-9a-f]{64})\) cannot", other_message)
    assert other_id is not None
    assert (other_code, other_message) == (
        "KMSInvalidStateException",
        f"New key material (id: {other_id.group(1)}) cannot be imported into KMS key {key_id}, "
        f"because another key material (id: {pending_id}) is pending rotation.",
    )
    assert other_id.group(1) not in (first_id, pending_id)
    assert materials(client, key_id) == before


def test_import_key_material_pending_material_again_changes_its_expiry(client, kms_mock):
    key_id, _, _ = imported_key(client)
    second = os.urandom(32)
    second_id = import_new(client, key_id, second, KeyMaterialDescription="v2")
    valid_to = datetime.fromtimestamp(kms_mock.clock.now(), UTC).replace(microsecond=0) + timedelta(
        days=3
    )
    again = import_material(
        client,
        key_id,
        second,
        ImportType="EXISTING_KEY_MATERIAL",
        KeyMaterialId=second_id,
        ValidTo=valid_to,
    )
    assert again["KeyMaterialId"] == second_id
    assert materials(client, key_id)[1] == entry(
        key_id,
        second_id,
        "PENDING_ROTATION",
        KeyMaterialDescription="v2",
        ExpirationModel=EXPIRES,
        ValidTo=valid_to,
    )


def test_import_key_material_existing_with_unknown_material_raises_incorrect(client):
    key_id, _, _ = imported_key(client)
    import_new(client, key_id, os.urandom(32))
    before = materials(client, key_id)
    assert refused(
        lambda: import_material(client, key_id, os.urandom(32), ImportType="EXISTING_KEY_MATERIAL")
    ) == (
        "IncorrectKeyMaterialException",
        "The key material does not match the key spec or the key's existing material.",
    )
    assert materials(client, key_id) == before


def test_import_key_material_existing_with_wrong_material_id_raises_incorrect(client):
    key_id, first, _ = imported_key(client)
    second_id = import_new(client, key_id, os.urandom(32))
    assert refused(
        lambda: import_material(
            client, key_id, first, ImportType="EXISTING_KEY_MATERIAL", KeyMaterialId=second_id
        )
    ) == (
        "IncorrectKeyMaterialException",
        "The key material does not match the key spec or the key's existing material.",
    )


# RotateKeyOnDemand --------------------------------------------------------------------


def test_rotate_key_on_demand_imported_key_makes_pending_material_current(client, kms_mock):
    key_id, first, first_id = imported_key(client)
    old_blob = encrypt(client, key_id, b"under the first material")
    second = os.urandom(32)
    second_id = import_new(client, key_id, second)
    before = datetime.fromtimestamp(kms_mock.clock.now(), UTC)

    response = client.rotate_key_on_demand(KeyId=key_id)
    assert body(response) == {"KeyId": key_arn(key_id)}

    assert metadata(client, key_id)["CurrentKeyMaterialId"] == second_id
    rotation_date = materials(client, key_id, "ROTATIONS_ONLY")[0]["RotationDate"]
    assert before <= rotation_date <= datetime.fromtimestamp(kms_mock.clock.now(), UTC)
    assert materials(client, key_id, "ROTATIONS_ONLY") == [
        entry(
            key_id,
            second_id,
            "CURRENT",
            RotationDate=rotation_date,
            RotationType="ON_DEMAND",
        )
    ]
    assert materials(client, key_id) == [
        entry(key_id, first_id, "NON_CURRENT"),
        entry(key_id, second_id, "CURRENT", RotationDate=rotation_date, RotationType="ON_DEMAND"),
    ]
    # Old ciphertext decrypts with the old material, new ciphertext uses the new one.
    old = client.decrypt(CiphertextBlob=old_blob)
    assert (old["Plaintext"], old["KeyMaterialId"]) == (b"under the first material", first_id)
    new_blob = encrypt(client, key_id, b"under the second material")
    new = client.decrypt(CiphertextBlob=new_blob)
    assert (new["Plaintext"], new["KeyMaterialId"]) == (b"under the second material", second_id)
    assert open_offline(second, new_blob) == b"under the second material"
    assert open_offline(first, old_blob) == b"under the first material"
    # ReEncrypt moves old ciphertext onto the current material.
    moved = client.re_encrypt(CiphertextBlob=old_blob, DestinationKeyId=key_id)
    assert (moved["SourceKeyMaterialId"], moved["DestinationKeyMaterialId"]) == (
        first_id,
        second_id,
    )
    assert open_offline(second, moved["CiphertextBlob"]) == b"under the first material"


def test_rotate_key_on_demand_imported_key_twice_raises_invalid_state(client):
    key_id, _, _ = imported_key(client)
    import_new(client, key_id, os.urandom(32))
    client.rotate_key_on_demand(KeyId=key_id)
    assert refused(lambda: client.rotate_key_on_demand(KeyId=key_id)) == (
        "KMSInvalidStateException",
        f"No available key material pending rotation for the key: {key_arn(key_id)}.",
    )


def test_rotate_key_on_demand_imported_key_three_materials_all_decrypt(client):
    key_id, _, first_id = imported_key(client)
    blobs = {first_id: encrypt(client, key_id, first_id.encode())}
    for _ in range(2):
        new_id = import_new(client, key_id, os.urandom(32))
        client.rotate_key_on_demand(KeyId=key_id)
        blobs[new_id] = encrypt(client, key_id, new_id.encode())
    states = [(e["KeyMaterialId"], e["KeyMaterialState"]) for e in materials(client, key_id)]
    ids = list(blobs)
    assert states == [(ids[0], "NON_CURRENT"), (ids[1], "NON_CURRENT"), (ids[2], "CURRENT")]
    for material_id, blob in blobs.items():
        decrypted = client.decrypt(CiphertextBlob=blob)
        assert (decrypted["Plaintext"], decrypted["KeyMaterialId"]) == (
            material_id.encode(),
            material_id,
        )


def test_rotate_key_on_demand_disabled_imported_key_raises_disabled(client):
    key_id, _, _ = imported_key(client)
    import_new(client, key_id, os.urandom(32))
    client.disable_key(KeyId=key_id)
    assert refused(lambda: client.rotate_key_on_demand(KeyId=key_id)) == (
        "DisabledException",
        f"{key_arn(key_id)} is disabled.",
    )


# DeleteImportedKeyMaterial by KeyMaterialId ----------------------------------------------


def test_delete_imported_key_material_pending_material_keeps_key_usable(client):
    key_id, _, first_id = imported_key(client)
    pending_id = import_new(client, key_id, os.urandom(32))
    response = client.delete_imported_key_material(KeyId=key_id, KeyMaterialId=pending_id)
    assert body(response) == {"KeyId": key_arn(key_id), "KeyMaterialId": pending_id}
    assert metadata(client, key_id)["KeyState"] == "Enabled"
    assert materials(client, key_id) == [entry(key_id, first_id, "CURRENT")]
    # Other material may take its place.
    other_id = import_new(client, key_id, os.urandom(32))
    assert [e["KeyMaterialId"] for e in materials(client, key_id)] == [first_id, other_id]


def test_delete_imported_key_material_non_current_material_leaves_pending_import(client):
    key_id, first, first_id = imported_key(client)
    old_blob = encrypt(client, key_id, b"old")
    second_id = import_new(client, key_id, os.urandom(32))
    client.rotate_key_on_demand(KeyId=key_id)

    response = client.delete_imported_key_material(KeyId=key_id, KeyMaterialId=first_id)
    assert body(response) == {"KeyId": key_arn(key_id), "KeyMaterialId": first_id}
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["CurrentKeyMaterialId"]) == ("PendingImport", second_id)
    assert meta["ExpirationModel"] == NO_EXPIRY  # the current material is still in place
    listed = materials(client, key_id)
    assert listed[0] == {
        "KeyId": key_id,
        "KeyMaterialId": first_id,
        "ImportState": "PENDING_IMPORT",
        "KeyMaterialState": "NON_CURRENT",
    }
    assert refused(lambda: client.decrypt(CiphertextBlob=old_blob)) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending import.",
    )
    # Importing the same material again (EXISTING_KEY_MATERIAL by default) restores it.
    again = import_material(client, key_id, first)
    assert again["KeyMaterialId"] == first_id
    assert metadata(client, key_id)["KeyState"] == "Enabled"
    assert client.decrypt(CiphertextBlob=old_blob)["Plaintext"] == b"old"


def test_delete_imported_key_material_without_id_deletes_current_material(client):
    key_id, _, _ = imported_key(client)
    second_id = import_new(client, key_id, os.urandom(32))
    client.rotate_key_on_demand(KeyId=key_id)
    response = client.delete_imported_key_material(KeyId=key_id)
    assert body(response) == {"KeyId": key_arn(key_id), "KeyMaterialId": second_id}
    assert materials(client, key_id)[1]["ImportState"] == "PENDING_IMPORT"
    assert "ExpirationModel" in metadata(client, key_id)  # the first is still in place


def test_expiry_of_pending_material_removes_it_and_keeps_key_enabled(client, kms_mock):
    key_id, _, first_id = imported_key(client)
    now = datetime.fromtimestamp(kms_mock.clock.now(), UTC).replace(microsecond=0)
    import_new(client, key_id, os.urandom(32), ValidTo=now + timedelta(days=2))
    kms_mock.clock.advance(days=3)
    assert metadata(client, key_id)["KeyState"] == "Enabled"
    assert materials(client, key_id) == [entry(key_id, first_id, "CURRENT")]


def test_expiry_of_bound_material_shows_earliest_valid_to_then_pending_import(client, kms_mock):
    key_id, _, first_id = imported_key(client)
    now = datetime.fromtimestamp(kms_mock.clock.now(), UTC).replace(microsecond=0)
    second = os.urandom(32)
    import_new(client, key_id, second, ValidTo=now + timedelta(days=20))
    client.rotate_key_on_demand(KeyId=key_id)
    meta = metadata(client, key_id)
    assert (meta["ExpirationModel"], meta["ValidTo"]) == (EXPIRES, now + timedelta(days=20))
    kms_mock.clock.advance(days=21)
    meta = metadata(client, key_id)
    assert meta["KeyState"] == "PendingImport"
    assert (meta["ExpirationModel"], "ValidTo" in meta) == (NO_EXPIRY, False)
    assert [e["ImportState"] for e in materials(client, key_id)] == ["IMPORTED", "PENDING_IMPORT"]
    import_material(client, key_id, second)
    assert metadata(client, key_id)["KeyState"] == "Enabled"
    assert first_id != metadata(client, key_id)["CurrentKeyMaterialId"]


# Multi-Region sets -----------------------------------------------------------------------


def replicated(client: Any) -> tuple[str, bytes, str, Any]:
    """An imported multi-Region primary with material and one Enabled replica."""
    key_id, first, first_id = imported_key(client, multi_region=True)
    client.replicate_key(KeyId=key_id, ReplicaRegion=REPLICA_REGION)
    replica = boto3.client("kms", region_name=REPLICA_REGION)
    assert metadata(replica, key_id)["KeyState"] == "PendingImport"
    assert import_material(replica, key_id, first)["KeyMaterialId"] == first_id
    assert metadata(replica, key_id)["KeyState"] == "Enabled"
    return key_id, first, first_id, replica


def test_multi_region_new_material_needs_import_into_every_replica(client):
    key_id, _, first_id, replica = replicated(client)
    second = os.urandom(32)
    second_id = import_new(client, key_id, second)
    pending = entry(key_id, second_id, "PENDING_MULTI_REGION_IMPORT_AND_ROTATION")
    assert materials(client, key_id)[1] == pending
    assert materials(replica, key_id)[1] == {
        "KeyId": key_id,
        "KeyMaterialId": second_id,
        "ImportState": "PENDING_IMPORT",
        "KeyMaterialState": "PENDING_MULTI_REGION_IMPORT_AND_ROTATION",
    }
    assert refused(lambda: client.rotate_key_on_demand(KeyId=key_id)) == (
        "KMSInvalidStateException",
        f"No available key material pending rotation for the key: {key_arn(key_id)}.",
    )

    imported = import_material(replica, key_id, second, ImportType="EXISTING_KEY_MATERIAL")
    assert body(imported) == {
        "KeyId": key_arn(key_id, region=REPLICA_REGION),
        "KeyMaterialId": second_id,
    }
    assert materials(client, key_id)[1] == entry(key_id, second_id, "PENDING_ROTATION")
    assert materials(replica, key_id)[1] == entry(key_id, second_id, "PENDING_ROTATION")
    assert metadata(client, key_id)["CurrentKeyMaterialId"] == first_id


def test_multi_region_rotate_on_primary_rotates_every_replica(client):
    key_id, first, first_id, replica = replicated(client)
    old_blob = encrypt(replica, key_id, b"old, from the replica")
    second = os.urandom(32)
    second_id = import_new(client, key_id, second)
    import_material(replica, key_id, second)
    assert refused(lambda: replica.rotate_key_on_demand(KeyId=key_id)) == (
        "UnsupportedOperationException",
        f"{key_arn(key_id, region=REPLICA_REGION)} is not a multi-region primary key.",
    )
    client.rotate_key_on_demand(KeyId=key_id)
    for regional in (client, replica):
        assert metadata(regional, key_id)["CurrentKeyMaterialId"] == second_id
        assert [e["KeyMaterialState"] for e in materials(regional, key_id)] == [
            "NON_CURRENT",
            "CURRENT",
        ]
    new_blob = encrypt(replica, key_id, b"new, from the replica")
    decrypted = client.decrypt(CiphertextBlob=new_blob)
    assert (decrypted["Plaintext"], decrypted["KeyMaterialId"]) == (
        b"new, from the replica",
        second_id,
    )
    assert open_offline(second, new_blob) == b"new, from the replica"
    old = client.decrypt(CiphertextBlob=old_blob)
    assert (old["Plaintext"], old["KeyMaterialId"]) == (b"old, from the replica", first_id)
    assert open_offline(first, old_blob) == b"old, from the replica"


def test_multi_region_new_material_into_replica_raises_unsupported(client):
    key_id, _, _, replica = replicated(client)
    before = materials(replica, key_id)
    assert refused(
        lambda: import_material(replica, key_id, os.urandom(32), ImportType="NEW_KEY_MATERIAL")
    ) == (
        "UnsupportedOperationException",
        "New key material cannot be imported into the multi-Region replica key "
        f"{key_arn(key_id, region=REPLICA_REGION)}. Import it into the primary key, "
        "then import the same key material into each replica key as EXISTING_KEY_MATERIAL.",
    )
    assert materials(replica, key_id) == before


def test_multi_region_replica_refuses_other_material(client):
    key_id, _, _ = imported_key(client, multi_region=True)
    client.replicate_key(KeyId=key_id, ReplicaRegion=REPLICA_REGION)
    replica = boto3.client("kms", region_name=REPLICA_REGION)
    assert refused(lambda: import_material(replica, key_id, os.urandom(32))) == (
        "IncorrectKeyMaterialException",
        "The key material does not match the key spec or the key's existing material.",
    )
    assert metadata(replica, key_id)["KeyState"] == "PendingImport"


def test_multi_region_delete_pending_material_on_primary_deletes_it_everywhere(client):
    key_id, _, first_id, replica = replicated(client)
    second = os.urandom(32)
    second_id = import_new(client, key_id, second)
    import_material(replica, key_id, second)
    client.delete_imported_key_material(KeyId=key_id, KeyMaterialId=second_id)
    for regional in (client, replica):
        assert [e["KeyMaterialId"] for e in materials(regional, key_id)] == [first_id]
        assert metadata(regional, key_id)["KeyState"] == "Enabled"


def test_multi_region_delete_pending_material_on_replica_affects_only_replica(client):
    key_id, _, _, replica = replicated(client)
    second = os.urandom(32)
    second_id = import_new(client, key_id, second)
    import_material(replica, key_id, second)
    response = replica.delete_imported_key_material(KeyId=key_id, KeyMaterialId=second_id)
    assert body(response) == {
        "KeyId": key_arn(key_id, region=REPLICA_REGION),
        "KeyMaterialId": second_id,
    }
    assert materials(client, key_id)[1] == entry(
        key_id, second_id, "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
    )
    assert materials(replica, key_id)[1]["ImportState"] == "PENDING_IMPORT"


def test_multi_region_deleting_replica_material_leaves_primary_usable(client):
    key_id, _, first_id, replica = replicated(client)
    replica.delete_imported_key_material(KeyId=key_id, KeyMaterialId=first_id)
    assert metadata(replica, key_id)["KeyState"] == "PendingImport"
    assert metadata(client, key_id)["KeyState"] == "Enabled"
    assert client.decrypt(CiphertextBlob=encrypt(client, key_id, b"x"))["Plaintext"] == b"x"


def test_multi_region_replica_made_while_material_is_pending_must_import_it_too(client):
    key_id, first, first_id = imported_key(client, multi_region=True)
    second = os.urandom(32)
    second_id = import_new(client, key_id, second)
    assert materials(client, key_id)[1]["KeyMaterialState"] == "PENDING_ROTATION"
    client.replicate_key(KeyId=key_id, ReplicaRegion=REPLICA_REGION)
    replica = boto3.client("kms", region_name=REPLICA_REGION)
    # The new replica holds none of the set's materials yet.
    assert [(e["KeyMaterialId"], e["ImportState"]) for e in materials(replica, key_id)] == [
        (first_id, "PENDING_IMPORT"),
        (second_id, "PENDING_IMPORT"),
    ]
    assert materials(client, key_id)[1]["KeyMaterialState"] == (
        "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
    )
    import_material(replica, key_id, first)
    import_material(replica, key_id, second)
    assert metadata(replica, key_id)["KeyState"] == "Enabled"
    client.rotate_key_on_demand(KeyId=key_id)
    assert metadata(replica, key_id)["CurrentKeyMaterialId"] == second_id
