"""DeleteCustomKeyStore.

Custom key stores: docs/kms-behaviour.md#custom-key-stores. Unverified against AWS: the
texts of the store errors, which are kmsmock's own.
"""

from __future__ import annotations

import pytest

from tests._support import assert_valid_output, body, key_arn, refused
from tests.operations.custom_key_stores._stores import (
    UNKNOWN_STORE,
    all_stores,
    cloudhsm_params,
    create,
    invalid_state,
    new_store,
    not_found,
    state_of,
)


def test_delete_disconnected_empty_store_removes_it(client, kind):
    store_id = new_store(client, kind, connect=False)
    response = client.delete_custom_key_store(CustomKeyStoreId=store_id)
    assert_valid_output("DeleteCustomKeyStore", response)
    assert body(response) == {}
    assert all_stores(client) == []
    assert refused(
        lambda: client.describe_custom_key_stores(CustomKeyStoreId=store_id)
    ) == not_found(store_id)


def test_delete_store_frees_its_name_and_cluster(client):
    store_id = create(client, cloudhsm_params())
    client.delete_custom_key_store(CustomKeyStoreId=store_id)
    again = create(client, cloudhsm_params())
    assert again != store_id
    assert [store["CustomKeyStoreId"] for store in all_stores(client)] == [again]


def test_delete_connected_store_raises_invalid_state(client, store):
    assert refused(lambda: client.delete_custom_key_store(CustomKeyStoreId=store)) == (
        invalid_state(store, "CONNECTED", "delete")
    )
    assert state_of(client, store) == "CONNECTED"


@pytest.mark.parametrize("pending_deletion", [False, True], ids=["enabled", "pending-deletion"])
def test_delete_store_holding_keys_raises_has_cmks(client, store, store_key, pending_deletion):
    if pending_deletion:
        client.schedule_key_deletion(KeyId=store_key, PendingWindowInDays=7)
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert refused(lambda: client.delete_custom_key_store(CustomKeyStoreId=store)) == (
        "CustomKeyStoreHasCMKsException",
        f"Custom key store {store} still holds KMS keys, including any pending deletion.",
    )
    assert state_of(client, store) == "DISCONNECTED"


def test_delete_store_after_key_deletion_window_succeeds(client, kms_mock, store, store_key):
    client.schedule_key_deletion(KeyId=store_key, PendingWindowInDays=7)
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    kms_mock.clock.advance(days=6, hours=23)
    assert refused(lambda: client.delete_custom_key_store(CustomKeyStoreId=store)) == (
        "CustomKeyStoreHasCMKsException",
        f"Custom key store {store} still holds KMS keys, including any pending deletion.",
    )
    kms_mock.clock.advance(hours=1, seconds=1)
    assert body(client.delete_custom_key_store(CustomKeyStoreId=store)) == {}
    assert refused(lambda: client.describe_custom_key_stores(CustomKeyStoreId=store)) == not_found(
        store
    )
    assert refused(lambda: client.describe_key(KeyId=store_key)) == (
        "NotFoundException",
        f"Key '{key_arn(store_key)}' does not exist",
    )


def test_delete_unknown_store_raises_not_found(client):
    assert refused(
        lambda: client.delete_custom_key_store(CustomKeyStoreId=UNKNOWN_STORE)
    ) == not_found(UNKNOWN_STORE)
