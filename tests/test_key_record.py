"""The key record stays lean (kmsmock/state/keys.py): the parts only some keys have
(rotation, imported material, custom key store) are optional records, and a symmetric
key made by KMS carries none of them through its ordinary use."""

from __future__ import annotations

from kmsmock.state.keys import Imported, Rotation, StoreLink
from tests._support import ACCOUNT, REGION


def test_symmetric_key_ordinary_use_leaves_every_optional_part_none(client, kms_mock):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    blob = client.encrypt(KeyId=key_id, Plaintext=b"lean")["CiphertextBlob"]
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"lean"
    assert len(client.generate_data_key(KeyId=key_id, KeySpec="AES_256")["Plaintext"]) == 32
    assert "CustomKeyStoreId" not in client.describe_key(KeyId=key_id)["KeyMetadata"]
    assert client.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False
    assert client.list_key_rotations(KeyId=key_id)["Rotations"] == []
    key = kms_mock.backend.account_region(ACCOUNT, REGION).keys[key_id]
    assert (key.rotation, key.imported, key.store) == (None, None, None)


def test_enable_key_rotation_symmetric_key_gets_a_rotation_part_only(client, kms_mock):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    key = kms_mock.backend.account_region(ACCOUNT, REGION).keys[key_id]
    assert key.rotation is not None
    assert key.rotation.period_days == 90
    assert (key.imported, key.store) == (None, None)


def test_optional_parts_are_slotted():
    # As lean as the key itself: no per-instance __dict__.
    for record in (Rotation(), Imported(), StoreLink("cks-1234567890abcdef0")):
        assert not hasattr(record, "__dict__")
