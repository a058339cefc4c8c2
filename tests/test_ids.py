"""Key identifiers: the KeyId forms DescribeKey accepts, NotFound messages, accounts, regions."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests._support import ACCOUNT, OTHER_ACCOUNT, REGION, assert_valid_output, error, key_arn

OTHER_ACCESS_KEY = "AKIAOTHER00000000001"
UNKNOWN_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
UNKNOWN_MRK_ID = "mrk-1234abcd12ab34cd56ef1234567890ab"


def _not_found(client: Any, key_id: str) -> str:
    with pytest.raises(client.exceptions.NotFoundException) as exc:
        client.describe_key(KeyId=key_id)
    code, message = error(exc.value)
    assert code == "NotFoundException"
    return message


@pytest.fixture
def key(client) -> dict[str, Any]:
    metadata: dict[str, Any] = client.create_key(Description="the key")["KeyMetadata"]
    return metadata


@pytest.fixture
def other_client(kms_mock) -> Any:
    """A client whose access key belongs to another account."""
    kms_mock.identities.add(OTHER_ACCESS_KEY, account_id=OTHER_ACCOUNT)
    return boto3.client(
        "kms",
        region_name=REGION,
        aws_access_key_id=OTHER_ACCESS_KEY,
        aws_secret_access_key="other-secret",
    )


def test_describe_key_by_key_id_returns_metadata(client, key):
    response = client.describe_key(KeyId=key["KeyId"])
    assert_valid_output("DescribeKey", response)
    assert response["KeyMetadata"] == key


def test_describe_key_by_key_arn_returns_metadata(client, key):
    assert key["Arn"] == key_arn(key["KeyId"])
    assert client.describe_key(KeyId=key["Arn"])["KeyMetadata"] == key


def test_describe_key_uppercase_key_id_resolves_to_lowercase_id(client, key):
    metadata = client.describe_key(KeyId=key["KeyId"].upper())["KeyMetadata"]
    assert metadata["KeyId"] == key["KeyId"]
    assert metadata["KeyId"] == metadata["KeyId"].lower()


def test_describe_key_uppercase_multi_region_key_id_resolves(client):
    key_id = client.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    upper = "mrk-" + key_id[4:].upper()
    assert client.describe_key(KeyId=upper)["KeyMetadata"]["KeyId"] == key_id


def test_describe_key_by_multi_region_key_id_returns_metadata(client):
    key = client.create_key(MultiRegion=True)["KeyMetadata"]
    assert client.describe_key(KeyId=key["KeyId"])["KeyMetadata"] == key
    assert client.describe_key(KeyId=key["Arn"])["KeyMetadata"] == key


@pytest.mark.parametrize(
    "key_id",
    [
        "fake-key-id",
        "key_id",
        "mrk-fake-key-id",
        "1234abcd12ab34cd56ef1234567890ab",  # 32 hex without dashes
        "1234abcd-12ab-34cd-56ef-1234567890ab0",  # one digit too many
        "1234abcd-12ab-34cd-56ef-1234567890ag",  # not hex
        "mrk-1234abcd12ab34cd56ef1234567890a",  # 31 hex digits
        f" {UNKNOWN_ID}",
    ],
)
def test_describe_key_malformed_key_id_raises_invalid_key_id(client, key_id):
    assert _not_found(client, key_id) == f"Invalid keyId '{key_id}'"


@pytest.mark.parametrize("key_id", [UNKNOWN_ID, UNKNOWN_MRK_ID])
def test_describe_key_unknown_key_id_raises_key_does_not_exist(client, key_id):
    assert _not_found(client, key_id) == (f"Key '{key_arn(key_id)}' does not exist")


@pytest.mark.parametrize("key_id", [UNKNOWN_ID, UNKNOWN_MRK_ID])
def test_describe_key_unknown_key_arn_raises_key_does_not_exist(client, key_id):
    arn = key_arn(key_id)
    assert _not_found(client, arn) == f"Key '{arn}' does not exist"


def test_describe_key_key_arn_with_malformed_id_raises_invalid_key_id(client):
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/fake-key-id"
    # Unverified against AWS: whether it quotes the ID or the whole ARN; kmsmock quotes the ID.
    assert _not_found(client, arn) == "Invalid keyId 'fake-key-id'"


def test_describe_key_key_arn_from_other_region_raises_invalid_arn(client, key):
    arn = key["Arn"].replace(REGION, "us-west-2")
    assert _not_found(client, arn) == "Invalid arn us-west-2"


def test_describe_key_alias_arn_from_other_region_raises_invalid_arn(client):
    arn = f"arn:aws:kms:eu-west-1:{ACCOUNT}:alias/nope"
    assert _not_found(client, arn) == "Invalid arn eu-west-1"


def test_describe_key_unknown_alias_name_raises_alias_not_found(client):
    assert _not_found(client, "alias/nope") == (
        f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/nope is not found."
    )


def test_describe_key_unknown_alias_arn_raises_alias_not_found(client):
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/nope"
    assert _not_found(client, arn) == f"Alias {arn} is not found."


def test_describe_key_unknown_alias_in_other_account_raises_alias_not_found(client):
    arn = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:alias/nope"
    assert _not_found(client, arn) == f"Alias {arn} is not found."


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:kms:{REGION}:{ACCOUNT}:{UNKNOWN_ID}",  # no "key/" resource type
        f"arn:aws:kms:{REGION}:{ACCOUNT}:grant/{UNKNOWN_ID}",
        f"arn:aws:s3:{REGION}:{ACCOUNT}:key/{UNKNOWN_ID}",
        "arn:nonsense",
    ],
)
def test_describe_key_malformed_arn_raises_invalid_arn_exception(client, arn):
    with pytest.raises(client.exceptions.InvalidArnException) as exc:
        client.describe_key(KeyId=arn)
    # Unverified against AWS: the message (docs/kms-behaviour.md#key-arns); kmsmock's wording.
    assert error(exc.value) == ("InvalidArnException", f"ARN {arn} is not valid")


# Accounts -------------------------------------------------------------------------


def test_create_key_other_access_key_creates_in_its_account(client, other_client):
    metadata = other_client.create_key()["KeyMetadata"]
    assert metadata["AWSAccountId"] == OTHER_ACCOUNT
    assert metadata["Arn"] == f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/{metadata['KeyId']}"
    assert client.list_keys()["Keys"] == []
    assert other_client.list_keys()["Keys"] == [
        {"KeyId": metadata["KeyId"], "KeyArn": metadata["Arn"]}
    ]


def test_describe_key_other_account_key_by_arn_returns_metadata(client, other_client):
    metadata = other_client.create_key(Description="theirs")["KeyMetadata"]
    assert client.describe_key(KeyId=metadata["Arn"])["KeyMetadata"] == metadata


def test_describe_key_other_account_key_by_id_raises_not_found_in_own_account(client, other_client):
    key_id = other_client.create_key()["KeyMetadata"]["KeyId"]
    assert _not_found(client, key_id) == (f"Key '{key_arn(key_id)}' does not exist")


def test_describe_key_unknown_key_arn_in_other_account_raises_key_does_not_exist(client):
    arn = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/{UNKNOWN_ID}"
    assert _not_found(client, arn) == f"Key '{arn}' does not exist"


def test_describe_key_own_key_by_id_from_other_account_raises_not_found(client, other_client, key):
    assert _not_found(other_client, key["KeyId"]) == (
        f"Key 'arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/{key['KeyId']}' does not exist"
    )


def test_create_key_mock_account_id_option_sets_default_account():
    from kmsmock import mock_kms

    with mock_kms(account_id=OTHER_ACCOUNT):
        client = boto3.client("kms", region_name=REGION)
        metadata = client.create_key()["KeyMetadata"]
        assert metadata["AWSAccountId"] == OTHER_ACCOUNT
        assert _not_found(client, UNKNOWN_ID) == (
            f"Key 'arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/{UNKNOWN_ID}' does not exist"
        )


def test_identities_add_account_id_not_twelve_digits_raises_value_error(kms_mock):
    message = "account_id must be a string of 12 digits, got 'abc'"
    with pytest.raises(ValueError, match=re.escape(message)) as exc:
        kms_mock.identities.add("AKIABAD0000000000001", account_id="abc")
    assert str(exc.value) == message


# Regions --------------------------------------------------------------------------


def test_describe_key_key_in_other_region_is_not_visible(client, kms_mock):
    west = boto3.client("kms", region_name="us-west-2")
    metadata = west.create_key()["KeyMetadata"]
    assert metadata["Arn"] == f"arn:aws:kms:us-west-2:{ACCOUNT}:key/{metadata['KeyId']}"
    assert client.list_keys()["Keys"] == []
    assert _not_found(client, metadata["KeyId"]) == (
        f"Key '{key_arn(metadata['KeyId'])}' does not exist"
    )
    assert _not_found(client, metadata["Arn"]) == "Invalid arn us-west-2"
    assert west.describe_key(KeyId=metadata["KeyId"])["KeyMetadata"] == metadata


def test_describe_key_china_region_uses_aws_cn_partition(kms_mock):
    china = boto3.client("kms", region_name="cn-north-1")
    metadata = china.create_key()["KeyMetadata"]
    arn = f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/{metadata['KeyId']}"
    assert metadata["Arn"] == arn
    assert china.describe_key(KeyId=arn)["KeyMetadata"] == metadata
    assert _not_found(china, UNKNOWN_ID) == (
        f"Key 'arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/{UNKNOWN_ID}' does not exist"
    )


def test_describe_key_gov_cloud_region_uses_aws_us_gov_partition(kms_mock):
    gov = boto3.client("kms", region_name="us-gov-west-1")
    metadata = gov.create_key()["KeyMetadata"]
    assert metadata["Arn"] == f"arn:aws-us-gov:kms:us-gov-west-1:{ACCOUNT}:key/{metadata['KeyId']}"


def test_describe_key_not_found_is_a_client_error(client):
    with pytest.raises(ClientError) as exc:
        client.describe_key(KeyId="fake-key-id")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert exc.value.operation_name == "DescribeKey"
