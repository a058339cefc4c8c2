"""Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies, and CreateKey's Policy
(docs/kms-behaviour.md#key-policy-operations, docs/kms-behaviour.md#default-key-policy,
docs/kms-behaviour.md#policy-validation)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests._support import ACCOUNT, assert_valid_output, body, error, key_arn

# docs/kms-behaviour.md#default-key-policy, verbatim, with the account substituted.
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

# Odd but valid formatting: tabs, CRLF, blank lines, a trailing newline, a Sid with spaces.
CUSTOM_POLICY = (
    '{"Version":"2012-10-17",\r\n\t"Statement": [\n\n'
    '  {"Sid": "Let the account in", "Effect": "Allow",'
    '   "Principal": {"AWS": "arn:aws:iam::123456789012:root"},'
    '"Action": "kms:*", "Resource": "*"}  ]}\n'
)


def policy_with(principal: Any, action: Any = "kms:*", **extra: Any) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [{**statement, **extra}]})


ROLE_ONLY = policy_with({"AWS": f"arn:aws:iam::{ACCOUNT}:role/Admin"})

MALFORMED = [
    pytest.param("not json", "The policy document is not valid JSON.", id="not-json"),
    pytest.param("{", "The policy document is not valid JSON.", id="truncated-json"),
    pytest.param("[]", "The policy document must be a JSON object.", id="array"),
    pytest.param(
        '{"Version": "2012-10-17"}',
        "Policy is missing required element - Statement",
        id="no-statement",
    ),
    pytest.param(
        '{"Version": "2012-10-17", "Statement": []}',
        "Policy is missing required element - Statement",
        id="empty-statement",
    ),
    pytest.param(
        policy_with({"AWS": "not-a-principal"}),
        "Policy contains a statement with one or more invalid principals.",
        id="invalid-principal",
    ),
    pytest.param(
        json.dumps({"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}),
        "Policy contains a statement with one or more invalid principals.",
        id="missing-principal",
    ),
    pytest.param(
        '{"Version": "2001-01-01", "Statement": []}',
        "Policy has an invalid Version: 2001-01-01",
        id="bad-version",
    ),
    pytest.param(
        '{"Statement": ["Allow"]}',
        "Policy contains a statement that is not a JSON object.",
        id="statement-not-object",
    ),
    pytest.param(
        policy_with({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, Effect="Permit"),
        "Policy contains a statement with an invalid Effect.",
        id="bad-effect",
    ),
    pytest.param(
        policy_with({"Unknown": "x"}),
        "Policy contains a statement with one or more invalid principals.",
        id="unknown-principal-type",
    ),
    pytest.param(
        json.dumps(
            {
                "Statement": [
                    json.loads(policy_with("*"))["Statement"][0],
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "kms:PutKeyPolicy",
                        "Resource": "*",
                    },
                ]
            }
        ),
        "The new key policy will not allow you to update the key policy in the future.",
        id="lockout-deny",
    ),
    pytest.param(
        ROLE_ONLY,
        "The new key policy will not allow you to update the key policy in the future.",
        id="lockout",
    ),
    pytest.param(
        policy_with({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, action="kms:Encrypt"),
        "The new key policy will not allow you to update the key policy in the future.",
        id="lockout-no-put-key-policy",
    ),
]


# GetKeyPolicy -----------------------------------------------------------------------


@pytest.mark.parametrize("form", ["id", "arn"])
def test_get_key_policy_new_key_returns_default_policy(client, key_id, form):
    response = client.get_key_policy(KeyId=key_id if form == "id" else key_arn(key_id))
    assert_valid_output("GetKeyPolicy", response)
    assert response["Policy"] == DEFAULT_POLICY
    assert response["PolicyName"] == "default"


def test_get_key_policy_policy_name_default_returns_policy(client, key_id):
    response = client.get_key_policy(KeyId=key_id, PolicyName="default")
    assert (response["Policy"], response["PolicyName"]) == (DEFAULT_POLICY, "default")


def test_get_key_policy_other_policy_name_raises_not_found(client, key_id):
    with pytest.raises(ClientError) as info:
        client.get_key_policy(KeyId=key_id, PolicyName="other")
    assert error(info.value) == ("NotFoundException", "No such policy exists")


def test_get_key_policy_policy_name_pattern_violation_raises_validation(client, key_id):
    with pytest.raises(ClientError) as info:
        client.get_key_policy(KeyId=key_id, PolicyName="bad-name")
    assert error(info.value) == (
        "ValidationException",
        "1 validation error detected: Value 'bad-name' at 'policyName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w]+",
    )


def test_get_key_policy_alias_name_raises_not_found(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.get_key_policy(KeyId="alias/app")
    assert error(info.value) == ("NotFoundException", "Invalid keyId 'alias/app'")


def test_get_key_policy_unknown_key_raises_not_found(client):
    unknown = "1234abcd-12ab-34cd-56ef-1234567890ab"
    with pytest.raises(ClientError) as info:
        client.get_key_policy(KeyId=unknown)
    assert error(info.value) == ("NotFoundException", f"Key '{key_arn(unknown)}' does not exist")


def test_get_key_policy_other_region_key_uses_same_default_text(client):
    west = boto3.client("kms", region_name="eu-west-1")
    west_key = west.create_key()["KeyMetadata"]["KeyId"]
    assert west.get_key_policy(KeyId=west_key)["Policy"] == DEFAULT_POLICY


def test_get_key_policy_aws_managed_key_is_readable(client):
    key_id = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"]
    policy = json.loads(client.get_key_policy(KeyId=key_id)["Policy"])
    # Unverified against AWS: the text of AWS managed key policies, kmsmock's rendering;
    # check its shape.
    assert policy["Id"] == "auto-s3-1"
    assert policy["Statement"][1]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}


# PutKeyPolicy -----------------------------------------------------------------------


@pytest.mark.parametrize("form", ["id", "arn"])
def test_put_key_policy_stores_document_byte_for_byte(client, key_id, form):
    response = client.put_key_policy(
        KeyId=key_id if form == "id" else key_arn(key_id), Policy=CUSTOM_POLICY
    )
    assert body(response) == {}
    assert client.get_key_policy(KeyId=key_id)["Policy"] == CUSTOM_POLICY


def test_put_key_policy_policy_name_default_is_accepted(client, key_id):
    client.put_key_policy(KeyId=key_id, PolicyName="default", Policy=CUSTOM_POLICY)
    assert client.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"] == CUSTOM_POLICY


def test_put_key_policy_other_policy_name_raises_not_found(client, key_id):
    with pytest.raises(ClientError) as info:
        client.put_key_policy(KeyId=key_id, PolicyName="other", Policy=CUSTOM_POLICY)
    # Unverified against AWS: the error for other names
    # (docs/kms-behaviour.md#key-policy-operations); kmsmock's answer.
    assert error(info.value) == ("NotFoundException", "No such policy exists")
    assert client.get_key_policy(KeyId=key_id)["Policy"] == DEFAULT_POLICY


@pytest.mark.parametrize(
    "principal",
    [
        "*",
        {"AWS": "*"},
        {"AWS": ACCOUNT},
        {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{ACCOUNT}:role/Admin"]},
    ],
)
def test_put_key_policy_principal_naming_the_account_is_accepted(client, key_id, principal):
    policy = policy_with(principal)
    client.put_key_policy(KeyId=key_id, Policy=policy)
    assert client.get_key_policy(KeyId=key_id)["Policy"] == policy


def test_put_key_policy_single_statement_object_is_accepted(client, key_id):
    statement = json.loads(policy_with({"AWS": ACCOUNT}))["Statement"][0]
    policy = json.dumps({"Version": "2008-10-17", "Statement": statement})
    client.put_key_policy(KeyId=key_id, Policy=policy)
    assert client.get_key_policy(KeyId=key_id)["Policy"] == policy


def test_put_key_policy_service_principal_next_to_account_is_accepted(client, key_id):
    policy = policy_with(
        {"AWS": f"arn:aws:iam::{ACCOUNT}:root", "Service": "logs.us-east-1.amazonaws.com"}
    )
    client.put_key_policy(KeyId=key_id, Policy=policy)
    assert client.get_key_policy(KeyId=key_id)["Policy"] == policy


def test_put_key_policy_put_key_policy_action_only_is_accepted(client, key_id):
    policy = policy_with({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, action=["kms:PutKeyPolicy"])
    client.put_key_policy(KeyId=key_id, Policy=policy)
    assert client.get_key_policy(KeyId=key_id)["Policy"] == policy


# IAM matches actions with * and ? wildcards, ignoring case (IAM User Guide, "IAM JSON
# policy elements: Action"); the lockout check reads them so.
@pytest.mark.parametrize(
    "action",
    ["kms:Put*", "KMS:putkeypolicy", "kms:PutKey?olicy", ["kms:Encrypt", "kms:*Policy"]],
)
def test_put_key_policy_action_pattern_naming_put_key_policy_is_accepted(client, key_id, action):
    policy = policy_with({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, action=action)
    client.put_key_policy(KeyId=key_id, Policy=policy)
    assert client.get_key_policy(KeyId=key_id)["Policy"] == policy


@pytest.mark.parametrize("action", ["kms:Put?", "kms:Get*", "kms:PutKeyPolicy?", "kms:PutKey"])
def test_put_key_policy_action_pattern_missing_put_key_policy_raises_malformed_policy(
    client, key_id, action
):
    policy = policy_with({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, action=action)
    with pytest.raises(ClientError) as info:
        client.put_key_policy(KeyId=key_id, Policy=policy)
    assert error(info.value) == (
        "MalformedPolicyDocumentException",
        "The new key policy will not allow you to update the key policy in the future.",
    )
    assert client.get_key_policy(KeyId=key_id)["Policy"] == DEFAULT_POLICY


@pytest.mark.parametrize(("policy", "message"), MALFORMED)
def test_put_key_policy_malformed_document_raises_malformed_policy(client, key_id, policy, message):
    with pytest.raises(ClientError) as info:
        client.put_key_policy(KeyId=key_id, Policy=policy)
    # Only the principal and lockout texts are observed (docs/kms-behaviour.md#policy-validation).
    # Unverified against AWS: the rest, which are kmsmock's.
    assert error(info.value) == ("MalformedPolicyDocumentException", message)
    assert client.get_key_policy(KeyId=key_id)["Policy"] == DEFAULT_POLICY


def test_put_key_policy_lockout_with_bypass_is_accepted(client, key_id):
    client.put_key_policy(KeyId=key_id, Policy=ROLE_ONLY, BypassPolicyLockoutSafetyCheck=True)
    assert client.get_key_policy(KeyId=key_id)["Policy"] == ROLE_ONLY


def test_put_key_policy_bypass_does_not_skip_principal_check(client, key_id):
    with pytest.raises(ClientError) as info:
        client.put_key_policy(
            KeyId=key_id,
            Policy=policy_with({"AWS": "not-a-principal"}),
            BypassPolicyLockoutSafetyCheck=True,
        )
    assert error(info.value) == (
        "MalformedPolicyDocumentException",
        "Policy contains a statement with one or more invalid principals.",
    )


def _padded(size: int) -> str:
    """The default policy grown with trailing spaces to exactly ``size`` bytes."""
    return DEFAULT_POLICY + " " * (size - len(DEFAULT_POLICY.encode()))


def test_put_key_policy_32768_bytes_is_accepted(client, key_id):
    policy = _padded(32768)
    client.put_key_policy(KeyId=key_id, Policy=policy)
    assert client.get_key_policy(KeyId=key_id)["Policy"] == policy


def test_put_key_policy_over_32768_bytes_raises_limit_exceeded(client, key_id):
    with pytest.raises(ClientError) as info:
        client.put_key_policy(KeyId=key_id, Policy=_padded(32769))
    # Unverified against AWS: the message (docs/kms-behaviour.md#policy-validation); kmsmock's
    # wording.
    assert error(info.value) == (
        "LimitExceededException",
        "Policy document exceeds the maximum size of 32768 bytes.",
    )
    assert client.get_key_policy(KeyId=key_id)["Policy"] == DEFAULT_POLICY


def test_put_key_policy_character_outside_latin1_raises_validation(client, key_id):
    policy = DEFAULT_POLICY.replace("key-default-1", "key-\u0100")
    with pytest.raises(ClientError) as info:
        client.put_key_policy(KeyId=key_id, Policy=policy)
    assert error(info.value) == (
        "ValidationException",
        f"1 validation error detected: Value '{policy}' at 'policy' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
    )


@pytest.mark.parametrize("state", ["Disabled", "PendingDeletion", "PendingImport"])
def test_put_key_policy_any_key_state_is_allowed(client, state):
    origin = "EXTERNAL" if state == "PendingImport" else "AWS_KMS"
    key_id = client.create_key(Origin=origin)["KeyMetadata"]["KeyId"]
    if state == "Disabled":
        client.disable_key(KeyId=key_id)
    elif state == "PendingDeletion":
        client.schedule_key_deletion(KeyId=key_id)
    client.put_key_policy(KeyId=key_id, Policy=CUSTOM_POLICY)
    assert client.get_key_policy(KeyId=key_id)["Policy"] == CUSTOM_POLICY
    assert client.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == state


def test_put_key_policy_alias_name_raises_not_found(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.put_key_policy(KeyId="alias/app", Policy=CUSTOM_POLICY)
    assert error(info.value) == ("NotFoundException", "Invalid keyId 'alias/app'")


# CreateKey Policy -------------------------------------------------------------------


def test_create_key_policy_is_returned_by_get_key_policy(client):
    key_id = client.create_key(Policy=CUSTOM_POLICY)["KeyMetadata"]["KeyId"]
    response = client.get_key_policy(KeyId=key_id)
    assert (response["Policy"], response["PolicyName"]) == (CUSTOM_POLICY, "default")


@pytest.mark.parametrize(("policy", "message"), MALFORMED)
def test_create_key_malformed_policy_raises_malformed_policy(client, policy, message):
    with pytest.raises(ClientError) as info:
        client.create_key(Policy=policy)
    assert error(info.value) == ("MalformedPolicyDocumentException", message)
    assert client.list_keys()["Keys"] == []


def test_create_key_lockout_policy_with_bypass_is_accepted(client):
    key_id = client.create_key(Policy=ROLE_ONLY, BypassPolicyLockoutSafetyCheck=True)[
        "KeyMetadata"
    ]["KeyId"]
    assert client.get_key_policy(KeyId=key_id)["Policy"] == ROLE_ONLY


def test_create_key_policy_over_32768_bytes_raises_limit_exceeded(client):
    with pytest.raises(ClientError) as info:
        client.create_key(Policy=_padded(32769))
    assert error(info.value) == (
        "LimitExceededException",
        "Policy document exceeds the maximum size of 32768 bytes.",
    )
    assert client.list_keys()["Keys"] == []


# ListKeyPolicies --------------------------------------------------------------------


@pytest.mark.parametrize("form", ["id", "arn"])
def test_list_key_policies_lists_default(client, key_id, form):
    response = client.list_key_policies(KeyId=key_id if form == "id" else key_arn(key_id))
    assert_valid_output("ListKeyPolicies", response)
    assert body(response) == {
        "PolicyNames": ["default"],
        "Truncated": False,
    }


def test_list_key_policies_limit_1_is_not_truncated(client, key_id):
    response = client.list_key_policies(KeyId=key_id, Limit=1)
    assert (response["PolicyNames"], response["Truncated"]) == (["default"], False)
    assert "NextMarker" not in response


def test_list_key_policies_pending_deletion_key_is_answered(client, key_id):
    client.schedule_key_deletion(KeyId=key_id)
    response = client.list_key_policies(KeyId=key_id)
    assert (response["PolicyNames"], response["Truncated"]) == (["default"], False)
    assert client.get_key_policy(KeyId=key_id)["Policy"] == DEFAULT_POLICY


def test_list_key_policies_alias_name_raises_not_found(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.list_key_policies(KeyId="alias/app")
    assert error(info.value) == ("NotFoundException", "Invalid keyId 'alias/app'")


def test_list_key_policies_paginator_yields_default(client, key_id):
    pages = list(client.get_paginator("list_key_policies").paginate(KeyId=key_id))
    assert [p["PolicyNames"] for p in pages] == [["default"]]
