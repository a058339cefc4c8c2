"""The state file's round trip in-process: what a restart keeps, and what it schedules
again from the dates the keys hold."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kmsmock.server import KmsServer
from kmsmock.state import persist
from tests._support import OTHER_ACCOUNT, error, model_has_member, server_client

# Keys shared through AWS RAM and grants to service principals exist from botocore 1.44 on.
needs_ram = pytest.mark.skipif(
    not model_has_member("ListKeys", "ResourceOwners"),
    reason="the installed botocore's KMS model has no ListKeys ResourceOwners",
)
needs_service_principals = pytest.mark.skipif(
    not model_has_member("CreateGrant", "GranteeServicePrincipal"),
    reason="the installed botocore's KMS model has no grants to service principals",
)


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
        (
            {"format": "kmsmock-state", "version": 99},
            r"^state file version 99 is not one this kmsmock reads \(1, 2\)$",
        ),
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
    from tests.operations.custom_key_stores._stores import cloudhsm_params, new_store

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


# Imported keys with several key materials -------------------------------------------------


def _rotations(kms: Any, key_id: str) -> list[dict[str, Any]]:
    response = kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    found: list[dict[str, Any]] = response["Rotations"]
    return found


def test_state_file_imported_materials_keep_their_states_and_pending_one_still_rotates(tmp_path):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from tests._support import import_material

    first, second = bytes(range(32)), bytes(range(32, 64))
    with KmsServer() as server:
        kms = server_client(server.url)
        key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        now = server.kms.clock.now()
        first_id = import_material(
            kms,
            key_id,
            first,
            ExpirationModel="KEY_MATERIAL_EXPIRES",
            ValidTo=now + 10 * 86400,
            KeyMaterialDescription="first",
        )["KeyMaterialId"]
        second_id = import_material(
            kms,
            key_id,
            second,
            ImportType="NEW_KEY_MATERIAL",
            ExpirationModel="KEY_MATERIAL_EXPIRES",
            ValidTo=now + 20 * 86400,
            KeyMaterialDescription="second",
        )["KeyMaterialId"]
        old_blob = kms.encrypt(KeyId=key_id, Plaintext=b"old")["CiphertextBlob"]
        before = _rotations(kms, key_id)
        assert [e["KeyMaterialState"] for e in before] == ["CURRENT", "PENDING_ROTATION"]
        metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    with restarted(server, tmp_path / "s.json") as again:
        kms = server_client(again.url)
        assert _rotations(kms, key_id) == before
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"] == metadata
        assert kms.decrypt(CiphertextBlob=old_blob)["Plaintext"] == b"old"
        kms.rotate_key_on_demand(KeyId=key_id)
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"] == second_id
        new_blob = kms.encrypt(KeyId=key_id, Plaintext=b"new")["CiphertextBlob"]
        # The blob layout of kmsmock.crypto.ciphertext: a 97-byte header (the AAD) whose
        # last 12 bytes are the IV, then AES-256-GCM under the imported material.
        assert AESGCM(second).decrypt(new_blob[85:97], new_blob[97:], new_blob[:97]) == b"new"
        assert AESGCM(first).decrypt(old_blob[85:97], old_blob[97:], old_blob[:97]) == b"old"
        # The first material still expires on its own date: the key waits for it again.
        again.kms.clock.advance(days=11)
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
        states = {e["KeyMaterialId"]: e["ImportState"] for e in _rotations(kms, key_id)}
        assert states == {first_id: "PENDING_IMPORT", second_id: "IMPORTED"}


def test_state_file_pending_material_still_expires_after_a_restart(tmp_path):
    from tests._support import import_material

    with KmsServer() as server:
        kms = server_client(server.url)
        key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        first_id = import_material(kms, key_id, bytes(32))["KeyMaterialId"]
        import_material(
            kms,
            key_id,
            bytes(range(32)),
            ImportType="NEW_KEY_MATERIAL",
            ExpirationModel="KEY_MATERIAL_EXPIRES",
            ValidTo=server.kms.clock.now() + 5 * 86400,
        )
    with restarted(server, tmp_path / "s.json") as again:
        kms = server_client(again.url)
        again.kms.clock.advance(days=6)
        assert [e["KeyMaterialId"] for e in _rotations(kms, key_id)] == [first_id]
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


def test_state_file_multi_region_pending_import_finishes_after_a_restart(tmp_path):
    from tests._support import import_material

    new = bytes(range(100, 132))
    with KmsServer() as server:
        kms = server_client(server.url)
        replica = server_client(server.url, region="eu-west-1")
        key_id = kms.create_key(Origin="EXTERNAL", MultiRegion=True)["KeyMetadata"]["KeyId"]
        first = bytes(range(32))
        import_material(kms, key_id, first)
        kms.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
        import_material(replica, key_id, first)
        new_id = import_material(kms, key_id, new, ImportType="NEW_KEY_MATERIAL")["KeyMaterialId"]
        assert _rotations(kms, key_id)[-1]["KeyMaterialState"] == (
            "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
        )
    with restarted(server, tmp_path / "s.json") as again:
        kms = server_client(again.url)
        replica = server_client(again.url, region="eu-west-1")
        assert _rotations(kms, key_id)[-1]["KeyMaterialState"] == (
            "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
        )
        import_material(replica, key_id, new)
        assert _rotations(kms, key_id)[-1]["KeyMaterialState"] == "PENDING_ROTATION"
        kms.rotate_key_on_demand(KeyId=key_id)
        blob = replica.encrypt(KeyId=key_id, Plaintext=b"both")["CiphertextBlob"]
        decrypted = kms.decrypt(CiphertextBlob=blob)
        assert (decrypted["Plaintext"], decrypted["KeyMaterialId"]) == (b"both", new_id)


# Multi-Region keys made by KMS share their material again --------------------------------


def test_state_file_multi_region_replica_decrypts_material_made_after_a_restart(tmp_path):
    with KmsServer() as server:
        kms = server_client(server.url)
        key_id = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
        kms.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
    with restarted(server, tmp_path / "s.json") as again:
        # Neither key had used its material before the restart: it is made now, once.
        blob = server_client(again.url).encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
        replica = server_client(again.url, region="eu-west-1")
        assert replica.decrypt(CiphertextBlob=blob, KeyId=key_id)["Plaintext"] == b"x"
        server_client(again.url).rotate_key_on_demand(KeyId=key_id)
        rotated = replica.encrypt(KeyId=key_id, Plaintext=b"y")["CiphertextBlob"]
        assert server_client(again.url).decrypt(CiphertextBlob=rotated)["Plaintext"] == b"y"


# Keys shared through AWS RAM -------------------------------------------------------------

OTHER_ACCESS_KEY = "AKIAOTHERACCOUNT0001"


@needs_ram
def test_state_file_ram_share_still_lists_in_the_other_account(tmp_path):
    with KmsServer() as server:
        kms = server_client(server.url)
        shared = kms.create_key()["KeyMetadata"]
        kms.create_key()
        server.kms.identities.add(OTHER_ACCESS_KEY, account_id=OTHER_ACCOUNT)
        server.kms.share_key(shared["KeyId"], OTHER_ACCOUNT)
        policy = kms.get_key_policy(KeyId=shared["KeyId"], PolicyName="AWS_RAM")["Policy"]
    with restarted(server, tmp_path / "s.json") as again:
        kms = server_client(again.url)
        other = server_client(again.url, access_key_id=OTHER_ACCESS_KEY)
        listed = other.list_keys(ResourceOwners=["OTHER_ACCOUNTS_VIA_RAM"])["Keys"]
        assert listed == [{"KeyId": shared["KeyId"], "KeyArn": shared["Arn"]}]
        assert kms.list_key_policies(KeyId=shared["KeyId"])["PolicyNames"] == [
            "default",
            "AWS_RAM",
        ]
        assert kms.get_key_policy(KeyId=shared["KeyId"], PolicyName="AWS_RAM")["Policy"] == policy
        blob = other.encrypt(KeyId=shared["Arn"], Plaintext=b"shared")["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"shared"
        again.kms.unshare_key(shared["KeyId"], OTHER_ACCOUNT)
        assert other.list_keys(ResourceOwners=["OTHER_ACCOUNTS_VIA_RAM"])["Keys"] == []


# ML-KEM keys ----------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"])
def test_state_file_ml_kem_key_decapsulates_what_was_encapsulated_before(tmp_path, spec):
    from cryptography.hazmat.primitives import serialization

    from tests._support import ml_kem_specs_in_model

    if spec not in ml_kem_specs_in_model():
        pytest.skip("the installed botocore's KMS model has no ML-KEM keys")
    with KmsServer() as server:
        kms = server_client(server.url)
        key_id = kms.create_key(KeySpec=spec, KeyUsage="ENCAPSULATE_DECAPSULATE")["KeyMetadata"][
            "KeyId"
        ]
        made = kms.encapsulate(KeyId=key_id, EncapsulationAlgorithm="ML_KEM")
        public = kms.get_public_key(KeyId=key_id)["PublicKey"]
    with restarted(server, tmp_path / "s.json") as again:
        kms = server_client(again.url)
        assert kms.get_public_key(KeyId=key_id)["PublicKey"] == public
        opened = kms.decapsulate(
            KeyId=key_id,
            EncapsulationAlgorithm="ML_KEM",
            SharedSecretCiphertextBlob=made["SharedSecretCiphertextBlob"],
        )
        assert opened["SharedSecret"] == made["SharedSecret"]
        if spec != "ML_KEM_512":  # cryptography has no ML-KEM-512
            # Encapsulated outside kmsmock, to the public key GetPublicKey gave before.
            outside = serialization.load_der_public_key(public)
            secret, ciphertext = outside.encapsulate()  # type: ignore[union-attr]
            opened = kms.decapsulate(
                KeyId=key_id, EncapsulationAlgorithm="ML_KEM", SharedSecretCiphertextBlob=ciphertext
            )
            assert opened["SharedSecret"] == secret


# Grants to service principals, and identities that act as one ------------------------------

SERVICE = "dynamodb.amazonaws.com"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
ADMIN = "arn:aws:iam::123456789012:user/admin"


@needs_service_principals
def test_state_file_service_principal_grant_still_lets_the_service_encrypt(tmp_path):
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": ADMIN}, "Action": "kms:*", "Resource": "*"}
            ],
        }
    )
    with KmsServer(enforce_policies=True) as server:
        server.kms.identities.add("AKIAADMINISTRATOR001", account_id="123456789012", arn=ADMIN)
        server.kms.identities.add(
            "AKIADYNAMODBORDERS01",
            account_id="123456789012",
            service_principal=SERVICE,
            source_arn=TABLE,
        )
        server.kms.identities.add(
            "AKIADYNAMODBANYTABLE", account_id="123456789012", service_principal=SERVICE
        )
        admin = server_client(server.url, access_key_id="AKIAADMINISTRATOR001")
        key_id = admin.create_key(Policy=policy)["KeyMetadata"]["KeyId"]
        admin.create_grant(
            KeyId=key_id,
            GranteeServicePrincipal=SERVICE,
            RetiringServicePrincipal=SERVICE,
            Operations=["Encrypt", "Decrypt"],
            Constraints={"SourceArn": TABLE},
        )
        grants = admin.list_grants(KeyId=key_id)["Grants"]
        known = server.kms.identities.known()
    with restarted(server, tmp_path / "s.json", enforce_policies=True) as again:
        assert again.kms.identities.known() == known
        admin = server_client(again.url, access_key_id="AKIAADMINISTRATOR001")
        assert admin.list_grants(KeyId=key_id)["Grants"] == grants
        assert grants[0]["GranteeServicePrincipal"] == SERVICE
        assert grants[0]["RetiringServicePrincipal"] == SERVICE
        assert grants[0]["Constraints"] == {"SourceArn": TABLE}
        dynamodb = server_client(again.url, access_key_id="AKIADYNAMODBORDERS01")
        blob = dynamodb.encrypt(KeyId=key_id, Plaintext=b"order")["CiphertextBlob"]
        assert dynamodb.decrypt(CiphertextBlob=blob)["Plaintext"] == b"order"
        anywhere = server_client(again.url, access_key_id="AKIADYNAMODBANYTABLE")
        with pytest.raises(ClientError) as info:
            anywhere.encrypt(KeyId=key_id, Plaintext=b"order")
        arn = f"arn:aws:kms:us-east-1:123456789012:key/{key_id}"
        assert error(info.value) == (
            "AccessDeniedException",
            f"User: {SERVICE} is not authorized to perform: kms:Encrypt on resource: {arn} "
            "because no resource-based policy allows the kms:Encrypt action",
        )


# Every field is kept, or left out on purpose ------------------------------------------------


def _names(record: type[Any]) -> set[str]:
    if not dataclasses.is_dataclass(record):
        return set(record._fields)  # a NamedTuple
    return {field.name for field in dataclasses.fields(record)}


def test_state_file_knows_every_key_field():
    from kmsmock.state.keys import Key

    groups = [
        persist.KEY_AS_IS,
        persist.KEY_TUPLES,
        persist.KEY_CODED,
        persist.KEY_NOT_KEPT,
        set(persist.KEY_PARTS),
    ]
    assert sum(len(group) for group in groups) == len(set().union(*groups))  # disjoint
    # A new Key field must be written (as is, as a tuple, coded, or as a part written
    # flat) or left out knowingly.
    assert _names(Key) == set().union(*groups)


def test_state_file_knows_every_field_of_the_key_parts():
    import typing

    from kmsmock.state.keys import Key

    hints = typing.get_type_hints(Key)
    members = [set(persist.KEY_AS_IS | persist.KEY_TUPLES | persist.KEY_CODED)]
    for part, (record, written) in persist.KEY_PARTS.items():
        assert hints[part] == record | None
        not_kept = persist.PART_NOT_KEPT.get(part, frozenset())
        assert not set(written) & not_kept
        # A new field of a part must be written (under a member of its own) or left out
        # knowingly.
        assert _names(record) == set(written) | not_kept
        members.append(set(written.values()))
    # Each member of the file means one field.
    assert sum(len(group) for group in members) == len(set().union(*members))
    assert set().union(*members[1:]) >= persist.PART_CODED


def test_state_file_knows_every_field_of_the_other_records():
    from kmsmock.state.backend import AccountRegion, Alias
    from kmsmock.state.custom_key_stores import CustomKeyStore
    from kmsmock.state.grants import Grant
    from kmsmock.state.imported import ImportedMaterials, MaterialImport
    from kmsmock.state.keys import RegionSet

    assert _names(AccountRegion) == persist.REGION_WRITTEN | persist.REGION_REBUILT
    assert _names(Grant) == set(persist.GRANT_FIELDS)
    assert _names(Alias) == set(persist.ALIAS_FIELDS)
    assert _names(CustomKeyStore) == set(persist.STORE_AS_IS) | persist.STORE_CODED
    assert _names(ImportedMaterials) == set(persist.IMPORTS_FIELDS)
    assert _names(MaterialImport) == set(persist.MATERIAL_IMPORT_FIELDS)
    assert _names(RegionSet) == set(persist.REGION_SET_FIELDS)


def _busy_server(server: KmsServer) -> None:
    """State of every kind: keys of each sort, used and unused, aliases, grants, stores."""
    from tests._support import import_material
    from tests.operations.custom_key_stores._stores import new_store

    kms = server_client(server.url)
    server.kms.identities.add(OTHER_ACCESS_KEY, account_id=OTHER_ACCOUNT)
    server.kms.identities.add(
        "AKIADYNAMODBORDERS01",
        account_id="123456789012",
        service_principal=SERVICE,
        source_arn=TABLE,
    )
    used = kms.create_key(Description="used", Tags=[{"TagKey": "team", "TagValue": "a"}])
    used_id = used["KeyMetadata"]["KeyId"]
    kms.encrypt(KeyId=used_id, Plaintext=b"x")
    kms.enable_key_rotation(KeyId=used_id, RotationPeriodInDays=90)
    kms.rotate_key_on_demand(KeyId=used_id)
    kms.create_alias(AliasName="alias/used", TargetKeyId=used_id)
    kms.create_alias(AliasName="alias/also-used", TargetKeyId=used_id)
    kms.create_grant(KeyId=used_id, GranteePrincipal=ADMIN, Operations=["Decrypt"], Name="g")
    kms.create_grant(
        KeyId=used_id,
        GranteeServicePrincipal=SERVICE,
        RetiringServicePrincipal=SERVICE,
        Operations=["Encrypt"],
        Constraints={"SourceArn": TABLE},
    )
    server.kms.share_key(used_id, OTHER_ACCOUNT)
    doomed = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)
    kms.disable_key(KeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    kms.sign(KeyId=rsa, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")
    hmac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    kms.generate_mac(KeyId=hmac["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256")
    kms.create_key(KeySpec="ML_KEM_512", KeyUsage="ENCAPSULATE_DECAPSULATE")
    external = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    import_material(kms, external, bytes(32), KeyMaterialDescription="one")
    import_material(kms, external, bytes(range(32)), ImportType="NEW_KEY_MATERIAL")
    multi = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    kms.replicate_key(KeyId=multi, ReplicaRegion="eu-west-1")
    new_store(kms, "cloudhsm")
    server.kms.clock.advance(hours=1)


@needs_ram
@needs_service_principals
def test_state_file_written_again_after_loading_is_the_same(tmp_path):
    with KmsServer() as server:
        _busy_server(server)
        first = persist.dump(server.kms.backend)
    again = KmsServer()
    persist.load(again.kms.backend, json.loads(json.dumps(first)))
    assert persist.dump(again.kms.backend) == first
    for state in again.kms.backend.account_regions():
        # The list indexes, rebuilt as the keys and aliases were put back.
        assert state.key_order == sorted(state.keys.values(), key=lambda key: key.seq)
        assert state.alias_names == sorted(state.aliases)
        by_key: dict[str, set[str]] = {}
        for alias in state.aliases.values():
            if alias.target_key_id is not None:
                by_key.setdefault(alias.target_key_id, set()).add(alias.name)
        assert {k: set(v) for k, v in state.aliases_by_key.items()} == by_key
        for key in state.keys.values():
            assert key.ram_shares is None or isinstance(key.ram_shares, tuple)


def test_state_file_version_1_is_still_read(tmp_path):
    with KmsServer() as server:
        kms = server_client(server.url)
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        blob = kms.encrypt(KeyId=key_id, Plaintext=b"v1")["CiphertextBlob"]
        document = persist.dump(server.kms.backend)
    # Version 1 wrote the same document, short of the imported keys' "imports".
    document["version"] = 1
    again = KmsServer()
    persist.load(again.kms.backend, document)
    with again:
        assert server_client(again.url).decrypt(CiphertextBlob=blob)["Plaintext"] == b"v1"


def test_state_file_unknown_key_field_raises_state_file_error(tmp_path):
    with KmsServer() as server:
        server_client(server.url).create_key()
        document = persist.dump(server.kms.backend)
    document["regions"][0]["keys"][0]["colour"] = "blue"
    again = KmsServer()
    with pytest.raises(persist.StateFileError, match="unknown key fields \\['colour'\\]"):
        persist.load(again.kms.backend, document)
    assert again.kms.keys() == []


def test_state_file_china_sm2_and_sm4_keys_keep_their_material(tmp_path):
    with KmsServer() as server:
        kms = server_client(server.url, region="cn-north-1")
        sm2 = kms.create_key(KeySpec="SM2", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        public = kms.get_public_key(KeyId=sm2)["PublicKey"]
        signature = kms.sign(KeyId=sm2, Message=b"m", SigningAlgorithm="SM2DSA")["Signature"]
        sm4 = kms.create_key()["KeyMetadata"]["KeyId"]
        blob = kms.encrypt(KeyId=sm4, Plaintext=b"cn")["CiphertextBlob"]
    with restarted(server, tmp_path / "s.json") as again:
        kms = server_client(again.url, region="cn-north-1")
        assert kms.get_public_key(KeyId=sm2)["PublicKey"] == public
        verified = kms.verify(
            KeyId=sm2, Message=b"m", Signature=signature, SigningAlgorithm="SM2DSA"
        )
        assert verified["SignatureValid"] is True
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"cn"
