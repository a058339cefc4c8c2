"""AWS managed keys: the ``alias/aws/<service>`` aliases KMS predefines in every account.

They are listed by ListAliases without a target until first used; KMS creates
the key behind one when it is first named (docs/kms-behaviour.md#aws-managed-keys).
"""

from __future__ import annotations

# Service -> what its key protects, as the key's description says [U wording].
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
