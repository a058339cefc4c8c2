"""Keys shared through AWS RAM, as ``kms.share_key`` simulates it: ListKeys'
ResourceOwners (botocore 1.44), use of a shared key by ARN from the other account, and
the AWS_RAM key policy in GetKeyPolicy, ListKeyPolicies and PutKeyPolicy."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest
from botocore.config import Config

from kmsmock import KmsMock
from tests._support import (
    ACCOUNT,
    OTHER_ACCOUNT,
    REGION,
    assert_valid_output,
    refused,
    service_model,
)

THIRD_ACCOUNT = "444455556666"
OTHER_ROOT = f"arn:aws:iam::{OTHER_ACCOUNT}:root"
ADMIN = f"arn:aws:iam::{ACCOUNT}:user/admin"
RAM_ONLY = ("ValidationException", "The AWS_RAM policy can only be managed by the RAM service.")
NO_SUCH_POLICY = ("NotFoundException", "No such policy exists")


def _model_has_resource_owners() -> bool:
    shape = service_model().operation_model("ListKeys").input_shape
    return shape is not None and "ResourceOwners" in shape.members


needs_resource_owners = pytest.mark.skipif(
    not _model_has_resource_owners(),
    reason="the installed botocore's KMS model has no ListKeys ResourceOwners",
)


def client_for(kms_mock: KmsMock, access_key_id: str, account: str, **options: Any) -> Any:
    kms_mock.identities.add(access_key_id, account_id=account, arn=options.pop("arn", None))
    return boto3.client(
        "kms",
        region_name=options.pop("region", REGION),
        aws_access_key_id=access_key_id,
        aws_secret_access_key="x",
        **options,
    )


@pytest.fixture
def other(kms_mock: KmsMock) -> Any:
    """A client of the account keys are shared with."""
    return client_for(kms_mock, "AKIAOTHERACCOUNT0001", OTHER_ACCOUNT)


@pytest.fixture
def shared_key(kms_mock: KmsMock, client: Any) -> dict[str, Any]:
    """A key of the mock's account shared with OTHER_ACCOUNT: its KeyMetadata."""
    metadata: dict[str, Any] = client.create_key()["KeyMetadata"]
    kms_mock.share_key(metadata["KeyId"], OTHER_ACCOUNT)
    return metadata


def keys(client: Any, **kwargs: Any) -> list[dict[str, Any]]:
    response = client.list_keys(**kwargs)
    assert_valid_output("ListKeys", response)
    assert response["Truncated"] is False
    found: list[dict[str, Any]] = response["Keys"]
    return found


def entry(metadata: dict[str, Any]) -> dict[str, str]:
    return {"KeyId": metadata["KeyId"], "KeyArn": metadata["Arn"]}


# ListKeys ResourceOwners -----------------------------------------------------------------


@needs_resource_owners
def test_list_keys_other_accounts_via_ram_lists_shared_key_with_owner_arn(
    other, shared_key, client
):
    client.create_key()  # not shared
    own = other.create_key()["KeyMetadata"]
    assert keys(other, ResourceOwners=["OTHER_ACCOUNTS_VIA_RAM"]) == [entry(shared_key)]
    assert shared_key["Arn"].split(":")[4] == ACCOUNT
    assert keys(other, ResourceOwners=["SELF"]) == [entry(own)]
    assert keys(other) == [entry(own)]


@needs_resource_owners
def test_list_keys_other_accounts_via_ram_without_shares_is_empty(other):
    other.create_key()
    response = other.list_keys(ResourceOwners=["OTHER_ACCOUNTS_VIA_RAM"])
    assert (response["Keys"], response["Truncated"], "NextMarker" in response) == (
        [],
        False,
        False,
    )


@needs_resource_owners
def test_list_keys_owner_does_not_see_its_own_shared_key_as_shared(client, shared_key):
    assert keys(client, ResourceOwners=["OTHER_ACCOUNTS_VIA_RAM"]) == []
    assert keys(client, ResourceOwners=["SELF"]) == [entry(shared_key)]


@needs_resource_owners
@pytest.mark.parametrize(
    "order", [["SELF", "OTHER_ACCOUNTS_VIA_RAM"], ["OTHER_ACCOUNTS_VIA_RAM", "SELF"]]
)
def test_list_keys_both_owners_never_mixes_own_and_shared_keys_in_a_page(other, shared_key, order):
    own = [other.create_key()["KeyMetadata"] for _ in range(2)]
    first = other.list_keys(ResourceOwners=order, Limit=10)
    assert first["Keys"] == [entry(k) for k in own]
    assert first["Truncated"] is True
    second = other.list_keys(ResourceOwners=order, Limit=10, Marker=first["NextMarker"])
    assert_valid_output("ListKeys", second)
    assert (second["Keys"], second["Truncated"]) == ([entry(shared_key)], False)


@needs_resource_owners
def test_list_keys_both_owners_paginator_visits_own_then_shared_keys(kms_mock, client, other):
    shared = [client.create_key()["KeyMetadata"] for _ in range(3)]
    for metadata in shared:
        kms_mock.share_key(metadata["Arn"], OTHER_ACCOUNT)
    own = [other.create_key()["KeyMetadata"] for _ in range(2)]
    pages = list(
        other.get_paginator("list_keys").paginate(
            ResourceOwners=["SELF", "OTHER_ACCOUNTS_VIA_RAM"], PaginationConfig={"PageSize": 2}
        )
    )
    assert [page["Keys"] for page in pages] == [
        [entry(k) for k in own],
        [entry(k) for k in shared[:2]],
        [entry(shared[2])],
    ]


@needs_resource_owners
def test_list_keys_both_owners_without_own_keys_starts_with_shared(other, shared_key):
    response = other.list_keys(ResourceOwners=["SELF", "OTHER_ACCOUNTS_VIA_RAM"])
    assert (response["Keys"], response["Truncated"]) == ([entry(shared_key)], False)


@needs_resource_owners
def test_list_keys_duplicate_owner_values_act_as_one(other, shared_key):
    assert keys(other, ResourceOwners=["OTHER_ACCOUNTS_VIA_RAM"] * 2) == [entry(shared_key)]


@needs_resource_owners
def test_list_keys_shared_key_of_other_region_is_not_listed(kms_mock, client, other):
    eu = boto3.client("kms", region_name="eu-west-1")
    key = eu.create_key()["KeyMetadata"]
    kms_mock.share_key(key["Arn"], OTHER_ACCOUNT)
    assert keys(other, ResourceOwners=["OTHER_ACCOUNTS_VIA_RAM"]) == []


@needs_resource_owners
def test_list_keys_unshared_key_is_no_longer_listed(kms_mock, other, shared_key):
    kms_mock.unshare_key(shared_key["KeyId"], OTHER_ACCOUNT)
    assert keys(other, ResourceOwners=["OTHER_ACCOUNTS_VIA_RAM"]) == []


@needs_resource_owners
@pytest.mark.parametrize(
    ("issued", "used"),
    [
        (["SELF", "OTHER_ACCOUNTS_VIA_RAM"], ["OTHER_ACCOUNTS_VIA_RAM"]),
        (["SELF", "OTHER_ACCOUNTS_VIA_RAM"], ["SELF"]),
        (["SELF", "OTHER_ACCOUNTS_VIA_RAM"], None),
        (None, ["SELF", "OTHER_ACCOUNTS_VIA_RAM"]),
    ],
)
def test_list_keys_marker_of_other_resource_owners_raises_invalid_marker(
    other, shared_key, issued, used
):
    other.create_key()
    other.create_key()
    request = {"Limit": 1} | ({"ResourceOwners": issued} if issued else {})
    marker = other.list_keys(**request)["NextMarker"]
    reuse = {"Marker": marker} | ({"ResourceOwners": used} if used else {})
    assert refused(lambda: other.list_keys(**reuse)) == (
        "InvalidMarkerException",
        f"Invalid marker: {marker}",
    )


@needs_resource_owners
def test_list_keys_unknown_resource_owner_raises_enum_validation(unchecked_client):
    assert refused(lambda: unchecked_client.list_keys(ResourceOwners=["SELF", "NOPE"])) == (
        "ValidationException",
        "1 validation error detected: Value 'NOPE' at 'resourceOwners.2.member' failed to "
        "satisfy constraint: Member must satisfy enum value set: [SELF, OTHER_ACCOUNTS_VIA_RAM]",
    )


@needs_resource_owners
def test_list_keys_three_resource_owners_raises_length_validation(unchecked_client):
    assert refused(lambda: unchecked_client.list_keys(ResourceOwners=["SELF"] * 3)) == (
        "ValidationException",
        "1 validation error detected: Value '[SELF, SELF, SELF]' at 'resourceOwners' failed "
        "to satisfy constraint: Member must have length less than or equal to 2",
    )


# Using a shared key from the other account ------------------------------------------------


def test_encrypt_shared_key_by_arn_from_other_account_decrypts_for_owner(client, other, shared_key):
    blob = other.encrypt(KeyId=shared_key["Arn"], Plaintext=b"shared")["CiphertextBlob"]
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"shared"
    data_key = other.generate_data_key(KeyId=shared_key["Arn"], KeySpec="AES_256")
    decrypted = client.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"]
    assert decrypted == data_key["Plaintext"]


def test_encrypt_shared_key_by_bare_id_from_other_account_raises_not_found(other, shared_key):
    # A key ID names a key of the caller's own account: shared keys go by ARN.
    assert refused(lambda: other.encrypt(KeyId=shared_key["KeyId"], Plaintext=b"x")) == (
        "NotFoundException",
        f"Key 'arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/{shared_key['KeyId']}' does not exist",
    )


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("GetKeyPolicy", lambda c, k: c.get_key_policy(KeyId=k)),
        ("DisableKey", lambda c, k: c.disable_key(KeyId=k)),
        ("ScheduleKeyDeletion", lambda c, k: c.schedule_key_deletion(KeyId=k)),
    ],
)
def test_same_account_operations_shared_key_arn_raises_access_denied(
    other, shared_key, operation, call
):
    arn = shared_key["Arn"]
    assert refused(lambda: call(other, arn)) == (
        "AccessDeniedException",
        f"User: {OTHER_ROOT} is not authorized to perform: kms:{operation} on resource: {arn} "
        f"because no resource-based policy allows the kms:{operation} action",
    )


@pytest.mark.kms_mock(enforce_policies=True)
def test_encrypt_shared_key_under_enforce_policies_is_allowed_only_while_shared(
    kms_mock, client, other
):
    key = client.create_key()["KeyMetadata"]["Arn"]
    denied = (
        "AccessDeniedException",
        f"User: {OTHER_ROOT} is not authorized to perform: kms:Encrypt on resource: {key} "
        "because no resource-based policy allows the kms:Encrypt action",
    )
    assert refused(lambda: other.encrypt(KeyId=key, Plaintext=b"x")) == denied
    kms_mock.share_key(key, OTHER_ACCOUNT)
    blob = other.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    assert other.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    assert other.describe_key(KeyId=key)["KeyMetadata"]["Arn"] == key
    kms_mock.unshare_key(key, OTHER_ACCOUNT)
    assert refused(lambda: other.encrypt(KeyId=key, Plaintext=b"x")) == denied


@pytest.mark.kms_mock(enforce_policies=True)
def test_create_grant_on_shared_key_under_enforce_policies_raises_access_denied(
    client, other, shared_key
):
    # The AWS_RAM policy allows using the key, not managing grants on it.
    key = shared_key["Arn"]
    call = lambda: other.create_grant(  # noqa: E731
        KeyId=key, GranteePrincipal=OTHER_ROOT, Operations=["Decrypt"]
    )
    assert refused(call) == (
        "AccessDeniedException",
        f"User: {OTHER_ROOT} is not authorized to perform: kms:CreateGrant on resource: {key} "
        "because no resource-based policy allows the kms:CreateGrant action",
    )


@pytest.mark.kms_mock(enforce_policies=True)
def test_encrypt_shared_key_from_third_account_raises_access_denied(kms_mock, shared_key):
    third = client_for(kms_mock, "AKIATHIRDACCOUNT0001", THIRD_ACCOUNT)
    key = shared_key["Arn"]
    assert refused(lambda: third.encrypt(KeyId=key, Plaintext=b"x")) == (
        "AccessDeniedException",
        f"User: arn:aws:iam::{THIRD_ACCOUNT}:root is not authorized to perform: kms:Encrypt on "
        f"resource: {key} because no resource-based policy allows the kms:Encrypt action",
    )


# The AWS_RAM key policy ------------------------------------------------------------------


def test_get_key_policy_aws_ram_of_unshared_key_raises_not_found(client, key_id):
    assert refused(lambda: client.get_key_policy(KeyId=key_id, PolicyName="AWS_RAM")) == (
        NO_SUCH_POLICY
    )


def test_get_key_policy_aws_ram_of_shared_key_allows_the_other_account(
    kms_mock, client, shared_key
):
    kms_mock.share_key(shared_key["Arn"], THIRD_ACCOUNT)
    response = client.get_key_policy(KeyId=shared_key["KeyId"], PolicyName="AWS_RAM")
    assert_valid_output("GetKeyPolicy", response)
    assert response["PolicyName"] == "AWS_RAM"
    [statement] = json.loads(response["Policy"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"AWS": [OTHER_ROOT, f"arn:aws:iam::{THIRD_ACCOUNT}:root"]}
    assert {"kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"} <= set(statement["Action"])
    # The default policy is still the default.
    default = client.get_key_policy(KeyId=shared_key["KeyId"])
    assert default["PolicyName"] == "default"
    assert default["Policy"] != response["Policy"]


def test_list_key_policies_names_aws_ram_while_shared(kms_mock, client, shared_key):
    response = client.list_key_policies(KeyId=shared_key["KeyId"])
    assert_valid_output("ListKeyPolicies", response)
    assert (response["PolicyNames"], response["Truncated"]) == (["default", "AWS_RAM"], False)
    kms_mock.unshare_key(shared_key["KeyId"], OTHER_ACCOUNT)
    assert client.list_key_policies(KeyId=shared_key["KeyId"])["PolicyNames"] == ["default"]


@pytest.mark.parametrize("policy", ['{"Version": "2012-10-17", "Statement": []}', "not json"])
def test_put_key_policy_aws_ram_raises_validation_before_reading_the_document(
    client, shared_key, policy
):
    key_id = shared_key["KeyId"]
    before = client.get_key_policy(KeyId=key_id, PolicyName="AWS_RAM")["Policy"]
    assert (
        refused(lambda: client.put_key_policy(KeyId=key_id, PolicyName="AWS_RAM", Policy=policy))
        == RAM_ONLY
    )
    assert client.get_key_policy(KeyId=key_id, PolicyName="AWS_RAM")["Policy"] == before


def test_put_key_policy_aws_ram_on_unshared_key_raises_validation(client, key_id):
    assert (
        refused(lambda: client.put_key_policy(KeyId=key_id, PolicyName="AWS_RAM", Policy="{}"))
        == RAM_ONLY
    )


def test_put_key_policy_default_on_shared_key_keeps_the_aws_ram_policy(client, shared_key):
    key_id = shared_key["KeyId"]
    ram = client.get_key_policy(KeyId=key_id, PolicyName="AWS_RAM")["Policy"]
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
    )
    client.put_key_policy(KeyId=key_id, Policy=policy)
    assert client.get_key_policy(KeyId=key_id)["Policy"] == policy
    assert client.get_key_policy(KeyId=key_id, PolicyName="AWS_RAM")["Policy"] == ram


@pytest.mark.kms_mock(enforce_policies=True)
def test_put_key_policy_aws_ram_without_permission_raises_access_denied_first(kms_mock, client):
    # Authorization comes before the AWS_RAM check.
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": ADMIN},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"},
                    "Action": "kms:PutKeyPolicy",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"kms:PolicyName": "default"}},
                },
            ],
        }
    )
    admin = client_for(kms_mock, "AKIAADMINISTRATOR001", ACCOUNT, arn=ADMIN)
    key = admin.create_key(Policy=policy)["KeyMetadata"]["Arn"]
    app = client_for(
        kms_mock, "AKIAAPPLICATION00001", ACCOUNT, arn=f"arn:aws:iam::{ACCOUNT}:role/app"
    )
    assert refused(lambda: app.put_key_policy(KeyId=key, PolicyName="AWS_RAM", Policy="{}")) == (
        "AccessDeniedException",
        f"User: arn:aws:iam::{ACCOUNT}:role/app is not authorized to perform: kms:PutKeyPolicy "
        f"on resource: {key} because no resource-based policy allows the kms:PutKeyPolicy "
        "action",
    )
    assert refused(lambda: admin.put_key_policy(KeyId=key, PolicyName="AWS_RAM", Policy="{}")) == (
        RAM_ONLY
    )


# kms.share_key misuse ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "account", "message"),
    [
        (
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            OTHER_ACCOUNT,
            f"no key '1234abcd-12ab-34cd-56ef-1234567890ab' in account {ACCOUNT} in {REGION}",
        ),
        ("own", ACCOUNT, "belongs to account 123456789012 already"),
        ("own", "12345", "account_id must be a string of 12 digits, got '12345'"),
        (f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/x", OTHER_ACCOUNT, "not a key ARN"),
    ],
)
def test_share_key_misuse_raises_value_error(kms_mock, key_id, target, account, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        kms_mock.share_key(key_id if target == "own" else target, account)


def test_share_key_aws_managed_key_raises_value_error(kms_mock, client):
    arn = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]
    with pytest.raises(ValueError, match=re.escape(f"{arn} is an AWS managed key")):
        kms_mock.share_key(arn, OTHER_ACCOUNT)


def test_share_key_by_arn_of_other_accounts_key_shares_it(kms_mock, client, other):
    key = other.create_key()["KeyMetadata"]
    kms_mock.share_key(key["Arn"], ACCOUNT)
    assert other.list_key_policies(KeyId=key["KeyId"])["PolicyNames"] == ["default", "AWS_RAM"]
    blob = client.encrypt(KeyId=key["Arn"], Plaintext=b"x")["CiphertextBlob"]
    assert other.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_list_keys_without_resource_owners_is_unchanged_by_shares(client, other, shared_key):
    assert keys(other) == []
    assert keys(client) == [entry(shared_key)]
    # A client with botocore's checks off reaches the same answer.
    unchecked = boto3.client("kms", region_name=REGION, config=Config(parameter_validation=False))
    assert unchecked.list_keys()["Keys"] == [entry(shared_key)]
