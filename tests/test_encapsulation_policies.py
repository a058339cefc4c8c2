"""Key policies and grants for Encapsulate and Decapsulate under ``enforce_policies``."""

from __future__ import annotations

import json
import zlib
from typing import Any

import boto3
import pytest

from kmsmock import KmsMock
from tests._support import ACCOUNT, OTHER_ACCOUNT, REGION, model_has_operation, refused

pytestmark = [
    pytest.mark.kms_mock(enforce_policies=True),
    pytest.mark.skipif(
        not model_has_operation("Encapsulate"),
        reason="the installed botocore's KMS model has no Encapsulate (botocore 1.44 on)",
    ),
]

ADMIN = f"arn:aws:iam::{ACCOUNT}:user/admin"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
FOREIGN_ROLE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/partner"


def client_as(kms_mock: KmsMock, principal: str) -> Any:
    access_key_id = f"AKIAKEMTEST{zlib.crc32(principal.encode()):010d}"
    kms_mock.identities.add(access_key_id, account_id=principal.split(":")[4], arn=principal)
    return boto3.client(
        "kms", region_name=REGION, aws_access_key_id=access_key_id, aws_secret_access_key="x"
    )


def statement(principal: str, actions: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions, "Resource": "*"}


def ml_kem_key(admin: Any, *statements: dict[str, Any]) -> str:
    policy = json.dumps(
        {"Version": "2012-10-17", "Statement": [statement(ADMIN, "kms:*"), *statements]}
    )
    arn: str = admin.create_key(
        KeySpec="ML_KEM_768", KeyUsage="ENCAPSULATE_DECAPSULATE", Policy=policy
    )["KeyMetadata"]["Arn"]
    return arn


def not_allowed(principal: str, action: str, key: str) -> tuple[str, str]:
    return (
        "AccessDeniedException",
        f"User: {principal} is not authorized to perform: kms:{action} on resource: {key} "
        f"because no resource-based policy allows the kms:{action} action",
    )


def encapsulate(client: Any, key: str) -> Any:
    return client.encapsulate(KeyId=key, EncapsulationAlgorithm="ML_KEM")


def decapsulate(client: Any, key: str, blob: bytes) -> Any:
    return client.decapsulate(
        KeyId=key, EncapsulationAlgorithm="ML_KEM", SharedSecretCiphertextBlob=blob
    )


def test_encapsulate_allowed_by_policy_decapsulate_not(kms_mock):
    admin = client_as(kms_mock, ADMIN)
    key = ml_kem_key(admin, statement(ROLE, "kms:Encapsulate"))
    role = client_as(kms_mock, ROLE)
    blob = encapsulate(role, key)["SharedSecretCiphertextBlob"]
    assert refused(lambda: decapsulate(role, key, blob)) == not_allowed(ROLE, "Decapsulate", key)


def test_decapsulate_allowed_by_grant(kms_mock):
    admin = client_as(kms_mock, ADMIN)
    key = ml_kem_key(admin)
    role = client_as(kms_mock, ROLE)
    made = encapsulate(admin, key)
    blob = made["SharedSecretCiphertextBlob"]
    assert refused(lambda: decapsulate(role, key, blob)) == not_allowed(ROLE, "Decapsulate", key)
    admin.create_grant(KeyId=key, GranteePrincipal=ROLE, Operations=["Decapsulate"])
    assert decapsulate(role, key, blob)["SharedSecret"] == made["SharedSecret"]
    assert refused(lambda: encapsulate(role, key)) == not_allowed(ROLE, "Encapsulate", key)


def test_encapsulate_from_another_account_by_key_arn(kms_mock):
    admin = client_as(kms_mock, ADMIN)
    key = ml_kem_key(admin, statement(FOREIGN_ROLE, ["kms:Encapsulate", "kms:Decapsulate"]))
    partner = client_as(kms_mock, FOREIGN_ROLE)
    made = encapsulate(partner, key)
    assert made["KeyId"] == key
    blob = made["SharedSecretCiphertextBlob"]
    assert decapsulate(partner, key, blob)["SharedSecret"] == made["SharedSecret"]
