"""Server-side validation from the model, with AWS's exact ValidationException text
(docs/kms-behaviour.md#validation-messages)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

from tests._support import REGION, enum_values, error

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
CONSTRAINT = "failed to satisfy constraint: Member must"


@pytest.fixture
def raw_client(kms_mock) -> Any:
    """A client that sends whatever it is given: botocore's own validation is off."""
    return boto3.client("kms", region_name=REGION, config=Config(parameter_validation=False))


def _validation_message(call: Any) -> str:
    with pytest.raises(ClientError) as exc:
        call()
    code, message = error(exc.value)
    assert code == "ValidationException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return message


def test_describe_key_key_id_too_long_raises_max_length_message(raw_client):
    value = "a" * 2049
    message = _validation_message(lambda: raw_client.describe_key(KeyId=value))
    assert message == (
        f"1 validation error detected: Value '{value}' at 'keyId' {CONSTRAINT} "
        "have length less than or equal to 2048"
    )


def test_describe_key_key_id_empty_raises_min_length_message(raw_client):
    message = _validation_message(lambda: raw_client.describe_key(KeyId=""))
    assert message == (
        f"1 validation error detected: Value '' at 'keyId' {CONSTRAINT} "
        "have length greater than or equal to 1"
    )


@pytest.mark.parametrize(
    ("number", "bound"),
    [(0, "greater than or equal to 1"), (-5, "greater than or equal to 1")],
)
def test_generate_random_number_of_bytes_below_min_raises_range_message(raw_client, number, bound):
    message = _validation_message(lambda: raw_client.generate_random(NumberOfBytes=number))
    assert message == (
        f"1 validation error detected: Value '{number}' at 'numberOfBytes' {CONSTRAINT} "
        f"have value {bound}"
    )


def test_generate_random_number_of_bytes_above_max_raises_range_message(raw_client):
    message = _validation_message(lambda: raw_client.generate_random(NumberOfBytes=1025))
    assert message == (
        f"1 validation error detected: Value '1025' at 'numberOfBytes' {CONSTRAINT} "
        "have value less than or equal to 1024"
    )


def test_create_key_key_spec_not_in_enum_raises_enum_message(raw_client):
    allowed = ", ".join(enum_values("CreateKey", "KeySpec"))
    assert allowed.startswith("RSA_2048, RSA_3072, RSA_4096, ")
    message = _validation_message(lambda: raw_client.create_key(KeySpec="NOPE"))
    assert message == (
        f"1 validation error detected: Value 'NOPE' at 'keySpec' {CONSTRAINT} "
        f"satisfy enum value set: [{allowed}]"
    )


def test_create_key_xks_key_id_bad_characters_raises_pattern_message(raw_client):
    message = _validation_message(lambda: raw_client.create_key(XksKeyId="bad!"))
    assert message == (
        f"1 validation error detected: Value 'bad!' at 'xksKeyId' {CONSTRAINT} "
        "satisfy regular expression pattern: ^[a-zA-Z0-9-_.]+$"
    )


def test_describe_key_without_key_id_raises_not_null_message(raw_client):
    message = _validation_message(lambda: raw_client.describe_key())
    assert message == (
        f"1 validation error detected: Value null at 'keyId' {CONSTRAINT} not be null"
    )


def test_describe_key_eleven_grant_tokens_raises_list_length_message(raw_client):
    tokens = [f"t{i}" for i in range(1, 12)]
    message = _validation_message(lambda: raw_client.describe_key(KeyId=KEY_ID, GrantTokens=tokens))
    assert message == (
        "1 validation error detected: Value '[t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11]' "
        f"at 'grantTokens' {CONSTRAINT} have length less than or equal to 10"
    )


def test_create_key_tag_key_too_long_raises_nested_member_path(raw_client):
    tag_key = "k" * 129
    message = _validation_message(
        lambda: raw_client.create_key(
            Tags=[{"TagKey": "fine", "TagValue": "v"}, {"TagKey": tag_key, "TagValue": "v"}]
        )
    )
    assert message == (
        f"1 validation error detected: Value '{tag_key}' at 'tags.2.member.tagKey' "
        f"{CONSTRAINT} have length less than or equal to 128"
    )


def test_create_key_first_tag_key_too_long_raises_member_one_path(raw_client):
    tag_key = "k" * 129
    message = _validation_message(
        lambda: raw_client.create_key(Tags=[{"TagKey": tag_key, "TagValue": "v"}])
    )
    assert message == (
        f"1 validation error detected: Value '{tag_key}' at 'tags.1.member.tagKey' "
        f"{CONSTRAINT} have length less than or equal to 128"
    )


def test_create_key_tag_value_missing_raises_nested_not_null_message(raw_client):
    message = _validation_message(lambda: raw_client.create_key(Tags=[{"TagKey": "k"}]))
    assert message == (
        "1 validation error detected: Value null at 'tags.1.member.tagValue' "
        f"{CONSTRAINT} not be null"
    )


def test_create_key_two_bad_members_raises_joined_message(raw_client):
    usages = ", ".join(enum_values("CreateKey", "KeyUsage"))
    specs = ", ".join(enum_values("CreateKey", "KeySpec"))
    message = _validation_message(lambda: raw_client.create_key(KeyUsage="NO", KeySpec="NOPE"))
    # Listed in the order of the model's members: KeyUsage comes before KeySpec.
    assert message == (
        "2 validation errors detected: "
        f"Value 'NO' at 'keyUsage' {CONSTRAINT} satisfy enum value set: [{usages}]; "
        f"Value 'NOPE' at 'keySpec' {CONSTRAINT} satisfy enum value set: [{specs}]"
    )


def test_describe_key_two_bad_members_raises_joined_message(raw_client):
    tokens = [f"t{i}" for i in range(1, 12)]
    message = _validation_message(lambda: raw_client.describe_key(KeyId="", GrantTokens=tokens))
    assert message == (
        "2 validation errors detected: "
        f"Value '' at 'keyId' {CONSTRAINT} have length greater than or equal to 1; "
        "Value '[t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11]' at 'grantTokens' "
        f"{CONSTRAINT} have length less than or equal to 10"
    )


def test_generate_random_without_number_of_bytes_raises_required_message(raw_client):
    message = _validation_message(lambda: raw_client.generate_random())
    assert message == "NumberOfBytes is required."


def test_generate_random_without_number_of_bytes_client_validation_on_raises(client):
    # Optional in the model, so botocore lets it through; the service requires it
    # (docs/kms-behaviour.md#required-by-the-service).
    message = _validation_message(lambda: client.generate_random())
    assert message == "NumberOfBytes is required."


def test_list_keys_limit_zero_raises_range_message(raw_client):
    message = _validation_message(lambda: raw_client.list_keys(Limit=0))
    assert message == (
        f"1 validation error detected: Value '0' at 'limit' {CONSTRAINT} "
        "have value greater than or equal to 1"
    )


def test_list_keys_marker_outside_latin1_raises_pattern_message(raw_client):
    message = _validation_message(lambda: raw_client.list_keys(Marker="\u20ac"))
    assert message == (
        f"1 validation error detected: Value '\u20ac' at 'marker' {CONSTRAINT} "
        "satisfy regular expression pattern: [\\u0020-\\u00FF]*"
    )


def test_create_key_description_too_long_raises_max_length_message(raw_client):
    value = "d" * 8193
    message = _validation_message(lambda: raw_client.create_key(Description=value))
    assert message == (
        f"1 validation error detected: Value '{value}' at 'description' {CONSTRAINT} "
        "have length less than or equal to 8192"
    )


# Wrong JSON types reach the service only with client validation off --------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: c.describe_key(KeyId=5),
            "NUMBER_VALUE can not be converted to a String",
        ),
        (
            lambda c: c.generate_random(NumberOfBytes="5"),
            "STRING_VALUE can not be converted to an Integer",
        ),
        (
            lambda c: c.create_key(MultiRegion="yes"),
            "STRING_VALUE can not be converted to a Boolean",
        ),
        (
            lambda c: c.describe_key(KeyId=[KEY_ID]),
            "START_ARRAY can not be converted to a String",
        ),
        (
            lambda c: c.generate_random(NumberOfBytes=True),
            "TRUE_VALUE can not be converted to an Integer",
        ),
    ],
)
def test_operation_wrong_json_type_raises_serialization_exception(raw_client, call, message):
    with pytest.raises(ClientError) as exc:
        call(raw_client)
    assert error(exc.value) == ("SerializationException", message)


def test_generate_random_float_integer_value_is_accepted(raw_client):
    assert len(raw_client.generate_random(NumberOfBytes=4.0)["Plaintext"]) == 4


# botocore does not check maxima, enums or patterns: the service still does --------


def test_describe_key_key_id_too_long_client_validation_on_raises(client):
    value = "a" * 2049
    message = _validation_message(lambda: client.describe_key(KeyId=value))
    assert message == (
        f"1 validation error detected: Value '{value}' at 'keyId' {CONSTRAINT} "
        "have length less than or equal to 2048"
    )


def test_create_key_key_spec_not_in_enum_client_validation_on_raises(client):
    allowed = ", ".join(enum_values("CreateKey", "KeySpec"))
    message = _validation_message(lambda: client.create_key(KeySpec="NOPE"))
    assert message == (
        f"1 validation error detected: Value 'NOPE' at 'keySpec' {CONSTRAINT} "
        f"satisfy enum value set: [{allowed}]"
    )


def test_create_key_xks_key_id_bad_characters_client_validation_on_raises(client):
    message = _validation_message(lambda: client.create_key(XksKeyId="bad!"))
    assert message == (
        f"1 validation error detected: Value 'bad!' at 'xksKeyId' {CONSTRAINT} "
        "satisfy regular expression pattern: ^[a-zA-Z0-9-_.]+$"
    )


def test_generate_random_number_of_bytes_above_max_client_validation_on_raises(client):
    message = _validation_message(lambda: client.generate_random(NumberOfBytes=1025))
    assert message == (
        f"1 validation error detected: Value '1025' at 'numberOfBytes' {CONSTRAINT} "
        "have value less than or equal to 1024"
    )


def test_list_keys_limit_above_max_client_validation_on_raises(client):
    message = _validation_message(lambda: client.list_keys(Limit=1001))
    assert message == (
        f"1 validation error detected: Value '1001' at 'limit' {CONSTRAINT} "
        "have value less than or equal to 1000"
    )


def test_generate_random_number_of_bytes_zero_client_validation_on_stops_in_botocore(client):
    # botocore checks integer minima itself: the request never reaches kmsmock.
    with pytest.raises(ParamValidationError):
        client.generate_random(NumberOfBytes=0)


# A rejected call changes nothing --------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"KeySpec": "NOPE"},
        {"KeySpec": "RSA_2048"},
        {"KeySpec": "RSA_2048", "KeyUsage": "GENERATE_VERIFY_MAC"},
        {"Tags": [{"TagKey": "a", "TagValue": "1"}, {"TagKey": "a", "TagValue": "2"}]},
        {"Tags": [{"TagKey": "aws:reserved", "TagValue": "1"}]},
        {"Tags": [{"TagKey": f"k{i}", "TagValue": "v"} for i in range(51)]},
        {"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": "cks-1234567890abcdef0"},
        {"Policy": "not json"},
    ],
    ids=[
        "enum",
        "usage-missing",
        "usage-incompatible",
        "duplicate-tags",
        "reserved-tag",
        "too-many-tags",
        "unknown-key-store",
        "bad-policy",
    ],
)
def test_create_key_rejected_leaves_key_list_unchanged(raw_client, params):
    existing = raw_client.create_key()["KeyMetadata"]["KeyId"]
    before = raw_client.list_keys()
    with pytest.raises(ClientError):
        raw_client.create_key(**params)
    after = raw_client.list_keys()
    assert (
        after["Keys"]
        == before["Keys"]
        == [{"KeyId": existing, "KeyArn": f"arn:aws:kms:{REGION}:123456789012:key/{existing}"}]
    )
