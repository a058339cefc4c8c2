"""Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases, and aliases as key
identifiers (docs/kms-behaviour.md#aliases, docs/kms-behaviour.md#identifier-forms,
docs/kms-behaviour.md#alias-operations)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import freezegun
import pytest
from botocore.exceptions import ClientError

from kmsmock.operations import HANDLERS
from kmsmock.state.ids import ALIAS_ACCEPTING
from kmsmock.state.keys import KeyState
from tests._support import (
    ACCOUNT,
    ARN_PREFIX,
    MS,
    ROOT,
    UNKNOWN_KEY_ID,
    assert_valid_output,
    body,
    error,
    force_state,
    key_arn,
    new_key,
    service_model,
)

PREDEFINED = [
    "alias/aws/acm",
    "alias/aws/dynamodb",
    "alias/aws/ebs",
    "alias/aws/elasticfilesystem",
    "alias/aws/es",
    "alias/aws/glue",
    "alias/aws/kinesisvideo",
    "alias/aws/lambda",
    "alias/aws/rds",
    "alias/aws/redshift",
    "alias/aws/s3",
    "alias/aws/secretsmanager",
    "alias/aws/ssm",
    "alias/aws/xray",
]


def alias_arn(name: str) -> str:
    return f"{ARN_PREFIX}:{name}"


def now() -> datetime:
    return datetime.now(timezone.utc)


def aliases(client: Any, **params: Any) -> dict[str, dict[str, Any]]:
    """ListAliases by name, in one page (the tests stay below 100 aliases)."""
    response = client.list_aliases(**{"Limit": 100, **params})
    assert response["Truncated"] is False
    return {a["AliasName"]: a for a in response["Aliases"]}


def target_of(client: Any, name: str) -> str | None:
    target: str | None = aliases(client)[name].get("TargetKeyId")
    return target


def denied(operation: str, resource: str) -> tuple[str, str]:
    return (
        "AccessDeniedException",
        f"User: {ROOT} is not authorized to perform: kms:{operation} on resource: {resource} "
        f"because no resource-based policy allows the kms:{operation} action",
    )


# CreateAlias ------------------------------------------------------------------------


def test_create_alias_new_alias_is_listed(client, key_id):
    before = now()
    response = client.create_alias(AliasName="alias/payments", TargetKeyId=key_id)
    after = now()
    assert body(response) == {}
    entry = aliases(client)["alias/payments"]
    assert set(entry) == {
        "AliasName",
        "AliasArn",
        "TargetKeyId",
        "CreationDate",
        "LastUpdatedDate",
    }
    assert entry["AliasName"] == "alias/payments"
    assert entry["AliasArn"] == alias_arn("alias/payments")
    assert entry["TargetKeyId"] == key_id
    assert before - MS <= entry["CreationDate"] <= after + MS
    assert entry["LastUpdatedDate"] == entry["CreationDate"]


def test_create_alias_target_by_key_arn_is_accepted(client, key_id):
    client.create_alias(AliasName="alias/by-arn", TargetKeyId=key_arn(key_id))
    assert target_of(client, "alias/by-arn") == key_id


def test_create_alias_name_with_allowed_characters_is_accepted(client, key_id):
    client.create_alias(AliasName="alias/Team_A/app-1", TargetKeyId=key_id)
    assert target_of(client, "alias/Team_A/app-1") == key_id


def test_create_alias_names_are_case_sensitive(client, key_id):
    other = new_key(client)
    client.create_alias(AliasName="alias/Name", TargetKeyId=key_id)
    client.create_alias(AliasName="alias/name", TargetKeyId=other)
    assert (target_of(client, "alias/Name"), target_of(client, "alias/name")) == (key_id, other)


def test_create_alias_without_prefix_raises_validation(client, key_id):
    with pytest.raises(ClientError) as info:
        client.create_alias(AliasName="payments", TargetKeyId=key_id)
    assert error(info.value) == (
        "ValidationException",
        'Alias must start with the prefix "alias/". Please see '
        "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
    )


def test_create_alias_colon_in_name_raises_validation(client, key_id):
    with pytest.raises(ClientError) as info:
        client.create_alias(AliasName="alias/my:alias", TargetKeyId=key_id)
    assert error(info.value) == (
        "ValidationException",
        "alias/my:alias contains invalid characters for an alias",
    )
    assert "alias/my:alias" not in aliases(client)


@pytest.mark.parametrize("name", ["alias/my-alias!", "alias/a$b", "alias/a@b", "alias/a b"])
def test_create_alias_pattern_violation_raises_validation(client, key_id, name):
    with pytest.raises(ClientError) as info:
        client.create_alias(AliasName=name, TargetKeyId=key_id)
    assert error(info.value) == (
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
    )


def test_create_alias_name_longer_than_256_raises_validation(client, key_id):
    name = "alias/" + "a" * 251
    with pytest.raises(ClientError) as info:
        client.create_alias(AliasName=name, TargetKeyId=key_id)
    assert error(info.value) == (
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy "
        "constraint: Member must have length less than or equal to 256",
    )


@pytest.mark.parametrize("name", ["alias/aws/s3", "alias/aws/mine"])
def test_create_alias_reserved_aws_prefix_raises_access_denied(client, key_id, name):
    with pytest.raises(ClientError) as info:
        client.create_alias(AliasName=name, TargetKeyId=key_id)
    assert error(info.value) == denied("CreateAlias", alias_arn(name))
    assert "TargetKeyId" not in aliases(client).get(name, {})


def test_create_alias_duplicate_name_raises_already_exists(client, key_id):
    other = new_key(client)
    client.create_alias(AliasName="alias/taken", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.create_alias(AliasName="alias/taken", TargetKeyId=other)
    assert error(info.value) == (
        "AlreadyExistsException",
        f"An alias with the name {alias_arn('alias/taken')} already exists",
    )
    assert target_of(client, "alias/taken") == key_id


@pytest.mark.parametrize("form", ["name", "arn"])
def test_create_alias_target_given_as_alias_raises_not_found(client, key_id, form):
    client.create_alias(AliasName="alias/first", TargetKeyId=key_id)
    target = "alias/first" if form == "name" else alias_arn("alias/first")
    with pytest.raises(ClientError) as info:
        client.create_alias(AliasName="alias/second", TargetKeyId=target)
    assert error(info.value) == ("NotFoundException", f"Invalid keyId '{target}'")
    assert "alias/second" not in aliases(client)


def test_create_alias_unknown_target_raises_not_found(client):
    with pytest.raises(ClientError) as info:
        client.create_alias(AliasName="alias/orphan", TargetKeyId=UNKNOWN_KEY_ID)
    assert error(info.value) == (
        "NotFoundException",
        f"Key '{key_arn(UNKNOWN_KEY_ID)}' does not exist",
    )


def test_create_alias_target_pending_deletion_raises_invalid_state(client, key_id):
    client.schedule_key_deletion(KeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.create_alias(AliasName="alias/late", TargetKeyId=key_id)
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending deletion.",
    )
    assert "alias/late" not in aliases(client)


@pytest.mark.parametrize("origin", ["disabled", "external"])
def test_create_alias_target_disabled_or_pending_import_is_accepted(client, origin):
    if origin == "external":
        key_id = new_key(client, Origin="EXTERNAL")
    else:
        key_id = new_key(client)
        client.disable_key(KeyId=key_id)
    client.create_alias(AliasName="alias/ok", TargetKeyId=key_id)
    assert target_of(client, "alias/ok") == key_id


def test_create_alias_target_aws_managed_key_raises_access_denied(client):
    managed = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as info:
        client.create_alias(AliasName="alias/mine", TargetKeyId=managed)
    assert error(info.value) == denied("CreateAlias", key_arn(managed))


def test_create_alias_51st_alias_for_key_raises_limit_exceeded(client, key_id):
    for n in range(50):
        client.create_alias(AliasName=f"alias/a{n:02d}", TargetKeyId=key_id)
    assert len(client.list_aliases(KeyId=key_id, Limit=100)["Aliases"]) == 50
    with pytest.raises(ClientError) as info:
        client.create_alias(AliasName="alias/a50", TargetKeyId=key_id)
    # Unverified against AWS: the message (docs/kms-behaviour.md#quotas); kmsmock's text.
    assert error(info.value) == (
        "LimitExceededException",
        f"Cannot create more than 50 aliases for key {key_arn(key_id)}.",
    )
    assert "alias/a50" not in aliases(client)
    # The limit is per key: another key still takes aliases.
    client.create_alias(AliasName="alias/a50", TargetKeyId=new_key(client))


def test_create_alias_same_name_in_other_region_is_independent(client, key_id):
    west = boto3.client("kms", region_name="us-west-2")
    west_key = west.create_key()["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName="alias/shared", TargetKeyId=key_id)
    west.create_alias(AliasName="alias/shared", TargetKeyId=west_key)
    assert target_of(client, "alias/shared") == key_id
    assert target_of(west, "alias/shared") == west_key


# Aliases as key identifiers ---------------------------------------------------------


@pytest.mark.parametrize("form", ["name", "arn"])
def test_describe_key_by_alias_returns_target_key(client, key_id, form):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    identifier = "alias/app" if form == "name" else alias_arn("alias/app")
    response = client.describe_key(KeyId=identifier)
    assert_valid_output("DescribeKey", response)
    assert response["KeyMetadata"]["KeyId"] == key_id
    assert response["KeyMetadata"]["Arn"] == key_arn(key_id)


@pytest.mark.parametrize("form", ["name", "arn"])
def test_describe_key_unknown_alias_raises_not_found(client, form):
    identifier = "alias/missing" if form == "name" else alias_arn("alias/missing")
    with pytest.raises(ClientError) as info:
        client.describe_key(KeyId=identifier)
    assert error(info.value) == (
        "NotFoundException",
        f"Alias {alias_arn('alias/missing')} is not found.",
    )


def test_describe_key_alias_arn_from_other_region_raises_not_found(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.describe_key(KeyId=f"arn:aws:kms:us-west-2:{ACCOUNT}:alias/app")
    assert error(info.value) == ("NotFoundException", "Invalid arn us-west-2")


def test_describe_key_alias_of_pending_deletion_key_is_answered(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    client.schedule_key_deletion(KeyId=key_id)
    assert client.describe_key(KeyId="alias/app")["KeyMetadata"]["KeyState"] == "PendingDeletion"


# How to call each operation whose KeyId accepts alias forms
# (docs/kms-behaviour.md#identifier-forms). Only the implemented ones run; a newly implemented one
# needs a row here.
_MSG = b"message"
ALIAS_CALLS: dict[str, Callable[[Any, str], Any]] = {
    "DescribeKey": lambda c, k: c.describe_key(KeyId=k),
    "Encrypt": lambda c, k: c.encrypt(KeyId=k, Plaintext=_MSG),
    "GenerateDataKey": lambda c, k: c.generate_data_key(KeyId=k, KeySpec="AES_256"),
    "GenerateDataKeyWithoutPlaintext": lambda c, k: c.generate_data_key_without_plaintext(
        KeyId=k, KeySpec="AES_256"
    ),
    "GenerateDataKeyPair": lambda c, k: c.generate_data_key_pair(KeyId=k, KeyPairSpec="RSA_2048"),
    "GenerateDataKeyPairWithoutPlaintext": (
        lambda c, k: c.generate_data_key_pair_without_plaintext(KeyId=k, KeyPairSpec="RSA_2048")
    ),
    "ReEncrypt": lambda c, k: c.re_encrypt(
        CiphertextBlob=c.encrypt(KeyId=k, Plaintext=_MSG)["CiphertextBlob"],
        SourceKeyId=k,
        DestinationKeyId=k,
    ),
    "Decrypt": lambda c, k: c.decrypt(
        CiphertextBlob=c.encrypt(KeyId=k, Plaintext=_MSG)["CiphertextBlob"], KeyId=k
    ),
}
# Operations whose alias test needs a key of another type than symmetric encryption.
ALIAS_CALL_KEYS: dict[str, dict[str, str]] = {
    "GenerateMac": {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
    "VerifyMac": {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
    "Sign": {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"},
    "Verify": {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"},
    "GetPublicKey": {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"},
    "DeriveSharedSecret": {"KeySpec": "ECC_NIST_P256", "KeyUsage": "KEY_AGREEMENT"},
    "Encapsulate": {"KeySpec": "ML_KEM_768", "KeyUsage": "ENCAPSULATE_DECAPSULATE"},
    "Decapsulate": {"KeySpec": "ML_KEM_768", "KeyUsage": "ENCAPSULATE_DECAPSULATE"},
}
ALIAS_CALLS.update(
    {
        "GenerateMac": lambda c, k: c.generate_mac(
            KeyId=k, Message=_MSG, MacAlgorithm="HMAC_SHA_256"
        ),
        "VerifyMac": lambda c, k: c.verify_mac(
            KeyId=k,
            Message=_MSG,
            MacAlgorithm="HMAC_SHA_256",
            Mac=c.generate_mac(KeyId=k, Message=_MSG, MacAlgorithm="HMAC_SHA_256")["Mac"],
        ),
        "Sign": lambda c, k: c.sign(KeyId=k, Message=_MSG, SigningAlgorithm="ECDSA_SHA_256"),
        "Verify": lambda c, k: c.verify(
            KeyId=k,
            Message=_MSG,
            SigningAlgorithm="ECDSA_SHA_256",
            Signature=c.sign(KeyId=k, Message=_MSG, SigningAlgorithm="ECDSA_SHA_256")["Signature"],
        ),
        "GetPublicKey": lambda c, k: c.get_public_key(KeyId=k),
        "DeriveSharedSecret": lambda c, k: c.derive_shared_secret(
            KeyId=k,
            KeyAgreementAlgorithm="ECDH",
            PublicKey=c.get_public_key(KeyId=k)["PublicKey"],
        ),
        "Encapsulate": lambda c, k: c.encapsulate(KeyId=k, EncapsulationAlgorithm="ML_KEM"),
        "Decapsulate": lambda c, k: c.decapsulate(
            KeyId=k,
            EncapsulationAlgorithm="ML_KEM",
            SharedSecretCiphertextBlob=c.encapsulate(KeyId=k, EncapsulationAlgorithm="ML_KEM")[
                "SharedSecretCiphertextBlob"
            ],
        ),
    }
)
# Operations a newer model adds (Encapsulate) run only where the installed model has them.
IMPLEMENTED_ALIAS_ACCEPTING = sorted(
    ALIAS_ACCEPTING & set(HANDLERS) & set(service_model().operation_names)
)


def test_alias_calls_table_covers_every_implemented_alias_accepting_operation():
    assert set(ALIAS_ACCEPTING) <= set(ALIAS_CALLS)


@pytest.mark.parametrize("operation", IMPLEMENTED_ALIAS_ACCEPTING)
@pytest.mark.parametrize("form", ["name", "arn"])
def test_alias_accepting_operation_by_alias_resolves_to_target(client, operation, form):
    key_id = new_key(client, **ALIAS_CALL_KEYS.get(operation, {}))
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    identifier = "alias/app" if form == "name" else alias_arn("alias/app")
    response = ALIAS_CALLS[operation](client, identifier)
    assert_valid_output(operation, response)
    named = response.get("KeyMetadata", {}).get("KeyId") or response.get("KeyId")
    assert named in (key_id, key_arn(key_id))


# UpdateAlias ------------------------------------------------------------------------


def test_update_alias_same_type_target_moves_alias(client, kms_mock, key_id):
    other = new_key(client)
    with freezegun.freeze_time("2024-05-01T10:00:00Z"):
        client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
        kms_mock.clock.advance(seconds=5)
        response = client.update_alias(AliasName="alias/app", TargetKeyId=other)
    assert body(response) == {}
    entry = aliases(client)["alias/app"]
    assert entry["TargetKeyId"] == other
    created = datetime(2024, 5, 1, 10, 0, 0, tzinfo=timezone.utc)
    assert entry["CreationDate"] == created
    assert entry["LastUpdatedDate"] == created + timedelta(seconds=5)
    assert client.describe_key(KeyId="alias/app")["KeyMetadata"]["KeyId"] == other


def test_update_alias_last_updated_date_moves_with_clock(client, kms_mock, key_id):
    other = new_key(client)
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    before = aliases(client)["alias/app"]
    kms_mock.clock.advance(seconds=5)
    client.update_alias(AliasName="alias/app", TargetKeyId=key_arn(other))
    after = aliases(client)["alias/app"]
    assert after["CreationDate"] == before["CreationDate"]
    moved = after["LastUpdatedDate"] - before["LastUpdatedDate"]
    assert timedelta(seconds=5) <= moved < timedelta(seconds=65)


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        pytest.param(
            {},
            {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"},
            "from a key of type symmetric with key usage ENCRYPT_DECRYPT to a key of type "
            "asymmetric with key usage SIGN_VERIFY.",
            id="symmetric-to-rsa-sign",
        ),
        pytest.param(
            {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
            {},
            "from a key of type HMAC with key usage GENERATE_VERIFY_MAC to a key of type "
            "symmetric with key usage ENCRYPT_DECRYPT.",
            id="hmac-to-symmetric",
        ),
        pytest.param(
            {"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"},
            {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"},
            "from a key of type asymmetric with key usage ENCRYPT_DECRYPT to a key of type "
            "asymmetric with key usage SIGN_VERIFY.",
            id="rsa-encrypt-to-rsa-sign",
        ),
        pytest.param(
            {},
            {"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"},
            "from a key of type symmetric with key usage ENCRYPT_DECRYPT to a key of type "
            "asymmetric with key usage ENCRYPT_DECRYPT.",
            id="symmetric-to-rsa-encrypt",
        ),
    ],
)
def test_update_alias_type_or_usage_mismatch_raises_validation(client, current, new, message):
    current_id = new_key(client, **current)
    new_id = new_key(client, **new)
    client.create_alias(AliasName="alias/app", TargetKeyId=current_id)
    with pytest.raises(ClientError) as info:
        client.update_alias(AliasName="alias/app", TargetKeyId=new_id)
    # Unverified against AWS: the message (docs/kms-behaviour.md#alias-operations); kmsmock's
    # wording.
    assert error(info.value) == (
        "ValidationException",
        f"Alias {alias_arn('alias/app')} cannot be changed {message} The target key must be "
        "the same type and have the same key usage.",
    )
    assert target_of(client, "alias/app") == current_id


def test_update_alias_asymmetric_same_usage_other_spec_is_accepted(client):
    rsa = new_key(client, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    ecc = new_key(client, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    client.create_alias(AliasName="alias/signer", TargetKeyId=rsa)
    client.update_alias(AliasName="alias/signer", TargetKeyId=ecc)
    assert target_of(client, "alias/signer") == ecc


def test_update_alias_hmac_other_spec_is_accepted(client):
    small = new_key(client, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    large = new_key(client, KeySpec="HMAC_512", KeyUsage="GENERATE_VERIFY_MAC")
    client.create_alias(AliasName="alias/mac", TargetKeyId=small)
    client.update_alias(AliasName="alias/mac", TargetKeyId=large)
    assert target_of(client, "alias/mac") == large


def test_update_alias_new_target_pending_deletion_raises_invalid_state(client, key_id):
    other = new_key(client)
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    client.schedule_key_deletion(KeyId=other)
    with pytest.raises(ClientError) as info:
        client.update_alias(AliasName="alias/app", TargetKeyId=other)
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(other)} is pending deletion.",
    )
    assert target_of(client, "alias/app") == key_id


def test_update_alias_current_target_pending_deletion_is_allowed(client, key_id):
    other = new_key(client)
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    client.schedule_key_deletion(KeyId=key_id)
    client.update_alias(AliasName="alias/app", TargetKeyId=other)
    assert target_of(client, "alias/app") == other


def test_update_alias_new_target_disabled_is_allowed(client, key_id):
    other = new_key(client)
    client.disable_key(KeyId=other)
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    client.update_alias(AliasName="alias/app", TargetKeyId=other)
    assert target_of(client, "alias/app") == other


def test_update_alias_unknown_alias_raises_not_found(client, key_id):
    with pytest.raises(ClientError) as info:
        client.update_alias(AliasName="alias/missing", TargetKeyId=key_id)
    assert error(info.value) == (
        "NotFoundException",
        f"Alias {alias_arn('alias/missing')} is not found.",
    )
    assert "alias/missing" not in aliases(client)


def test_update_alias_unknown_target_raises_not_found(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.update_alias(AliasName="alias/app", TargetKeyId=UNKNOWN_KEY_ID)
    assert error(info.value) == (
        "NotFoundException",
        f"Key '{key_arn(UNKNOWN_KEY_ID)}' does not exist",
    )


def test_update_alias_target_given_as_alias_raises_not_found(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    client.create_alias(AliasName="alias/other", TargetKeyId=new_key(client))
    with pytest.raises(ClientError) as info:
        client.update_alias(AliasName="alias/app", TargetKeyId="alias/other")
    assert error(info.value) == ("NotFoundException", "Invalid keyId 'alias/other'")


def test_update_alias_aws_managed_alias_raises_access_denied(client, key_id):
    with pytest.raises(ClientError) as info:
        client.update_alias(AliasName="alias/aws/s3", TargetKeyId=key_id)
    assert error(info.value) == denied("UpdateAlias", alias_arn("alias/aws/s3"))


def test_update_alias_aws_managed_target_raises_access_denied(client, key_id):
    managed = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.update_alias(AliasName="alias/app", TargetKeyId=managed)
    assert error(info.value) == denied("UpdateAlias", key_arn(managed))
    assert target_of(client, "alias/app") == key_id


def test_update_alias_new_target_with_50_aliases_raises_limit_exceeded(client, key_id):
    full = new_key(client)
    for n in range(50):
        client.create_alias(AliasName=f"alias/a{n:02d}", TargetKeyId=full)
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.update_alias(AliasName="alias/app", TargetKeyId=full)
    assert error(info.value) == (
        "LimitExceededException",
        f"Cannot create more than 50 aliases for key {key_arn(full)}.",
    )
    assert target_of(client, "alias/app") == key_id


# DeleteAlias ------------------------------------------------------------------------


def test_delete_alias_removes_alias_and_keeps_key(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    response = client.delete_alias(AliasName="alias/app")
    assert body(response) == {}
    assert "alias/app" not in aliases(client)
    assert client.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    # The name is free again.
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)


def test_delete_alias_unknown_alias_raises_not_found(client):
    with pytest.raises(ClientError) as info:
        client.delete_alias(AliasName="alias/missing")
    assert error(info.value) == (
        "NotFoundException",
        f"Alias {alias_arn('alias/missing')} is not found.",
    )


def test_delete_alias_aws_managed_alias_raises_access_denied(client):
    client.describe_key(KeyId="alias/aws/s3")
    with pytest.raises(ClientError) as info:
        client.delete_alias(AliasName="alias/aws/s3")
    assert error(info.value) == denied("DeleteAlias", alias_arn("alias/aws/s3"))
    assert "TargetKeyId" in aliases(client)["alias/aws/s3"]


@pytest.mark.parametrize(
    "state",
    [
        KeyState.ENABLED,
        KeyState.DISABLED,
        KeyState.PENDING_DELETION,
        KeyState.PENDING_IMPORT,
        KeyState.UNAVAILABLE,
        KeyState.CREATING,
        KeyState.UPDATING,
        KeyState.PENDING_REPLICA_DELETION,
    ],
)
def test_delete_alias_any_key_state_is_allowed(client, kms_mock, key_id, state):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    force_state(kms_mock, key_id, state)
    client.delete_alias(AliasName="alias/app")
    assert "alias/app" not in aliases(client)


# ListAliases ------------------------------------------------------------------------


def test_list_aliases_fresh_account_lists_predefined_aws_aliases(client):
    response = client.list_aliases()
    assert_valid_output("ListAliases", response)
    assert response["Truncated"] is False
    assert "NextMarker" not in response
    assert response["Aliases"] == [
        {"AliasName": name, "AliasArn": alias_arn(name)} for name in PREDEFINED
    ]


def test_list_aliases_sorted_by_name(client, key_id):
    for name in ["alias/zeta", "alias/alpha", "alias/beta", "alias/b"]:
        client.create_alias(AliasName=name, TargetKeyId=key_id)
    names = [a["AliasName"] for a in client.list_aliases()["Aliases"]]
    assert names == sorted([*PREDEFINED, "alias/zeta", "alias/alpha", "alias/beta", "alias/b"])


@pytest.mark.parametrize("form", ["id", "arn"])
def test_list_aliases_key_filter_lists_only_that_keys_aliases(client, key_id, form):
    other = new_key(client)
    client.create_alias(AliasName="alias/mine-2", TargetKeyId=key_id)
    client.create_alias(AliasName="alias/mine-1", TargetKeyId=key_id)
    client.create_alias(AliasName="alias/theirs", TargetKeyId=other)
    response = client.list_aliases(KeyId=key_id if form == "id" else key_arn(key_id))
    assert_valid_output("ListAliases", response)
    assert [a["AliasName"] for a in response["Aliases"]] == ["alias/mine-1", "alias/mine-2"]
    assert {a["TargetKeyId"] for a in response["Aliases"]} == {key_id}
    assert response["Truncated"] is False


def test_list_aliases_key_filter_without_aliases_is_empty(client, key_id):
    response = client.list_aliases(KeyId=key_id)
    assert (response["Aliases"], response["Truncated"]) == ([], False)
    assert "NextMarker" not in response


def test_list_aliases_key_filter_pending_deletion_key_is_answered(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    client.schedule_key_deletion(KeyId=key_id)
    names = [a["AliasName"] for a in client.list_aliases(KeyId=key_id)["Aliases"]]
    assert names == ["alias/app"]


def test_list_aliases_unknown_key_filter_raises_not_found(client):
    with pytest.raises(ClientError) as info:
        client.list_aliases(KeyId=UNKNOWN_KEY_ID)
    assert error(info.value) == (
        "NotFoundException",
        f"Key '{key_arn(UNKNOWN_KEY_ID)}' does not exist",
    )


def test_list_aliases_alias_as_key_filter_raises_not_found(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.list_aliases(KeyId="alias/app")
    assert error(info.value) == ("NotFoundException", "Invalid keyId 'alias/app'")


def test_list_aliases_limit_and_marker_walk_every_alias_once(client, key_id):
    mine = [f"alias/app-{n}" for n in range(5)]
    for name in mine:
        client.create_alias(AliasName=name, TargetKeyId=key_id)
    expected = sorted([*PREDEFINED, *mine])
    seen: list[str] = []
    marker: str | None = None
    while True:
        params: dict[str, Any] = {"Limit": 4}
        if marker is not None:
            params["Marker"] = marker
        page = client.list_aliases(**params)
        assert_valid_output("ListAliases", page)
        seen.extend(a["AliasName"] for a in page["Aliases"])
        if not page["Truncated"]:
            assert "NextMarker" not in page
            break
        assert len(page["Aliases"]) == 4
        marker = page["NextMarker"]
    assert seen == expected


def test_list_aliases_exact_page_boundary_is_not_truncated(client):
    response = client.list_aliases(Limit=len(PREDEFINED))
    assert len(response["Aliases"]) == len(PREDEFINED)
    assert response["Truncated"] is False
    assert "NextMarker" not in response


def test_list_aliases_paginator_collects_every_alias(client, key_id):
    mine = [f"alias/p-{n:02d}" for n in range(12)]
    for name in mine:
        client.create_alias(AliasName=name, TargetKeyId=key_id)
    pages = list(client.get_paginator("list_aliases").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["Aliases"]) for p in pages] == [5, 5, 5, 5, 5, 1]
    names = [a["AliasName"] for p in pages for a in p["Aliases"]]
    assert names == sorted([*PREDEFINED, *mine])


def test_list_aliases_limit_above_100_is_clamped_to_100(client):
    # Limits above the documented maximum are clamped (docs/kms-behaviour.md#pagination).
    for n in range(90):
        if n % 45 == 0:
            key_id = new_key(client)
        client.create_alias(AliasName=f"alias/n{n:02d}", TargetKeyId=key_id)
    response = client.list_aliases(Limit=1000)
    assert len(response["Aliases"]) == 100
    assert response["Truncated"] is True
    rest = client.list_aliases(Limit=1000, Marker=response["NextMarker"])
    assert len(rest["Aliases"]) == 4
    assert rest["Truncated"] is False


def test_list_aliases_default_limit_is_50(client, key_id):
    for n in range(40):
        client.create_alias(AliasName=f"alias/n{n:02d}", TargetKeyId=key_id)
    response = client.list_aliases()
    assert len(response["Aliases"]) == 50
    assert response["Truncated"] is True
    assert "NextMarker" in response


def test_list_aliases_invalid_marker_raises_invalid_marker(client):
    with pytest.raises(ClientError) as info:
        client.list_aliases(Marker="not-a-marker")
    # Unverified against AWS: the message (docs/kms-behaviour.md#pagination); kmsmock's wording.
    assert error(info.value) == ("InvalidMarkerException", "Invalid marker: not-a-marker")
