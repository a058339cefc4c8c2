"""The mock's clock: deletion windows ending, ``kms_mock.clock.advance``, and freezegun."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import freezegun
import pytest
from botocore.exceptions import ClientError

from kmsmock import mock_kms
from tests._support import ARN_PREFIX, REGION, error, key_arn, new_key

FROZEN = datetime(2024, 1, 15, 9, 30, tzinfo=timezone.utc)


def key_ids(client: Any) -> list[str]:
    return [k["KeyId"] for k in client.list_keys()["Keys"]]


def alias_names(client: Any) -> list[str]:
    return [a["AliasName"] for a in client.list_aliases(Limit=100)["Aliases"]]


def state_of(client: Any, key_id: str) -> str:
    state: str = client.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
    return state


def assert_deleted(client: Any, key_id: str) -> None:
    with pytest.raises(ClientError) as info:
        client.describe_key(KeyId=key_id)
    assert error(info.value) == ("NotFoundException", f"Key '{key_arn(key_id)}' does not exist")


# clock.advance ----------------------------------------------------------------------


def test_advance_past_deletion_window_deletes_key(client, kms_mock):
    key_id = new_key(client)
    client.create_alias(AliasName="alias/doomed", TargetKeyId=key_id)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms_mock.clock.advance(days=8)
    # Listing first: the deletion does not wait for the key itself to be named.
    assert key_id not in key_ids(client)
    assert "alias/doomed" not in alias_names(client)
    assert_deleted(client, key_id)


def test_advance_past_deletion_window_alias_no_longer_resolves(client, kms_mock):
    key_id = new_key(client)
    client.create_alias(AliasName="alias/doomed", TargetKeyId=key_id)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms_mock.clock.advance(days=8)
    with pytest.raises(ClientError) as info:
        client.describe_key(KeyId="alias/doomed")
    assert error(info.value) == (
        "NotFoundException",
        f"Alias {ARN_PREFIX}:alias/doomed is not found.",
    )
    # The name is free again.
    client.create_alias(AliasName="alias/doomed", TargetKeyId=new_key(client))


@pytest.mark.parametrize(
    "operation",
    ["CancelKeyDeletion", "GetKeyPolicy", "ListResourceTags", "ListAliases", "EnableKey"],
)
def test_advance_past_deletion_window_key_operations_raise_not_found(client, kms_mock, operation):
    key_id = new_key(client)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms_mock.clock.advance(days=8)
    calls = {
        "CancelKeyDeletion": lambda: client.cancel_key_deletion(KeyId=key_id),
        "GetKeyPolicy": lambda: client.get_key_policy(KeyId=key_id),
        "ListResourceTags": lambda: client.list_resource_tags(KeyId=key_id),
        "ListAliases": lambda: client.list_aliases(KeyId=key_id),
        "EnableKey": lambda: client.enable_key(KeyId=key_id),
    }
    with pytest.raises(ClientError) as info:
        calls[operation]()
    assert error(info.value) == ("NotFoundException", f"Key '{key_arn(key_id)}' does not exist")


def test_advance_just_before_deletion_window_key_still_pending(client, kms_mock):
    key_id = new_key(client)
    client.create_alias(AliasName="alias/doomed", TargetKeyId=key_id)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms_mock.clock.advance(days=6, hours=23)
    assert state_of(client, key_id) == "PendingDeletion"
    assert key_id in key_ids(client)
    assert "alias/doomed" in alias_names(client)
    kms_mock.clock.advance(hours=1, minutes=1)
    assert_deleted(client, key_id)


def test_advance_after_cancel_key_deletion_key_stays_disabled(client, kms_mock):
    key_id = new_key(client)
    client.create_alias(AliasName="alias/saved", TargetKeyId=key_id)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    client.cancel_key_deletion(KeyId=key_id)
    kms_mock.clock.advance(days=31)
    assert state_of(client, key_id) == "Disabled"
    assert "alias/saved" in alias_names(client)


def test_advance_after_reschedule_follows_new_window(client, kms_mock):
    key_id = new_key(client)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    client.cancel_key_deletion(KeyId=key_id)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=30)
    kms_mock.clock.advance(days=8)
    assert state_of(client, key_id) == "PendingDeletion"
    kms_mock.clock.advance(days=23)
    assert_deleted(client, key_id)


def test_advance_deletes_only_keys_whose_window_passed(client, kms_mock):
    short, long, kept = new_key(client), new_key(client), new_key(client)
    client.schedule_key_deletion(KeyId=short, PendingWindowInDays=7)
    client.schedule_key_deletion(KeyId=long, PendingWindowInDays=30)
    kms_mock.clock.advance(days=10)
    assert key_ids(client) == [long, kept]
    assert state_of(client, long) == "PendingDeletion"
    assert state_of(client, kept) == "Enabled"


def test_advance_past_deletion_window_in_other_region_deletes_key(client, kms_mock):
    west = boto3.client("kms", region_name="us-west-2")
    key_id = new_key(west)
    west.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms_mock.clock.advance(days=8)
    assert key_ids(west) == []


def test_advance_moves_new_timestamps(client, kms_mock):
    with freezegun.freeze_time(FROZEN):
        kms_mock.clock.advance(days=2, hours=3)
        created = client.create_key()["KeyMetadata"]["CreationDate"]
    assert created == FROZEN + timedelta(days=2, hours=3)


def test_advance_returns_new_now(kms_mock):
    with freezegun.freeze_time(FROZEN):
        assert kms_mock.clock.advance(minutes=90) == FROZEN.timestamp() + 5400
        assert kms_mock.clock.offset == 5400


@pytest.mark.parametrize(
    "delta",
    [{"days": -1}, {"hours": -0.5}, {"minutes": -1}, {"seconds": -1}, {"days": 1, "hours": -25}],
)
def test_advance_negative_raises_value_error(client, kms_mock, delta):
    key_id = new_key(client)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with pytest.raises(ValueError, match=r"^the KMS clock only moves forward$"):
        kms_mock.clock.advance(**delta)
    assert kms_mock.clock.offset == 0
    assert state_of(client, key_id) == "PendingDeletion"


# freezegun --------------------------------------------------------------------------


def test_freezegun_tick_past_deletion_window_deletes_key():
    with freezegun.freeze_time(FROZEN) as frozen, mock_kms():
        client = boto3.client("kms", region_name=REGION)
        key_id = new_key(client)
        client.create_alias(AliasName="alias/doomed", TargetKeyId=key_id)
        response = client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        assert response["DeletionDate"] == FROZEN + timedelta(days=7)
        frozen.tick(timedelta(days=6, hours=23))
        assert state_of(client, key_id) == "PendingDeletion"
        frozen.tick(timedelta(hours=2))
        assert key_id not in key_ids(client)
        assert "alias/doomed" not in alias_names(client)
        assert_deleted(client, key_id)


def test_freezegun_move_to_past_deletion_window_deletes_key():
    with freezegun.freeze_time(FROZEN) as frozen, mock_kms():
        client = boto3.client("kms", region_name=REGION)
        key_id = new_key(client)
        client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=30)
        frozen.move_to(FROZEN + timedelta(days=29, hours=23))
        assert state_of(client, key_id) == "PendingDeletion"
        frozen.move_to(FROZEN + timedelta(days=31))
        assert_deleted(client, key_id)


def test_freezegun_cancel_then_move_past_window_key_stays_disabled():
    with freezegun.freeze_time(FROZEN) as frozen, mock_kms():
        client = boto3.client("kms", region_name=REGION)
        key_id = new_key(client)
        client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        client.cancel_key_deletion(KeyId=key_id)
        frozen.move_to(FROZEN + timedelta(days=8))
        assert state_of(client, key_id) == "Disabled"


def test_freezegun_creation_date_follows_frozen_time():
    with freezegun.freeze_time(FROZEN) as frozen, mock_kms():
        client = boto3.client("kms", region_name=REGION)
        first = client.create_key()["KeyMetadata"]
        assert first["CreationDate"] == FROZEN
        frozen.tick(timedelta(seconds=90))
        second = client.create_key()["KeyMetadata"]
        assert second["CreationDate"] == FROZEN + timedelta(seconds=90)
        usage = client.get_key_last_usage(KeyId=first["KeyId"])
        assert usage["KeyCreationDate"] == FROZEN
        assert usage["TrackingStartDate"] == FROZEN


def test_freezegun_started_inside_active_mock_is_followed(client):
    with freezegun.freeze_time(FROZEN):
        created = client.create_key()["KeyMetadata"]["CreationDate"]
    assert created == FROZEN


def test_freezegun_and_advance_add_up():
    with freezegun.freeze_time(FROZEN) as frozen, mock_kms() as kms:
        client = boto3.client("kms", region_name=REGION)
        key_id = new_key(client)
        client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        frozen.tick(timedelta(days=4))
        kms.clock.advance(days=2, hours=23)
        assert state_of(client, key_id) == "PendingDeletion"
        kms.clock.advance(hours=2)
        assert_deleted(client, key_id)
