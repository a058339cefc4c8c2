"""CreateKey, DescribeKey, ListKeys and GenerateRandom through a real boto3 client."""

from __future__ import annotations

import re
import time
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests._support import (
    ACCOUNT,
    CHINA,
    ENCAPSULATE_DECAPSULATE,
    MATERIAL_ID,
    ML_KEM_SPECS,
    REGION,
    assert_valid_output,
    body,
    enum_values,
    error,
    key_arn,
    ml_kem_in_model,
    ml_kem_specs_in_model,
)

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MRK = re.compile(r"mrk-[0-9a-f]{32}")

_RSA_SIGNING = [
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
]
_RSA_ENCRYPTION = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
_ECDH = ("KeyAgreementAlgorithms", ["ECDH"])

# docs/kms-behaviour.md#key-specs: key spec -> key usage -> (the one algorithm field, its list in
# order).
SPECS: dict[str, dict[str, tuple[str, list[str]]]] = {
    "SYMMETRIC_DEFAULT": {"ENCRYPT_DECRYPT": ("EncryptionAlgorithms", ["SYMMETRIC_DEFAULT"])},
    **{
        f"HMAC_{bits}": {"GENERATE_VERIFY_MAC": ("MacAlgorithms", [f"HMAC_SHA_{bits}"])}
        for bits in (224, 256, 384, 512)
    },
    **{
        f"RSA_{bits}": {
            "ENCRYPT_DECRYPT": ("EncryptionAlgorithms", _RSA_ENCRYPTION),
            "SIGN_VERIFY": ("SigningAlgorithms", _RSA_SIGNING),
        }
        for bits in (2048, 3072, 4096)
    },
    "ECC_NIST_P256": {
        "SIGN_VERIFY": ("SigningAlgorithms", ["ECDSA_SHA_256"]),
        "KEY_AGREEMENT": _ECDH,
    },
    "ECC_NIST_P384": {
        "SIGN_VERIFY": ("SigningAlgorithms", ["ECDSA_SHA_384"]),
        "KEY_AGREEMENT": _ECDH,
    },
    "ECC_NIST_P521": {
        "SIGN_VERIFY": ("SigningAlgorithms", ["ECDSA_SHA_512"]),
        "KEY_AGREEMENT": _ECDH,
    },
    "ECC_SECG_P256K1": {"SIGN_VERIFY": ("SigningAlgorithms", ["ECDSA_SHA_256"])},
    "ECC_NIST_EDWARDS25519": {
        "SIGN_VERIFY": ("SigningAlgorithms", ["ED25519_SHA_512", "ED25519_PH_SHA_512"])
    },
    **{
        f"ML_DSA_{level}": {"SIGN_VERIFY": ("SigningAlgorithms", ["ML_DSA_SHAKE_256"])}
        for level in (44, 65, 87)
    },
    "SM2": {
        "ENCRYPT_DECRYPT": ("EncryptionAlgorithms", ["SM2PKE"]),
        "SIGN_VERIFY": ("SigningAlgorithms", ["SM2DSA"]),
        "KEY_AGREEMENT": _ECDH,
    },
    # botocore 1.44 on: the model's enums gain them only there.
    **{
        spec: {ENCAPSULATE_DECAPSULATE: ("EncapsulationAlgorithms", ["ML_KEM"])}
        for spec in ml_kem_specs_in_model()
    },
}
USAGES = ["SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"] + (
    [ENCAPSULATE_DECAPSULATE] if ml_kem_in_model() else []
)
# Not in the deprecated CustomerMasterKeySpec enum, so not reported under that name.
NO_CMK_SPEC = {"ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519", *ML_KEM_SPECS}

VALID_PAIRS = [(spec, usage) for spec, usages in SPECS.items() for usage in usages]
INCOMPATIBLE_PAIRS = [
    (spec, usage) for spec in SPECS if spec != "SM2" for usage in USAGES if usage not in SPECS[spec]
]


def _region_for(spec: str) -> str:
    return CHINA if spec == "SM2" else REGION


def _partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws"


def _validation_error(call: Any) -> str:
    with pytest.raises(ClientError) as exc:
        call()
    code, message = error(exc.value)
    assert code == "ValidationException"
    return message


def _expected_metadata(
    metadata: Any, spec: str, usage: str, region: str, **overrides: Any
) -> dict[str, Any]:
    """The exact KeyMetadata of a fresh customer key; ID, date and material ID are taken over."""
    field, algorithms = SPECS[spec][usage]
    key_id = metadata["KeyId"]
    expected: dict[str, Any] = {
        "AWSAccountId": ACCOUNT,
        "KeyId": key_id,
        "Arn": f"arn:{_partition(region)}:kms:{region}:{ACCOUNT}:key/{key_id}",
        "CreationDate": metadata["CreationDate"],
        "Enabled": True,
        "Description": "",
        "KeyUsage": usage,
        "KeyState": "Enabled",
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "KeySpec": spec,
        field: algorithms,
        "MultiRegion": False,
    }
    if spec not in NO_CMK_SPEC:
        expected["CustomerMasterKeySpec"] = spec
    if spec == "SYMMETRIC_DEFAULT":
        expected["CurrentKeyMaterialId"] = metadata.get("CurrentKeyMaterialId")
    expected.update(overrides)
    return expected


@pytest.fixture
def raw_client(kms_mock) -> Any:
    return boto3.client("kms", region_name=REGION, config=Config(parameter_validation=False))


# CreateKey: every key spec -------------------------------------------------------------


def test_create_key_spec_table_covers_the_model_enum():
    assert set(SPECS) == set(enum_values("CreateKey", "KeySpec"))
    assert len(SPECS) == 17 + len(ml_kem_specs_in_model())
    assert set(USAGES) == set(enum_values("CreateKey", "KeyUsage"))
    assert set(enum_values("CreateKey", "CustomerMasterKeySpec")) == set(SPECS) - NO_CMK_SPEC


@pytest.mark.parametrize(("spec", "usage"), VALID_PAIRS)
def test_create_key_valid_spec_and_usage_returns_exact_metadata(kms_mock, spec, usage):
    region = _region_for(spec)
    client = boto3.client("kms", region_name=region)
    response = client.create_key(KeySpec=spec, KeyUsage=usage)
    assert_valid_output("CreateKey", response)
    metadata = response["KeyMetadata"]
    assert UUID.fullmatch(metadata["KeyId"])
    assert metadata == _expected_metadata(metadata, spec, usage, region)
    if spec == "SYMMETRIC_DEFAULT":
        assert MATERIAL_ID.fullmatch(metadata["CurrentKeyMaterialId"])
    else:
        assert "CurrentKeyMaterialId" not in metadata
    described = client.describe_key(KeyId=metadata["KeyId"])
    assert_valid_output("DescribeKey", described)
    assert described["KeyMetadata"] == metadata


def test_create_key_no_parameters_returns_symmetric_default_key(client):
    response = client.create_key()
    assert_valid_output("CreateKey", response)
    metadata = response["KeyMetadata"]
    assert metadata == _expected_metadata(metadata, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", REGION)
    assert MATERIAL_ID.fullmatch(metadata["CurrentKeyMaterialId"])


def test_create_key_symmetric_default_without_usage_defaults_to_encrypt_decrypt(client):
    metadata = client.create_key(KeySpec="SYMMETRIC_DEFAULT")["KeyMetadata"]
    assert metadata["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert metadata["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]


def test_create_key_two_keys_get_different_ids_and_material_ids(client):
    first = client.create_key()["KeyMetadata"]
    second = client.create_key()["KeyMetadata"]
    assert first["KeyId"] != second["KeyId"]
    assert first["CurrentKeyMaterialId"] != second["CurrentKeyMaterialId"]


@pytest.mark.parametrize("usage", ["ENCRYPT_DECRYPT", "SIGN_VERIFY"])
def test_create_key_sm2_outside_china_raises_enum_without_sm2(client, usage):
    allowed = ", ".join(v for v in enum_values("CreateKey", "KeySpec") if v != "SM2")
    message = _validation_error(lambda: client.create_key(KeySpec="SM2", KeyUsage=usage))
    assert message == (
        "1 validation error detected: Value 'SM2' at 'keySpec' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{allowed}]"
    )


def test_create_key_sm2_customer_master_key_spec_outside_china_raises_enum_without_sm2(client):
    allowed = ", ".join(v for v in enum_values("CreateKey", "CustomerMasterKeySpec") if v != "SM2")
    message = _validation_error(
        lambda: client.create_key(CustomerMasterKeySpec="SM2", KeyUsage="SIGN_VERIFY")
    )
    assert message == (
        "1 validation error detected: Value 'SM2' at 'customerMasterKeySpec' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{allowed}]"
    )


# CreateKey: rejected spec/usage combinations -------------------------------------------


@pytest.mark.parametrize("spec", [s for s in SPECS if s not in ("SYMMETRIC_DEFAULT", "SM2")])
def test_create_key_non_symmetric_spec_without_usage_raises_validation(client, spec):
    message = _validation_error(lambda: client.create_key(KeySpec=spec))
    assert message == (
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."
    )


def test_create_key_sm2_in_china_without_usage_raises_validation(kms_mock):
    client = boto3.client("kms", region_name=CHINA)
    message = _validation_error(lambda: client.create_key(KeySpec="SM2"))
    assert message == (
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."
    )


@pytest.mark.parametrize(("spec", "usage"), INCOMPATIBLE_PAIRS)
def test_create_key_incompatible_spec_and_usage_raises_validation(client, spec, usage):
    message = _validation_error(lambda: client.create_key(KeySpec=spec, KeyUsage=usage))
    assert message == f"KeyUsage {usage} is not compatible with KeySpec {spec}"


def test_create_key_incompatible_pairs_are_all_covered():
    # SM2's incompatible pairs are tested in China, below.
    sm2_incompatible = len(USAGES) - len(SPECS["SM2"])
    assert len(VALID_PAIRS) + len(INCOMPATIBLE_PAIRS) + sm2_incompatible == len(SPECS) * len(USAGES)
    assert ("RSA_2048", "KEY_AGREEMENT") in INCOMPATIBLE_PAIRS


def test_create_key_sm2_in_china_with_mac_usage_raises_validation(kms_mock):
    client = boto3.client("kms", region_name=CHINA)
    message = _validation_error(
        lambda: client.create_key(KeySpec="SM2", KeyUsage="GENERATE_VERIFY_MAC")
    )
    assert message == "KeyUsage GENERATE_VERIFY_MAC is not compatible with KeySpec SM2"


def test_create_key_symmetric_default_with_sign_usage_raises_validation(client):
    message = _validation_error(
        lambda: client.create_key(KeySpec="SYMMETRIC_DEFAULT", KeyUsage="SIGN_VERIFY")
    )
    assert message == "KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT"


def test_create_key_usage_without_spec_applies_to_symmetric_default(client):
    message = _validation_error(lambda: client.create_key(KeyUsage="GENERATE_VERIFY_MAC"))
    assert message == (
        "KeyUsage GENERATE_VERIFY_MAC is not compatible with KeySpec SYMMETRIC_DEFAULT"
    )


# CreateKey: CustomerMasterKeySpec -------------------------------------------------------


@pytest.mark.parametrize("legacy", ["RSA_2048", "SYMMETRIC_DEFAULT"])
def test_create_key_both_spec_parameters_raises_validation(client, legacy):
    # Unverified against AWS: the message (docs/kms-behaviour.md#create-key); kmsmock's wording.
    message = _validation_error(
        lambda: client.create_key(
            KeySpec="RSA_2048", CustomerMasterKeySpec=legacy, KeyUsage="SIGN_VERIFY"
        )
    )
    assert message == (
        "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
        "CustomerMasterKeySpec is deprecated. Use KeySpec."
    )


def test_create_key_customer_master_key_spec_alone_reported_under_both_names(client):
    response = client.create_key(CustomerMasterKeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    assert_valid_output("CreateKey", response)
    metadata = response["KeyMetadata"]
    assert metadata == _expected_metadata(metadata, "RSA_2048", "SIGN_VERIFY", REGION)
    assert metadata["KeySpec"] == metadata["CustomerMasterKeySpec"] == "RSA_2048"


def test_create_key_customer_master_key_spec_without_usage_raises_validation(client):
    message = _validation_error(lambda: client.create_key(CustomerMasterKeySpec="HMAC_256"))
    assert message == (
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."
    )


# CreateKey: origin and multi-Region -------------------------------------------------------


def test_create_key_origin_external_is_pending_import_without_material(client):
    response = client.create_key(Origin="EXTERNAL")
    assert_valid_output("CreateKey", response)
    metadata = response["KeyMetadata"]
    expected = _expected_metadata(
        metadata,
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        REGION,
        Origin="EXTERNAL",
        KeyState="PendingImport",
        Enabled=False,
    )
    del expected["CurrentKeyMaterialId"]  # no material until the first import
    assert metadata == expected
    assert "ExpirationModel" not in metadata
    assert "ValidTo" not in metadata
    assert client.describe_key(KeyId=metadata["KeyId"])["KeyMetadata"] == metadata


def test_create_key_origin_external_asymmetric_is_pending_import(client):
    metadata = client.create_key(Origin="EXTERNAL", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")[
        "KeyMetadata"
    ]
    assert metadata == _expected_metadata(
        metadata,
        "RSA_2048",
        "SIGN_VERIFY",
        REGION,
        Origin="EXTERNAL",
        KeyState="PendingImport",
        Enabled=False,
    )


def test_create_key_origin_aws_kms_explicit_is_enabled(client):
    metadata = client.create_key(Origin="AWS_KMS")["KeyMetadata"]
    assert metadata["Origin"] == "AWS_KMS"
    assert metadata["KeyState"] == "Enabled"


def test_create_key_multi_region_returns_primary_configuration(client):
    response = client.create_key(MultiRegion=True)
    assert_valid_output("CreateKey", response)
    metadata = response["KeyMetadata"]
    key_id = metadata["KeyId"]
    assert MRK.fullmatch(key_id)
    arn = key_arn(key_id)
    assert metadata == _expected_metadata(
        metadata,
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        REGION,
        MultiRegion=True,
        MultiRegionConfiguration={
            "MultiRegionKeyType": "PRIMARY",
            "PrimaryKey": {"Arn": arn, "Region": REGION},
            "ReplicaKeys": [],
        },
    )
    assert client.describe_key(KeyId=key_id)["KeyMetadata"] == metadata


def test_create_key_multi_region_asymmetric_returns_mrk_id(client):
    metadata = client.create_key(MultiRegion=True, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")[
        "KeyMetadata"
    ]
    assert MRK.fullmatch(metadata["KeyId"])
    assert metadata["MultiRegion"] is True
    assert "CurrentKeyMaterialId" not in metadata


def test_create_key_multi_region_false_returns_uuid(client):
    metadata = client.create_key(MultiRegion=False)["KeyMetadata"]
    assert UUID.fullmatch(metadata["KeyId"])
    assert "MultiRegionConfiguration" not in metadata


# CreateKey: custom key stores (Unverified against AWS: the messages) ------------------


def test_create_key_cloudhsm_without_key_store_raises_validation(client):
    message = _validation_error(lambda: client.create_key(Origin="AWS_CLOUDHSM"))
    assert message == "CustomKeyStoreId is required when Origin is AWS_CLOUDHSM."


def test_create_key_external_key_store_without_key_store_raises_validation(client):
    message = _validation_error(
        lambda: client.create_key(Origin="EXTERNAL_KEY_STORE", XksKeyId="xks-key-1")
    )
    assert message == "CustomKeyStoreId is required when Origin is EXTERNAL_KEY_STORE."


def test_create_key_external_key_store_without_xks_key_id_raises_validation(client):
    message = _validation_error(
        lambda: client.create_key(
            Origin="EXTERNAL_KEY_STORE", CustomKeyStoreId="cks-1234567890abcdef0"
        )
    )
    assert message == "XksKeyId is required when Origin is EXTERNAL_KEY_STORE."


@pytest.mark.parametrize(
    "params",
    [
        {"Origin": "AWS_CLOUDHSM"},
        {"Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "xks-key-1"},
    ],
)
def test_create_key_unknown_custom_key_store_raises_not_found(client, params):
    with pytest.raises(client.exceptions.CustomKeyStoreNotFoundException) as exc:
        client.create_key(CustomKeyStoreId="cks-1234567890abcdef0", **params)
    assert error(exc.value) == (
        "CustomKeyStoreNotFoundException",
        "Custom key store cks-1234567890abcdef0 does not exist in this account and Region.",
    )


@pytest.mark.parametrize(
    "params",
    [
        {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"},
        {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
        {"MultiRegion": True},
    ],
)
def test_create_key_custom_key_store_unsupported_key_raises_unsupported_operation(client, params):
    with pytest.raises(client.exceptions.UnsupportedOperationException) as exc:
        client.create_key(Origin="AWS_CLOUDHSM", CustomKeyStoreId="cks-1234567890abcdef0", **params)
    assert error(exc.value) == (
        "UnsupportedOperationException",
        "Custom key stores support only single-Region symmetric encryption KMS keys.",
    )


@pytest.mark.parametrize("origin", ["AWS_KMS", "EXTERNAL"])
def test_create_key_key_store_with_other_origin_raises_validation(client, origin):
    message = _validation_error(
        lambda: client.create_key(Origin=origin, CustomKeyStoreId="cks-1234567890abcdef0")
    )
    assert message == f"CustomKeyStoreId is not valid for KMS keys with an Origin of {origin}."


@pytest.mark.parametrize("origin", [None, "AWS_KMS", "AWS_CLOUDHSM"])
def test_create_key_xks_key_id_with_other_origin_raises_validation(client, origin):
    params = {"XksKeyId": "xks-key-1"} | ({"Origin": origin} if origin else {})
    message = _validation_error(lambda: client.create_key(**params))
    assert message == "XksKeyId is valid only for KMS keys with an Origin of EXTERNAL_KEY_STORE."


# CreateKey: description, date, tags ------------------------------------------------------


def test_create_key_description_is_stored(client):
    metadata = client.create_key(Description="payments key")["KeyMetadata"]
    assert metadata["Description"] == "payments key"
    described = client.describe_key(KeyId=metadata["KeyId"])["KeyMetadata"]
    assert described["Description"] == "payments key"


def test_create_key_empty_description_is_stored_empty(client):
    assert client.create_key(Description="")["KeyMetadata"]["Description"] == ""


def test_create_key_creation_date_is_now(client):
    before = time.time()
    created = client.create_key()["KeyMetadata"]["CreationDate"]
    after = time.time()
    assert created.tzinfo is not None
    # Epoch seconds with millisecond precision on the wire.
    assert before - 0.001 <= created.timestamp() <= after + 0.001


def test_create_key_creation_date_follows_mock_clock(client, kms_mock):
    kms_mock.clock.advance(days=2)
    created = client.create_key()["KeyMetadata"]["CreationDate"]
    assert abs(created.timestamp() - (time.time() + 2 * 86400)) < 5


def test_create_key_fifty_tags_succeeds(client):
    tags = [{"TagKey": f"k{i}", "TagValue": "v"} for i in range(50)]
    metadata = client.create_key(Tags=tags)["KeyMetadata"]
    assert client.describe_key(KeyId=metadata["KeyId"])["KeyMetadata"] == metadata


def test_create_key_tag_keys_differing_in_case_succeeds(client):
    tags = [{"TagKey": "Team", "TagValue": "a"}, {"TagKey": "team", "TagValue": "b"}]
    assert client.create_key(Tags=tags)["KeyMetadata"]["KeyState"] == "Enabled"


def test_create_key_empty_tag_value_succeeds(client):
    tags = [{"TagKey": "flag", "TagValue": ""}]
    assert client.create_key(Tags=tags)["KeyMetadata"]["KeyState"] == "Enabled"


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (
            [{"TagKey": "team", "TagValue": "a"}, {"TagKey": "team", "TagValue": "b"}],
            "Duplicate tag keys",
        ),
        ([{"TagKey": "aws:x", "TagValue": "v"}], "Tags beginning with aws: are reserved"),
        ([{"TagKey": "AWS:x", "TagValue": "v"}], "Tags beginning with aws: are reserved"),
        ([{"TagKey": "Aws:x", "TagValue": "v"}], "Tags beginning with aws: are reserved"),
        ([{"TagKey": f"k{i}", "TagValue": "v"} for i in range(51)], "Too many tags"),
    ],
    ids=["duplicate", "aws-lower", "aws-upper", "aws-mixed", "fifty-one"],
)
def test_create_key_bad_tags_raises_tag_exception(client, tags, message):
    with pytest.raises(client.exceptions.TagException) as exc:
        client.create_key(Tags=tags)
    assert error(exc.value) == ("TagException", message)
    assert client.list_keys()["Keys"] == []


def test_create_key_tag_key_with_aws_inside_succeeds(client):
    tags = [{"TagKey": "my-aws:x", "TagValue": "v"}, {"TagKey": "aws", "TagValue": "v"}]
    assert client.create_key(Tags=tags)["KeyMetadata"]["KeyState"] == "Enabled"


# ListKeys ---------------------------------------------------------------------------------


def test_list_keys_no_keys_returns_empty_not_truncated(client):
    response = client.list_keys()
    assert_valid_output("ListKeys", response)
    assert body(response) == {
        "Keys": [],
        "Truncated": False,
    }


def test_list_keys_returns_ids_and_arns_in_creation_order(client):
    created = [client.create_key()["KeyMetadata"] for _ in range(3)]
    response = client.list_keys()
    assert_valid_output("ListKeys", response)
    assert response["Keys"] == [{"KeyId": m["KeyId"], "KeyArn": m["Arn"]} for m in created]
    assert response["Truncated"] is False
    assert "NextMarker" not in response


def test_list_keys_includes_every_kind_of_key(client):
    created = [
        client.create_key(),
        client.create_key(Origin="EXTERNAL"),
        client.create_key(MultiRegion=True),
        client.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC"),
    ]
    ids = [c["KeyMetadata"]["KeyId"] for c in created]
    assert [k["KeyId"] for k in client.list_keys()["Keys"]] == ids


def test_list_keys_limit_and_marker_paginate_in_creation_order(client):
    ids = [client.create_key()["KeyMetadata"]["KeyId"] for _ in range(25)]
    pages = []
    marker = None
    while True:
        params: dict[str, Any] = {"Limit": 10}
        if marker is not None:
            params["Marker"] = marker
        page = client.list_keys(**params)
        assert_valid_output("ListKeys", page)
        pages.append(page)
        if not page["Truncated"]:
            assert "NextMarker" not in page
            break
        marker = page["NextMarker"]
    assert [len(p["Keys"]) for p in pages] == [10, 10, 5]
    assert [p["Truncated"] for p in pages] == [True, True, False]
    assert [k["KeyId"] for p in pages for k in p["Keys"]] == ids


def test_list_keys_limit_equal_to_count_is_not_truncated(client):
    ids = [client.create_key()["KeyMetadata"]["KeyId"] for _ in range(3)]
    page = client.list_keys(Limit=3)
    assert [k["KeyId"] for k in page["Keys"]] == ids
    assert page["Truncated"] is False
    assert "NextMarker" not in page


def test_list_keys_default_page_size_is_one_hundred(client):
    for _ in range(101):
        client.create_key()
    page = client.list_keys()
    assert len(page["Keys"]) == 100
    assert page["Truncated"] is True
    rest = client.list_keys(Marker=page["NextMarker"])
    assert len(rest["Keys"]) == 1
    assert rest["Truncated"] is False


def test_list_keys_paginator_returns_every_key(client):
    ids = [client.create_key()["KeyMetadata"]["KeyId"] for _ in range(25)]
    paginator = client.get_paginator("list_keys")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 10}))
    assert [len(p["Keys"]) for p in pages] == [10, 10, 5]
    assert [k["KeyId"] for p in pages for k in p["Keys"]] == ids
    built = paginator.paginate(PaginationConfig={"PageSize": 7}).build_full_result()
    assert [k["KeyId"] for k in built["Keys"]] == ids


def test_list_keys_marker_stays_valid_after_new_keys(client):
    ids = [client.create_key()["KeyMetadata"]["KeyId"] for _ in range(4)]
    first = client.list_keys(Limit=2)
    ids.append(client.create_key()["KeyMetadata"]["KeyId"])
    rest = client.list_keys(Marker=first["NextMarker"])
    assert [k["KeyId"] for k in first["Keys"] + rest["Keys"]] == ids


@pytest.mark.parametrize("marker", ["not-a-marker", "bm9uZQ==", "\u00e9"])
def test_list_keys_bad_marker_raises_invalid_marker(client, marker):
    client.create_key()
    with pytest.raises(client.exceptions.InvalidMarkerException) as exc:
        client.list_keys(Marker=marker)
    # Unverified against AWS: the message (docs/kms-behaviour.md#pagination); kmsmock's wording.
    assert error(exc.value) == ("InvalidMarkerException", f"Invalid marker: {marker}")


def test_list_keys_limit_zero_raises_validation(raw_client):
    message = _validation_error(lambda: raw_client.list_keys(Limit=0))
    assert message == (
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


def test_list_keys_limit_above_max_raises_validation(client):
    message = _validation_error(lambda: client.list_keys(Limit=1001))
    assert message == (
        "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000"
    )


def test_list_keys_only_lists_callers_account_and_region(client, kms_mock):
    own = client.create_key()["KeyMetadata"]
    boto3.client("kms", region_name="eu-west-1").create_key()
    kms_mock.identities.add("AKIAOTHER00000000001", account_id="111122223333")
    boto3.client(
        "kms",
        region_name=REGION,
        aws_access_key_id="AKIAOTHER00000000001",
        aws_secret_access_key="s",
    ).create_key()
    assert client.list_keys()["Keys"] == [{"KeyId": own["KeyId"], "KeyArn": own["Arn"]}]


# GenerateRandom -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 32, 1024])
def test_generate_random_length_returns_that_many_bytes(client, count):
    response = client.generate_random(NumberOfBytes=count)
    assert_valid_output("GenerateRandom", response)
    assert isinstance(response["Plaintext"], bytes)
    assert len(response["Plaintext"]) == count
    assert set(response) == {"Plaintext", "ResponseMetadata"}


def test_generate_random_two_calls_return_different_bytes(client):
    first = client.generate_random(NumberOfBytes=32)["Plaintext"]
    second = client.generate_random(NumberOfBytes=32)["Plaintext"]
    assert first != second


def test_generate_random_unknown_custom_key_store_raises_not_found(client):
    with pytest.raises(client.exceptions.CustomKeyStoreNotFoundException) as exc:
        client.generate_random(NumberOfBytes=8, CustomKeyStoreId="cks-1234567890abcdef0")
    assert error(exc.value) == (
        "CustomKeyStoreNotFoundException",
        "Custom key store cks-1234567890abcdef0 does not exist in this account and Region.",
    )
