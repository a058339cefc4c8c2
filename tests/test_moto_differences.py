"""docs/migrating-from-moto.md, row by row: the same calls against moto and against kmsmock.

Each test runs one scenario under moto's ``mock_aws`` and under ``mock_kms`` and asserts
both answers as the page's table states them, so a moto release that changes its answer
(or a kmsmock change) fails here and the page gets updated with it. The moto release is
the one pinned in constraints.txt and named on the page.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from kmsmock import RequestRefusedError, mock_kms
from kmsmock.errors import OperationNotImplementedError
from kmsmock.operations import HANDLERS
from kmsmock.wire import known_model
from tests._support import REGION

moto = pytest.importorskip("moto", reason="moto is in the dev extra")

PAGE = Path(__file__).resolve().parent.parent / "docs" / "migrating-from-moto.md"
UNKNOWN_KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"

Outcome = tuple[Any, ...]


def _mocks() -> Iterator[tuple[str, Callable[[], AbstractContextManager[Any]]]]:
    yield "moto", moto.mock_aws
    yield "kmsmock", mock_kms


def _outcome(call: Callable[[], Any]) -> Outcome:
    """("ok", response without metadata) or ("error", code, message, HTTP status)."""
    try:
        response = call()
    except ClientError as exc:
        return (
            "error",
            exc.response["Error"]["Code"],
            exc.response["Error"].get("Message", ""),
            exc.response["ResponseMetadata"]["HTTPStatusCode"],
        )
    response.pop("ResponseMetadata", None)
    return ("ok", response)


def _both(scenario: Callable[[Any], Any]) -> dict[str, Any]:
    """The scenario's result under each mock, each with a fresh client."""
    results = {}
    for name, mock in _mocks():
        with mock():
            results[name] = scenario(boto3.client("kms", region_name=REGION))
    return results


def _disabled_key(client: Any, **create: Any) -> str:
    metadata = client.create_key(**create)["KeyMetadata"]
    client.disable_key(KeyId=metadata["KeyId"])
    arn: str = metadata["Arn"]
    return arn


# Rows where moto and AWS differ -------------------------------------------------------


@pytest.mark.parametrize(
    ("create", "call"),
    [
        ({}, lambda c, k: c.encrypt(KeyId=k, Plaintext=b"data")),
        ({}, lambda c, k: c.generate_data_key(KeyId=k, KeySpec="AES_256")),
        (
            {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"},
            lambda c, k: c.sign(KeyId=k, Message=b"m", SigningAlgorithm="ECDSA_SHA_256"),
        ),
    ],
    ids=["Encrypt", "GenerateDataKey", "Sign"],
)
def test_crypto_disabled_key_moto_succeeds_kmsmock_raises_disabled(create, call):
    def scenario(client: Any) -> tuple[str, Outcome]:
        arn = _disabled_key(client, **create)
        return arn, _outcome(lambda: call(client, arn))

    results = _both(scenario)
    moto_arn, moto_outcome = results["moto"]
    assert moto_outcome[0] == "ok"
    assert moto_outcome[1]["KeyId"] == moto_arn
    arn, outcome = results["kmsmock"]
    assert outcome == ("error", "DisabledException", f"{arn} is disabled.", 400)


def test_encrypt_pending_deletion_moto_succeeds_kmsmock_raises_invalid_state():
    def scenario(client: Any) -> tuple[str, Outcome]:
        metadata = client.create_key()["KeyMetadata"]
        client.schedule_key_deletion(KeyId=metadata["KeyId"], PendingWindowInDays=7)
        arn = metadata["Arn"]
        return arn, _outcome(lambda: client.encrypt(KeyId=arn, Plaintext=b"data"))

    results = _both(scenario)
    assert results["moto"][1][0] == "ok"
    arn, outcome = results["kmsmock"]
    assert outcome == ("error", "KMSInvalidStateException", f"{arn} is pending deletion.", 400)


def test_verify_wrong_signature_moto_answers_false_kmsmock_raises_invalid_signature():
    def scenario(client: Any) -> Outcome:
        key_id = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"][
            "KeyId"
        ]
        other = client.sign(KeyId=key_id, Message=b"other", SigningAlgorithm="ECDSA_SHA_256")
        return _outcome(
            lambda: client.verify(
                KeyId=key_id,
                Message=b"message",
                Signature=other["Signature"],
                SigningAlgorithm="ECDSA_SHA_256",
            )
        )

    results = _both(scenario)
    assert results["moto"][0] == "ok"
    assert results["moto"][1]["SignatureValid"] is False
    assert results["kmsmock"] == ("error", "KMSInvalidSignatureException", "", 400)


def test_sign_digest_moto_hashes_again_kmsmock_signs_digest_as_given():
    message = b"the message"
    digest = hashlib.sha256(message).digest()

    def scenario(client: Any) -> dict[str, bool]:
        key_id = client.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"][
            "KeyId"
        ]
        signature = client.sign(
            KeyId=key_id,
            Message=digest,
            MessageType="DIGEST",
            SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
        )["Signature"]
        public_key = load_der_public_key(client.get_public_key(KeyId=key_id)["PublicKey"])
        assert isinstance(public_key, rsa.RSAPublicKey)

        def verifies(signed: bytes) -> bool:
            try:
                public_key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
            except Exception:
                return False
            return True

        return {"over the message": verifies(message), "over the digest": verifies(digest)}

    results = _both(scenario)
    # moto signed SHA-256(digest): the signature fits the digest taken as a message.
    assert results["moto"] == {"over the message": False, "over the digest": True}
    assert results["kmsmock"] == {"over the message": True, "over the digest": False}


def test_create_key_policy_not_json_moto_stores_kmsmock_raises_malformed_policy():
    results = _both(lambda client: _outcome(lambda: client.create_key(Policy="not json")))
    assert results["moto"][0] == "ok"
    assert results["kmsmock"] == (
        "error",
        "MalformedPolicyDocumentException",
        "The policy document is not valid JSON.",
        400,
    )


def test_create_key_asymmetric_without_key_usage_moto_creates_kmsmock_raises_validation():
    results = _both(lambda client: _outcome(lambda: client.create_key(KeySpec="RSA_2048")))
    assert results["moto"][0] == "ok"
    assert "KeyUsage" not in results["moto"][1]["KeyMetadata"]
    assert results["kmsmock"] == (
        "error",
        "ValidationException",
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
        400,
    )


def test_create_key_description_over_8192_moto_creates_kmsmock_raises_validation():
    # botocore checks minimum lengths only, so this reaches the mock with validation on.
    description = "d" * 8193
    results = _both(lambda client: _outcome(lambda: client.create_key(Description=description)))
    assert results["moto"][0] == "ok"
    assert results["moto"][1]["KeyMetadata"]["Description"] == description
    assert results["kmsmock"] == (
        "error",
        "ValidationException",
        f"1 validation error detected: Value '{description}' at 'description' failed to "
        "satisfy constraint: Member must have length less than or equal to 8192",
        400,
    )


def test_list_keys_marker_not_handed_out_moto_ignores_kmsmock_raises_invalid_marker():
    def scenario(client: Any) -> Outcome:
        client.create_key()
        return _outcome(lambda: client.list_keys(Marker="bogus"))

    results = _both(scenario)
    assert results["moto"][0] == "ok"
    assert len(results["moto"][1]["Keys"]) == 1
    assert results["kmsmock"] == ("error", "InvalidMarkerException", "Invalid marker: bogus", 400)


def test_list_keys_limit_zero_without_client_validation_moto_accepts_kmsmock_raises():
    def scenario(client: Any) -> Outcome:
        unvalidated = boto3.client(
            "kms", region_name=REGION, config=Config(parameter_validation=False)
        )
        return _outcome(lambda: unvalidated.list_keys(Limit=0))

    results = _both(scenario)
    assert results["moto"] == ("ok", {"Keys": [], "Truncated": False})
    assert results["kmsmock"] == (
        "error",
        "ValidationException",
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
        400,
    )


def test_create_key_unknown_key_spec_without_client_validation_both_raise_validation():
    # moto checks enum values too, with its own text: the row says only the code agrees.
    def scenario(client: Any) -> Outcome:
        unvalidated: Any = boto3.client(
            "kms", region_name=REGION, config=Config(parameter_validation=False)
        )
        return _outcome(lambda: unvalidated.create_key(KeySpec="RSA_1024"))

    results = _both(scenario)
    assert results["moto"][:2] == ("error", "ValidationException")
    assert results["kmsmock"][:2] == ("error", "ValidationException")
    assert results["moto"][2] != results["kmsmock"][2]
    assert results["kmsmock"][2].startswith(
        "1 validation error detected: Value 'RSA_1024' at 'keySpec' failed to satisfy "
        "constraint: Member must satisfy enum value set: [RSA_2048, "
    )


def test_describe_key_malformed_key_id_moto_and_kmsmock_texts_differ():
    results = _both(lambda client: _outcome(lambda: client.describe_key(KeyId="not-a-key")))
    assert results["moto"] == ("error", "NotFoundException", "Invalid keyId not-a-key", 400)
    assert results["kmsmock"] == ("error", "NotFoundException", "Invalid keyId 'not-a-key'", 400)


def test_describe_key_arn_of_other_region_moto_and_kmsmock_texts_differ():
    arn = f"arn:aws:kms:eu-west-1:123456789012:key/{UNKNOWN_KEY}"
    results = _both(lambda client: _outcome(lambda: client.describe_key(KeyId=arn)))
    assert results["moto"] == ("error", "NotFoundException", f"Key '{arn}' does not exist", 400)
    assert results["kmsmock"] == ("error", "NotFoundException", "Invalid arn eu-west-1", 400)


@pytest.mark.parametrize(
    ("key_id", "message"),
    [
        (UNKNOWN_KEY, f"Key 'arn:aws:kms:us-east-1:123456789012:key/{UNKNOWN_KEY}' does not exist"),
        ("alias/missing", "Alias arn:aws:kms:us-east-1:123456789012:alias/missing is not found."),
    ],
    ids=["key ID", "alias"],
)
def test_describe_key_unknown_key_or_alias_moto_and_kmsmock_agree(key_id, message):
    results = _both(lambda client: _outcome(lambda: client.describe_key(KeyId=key_id)))
    assert results["moto"] == results["kmsmock"] == ("error", "NotFoundException", message, 400)


def test_other_service_inside_mock_moto_answers_kmsmock_raises_request_refused():
    with moto.mock_aws():
        assert boto3.client("s3", region_name=REGION).list_buckets()["Buckets"] == []
    with mock_kms(), pytest.raises(RequestRefusedError) as refused:
        boto3.client("s3", region_name=REGION).list_buckets()
    assert "mock_kms(passthrough=['s3'])" in str(refused.value)


# The operations the page lists as missing from moto.
MOTO_NOT_IMPLEMENTED = [
    "ConnectCustomKeyStore",
    "CreateCustomKeyStore",
    "DeleteCustomKeyStore",
    "DeleteImportedKeyMaterial",
    "DeriveSharedSecret",
    "DescribeCustomKeyStores",
    "DisconnectCustomKeyStore",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GetKeyLastUsage",
    "GetParametersForImport",
    "ImportKeyMaterial",
    "UpdateCustomKeyStore",
    "UpdatePrimaryRegion",
]


def test_operations_moto_lacks_listed_on_the_page():
    text = PAGE.read_text(encoding="utf-8")
    assert all(f"`{operation}`" in text for operation in MOTO_NOT_IMPLEMENTED)


@pytest.mark.parametrize("operation", MOTO_NOT_IMPLEMENTED)
def test_operation_moto_lacks_moto_not_implemented_kmsmock_answers_as_aws(operation):
    def scenario(client: Any) -> Outcome:
        # No parameters at all: moto gives up before reading them, AWS validates them.
        unvalidated = boto3.client(
            "kms", region_name=REGION, config=Config(parameter_validation=False)
        )
        try:
            return _outcome(lambda: getattr(unvalidated, xform_name(operation))())
        except NotImplementedError as exc:
            return ("NotImplementedError", str(exc))

    results = _both(scenario)
    assert results["moto"] == (
        "NotImplementedError",
        f"The {xform_name(operation)} action has not been implemented",
    )
    assert results["kmsmock"][:2] in [
        ("error", "ValidationException"),
        ("ok", {"CustomKeyStores": [], "Truncated": False}),  # takes no required member
    ]


def test_get_key_last_usage_moto_not_implemented_kmsmock_answers():
    def scenario(client: Any) -> Outcome:
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        try:
            return _outcome(lambda: client.get_key_last_usage(KeyId=key_id))
        except NotImplementedError as exc:
            return ("NotImplementedError", str(exc))

    results = _both(scenario)
    assert results["moto"] == (
        "NotImplementedError",
        "The get_key_last_usage action has not been implemented",
    )
    assert results["kmsmock"][0] == "ok"
    assert set(results["kmsmock"][1]) == {
        "KeyId",
        "KeyCreationDate",
        "TrackingStartDate",
        "KeyLastUsage",
    }


def test_operation_without_handler_kmsmock_raises_operation_not_implemented(monkeypatch):
    # What an operation of a newer botocore meets: one kmsmock neither knows nor handles.
    monkeypatch.delitem(HANDLERS, "GetKeyLastUsage")
    monkeypatch.delitem(known_model.OPERATIONS, "GetKeyLastUsage")
    with mock_kms(), pytest.raises(OperationNotImplementedError) as raised:
        boto3.client("kms", region_name=REGION).get_key_last_usage(KeyId=UNKNOWN_KEY)
    assert raised.value.operation == "GetKeyLastUsage"
    assert raised.value.known_botocore == known_model.BOTOCORE_VERSION


# Where moto 5.2.5 now answers as AWS does (rows the page no longer lists) ------------------


def test_cancel_key_deletion_moto_and_kmsmock_both_leave_key_disabled():
    def scenario(client: Any) -> str:
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        client.cancel_key_deletion(KeyId=key_id)
        state: str = client.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
        return state

    assert _both(scenario) == {"moto": "Disabled", "kmsmock": "Disabled"}


def test_client_created_before_mock_moto_and_kmsmock_both_mock_it():
    answers = {}
    for name, mock in _mocks():
        early = boto3.client("kms", region_name=REGION)
        with mock():
            created = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]
            listed = early.list_keys()["Keys"]
        answers[name] = [key["KeyId"] for key in listed] == [created["KeyId"]]
    assert answers == {"moto": True, "kmsmock": True}


def test_errors_http_status_moto_and_kmsmock_both_400():
    def scenario(client: Any) -> list[int]:
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        client.create_alias(AliasName="alias/taken", TargetKeyId=key_id)
        calls = [
            lambda: client.describe_key(KeyId=UNKNOWN_KEY),  # NotFoundException
            lambda: client.create_alias(AliasName="alias/taken", TargetKeyId=key_id),  # exists
            lambda: client.decrypt(CiphertextBlob=b"\x01" * 64),  # invalid ciphertext
        ]
        return [_outcome(call)[3] for call in calls]

    assert _both(scenario) == {"moto": [400, 400, 400], "kmsmock": [400, 400, 400]}


# Both mocks at once, and the release the page describes ---------------------------------


def test_moto_inside_kmsmock_kmsmock_answers_kms_requests():
    # The page's "using both": KMS is kmsmock's in either stacking order; moto alone would
    # accept a policy that is not JSON.
    with mock_kms(), moto.mock_aws():
        client = boto3.client("kms", region_name=REGION)
        with pytest.raises(ClientError) as info:
            client.create_key(Policy="not json")
    assert info.value.response["Error"]["Code"] == "MalformedPolicyDocumentException"


def test_migrating_page_names_the_moto_release_tested():
    named = re.findall(r"moto (\d+\.\d+\.\d+)", PAGE.read_text(encoding="utf-8"))
    assert named, "the page names no moto release"
    assert set(named) == {importlib.metadata.version("moto")}
