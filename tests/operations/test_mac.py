"""HMAC: GenerateMac and VerifyMac (docs/kms-behaviour.md#hmac-keys)."""

from __future__ import annotations

import hmac
from typing import Any

import pytest

from tests._support import (
    ACCOUNT,
    ARN_PREFIX,
    DRY_RUN,
    REGION,
    assert_valid_output,
    body,
    enum_values,
    error,
    key_arn,
    new_key,
    refused,
)

MESSAGE = b"message to authenticate"
# key spec -> (its one MAC algorithm, MAC length in bytes)
HMAC = {
    "HMAC_224": ("HMAC_SHA_224", 28),
    "HMAC_256": ("HMAC_SHA_256", 32),
    "HMAC_384": ("HMAC_SHA_384", 48),
    "HMAC_512": ("HMAC_SHA_512", 64),
}
SPECS = sorted(HMAC)
OPERATIONS = ["GenerateMac", "VerifyMac"]
INVALID_MAC = ("KMSInvalidMacException", "")


def mac(client: Any, key_id: str, algorithm: str, message: bytes = MESSAGE) -> bytes:
    tag: bytes = client.generate_mac(KeyId=key_id, Message=message, MacAlgorithm=algorithm)["Mac"]
    return tag


def generate_or_verify(client: Any, operation: str, **params: Any) -> Any:
    """Call GenerateMac, or VerifyMac with a placeholder MAC, with the same parameters."""
    if operation == "GenerateMac":
        return client.generate_mac(**params)
    return client.verify_mac(Mac=b"\x00" * 32, **params)


def verify_mac_error(client: Any, key_id: str, algorithm: str, message: bytes, tag: bytes) -> Any:
    return refused(
        lambda: client.verify_mac(KeyId=key_id, Message=message, MacAlgorithm=algorithm, Mac=tag)
    )


# GenerateMac / VerifyMac round trip --------------------------------------------------


@pytest.mark.parametrize("spec", SPECS)
def test_generate_mac_then_verify_mac_is_valid(client, spec):
    algorithm, length = HMAC[spec]
    key_id = new_key(client, spec, "GENERATE_VERIFY_MAC")
    response = client.generate_mac(KeyId=key_id, Message=MESSAGE, MacAlgorithm=algorithm)
    assert_valid_output("GenerateMac", response)
    tag = response["Mac"]
    assert body(response) == {"Mac": tag, "MacAlgorithm": algorithm, "KeyId": key_arn(key_id)}
    assert len(tag) == length
    verified = client.verify_mac(KeyId=key_id, Message=MESSAGE, MacAlgorithm=algorithm, Mac=tag)
    assert_valid_output("VerifyMac", verified)
    assert body(verified) == {"KeyId": key_arn(key_id), "MacValid": True, "MacAlgorithm": algorithm}


@pytest.mark.parametrize("spec", SPECS)
def test_generate_mac_same_key_and_message_gives_same_mac(client, spec):
    algorithm, _ = HMAC[spec]
    key_id = new_key(client, spec, "GENERATE_VERIFY_MAC")
    assert mac(client, key_id, algorithm) == mac(client, key_id, algorithm)


@pytest.mark.parametrize("spec", SPECS)
def test_generate_mac_other_message_gives_other_mac(client, spec):
    algorithm, length = HMAC[spec]
    key_id = new_key(client, spec, "GENERATE_VERIFY_MAC")
    tags = {mac(client, key_id, algorithm, message) for message in (b"a", b"b", b"A", b"a\x00")}
    assert len(tags) == 4
    assert {len(tag) for tag in tags} == {length}


@pytest.mark.parametrize("spec", SPECS)
def test_generate_mac_other_key_gives_other_mac(client, spec):
    algorithm, _ = HMAC[spec]
    assert mac(client, new_key(client, spec, "GENERATE_VERIFY_MAC"), algorithm) != mac(
        client, new_key(client, spec, "GENERATE_VERIFY_MAC"), algorithm
    )


@pytest.mark.parametrize("length", [1, 4096])
def test_generate_mac_message_length_limits_are_accepted(client, length):
    key_id = new_key(client, "HMAC_256", "GENERATE_VERIFY_MAC")
    message = b"m" * length
    tag = mac(client, key_id, "HMAC_SHA_256", message)
    assert client.verify_mac(KeyId=key_id, Message=message, MacAlgorithm="HMAC_SHA_256", Mac=tag)[
        "MacValid"
    ]


# VerifyMac failures ------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS)
def test_verify_mac_from_other_key_raises_invalid_mac(client, spec):
    algorithm, _ = HMAC[spec]
    signer = new_key(client, spec, "GENERATE_VERIFY_MAC")
    verifier = new_key(client, spec, "GENERATE_VERIFY_MAC")
    tag = mac(client, signer, algorithm)
    assert verify_mac_error(client, verifier, algorithm, MESSAGE, tag) == INVALID_MAC


@pytest.mark.parametrize("spec", SPECS)
def test_verify_mac_other_message_raises_invalid_mac(client, spec):
    algorithm, _ = HMAC[spec]
    key_id = new_key(client, spec, "GENERATE_VERIFY_MAC")
    tag = mac(client, key_id, algorithm)
    assert verify_mac_error(client, key_id, algorithm, MESSAGE + b".", tag) == INVALID_MAC


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("damage", ["truncate", "truncate_to_half", "extend", "flip_bit"])
def test_verify_mac_damaged_mac_raises_invalid_mac(client, spec, damage):
    algorithm, _ = HMAC[spec]
    key_id = new_key(client, spec, "GENERATE_VERIFY_MAC")
    tag = mac(client, key_id, algorithm)
    damaged = {
        "truncate": tag[:-1],
        "truncate_to_half": tag[: len(tag) // 2],
        "extend": tag + b"\x00",
        "flip_bit": tag[:-1] + bytes([tag[-1] ^ 1]),
    }[damage]
    with pytest.raises(client.exceptions.KMSInvalidMacException) as info:
        client.verify_mac(KeyId=key_id, Message=MESSAGE, MacAlgorithm=algorithm, Mac=damaged)
    assert error(info.value) == INVALID_MAC


def test_verify_mac_failure_is_not_recorded_as_use(client):
    key_id = new_key(client, "HMAC_384", "GENERATE_VERIFY_MAC")
    tag = mac(client, key_id, "HMAC_SHA_384")
    assert verify_mac_error(client, key_id, "HMAC_SHA_384", b"other", tag) == INVALID_MAC
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]["Operation"] == "GenerateMac"


# Algorithm and key usage -------------------------------------------------------------


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    ("spec", "algorithm"),
    [
        ("HMAC_224", "HMAC_SHA_256"),
        ("HMAC_256", "HMAC_SHA_224"),
        ("HMAC_384", "HMAC_SHA_512"),
        ("HMAC_512", "HMAC_SHA_384"),
    ],
)
def test_generate_verify_mac_algorithm_of_other_spec_raises_invalid_key_usage(
    client, operation, spec, algorithm
):
    key_id = new_key(client, spec, "GENERATE_VERIFY_MAC")
    assert refused(
        lambda: generate_or_verify(
            client, operation, KeyId=key_id, Message=MESSAGE, MacAlgorithm=algorithm
        )
    ) == (
        "InvalidKeyUsageException",
        f"Algorithm {algorithm} is incompatible with key spec {spec}.",
    )


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
        ("RSA_2048", "ENCRYPT_DECRYPT"),
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("ECC_NIST_P256", "KEY_AGREEMENT"),
    ],
)
def test_generate_verify_mac_key_without_mac_usage_raises_invalid_key_usage(
    client, operation, spec, usage
):
    key_id = new_key(client, spec, usage)
    assert refused(
        lambda: generate_or_verify(
            client, operation, KeyId=key_id, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256"
        )
    ) == (
        "InvalidKeyUsageException",
        f"{key_arn(key_id)} key usage is {usage} which is not valid for {operation}.",
    )


# The order KMS lists MacAlgorithm's values in, recorded from a GenerateMac response.
AWS_MAC_ORDER = ["HMAC_SHA_384", "HMAC_SHA_256", "HMAC_SHA_224", "HMAC_SHA_512"]


def test_generate_mac_recorded_enum_order_holds_the_model_values():
    # The recorded order is used while the model's values are the same set; if a new
    # botocore changes them, kmsmock falls back to the model's order and this test says so.
    assert sorted(AWS_MAC_ORDER) == sorted(enum_values("GenerateMac", "MacAlgorithm"))


@pytest.mark.parametrize("operation", OPERATIONS)
def test_generate_verify_mac_unknown_algorithm_raises_enum_validation(unchecked_client, operation):
    key_id = new_key(unchecked_client, "HMAC_256", "GENERATE_VERIFY_MAC")
    assert refused(
        lambda: generate_or_verify(
            unchecked_client, operation, KeyId=key_id, Message=MESSAGE, MacAlgorithm="INVALID"
        )
    ) == (
        "ValidationException",
        "1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{', '.join(AWS_MAC_ORDER)}]",
    )


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    ("message", "constraint"),
    [
        (b"", "greater than or equal to 1"),
        (b"m" * 4097, "less than or equal to 4096"),
    ],
    ids=["empty", "4097-bytes"],
)
def test_generate_verify_mac_message_length_outside_model_raises_validation(
    unchecked_client, operation, message, constraint
):
    key_id = new_key(unchecked_client, "HMAC_256", "GENERATE_VERIFY_MAC")
    assert refused(
        lambda: generate_or_verify(
            unchecked_client, operation, KeyId=key_id, Message=message, MacAlgorithm="HMAC_SHA_256"
        )
    ) == (
        "ValidationException",
        "1 validation error detected: Value at 'message' failed to satisfy constraint: "
        f"Member must have length {constraint}",
    )


@pytest.mark.parametrize(
    ("tag", "constraint"),
    [(b"", "greater than or equal to 1"), (b"\x00" * 6145, "less than or equal to 6144")],
    ids=["empty", "6145-bytes"],
)
def test_verify_mac_mac_length_outside_model_raises_validation(unchecked_client, tag, constraint):
    key_id = new_key(unchecked_client, "HMAC_256", "GENERATE_VERIFY_MAC")
    assert verify_mac_error(unchecked_client, key_id, "HMAC_SHA_256", MESSAGE, tag) == (
        "ValidationException",
        "1 validation error detected: Value at 'mac' failed to satisfy constraint: "
        f"Member must have length {constraint}",
    )


# DryRun, identifiers, key state, last usage ------------------------------------------


def test_generate_mac_dry_run_raises_dry_run(client):
    key_id = new_key(client, "HMAC_512", "GENERATE_VERIFY_MAC")
    assert (
        refused(
            lambda: client.generate_mac(
                KeyId=key_id, Message=MESSAGE, MacAlgorithm="HMAC_SHA_512", DryRun=True
            )
        )
        == DRY_RUN
    )
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"] == {}


def test_verify_mac_dry_run_valid_mac_raises_dry_run(client):
    key_id = new_key(client, "HMAC_512", "GENERATE_VERIFY_MAC")
    tag = mac(client, key_id, "HMAC_SHA_512")
    assert (
        refused(
            lambda: client.verify_mac(
                KeyId=key_id, Message=MESSAGE, MacAlgorithm="HMAC_SHA_512", Mac=tag, DryRun=True
            )
        )
        == DRY_RUN
    )
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]["Operation"] == "GenerateMac"


@pytest.mark.parametrize("operation", OPERATIONS)
def test_generate_verify_mac_dry_run_wrong_algorithm_raises_invalid_key_usage(client, operation):
    key_id = new_key(client, "HMAC_224", "GENERATE_VERIFY_MAC")
    assert refused(
        lambda: generate_or_verify(
            client,
            operation,
            KeyId=key_id,
            Message=MESSAGE,
            MacAlgorithm="HMAC_SHA_256",
            DryRun=True,
        )
    ) == (
        "InvalidKeyUsageException",
        "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.",
    )


@pytest.mark.parametrize("form", ["id", "arn", "alias", "alias-arn"])
def test_generate_verify_mac_every_key_id_form_answers_key_arn(client, form):
    key_id = new_key(client, "HMAC_256", "GENERATE_VERIFY_MAC")
    client.create_alias(AliasName="alias/mac", TargetKeyId=key_id)
    identifier = {
        "id": key_id,
        "arn": key_arn(key_id),
        "alias": "alias/mac",
        "alias-arn": f"{ARN_PREFIX}:alias/mac",
    }[form]
    response = client.generate_mac(KeyId=identifier, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")
    assert response["KeyId"] == key_arn(key_id)
    assert response["Mac"] == mac(client, key_id, "HMAC_SHA_256")
    verified = client.verify_mac(
        KeyId=identifier, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256", Mac=response["Mac"]
    )
    assert body(verified) == {
        "KeyId": key_arn(key_id),
        "MacValid": True,
        "MacAlgorithm": "HMAC_SHA_256",
    }


@pytest.mark.parametrize("operation", OPERATIONS)
def test_generate_verify_mac_disabled_key_raises_disabled(client, operation):
    key_id = new_key(client, "HMAC_256", "GENERATE_VERIFY_MAC")
    client.disable_key(KeyId=key_id)
    assert refused(
        lambda: generate_or_verify(
            client, operation, KeyId=key_id, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256"
        )
    ) == ("DisabledException", f"{key_arn(key_id)} is disabled.")


def test_generate_mac_then_verify_mac_get_key_last_usage_shows_each_operation(client):
    key_id = new_key(client, "HMAC_256", "GENERATE_VERIFY_MAC")
    generated = client.generate_mac(KeyId=key_id, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")
    usage = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    assert (usage["Operation"], usage["KmsRequestId"]) == (
        "GenerateMac",
        generated["ResponseMetadata"]["RequestId"],
    )
    verified = client.verify_mac(
        KeyId=key_id, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256", Mac=generated["Mac"]
    )
    usage = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    assert (usage["Operation"], usage["KmsRequestId"]) == (
        "VerifyMac",
        verified["ResponseMetadata"]["RequestId"],
    )


@pytest.mark.parametrize("spec", SPECS)
def test_generate_mac_is_rfc_2104_hmac_of_key_material(client, kms_mock, spec):
    # White-box: the secret is hidden from API callers, but the handle can read it.
    algorithm, _ = HMAC[spec]
    key_id = new_key(client, spec, "GENERATE_VERIFY_MAC")
    tag = mac(client, key_id, algorithm)
    secret = kms_mock.backend.account_region(ACCOUNT, REGION).keys[key_id].secret
    digest = "sha" + algorithm[-3:]
    assert tag == hmac.new(secret, MESSAGE, digest).digest()
