"""What the tests of ``mock_kms(enforce_policies=True)`` share: the principals, policy
statements and documents, the AWS denial texts, and one call of each key-policy operation.

Keys are made by an admin user whose statement allows it ``kms:*``; the account root
is left out of most policies on purpose, because a statement naming the account
delegates to IAM, which kmsmock takes to allow every principal of that account.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests._support import ACCOUNT, OTHER_ACCOUNT, REGION

ADMIN = f"arn:aws:iam::{ACCOUNT}:user/admin"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/worker-1"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/other"
OTHER_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/other/worker-1"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
FOREIGN_ROOT = f"arn:aws:iam::{OTHER_ACCOUNT}:root"
FOREIGN_ROLE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/partner"
FOREIGN_STRANGER = f"arn:aws:iam::{OTHER_ACCOUNT}:role/stranger"
# A session of a role named like ROLE, but in the other account.
FOREIGN_SESSION = f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/app/worker-1"
S3_VIA = f"s3.{REGION}.amazonaws.com"

Client = Any
As = Callable[[str], Client]
Statement = dict[str, Any]


def allow(principal: Any, actions: Any, **extra: Any) -> Statement:
    """An Allow statement on Resource "*"; ``extra`` adds or replaces elements."""
    named = principal if principal == "*" else {"AWS": principal}
    return {"Effect": "Allow", "Principal": named, "Action": actions, "Resource": "*", **extra}


def deny(principal: Any, actions: Any, **extra: Any) -> Statement:
    return {**allow(principal, actions, **extra), "Effect": "Deny"}


ADMIN_STATEMENT = allow(ADMIN, "kms:*")


def document(*statements: Statement) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def make_key(admin: Client, *statements: Statement, **create: Any) -> str:
    """A key whose policy is the admin's statement and ``statements``; its ARN."""
    policy = document(ADMIN_STATEMENT, *statements)
    arn: str = admin.create_key(Policy=policy, **create)["KeyMetadata"]["Arn"]
    return arn


def set_policy(admin: Client, key: str, *statements: Statement) -> None:
    admin.put_key_policy(KeyId=key, PolicyName="default", Policy=document(*statements))


def not_allowed(principal: str, action: str, key: str) -> tuple[str, str]:
    return (
        "AccessDeniedException",
        f"User: {principal} is not authorized to perform: kms:{action} on resource: {key} "
        f"because no resource-based policy allows the kms:{action} action",
    )


def explicitly_denied(principal: str, action: str, key: str) -> tuple[str, str]:
    return (
        "AccessDeniedException",
        f"User: {principal} is not authorized to perform: kms:{action} on resource: {key} "
        "with an explicit deny in a resource-based policy",
    )


def context_args(context: dict[str, str] | None, member: str = "EncryptionContext") -> Any:
    return {member: context} if context else {}


def encrypt(client: Client, key: str, context: dict[str, str] | None = None) -> Any:
    return client.encrypt(KeyId=key, Plaintext=b"secret", **context_args(context))


def key_id_of(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


# What one call of each key-policy operation looks like, for a client and a key ARN.
OPERATIONS: dict[str, Callable[[Client, str], Any]] = {
    "Encrypt": lambda c, k: encrypt(c, k),
    "GenerateDataKey": lambda c, k: c.generate_data_key(KeyId=k, KeySpec="AES_256"),
    "GenerateDataKeyWithoutPlaintext": lambda c, k: c.generate_data_key_without_plaintext(
        KeyId=k, KeySpec="AES_256"
    ),
    "GenerateDataKeyPair": lambda c, k: c.generate_data_key_pair(
        KeyId=k, KeyPairSpec="ECC_NIST_P256"
    ),
    "DescribeKey": lambda c, k: c.describe_key(KeyId=k),
    "GetKeyPolicy": lambda c, k: c.get_key_policy(KeyId=k, PolicyName="default"),
    "ListKeyPolicies": lambda c, k: c.list_key_policies(KeyId=k),
    "PutKeyPolicy": lambda c, k: c.put_key_policy(
        KeyId=k,
        PolicyName="default",
        Policy=document(ADMIN_STATEMENT),
        BypassPolicyLockoutSafetyCheck=True,
    ),
    "DisableKey": lambda c, k: c.disable_key(KeyId=k),
    "EnableKey": lambda c, k: c.enable_key(KeyId=k),
    "ScheduleKeyDeletion": lambda c, k: c.schedule_key_deletion(KeyId=k, PendingWindowInDays=7),
    "UpdateKeyDescription": lambda c, k: c.update_key_description(KeyId=k, Description="x"),
    "TagResource": lambda c, k: c.tag_resource(KeyId=k, Tags=[{"TagKey": "a", "TagValue": "b"}]),
    "UntagResource": lambda c, k: c.untag_resource(KeyId=k, TagKeys=["a"]),
    "ListResourceTags": lambda c, k: c.list_resource_tags(KeyId=k),
    "CreateGrant": lambda c, k: c.create_grant(
        KeyId=k, GranteePrincipal=OTHER_ROLE, Operations=["Decrypt"]
    ),
    "ListGrants": lambda c, k: c.list_grants(KeyId=k),
    "RevokeGrant": lambda c, k: c.revoke_grant(KeyId=k, GrantId="0" * 64),
    "EnableKeyRotation": lambda c, k: c.enable_key_rotation(KeyId=k),
    "GetKeyRotationStatus": lambda c, k: c.get_key_rotation_status(KeyId=k),
    "RotateKeyOnDemand": lambda c, k: c.rotate_key_on_demand(KeyId=k),
    "CreateAlias": lambda c, k: c.create_alias(AliasName="alias/new", TargetKeyId=k),
}


# Operations taking an encryption context, as conditions and grant constraints see it.
CONTEXT_OPERATIONS = ["Encrypt", "Decrypt", "GenerateDataKey"]


def run_with_context(
    operation: str, admin: Client, role: Client, key: str, context: dict[str, str] | None
) -> Any:
    """One call of ``operation`` by ``role`` with ``context``; for Decrypt, of what the
    admin encrypted with it."""
    if operation == "Encrypt":
        return encrypt(role, key, context)
    if operation == "GenerateDataKey":
        return role.generate_data_key(KeyId=key, KeySpec="AES_256", **context_args(context))
    assert operation == "Decrypt"
    blob = encrypt(admin, key, context)["CiphertextBlob"]
    return role.decrypt(CiphertextBlob=blob, **context_args(context))


def grant(admin: Client, key: str, operations: list[str], **extra: Any) -> dict[str, str]:
    """A grant of ``operations`` on ``key`` to ROLE (or to ``grantee``)."""
    found: dict[str, str] = admin.create_grant(
        KeyId=key, GranteePrincipal=extra.pop("grantee", ROLE), Operations=operations, **extra
    )
    return found
