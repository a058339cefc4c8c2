"""Keys in a custom key store: CreateKey in a store, their cryptography and availability,
and what they cannot do.

Custom key stores: docs/kms-behaviour.md#custom-key-stores. Unverified against AWS: the
texts of the store errors, which are kmsmock's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests._support import MATERIAL_ID, assert_valid_output, body, key_arn, refused
from tests.operations.custom_key_stores._stores import (
    CLOUDHSM,
    CLUSTER,
    EXTERNAL,
    ORIGIN,
    SECOND_STORE,
    XKS_KEY,
    key_state,
    new_store,
    new_store_key,
    not_found,
    store_key_metadata,
    unavailable,
)

# CreateKey in a custom key store ----------------------------------------------------------


def test_create_key_in_cloudhsm_store_returns_store_metadata(client, now, hsm_store):
    response = client.create_key(Origin=CLOUDHSM, CustomKeyStoreId=hsm_store)
    assert_valid_output("CreateKey", response)
    metadata = response["KeyMetadata"]
    assert metadata == store_key_metadata(
        metadata, now, CLOUDHSM, hsm_store, CloudHsmClusterId=CLUSTER
    )
    assert MATERIAL_ID.fullmatch(metadata["CurrentKeyMaterialId"])
    assert client.describe_key(KeyId=metadata["KeyId"])["KeyMetadata"] == metadata


def test_create_key_in_external_store_returns_xks_key_configuration(client, now, xks_store):
    response = client.create_key(Origin=EXTERNAL, CustomKeyStoreId=xks_store, XksKeyId=XKS_KEY)
    assert_valid_output("CreateKey", response)
    metadata = response["KeyMetadata"]
    assert metadata == store_key_metadata(
        metadata, now, EXTERNAL, xks_store, XksKeyConfiguration={"Id": XKS_KEY}
    )
    assert client.describe_key(KeyId=metadata["KeyId"])["KeyMetadata"] == metadata


def test_create_key_in_store_is_listed(client, store, store_key):
    assert {"KeyId": store_key, "KeyArn": key_arn(store_key)} in client.list_keys()["Keys"]


def test_create_key_in_disconnected_store_raises_invalid_state(client, kind):
    store_id = new_store(client, kind, connect=False)
    assert refused(lambda: new_store_key(client, kind, store_id)) == (
        "CustomKeyStoreInvalidStateException",
        f"Custom key store {store_id} is DISCONNECTED; keys can be created only in a "
        "CONNECTED custom key store.",
    )
    assert client.list_keys()["Keys"] == []


def test_create_key_in_store_disconnected_later_raises_invalid_state(client, store, kind):
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert refused(lambda: new_store_key(client, kind, store, xks_key="xks-key-2")) == (
        "CustomKeyStoreInvalidStateException",
        f"Custom key store {store} is DISCONNECTED; keys can be created only in a "
        "CONNECTED custom key store.",
    )


def test_create_cloudhsm_key_in_external_store_raises_unsupported(client, xks_store):
    assert refused(lambda: client.create_key(Origin=CLOUDHSM, CustomKeyStoreId=xks_store)) == (
        "UnsupportedOperationException",
        f"Origin AWS_CLOUDHSM is not valid for custom key store {xks_store} of type "
        "EXTERNAL_KEY_STORE.",
    )
    assert client.list_keys()["Keys"] == []


def test_create_external_key_in_cloudhsm_store_raises_unsupported(client, hsm_store):
    assert refused(
        lambda: client.create_key(Origin=EXTERNAL, CustomKeyStoreId=hsm_store, XksKeyId=XKS_KEY)
    ) == (
        "UnsupportedOperationException",
        f"Origin EXTERNAL_KEY_STORE is not valid for custom key store {hsm_store} of type "
        "AWS_CLOUDHSM.",
    )
    assert client.list_keys()["Keys"] == []


def test_create_key_xks_key_id_with_cloudhsm_origin_raises_validation(client, hsm_store):
    assert refused(
        lambda: client.create_key(Origin=CLOUDHSM, CustomKeyStoreId=hsm_store, XksKeyId=XKS_KEY)
    ) == (
        "ValidationException",
        "XksKeyId is valid only for KMS keys with an Origin of EXTERNAL_KEY_STORE.",
    )


def test_create_key_same_xks_key_in_same_store_raises_already_in_use(client, xks_store):
    first = new_store_key(client, "external", xks_store)
    assert refused(lambda: new_store_key(client, "external", xks_store)) == (
        "XksKeyAlreadyInUseException",
        f"External key {XKS_KEY} is already used by a KMS key in custom key store {xks_store}.",
    )
    assert [key["KeyId"] for key in client.list_keys()["Keys"]] == [first]


def test_create_key_same_xks_key_while_first_key_pending_deletion_raises(client, xks_store):
    first = new_store_key(client, "external", xks_store)
    client.schedule_key_deletion(KeyId=first, PendingWindowInDays=7)
    assert refused(lambda: new_store_key(client, "external", xks_store)) == (
        "XksKeyAlreadyInUseException",
        f"External key {XKS_KEY} is already used by a KMS key in custom key store {xks_store}.",
    )


def test_create_key_same_xks_key_in_other_store_succeeds(client, xks_store):
    other = new_store(client, "external", name="xks-other", **SECOND_STORE["external"])
    first = new_store_key(client, "external", xks_store)
    second = new_store_key(client, "external", other)
    assert client.describe_key(KeyId=second)["KeyMetadata"]["XksKeyConfiguration"] == {
        "Id": XKS_KEY
    }
    assert first != second


def test_create_key_other_xks_key_in_same_store_succeeds(client, xks_store):
    new_store_key(client, "external", xks_store)
    second = new_store_key(client, "external", xks_store, xks_key="xks-key-2")
    assert key_state(client, second) == "Enabled"


@pytest.mark.parametrize(
    "params",
    [
        {"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"},
        {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
        {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"},
        {"MultiRegion": True},
    ],
    ids=["rsa", "hmac", "ecc", "multi-region"],
)
def test_create_key_in_store_not_single_region_symmetric_raises_unsupported(
    client, store, kind, params
):
    extra = {"XksKeyId": XKS_KEY} if kind == "external" else {}
    assert refused(
        lambda: client.create_key(Origin=ORIGIN[kind], CustomKeyStoreId=store, **extra, **params)
    ) == (
        "UnsupportedOperationException",
        "Custom key stores support only single-Region symmetric encryption KMS keys.",
    )
    assert client.list_keys()["Keys"] == []


def test_create_key_in_deleted_store_raises_not_found(client, kind):
    store_id = new_store(client, kind, connect=False)
    client.delete_custom_key_store(CustomKeyStoreId=store_id)
    assert refused(lambda: new_store_key(client, kind, store_id)) == not_found(store_id)


# Keys in a store: cryptography and availability -----------------------------------------


def test_store_key_encrypts_and_decrypts_while_connected(client, store_key):
    encrypted = client.encrypt(KeyId=store_key, Plaintext=b"secret data")
    assert encrypted["KeyId"] == key_arn(store_key)
    decrypted = client.decrypt(CiphertextBlob=encrypted["CiphertextBlob"])
    assert decrypted["KeyId"] == key_arn(store_key)
    assert decrypted["Plaintext"] == b"secret data"


def test_store_key_generates_data_key_that_decrypts(client, store_key):
    data_key = client.generate_data_key(KeyId=store_key, KeySpec="AES_256")
    assert len(data_key["Plaintext"]) == 32
    decrypted = client.decrypt(CiphertextBlob=data_key["CiphertextBlob"], KeyId=store_key)
    assert decrypted["Plaintext"] == data_key["Plaintext"]


def test_store_key_generates_data_key_without_plaintext_that_decrypts(client, store_key):
    blob = client.generate_data_key_without_plaintext(KeyId=store_key, NumberOfBytes=16)
    assert len(client.decrypt(CiphertextBlob=blob["CiphertextBlob"])["Plaintext"]) == 16


def test_store_key_after_disconnect_is_unavailable(client, store, store_key):
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    metadata = client.describe_key(KeyId=store_key)["KeyMetadata"]
    assert (metadata["KeyState"], metadata["Enabled"]) == ("Unavailable", False)


@pytest.mark.parametrize(
    "operation",
    [
        "encrypt",
        "generate_data_key",
        "generate_data_key_without_plaintext",
        "decrypt",
        "re_encrypt",
    ],
)
def test_store_key_crypto_after_disconnect_raises_unavailable(client, store, store_key, operation):
    blob = client.encrypt(KeyId=store_key, Plaintext=b"x")["CiphertextBlob"]
    other = client.create_key()["KeyMetadata"]["KeyId"]
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    calls: dict[str, Callable[[], Any]] = {
        "encrypt": lambda: client.encrypt(KeyId=store_key, Plaintext=b"x"),
        "generate_data_key": lambda: client.generate_data_key(KeyId=store_key, NumberOfBytes=8),
        "generate_data_key_without_plaintext": lambda: client.generate_data_key_without_plaintext(
            KeyId=store_key, NumberOfBytes=8
        ),
        "decrypt": lambda: client.decrypt(CiphertextBlob=blob),
        "re_encrypt": lambda: client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=other),
    }
    assert refused(calls[operation]) == unavailable(store_key)


def test_store_key_reencrypt_destination_after_disconnect_raises_unavailable(
    client, store, store_key
):
    blob = client.encrypt(KeyId=client.create_key()["KeyMetadata"]["KeyId"], Plaintext=b"x")
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert refused(
        lambda: client.re_encrypt(CiphertextBlob=blob["CiphertextBlob"], DestinationKeyId=store_key)
    ) == unavailable(store_key)


def test_store_key_after_reconnect_is_enabled_and_decrypts_old_ciphertext(client, store, store_key):
    blob = client.encrypt(KeyId=store_key, Plaintext=b"kept")["CiphertextBlob"]
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    client.connect_custom_key_store(CustomKeyStoreId=store)
    metadata = client.describe_key(KeyId=store_key)["KeyMetadata"]
    assert (metadata["KeyState"], metadata["Enabled"]) == ("Enabled", True)
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"


def test_disabled_store_key_after_reconnect_is_disabled(client, store, store_key):
    client.disable_key(KeyId=store_key)
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "Unavailable"
    client.connect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "Disabled"
    assert refused(lambda: client.encrypt(KeyId=store_key, Plaintext=b"x")) == (
        "DisabledException",
        f"{key_arn(store_key)} is disabled.",
    )


def test_disconnecting_a_store_leaves_other_keys_alone(client, kind, store, store_key):
    other_store = new_store(client, kind, name="other", **SECOND_STORE[kind])
    other_key = new_store_key(client, kind, other_store)
    plain_key = client.create_key()["KeyMetadata"]["KeyId"]
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "Unavailable"
    assert key_state(client, other_key) == "Enabled"
    assert key_state(client, plain_key) == "Enabled"


def test_store_key_pending_deletion_stays_pending_through_disconnect(client, store, store_key):
    scheduled = client.schedule_key_deletion(KeyId=store_key, PendingWindowInDays=7)
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    metadata = client.describe_key(KeyId=store_key)["KeyMetadata"]
    assert metadata["KeyState"] == "PendingDeletion"
    assert metadata["DeletionDate"] == scheduled["DeletionDate"]
    client.connect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "PendingDeletion"


def test_cancel_deletion_of_store_key_while_disconnected_is_disabled_once_reconnected(
    client, store, store_key
):
    # docs/kms-behaviour.md#key-state-table: a custom-store key pending deletion stays
    # PendingDeletion while its store is disconnected, so CancelKeyDeletion succeeds; the key lands
    # in Disabled, which shows once the store is connected again (Unavailable until then).
    client.schedule_key_deletion(KeyId=store_key, PendingWindowInDays=7)
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    response = client.cancel_key_deletion(KeyId=store_key)
    assert body(response) == {"KeyId": key_arn(store_key)}
    metadata = client.describe_key(KeyId=store_key)["KeyMetadata"]
    assert metadata["KeyState"] == "Unavailable"
    assert "DeletionDate" not in metadata
    client.connect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "Disabled"


def test_cancel_deletion_of_unavailable_store_key_raises_not_pending_deletion(
    client, store, store_key
):
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert refused(lambda: client.cancel_key_deletion(KeyId=store_key)) == (
        "KMSInvalidStateException",
        f"{key_arn(store_key)} is not pending deletion.",
    )
    assert key_state(client, store_key) == "Unavailable"


def test_schedule_deletion_of_unavailable_store_key_stays_pending_after_reconnect(
    client, store, store_key
):
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    response = client.schedule_key_deletion(KeyId=store_key, PendingWindowInDays=7)
    assert response["KeyState"] == "PendingDeletion"
    client.connect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "PendingDeletion"


def test_disable_unavailable_store_key_takes_effect_on_reconnect(client, store, store_key):
    # docs/kms-behaviour.md#key-state-table: DisableKey on an Unavailable key succeeds, applied when
    # the store reconnects.
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert body(client.disable_key(KeyId=store_key)) == {}
    assert key_state(client, store_key) == "Unavailable"
    client.connect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "Disabled"


def test_enable_unavailable_disabled_store_key_takes_effect_on_reconnect(client, store, store_key):
    client.disable_key(KeyId=store_key)
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert body(client.enable_key(KeyId=store_key)) == {}
    assert key_state(client, store_key) == "Unavailable"
    client.connect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "Enabled"


# What keys in a store cannot do ----------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        "enable_key_rotation",
        "disable_key_rotation",
        "get_key_rotation_status",
        "list_key_rotations",
        "rotate_key_on_demand",
    ],
)
@pytest.mark.parametrize("connected", [True, False], ids=["connected", "disconnected"])
def test_rotation_of_store_key_raises_unsupported(
    client, kind, store, store_key, operation, connected
):
    if not connected:
        client.disconnect_custom_key_store(CustomKeyStoreId=store)
    call = getattr(client, operation)
    assert refused(lambda: call(KeyId=store_key)) == (
        "UnsupportedOperationException",
        f"{key_arn(store_key)} origin is {ORIGIN[kind]} which is not valid for this operation.",
    )


@pytest.mark.parametrize(
    "operation", ["generate_data_key_pair", "generate_data_key_pair_without_plaintext"]
)
def test_data_key_pair_from_store_key_raises_unsupported(client, store_key, operation):
    call = getattr(client, operation)
    assert refused(lambda: call(KeyId=store_key, KeyPairSpec="RSA_2048")) == (
        "UnsupportedOperationException",
        f"{key_arn(store_key)} is in a custom key store, which cannot make data key pairs.",
    )


def test_get_parameters_for_import_of_store_key_raises_unsupported(client, kind, store_key):
    assert refused(
        lambda: client.get_parameters_for_import(
            KeyId=store_key, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        )
    ) == (
        "UnsupportedOperationException",
        f"{key_arn(store_key)} origin is {ORIGIN[kind]} which is not valid for this operation.",
    )


def test_delete_imported_key_material_of_store_key_raises_unsupported(client, kind, store_key):
    assert refused(lambda: client.delete_imported_key_material(KeyId=store_key)) == (
        "UnsupportedOperationException",
        f"{key_arn(store_key)} origin is {ORIGIN[kind]} which is not valid for this operation.",
    )
