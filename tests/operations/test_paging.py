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
