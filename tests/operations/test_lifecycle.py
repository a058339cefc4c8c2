"""Key lifecycle: EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion,
UpdateKeyDescription, GetKeyLastUsage, and the AWS managed keys (docs/kms-behaviour.md#key-states,
docs/kms-behaviour.md#aws-managed-keys)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from tests._support import (
    ACCOUNT,
    ARN_PREFIX,
    MS,
    REGION,
    ROOT,
    UNKNOWN_KEY_ID,
    assert_valid_output,
    body,
    error,
    key_arn,
)


def alias_arn(name: str) -> str:
    return f"{ARN_PREFIX}:{name}"


def metadata(client: Any, key_id: str) -> dict[str, Any]:
    meta: dict[str, Any] = client.describe_key(KeyId=key_id)["KeyMetadata"]
    return meta


def now() -> datetime:
    return datetime.now(timezone.utc)


# Every lifecycle operation takes a key ID or key ARN only (docs/kms-behaviour.md#identifier-forms).
KEY_ONLY_CALLS: dict[str, Callable[[Any, str], Any]] = {
    "EnableKey": lambda c, k: c.enable_key(KeyId=k),
    "DisableKey": lambda c, k: c.disable_key(KeyId=k),
    "ScheduleKeyDeletion": lambda c, k: c.schedule_key_deletion(KeyId=k, PendingWindowInDays=7),
    "CancelKeyDeletion": lambda c, k: c.cancel_key_deletion(KeyId=k),
    "UpdateKeyDescription": lambda c, k: c.update_key_description(KeyId=k, Description="new"),
    "GetKeyLastUsage": lambda c, k: c.get_key_last_usage(KeyId=k),
}
KEY_ONLY = sorted(KEY_ONLY_CALLS)


# Identifier forms ------------------------------------------------------------------


@pytest.mark.parametrize("operation", KEY_ONLY)
def test_key_only_operation_alias_name_raises_not_found(client, key_id, operation):
    client.create_alias(AliasName="alias/x", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        KEY_ONLY_CALLS[operation](client, "alias/x")
    assert error(info.value) == ("NotFoundException", "Invalid keyId 'alias/x'")
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Description"]) == ("Enabled", "")


@pytest.mark.parametrize("operation", KEY_ONLY)
def test_key_only_operation_alias_arn_raises_not_found(client, key_id, operation):
    client.create_alias(AliasName="alias/x", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        KEY_ONLY_CALLS[operation](client, alias_arn("alias/x"))
    assert error(info.value) == (
        "NotFoundException",
        f"Invalid keyId '{alias_arn('alias/x')}'",
    )
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Description"]) == ("Enabled", "")


@pytest.mark.parametrize("operation", KEY_ONLY)
@pytest.mark.parametrize("form", ["id", "arn"])
def test_key_only_operation_unknown_key_raises_not_found(client, operation, form):
    identifier = UNKNOWN_KEY_ID if form == "id" else key_arn(UNKNOWN_KEY_ID)
    with pytest.raises(ClientError) as info:
        KEY_ONLY_CALLS[operation](client, identifier)
    assert error(info.value) == (
        "NotFoundException",
        f"Key '{key_arn(UNKNOWN_KEY_ID)}' does not exist",
    )


@pytest.mark.parametrize("operation", KEY_ONLY)
def test_key_only_operation_malformed_key_id_raises_not_found(client, operation):
    with pytest.raises(ClientError) as info:
        KEY_ONLY_CALLS[operation](client, "fake-key-id")
    assert error(info.value) == ("NotFoundException", "Invalid keyId 'fake-key-id'")


@pytest.mark.parametrize("operation", KEY_ONLY)
def test_key_only_operation_key_arn_from_other_region_raises_not_found(client, key_id, operation):
    other = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/{key_id}"
    with pytest.raises(ClientError) as info:
        KEY_ONLY_CALLS[operation](client, other)
    assert error(info.value) == ("NotFoundException", "Invalid arn us-west-2")


@pytest.mark.parametrize("operation", KEY_ONLY)
def test_key_only_operation_other_account_key_arn_raises_access_denied(client, key_id, operation):
    # These operations are same-account only (docs/kms-behaviour.md#cross-account).
    # Unverified against AWS: the answer, which is kmsmock's.
    other = f"arn:aws:kms:{REGION}:111122223333:key/{key_id}"
    with pytest.raises(ClientError) as info:
        KEY_ONLY_CALLS[operation](client, other)
    assert error(info.value) == _denied(operation, other)


@pytest.mark.parametrize("operation", KEY_ONLY)
def test_key_only_operation_broken_arn_raises_invalid_arn(client, key_id, operation):
    broken = f"arn:aws:kms:{REGION}:{ACCOUNT}:keys/{key_id}"
    with pytest.raises(ClientError) as info:
        KEY_ONLY_CALLS[operation](client, broken)
    # Unverified against AWS: the message (docs/kms-behaviour.md#key-arns); kmsmock's wording.
    assert error(info.value) == ("InvalidArnException", f"ARN {broken} is not valid")


# EnableKey / DisableKey -------------------------------------------------------------


@pytest.mark.parametrize("form", ["id", "arn"])
def test_disable_key_enabled_key_becomes_disabled(client, key_id, form):
    response = client.disable_key(KeyId=key_id if form == "id" else key_arn(key_id))
    assert body(response) == {}
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("Disabled", False)


def test_disable_key_disabled_key_is_idempotent(client, key_id):
    client.disable_key(KeyId=key_id)
    assert body(client.disable_key(KeyId=key_id)) == {}
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("Disabled", False)


@pytest.mark.parametrize("form", ["id", "arn"])
def test_enable_key_disabled_key_becomes_enabled(client, key_id, form):
    client.disable_key(KeyId=key_id)
    response = client.enable_key(KeyId=key_id if form == "id" else key_arn(key_id))
    assert body(response) == {}
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("Enabled", True)


def test_enable_key_enabled_key_is_idempotent(client, key_id):
    assert body(client.enable_key(KeyId=key_id)) == {}
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("Enabled", True)


@pytest.mark.parametrize("operation", ["EnableKey", "DisableKey"])
def test_enable_disable_key_pending_deletion_raises_invalid_state(client, key_id, operation):
    client.schedule_key_deletion(KeyId=key_id)
    with pytest.raises(ClientError) as info:
        KEY_ONLY_CALLS[operation](client, key_id)
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending deletion.",
    )
    assert metadata(client, key_id)["KeyState"] == "PendingDeletion"


@pytest.mark.parametrize("operation", ["EnableKey", "DisableKey"])
def test_enable_disable_key_pending_import_raises_invalid_state(client, operation):
    key_id = client.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as info:
        KEY_ONLY_CALLS[operation](client, key_id)
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending import.",
    )
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("PendingImport", False)


# ScheduleKeyDeletion ----------------------------------------------------------------


def test_schedule_key_deletion_default_window_is_30_days(client, key_id):
    before = now()
    response = client.schedule_key_deletion(KeyId=key_id)
    after = now()
    assert_valid_output("ScheduleKeyDeletion", response)
    result = body(response)
    assert set(result) == {"KeyId", "DeletionDate", "KeyState", "PendingWindowInDays"}
    assert result["KeyId"] == key_arn(key_id)
    assert result["KeyState"] == "PendingDeletion"
    assert result["PendingWindowInDays"] == 30
    window = timedelta(days=30)
    assert before + window - MS <= result["DeletionDate"] <= after + window + MS


@pytest.mark.parametrize("days", [7, 8, 29, 30])
@pytest.mark.parametrize("form", ["id", "arn"])
def test_schedule_key_deletion_window_in_range_is_accepted(client, key_id, days, form):
    before = now()
    response = client.schedule_key_deletion(
        KeyId=key_id if form == "id" else key_arn(key_id), PendingWindowInDays=days
    )
    after = now()
    assert response["KeyId"] == key_arn(key_id)
    assert response["KeyState"] == "PendingDeletion"
    assert response["PendingWindowInDays"] == days
    window = timedelta(days=days)
    assert before + window - MS <= response["DeletionDate"] <= after + window + MS


@pytest.mark.parametrize("days", [1, 6, 31, 365])
def test_schedule_key_deletion_window_outside_7_to_30_raises_validation(client, key_id, days):
    with pytest.raises(ClientError) as info:
        client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=days)
    assert error(info.value) == (
        "ValidationException",
        "PendingWindowInDays must be between 7 and 30",
    )
    meta = metadata(client, key_id)
    assert meta["KeyState"] == "Enabled"
    assert "DeletionDate" not in meta


def test_schedule_key_deletion_window_zero_raises_model_validation(unchecked_client, key_id):
    with pytest.raises(ClientError) as info:
        unchecked_client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=0)
    assert error(info.value) == (
        "ValidationException",
        "1 validation error detected: Value '0' at 'pendingWindowInDays' failed to satisfy "
        "constraint: Member must have value greater than or equal to 1",
    )


def test_schedule_key_deletion_window_zero_refused_by_botocore(client, key_id):
    # botocore checks integer minima itself, before the request is sent
    # (docs/kms-behaviour.md#client-side-validation).
    with pytest.raises(ParamValidationError):
        client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=0)


def test_schedule_key_deletion_window_366_raises_model_validation(client, key_id):
    with pytest.raises(ClientError) as info:
        client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=366)
    assert error(info.value) == (
        "ValidationException",
        "1 validation error detected: Value '366' at 'pendingWindowInDays' failed to satisfy "
        "constraint: Member must have value less than or equal to 365",
    )


def test_schedule_key_deletion_describe_key_shows_deletion_date(client, key_id):
    assert "DeletionDate" not in metadata(client, key_id)
    response = client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    meta = metadata(client, key_id)
    assert meta["DeletionDate"] == response["DeletionDate"]
    assert (meta["KeyState"], meta["Enabled"]) == ("PendingDeletion", False)


def test_schedule_key_deletion_already_pending_raises_invalid_state(client, key_id):
    first = client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with pytest.raises(ClientError) as info:
        client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=30)
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending deletion.",
    )
    assert metadata(client, key_id)["DeletionDate"] == first["DeletionDate"]


def test_schedule_key_deletion_disabled_key_becomes_pending_deletion(client, key_id):
    client.disable_key(KeyId=key_id)
    response = client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert response["KeyState"] == "PendingDeletion"
    assert metadata(client, key_id)["KeyState"] == "PendingDeletion"


def test_schedule_key_deletion_pending_import_key_becomes_pending_deletion(client):
    key_id = client.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    response = client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert response["KeyState"] == "PendingDeletion"
    assert metadata(client, key_id)["KeyState"] == "PendingDeletion"


def test_schedule_key_deletion_key_stays_listed_while_pending(client, key_id):
    client.schedule_key_deletion(KeyId=key_id)
    assert key_id in [k["KeyId"] for k in client.list_keys()["Keys"]]


# CancelKeyDeletion ------------------------------------------------------------------


@pytest.mark.parametrize("form", ["id", "arn"])
def test_cancel_key_deletion_pending_key_lands_disabled(client, key_id, form):
    client.schedule_key_deletion(KeyId=key_id)
    response = client.cancel_key_deletion(KeyId=key_id if form == "id" else key_arn(key_id))
    assert_valid_output("CancelKeyDeletion", response)
    assert body(response) == {"KeyId": key_arn(key_id)}
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("Disabled", False)
    assert "DeletionDate" not in meta


def test_cancel_key_deletion_disabled_key_lands_disabled(client, key_id):
    client.disable_key(KeyId=key_id)
    client.schedule_key_deletion(KeyId=key_id)
    client.cancel_key_deletion(KeyId=key_id)
    assert metadata(client, key_id)["KeyState"] == "Disabled"


def test_cancel_key_deletion_then_enable_key_is_enabled(client, key_id):
    client.schedule_key_deletion(KeyId=key_id)
    client.cancel_key_deletion(KeyId=key_id)
    client.enable_key(KeyId=key_id)
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("Enabled", True)


@pytest.mark.parametrize("disable", [False, True])
def test_cancel_key_deletion_not_pending_raises_invalid_state(client, key_id, disable):
    if disable:
        client.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.cancel_key_deletion(KeyId=key_id)
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is not pending deletion.",
    )
    assert metadata(client, key_id)["KeyState"] == ("Disabled" if disable else "Enabled")


def test_cancel_key_deletion_twice_raises_invalid_state(client, key_id):
    client.schedule_key_deletion(KeyId=key_id)
    client.cancel_key_deletion(KeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.cancel_key_deletion(KeyId=key_id)
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is not pending deletion.",
    )


def test_cancel_key_deletion_external_key_without_material_returns_to_pending_import(client):
    key_id = client.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    response = client.cancel_key_deletion(KeyId=key_id)
    assert body(response) == {"KeyId": key_arn(key_id)}
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("PendingImport", False)
    assert "DeletionDate" not in meta


def test_cancel_key_deletion_pending_import_key_raises_invalid_state(client):
    key_id = client.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as info:
        client.cancel_key_deletion(KeyId=key_id)
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is not pending deletion.",
    )


# UpdateKeyDescription ---------------------------------------------------------------


@pytest.mark.parametrize("form", ["id", "arn"])
def test_update_key_description_sets_description(client, key_id, form):
    response = client.update_key_description(
        KeyId=key_id if form == "id" else key_arn(key_id), Description="payments key"
    )
    assert body(response) == {}
    assert metadata(client, key_id)["Description"] == "payments key"


def test_update_key_description_empty_string_clears_description(client):
    key_id = client.create_key(Description="old")["KeyMetadata"]["KeyId"]
    client.update_key_description(KeyId=key_id, Description="")
    assert metadata(client, key_id)["Description"] == ""


def test_update_key_description_8192_characters_is_accepted(client, key_id):
    client.update_key_description(KeyId=key_id, Description="d" * 8192)
    assert metadata(client, key_id)["Description"] == "d" * 8192


def test_update_key_description_8193_characters_raises_validation(client, key_id):
    text = "d" * 8193
    with pytest.raises(ClientError) as info:
        client.update_key_description(KeyId=key_id, Description=text)
    assert error(info.value) == (
        "ValidationException",
        f"1 validation error detected: Value '{text}' at 'description' failed to satisfy "
        "constraint: Member must have length less than or equal to 8192",
    )
    assert metadata(client, key_id)["Description"] == ""


def test_update_key_description_disabled_key_is_updated(client, key_id):
    client.disable_key(KeyId=key_id)
    client.update_key_description(KeyId=key_id, Description="still mine")
    assert metadata(client, key_id)["Description"] == "still mine"


def test_update_key_description_pending_deletion_raises_invalid_state(client):
    key_id = client.create_key(Description="old")["KeyMetadata"]["KeyId"]
    client.schedule_key_deletion(KeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.update_key_description(KeyId=key_id, Description="new")
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending deletion.",
    )
    assert metadata(client, key_id)["Description"] == "old"


# GetKeyLastUsage --------------------------------------------------------------------


@pytest.mark.parametrize("form", ["id", "arn"])
def test_get_key_last_usage_new_key_has_empty_last_usage_object(client, key_id, form):
    created = metadata(client, key_id)["CreationDate"]
    response = client.get_key_last_usage(KeyId=key_id if form == "id" else key_arn(key_id))
    assert_valid_output("GetKeyLastUsage", response)
    assert body(response) == {
        "KeyId": key_id,
        "KeyCreationDate": created,
        "TrackingStartDate": created,
        "KeyLastUsage": {},
    }


def test_get_key_last_usage_pending_deletion_key_is_answered(client, key_id):
    client.schedule_key_deletion(KeyId=key_id)
    assert client.get_key_last_usage(KeyId=key_id)["KeyId"] == key_id


def test_get_key_last_usage_alias_name_raises_not_found(client, key_id):
    client.create_alias(AliasName="alias/x", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.get_key_last_usage(KeyId="alias/x")
    assert error(info.value) == ("NotFoundException", "Invalid keyId 'alias/x'")


def test_get_key_last_usage_describe_key_does_not_count_as_use(client, key_id):
    client.describe_key(KeyId=key_id)
    client.get_key_policy(KeyId=key_id)
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"] == {}


# AWS managed keys -------------------------------------------------------------------

S3_DESCRIPTION = "Default key that protects my S3 objects when no other key is defined"


def test_describe_key_aws_alias_creates_aws_managed_key(client):
    before = now()
    response = client.describe_key(KeyId="alias/aws/s3")
    after = now()
    assert_valid_output("DescribeKey", response)
    meta = response["KeyMetadata"]
    key_id = meta["KeyId"]
    assert meta["Arn"] == key_arn(key_id)
    assert meta["KeyManager"] == "AWS"
    assert meta["Description"] == S3_DESCRIPTION
    assert (meta["KeyState"], meta["Enabled"]) == ("Enabled", True)
    assert (meta["KeySpec"], meta["KeyUsage"], meta["Origin"]) == (
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        "AWS_KMS",
    )
    assert before - MS <= meta["CreationDate"] <= after + MS


def test_describe_key_aws_alias_twice_returns_same_key(client):
    first = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"]
    again = client.describe_key(KeyId=alias_arn("alias/aws/s3"))["KeyMetadata"]["KeyId"]
    assert first == again
    assert [k["KeyId"] for k in client.list_keys()["Keys"]] == [first]


def test_describe_key_aws_alias_gives_alias_a_target_in_list_aliases(client):
    listed = {a["AliasName"]: a for a in client.list_aliases()["Aliases"]}
    assert "TargetKeyId" not in listed["alias/aws/s3"]
    key_id = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"]
    listed = {a["AliasName"]: a for a in client.list_aliases()["Aliases"]}
    entry = listed["alias/aws/s3"]
    assert entry["TargetKeyId"] == key_id
    assert entry["AliasArn"] == alias_arn("alias/aws/s3")
    assert entry["CreationDate"] == entry["LastUpdatedDate"]
    # Only the alias that was used gets a key.
    assert "TargetKeyId" not in listed["alias/aws/ebs"]


def test_describe_key_unknown_aws_alias_raises_not_found(client):
    with pytest.raises(ClientError) as info:
        client.describe_key(KeyId="alias/aws/no-such-service")
    assert error(info.value) == (
        "NotFoundException",
        f"Alias {alias_arn('alias/aws/no-such-service')} is not found.",
    )


def _denied(operation: str, arn: str) -> tuple[str, str]:
    return (
        "AccessDeniedException",
        f"User: {ROOT} is not authorized to perform: kms:{operation} on resource: {arn} "
        f"because no resource-based policy allows the kms:{operation} action",
    )


AWS_MANAGED_DENIED: dict[str, Callable[[Any, str], Any]] = {
    "DisableKey": lambda c, k: c.disable_key(KeyId=k),
    "ScheduleKeyDeletion": lambda c, k: c.schedule_key_deletion(KeyId=k),
    "TagResource": lambda c, k: c.tag_resource(KeyId=k, Tags=[{"TagKey": "a", "TagValue": "b"}]),
    "EnableKey": lambda c, k: c.enable_key(KeyId=k),
    "UpdateKeyDescription": lambda c, k: c.update_key_description(KeyId=k, Description="x"),
    "PutKeyPolicy": lambda c, k: c.put_key_policy(
        KeyId=k, Policy=c.get_key_policy(KeyId=k)["Policy"]
    ),
}


@pytest.mark.parametrize("operation", sorted(AWS_MANAGED_DENIED))
def test_aws_managed_key_change_raises_access_denied(client, operation):
    key_id = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as info:
        AWS_MANAGED_DENIED[operation](client, key_id)
    assert error(info.value) == _denied(operation, key_arn(key_id))
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Description"]) == ("Enabled", S3_DESCRIPTION)
    assert client.list_resource_tags(KeyId=key_id)["Tags"] == []


def test_aws_managed_key_metadata_reads_are_allowed(client):
    key_id = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"]
    assert client.list_key_policies(KeyId=key_id)["PolicyNames"] == ["default"]
    assert client.get_key_last_usage(KeyId=key_id)["KeyId"] == key_id
    assert client.list_aliases(KeyId=key_id)["Aliases"][0]["AliasName"] == "alias/aws/s3"
