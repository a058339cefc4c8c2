"""Multi-Region keys: ReplicateKey, UpdatePrimaryRegion, and what related keys share and
keep to themselves: material, rotation, deletion order
(docs/kms-behaviour.md#multi-region-operations, docs/kms-behaviour.md#multi-region-keys,
docs/kms-behaviour.md#key-states).

The primary is created in us-east-1 (the ``client`` fixture); replicas live in
eu-west-1 and ap-southeast-2, reached through their own boto3 clients.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from tests._support import (
    ACCOUNT,
    MS,
    REGION,
    assert_valid_output,
    body,
    error,
    mock_now,
    new_key,
    refused,
)

PRIMARY = REGION
EU = "eu-west-1"
AP = "ap-southeast-2"
DAY = timedelta(days=1)

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

CUSTOM_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Replica policy",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
)
ROLE_ONLY_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Admin"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
)

# (KeySpec, KeyUsage) of each kind of key a set can be made of.
KINDS: dict[str, tuple[str, str]] = {
    "symmetric": ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
    "ecc-signing": ("ECC_NIST_P256", "SIGN_VERIFY"),
    "rsa-encryption": ("RSA_2048", "ENCRYPT_DECRYPT"),
    "hmac": ("HMAC_256", "GENERATE_VERIFY_MAC"),
    "ecc-agreement": ("ECC_NIST_P256", "KEY_AGREEMENT"),
}
ASYMMETRIC = ["ecc-signing", "rsa-encryption", "ecc-agreement"]
ROTATION_SETTERS = ["EnableKeyRotation", "DisableKeyRotation", "RotateKeyOnDemand"]
CIPHERTEXT_GONE = (
    "AccessDeniedException",
    "The ciphertext refers to a customer master key that does not exist, does not exist "
    "in this region, or you are not allowed to access.",
)


# Helpers ---------------------------------------------------------------------------------


def arn(region: str, key_id: str) -> str:
    return f"arn:aws:kms:{region}:{ACCOUNT}:key/{key_id}"


def kms(region: str) -> Any:
    return boto3.client("kms", region_name=region)


def describe(client: Any, key_id: str) -> dict[str, Any]:
    metadata: dict[str, Any] = client.describe_key(KeyId=key_id)["KeyMetadata"]
    return metadata


def state(client: Any, key_id: str) -> str:
    found: str = describe(client, key_id)["KeyState"]
    return found


def material_id(client: Any, key_id: str) -> str:
    found: str = describe(client, key_id)["CurrentKeyMaterialId"]
    return found


def not_found(region: str, key_id: str) -> tuple[str, str]:
    return ("NotFoundException", f"Key '{arn(region, key_id)}' does not exist")


def assert_absent(region: str, key_id: str) -> None:
    assert refused(lambda: kms(region).describe_key(KeyId=key_id)) == not_found(region, key_id)


def multi_region_key(client: Any, kind: str = "symmetric", **extra: Any) -> str:
    """A new multi-Region primary key of ``kind`` (a KINDS name)."""
    return new_key(client, *KINDS[kind], MultiRegion=True, **extra)


def replicate(client: Any, key_id: str, region: str, **extra: Any) -> Any:
    """Replicate ``key_id`` into ``region``; returns a client for that Region."""
    client.replicate_key(KeyId=key_id, ReplicaRegion=region, **extra)
    return kms(region)


def configuration(key_id: str, primary: str, replicas: list[str], region: str) -> dict[str, Any]:
    """The MultiRegionConfiguration ``region``'s key of the set should report."""
    return {
        "MultiRegionKeyType": "PRIMARY" if region == primary else "REPLICA",
        "PrimaryKey": {"Arn": arn(primary, key_id), "Region": primary},
        "ReplicaKeys": [{"Arn": arn(r, key_id), "Region": r} for r in replicas],
    }


def sorted_configuration(metadata: dict[str, Any]) -> dict[str, Any]:
    """MultiRegionConfiguration with ReplicaKeys in Region order: after UpdatePrimaryRegion
    the order of the list is not documented."""
    found = dict(metadata["MultiRegionConfiguration"])
    found["ReplicaKeys"] = sorted(found["ReplicaKeys"], key=lambda entry: entry["Region"])
    return found


def encrypt(client: Any, key_id: str, plaintext: bytes) -> bytes:
    blob: bytes = client.encrypt(KeyId=key_id, Plaintext=plaintext)["CiphertextBlob"]
    return blob


def decrypted(client: Any, blob: bytes) -> tuple[bytes, str, str]:
    """(Plaintext, KeyId, KeyMaterialId) of a Decrypt without KeyId."""
    response = client.decrypt(CiphertextBlob=blob)
    return response["Plaintext"], response["KeyId"], response["KeyMaterialId"]


def rotation_status(client: Any, key_id: str) -> dict[str, Any]:
    """GetKeyRotationStatus without its KeyId, checked to be the ARN in the client's Region."""
    found = body(client.get_key_rotation_status(KeyId=key_id))
    assert found.pop("KeyId") == arn(client.meta.region_name, key_id)
    return found


def rotations(client: Any, key_id: str, include: str = "ROTATIONS_ONLY") -> list[dict[str, Any]]:
    response = client.list_key_rotations(KeyId=key_id, IncludeKeyMaterial=include)
    assert response["Truncated"] is False
    entries: list[dict[str, Any]] = response["Rotations"]
    return entries


def tag_list(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"TagKey": k, "TagValue": v} for k, v in pairs]


def listed_tags(client: Any, key_id: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = client.list_resource_tags(KeyId=key_id)["Tags"]
    return found


def public_key(client: Any, key_id: str) -> Any:
    return serialization.load_der_public_key(client.get_public_key(KeyId=key_id)["PublicKey"])


def der(public: Any) -> bytes:
    encoded: bytes = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return encoded


# Fixtures --------------------------------------------------------------------------------


@pytest.fixture
def eu(kms_mock: Any) -> Any:
    return kms(EU)


@pytest.fixture
def ap(kms_mock: Any) -> Any:
    return kms(AP)


@pytest.fixture
def mrk(client: Any) -> str:
    """A symmetric multi-Region primary key in us-east-1, not yet replicated."""
    return multi_region_key(client)


@pytest.fixture
def pair(client: Any, mrk: str, eu: Any) -> str:
    """``mrk`` with one replica, in eu-west-1 (Enabled by now)."""
    replicate(client, mrk, EU)
    return mrk


# ReplicateKey: the response --------------------------------------------------------------


@pytest.mark.parametrize(("given", "expected"), [(None, ""), ("", ""), ("eu copy", "eu copy")])
def test_replicate_key_response_describes_creating_replica(client, kms_mock, mrk, given, expected):
    client.update_key_description(KeyId=mrk, Description="the primary's own")
    primary = describe(client, mrk)
    kms_mock.clock.advance(days=1)
    extra = {} if given is None else {"Description": given}
    before = mock_now(kms_mock)
    response = client.replicate_key(KeyId=mrk, ReplicaRegion=EU, **extra)
    after = mock_now(kms_mock)
    assert_valid_output("ReplicateKey", response)
    metadata = response["ReplicaKeyMetadata"]
    assert before - MS <= metadata["CreationDate"] <= after + MS
    assert metadata == {
        "AWSAccountId": ACCOUNT,
        "KeyId": mrk,
        "Arn": arn(EU, mrk),
        "CreationDate": metadata["CreationDate"],
        "Enabled": False,
        "Description": expected,
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": "Creating",
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": True,
        "MultiRegionConfiguration": configuration(mrk, PRIMARY, [EU], EU),
    }
    assert metadata["CreationDate"] > primary["CreationDate"]


def test_replicate_key_by_arn_is_accepted(client, mrk):
    response = client.replicate_key(KeyId=arn(PRIMARY, mrk), ReplicaRegion=EU)
    assert response["ReplicaKeyMetadata"]["Arn"] == arn(EU, mrk)
    assert describe(kms(EU), mrk)["KeyState"] == "Enabled"


def test_replicate_key_without_policy_returns_default_policy(client, mrk, eu):
    response = client.replicate_key(KeyId=mrk, ReplicaRegion=EU)
    assert response["ReplicaPolicy"] == DEFAULT_POLICY
    assert eu.get_key_policy(KeyId=mrk)["Policy"] == response["ReplicaPolicy"]


def test_replicate_key_without_policy_does_not_copy_primary_policy(kms_mock, client, eu):
    key_id = multi_region_key(client, Policy=CUSTOM_POLICY)
    response = client.replicate_key(KeyId=key_id, ReplicaRegion=EU)
    assert response["ReplicaPolicy"] == DEFAULT_POLICY
    assert eu.get_key_policy(KeyId=key_id)["Policy"] == DEFAULT_POLICY
    assert client.get_key_policy(KeyId=key_id)["Policy"] == CUSTOM_POLICY


def test_replicate_key_with_policy_returns_and_stores_it(client, mrk, eu):
    response = client.replicate_key(KeyId=mrk, ReplicaRegion=EU, Policy=CUSTOM_POLICY)
    assert response["ReplicaPolicy"] == CUSTOM_POLICY
    assert eu.get_key_policy(KeyId=mrk)["Policy"] == CUSTOM_POLICY
    assert client.get_key_policy(KeyId=mrk)["Policy"] == DEFAULT_POLICY


def test_replicate_key_lockout_policy_with_bypass_is_accepted(client, mrk, eu):
    response = client.replicate_key(
        KeyId=mrk,
        ReplicaRegion=EU,
        Policy=ROLE_ONLY_POLICY,
        BypassPolicyLockoutSafetyCheck=True,
    )
    assert response["ReplicaPolicy"] == ROLE_ONLY_POLICY
    assert eu.get_key_policy(KeyId=mrk)["Policy"] == ROLE_ONLY_POLICY


def test_replicate_key_without_tags_omits_replica_tags_and_does_not_copy_primary_tags(client, eu):
    key_id = multi_region_key(client, Tags=tag_list(("team", "primary")))
    response = client.replicate_key(KeyId=key_id, ReplicaRegion=EU)
    # The recorded KMS response holds only ReplicaKeyMetadata and ReplicaPolicy.
    assert sorted(body(response)) == ["ReplicaKeyMetadata", "ReplicaPolicy"]
    assert listed_tags(eu, key_id) == []
    assert listed_tags(client, key_id) == tag_list(("team", "primary"))


def test_replicate_key_with_tags_returns_and_stores_them(client, mrk, eu):
    tags = tag_list(("team", "eu"), ("cost", "42"))
    response = client.replicate_key(KeyId=mrk, ReplicaRegion=EU, Tags=tags)
    assert response["ReplicaTags"] == tags
    assert listed_tags(eu, mrk) == tags
    assert listed_tags(client, mrk) == []


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_replicate_key_next_describe_shows_enabled_replica_with_shared_properties(client, eu, kind):
    key_id = multi_region_key(client, kind, Description="primary")
    response = client.replicate_key(KeyId=key_id, ReplicaRegion=EU, Description="replica")
    replica = describe(eu, key_id)
    primary = describe(client, key_id)
    # The replica is the primary's metadata with its own ARN, date, description and role;
    # the transient Creating state is over by the next call
    # (docs/kms-behaviour.md#key-states).
    expected = {
        **primary,
        "Arn": arn(EU, key_id),
        "CreationDate": response["ReplicaKeyMetadata"]["CreationDate"],
        "Description": "replica",
        "MultiRegionConfiguration": configuration(key_id, PRIMARY, [EU], EU),
    }
    assert replica == expected
    assert (replica["KeyState"], replica["Enabled"]) == ("Enabled", True)
    if kind == "symmetric":
        assert replica["CurrentKeyMaterialId"] == primary["CurrentKeyMaterialId"]
    else:
        assert "CurrentKeyMaterialId" not in replica


def test_replicate_key_second_replica_response_lists_both_replicas(client, pair, ap):
    response = client.replicate_key(KeyId=pair, ReplicaRegion=AP)
    assert response["ReplicaKeyMetadata"]["MultiRegionConfiguration"] == configuration(
        pair, PRIMARY, [EU, AP], AP
    )


# The set's configuration, as every key reports it -----------------------------------------


@pytest.mark.parametrize("region", [PRIMARY, EU, AP])
def test_every_key_of_set_reports_same_primary_and_all_replicas(kms_mock, client, mrk, region):
    replicate(client, mrk, EU)
    replicate(client, mrk, AP)
    metadata = describe(kms(region), mrk)
    assert metadata["Arn"] == arn(region, mrk)
    assert metadata["MultiRegion"] is True
    assert metadata["MultiRegionConfiguration"] == configuration(mrk, PRIMARY, [EU, AP], region)


# ReplicateKey: refusals ------------------------------------------------------------------


def test_replicate_key_single_region_key_raises_unsupported(client, kms_mock):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    assert refused(lambda: client.replicate_key(KeyId=key_id, ReplicaRegion=EU)) == (
        "UnsupportedOperationException",
        f"{arn(PRIMARY, key_id)} is not a multi-region primary key.",
    )
    assert_absent(EU, key_id)


def test_replicate_key_from_replica_raises_unsupported_naming_replica(pair, eu, client):
    assert refused(lambda: eu.replicate_key(KeyId=pair, ReplicaRegion=AP)) == (
        "UnsupportedOperationException",
        f"{arn(EU, pair)} is not a multi-region primary key.",
    )
    assert_absent(AP, pair)
    assert describe(client, pair)["MultiRegionConfiguration"] == configuration(
        pair, PRIMARY, [EU], PRIMARY
    )


def test_replicate_key_into_primary_region_raises_validation(client, mrk):
    before = describe(client, mrk)
    # Unverified against AWS: the text (docs/kms-behaviour.md#multi-region-operations); kmsmock's.
    assert refused(lambda: client.replicate_key(KeyId=mrk, ReplicaRegion=PRIMARY)) == (
        "ValidationException",
        f"The replica region {PRIMARY} must differ from the primary key's region.",
    )
    assert describe(client, mrk) == before


@pytest.mark.parametrize(
    ("region", "partition"), [("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")]
)
def test_replicate_key_into_other_partition_raises_validation(client, mrk, region, partition):
    # Unverified against AWS: the text (docs/kms-behaviour.md#multi-region-operations); kmsmock's.
    assert refused(lambda: client.replicate_key(KeyId=mrk, ReplicaRegion=region)) == (
        "ValidationException",
        f"The replica region {region} is not in the primary key's partition.",
    )
    assert refused(lambda: kms(region).describe_key(KeyId=mrk)) == (
        "NotFoundException",
        f"Key 'arn:{partition}:kms:{region}:{ACCOUNT}:key/{mrk}' does not exist",
    )
    assert describe(client, mrk)["MultiRegionConfiguration"]["ReplicaKeys"] == []


@pytest.mark.parametrize("replica_state", ["Enabled", "Disabled", "PendingDeletion"])
def test_replicate_key_second_replica_in_same_region_raises_already_exists(
    client, pair, eu, replica_state
):
    if replica_state == "Disabled":
        eu.disable_key(KeyId=pair)
    elif replica_state == "PendingDeletion":
        eu.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    before = describe(eu, pair)
    # Unverified against AWS: the text (docs/kms-behaviour.md#multi-region-operations); kmsmock's.
    assert refused(lambda: client.replicate_key(KeyId=pair, ReplicaRegion=EU)) == (
        "AlreadyExistsException",
        f"{arn(EU, pair)} already exists",
    )
    assert describe(eu, pair) == before
    assert describe(client, pair)["MultiRegionConfiguration"] == configuration(
        pair, PRIMARY, [EU], PRIMARY
    )


def test_replicate_key_disabled_primary_raises_disabled(client, mrk):
    client.disable_key(KeyId=mrk)
    assert refused(lambda: client.replicate_key(KeyId=mrk, ReplicaRegion=EU)) == (
        "DisabledException",
        f"{arn(PRIMARY, mrk)} is disabled.",
    )
    assert_absent(EU, mrk)


def test_replicate_key_pending_deletion_primary_raises_invalid_state(client, mrk):
    client.schedule_key_deletion(KeyId=mrk, PendingWindowInDays=7)
    assert refused(lambda: client.replicate_key(KeyId=mrk, ReplicaRegion=EU)) == (
        "KMSInvalidStateException",
        f"{arn(PRIMARY, mrk)} is pending deletion.",
    )
    assert_absent(EU, mrk)


def test_replicate_key_pending_replica_deletion_primary_raises_invalid_state(client, pair):
    client.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    assert state(client, pair) == "PendingReplicaDeletion"
    # Unverified against AWS: the wording for PendingReplicaDeletion
    # (docs/kms-behaviour.md#key-state-table).
    assert refused(lambda: client.replicate_key(KeyId=pair, ReplicaRegion=AP)) == (
        "KMSInvalidStateException",
        f"{arn(PRIMARY, pair)} is pending deletion.",
    )
    assert_absent(AP, pair)


def test_replicate_key_pending_import_primary_raises_invalid_state(client):
    key_id = client.create_key(MultiRegion=True, Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    assert refused(lambda: client.replicate_key(KeyId=key_id, ReplicaRegion=EU)) == (
        "KMSInvalidStateException",
        f"{arn(PRIMARY, key_id)} is pending import.",
    )
    assert_absent(EU, key_id)


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        pytest.param("not json", "The policy document is not valid JSON.", id="not-json"),
        pytest.param(
            '{"Version": "2012-10-17"}',
            "Policy is missing required element - Statement",
            id="no-statement",
        ),
        pytest.param(
            CUSTOM_POLICY.replace(f"arn:aws:iam::{ACCOUNT}:root", "not-a-principal"),
            "Policy contains a statement with one or more invalid principals.",
            id="invalid-principal",
        ),
        pytest.param(
            ROLE_ONLY_POLICY,
            "The new key policy will not allow you to update the key policy in the future.",
            id="lockout",
        ),
    ],
)
def test_replicate_key_malformed_policy_raises_as_create_key(client, mrk, policy, message):
    with pytest.raises(ClientError) as created:
        client.create_key(Policy=policy)
    assert error(created.value) == ("MalformedPolicyDocumentException", message)
    assert refused(lambda: client.replicate_key(KeyId=mrk, ReplicaRegion=EU, Policy=policy)) == (
        "MalformedPolicyDocumentException",
        message,
    )
    assert_absent(EU, mrk)


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (tag_list(("aws:team", "x")), "Tags beginning with aws: are reserved"),
        (tag_list(("a", "1"), ("a", "2")), "Duplicate tag keys"),
    ],
)
def test_replicate_key_bad_tags_raise_tag_exception(client, mrk, tags, message):
    assert refused(lambda: client.replicate_key(KeyId=mrk, ReplicaRegion=EU, Tags=tags)) == (
        "TagException",
        message,
    )
    assert_absent(EU, mrk)


def test_replicate_key_region_not_matching_pattern_raises_validation(kms_mock, mrk):
    unchecked = boto3.client("kms", region_name=PRIMARY, config=Config(parameter_validation=False))
    assert refused(lambda: unchecked.replicate_key(KeyId=mrk, ReplicaRegion="EU-WEST-1")) == (
        "ValidationException",
        "1 validation error detected: Value 'EU-WEST-1' at 'replicaRegion' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$",
    )


def test_replicate_key_unknown_key_raises_not_found(client):
    unknown = "mrk-1234abcd12ab34cd56ef1234567890ab"
    assert refused(lambda: client.replicate_key(KeyId=unknown, ReplicaRegion=EU)) == not_found(
        PRIMARY, unknown
    )


# What each key keeps to itself -----------------------------------------------------------


def test_description_is_independent_per_key(client, pair, eu):
    eu.update_key_description(KeyId=pair, Description="replica text")
    assert describe(client, pair)["Description"] == ""
    client.update_key_description(KeyId=pair, Description="primary text")
    assert describe(eu, pair)["Description"] == "replica text"
    assert describe(client, pair)["Description"] == "primary text"


def test_tags_are_independent_per_key(client, pair, eu):
    client.tag_resource(KeyId=pair, Tags=tag_list(("side", "primary")))
    eu.tag_resource(KeyId=pair, Tags=tag_list(("side", "replica"), ("only", "eu")))
    client.untag_resource(KeyId=pair, TagKeys=["only"])
    assert listed_tags(client, pair) == tag_list(("side", "primary"))
    assert listed_tags(eu, pair) == tag_list(("side", "replica"), ("only", "eu"))


def test_policy_is_independent_per_key(client, pair, eu):
    eu.put_key_policy(KeyId=pair, Policy=CUSTOM_POLICY)
    assert client.get_key_policy(KeyId=pair)["Policy"] == DEFAULT_POLICY
    client.put_key_policy(KeyId=pair, Policy=ROLE_ONLY_POLICY, BypassPolicyLockoutSafetyCheck=True)
    assert eu.get_key_policy(KeyId=pair)["Policy"] == CUSTOM_POLICY


def test_aliases_are_independent_per_key(client, pair, eu):
    client.create_alias(AliasName="alias/app", TargetKeyId=pair)
    assert eu.list_aliases(KeyId=pair)["Aliases"] == []
    assert refused(lambda: eu.describe_key(KeyId="alias/app")) == (
        "NotFoundException",
        f"Alias arn:aws:kms:{EU}:{ACCOUNT}:alias/app is not found.",
    )
    # The same name in the other Region is a different alias, for the replica.
    eu.create_alias(AliasName="alias/app", TargetKeyId=pair)
    assert describe(eu, "alias/app")["Arn"] == arn(EU, pair)
    blob = eu.encrypt(KeyId="alias/app", Plaintext=b"via alias")["CiphertextBlob"]
    client.delete_alias(AliasName="alias/app")
    assert [a["AliasName"] for a in eu.list_aliases(KeyId=pair)["Aliases"]] == ["alias/app"]
    assert client.list_aliases(KeyId=pair)["Aliases"] == []
    assert decrypted(client, blob)[0] == b"via alias"


def test_grants_are_independent_per_key(client, pair, eu):
    grantee = f"arn:aws:iam::{ACCOUNT}:role/app"
    grant_id = client.create_grant(KeyId=pair, GranteePrincipal=grantee, Operations=["Decrypt"])[
        "GrantId"
    ]
    assert eu.list_grants(KeyId=pair)["Grants"] == []
    assert [g["GrantId"] for g in client.list_grants(KeyId=pair)["Grants"]] == [grant_id]


def test_each_region_lists_only_its_own_key(kms_mock, client, pair, eu, ap):
    assert eu.list_keys()["Keys"] == [{"KeyId": pair, "KeyArn": arn(EU, pair)}]
    assert client.list_keys()["Keys"] == [{"KeyId": pair, "KeyArn": arn(PRIMARY, pair)}]
    assert ap.list_keys()["Keys"] == []


@pytest.mark.parametrize("disabled", [PRIMARY, EU])
def test_enabled_state_is_independent_per_key(kms_mock, pair, disabled):
    other = EU if disabled == PRIMARY else PRIMARY
    kms(disabled).disable_key(KeyId=pair)
    assert (state(kms(disabled), pair), state(kms(other), pair)) == ("Disabled", "Enabled")
    blob = encrypt(kms(other), pair, b"still working")
    assert decrypted(kms(other), blob)[0] == b"still working"
    assert refused(lambda: kms(disabled).decrypt(CiphertextBlob=blob)) == (
        "DisabledException",
        f"{arn(disabled, pair)} is disabled.",
    )
    kms(disabled).enable_key(KeyId=pair)
    assert decrypted(kms(disabled), blob)[0] == b"still working"


def test_pending_replica_deletion_primary_refuses_crypto_while_replica_works(client, pair, eu):
    client.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    assert refused(lambda: client.encrypt(KeyId=pair, Plaintext=b"x")) == (
        "KMSInvalidStateException",
        f"{arn(PRIMARY, pair)} is pending deletion.",
    )
    blob = encrypt(eu, pair, b"replica still works")
    assert decrypted(eu, blob)[0] == b"replica still works"


# Shared material and rotation -----------------------------------------------------------


def test_enable_key_rotation_on_primary_shows_on_replica(client, pair, eu):
    client.enable_key_rotation(KeyId=pair, RotationPeriodInDays=180)
    primary = rotation_status(client, pair)
    assert primary["RotationPeriodInDays"] == 180
    assert rotation_status(eu, pair) == primary
    client.disable_key_rotation(KeyId=pair)
    assert rotation_status(eu, pair) == {"KeyRotationEnabled": False}


def test_replicate_key_copies_rotation_setting(client, mrk, eu):
    client.enable_key_rotation(KeyId=mrk, RotationPeriodInDays=90)
    replicate(client, mrk, EU)
    assert rotation_status(eu, mrk) == rotation_status(client, mrk)


@pytest.mark.parametrize("operation", ROTATION_SETTERS)
def test_rotation_change_on_replica_raises_unsupported(client, pair, eu, operation):
    material = material_id(eu, pair)
    call = {
        "EnableKeyRotation": lambda: eu.enable_key_rotation(KeyId=pair),
        "DisableKeyRotation": lambda: eu.disable_key_rotation(KeyId=pair),
        "RotateKeyOnDemand": lambda: eu.rotate_key_on_demand(KeyId=pair),
    }[operation]
    # Unverified against AWS: the text (docs/kms-behaviour.md#rotation); kmsmock's.
    assert refused(call) == (
        "UnsupportedOperationException",
        f"{arn(EU, pair)} is not a multi-region primary key.",
    )
    assert rotation_status(eu, pair) == {"KeyRotationEnabled": False}
    assert material_id(eu, pair) == material_id(client, pair) == material


def test_rotate_key_on_demand_on_primary_changes_material_in_every_region(kms_mock, client, mrk):
    replicate(client, mrk, EU)
    replicate(client, mrk, AP)
    old = material_id(client, mrk)
    response = client.rotate_key_on_demand(KeyId=mrk)
    assert body(response) == {"KeyId": arn(PRIMARY, mrk)}
    new = material_id(client, mrk)
    assert new != old
    assert material_id(kms(EU), mrk) == material_id(kms(AP), mrk) == new


def test_ciphertext_before_and_after_rotation_decrypts_in_every_region(client, pair, eu):
    old = material_id(client, pair)
    blobs = {
        ("before", PRIMARY): encrypt(client, pair, b"before/primary"),
        ("before", EU): encrypt(eu, pair, b"before/eu"),
    }
    client.rotate_key_on_demand(KeyId=pair)
    new = material_id(client, pair)
    blobs[("after", PRIMARY)] = encrypt(client, pair, b"after/primary")
    blobs[("after", EU)] = encrypt(eu, pair, b"after/eu")
    for (when, made_in), blob in blobs.items():
        plaintext = f"{when}/{'primary' if made_in == PRIMARY else 'eu'}".encode()
        expected_material = old if when == "before" else new
        for reader, region in ((client, PRIMARY), (eu, EU)):
            assert decrypted(reader, blob) == (plaintext, arn(region, pair), expected_material)


def test_replicate_key_after_rotation_gives_replica_every_material(client, mrk, eu):
    blob = encrypt(client, mrk, b"first material")
    client.rotate_key_on_demand(KeyId=mrk)
    replicate(client, mrk, EU)
    assert material_id(eu, mrk) == material_id(client, mrk)
    assert decrypted(eu, blob)[0] == b"first material"
    assert rotations(eu, mrk, "ALL_KEY_MATERIAL") == rotations(client, mrk, "ALL_KEY_MATERIAL")


def test_automatic_rotation_reaches_replica(kms_mock, client, pair, eu):
    old = material_id(client, pair)
    blob = encrypt(eu, pair, b"before automatic rotation")
    client.enable_key_rotation(KeyId=pair, RotationPeriodInDays=90)
    due = rotation_status(client, pair)["NextRotationDate"]

    kms_mock.clock.advance(days=91)

    new = material_id(client, pair)
    assert new != old
    assert material_id(eu, pair) == new
    [entry] = rotations(eu, pair)
    assert entry == {
        "KeyId": pair,
        "KeyMaterialId": new,
        "KeyMaterialState": "CURRENT",
        "RotationDate": due,
        "RotationType": "AUTOMATIC",
    }
    assert decrypted(client, blob) == (b"before automatic rotation", arn(PRIMARY, pair), old)
    assert eu.generate_data_key(KeyId=pair, KeySpec="AES_256")["KeyMaterialId"] == new


def test_automatic_rotation_status_agrees_in_both_regions(kms_mock, client, pair, eu):
    client.enable_key_rotation(KeyId=pair, RotationPeriodInDays=90)
    due = rotation_status(client, pair)["NextRotationDate"]
    kms_mock.clock.advance(days=91)
    primary = rotation_status(client, pair)
    assert primary["NextRotationDate"] == due + 90 * DAY
    # The rotation setting (and so its schedule) is shared
    # (docs/kms-behaviour.md#multi-region-keys).
    assert rotation_status(eu, pair) == primary


def test_catch_up_rotation_on_enable_key_status_agrees_in_both_regions(kms_mock, client, pair, eu):
    client.enable_key_rotation(KeyId=pair, RotationPeriodInDays=90)
    client.disable_key(KeyId=pair)
    kms_mock.clock.advance(days=100)
    # The overdue rotation happens now (docs/kms-behaviour.md#rotation).
    client.enable_key(KeyId=pair)
    [entry] = rotations(eu, pair)
    assert entry["KeyMaterialId"] == material_id(eu, pair) == material_id(client, pair)
    assert rotation_status(eu, pair) == rotation_status(client, pair)


@pytest.mark.parametrize("include", ["ROTATIONS_ONLY", "ALL_KEY_MATERIAL"])
def test_list_key_rotations_agrees_in_every_region(kms_mock, client, pair, eu, include):
    client.enable_key_rotation(KeyId=pair, RotationPeriodInDays=90)
    client.rotate_key_on_demand(KeyId=pair)
    kms_mock.clock.advance(days=91)
    client.rotate_key_on_demand(KeyId=pair)
    entries = rotations(client, pair, include)
    # The initial material is listed (without a rotation type) only with ALL_KEY_MATERIAL.
    initial = [None] if include == "ALL_KEY_MATERIAL" else []
    assert [e.get("RotationType") for e in entries] == [
        *initial,
        "ON_DEMAND",
        "AUTOMATIC",
        "ON_DEMAND",
    ]
    assert rotations(eu, pair, include) == entries


# Asymmetric and HMAC sets ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ASYMMETRIC)
def test_get_public_key_is_identical_in_every_region(kms_mock, client, kind):
    key_id = multi_region_key(client, kind)
    replicate(client, key_id, EU)
    replicate(client, key_id, AP)
    # Asked in a replica first: the pair is the set's, whichever key makes it used.
    responses = {
        region: body(kms(region).get_public_key(KeyId=key_id)) for region in (AP, EU, PRIMARY)
    }
    for region, response in responses.items():
        assert_valid_output("GetPublicKey", response)
        assert response["KeyId"] == arn(region, key_id)
    without_id = [{k: v for k, v in r.items() if k != "KeyId"} for r in responses.values()]
    assert without_id[0] == without_id[1] == without_id[2]


def test_signature_from_replica_verifies_with_primary_public_key(client, eu):
    key_id = multi_region_key(client, "ecc-signing")
    replicate(client, key_id, EU)
    message = b"signed in eu-west-1"
    signature = eu.sign(KeyId=key_id, Message=message, SigningAlgorithm="ECDSA_SHA_256")[
        "Signature"
    ]
    public = public_key(client, key_id)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    verified = client.verify(
        KeyId=key_id, Message=message, Signature=signature, SigningAlgorithm="ECDSA_SHA_256"
    )
    assert (verified["KeyId"], verified["SignatureValid"]) == (arn(PRIMARY, key_id), True)


def test_signature_from_primary_verifies_in_replica(client, eu):
    key_id = multi_region_key(client, "ecc-signing")
    replicate(client, key_id, EU)
    message = b"signed in us-east-1"
    signature = client.sign(KeyId=key_id, Message=message, SigningAlgorithm="ECDSA_SHA_256")[
        "Signature"
    ]
    verified = eu.verify(
        KeyId=key_id, Message=message, Signature=signature, SigningAlgorithm="ECDSA_SHA_256"
    )
    assert (verified["KeyId"], verified["SignatureValid"]) == (arn(EU, key_id), True)
    public = public_key(eu, key_id)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, message, ec.ECDSA(hashes.SHA256()))


def test_rsa_ciphertext_crosses_regions(client, eu):
    key_id = multi_region_key(client, "rsa-encryption")
    replicate(client, key_id, EU)
    algorithm = "RSAES_OAEP_SHA_256"
    from_replica = eu.encrypt(KeyId=key_id, Plaintext=b"from eu", EncryptionAlgorithm=algorithm)
    response = client.decrypt(
        KeyId=key_id,
        CiphertextBlob=from_replica["CiphertextBlob"],
        EncryptionAlgorithm=algorithm,
    )
    assert (response["Plaintext"], response["KeyId"]) == (b"from eu", arn(PRIMARY, key_id))
    public = public_key(client, key_id)
    assert isinstance(public, rsa.RSAPublicKey)
    offline = public.encrypt(
        b"offline with the primary's public key",
        padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None),
    )
    response = eu.decrypt(KeyId=key_id, CiphertextBlob=offline, EncryptionAlgorithm=algorithm)
    assert (response["Plaintext"], response["KeyId"]) == (
        b"offline with the primary's public key",
        arn(EU, key_id),
    )


def test_hmac_from_replica_verifies_on_primary(client, eu):
    key_id = multi_region_key(client, "hmac")
    replicate(client, key_id, EU)
    message = b"mac me"
    mac = eu.generate_mac(KeyId=key_id, Message=message, MacAlgorithm="HMAC_SHA_256")["Mac"]
    verified = client.verify_mac(
        KeyId=key_id, Message=message, Mac=mac, MacAlgorithm="HMAC_SHA_256"
    )
    assert (verified["KeyId"], verified["MacValid"]) == (arn(PRIMARY, key_id), True)
    same = client.generate_mac(KeyId=key_id, Message=message, MacAlgorithm="HMAC_SHA_256")
    assert same["Mac"] == mac
    # A MAC from another key does not verify: the check is real.
    other = multi_region_key(client, "hmac")
    other_mac = client.generate_mac(KeyId=other, Message=message, MacAlgorithm="HMAC_SHA_256")
    assert refused(
        lambda: client.verify_mac(
            KeyId=key_id, Message=message, Mac=other_mac["Mac"], MacAlgorithm="HMAC_SHA_256"
        )
    ) == ("KMSInvalidMacException", "")


def test_derive_shared_secret_is_same_in_both_regions(client, eu):
    key_id = multi_region_key(client, "ecc-agreement")
    replicate(client, key_id, EU)
    peer = ec.generate_private_key(ec.SECP256R1())
    secrets = {}
    for region, reader in ((EU, eu), (PRIMARY, client)):
        response = reader.derive_shared_secret(
            KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=der(peer.public_key())
        )
        assert response["KeyId"] == arn(region, key_id)
        secrets[region] = response["SharedSecret"]
    public = public_key(client, key_id)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    expected = peer.exchange(ec.ECDH(), public)
    assert secrets[EU] == secrets[PRIMARY] == expected


def test_symmetric_replica_used_before_primary_shares_material(client, mrk, eu):
    replicate(client, mrk, EU)
    blob = encrypt(eu, mrk, b"replica first")
    assert decrypted(client, blob) == (b"replica first", arn(PRIMARY, mrk), material_id(eu, mrk))


# UpdatePrimaryRegion ---------------------------------------------------------------------


@pytest.mark.parametrize("region", [PRIMARY, EU, AP])
def test_update_primary_region_every_key_reports_new_primary(kms_mock, client, mrk, region):
    replicate(client, mrk, EU)
    replicate(client, mrk, AP)
    response = client.update_primary_region(KeyId=mrk, PrimaryRegion=EU)
    assert body(response) == {}
    metadata = describe(kms(region), mrk)
    assert sorted_configuration(metadata) == configuration(mrk, EU, [AP, PRIMARY], region)


def test_update_primary_region_keys_are_enabled_on_next_call(client, pair, eu):
    primary_before = describe(client, pair)
    replica_before = describe(eu, pair)
    client.update_primary_region(KeyId=pair, PrimaryRegion=EU)
    # AWS shows both keys Updating for a while (docs/kms-behaviour.md#key-states); kmsmock ends the
    # transient state before the next call, so the very next DescribeKey reads Enabled.
    primary_after = describe(client, pair)
    replica_after = describe(eu, pair)
    assert (primary_after["KeyState"], primary_after["Enabled"]) == ("Enabled", True)
    assert (replica_after["KeyState"], replica_after["Enabled"]) == ("Enabled", True)
    # Nothing but the roles changed: ARNs, dates, material.
    for before, after in ((primary_before, primary_after), (replica_before, replica_after)):
        before.pop("MultiRegionConfiguration")
        after.pop("MultiRegionConfiguration")
        assert after == before


def test_update_primary_region_crypto_keeps_working(client, pair, eu):
    before = {PRIMARY: encrypt(client, pair, b"old primary"), EU: encrypt(eu, pair, b"old eu")}
    client.update_primary_region(KeyId=pair, PrimaryRegion=EU)
    after = {PRIMARY: encrypt(client, pair, b"new replica"), EU: encrypt(eu, pair, b"new primary")}
    expected = {
        before[PRIMARY]: b"old primary",
        before[EU]: b"old eu",
        after[PRIMARY]: b"new replica",
        after[EU]: b"new primary",
    }
    for blob, plaintext in expected.items():
        for reader, region in ((client, PRIMARY), (eu, EU)):
            assert decrypted(reader, blob)[:2] == (plaintext, arn(region, pair))


@pytest.mark.parametrize("operation", ROTATION_SETTERS)
def test_update_primary_region_old_primary_can_no_longer_change_rotation(client, pair, operation):
    client.update_primary_region(KeyId=pair, PrimaryRegion=EU)
    call = {
        "EnableKeyRotation": lambda: client.enable_key_rotation(KeyId=pair),
        "DisableKeyRotation": lambda: client.disable_key_rotation(KeyId=pair),
        "RotateKeyOnDemand": lambda: client.rotate_key_on_demand(KeyId=pair),
    }[operation]
    assert refused(call) == (
        "UnsupportedOperationException",
        f"{arn(PRIMARY, pair)} is not a multi-region primary key.",
    )


def test_update_primary_region_new_primary_rotates_for_the_set(client, pair, eu):
    old = material_id(client, pair)
    client.update_primary_region(KeyId=pair, PrimaryRegion=EU)
    assert body(eu.rotate_key_on_demand(KeyId=pair)) == {"KeyId": arn(EU, pair)}
    new = material_id(eu, pair)
    assert new != old
    assert material_id(client, pair) == new
    eu.enable_key_rotation(KeyId=pair, RotationPeriodInDays=100)
    assert rotation_status(client, pair) == rotation_status(eu, pair)
    assert rotation_status(client, pair)["RotationPeriodInDays"] == 100


def test_update_primary_region_automatic_rotation_continues_on_new_primary(
    kms_mock, client, pair, eu
):
    client.enable_key_rotation(KeyId=pair, RotationPeriodInDays=90)
    due = rotation_status(client, pair)["NextRotationDate"]
    client.update_primary_region(KeyId=pair, PrimaryRegion=EU)
    kms_mock.clock.advance(days=91)
    [entry] = rotations(eu, pair)
    assert (entry["RotationDate"], entry["RotationType"]) == (due, "AUTOMATIC")
    assert rotations(client, pair) == [entry]
    assert material_id(client, pair) == material_id(eu, pair) == entry["KeyMaterialId"]


def test_update_primary_region_after_automatic_rotation_does_not_rotate_again(
    kms_mock, client, pair, eu
):
    client.enable_key_rotation(KeyId=pair, RotationPeriodInDays=90)
    kms_mock.clock.advance(days=91)
    [entry] = rotations(client, pair)
    client.update_primary_region(KeyId=pair, PrimaryRegion=EU)
    # One rotation happened; moving the primary must not add another.
    assert rotations(eu, pair) == [entry]
    assert material_id(eu, pair) == entry["KeyMaterialId"]


def test_update_primary_region_after_automatic_rotation_keeps_schedule(kms_mock, client, pair, eu):
    client.enable_key_rotation(KeyId=pair, RotationPeriodInDays=90)
    first_due = rotation_status(client, pair)["NextRotationDate"]
    kms_mock.clock.advance(days=91)
    scheduled = rotation_status(client, pair)
    assert scheduled["NextRotationDate"] == first_due + 90 * DAY
    client.update_primary_region(KeyId=pair, PrimaryRegion=EU)
    assert rotation_status(eu, pair) == scheduled

    kms_mock.clock.advance(days=180)  # 271 days in: rotations were due at 90, 180, 270

    entries = rotations(eu, pair)
    assert [e["RotationDate"] for e in entries] == [first_due + n * 90 * DAY for n in range(3)]
    assert rotations(client, pair) == entries


def test_update_primary_region_after_automatic_rotation_allows_on_demand_rotation(
    kms_mock, client, pair, eu
):
    client.enable_key_rotation(KeyId=pair, RotationPeriodInDays=90)
    kms_mock.clock.advance(days=91)
    client.update_primary_region(KeyId=pair, PrimaryRegion=EU)
    # The next automatic rotation is 89 days away: nothing is in progress or about to start.
    assert body(eu.rotate_key_on_demand(KeyId=pair)) == {"KeyId": arn(EU, pair)}
    assert [e["RotationType"] for e in rotations(eu, pair)] == ["AUTOMATIC", "ON_DEMAND"]


def test_update_primary_region_without_replica_there_raises_not_found(client, pair, eu):
    # Text as for any unknown key (docs/kms-behaviour.md#key-ids), with the ARN the key would have
    # there.
    assert refused(lambda: client.update_primary_region(KeyId=pair, PrimaryRegion=AP)) == (
        not_found(AP, pair)
    )
    assert describe(client, pair)["MultiRegionConfiguration"] == configuration(
        pair, PRIMARY, [EU], PRIMARY
    )


def test_update_primary_region_on_replica_raises_unsupported(client, pair, eu):
    assert refused(lambda: eu.update_primary_region(KeyId=pair, PrimaryRegion=EU)) == (
        "UnsupportedOperationException",
        f"{arn(EU, pair)} is not a multi-region primary key.",
    )
    assert describe(eu, pair)["MultiRegionConfiguration"] == configuration(pair, PRIMARY, [EU], EU)


def test_update_primary_region_single_region_key_raises_unsupported(client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    assert refused(lambda: client.update_primary_region(KeyId=key_id, PrimaryRegion=EU)) == (
        "UnsupportedOperationException",
        f"{arn(PRIMARY, key_id)} is not a multi-region primary key.",
    )


@pytest.mark.parametrize("disabled", [EU, PRIMARY])
def test_update_primary_region_disabled_key_raises_disabled(kms_mock, client, pair, disabled):
    kms(disabled).disable_key(KeyId=pair)
    assert refused(lambda: client.update_primary_region(KeyId=pair, PrimaryRegion=EU)) == (
        "DisabledException",
        f"{arn(disabled, pair)} is disabled.",
    )
    for region in (PRIMARY, EU):
        metadata = describe(kms(region), pair)
        assert metadata["MultiRegionConfiguration"] == configuration(pair, PRIMARY, [EU], region)
        assert metadata["KeyState"] == ("Disabled" if region == disabled else "Enabled")


def test_update_primary_region_pending_deletion_replica_raises_invalid_state(client, pair, eu):
    eu.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    assert refused(lambda: client.update_primary_region(KeyId=pair, PrimaryRegion=EU)) == (
        "KMSInvalidStateException",
        f"{arn(EU, pair)} is pending deletion.",
    )
    assert describe(client, pair)["MultiRegionConfiguration"]["PrimaryKey"]["Region"] == PRIMARY


def test_update_primary_region_to_current_region_changes_nothing(client, pair, eu):
    before = (describe(client, pair), describe(eu, pair))
    assert body(client.update_primary_region(KeyId=pair, PrimaryRegion=PRIMARY)) == {}
    assert (describe(client, pair), describe(eu, pair)) == before


def test_update_primary_region_back_and_forth_restores_roles(client, pair, eu):
    client.update_primary_region(KeyId=pair, PrimaryRegion=EU)
    eu.update_primary_region(KeyId=pair, PrimaryRegion=PRIMARY)
    for region, reader in ((PRIMARY, client), (EU, eu)):
        assert describe(reader, pair)["MultiRegionConfiguration"] == configuration(
            pair, PRIMARY, [EU], region
        )
    client.rotate_key_on_demand(KeyId=pair)
    assert material_id(eu, pair) == material_id(client, pair)


def test_update_primary_region_then_replicate_from_new_primary_only(client, pair, eu, ap):
    client.update_primary_region(KeyId=pair, PrimaryRegion=EU)
    assert refused(lambda: client.replicate_key(KeyId=pair, ReplicaRegion=AP)) == (
        "UnsupportedOperationException",
        f"{arn(PRIMARY, pair)} is not a multi-region primary key.",
    )
    response = eu.replicate_key(KeyId=pair, ReplicaRegion=AP)
    assert sorted_configuration(response["ReplicaKeyMetadata"]) == configuration(
        pair, EU, [AP, PRIMARY], AP
    )
    blob = encrypt(client, pair, b"made in the old primary")
    assert decrypted(ap, blob)[:2] == (b"made in the old primary", arn(AP, pair))


def test_update_primary_region_lets_old_primary_be_deleted_directly(kms_mock, client, pair, eu):
    client.update_primary_region(KeyId=pair, PrimaryRegion=EU)
    response = client.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    assert response["KeyState"] == "PendingDeletion"
    assert "DeletionDate" in response
    kms_mock.clock.advance(days=8)
    assert_absent(PRIMARY, pair)
    assert describe(eu, pair)["MultiRegionConfiguration"] == configuration(pair, EU, [], EU)
    assert describe(eu, pair)["KeyState"] == "Enabled"


# Deletion order -------------------------------------------------------------------------


@pytest.mark.parametrize("days", [None, 7, 30])
def test_schedule_key_deletion_primary_with_replica_waits_for_replicas(client, pair, days):
    extra = {} if days is None else {"PendingWindowInDays": days}
    response = client.schedule_key_deletion(KeyId=pair, **extra)
    assert_valid_output("ScheduleKeyDeletion", response)
    window = 30 if days is None else days
    assert body(response) == {
        "KeyId": arn(PRIMARY, pair),
        "KeyState": "PendingReplicaDeletion",
        "PendingWindowInDays": window,
    }
    metadata = describe(client, pair)
    assert (metadata["KeyState"], metadata["Enabled"]) == ("PendingReplicaDeletion", False)
    assert metadata["PendingDeletionWindowInDays"] == window
    assert "DeletionDate" not in metadata


def test_schedule_key_deletion_replica_is_pending_deletion_with_its_own_window(
    kms_mock, client, pair, eu
):
    before = mock_now(kms_mock)
    response = eu.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    after = mock_now(kms_mock)
    date = response["DeletionDate"]
    assert before + 7 * DAY - MS <= date <= after + 7 * DAY + MS
    assert body(response) == {
        "KeyId": arn(EU, pair),
        "DeletionDate": date,
        "KeyState": "PendingDeletion",
        "PendingWindowInDays": 7,
    }
    metadata = describe(eu, pair)
    assert (metadata["KeyState"], metadata["DeletionDate"]) == ("PendingDeletion", date)
    assert "PendingDeletionWindowInDays" not in metadata
    # The primary is untouched, and lists the replica until it is actually deleted.
    primary = describe(client, pair)
    assert primary["KeyState"] == "Enabled"
    assert primary["MultiRegionConfiguration"] == configuration(pair, PRIMARY, [EU], PRIMARY)


def test_deleting_last_replica_starts_primary_window(kms_mock, client, pair, eu):
    client.schedule_key_deletion(KeyId=pair, PendingWindowInDays=10)
    replica_date = eu.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)["DeletionDate"]

    kms_mock.clock.advance(days=8)

    assert_absent(EU, pair)
    primary = describe(client, pair)
    assert primary["KeyState"] == "PendingDeletion"
    assert primary["DeletionDate"] == replica_date + 10 * DAY
    assert "PendingDeletionWindowInDays" not in primary
    assert primary["MultiRegionConfiguration"] == configuration(pair, PRIMARY, [], PRIMARY)

    kms_mock.clock.advance(days=9)  # 17 days in: replica date + 10 days has passed
    assert_absent(PRIMARY, pair)


def test_primary_window_has_not_ended_before_replica_date_plus_window(kms_mock, client, pair, eu):
    client.schedule_key_deletion(KeyId=pair, PendingWindowInDays=10)
    eu.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    kms_mock.clock.advance(days=16, hours=23)
    assert state(client, pair) == "PendingDeletion"


def test_replica_pending_deletion_still_blocks_primary(kms_mock, client, pair, eu):
    replica_date = eu.schedule_key_deletion(KeyId=pair, PendingWindowInDays=30)["DeletionDate"]
    client.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)

    kms_mock.clock.advance(days=8)  # the primary's own window would be over

    primary = describe(client, pair)
    assert (primary["KeyState"], primary["PendingDeletionWindowInDays"]) == (
        "PendingReplicaDeletion",
        7,
    )
    assert state(eu, pair) == "PendingDeletion"

    kms_mock.clock.advance(days=23)  # 31 days in: the replica is gone
    assert_absent(EU, pair)
    assert describe(client, pair)["DeletionDate"] == replica_date + 7 * DAY


def test_primary_waits_for_every_replica(kms_mock, client, mrk, eu, ap):
    replicate(client, mrk, EU)
    replicate(client, mrk, AP)
    client.schedule_key_deletion(KeyId=mrk, PendingWindowInDays=7)
    eu.schedule_key_deletion(KeyId=mrk, PendingWindowInDays=7)
    ap_date = ap.schedule_key_deletion(KeyId=mrk, PendingWindowInDays=20)["DeletionDate"]

    kms_mock.clock.advance(days=8)

    assert_absent(EU, mrk)
    primary = describe(client, mrk)
    assert primary["KeyState"] == "PendingReplicaDeletion"
    assert primary["MultiRegionConfiguration"] == configuration(mrk, PRIMARY, [AP], PRIMARY)
    assert describe(ap, mrk)["MultiRegionConfiguration"] == configuration(mrk, PRIMARY, [AP], AP)

    kms_mock.clock.advance(days=13)
    assert_absent(AP, mrk)
    assert describe(client, mrk)["DeletionDate"] == ap_date + 7 * DAY


def test_cancel_key_deletion_pending_replica_deletion_primary_lands_disabled(
    kms_mock, client, pair, eu
):
    client.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    response = client.cancel_key_deletion(KeyId=pair)
    assert body(response) == {"KeyId": arn(PRIMARY, pair)}
    metadata = describe(client, pair)
    assert (metadata["KeyState"], metadata["Enabled"]) == ("Disabled", False)
    assert "PendingDeletionWindowInDays" not in metadata
    assert "DeletionDate" not in metadata
    # Deleting the replica afterwards no longer starts a window for the primary.
    eu.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    kms_mock.clock.advance(days=40)
    assert_absent(EU, pair)
    assert state(client, pair) == "Disabled"


def test_schedule_key_deletion_primary_whose_replicas_are_gone_is_pending_deletion(
    kms_mock, client, pair, eu
):
    eu.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    kms_mock.clock.advance(days=8)
    response = client.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    assert response["KeyState"] == "PendingDeletion"
    assert describe(client, pair)["DeletionDate"] == response["DeletionDate"]


def test_schedule_key_deletion_pending_replica_deletion_primary_again_raises(client, pair):
    client.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    assert refused(lambda: client.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)) == (
        "KMSInvalidStateException",
        f"{arn(PRIMARY, pair)} is pending deletion.",
    )
    assert describe(client, pair)["PendingDeletionWindowInDays"] == 7


def test_get_key_rotation_status_pending_replica_deletion_reads_false(client, pair, eu):
    client.enable_key_rotation(KeyId=pair, RotationPeriodInDays=90)
    client.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    assert rotation_status(client, pair) == {"KeyRotationEnabled": False}
    assert rotation_status(eu, pair)["KeyRotationEnabled"] is True


def test_replicate_key_into_region_of_deleted_replica_works_again(kms_mock, client, pair, eu):
    blob = encrypt(eu, pair, b"made by the first replica")
    eu.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    kms_mock.clock.advance(days=8)
    assert_absent(EU, pair)
    assert describe(client, pair)["MultiRegionConfiguration"]["ReplicaKeys"] == []

    response = client.replicate_key(KeyId=pair, ReplicaRegion=EU, Description="second")
    assert response["ReplicaKeyMetadata"]["KeyState"] == "Creating"
    metadata = describe(eu, pair)
    assert (metadata["KeyState"], metadata["Description"]) == ("Enabled", "second")
    assert metadata["MultiRegionConfiguration"] == configuration(pair, PRIMARY, [EU], EU)
    assert decrypted(eu, blob)[:2] == (b"made by the first replica", arn(EU, pair))


# Decrypt without KeyId across Regions ----------------------------------------------------


@pytest.mark.parametrize(("made_in", "read_in"), [(PRIMARY, EU), (EU, PRIMARY)])
def test_decrypt_without_key_id_resolves_key_in_callers_region(kms_mock, pair, made_in, read_in):
    blob = encrypt(kms(made_in), pair, b"crosses regions")
    assert decrypted(kms(read_in), blob) == (
        b"crosses regions",
        arn(read_in, pair),
        material_id(kms(made_in), pair),
    )


def test_decrypt_with_bare_key_id_in_replica_region_is_accepted(client, pair, eu):
    blob = encrypt(client, pair, b"named")
    response = eu.decrypt(CiphertextBlob=blob, KeyId=pair)
    assert (response["Plaintext"], response["KeyId"]) == (b"named", arn(EU, pair))


def test_decrypt_with_primary_arn_in_replica_region_raises_invalid_arn(client, pair, eu):
    blob = encrypt(client, pair, b"named by arn")
    # A key ARN names one Region's key; another Region's ARN is refused
    # (docs/kms-behaviour.md#key-arns).
    assert refused(lambda: eu.decrypt(CiphertextBlob=blob, KeyId=arn(PRIMARY, pair))) == (
        "NotFoundException",
        f"Invalid arn {PRIMARY}",
    )


def test_decrypt_in_region_without_replica_raises_access_denied(client, pair, ap):
    blob = encrypt(client, pair, b"nowhere to go")
    assert refused(lambda: ap.decrypt(CiphertextBlob=blob)) == CIPHERTEXT_GONE


def test_decrypt_after_replica_deleted_raises_access_denied_there(kms_mock, client, pair, eu):
    blob = encrypt(client, pair, b"primary remains")
    eu.schedule_key_deletion(KeyId=pair, PendingWindowInDays=7)
    kms_mock.clock.advance(days=8)
    assert refused(lambda: eu.decrypt(CiphertextBlob=blob)) == CIPHERTEXT_GONE
    assert decrypted(client, blob)[0] == b"primary remains"


def test_re_encrypt_in_replica_region_of_primary_ciphertext(client, pair, eu):
    blob = encrypt(client, pair, b"move me")
    client.rotate_key_on_demand(KeyId=pair)
    response = eu.re_encrypt(CiphertextBlob=blob, DestinationKeyId=pair)
    assert response["SourceKeyId"] == response["KeyId"] == arn(EU, pair)
    assert response["DestinationKeyMaterialId"] == material_id(client, pair)
    assert decrypted(client, response["CiphertextBlob"])[0] == b"move me"
