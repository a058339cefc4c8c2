"""The state file's round trip in-process: what a restart keeps, and what it schedules
again from the dates the keys hold."""

from __future__ import annotations

import json

import pytest

from kmsmock.server import KmsServer
from kmsmock.state import persist
from tests._support import server_client


def restarted(server: KmsServer, path, **options) -> KmsServer:
    persist.save_file(server.kms.backend, path)
    again = KmsServer(**options)
    persist.load_file(again.kms.backend, path)
    return again


def test_state_file_pending_deletion_still_ends_after_the_window(tmp_path):
    with KmsServer() as server:
        kms = server_client(server.url)
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with restarted(server, tmp_path / "s.json") as again:
        kms = server_client(again.url)
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
        again.kms.clock.advance(days=8)
        assert kms.list_keys()["Keys"] == []


def test_state_file_automatic_rotation_still_happens_when_due(tmp_path):
    with KmsServer() as server:
        kms = server_client(server.url)
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    with restarted(server, tmp_path / "s.json") as again:
        kms = server_client(again.url)
        again.kms.clock.advance(days=91)
        [rotation] = kms.list_key_rotations(KeyId=key_id)["Rotations"]
        assert rotation["RotationType"] == "AUTOMATIC"


def test_state_file_multi_region_replica_stays_linked_to_its_primary(tmp_path):
    with KmsServer() as server:
        kms = server_client(server.url)
        key_id = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
        kms.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
    with restarted(server, tmp_path / "s.json") as again:
        replica = server_client(again.url, region="eu-west-1").describe_key(KeyId=key_id)
        configuration = replica["KeyMetadata"]["MultiRegionConfiguration"]
        assert configuration["MultiRegionKeyType"] == "REPLICA"
        assert configuration["PrimaryKey"]["Region"] == "us-east-1"
        primary_state = again.kms.backend.peek(again.kms.account_id, "us-east-1")
        replica_state = again.kms.backend.peek(again.kms.account_id, "eu-west-1")
        assert primary_state is not None
        assert replica_state is not None
        assert primary_state.keys[key_id].region_set is replica_state.keys[key_id].region_set


def test_state_file_seeded_server_repeats_no_key_id_after_a_restart(tmp_path):
    with KmsServer(seed=7) as server:
        first = server_client(server.url).create_key()["KeyMetadata"]["KeyId"]
    with restarted(server, tmp_path / "s.json", seed=7) as again:
        second = server_client(again.url).create_key()["KeyMetadata"]["KeyId"]
    assert second != first


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"format": "kmsmock-state", "version": 99}, "state file version 99 is not one"),
        ({"format": "kmsmock-state", "version": 1, "regions": [{"keys": 1}]}, "damaged"),
    ],
)
def test_state_file_unreadable_raises_state_file_error(tmp_path, document, message):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(document))
    server = KmsServer()
    with pytest.raises(persist.StateFileError, match=message):
        persist.load_file(server.kms.backend, path)
    assert server.kms.keys() == []


def test_state_file_imported_material_still_decrypts_and_still_expires(tmp_path):
    from tests._support import import_material
    from tests.operations.test_imports import EXPIRES, external_key

    with KmsServer() as server:
        kms = server_client(server.url)
        key_id = external_key(kms)
        material = bytes(range(32))
        valid_to = server.kms.clock.now() + 10 * 86400
        import_material(kms, key_id, material, ExpirationModel=EXPIRES, ValidTo=valid_to)
        blob = kms.encrypt(KeyId=key_id, Plaintext=b"imported")["CiphertextBlob"]
    with restarted(server, tmp_path / "s.json") as again:
        kms = server_client(again.url)
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"imported"
        again.kms.clock.advance(days=11)
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"


def test_state_file_custom_key_store_and_its_key_come_back_connected(tmp_path):
    from tests.operations.test_custom_key_stores import cloudhsm_params, new_store

    with KmsServer() as server:
        kms = server_client(server.url)
        store_id = new_store(kms, "cloudhsm")
        key_id = kms.create_key(Origin="AWS_CLOUDHSM", CustomKeyStoreId=store_id)["KeyMetadata"][
            "KeyId"
        ]
    with restarted(server, tmp_path / "s.json") as again:
        kms = server_client(again.url)
        [store] = kms.describe_custom_key_stores()["CustomKeyStores"]
        assert (store["CustomKeyStoreId"], store["ConnectionState"]) == (store_id, "CONNECTED")
        assert store["CustomKeyStoreName"] == cloudhsm_params()["CustomKeyStoreName"]
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["CustomKeyStoreId"] == store_id
