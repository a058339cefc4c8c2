"""Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus,
RotateKeyOnDemand, ListKeyRotations, and automatic rotation on the mock clock
(docs/kms-behaviour.md#rotation)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from freezegun import freeze_time

from tests._support import (
    MS,
    OTHER_ACCESS_KEY_ID,
    OTHER_ACCOUNT,
    REGION,
    assert_valid_output,
    body,
    error,
    import_material,
    key_arn,
    mock_now,
)

DAY = timedelta(days=1)

# Key types that cannot rotate: (KeySpec, KeyUsage).
NOT_ROTATABLE = {
    "rsa-encryption": ("RSA_2048", "ENCRYPT_DECRYPT"),
    "ecc-signing": ("ECC_NIST_P256", "SIGN_VERIFY"),
    "hmac": ("HMAC_256", "GENERATE_VERIFY_MAC"),
}

RotationCall = Callable[[Any, str], Any]
# The rotation-setting operations; all take a key ID or key ARN.
SETTING_CALLS: dict[str, RotationCall] = {
    "EnableKeyRotation": lambda c, k: c.enable_key_rotation(KeyId=k),
    "DisableKeyRotation": lambda c, k: c.disable_key_rotation(KeyId=k),
    "GetKeyRotationStatus": lambda c, k: c.get_key_rotation_status(KeyId=k),
}
SETTINGS = sorted(SETTING_CALLS)


def material_id(client: Any, key_id: str) -> str:
    current: str = client.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    return current


def status(client: Any, key_id: str) -> dict[str, Any]:
    return body(client.get_key_rotation_status(KeyId=key_id))


def rotations(client: Any, key_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    response = client.list_key_rotations(KeyId=key_id, **kwargs)
    assert response["Truncated"] is False
    entries: list[dict[str, Any]] = response["Rotations"]
    return entries


def create(client: Any, spec: str, usage: str) -> str:
    key_id: str = client.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
    return key_id


def encrypt(client: Any, key_id: str, plaintext: bytes) -> bytes:
    blob: bytes = client.encrypt(KeyId=key_id, Plaintext=plaintext)["CiphertextBlob"]
    return blob


def enabled_external_key(client: Any, kms_mock: Any) -> str:
    """An EXTERNAL key that is Enabled with imported material."""
    key_id: str = client.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    import_material(client, key_id, os.urandom(32))
    assert client.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    return key_id


# EnableKeyRotation / GetKeyRotationStatus / DisableKeyRotation -----------------------------


@pytest.mark.parametrize("form", ["id", "arn"])
def test_enable_key_rotation_default_period_is_365_days(client, kms_mock, key_id, form):
    before = mock_now(kms_mock)
    response = client.enable_key_rotation(KeyId=key_id if form == "id" else key_arn(key_id))
    after = mock_now(kms_mock)
    assert body(response) == {}
    result = client.get_key_rotation_status(KeyId=key_id if form == "id" else key_arn(key_id))
    assert_valid_output("GetKeyRotationStatus", result)
    found = body(result)
    # KeyId is the key ARN whatever form the request used, as recorded from KMS.
    assert found == {
        "KeyId": key_arn(key_id),
        "KeyRotationEnabled": True,
        "RotationPeriodInDays": 365,
        "NextRotationDate": found["NextRotationDate"],
    }
    assert before + 365 * DAY - MS <= found["NextRotationDate"] <= after + 365 * DAY + MS


@pytest.mark.parametrize("days", [90, 2560])
def test_enable_key_rotation_period_at_limits_is_accepted(client, kms_mock, key_id, days):
    before = mock_now(kms_mock)
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=days)
    after = mock_now(kms_mock)
    found = status(client, key_id)
    assert (found["KeyRotationEnabled"], found["RotationPeriodInDays"]) == (True, days)
    assert before + days * DAY - MS <= found["NextRotationDate"] <= after + days * DAY + MS


@pytest.mark.parametrize(
    ("days", "constraint"),
    [(89, "greater than or equal to 90"), (2561, "less than or equal to 2560")],
)
def test_enable_key_rotation_period_out_of_range_raises_validation(
    unchecked_client, key_id, days, constraint
):
    with pytest.raises(ClientError) as info:
        unchecked_client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=days)
    assert error(info.value) == (
        "ValidationException",
        f"1 validation error detected: Value '{days}' at 'rotationPeriodInDays' failed to "
        f"satisfy constraint: Member must have value {constraint}",
    )
    assert status(unchecked_client, key_id) == {
        "KeyId": key_arn(key_id),
        "KeyRotationEnabled": False,
    }


def test_enable_key_rotation_again_changes_period_and_restarts_schedule(client, kms_mock, key_id):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=365)
    kms_mock.clock.advance(days=10)
    before = mock_now(kms_mock)
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    after = mock_now(kms_mock)
    found = status(client, key_id)
    assert found["RotationPeriodInDays"] == 90
    assert before + 90 * DAY - MS <= found["NextRotationDate"] <= after + 90 * DAY + MS


def test_get_key_rotation_status_new_key_is_disabled(client, key_id):
    response = client.get_key_rotation_status(KeyId=key_id)
    assert_valid_output("GetKeyRotationStatus", response)
    assert body(response) == {"KeyId": key_arn(key_id), "KeyRotationEnabled": False}


def test_disable_key_rotation_status_has_only_key_id_and_false(client, key_id):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    response = client.disable_key_rotation(KeyId=key_arn(key_id))
    assert body(response) == {}
    assert status(client, key_id) == {"KeyId": key_arn(key_id), "KeyRotationEnabled": False}


def test_disable_key_rotation_never_enabled_is_accepted(client, key_id):
    assert body(client.disable_key_rotation(KeyId=key_id)) == {}
    assert status(client, key_id) == {"KeyId": key_arn(key_id), "KeyRotationEnabled": False}


def test_get_key_rotation_status_pending_deletion_reads_false_until_cancelled(client, key_id):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=180)
    enabled = status(client, key_id)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert status(client, key_id) == {"KeyId": key_arn(key_id), "KeyRotationEnabled": False}
    client.cancel_key_deletion(KeyId=key_id)
    assert status(client, key_id) == enabled


def test_get_key_rotation_status_disabled_key_is_answered(client, key_id):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    client.disable_key(KeyId=key_id)
    found = status(client, key_id)
    assert (found["KeyRotationEnabled"], found["RotationPeriodInDays"]) == (True, 90)


def test_get_key_rotation_status_aws_managed_key_rotates_yearly(client):
    key_id = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"]
    found = status(client, key_id)
    assert (found["KeyRotationEnabled"], found["RotationPeriodInDays"]) == (True, 365)


def test_get_key_rotation_status_other_account_key_by_arn_is_answered(client, kms_mock):
    kms_mock.identities.add(OTHER_ACCESS_KEY_ID, account_id=OTHER_ACCOUNT)
    owner = boto3.client(
        "kms",
        region_name=REGION,
        aws_access_key_id=OTHER_ACCESS_KEY_ID,
        aws_secret_access_key="other-secret",
    )
    other = owner.create_key()["KeyMetadata"]
    owner.enable_key_rotation(KeyId=other["KeyId"], RotationPeriodInDays=100)
    found = status(client, other["Arn"])
    assert (found["KeyId"], found["RotationPeriodInDays"]) == (other["Arn"], 100)


@pytest.mark.parametrize("operation", SETTINGS)
def test_rotation_setting_alias_raises_not_found(client, key_id, operation):
    client.create_alias(AliasName="alias/rot", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        SETTING_CALLS[operation](client, "alias/rot")
    assert error(info.value) == ("NotFoundException", "Invalid keyId 'alias/rot'")


@pytest.mark.parametrize("kind", sorted(NOT_ROTATABLE))
@pytest.mark.parametrize("operation", SETTINGS)
def test_rotation_setting_non_symmetric_key_raises_unsupported_operation(client, operation, kind):
    spec, usage = NOT_ROTATABLE[kind]
    key_id = create(client, spec, usage)
    with pytest.raises(ClientError) as info:
        SETTING_CALLS[operation](client, key_id)
    # Unverified against AWS: the message (docs/kms-behaviour.md#rotation); kmsmock's wording.
    assert error(info.value) == (
        "UnsupportedOperationException",
        f"{key_arn(key_id)} key spec {spec} is not valid for this operation.",
    )


@pytest.mark.parametrize("operation", SETTINGS)
def test_rotation_setting_external_key_raises_unsupported_operation(client, operation):
    key_id = client.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as info:
        SETTING_CALLS[operation](client, key_id)
    assert error(info.value) == (
        "UnsupportedOperationException",
        f"{key_arn(key_id)} origin is EXTERNAL which is not valid for this operation.",
    )


@pytest.mark.parametrize("operation", SETTINGS)
def test_rotation_setting_enabled_external_key_raises_unsupported_operation(
    client, kms_mock, operation
):
    key_id = enabled_external_key(client, kms_mock)
    with pytest.raises(ClientError) as info:
        SETTING_CALLS[operation](client, key_id)
    assert error(info.value) == (
        "UnsupportedOperationException",
        f"{key_arn(key_id)} origin is EXTERNAL which is not valid for this operation.",
    )


@pytest.mark.parametrize("operation", ["EnableKeyRotation", "DisableKeyRotation"])
def test_rotation_setting_disabled_key_raises_disabled(client, key_id, operation):
    client.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as info:
        SETTING_CALLS[operation](client, key_id)
    assert error(info.value) == ("DisabledException", f"{key_arn(key_id)} is disabled.")
    assert status(client, key_id) == {"KeyId": key_arn(key_id), "KeyRotationEnabled": False}


@pytest.mark.parametrize("operation", ["EnableKeyRotation", "DisableKeyRotation"])
def test_rotation_setting_pending_deletion_key_raises_invalid_state(client, key_id, operation):
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with pytest.raises(ClientError) as info:
        SETTING_CALLS[operation](client, key_id)
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending deletion.",
    )


# Automatic rotation ----------------------------------------------------------------------


def test_automatic_rotation_after_period_replaces_current_material(client, kms_mock, key_id):
    old_material = material_id(client, key_id)
    old_blob = encrypt(client, key_id, b"before rotation")
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    due = status(client, key_id)["NextRotationDate"]

    kms_mock.clock.advance(days=91)

    new_material = material_id(client, key_id)
    assert new_material != old_material
    assert rotations(client, key_id) == [
        {
            "KeyId": key_id,
            "KeyMaterialId": new_material,
            "KeyMaterialState": "CURRENT",
            "RotationDate": due,
            "RotationType": "AUTOMATIC",
        }
    ]
    found = status(client, key_id)
    assert found["RotationPeriodInDays"] == 90
    assert due + 90 * DAY - MS <= found["NextRotationDate"] <= due + 90 * DAY + MS
    # New ciphertext uses the new material; the old ciphertext still decrypts with the old.
    new_blob = encrypt(client, key_id, b"after rotation")
    assert client.decrypt(CiphertextBlob=new_blob)["KeyMaterialId"] == new_material
    old = client.decrypt(CiphertextBlob=old_blob)
    assert (old["Plaintext"], old["KeyMaterialId"]) == (b"before rotation", old_material)
    data_key = client.generate_data_key(KeyId=key_id, KeySpec="AES_128")
    assert data_key["KeyMaterialId"] == new_material


def test_automatic_rotation_before_period_does_nothing(client, kms_mock, key_id):
    old_material = material_id(client, key_id)
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms_mock.clock.advance(days=89, hours=23)
    assert material_id(client, key_id) == old_material
    assert rotations(client, key_id) == []


def test_automatic_rotation_several_periods_rotates_once_per_period(client, kms_mock, key_id):
    blob = encrypt(client, key_id, b"oldest")
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    first_due = status(client, key_id)["NextRotationDate"]

    kms_mock.clock.advance(days=365)

    entries = rotations(client, key_id)
    assert [e["RotationType"] for e in entries] == ["AUTOMATIC"] * 4
    assert [e["KeyMaterialState"] for e in entries] == ["NON_CURRENT"] * 3 + ["CURRENT"]
    for n, entry in enumerate(entries):
        expected = first_due + n * 90 * DAY
        assert expected - MS <= entry["RotationDate"] <= expected + MS
    assert len({e["KeyMaterialId"] for e in entries}) == 4
    assert entries[-1]["KeyMaterialId"] == material_id(client, key_id)
    next_due = status(client, key_id)["NextRotationDate"]
    assert first_due + 360 * DAY - MS <= next_due <= first_due + 360 * DAY + MS
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"oldest"


def test_automatic_rotation_disabled_rotation_does_not_rotate(client, kms_mock, key_id):
    old_material = material_id(client, key_id)
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    client.disable_key_rotation(KeyId=key_id)
    kms_mock.clock.advance(days=200)
    assert material_id(client, key_id) == old_material
    assert rotations(client, key_id) == []


def test_automatic_rotation_disabled_key_rotates_on_enable_key(client, kms_mock, key_id):
    old_material = material_id(client, key_id)
    blob = encrypt(client, key_id, b"kept")
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    client.disable_key(KeyId=key_id)

    # Overdue by more than two periods while disabled: nothing happens yet.
    kms_mock.clock.advance(days=200)
    assert material_id(client, key_id) == old_material
    assert rotations(client, key_id) == []

    before = mock_now(kms_mock)
    client.enable_key(KeyId=key_id)
    after = mock_now(kms_mock)

    # One rotation, at once, and the schedule restarts from then (docs/kms-behaviour.md#rotation).
    [entry] = rotations(client, key_id)
    assert entry["RotationType"] == "AUTOMATIC"
    assert before - MS <= entry["RotationDate"] <= after + MS
    assert entry["KeyMaterialId"] == material_id(client, key_id) != old_material
    next_due = status(client, key_id)["NextRotationDate"]
    assert before + 90 * DAY - MS <= next_due <= after + 90 * DAY + MS
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"


def test_automatic_rotation_pending_deletion_key_does_not_rotate(client, kms_mock, key_id):
    old_material = material_id(client, key_id)
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms_mock.clock.advance(days=80)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=30)
    kms_mock.clock.advance(days=20)  # the rotation fell due 10 days ago
    assert material_id(client, key_id) == old_material
    client.cancel_key_deletion(KeyId=key_id)
    assert rotations(client, key_id) == []
    client.enable_key(KeyId=key_id)
    [entry] = rotations(client, key_id)
    assert entry["RotationType"] == "AUTOMATIC"
    assert material_id(client, key_id) != old_material


def test_automatic_rotation_follows_freezegun_time(client, key_id):
    with freeze_time("2031-05-01 12:00:00") as frozen:
        old_material = material_id(client, key_id)
        client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
        due = status(client, key_id)["NextRotationDate"]
        assert due == datetime(2031, 7, 30, 12, tzinfo=timezone.utc)

        frozen.tick(timedelta(days=89))
        assert material_id(client, key_id) == old_material

        frozen.tick(timedelta(days=2))
        [entry] = rotations(client, key_id)
        assert (entry["RotationDate"], entry["RotationType"]) == (due, "AUTOMATIC")
        assert entry["KeyMaterialId"] == material_id(client, key_id) != old_material
        assert status(client, key_id)["NextRotationDate"] == datetime(
            2031, 10, 28, 12, tzinfo=timezone.utc
        )


def test_re_encrypt_after_rotation_moves_ciphertext_to_current_material(client, key_id):
    old_material = material_id(client, key_id)
    blob = encrypt(client, key_id, b"refresh me")
    client.rotate_key_on_demand(KeyId=key_id)
    new_material = material_id(client, key_id)
    response = client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key_id)
    assert (response["SourceKeyMaterialId"], response["DestinationKeyMaterialId"]) == (
        old_material,
        new_material,
    )
    decrypted = client.decrypt(CiphertextBlob=response["CiphertextBlob"])
    assert (decrypted["Plaintext"], decrypted["KeyMaterialId"]) == (b"refresh me", new_material)


# RotateKeyOnDemand -----------------------------------------------------------------------


@pytest.mark.parametrize("form", ["id", "arn"])
def test_rotate_key_on_demand_makes_new_current_material(client, kms_mock, key_id, form):
    old_material = material_id(client, key_id)
    blob = encrypt(client, key_id, b"before")
    before = mock_now(kms_mock)
    response = client.rotate_key_on_demand(KeyId=key_id if form == "id" else key_arn(key_id))
    after = mock_now(kms_mock)
    assert_valid_output("RotateKeyOnDemand", response)
    assert body(response) == {"KeyId": key_arn(key_id)}

    new_material = material_id(client, key_id)
    assert new_material != old_material
    [entry] = rotations(client, key_id)
    assert entry == {
        "KeyId": key_id,
        "KeyMaterialId": new_material,
        "KeyMaterialState": "CURRENT",
        "RotationDate": entry["RotationDate"],
        "RotationType": "ON_DEMAND",
    }
    assert before - MS <= entry["RotationDate"] <= after + MS
    old = client.decrypt(CiphertextBlob=blob)
    assert (old["Plaintext"], old["KeyMaterialId"]) == (b"before", old_material)
    new_blob = encrypt(client, key_id, b"after")
    assert client.decrypt(CiphertextBlob=new_blob)["KeyMaterialId"] == new_material


def test_rotate_key_on_demand_keeps_automatic_schedule(client, key_id):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    scheduled = status(client, key_id)
    client.rotate_key_on_demand(KeyId=key_id)
    assert status(client, key_id) == scheduled


def test_rotate_key_on_demand_rotation_disabled_key_stays_not_rotating(client, key_id):
    client.rotate_key_on_demand(KeyId=key_id)
    assert status(client, key_id) == {"KeyId": key_arn(key_id), "KeyRotationEnabled": False}


def test_rotate_key_on_demand_25_times_then_limit_exceeded(client, key_id):
    blob = encrypt(client, key_id, b"first material")
    for _ in range(25):
        client.rotate_key_on_demand(KeyId=key_id)
    current = material_id(client, key_id)
    with pytest.raises(ClientError) as info:
        client.rotate_key_on_demand(KeyId=key_id)
    assert error(info.value) == (
        "LimitExceededException",
        "The on-demand rotations limit has been reached for the given keyId. No more "
        f"on-demand rotations can be performed for this key: {key_arn(key_id)}",
    )
    assert material_id(client, key_id) == current
    entries = rotations(client, key_id)
    assert len(entries) == 25
    assert {e["RotationType"] for e in entries} == {"ON_DEMAND"}
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"first material"


def test_rotate_key_on_demand_automatic_rotations_do_not_count_toward_limit(
    client, kms_mock, key_id
):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms_mock.clock.advance(days=91)
    for _ in range(25):
        client.rotate_key_on_demand(KeyId=key_id)
    types = [e["RotationType"] for e in rotations(client, key_id)]
    assert types == ["AUTOMATIC"] + ["ON_DEMAND"] * 25


@pytest.mark.parametrize("kind", sorted(NOT_ROTATABLE))
def test_rotate_key_on_demand_non_symmetric_key_raises_unsupported_with_empty_message(client, kind):
    key_id = create(client, *NOT_ROTATABLE[kind])
    with pytest.raises(ClientError) as info:
        client.rotate_key_on_demand(KeyId=key_id)
    assert error(info.value) == ("UnsupportedOperationException", "")


def test_rotate_key_on_demand_external_key_without_material_raises_pending_import(client):
    key_id = client.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as info:
        client.rotate_key_on_demand(KeyId=key_id)
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending import.",
    )


def test_rotate_key_on_demand_external_key_without_pending_material_raises_invalid_state(
    client, kms_mock
):
    key_id = enabled_external_key(client, kms_mock)
    before = material_id(client, key_id)
    with pytest.raises(ClientError) as info:
        client.rotate_key_on_demand(KeyId=key_id)
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"No available key material pending rotation for the key: {key_arn(key_id)}.",
    )
    assert material_id(client, key_id) == before


def test_rotate_key_on_demand_disabled_key_raises_disabled(client, key_id):
    client.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.rotate_key_on_demand(KeyId=key_id)
    assert error(info.value) == ("DisabledException", f"{key_arn(key_id)} is disabled.")


def test_rotate_key_on_demand_pending_deletion_key_raises_invalid_state(client, key_id):
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with pytest.raises(ClientError) as info:
        client.rotate_key_on_demand(KeyId=key_id)
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending deletion.",
    )


def test_rotate_key_on_demand_alias_raises_not_found(client, key_id):
    client.create_alias(AliasName="alias/rot", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.rotate_key_on_demand(KeyId="alias/rot")
    assert error(info.value) == ("NotFoundException", "Invalid keyId 'alias/rot'")


def test_rotate_key_on_demand_within_20_minutes_of_automatic_raises_conflict(
    client, kms_mock, key_id
):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms_mock.clock.advance(days=90, minutes=-10)
    material = material_id(client, key_id)
    with pytest.raises(ClientError) as info:
        client.rotate_key_on_demand(KeyId=key_id)
    # Unverified against AWS: the message (docs/kms-behaviour.md#rotation); kmsmock's wording.
    assert error(info.value) == (
        "ConflictException",
        f"{key_arn(key_id)} has an automatic rotation in progress or about to start.",
    )
    assert material_id(client, key_id) == material
    assert rotations(client, key_id) == []


def test_rotate_key_on_demand_more_than_20_minutes_before_automatic_succeeds(
    client, kms_mock, key_id
):
    client.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms_mock.clock.advance(days=90, minutes=-21)
    client.rotate_key_on_demand(KeyId=key_id)
    assert [e["RotationType"] for e in rotations(client, key_id)] == ["ON_DEMAND"]


# ListKeyRotations ------------------------------------------------------------------------


def test_list_key_rotations_new_key_lists_no_rotations(client, key_id):
    response = client.list_key_rotations(KeyId=key_id)
    assert_valid_output("ListKeyRotations", response)
    assert body(response) == {"Rotations": [], "Truncated": False}


def test_list_key_rotations_all_key_material_lists_initial_material(client, key_id):
    response = client.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    assert_valid_output("ListKeyRotations", response)
    assert body(response) == {
        "Rotations": [
            {
                "KeyId": key_id,
                "KeyMaterialId": material_id(client, key_id),
                "KeyMaterialState": "CURRENT",
            }
        ],
        "Truncated": False,
    }


def test_list_key_rotations_after_rotations_marks_current_and_non_current(client, key_id):
    initial = material_id(client, key_id)
    client.rotate_key_on_demand(KeyId=key_id)
    middle = material_id(client, key_id)
    client.rotate_key_on_demand(KeyId=key_id)
    latest = material_id(client, key_id)

    only = rotations(client, key_id, IncludeKeyMaterial="ROTATIONS_ONLY")
    assert [(e["KeyMaterialId"], e["KeyMaterialState"]) for e in only] == [
        (middle, "NON_CURRENT"),
        (latest, "CURRENT"),
    ]
    assert all(e["RotationType"] == "ON_DEMAND" and "RotationDate" in e for e in only)
    assert rotations(client, key_id) == only

    everything = rotations(client, key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    assert everything == [
        {"KeyId": key_id, "KeyMaterialId": initial, "KeyMaterialState": "NON_CURRENT"},
        *only,
    ]


def test_list_key_rotations_limit_pages_through_every_rotation(client, key_id):
    for _ in range(10):
        client.rotate_key_on_demand(KeyId=key_id)
    expected = rotations(client, key_id)
    assert len(expected) == 10

    seen: list[dict[str, Any]] = []
    marker: dict[str, str] = {}
    # Bounded, so a marker that leads back to an earlier page fails instead of looping.
    for _ in range(len(expected) + 2):
        page = client.list_key_rotations(KeyId=key_id, Limit=1, **marker)
        assert_valid_output("ListKeyRotations", page)
        seen.extend(page["Rotations"])
        if not page["Truncated"]:
            assert "NextMarker" not in page
            break
        marker = {"Marker": page["NextMarker"]}
    assert seen == expected


def test_list_key_rotations_paginator_yields_every_material(client, key_id):
    for _ in range(6):
        client.rotate_key_on_demand(KeyId=key_id)
    paginator = client.get_paginator("list_key_rotations")
    pages = paginator.paginate(
        KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL", PaginationConfig={"PageSize": 2}
    )
    # Bounded, so a marker that leads back to an earlier page fails instead of looping.
    listed = [e for p in itertools.islice(pages, 10) for e in p["Rotations"]]
    assert listed == rotations(client, key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    assert [e["KeyMaterialState"] for e in listed] == ["NON_CURRENT"] * 6 + ["CURRENT"]


@pytest.mark.parametrize("kind", sorted(NOT_ROTATABLE))
def test_list_key_rotations_non_symmetric_key_raises_unsupported_operation(client, kind):
    spec, usage = NOT_ROTATABLE[kind]
    key_id = create(client, spec, usage)
    with pytest.raises(ClientError) as info:
        client.list_key_rotations(KeyId=key_id)
    # Unverified against AWS: the message (docs/kms-behaviour.md#rotation); kmsmock's wording.
    assert error(info.value) == (
        "UnsupportedOperationException",
        f"{key_arn(key_id)} key spec {spec} is not valid for this operation.",
    )


def test_list_key_rotations_pending_deletion_key_is_answered(client, key_id):
    client.rotate_key_on_demand(KeyId=key_id)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert len(rotations(client, key_id)) == 1
