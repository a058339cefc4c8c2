"""Key identifiers: the four KeyId forms, ARNs, and where each form is accepted.

KMS accepts a key ID, key ARN, alias name or alias ARN depending on the operation and
parameter (docs/kms-behaviour.md#identifier-forms), and only some operations accept
another account's key (docs/kms-behaviour.md#cross-account). Both tables live here so
that resolution is decided in one place (``_context.RequestContext.key``).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from kmsmock.wire.aws_errors import InvalidArnException, NotFoundException, declared_or

# A UUID in any letter case, or mrk- and 32 hex digits (docs/kms-behaviour.md#key-ids).
KEY_ID_PATTERN = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|mrk-[0-9a-fA-F]{32}"
)
_ARN = re.compile(r"arn:([a-z-]+):kms:([a-z0-9-]*):(\d*):(key|alias)/(.+)")

# Operations whose KeyId parameter also takes alias names and alias ARNs
# (docs/kms-behaviour.md#identifier-forms).
ALIAS_ACCEPTING = frozenset(
    {
        "Decapsulate",
        "Decrypt",
        "DeriveSharedSecret",
        "DescribeKey",
        "Encapsulate",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateMac",
        "GetPublicKey",
        "ReEncrypt",
        "Sign",
        "Verify",
        "VerifyMac",
    }
)

# Operations the model documents as "Cross-account use: Yes" (docs/kms-behaviour.md#cross-account).
CROSS_ACCOUNT = frozenset(
    {
        "CreateGrant",
        "Decapsulate",
        "Decrypt",
        "DeriveSharedSecret",
        "DescribeKey",
        "Encapsulate",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateMac",
        "GetKeyRotationStatus",
        "GetPublicKey",
        "ListGrants",
        "ReEncrypt",
        "RetireGrant",
        "RevokeGrant",
        "Sign",
        "Verify",
        "VerifyMac",
    }
)


def in_china(region: str) -> bool:
    """China's Regions (partition aws-cn) have SM2 and 128-bit SM4 symmetric keys."""
    return region.startswith("cn-")


def partition_of(region: str) -> str:
    if in_china(region):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def key_arn(region: str, account: str, key_id: str) -> str:
    return f"arn:{partition_of(region)}:kms:{region}:{account}:key/{key_id}"


def alias_arn(region: str, account: str, alias_name: str) -> str:
    # The alias ARN keeps the "alias/" prefix as its resource type.
    return f"arn:{partition_of(region)}:kms:{region}:{account}:{alias_name}"


def is_key_id(value: str) -> bool:
    return KEY_ID_PATTERN.fullmatch(value) is not None


class Arn(NamedTuple):
    region: str
    account: str
    resource: str  # "key" or "alias"
    name: str  # key ID, or alias name with its "alias/" prefix


def parse_arn(value: str, operation: str) -> Arn:
    """The parts of a KMS key or alias ARN given to ``operation``."""
    match = _ARN.fullmatch(value)
    if match is None:
        # Unverified against AWS: the message (docs/kms-behaviour.md#key-arns).
        message = f"ARN {value} is not valid"
        raise declared_or(operation, InvalidArnException(message), NotFoundException(message))
    _partition, region, account, resource, rest = match.groups()
    name = f"alias/{rest}" if resource == "alias" else rest
    return Arn(region=region, account=account, resource=resource, name=name)
