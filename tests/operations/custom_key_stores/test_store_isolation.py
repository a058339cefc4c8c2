"""Custom key stores belong to one account and Region.

Custom key stores: docs/kms-behaviour.md#custom-key-stores. Unverified against AWS: the
texts of the store errors, which are kmsmock's own.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests._support import REGION, refused
from tests.operations.custom_key_stores._stores import (
    CLOUDHSM,
    OTHER_REGION,
    STORE_ID,
    all_stores,
    cloudhsm_params,
    cluster_id,
    create,
    describe,
    not_found,
    state_of,
)


@pytest.fixture
def eu_client(kms_mock: Any) -> Any:
    return boto3.client("kms", region_name=OTHER_REGION)


def test_store_is_not_listed_in_other_region(client, eu_client, hsm_store):
    assert describe(eu_client) == {"CustomKeyStores": [], "Truncated": False}
    assert refused(
        lambda: eu_client.describe_custom_key_stores(CustomKeyStoreName="hsm-store")
    ) == (
        "CustomKeyStoreNotFoundException",
        "Custom key store named hsm-store does not exist in this account and Region.",
    )


@pytest.mark.parametrize(
    ("operation", "extra"),
    [
        ("describe_custom_key_stores", {}),
        ("connect_custom_key_store", {}),
        ("disconnect_custom_key_store", {}),
        ("delete_custom_key_store", {}),
        ("update_custom_key_store", {"NewCustomKeyStoreName": "x"}),
        ("create_key", {"Origin": CLOUDHSM}),
        ("generate_random", {"NumberOfBytes": 8}),
    ],
    ids=[
        "describe",
        "connect",
        "disconnect",
        "delete",
        "update",
        "create-key",
        "generate-random",
    ],
)
def test_store_id_from_other_region_raises_not_found(
    client, eu_client, hsm_store, operation, extra
):
    call = getattr(eu_client, operation)
    assert refused(lambda: call(CustomKeyStoreId=hsm_store, **extra)) == not_found(hsm_store)
    assert state_of(client, hsm_store) == "CONNECTED"


def test_same_name_and_cluster_in_other_region_is_allowed(client, eu_client, hsm_store):
    other = create(eu_client, cloudhsm_params())
    assert other != hsm_store
    assert [s["CustomKeyStoreId"] for s in all_stores(eu_client)] == [other]
    assert [s["CustomKeyStoreId"] for s in all_stores(client)] == [hsm_store]


def test_ten_stores_in_one_region_leave_other_region_free(client, eu_client):
    for i in range(10):
        create(client, cloudhsm_params(f"s{i}", CloudHsmClusterId=cluster_id(i)))
    assert STORE_ID.fullmatch(create(eu_client, cloudhsm_params()))


def test_store_is_not_visible_to_other_account(client, kms_mock, hsm_store):
    kms_mock.identities.add("AKIAOTHER00000000001", account_id="111122223333")
    other = boto3.client(
        "kms",
        region_name=REGION,
        aws_access_key_id="AKIAOTHER00000000001",
        aws_secret_access_key="s",
    )
    assert describe(other) == {"CustomKeyStores": [], "Truncated": False}
    assert refused(lambda: other.connect_custom_key_store(CustomKeyStoreId=hsm_store)) == not_found(
        hsm_store
    )
