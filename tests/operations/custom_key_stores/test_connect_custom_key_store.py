"""ConnectCustomKeyStore and DisconnectCustomKeyStore: a store's connection states.

Custom key stores: docs/kms-behaviour.md#custom-key-stores. Unverified against AWS: the
texts of the store errors, which are kmsmock's own.
"""

from __future__ import annotations

import pytest

from tests._support import assert_valid_output, body, refused
from tests.operations.custom_key_stores._stores import (
    UNKNOWN_STORE,
    cloudhsm_entry,
    entry,
    external_entry,
    invalid_state,
    new_store,
    not_found,
    state_of,
)


def test_connect_store_makes_it_connected(client, kind, now):
    store_id = new_store(client, kind, connect=False)
    response = client.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert_valid_output("ConnectCustomKeyStore", response)
    assert body(response) == {}
    expected = (
        cloudhsm_entry(store_id, now, state="CONNECTED")
        if kind == "cloudhsm"
        else external_entry(store_id, now, state="CONNECTED")
    )
    assert entry(client, store_id) == expected


def test_connect_connected_store_succeeds_and_stays_connected(client, store):
    assert body(client.connect_custom_key_store(CustomKeyStoreId=store)) == {}
    assert state_of(client, store) == "CONNECTED"


def test_disconnect_connected_store_makes_it_disconnected(client, store):
    response = client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert_valid_output("DisconnectCustomKeyStore", response)
    assert body(response) == {}
    assert state_of(client, store) == "DISCONNECTED"


def test_disconnect_disconnected_store_raises_invalid_state(client, kind):
    store_id = new_store(client, kind, connect=False)
    assert refused(lambda: client.disconnect_custom_key_store(CustomKeyStoreId=store_id)) == (
        invalid_state(store_id, "DISCONNECTED", "disconnect")
    )
    assert state_of(client, store_id) == "DISCONNECTED"


def test_reconnect_after_disconnect_makes_store_connected(client, store):
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    client.connect_custom_key_store(CustomKeyStoreId=store)
    assert state_of(client, store) == "CONNECTED"


@pytest.mark.parametrize("operation", ["connect_custom_key_store", "disconnect_custom_key_store"])
def test_connect_or_disconnect_unknown_store_raises_not_found(client, operation):
    call = getattr(client, operation)
    assert refused(lambda: call(CustomKeyStoreId=UNKNOWN_STORE)) == not_found(UNKNOWN_STORE)
