"""GenerateRandom from a custom key store.

Custom key stores: docs/kms-behaviour.md#custom-key-stores. Unverified against AWS: the
texts of the store errors, which are kmsmock's own.
"""

from __future__ import annotations

import pytest

from tests._support import assert_valid_output, body, refused
from tests.operations.custom_key_stores._stores import cloudhsm_params, create, new_store, not_found


@pytest.mark.parametrize("count", [1, 32, 1024])
def test_generate_random_from_connected_cloudhsm_store_returns_bytes(client, hsm_store, count):
    response = client.generate_random(NumberOfBytes=count, CustomKeyStoreId=hsm_store)
    assert_valid_output("GenerateRandom", response)
    assert set(body(response)) == {"Plaintext"}
    assert len(response["Plaintext"]) == count


def test_generate_random_from_disconnected_cloudhsm_store_raises_invalid_state(client):
    store_id = create(client, cloudhsm_params())
    assert refused(lambda: client.generate_random(NumberOfBytes=8, CustomKeyStoreId=store_id)) == (
        "CustomKeyStoreInvalidStateException",
        f"Custom key store {store_id} is DISCONNECTED; GenerateRandom needs it CONNECTED.",
    )


@pytest.mark.parametrize("connected", [True, False], ids=["connected", "disconnected"])
def test_generate_random_from_external_store_raises_unsupported(client, connected):
    store_id = new_store(client, "external", connect=connected)
    assert refused(lambda: client.generate_random(NumberOfBytes=8, CustomKeyStoreId=store_id)) == (
        "UnsupportedOperationException",
        f"GenerateRandom is not supported for custom key store {store_id} of type "
        "EXTERNAL_KEY_STORE.",
    )


def test_generate_random_from_deleted_store_raises_not_found(client):
    store_id = create(client, cloudhsm_params())
    client.delete_custom_key_store(CustomKeyStoreId=store_id)
    assert refused(
        lambda: client.generate_random(NumberOfBytes=8, CustomKeyStoreId=store_id)
    ) == not_found(store_id)
