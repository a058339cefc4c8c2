"""DescribeCustomKeyStores: entries, filters and paging.

Custom key stores: docs/kms-behaviour.md#custom-key-stores. Unverified against AWS: the
texts of the store errors, which are kmsmock's own.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests._support import refused
from tests.operations.custom_key_stores._stores import (
    UNKNOWN_STORE,
    cloudhsm_entry,
    cloudhsm_params,
    create,
    describe,
    external_entry,
    external_params,
    not_found,
)


def test_describe_without_stores_returns_empty_list(client):
    assert describe(client) == {"CustomKeyStores": [], "Truncated": False}


def test_describe_all_returns_every_store_in_creation_order(client, now):
    hsm = create(client, cloudhsm_params())
    xks = create(client, external_params())
    assert describe(client) == {
        "CustomKeyStores": [cloudhsm_entry(hsm, now), external_entry(xks, now)],
        "Truncated": False,
    }


def test_describe_by_id_returns_only_that_store(client, now):
    create(client, cloudhsm_params())
    xks = create(client, external_params())
    assert describe(client, CustomKeyStoreId=xks) == {
        "CustomKeyStores": [external_entry(xks, now)],
        "Truncated": False,
    }


def test_describe_by_name_returns_only_that_store(client, now):
    hsm = create(client, cloudhsm_params())
    create(client, external_params())
    assert describe(client, CustomKeyStoreName="hsm-store") == {
        "CustomKeyStores": [cloudhsm_entry(hsm, now)],
        "Truncated": False,
    }


def test_describe_by_id_and_name_raises_validation(client):
    hsm = create(client, cloudhsm_params())
    assert refused(
        lambda: client.describe_custom_key_stores(
            CustomKeyStoreId=hsm, CustomKeyStoreName="hsm-store"
        )
    ) == ("ValidationException", "Specify either CustomKeyStoreId or CustomKeyStoreName, not both.")


def test_describe_unknown_name_raises_not_found(client):
    create(client, cloudhsm_params())
    assert refused(lambda: client.describe_custom_key_stores(CustomKeyStoreName="nope")) == (
        "CustomKeyStoreNotFoundException",
        "Custom key store named nope does not exist in this account and Region.",
    )


def test_describe_unknown_id_raises_not_found(client):
    create(client, cloudhsm_params())
    assert refused(
        lambda: client.describe_custom_key_stores(CustomKeyStoreId=UNKNOWN_STORE)
    ) == not_found(UNKNOWN_STORE)


def _five_stores(client: Any, kms_mock: Any, *, step_seconds: float) -> list[str]:
    created = []
    for i in range(5):
        created.append(
            create(client, external_params(f"s{i}", XksProxyUriPath=f"/p{i}/kms/xks/v1"))
        )
        if step_seconds:
            kms_mock.clock.advance(seconds=step_seconds)
    return created


def test_describe_limit_pages_in_creation_order(client, kms_mock):
    created = _five_stores(client, kms_mock, step_seconds=1)
    first = describe(client, Limit=2)
    assert [s["CustomKeyStoreId"] for s in first["CustomKeyStores"]] == created[:2]
    assert first["Truncated"] is True
    second = describe(client, Limit=2, Marker=first["NextMarker"])
    assert [s["CustomKeyStoreId"] for s in second["CustomKeyStores"]] == created[2:4]
    assert second["Truncated"] is True
    last = describe(client, Limit=2, Marker=second["NextMarker"])
    assert [s["CustomKeyStoreId"] for s in last["CustomKeyStores"]] == created[4:]
    assert last["Truncated"] is False
    assert "NextMarker" not in last


@pytest.mark.kms_mock(seed=1)  # the same store IDs, so the same pages, on every run
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_describe_limit_pages_stores_created_at_the_same_time_in_creation_order(
    client, kms_mock, now, limit
):
    created = _five_stores(client, kms_mock, step_seconds=0)
    seen: list[str] = []
    params: dict[str, Any] = {"Limit": limit}
    for _ in range(len(created)):  # bounded: a marker that goes back would loop for ever
        page = describe(client, **params)
        seen += [store["CustomKeyStoreId"] for store in page["CustomKeyStores"]]
        if not page["Truncated"]:
            break
        params["Marker"] = page["NextMarker"]
    assert seen == created


def test_describe_paginator_collects_every_store(client, kms_mock):
    created = _five_stores(client, kms_mock, step_seconds=1)
    paginator = client.get_paginator("describe_custom_key_stores")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert [len(page["CustomKeyStores"]) for page in pages] == [2, 2, 1]
    assert [s["CustomKeyStoreId"] for page in pages for s in page["CustomKeyStores"]] == created


def test_describe_foreign_marker_raises_invalid_marker(client):
    create(client, cloudhsm_params())
    assert refused(lambda: client.describe_custom_key_stores(Marker="not-a-marker")) == (
        "InvalidMarkerException",
        "Invalid marker: not-a-marker",
    )
