"""RSA encryption: Encrypt, Decrypt and ReEncrypt with RSA ENCRYPT_DECRYPT keys
(docs/kms-behaviour.md#encryption-limits, docs/kms-behaviour.md#encrypt-and-decrypt,
docs/kms-behaviour.md#rsa-encryption)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests._support import (
    ARN_PREFIX,
    DRY_RUN,
    assert_valid_output,
    body,
    key_arn,
    new_key,
    refused,
)

RSA_BYTES = {"RSA_2048": 256, "RSA_3072": 384, "RSA_4096": 512}
# (key spec, algorithm, largest plaintext): modulus bytes - 2 * hash bytes - 2
# (docs/kms-behaviour.md#encryption-limits).
LIMITS = [
    ("RSA_2048", "RSAES_OAEP_SHA_1", 214),
    ("RSA_2048", "RSAES_OAEP_SHA_256", 190),
    ("RSA_3072", "RSAES_OAEP_SHA_1", 342),
    ("RSA_3072", "RSAES_OAEP_SHA_256", 318),
    ("RSA_4096", "RSAES_OAEP_SHA_1", 470),
    ("RSA_4096", "RSAES_OAEP_SHA_256", 446),
]
COMBINATIONS = [(spec, algorithm) for spec, algorithm, _ in LIMITS]
OTHER = {"RSAES_OAEP_SHA_1": "RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_256": "RSAES_OAEP_SHA_1"}
PLAINTEXT = b"attack at dawn"


def rsa_key(client: Any, spec: str = "RSA_2048", usage: str = "ENCRYPT_DECRYPT") -> str:
    """A new key of ``spec`` (an RSA encryption key unless told otherwise)."""
    return new_key(client, spec, usage)


def oaep(algorithm: str) -> padding.OAEP:
    """RSA-OAEP as KMS uses it: MGF1 with the same hash, no label
    (docs/kms-behaviour.md#rsa-encryption)."""
    chosen = hashes.SHA1() if algorithm == "RSAES_OAEP_SHA_1" else hashes.SHA256()
    return padding.OAEP(mgf=padding.MGF1(chosen), algorithm=chosen, label=None)


def public_key(client: Any, key_id: str) -> rsa.RSAPublicKey:
    public = serialization.load_der_public_key(client.get_public_key(KeyId=key_id)["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    return public


def encrypt(client: Any, key_id: str, algorithm: str, plaintext: bytes) -> bytes:
    blob: bytes = client.encrypt(KeyId=key_id, Plaintext=plaintext, EncryptionAlgorithm=algorithm)[
        "CiphertextBlob"
    ]
    return blob


def decrypt(client: Any, key_id: str, algorithm: str, blob: bytes) -> dict[str, Any]:
    response = client.decrypt(KeyId=key_id, CiphertextBlob=blob, EncryptionAlgorithm=algorithm)
    assert_valid_output("Decrypt", response)
    return body(response)


def decrypted(key_id: str, algorithm: str, plaintext: bytes) -> dict[str, Any]:
    # No KeyMaterialId: asymmetric keys have none (docs/kms-behaviour.md#encrypt-and-decrypt).
    return {"KeyId": key_arn(key_id), "Plaintext": plaintext, "EncryptionAlgorithm": algorithm}


INVALID_CIPHERTEXT = ("InvalidCiphertextException", "")


# Round trips -------------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "algorithm"), COMBINATIONS)
def test_decrypt_ciphertext_made_offline_with_public_key_returns_plaintext(client, spec, algorithm):
    key_id = rsa_key(client, spec)
    blob = public_key(client, key_id).encrypt(PLAINTEXT, oaep(algorithm))
    assert decrypt(client, key_id, algorithm, blob) == decrypted(key_id, algorithm, PLAINTEXT)
    assert (
        refused(
            lambda: client.decrypt(
                KeyId=key_id, CiphertextBlob=blob, EncryptionAlgorithm=OTHER[algorithm]
            )
        )
        == INVALID_CIPHERTEXT
    )


@pytest.mark.parametrize(("spec", "algorithm"), COMBINATIONS)
def test_encrypt_then_decrypt_round_trip_returns_plaintext(client, spec, algorithm):
    key_id = rsa_key(client, spec)
    response = client.encrypt(KeyId=key_id, Plaintext=PLAINTEXT, EncryptionAlgorithm=algorithm)
    assert_valid_output("Encrypt", response)
    blob = response["CiphertextBlob"]
    assert body(response) == {
        "CiphertextBlob": blob,
        "KeyId": key_arn(key_id),
        "EncryptionAlgorithm": algorithm,
    }
    # Raw OAEP output: exactly the modulus length, and randomized.
    assert len(blob) == RSA_BYTES[spec]
    assert encrypt(client, key_id, algorithm, PLAINTEXT) != blob
    assert decrypt(client, key_id, algorithm, blob) == decrypted(key_id, algorithm, PLAINTEXT)
    assert (
        refused(
            lambda: client.decrypt(
                KeyId=key_id, CiphertextBlob=blob, EncryptionAlgorithm=OTHER[algorithm]
            )
        )
        == INVALID_CIPHERTEXT
    )


@pytest.mark.parametrize(("spec", "algorithm", "limit"), LIMITS)
def test_encrypt_largest_plaintext_is_accepted_one_more_byte_raises_validation(
    client, spec, algorithm, limit
):
    key_id = rsa_key(client, spec)
    largest = bytes(range(256)) * 2
    largest = largest[:limit]
    blob = encrypt(client, key_id, algorithm, largest)
    assert decrypt(client, key_id, algorithm, blob)["Plaintext"] == largest
    assert refused(lambda: encrypt(client, key_id, algorithm, largest + b"!")) == (
        "ValidationException",
        f"Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than {limit} bytes.",
    )


def test_encrypt_one_byte_plaintext_round_trips(client):
    key_id = rsa_key(client)
    blob = encrypt(client, key_id, "RSAES_OAEP_SHA_256", b"\x00")
    assert decrypt(client, key_id, "RSAES_OAEP_SHA_256", blob)["Plaintext"] == b"\x00"


# Algorithms and key usage -------------------------------------------------------------


@pytest.mark.parametrize("spec", sorted(RSA_BYTES))
def test_encrypt_rsa_key_default_algorithm_raises_invalid_key_usage(client, spec):
    key_id = rsa_key(client, spec)
    assert refused(lambda: client.encrypt(KeyId=key_id, Plaintext=PLAINTEXT)) == (
        "InvalidKeyUsageException",
        f"Algorithm SYMMETRIC_DEFAULT is incompatible with key spec {spec}.",
    )


@pytest.mark.parametrize("spec", sorted(RSA_BYTES))
def test_encrypt_rsa_key_symmetric_default_named_raises_invalid_key_usage(client, spec):
    key_id = rsa_key(client, spec)
    assert refused(
        lambda: client.encrypt(
            KeyId=key_id, Plaintext=PLAINTEXT, EncryptionAlgorithm="SYMMETRIC_DEFAULT"
        )
    ) == (
        "InvalidKeyUsageException",
        f"Algorithm SYMMETRIC_DEFAULT is incompatible with key spec {spec}.",
    )


def test_decrypt_rsa_key_default_algorithm_raises_invalid_key_usage(client):
    key_id = rsa_key(client)
    blob = encrypt(client, key_id, "RSAES_OAEP_SHA_256", PLAINTEXT)
    assert refused(lambda: client.decrypt(KeyId=key_id, CiphertextBlob=blob)) == (
        "InvalidKeyUsageException",
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.",
    )


@pytest.mark.parametrize("algorithm", ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
def test_encrypt_symmetric_key_rsa_algorithm_raises_invalid_key_usage(client, algorithm):
    key_id = new_key(client)
    assert refused(
        lambda: client.encrypt(KeyId=key_id, Plaintext=PLAINTEXT, EncryptionAlgorithm=algorithm)
    ) == (
        "InvalidKeyUsageException",
        f"Algorithm {algorithm} is incompatible with key spec SYMMETRIC_DEFAULT.",
    )


@pytest.mark.parametrize("operation", ["Encrypt", "Decrypt"])
def test_encrypt_decrypt_rsa_signing_key_raises_invalid_key_usage(client, operation):
    key_id = rsa_key(client, usage="SIGN_VERIFY")
    call = {
        "Encrypt": lambda: client.encrypt(
            KeyId=key_id, Plaintext=PLAINTEXT, EncryptionAlgorithm="RSAES_OAEP_SHA_1"
        ),
        "Decrypt": lambda: client.decrypt(
            KeyId=key_id, CiphertextBlob=b"\x01" * 256, EncryptionAlgorithm="RSAES_OAEP_SHA_1"
        ),
    }[operation]
    assert refused(call) == (
        "InvalidKeyUsageException",
        f"{key_arn(key_id)} key usage is SIGN_VERIFY which is not valid for {operation}.",
    )


# Ciphertext that does not decrypt ----------------------------------------------------


@pytest.mark.parametrize("algorithm", [None, "RSAES_OAEP_SHA_256"])
def test_decrypt_rsa_ciphertext_without_key_id_raises_invalid_ciphertext(client, algorithm):
    key_id = rsa_key(client)
    blob = encrypt(client, key_id, "RSAES_OAEP_SHA_256", PLAINTEXT)
    extra = {} if algorithm is None else {"EncryptionAlgorithm": algorithm}
    assert refused(lambda: client.decrypt(CiphertextBlob=blob, **extra)) == INVALID_CIPHERTEXT


@pytest.mark.parametrize(
    "damage", ["flip_first_bit", "flip_last_bit", "truncate", "extend", "zeros"]
)
def test_decrypt_damaged_rsa_ciphertext_raises_invalid_ciphertext(client, damage):
    key_id = rsa_key(client)
    blob = encrypt(client, key_id, "RSAES_OAEP_SHA_1", PLAINTEXT)
    damaged = {
        "flip_first_bit": bytes([blob[0] ^ 0x01]) + blob[1:],
        "flip_last_bit": blob[:-1] + bytes([blob[-1] ^ 0x01]),
        "truncate": blob[:-1],
        "extend": blob + b"\x00",
        "zeros": bytes(len(blob)),
    }[damage]
    assert (
        refused(
            lambda: client.decrypt(
                KeyId=key_id, CiphertextBlob=damaged, EncryptionAlgorithm="RSAES_OAEP_SHA_1"
            )
        )
        == INVALID_CIPHERTEXT
    )


def test_decrypt_rsa_ciphertext_of_other_key_raises_invalid_ciphertext(client):
    first = rsa_key(client)
    second = rsa_key(client)
    blob = encrypt(client, first, "RSAES_OAEP_SHA_256", PLAINTEXT)
    assert (
        refused(
            lambda: client.decrypt(
                KeyId=second, CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_256"
            )
        )
        == INVALID_CIPHERTEXT
    )


def test_decrypt_rsa_ciphertext_with_symmetric_key_id_raises_invalid_ciphertext(client):
    key_id = rsa_key(client)
    blob = encrypt(client, key_id, "RSAES_OAEP_SHA_256", PLAINTEXT)
    assert (
        refused(lambda: client.decrypt(KeyId=new_key(client), CiphertextBlob=blob))
        == INVALID_CIPHERTEXT
    )


@pytest.mark.parametrize("operation", ["Decrypt", "ReEncrypt"])
@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("RSA_2048", "ENCRYPT_DECRYPT"),
        ("RSA_2048", "SIGN_VERIFY"),
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("ECC_NIST_P256", "KEY_AGREEMENT"),
        ("ML_DSA_44", "SIGN_VERIFY"),
        ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ],
)
def test_decrypt_re_encrypt_symmetric_ciphertext_with_non_symmetric_key_id_raises_incorrect_key(
    client, operation, spec, usage
):
    # The blob names another key: that mismatch is checked before the key usage and the
    # algorithm, for a key of any type, as observed from AWS (docs/kms-behaviour.md#check-order).
    source = new_key(client)
    blob = client.encrypt(KeyId=source, Plaintext=PLAINTEXT)["CiphertextBlob"]
    named = rsa_key(client, spec, usage)
    call = {
        "Decrypt": lambda: client.decrypt(CiphertextBlob=blob, KeyId=named),
        "ReEncrypt": lambda: client.re_encrypt(
            CiphertextBlob=blob, SourceKeyId=named, DestinationKeyId=source
        ),
    }[operation]
    assert refused(call) == (
        "IncorrectKeyException",
        "The key ID in the request does not identify a CMK that can perform this operation.",
    )


# Encryption context (not with asymmetric keys: docs/kms-behaviour.md#encryption-context) ----


def test_encrypt_rsa_key_with_encryption_context_raises_validation(client):
    key_id = rsa_key(client)
    # Unverified against AWS: the exception (docs/kms-behaviour.md#encrypt-and-decrypt); the text is
    # kmsmock's.
    assert refused(
        lambda: client.encrypt(
            KeyId=key_id,
            Plaintext=PLAINTEXT,
            EncryptionAlgorithm="RSAES_OAEP_SHA_256",
            EncryptionContext={"purpose": "test"},
        )
    ) == ("ValidationException", "EncryptionContext is not supported with asymmetric KMS keys.")


def test_decrypt_rsa_key_with_encryption_context_raises_validation(client):
    key_id = rsa_key(client)
    blob = encrypt(client, key_id, "RSAES_OAEP_SHA_256", PLAINTEXT)
    # The same answer as Encrypt gives. Unverified against AWS: its answer
    # (docs/kms-behaviour.md#encrypt-and-decrypt).
    assert refused(
        lambda: client.decrypt(
            KeyId=key_id,
            CiphertextBlob=blob,
            EncryptionAlgorithm="RSAES_OAEP_SHA_256",
            EncryptionContext={"purpose": "test"},
        )
    ) == ("ValidationException", "EncryptionContext is not supported with asymmetric KMS keys.")


# ReEncrypt ---------------------------------------------------------------------------


def test_re_encrypt_rsa_to_symmetric_reports_destination_material_only(client):
    source = rsa_key(client)
    destination = new_key(client)
    blob = encrypt(client, source, "RSAES_OAEP_SHA_256", PLAINTEXT)
    response = client.re_encrypt(
        CiphertextBlob=blob,
        SourceKeyId=source,
        SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256",
        DestinationKeyId=destination,
    )
    assert_valid_output("ReEncrypt", response)
    material = client.describe_key(KeyId=destination)["KeyMetadata"]["CurrentKeyMaterialId"]
    assert body(response) == {
        "CiphertextBlob": response["CiphertextBlob"],
        "SourceKeyId": key_arn(source),
        "KeyId": key_arn(destination),
        "SourceEncryptionAlgorithm": "RSAES_OAEP_SHA_256",
        "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "DestinationKeyMaterialId": material,
    }
    # Symmetric ciphertext names its key: no KeyId needed.
    plain = client.decrypt(CiphertextBlob=response["CiphertextBlob"])
    assert (plain["Plaintext"], plain["KeyId"], plain["KeyMaterialId"]) == (
        PLAINTEXT,
        key_arn(destination),
        material,
    )


def test_re_encrypt_symmetric_to_rsa_reports_source_material_only(client):
    source = new_key(client)
    destination = rsa_key(client)
    blob = client.encrypt(KeyId=source, Plaintext=PLAINTEXT)["CiphertextBlob"]
    response = client.re_encrypt(
        CiphertextBlob=blob,
        DestinationKeyId=destination,
        DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_1",
    )
    assert_valid_output("ReEncrypt", response)
    material = client.describe_key(KeyId=source)["KeyMetadata"]["CurrentKeyMaterialId"]
    new_blob = response["CiphertextBlob"]
    assert body(response) == {
        "CiphertextBlob": new_blob,
        "SourceKeyId": key_arn(source),
        "KeyId": key_arn(destination),
        "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "DestinationEncryptionAlgorithm": "RSAES_OAEP_SHA_1",
        "SourceKeyMaterialId": material,
    }
    assert len(new_blob) == 256
    assert decrypt(client, destination, "RSAES_OAEP_SHA_1", new_blob) == decrypted(
        destination, "RSAES_OAEP_SHA_1", PLAINTEXT
    )


def test_re_encrypt_rsa_to_other_rsa_key_reports_no_material(client):
    source = rsa_key(client)
    destination = rsa_key(client)
    blob = public_key(client, source).encrypt(PLAINTEXT, oaep("RSAES_OAEP_SHA_1"))
    response = client.re_encrypt(
        CiphertextBlob=blob,
        SourceKeyId=source,
        SourceEncryptionAlgorithm="RSAES_OAEP_SHA_1",
        DestinationKeyId=destination,
        DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256",
    )
    assert_valid_output("ReEncrypt", response)
    assert body(response) == {
        "CiphertextBlob": response["CiphertextBlob"],
        "SourceKeyId": key_arn(source),
        "KeyId": key_arn(destination),
        "SourceEncryptionAlgorithm": "RSAES_OAEP_SHA_1",
        "DestinationEncryptionAlgorithm": "RSAES_OAEP_SHA_256",
    }
    assert (
        decrypt(client, destination, "RSAES_OAEP_SHA_256", response["CiphertextBlob"])["Plaintext"]
        == PLAINTEXT
    )


def test_re_encrypt_symmetric_to_rsa_plaintext_too_large_raises_validation(client):
    source = new_key(client)
    destination = rsa_key(client)
    blob = client.encrypt(KeyId=source, Plaintext=b"x" * 215)["CiphertextBlob"]
    assert refused(
        lambda: client.re_encrypt(
            CiphertextBlob=blob,
            DestinationKeyId=destination,
            DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_1",
        )
    ) == (
        "ValidationException",
        "Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than "
        "214 bytes.",
    )


def test_re_encrypt_to_rsa_with_destination_context_raises_validation(client):
    source = new_key(client)
    destination = rsa_key(client)
    blob = client.encrypt(KeyId=source, Plaintext=PLAINTEXT)["CiphertextBlob"]
    assert refused(
        lambda: client.re_encrypt(
            CiphertextBlob=blob,
            DestinationKeyId=destination,
            DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256",
            DestinationEncryptionContext={"purpose": "test"},
        )
    ) == ("ValidationException", "EncryptionContext is not supported with asymmetric KMS keys.")


def test_re_encrypt_to_rsa_key_default_algorithm_raises_invalid_key_usage(client):
    source = new_key(client)
    destination = rsa_key(client, "RSA_3072")
    blob = client.encrypt(KeyId=source, Plaintext=PLAINTEXT)["CiphertextBlob"]
    assert refused(
        lambda: client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)
    ) == (
        "InvalidKeyUsageException",
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_3072.",
    )


def test_re_encrypt_rsa_source_without_source_key_id_raises_invalid_ciphertext(client):
    source = rsa_key(client)
    blob = encrypt(client, source, "RSAES_OAEP_SHA_256", PLAINTEXT)
    assert (
        refused(
            lambda: client.re_encrypt(
                CiphertextBlob=blob,
                SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256",
                DestinationKeyId=new_key(client),
            )
        )
        == INVALID_CIPHERTEXT
    )


def test_re_encrypt_rsa_source_wrong_algorithm_raises_invalid_ciphertext(client):
    source = rsa_key(client)
    blob = encrypt(client, source, "RSAES_OAEP_SHA_256", PLAINTEXT)
    assert (
        refused(
            lambda: client.re_encrypt(
                CiphertextBlob=blob,
                SourceKeyId=source,
                SourceEncryptionAlgorithm="RSAES_OAEP_SHA_1",
                DestinationKeyId=new_key(client),
            )
        )
        == INVALID_CIPHERTEXT
    )


# DryRun, identifiers, last usage -----------------------------------------------------


def test_encrypt_rsa_key_dry_run_raises_dry_run(client):
    key_id = rsa_key(client)
    assert (
        refused(
            lambda: client.encrypt(
                KeyId=key_id,
                Plaintext=PLAINTEXT,
                EncryptionAlgorithm="RSAES_OAEP_SHA_256",
                DryRun=True,
            )
        )
        == DRY_RUN
    )
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"] == {}


def test_decrypt_rsa_key_dry_run_raises_dry_run(client):
    key_id = rsa_key(client)
    blob = encrypt(client, key_id, "RSAES_OAEP_SHA_256", PLAINTEXT)
    assert (
        refused(
            lambda: client.decrypt(
                KeyId=key_id,
                CiphertextBlob=blob,
                EncryptionAlgorithm="RSAES_OAEP_SHA_256",
                DryRun=True,
            )
        )
        == DRY_RUN
    )
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]["Operation"] == "Encrypt"


@pytest.mark.parametrize("form", ["id", "arn", "alias", "alias-arn"])
def test_encrypt_decrypt_rsa_key_every_key_id_form_answers_key_arn(client, form):
    key_id = rsa_key(client)
    client.create_alias(AliasName="alias/rsa", TargetKeyId=key_id)
    identifier = {
        "id": key_id,
        "arn": key_arn(key_id),
        "alias": "alias/rsa",
        "alias-arn": f"{ARN_PREFIX}:alias/rsa",
    }[form]
    response = client.encrypt(
        KeyId=identifier, Plaintext=PLAINTEXT, EncryptionAlgorithm="RSAES_OAEP_SHA_1"
    )
    assert response["KeyId"] == key_arn(key_id)
    assert decrypt(client, identifier, "RSAES_OAEP_SHA_1", response["CiphertextBlob"]) == (
        decrypted(key_id, "RSAES_OAEP_SHA_1", PLAINTEXT)
    )


def test_encrypt_then_decrypt_rsa_key_get_key_last_usage_shows_each_operation(client):
    key_id = rsa_key(client)
    encrypted = client.encrypt(
        KeyId=key_id, Plaintext=PLAINTEXT, EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    )
    usage = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    assert (usage["Operation"], usage["KmsRequestId"]) == (
        "Encrypt",
        encrypted["ResponseMetadata"]["RequestId"],
    )
    plain = client.decrypt(
        KeyId=key_id,
        CiphertextBlob=encrypted["CiphertextBlob"],
        EncryptionAlgorithm="RSAES_OAEP_SHA_256",
    )
    usage = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    assert (usage["Operation"], usage["KmsRequestId"]) == (
        "Decrypt",
        plain["ResponseMetadata"]["RequestId"],
    )
