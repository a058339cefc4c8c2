"""Markers stay valid when the item they point at disappears between pages."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests._support import error


def test_list_keys_next_key_deleted_between_pages_continues_after_it(client: Any, kms_mock: Any):
    ids = [client.create_key()["KeyMetadata"]["KeyId"] for _ in range(5)]
    first = client.list_keys(Limit=2)
    assert [k["KeyId"] for k in first["Keys"]] == ids[:2]
    client.schedule_key_deletion(KeyId=ids[2], PendingWindowInDays=7)
    kms_mock.clock.advance(days=8)

    rest = client.list_keys(Limit=10, Marker=first["NextMarker"])

    assert [k["KeyId"] for k in rest["Keys"]] == ids[3:]
    assert rest["Truncated"] is False


def test_list_aliases_next_alias_deleted_between_pages_continues_after_it(client: Any, key_id: str):
    names = [f"alias/p{i}" for i in range(4)]
    for name in names:
        client.create_alias(AliasName=name, TargetKeyId=key_id)
    first = client.list_aliases(KeyId=key_id, Limit=1)
    client.delete_alias(AliasName=names[1])

    rest = client.list_aliases(KeyId=key_id, Marker=first["NextMarker"])

    assert [a["AliasName"] for a in rest["Aliases"]] == names[2:]


@pytest.mark.parametrize("marker", ["garbage", "YWJjZA==", "a" * 8])
def test_list_keys_marker_not_issued_by_kms_raises_invalid_marker(client: Any, marker: str):
    with pytest.raises(ClientError) as exc:
        client.list_keys(Marker=marker)

    assert error(exc.value) == ("InvalidMarkerException", f"Invalid marker: {marker}")


def _walk(call: Any, field: str, name: str, **params: Any) -> list[str]:
    found: list[str] = []
    page = call(**params)
    found += [item[name] for item in page[field]]
    while page["Truncated"]:
        page = call(Marker=page["NextMarker"], **params)
        found += [item[name] for item in page[field]]
    return found


def test_list_keys_walk_after_most_keys_are_deleted_lists_exactly_the_live_ones(
    client: Any, kms_mock: Any
):
    # Enough deletions that the creation-order index drops its deleted keys.
    ids = [
        kms_mock.seed_key(f"00000000-0000-4000-8000-{n:012d}", bytes(32)).key_id for n in range(300)
    ]
    for key_id in ids[:250]:
        client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms_mock.clock.advance(days=8)
    later = client.create_key()["KeyMetadata"]["KeyId"]

    assert _walk(client.list_keys, "Keys", "KeyId", Limit=7) == [*ids[250:], later]
    assert [key["KeyId"] for key in client.list_keys()["Keys"]] == [*ids[250:], later]


def test_list_aliases_walk_merges_predefined_and_account_aliases_in_name_order(
    client: Any, key_id: str
):
    names = ["alias/zz", "alias/a", "alias/aws-like", "alias/b/c", "alias/awsome"]
    for name in names:
        client.create_alias(AliasName=name, TargetKeyId=key_id)
    # An AWS managed key's alias, now with a target, is listed once.
    client.describe_key(KeyId="alias/aws/s3")
    everything = [alias["AliasName"] for alias in client.list_aliases(Limit=100)["Aliases"]]
    assert everything == sorted(everything)
    assert set(names) | {"alias/aws/s3", "alias/aws/ebs"} <= set(everything)
    assert everything.count("alias/aws/s3") == 1

    assert _walk(client.list_aliases, "Aliases", "AliasName", Limit=3) == everything


def test_list_aliases_of_a_key_after_update_alias_moves_with_the_alias(client: Any, key_id: str):
    other = client.create_key()["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName="alias/moving", TargetKeyId=key_id)
    client.update_alias(AliasName="alias/moving", TargetKeyId=other)

    assert client.list_aliases(KeyId=key_id)["Aliases"] == []
    [moved] = client.list_aliases(KeyId=other)["Aliases"]
    assert (moved["AliasName"], moved["TargetKeyId"]) == ("alias/moving", other)
