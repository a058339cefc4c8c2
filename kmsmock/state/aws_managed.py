"""AWS managed keys: the ``alias/aws/<service>`` aliases KMS predefines in every account.

They are listed by ListAliases without a target until first used; KMS creates
the key behind one when it is first named (docs/kms-behaviour.md#aws-managed-keys).
Here are their names, that key (``create``), its policy, and what the policy denies
to its account.
"""

from __future__ import annotations

from kmsmock.crypto.specs import ENCRYPT_DECRYPT, KEY_SPECS
from kmsmock.state import rotation as _rotation
from kmsmock.state.backend import Alias, KmsBackend
from kmsmock.state.ids import partition_of
from kmsmock.state.keys import Key, KeyState

# Service -> what its key protects, as the key's description says.
# Unverified against AWS: the wording of these descriptions.
PREDEFINED: dict[str, str] = {
    "acm": "ACM private keys",
    "dynamodb": "DynamoDB data",
    "ebs": "EBS volumes",
    "elasticfilesystem": "Elastic File Systems",
    "es": "Elasticsearch data",
    "glue": "Glue data",
    "kinesisvideo": "Kinesis Video Streams data",
    "lambda": "Lambda functions",
    "rds": "RDS database volumes",
    "redshift": "Redshift data",
    "s3": "S3 objects",
    "secretsmanager": "Secrets Manager data",
    "ssm": "SSM parameters",
    "xray": "X-Ray data",
}

RESERVED_PREFIX = "alias/aws/"
# ListAliases lists these in every account, sorted by name as it sorts aliases.
ALIAS_NAMES = sorted(f"{RESERVED_PREFIX}{service}" for service in PREDEFINED)

# Operations an AWS managed key's policy does not allow its account to call.
DENIED_OPERATIONS = frozenset(
    {
        "CancelKeyDeletion",
        "CreateAlias",
        "DeleteImportedKeyMaterial",
        "DisableKey",
        "DisableKeyRotation",
        "EnableKey",
        "EnableKeyRotation",
        "GetParametersForImport",
        "ImportKeyMaterial",
        "PutKeyPolicy",
        "ReplicateKey",
        "RotateKeyOnDemand",
        "ScheduleKeyDeletion",
        "TagResource",
        "UntagResource",
        "UpdateAlias",
        "UpdateKeyDescription",
        "UpdatePrimaryRegion",
    }
)


def service_of(alias_name: str) -> str | None:
    """The service of a predefined AWS alias name, or None."""
    if alias_name.startswith(RESERVED_PREFIX):
        service = alias_name[len(RESERVED_PREFIX) :]
        if service in PREDEFINED:
            return service
    return None


def description(service: str) -> str:
    return f"Default key that protects my {PREDEFINED[service]} when no other key is defined"


def create(
    backend: KmsBackend, account: str, region: str, service: str, alias_name: str, now: float
) -> Key:
    """The AWS managed key of ``service``, created as KMS creates it when its alias is
    first used: with its alias, its policy, and yearly rotation."""
    entropy = backend.entropy
    key = Key(
        key_id=entropy.uuid4(),
        account=account,
        region=region,
        spec=KEY_SPECS["SYMMETRIC_DEFAULT"],
        usage=ENCRYPT_DECRYPT,
        origin="AWS_KMS",
        description=description(service),
        created=now,
        state=KeyState.ENABLED,
        key_manager="AWS",
        policy=policy(service, region, account),
        material_id=entropy.hex(32),
    )
    state = backend.account_region(account, region)
    state.add_key(key)
    state.add_alias(Alias(alias_name, key.key_id, now, now))
    # AWS managed keys rotate every year (docs/kms-behaviour.md#aws-managed-keys).
    _rotation.enable(backend, key, 365, now)
    return key


def policy(service: str, region: str, account: str) -> str:
    """The policy of an AWS managed key: use through the service, metadata to the account."""
    partition = partition_of(region)
    return (
        "{\n"
        '  "Version" : "2012-10-17",\n'
        f'  "Id" : "auto-{service}-1",\n'
        '  "Statement" : [ {\n'
        f'    "Sid" : "Allow access through {service} for all principals in the account that '
        f'are authorized to use {service}",\n'
        '    "Effect" : "Allow",\n'
        '    "Principal" : {\n'
        '      "AWS" : "*"\n'
        "    },\n"
        '    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", '
        '"kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey" ],\n'
        '    "Resource" : "*",\n'
        '    "Condition" : {\n'
        '      "StringEquals" : {\n'
        f'        "kms:CallerAccount" : "{account}",\n'
        f'        "kms:ViaService" : "{service}.{region}.amazonaws.com"\n'
        "      }\n"
        "    }\n"
        "  }, {\n"
        '    "Sid" : "Allow direct access to key metadata to the account",\n'
        '    "Effect" : "Allow",\n'
        '    "Principal" : {\n'
        f'      "AWS" : "arn:{partition}:iam::{account}:root"\n'
        "    },\n"
        '    "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*" ],\n'
        '    "Resource" : "*"\n'
        "  } ]\n"
        "}"
    )
