"""The AWS CLI v1, run in-process against kmsmock, as a shell user would run ``aws kms``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests._support import ACCOUNT
from tests.cli._cli import ARN_PREFIX, Aws, empty, failed, key_arn, ok

DEFAULT_POLICY = """{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::123456789012:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}"""


def create_key(aws: Aws, *args: str) -> dict[str, Any]:
    metadata: dict[str, Any] = ok(aws("kms", "create-key", *args))["KeyMetadata"]
    return metadata


def epoch(value: Any) -> float:
    return float(value.timestamp())


# Keys -------------------------------------------------------------------------------


def test_cli_create_key_prints_key_metadata(aws, client):
    meta = create_key(aws, "--description", "from the cli")
    key_id = meta["KeyId"]
    assert isinstance(meta["CreationDate"], float)
    # The CLI prints timestamps as the epoch seconds it received.
    created = client.describe_key(KeyId=key_id)["KeyMetadata"]["CreationDate"]
    assert meta["CreationDate"] == epoch(created)
    assert len(meta["CurrentKeyMaterialId"]) == 64
    assert meta == {
        "AWSAccountId": ACCOUNT,
        "KeyId": key_id,
        "Arn": key_arn(key_id),
        "CreationDate": meta["CreationDate"],
        "Enabled": True,
        "Description": "from the cli",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": "Enabled",
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": False,
        "CurrentKeyMaterialId": meta["CurrentKeyMaterialId"],
    }


def test_cli_create_key_asymmetric_prints_signing_algorithms(aws):
    meta = create_key(aws, "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY")
    assert (meta["KeySpec"], meta["KeyUsage"]) == ("ECC_NIST_P256", "SIGN_VERIFY")
    assert meta["SigningAlgorithms"] == ["ECDSA_SHA_256"]
    assert "EncryptionAlgorithms" not in meta
    assert "CurrentKeyMaterialId" not in meta


@pytest.mark.parametrize("form", ["id", "arn", "alias", "alias-arn"])
def test_cli_describe_key_prints_same_metadata(aws, form):
    meta = create_key(aws)
    empty(aws("kms", "create-alias", "--alias-name", "alias/cli", "--target-key-id", meta["KeyId"]))
    identifier = {
        "id": meta["KeyId"],
        "arn": meta["Arn"],
        "alias": "alias/cli",
        "alias-arn": f"{ARN_PREFIX}:alias/cli",
    }[form]
    assert ok(aws("kms", "describe-key", "--key-id", identifier)) == {"KeyMetadata": meta}


def test_cli_list_keys_prints_every_key(aws, client):
    first = create_key(aws)["KeyId"]
    second = client.create_key()["KeyMetadata"]["KeyId"]
    assert ok(aws("kms", "list-keys")) == {
        "Keys": [
            {"KeyId": first, "KeyArn": key_arn(first)},
            {"KeyId": second, "KeyArn": key_arn(second)},
        ]
    }


def test_cli_disable_key_then_enable_key_changes_state(aws):
    key_id = create_key(aws)["KeyId"]
    empty(aws("kms", "disable-key", "--key-id", key_id))
    meta = ok(aws("kms", "describe-key", "--key-id", key_id))["KeyMetadata"]
    assert (meta["KeyState"], meta["Enabled"]) == ("Disabled", False)
    empty(aws("kms", "enable-key", "--key-id", key_id))
    meta = ok(aws("kms", "describe-key", "--key-id", key_id))["KeyMetadata"]
    assert (meta["KeyState"], meta["Enabled"]) == ("Enabled", True)


def test_cli_schedule_key_deletion_prints_deletion_details(aws, client):
    key_id = create_key(aws)["KeyId"]
    result = ok(
        aws("kms", "schedule-key-deletion", "--key-id", key_id, "--pending-window-in-days", "7")
    )
    deletion = client.describe_key(KeyId=key_id)["KeyMetadata"]["DeletionDate"]
    assert result == {
        "KeyId": key_arn(key_id),
        "DeletionDate": epoch(deletion),
        "KeyState": "PendingDeletion",
        "PendingWindowInDays": 7,
    }
    meta = ok(aws("kms", "describe-key", "--key-id", key_id))["KeyMetadata"]
    assert meta["DeletionDate"] == result["DeletionDate"]


def test_cli_cancel_key_deletion_prints_key_arn_and_key_is_disabled(aws):
    key_id = create_key(aws)["KeyId"]
    ok(aws("kms", "schedule-key-deletion", "--key-id", key_id))
    assert ok(aws("kms", "cancel-key-deletion", "--key-id", key_id)) == {"KeyId": key_arn(key_id)}
    meta = ok(aws("kms", "describe-key", "--key-id", key_id))["KeyMetadata"]
    assert meta["KeyState"] == "Disabled"
    assert "DeletionDate" not in meta


def test_cli_update_key_description_changes_description(aws):
    key_id = create_key(aws, "--description", "old")["KeyId"]
    empty(aws("kms", "update-key-description", "--key-id", key_id, "--description", "new"))
    meta = ok(aws("kms", "describe-key", "--key-id", key_id))["KeyMetadata"]
    assert meta["Description"] == "new"


def test_cli_get_key_last_usage_prints_tracking_dates(aws):
    meta = create_key(aws)
    assert ok(aws("kms", "get-key-last-usage", "--key-id", meta["Arn"])) == {
        "KeyId": meta["KeyId"],
        "KeyCreationDate": meta["CreationDate"],
        "TrackingStartDate": meta["CreationDate"],
        # A key not used since tracking began has an empty KeyLastUsage object (GetKeyLastUsage,
        # https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html).
        "KeyLastUsage": {},
    }


# Aliases ----------------------------------------------------------------------------


def test_cli_create_update_delete_alias_round_trip(aws, client):
    first = create_key(aws)["KeyId"]
    second = create_key(aws)["KeyId"]
    empty(aws("kms", "create-alias", "--alias-name", "alias/cli", "--target-key-id", first))
    [entry] = ok(aws("kms", "list-aliases", "--key-id", first))["Aliases"]
    created = client.list_aliases(KeyId=first)["Aliases"][0]["CreationDate"]
    assert entry == {
        "AliasName": "alias/cli",
        "AliasArn": f"{ARN_PREFIX}:alias/cli",
        "TargetKeyId": first,
        "CreationDate": epoch(created),
        "LastUpdatedDate": epoch(created),
    }
    empty(aws("kms", "update-alias", "--alias-name", "alias/cli", "--target-key-id", second))
    assert ok(aws("kms", "list-aliases", "--key-id", first)) == {"Aliases": []}
    [moved] = ok(aws("kms", "list-aliases", "--key-id", second))["Aliases"]
    assert (moved["AliasName"], moved["TargetKeyId"]) == ("alias/cli", second)
    empty(aws("kms", "delete-alias", "--alias-name", "alias/cli"))
    assert ok(aws("kms", "list-aliases", "--key-id", second)) == {"Aliases": []}


def test_cli_list_aliases_prints_predefined_and_customer_aliases(aws):
    key_id = create_key(aws)["KeyId"]
    empty(aws("kms", "create-alias", "--alias-name", "alias/cli", "--target-key-id", key_id))
    aliases = ok(aws("kms", "list-aliases"))["Aliases"]
    names = [a["AliasName"] for a in aliases]
    assert len(names) == 15
    assert names == sorted(names)
    assert aliases[0] == {"AliasName": "alias/aws/acm", "AliasArn": f"{ARN_PREFIX}:alias/aws/acm"}
    assert aliases[names.index("alias/cli")]["TargetKeyId"] == key_id


def test_cli_list_aliases_page_size_still_lists_everything(aws):
    key_id = create_key(aws)["KeyId"]
    for n in range(3):
        empty(aws("kms", "create-alias", "--alias-name", f"alias/c{n}", "--target-key-id", key_id))
    names = [a["AliasName"] for a in ok(aws("kms", "list-aliases", "--page-size", "4"))["Aliases"]]
    assert len(names) == 17
    assert names == sorted(names)


# Tags -------------------------------------------------------------------------------


def test_cli_tag_untag_and_list_resource_tags(aws):
    key_id = create_key(aws, "--tags", "TagKey=team,TagValue=payments")["KeyId"]
    empty(
        aws(
            "kms",
            "tag-resource",
            "--key-id",
            key_id,
            "--tags",
            "TagKey=env,TagValue=prod",
            "TagKey=team,TagValue=billing",
        )
    )
    assert ok(aws("kms", "list-resource-tags", "--key-id", key_id)) == {
        "Tags": [
            {"TagKey": "team", "TagValue": "billing"},
            {"TagKey": "env", "TagValue": "prod"},
        ]
    }
    empty(aws("kms", "untag-resource", "--key-id", key_id, "--tag-keys", "team"))
    assert ok(aws("kms", "list-resource-tags", "--key-id", key_id)) == {
        "Tags": [{"TagKey": "env", "TagValue": "prod"}]
    }


def test_cli_tag_resource_reserved_prefix_prints_tag_exception(aws):
    key_id = create_key(aws)["KeyId"]
    run = aws("kms", "tag-resource", "--key-id", key_id, "--tags", "TagKey=aws:x,TagValue=v")
    failed(run, "TagException", "TagResource", "Tags beginning with aws: are reserved")


# Key policies -----------------------------------------------------------------------


def test_cli_get_key_policy_prints_default_policy(aws):
    key_id = create_key(aws)["KeyId"]
    assert ok(aws("kms", "get-key-policy", "--key-id", key_id)) == {
        "Policy": DEFAULT_POLICY,
        "PolicyName": "default",
    }


def test_cli_put_key_policy_from_file_is_stored_as_written(aws, tmp_path: Path):
    key_id = create_key(aws)["KeyId"]
    document = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [{"Sid": "cli", "Effect": "Allow",\n'
        '    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},\n'
        '    "Action": "kms:*", "Resource": "*"}]\n}\n'
    )
    path = tmp_path / "policy.json"
    path.write_text(document, encoding="utf-8")
    empty(aws("kms", "put-key-policy", "--key-id", key_id, "--policy", f"file://{path}"))
    assert ok(aws("kms", "get-key-policy", "--key-id", key_id)) == {
        "Policy": document,
        "PolicyName": "default",
    }


def test_cli_put_key_policy_lockout_prints_malformed_policy(aws, tmp_path: Path):
    key_id = create_key(aws)["KeyId"]
    path = tmp_path / "policy.json"
    path.write_text(
        json.dumps(
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::123456789012:role/Admin"},
                        "Action": "kms:*",
                        "Resource": "*",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    run = aws("kms", "put-key-policy", "--key-id", key_id, "--policy", f"file://{path}")
    failed(
        run,
        "MalformedPolicyDocumentException",
        "PutKeyPolicy",
        "The new key policy will not allow you to update the key policy in the future.",
    )


def test_cli_list_key_policies_prints_default(aws):
    key_id = create_key(aws)["KeyId"]
    assert ok(aws("kms", "list-key-policies", "--key-id", key_id)) == {"PolicyNames": ["default"]}


# Errors -----------------------------------------------------------------------------


def test_cli_describe_key_unknown_key_prints_not_found(aws):
    unknown = "1234abcd-12ab-34cd-56ef-1234567890ab"
    run = aws("kms", "describe-key", "--key-id", unknown)
    failed(run, "NotFoundException", "DescribeKey", f"Key '{key_arn(unknown)}' does not exist")


def test_cli_schedule_key_deletion_short_window_prints_validation_error(aws):
    key_id = create_key(aws)["KeyId"]
    run = aws("kms", "schedule-key-deletion", "--key-id", key_id, "--pending-window-in-days", "6")
    failed(
        run,
        "ValidationException",
        "ScheduleKeyDeletion",
        "PendingWindowInDays must be between 7 and 30",
    )


def test_cli_enable_key_pending_deletion_prints_invalid_state(aws):
    key_id = create_key(aws)["KeyId"]
    ok(aws("kms", "schedule-key-deletion", "--key-id", key_id))
    run = aws("kms", "enable-key", "--key-id", key_id)
    failed(run, "KMSInvalidStateException", "EnableKey", f"{key_arn(key_id)} is pending deletion.")
