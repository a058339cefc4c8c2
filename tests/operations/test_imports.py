"""Imported key material: GetParametersForImport, ImportKeyMaterial,
DeleteImportedKeyMaterial, with material wrapped offline by `cryptography`
(docs/kms-behaviour.md#imported-key-material, docs/kms-behaviour.md#import-wrapping)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from freezegun import freeze_time

from tests._support import (
    CHINA,
    MATERIAL_ID,
    UNKNOWN_KEY_ID,
    assert_valid_output,
    body,
    enum_values,
    import_material,
    key_arn,
    refused,
    wrap,
)

DAY = timedelta(days=1)
UTC = timezone.utc

OAEP_SHA_256 = "RSAES_OAEP_SHA_256"
AES_WRAP_SHA_256 = "RSA_AES_KEY_WRAP_SHA_256"
WRAPPING_ALGORITHMS = [
    "RSAES_OAEP_SHA_1",
    OAEP_SHA_256,
    "RSA_AES_KEY_WRAP_SHA_1",
    AES_WRAP_SHA_256,
]
NO_EXPIRY = "KEY_MATERIAL_DOES_NOT_EXPIRE"
EXPIRES = "KEY_MATERIAL_EXPIRES"

INVALID_CIPHERTEXT = ("InvalidCiphertextException", "")
INVALID_TOKEN = ("InvalidImportTokenException", "Import token is not valid for this key.")
EXPIRED_TOKEN = ("ExpiredImportTokenException", "Import token has expired.")
INCORRECT_MATERIAL = (
    "IncorrectKeyMaterialException",
    "The key material does not match the key spec or the key's existing material.",
)
VALID_TO_REQUIRED = (
    "ValidationException",
    "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES",
)
VALID_TO_RANGE = (
    "ValidationException",
    "ValidTo must be in the future and at most 365 days from now.",
)
VALID_TO_FORBIDDEN = (
    "ValidationException",
    "A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE",
)


# Helpers -------------------------------------------------------------------------------


def metadata(client: Any, key_id: str) -> dict[str, Any]:
    meta: dict[str, Any] = client.describe_key(KeyId=key_id)["KeyMetadata"]
    return meta


def mock_now(kms_mock: Any) -> datetime:
    """The mock's now, to the whole second (botocore sends timestamps in seconds)."""
    return datetime.fromtimestamp(kms_mock.clock.now(), UTC).replace(microsecond=0)


_USAGE = {"SYMMETRIC_DEFAULT": "ENCRYPT_DECRYPT", "HMAC_": "GENERATE_VERIFY_MAC"}


def external_key(client: Any, spec: str = "SYMMETRIC_DEFAULT") -> str:
    """A new key with Origin EXTERNAL (PendingImport)."""
    usage = "SIGN_VERIFY"
    for prefix, known in _USAGE.items():
        if spec.startswith(prefix):
            usage = known
    response = client.create_key(Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)
    key_id: str = response["KeyMetadata"]["KeyId"]
    return key_id


def parameters(
    client: Any, key_id: str, algorithm: str = OAEP_SHA_256, spec: str = "RSA_2048"
) -> dict[str, Any]:
    response: dict[str, Any] = client.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec=spec
    )
    return response


def imported_symmetric_key(client: Any) -> tuple[str, bytes, str]:
    """An EXTERNAL symmetric key with fresh material: (key ID, material, material ID)."""
    key_id = external_key(client)
    material = os.urandom(32)
    material_id: str = import_material(client, key_id, material)["KeyMaterialId"]
    return key_id, material, material_id


def encrypt(client: Any, key_id: str, plaintext: bytes) -> bytes:
    blob: bytes = client.encrypt(KeyId=key_id, Plaintext=plaintext)["CiphertextBlob"]
    return blob


def pkcs8(private: Any) -> bytes:
    der: bytes = private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return der


def spki(private: Any) -> bytes:
    der: bytes = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


@functools.cache
def _rsa_2048() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


# KeySpec -> (make a private key, signing algorithm, MessageType, verify with the public key)
def _verify_ecdsa(private: Any, signature: bytes, message: bytes) -> None:
    private.public_key().verify(signature, message, ec.ECDSA(hashes.SHA256()))


def _verify_pss(private: Any, signature: bytes, message: bytes) -> None:
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    private.public_key().verify(signature, message, pss, hashes.SHA256())


def _verify_ed25519(private: Any, signature: bytes, message: bytes) -> None:
    private.public_key().verify(signature, message)


SIGNING: dict[str, tuple[Callable[[], Any], str, Callable[[Any, bytes, bytes], None]]] = {
    "ECC_NIST_P256": (
        lambda: ec.generate_private_key(ec.SECP256R1()),
        "ECDSA_SHA_256",
        _verify_ecdsa,
    ),
    "ECC_SECG_P256K1": (
        lambda: ec.generate_private_key(ec.SECP256K1()),
        "ECDSA_SHA_256",
        _verify_ecdsa,
    ),
    "RSA_2048": (_rsa_2048, "RSASSA_PSS_SHA_256", _verify_pss),
    "ECC_NIST_EDWARDS25519": (
        ed25519.Ed25519PrivateKey.generate,
        "ED25519_SHA_512",
        _verify_ed25519,
    ),
}


def new_private_key(spec: str) -> Any:
    return SIGNING[spec][0]()


# GetParametersForImport ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "bits"), [("RSA_2048", 2048), ("RSA_3072", 3072), ("RSA_4096", 4096)]
)
def test_get_parameters_for_import_returns_exact_fields(client, kms_mock, spec, bits):
    key_id = external_key(client)
    with freeze_time("2031-05-01 12:00:00"):
        kms_mock.clock.advance(hours=3)
        response = client.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm=OAEP_SHA_256, WrappingKeySpec=spec
        )
    assert_valid_output("GetParametersForImport", response)
    assert set(body(response)) == {"KeyId", "ImportToken", "PublicKey", "ParametersValidTo"}
    assert response["KeyId"] == key_arn(key_id)
    token = response["ImportToken"]
    assert isinstance(token, bytes)
    assert 1 <= len(token) <= 6144
    public = serialization.load_der_public_key(response["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == bits
    # Exactly a DER SubjectPublicKeyInfo, nothing around it.
    assert (
        public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        == response["PublicKey"]
    )
    # Mock now (frozen time plus the clock's 3 hours) plus 24 hours.
    assert response["ParametersValidTo"] == datetime(2031, 5, 2, 15, tzinfo=UTC)


def test_get_parameters_for_import_by_arn_works_and_leaves_key_pending_import(client):
    key_id = external_key(client)
    before = metadata(client, key_id)
    response = parameters(client, key_arn(key_id))
    assert response["KeyId"] == key_arn(key_id)
    assert metadata(client, key_id) == before
    assert before["KeyState"] == "PendingImport"


def test_get_parameters_for_import_twice_gives_new_wrapping_key_and_token(client):
    key_id = external_key(client)
    first = parameters(client, key_id)
    second = parameters(client, key_id)
    assert first["PublicKey"] != second["PublicKey"]
    assert first["ImportToken"] != second["ImportToken"]
    # The first pair still works after the second call.
    material = os.urandom(32)
    response = client.import_key_material(
        KeyId=key_id,
        ImportToken=first["ImportToken"],
        EncryptedKeyMaterial=wrap(first["PublicKey"], material, OAEP_SHA_256),
        ExpirationModel=NO_EXPIRY,
    )
    assert MATERIAL_ID.fullmatch(response["KeyMaterialId"])


IMPORT_CALLS: dict[str, Callable[[Any, str], Any]] = {
    "GetParametersForImport": lambda c, k: parameters(c, k),
    "ImportKeyMaterial": lambda c, k: c.import_key_material(
        KeyId=k,
        ImportToken=b"token",
        EncryptedKeyMaterial=b"material",
        ExpirationModel=NO_EXPIRY,
    ),
    "DeleteImportedKeyMaterial": lambda c, k: c.delete_imported_key_material(KeyId=k),
}
IMPORT_OPERATIONS = sorted(IMPORT_CALLS)


@pytest.mark.parametrize("operation", IMPORT_OPERATIONS)
def test_import_operation_on_aws_kms_key_raises_unsupported_operation(client, key_id, operation):
    before = metadata(client, key_id)
    assert refused(lambda: IMPORT_CALLS[operation](client, key_id)) == (
        "UnsupportedOperationException",
        f"{key_arn(key_id)} origin is AWS_KMS which is not valid for this operation.",
    )
    assert metadata(client, key_id) == before


@pytest.mark.parametrize("operation", IMPORT_OPERATIONS)
def test_import_operation_on_aws_kms_key_pending_deletion_raises_unsupported_operation(
    client, key_id, operation
):
    # docs/kms-behaviour.md#key-state-table: "PD (imported keys) or IMP" - a key that cannot have
    # imported material is refused for its origin, whatever its state.
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert refused(lambda: IMPORT_CALLS[operation](client, key_id)) == (
        "UnsupportedOperationException",
        f"{key_arn(key_id)} origin is AWS_KMS which is not valid for this operation.",
    )


@pytest.mark.parametrize("operation", IMPORT_OPERATIONS)
def test_import_operation_unknown_key_raises_not_found(client, operation):
    assert refused(lambda: IMPORT_CALLS[operation](client, UNKNOWN_KEY_ID)) == (
        "NotFoundException",
        f"Key '{key_arn(UNKNOWN_KEY_ID)}' does not exist",
    )


def test_get_parameters_for_import_rsaes_pkcs1_v1_5_raises_validation(client):
    key_id = external_key(client)
    assert refused(lambda: parameters(client, key_id, "RSAES_PKCS1_V1_5")) == (
        "ValidationException",
        "The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported.",
    )


@pytest.mark.parametrize(
    ("member", "algorithm", "spec"),
    [
        ("WrappingKeySpec", "SM2PKE", "SM2"),
        ("WrappingKeySpec", OAEP_SHA_256, "SM2"),
        ("WrappingAlgorithm", "SM2PKE", "RSA_2048"),
    ],
)
def test_get_parameters_for_import_sm2_outside_china_raises_enum_without_sm2(
    client, member, algorithm, spec
):
    key_id = external_key(client)
    value = spec if member == "WrappingKeySpec" else algorithm
    allowed = ", ".join(v for v in enum_values("GetParametersForImport", member) if v != value)
    wire = member[0].lower() + member[1:]
    assert refused(lambda: parameters(client, key_id, algorithm, spec)) == (
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{wire}' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{allowed}]",
    )


@pytest.mark.parametrize(("algorithm", "spec"), [(OAEP_SHA_256, "SM2"), ("SM2PKE", "RSA_2048")])
def test_get_parameters_for_import_in_china_mismatched_sm2_raises_validation(
    kms_mock, algorithm, spec
):
    china = boto3.client("kms", region_name=CHINA)
    key_id = external_key(china)
    assert refused(lambda: parameters(china, key_id, algorithm, spec)) == (
        "ValidationException",
        f"Wrapping algorithm {algorithm} is not compatible with wrapping key spec {spec}.",
    )


def test_get_parameters_for_import_pending_deletion_raises_invalid_state(client):
    key_id = external_key(client)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert refused(lambda: parameters(client, key_id)) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending deletion.",
    )


def test_import_key_material_pending_deletion_raises_invalid_state(client):
    key_id = external_key(client)
    found = parameters(client, key_id)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    before = metadata(client, key_id)
    assert refused(
        lambda: client.import_key_material(
            KeyId=key_id,
            ImportToken=found["ImportToken"],
            EncryptedKeyMaterial=wrap(found["PublicKey"], os.urandom(32), OAEP_SHA_256),
            ExpirationModel=NO_EXPIRY,
        )
    ) == ("KMSInvalidStateException", f"{key_arn(key_id)} is pending deletion.")
    assert metadata(client, key_id) == before


def test_disabled_imported_key_reimport_works_and_stays_disabled(client):
    key_id, material, material_id = imported_symmetric_key(client)
    client.disable_key(KeyId=key_id)
    response = import_material(client, key_id, material)
    assert response["KeyMaterialId"] == material_id
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("Disabled", False)


# ImportKeyMaterial: symmetric --------------------------------------------------------------


def test_external_key_before_import_is_pending_import_without_material(client):
    key_id = external_key(client)
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"], meta["Origin"]) == (
        "PendingImport",
        False,
        "EXTERNAL",
    )
    for absent in ("CurrentKeyMaterialId", "ExpirationModel", "ValidTo"):
        assert absent not in meta
    assert refused(lambda: encrypt(client, key_id, b"x")) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending import.",
    )


@pytest.mark.parametrize("algorithm", WRAPPING_ALGORITHMS)
def test_import_symmetric_material_enables_key_and_encrypts(client, algorithm):
    key_id = external_key(client)
    response = import_material(client, key_id, os.urandom(32), algorithm)
    assert_valid_output("ImportKeyMaterial", response)
    material_id = response["KeyMaterialId"]
    assert body(response) == {"KeyId": key_arn(key_id), "KeyMaterialId": material_id}
    assert MATERIAL_ID.fullmatch(material_id)
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("Enabled", True)
    assert meta["CurrentKeyMaterialId"] == material_id
    assert meta["ExpirationModel"] == NO_EXPIRY
    assert "ValidTo" not in meta
    blob = encrypt(client, key_id, b"imported secret")
    decrypted = client.decrypt(CiphertextBlob=blob)
    assert (decrypted["Plaintext"], decrypted["KeyId"], decrypted["KeyMaterialId"]) == (
        b"imported secret",
        key_arn(key_id),
        material_id,
    )


def test_import_symmetric_material_with_valid_to_shows_it(client, kms_mock):
    key_id = external_key(client)
    valid_to = mock_now(kms_mock) + timedelta(days=30)
    response = import_material(client, key_id, os.urandom(32), ValidTo=valid_to)
    meta = metadata(client, key_id)
    assert (meta["ExpirationModel"], meta["ValidTo"]) == (EXPIRES, valid_to)
    assert meta["CurrentKeyMaterialId"] == response["KeyMaterialId"]
    assert meta["KeyState"] == "Enabled"


def test_import_symmetric_explicit_expires_model_with_valid_to_works(client, kms_mock):
    key_id = external_key(client)
    valid_to = mock_now(kms_mock) + DAY
    import_material(client, key_id, os.urandom(32), ExpirationModel=EXPIRES, ValidTo=valid_to)
    meta = metadata(client, key_id)
    assert (meta["ExpirationModel"], meta["ValidTo"]) == (EXPIRES, valid_to)


def test_same_material_in_two_keys_gets_different_material_ids(client):
    _, material, material_id = imported_symmetric_key(client)
    other = external_key(client)
    other_id = import_material(client, other, material)["KeyMaterialId"]
    assert MATERIAL_ID.fullmatch(other_id)
    assert other_id != material_id


def test_reimport_same_material_into_same_key_keeps_material_id(client):
    key_id, material, material_id = imported_symmetric_key(client)
    again = import_material(client, key_id, material, AES_WRAP_SHA_256)
    assert again["KeyMaterialId"] == material_id
    assert metadata(client, key_id)["CurrentKeyMaterialId"] == material_id


def test_reimport_with_existing_key_material_and_its_id_works(client):
    key_id, material, material_id = imported_symmetric_key(client)
    response = import_material(
        client,
        key_id,
        material,
        ImportType="EXISTING_KEY_MATERIAL",
        KeyMaterialId=material_id,
    )
    assert body(response) == {"KeyId": key_arn(key_id), "KeyMaterialId": material_id}


def test_reimport_changes_expiration(client, kms_mock):
    key_id, material, _ = imported_symmetric_key(client)
    valid_to = mock_now(kms_mock) + timedelta(days=10)
    import_material(client, key_id, material, ValidTo=valid_to)
    meta = metadata(client, key_id)
    assert (meta["ExpirationModel"], meta["ValidTo"]) == (EXPIRES, valid_to)
    import_material(client, key_id, material)
    meta = metadata(client, key_id)
    assert meta["ExpirationModel"] == NO_EXPIRY
    assert "ValidTo" not in meta


def test_ciphertext_decrypts_after_delete_and_reimport_of_same_material(client):
    key_id, material, material_id = imported_symmetric_key(client)
    blob = encrypt(client, key_id, b"survives")
    client.delete_imported_key_material(KeyId=key_id)
    assert refused(lambda: client.decrypt(CiphertextBlob=blob)) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending import.",
    )
    import_material(client, key_id, material, "RSA_AES_KEY_WRAP_SHA_1")
    decrypted = client.decrypt(CiphertextBlob=blob)
    assert (decrypted["Plaintext"], decrypted["KeyMaterialId"]) == (b"survives", material_id)


# ExpirationModel and ValidTo ---------------------------------------------------------------


# name -> (ImportKeyMaterial arguments from the mock's now, expected error)
EXPIRATION_CASES: dict[str, tuple[Callable[[datetime], dict[str, Any]], tuple[str, str]]] = {
    "default-model-no-valid-to": (lambda now: {}, VALID_TO_REQUIRED),
    "expires-no-valid-to": (lambda now: {"ExpirationModel": EXPIRES}, VALID_TO_REQUIRED),
    "valid-to-in-the-past": (lambda now: {"ValidTo": now - DAY}, VALID_TO_RANGE),
    "valid-to-366-days-ahead": (
        lambda now: {"ValidTo": now + timedelta(days=366)},
        VALID_TO_RANGE,
    ),
    "does-not-expire-with-valid-to": (
        lambda now: {"ExpirationModel": NO_EXPIRY, "ValidTo": now + DAY},
        VALID_TO_FORBIDDEN,
    ),
}


@pytest.mark.parametrize("case", sorted(EXPIRATION_CASES))
def test_import_bad_expiration_raises_validation_and_leaves_key(client, kms_mock, case):
    arguments, expected = EXPIRATION_CASES[case]
    key_id = external_key(client)
    found = parameters(client, key_id)
    before = metadata(client, key_id)
    assert (
        refused(
            lambda: client.import_key_material(
                KeyId=key_id,
                ImportToken=found["ImportToken"],
                EncryptedKeyMaterial=wrap(found["PublicKey"], os.urandom(32), OAEP_SHA_256),
                **arguments(mock_now(kms_mock)),
            )
        )
        == expected
    )
    assert metadata(client, key_id) == before
    assert before["KeyState"] == "PendingImport"


@pytest.mark.parametrize(
    ("ahead", "accepted"),
    [
        (timedelta(days=365), True),
        (timedelta(days=365, seconds=1), False),
        (timedelta(seconds=1), True),
        (timedelta(0), False),
    ],
)
def test_import_valid_to_boundaries(client, ahead, accepted):
    key_id = external_key(client)
    with freeze_time("2031-05-01 12:00:00"):
        found = parameters(client, key_id)

        def call() -> Any:
            return client.import_key_material(
                KeyId=key_id,
                ImportToken=found["ImportToken"],
                EncryptedKeyMaterial=wrap(found["PublicKey"], os.urandom(32), OAEP_SHA_256),
                ValidTo=datetime(2031, 5, 1, 12, tzinfo=UTC) + ahead,
            )

        if accepted:
            call()
            assert metadata(client, key_id)["KeyState"] == "Enabled"
        else:
            assert refused(call) == VALID_TO_RANGE
            assert metadata(client, key_id)["KeyState"] == "PendingImport"


# Expiry ------------------------------------------------------------------------------------


def test_expired_material_leaves_key_pending_import_until_reimported(client, kms_mock):
    key_id = external_key(client)
    material = os.urandom(32)
    valid_to = mock_now(kms_mock) + DAY
    material_id = import_material(client, key_id, material, ValidTo=valid_to)["KeyMaterialId"]
    blob = encrypt(client, key_id, b"before expiry")

    kms_mock.clock.advance(hours=23)
    assert metadata(client, key_id)["KeyState"] == "Enabled"

    kms_mock.clock.advance(days=1)
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("PendingImport", False)
    assert "ExpirationModel" not in meta
    assert "ValidTo" not in meta
    assert meta["CurrentKeyMaterialId"] == material_id
    pending = ("KMSInvalidStateException", f"{key_arn(key_id)} is pending import.")
    assert refused(lambda: encrypt(client, key_id, b"x")) == pending
    assert refused(lambda: client.decrypt(CiphertextBlob=blob)) == pending

    again = import_material(client, key_id, material)
    assert again["KeyMaterialId"] == material_id
    assert metadata(client, key_id)["KeyState"] == "Enabled"
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"before expiry"


def test_reimport_with_later_valid_to_postpones_expiry(client, kms_mock):
    key_id = external_key(client)
    material = os.urandom(32)
    import_material(client, key_id, material, ValidTo=mock_now(kms_mock) + DAY)
    later = mock_now(kms_mock) + timedelta(days=3)
    import_material(client, key_id, material, ValidTo=later)
    kms_mock.clock.advance(days=2)
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["ValidTo"]) == ("Enabled", later)
    kms_mock.clock.advance(days=2)
    assert metadata(client, key_id)["KeyState"] == "PendingImport"


def test_reimport_without_expiry_cancels_expiry(client, kms_mock):
    key_id = external_key(client)
    material = os.urandom(32)
    import_material(client, key_id, material, ValidTo=mock_now(kms_mock) + DAY)
    import_material(client, key_id, material)
    kms_mock.clock.advance(days=2)
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["ExpirationModel"]) == ("Enabled", NO_EXPIRY)


def test_expired_asymmetric_material_refuses_sign(client, kms_mock):
    key_id = external_key(client, "ECC_NIST_P256")
    private = new_private_key("ECC_NIST_P256")
    import_material(client, key_id, pkcs8(private), ValidTo=mock_now(kms_mock) + DAY)
    kms_mock.clock.advance(days=2)
    meta = metadata(client, key_id)
    assert meta["KeyState"] == "PendingImport"
    assert "ExpirationModel" not in meta
    assert refused(
        lambda: client.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
    ) == ("KMSInvalidStateException", f"{key_arn(key_id)} is pending import.")


# DeleteImportedKeyMaterial -----------------------------------------------------------------


def test_delete_imported_key_material_returns_ids_and_leaves_pending_import(client, kms_mock):
    key_id = external_key(client)
    material_id = import_material(client, key_id, os.urandom(32), ValidTo=mock_now(kms_mock) + DAY)[
        "KeyMaterialId"
    ]
    response = client.delete_imported_key_material(KeyId=key_id)
    assert_valid_output("DeleteImportedKeyMaterial", response)
    assert body(response) == {"KeyId": key_arn(key_id), "KeyMaterialId": material_id}
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("PendingImport", False)
    assert "ExpirationModel" not in meta
    assert "ValidTo" not in meta
    assert meta["CurrentKeyMaterialId"] == material_id
    assert refused(lambda: encrypt(client, key_id, b"x")) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending import.",
    )


def test_delete_imported_key_material_by_arn_and_material_id(client):
    key_id, _, material_id = imported_symmetric_key(client)
    response = client.delete_imported_key_material(KeyId=key_arn(key_id), KeyMaterialId=material_id)
    assert body(response) == {"KeyId": key_arn(key_id), "KeyMaterialId": material_id}
    assert metadata(client, key_id)["KeyState"] == "PendingImport"


def test_delete_imported_key_material_asymmetric_returns_key_arn(client):
    key_id = external_key(client, "ECC_NIST_P256")
    import_material(client, key_id, pkcs8(new_private_key("ECC_NIST_P256")))
    response = client.delete_imported_key_material(KeyId=key_id)
    assert body(response) == {"KeyId": key_arn(key_id)}
    meta = metadata(client, key_id)
    assert meta["KeyState"] == "PendingImport"
    assert "ExpirationModel" not in meta
    assert refused(lambda: client.get_public_key(KeyId=key_id)) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending import.",
    )


def test_delete_imported_key_material_pending_deletion_keeps_state(client):
    key_id, material, material_id = imported_symmetric_key(client)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    deletion_date = metadata(client, key_id)["DeletionDate"]
    response = client.delete_imported_key_material(KeyId=key_id)
    assert body(response) == {"KeyId": key_arn(key_id), "KeyMaterialId": material_id}
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["DeletionDate"]) == ("PendingDeletion", deletion_date)
    assert "ExpirationModel" not in meta

    client.cancel_key_deletion(KeyId=key_id)
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"]) == ("PendingImport", False)
    assert "DeletionDate" not in meta
    import_material(client, key_id, material)
    assert metadata(client, key_id)["KeyState"] == "Enabled"


def test_cancel_deletion_of_key_with_material_lands_disabled(client):
    key_id, _, _ = imported_symmetric_key(client)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    client.cancel_key_deletion(KeyId=key_id)
    assert metadata(client, key_id)["KeyState"] == "Disabled"


def test_delete_imported_key_material_never_imported_has_no_effect(client):
    key_id = external_key(client)
    before = metadata(client, key_id)
    response = client.delete_imported_key_material(KeyId=key_id)
    assert body(response) == {"KeyId": key_arn(key_id)}
    assert metadata(client, key_id) == before


def test_delete_imported_key_material_twice_has_no_further_effect(client):
    key_id, _, material_id = imported_symmetric_key(client)
    client.delete_imported_key_material(KeyId=key_id)
    before = metadata(client, key_id)
    response = client.delete_imported_key_material(KeyId=key_id)
    assert body(response) == {"KeyId": key_arn(key_id), "KeyMaterialId": material_id}
    assert metadata(client, key_id) == before


def test_delete_imported_key_material_unknown_material_id_raises_not_found(client):
    key_id, _, _ = imported_symmetric_key(client)
    unknown = "ab" * 32
    before = metadata(client, key_id)
    assert refused(
        lambda: client.delete_imported_key_material(KeyId=key_id, KeyMaterialId=unknown)
    ) == ("NotFoundException", f"Key material {unknown} is not found on {key_arn(key_id)}.")
    assert metadata(client, key_id) == before


# Bad imports -------------------------------------------------------------------------------


def _import_with(client: Any, key_id: str, token: bytes, wrapped: bytes) -> Any:
    return client.import_key_material(
        KeyId=key_id, ImportToken=token, EncryptedKeyMaterial=wrapped, ExpirationModel=NO_EXPIRY
    )


def test_import_token_of_another_key_raises_invalid_import_token(client):
    key_id, other = external_key(client), external_key(client)
    found = parameters(client, other)
    before = metadata(client, key_id)
    wrapped = wrap(found["PublicKey"], os.urandom(32), OAEP_SHA_256)
    assert (
        refused(lambda: _import_with(client, key_id, found["ImportToken"], wrapped))
        == INVALID_TOKEN
    )
    assert metadata(client, key_id) == before
    # The token still works for its own key.
    _import_with(client, other, found["ImportToken"], wrapped)
    assert metadata(client, other)["KeyState"] == "Enabled"


def test_garbage_import_token_raises_invalid_import_token(client):
    key_id = external_key(client)
    found = parameters(client, key_id)
    before = metadata(client, key_id)
    wrapped = wrap(found["PublicKey"], os.urandom(32), OAEP_SHA_256)
    assert refused(lambda: _import_with(client, key_id, os.urandom(64), wrapped)) == INVALID_TOKEN
    assert metadata(client, key_id) == before


def test_import_token_of_an_imported_key_refused_on_enabled_key(client):
    key_id, material, _ = imported_symmetric_key(client)
    other = external_key(client)
    found = parameters(client, other)
    before = metadata(client, key_id)
    wrapped = wrap(found["PublicKey"], material, OAEP_SHA_256)
    assert (
        refused(lambda: _import_with(client, key_id, found["ImportToken"], wrapped))
        == INVALID_TOKEN
    )
    assert metadata(client, key_id) == before


def test_import_token_older_than_24_hours_raises_expired(client, kms_mock):
    key_id = external_key(client)
    found = parameters(client, key_id)
    wrapped = wrap(found["PublicKey"], os.urandom(32), OAEP_SHA_256)
    kms_mock.clock.advance(hours=25)
    before = metadata(client, key_id)
    assert (
        refused(lambda: _import_with(client, key_id, found["ImportToken"], wrapped))
        == EXPIRED_TOKEN
    )
    assert metadata(client, key_id) == before


def test_import_token_older_than_24_hours_raises_expired_after_new_parameters(client, kms_mock):
    # A token older than 24 h is expired, whatever was asked for since
    # (docs/kms-behaviour.md#imported-key-material).
    key_id = external_key(client)
    found = parameters(client, key_id)
    wrapped = wrap(found["PublicKey"], os.urandom(32), OAEP_SHA_256)
    kms_mock.clock.advance(hours=25)
    parameters(client, key_id)
    assert (
        refused(lambda: _import_with(client, key_id, found["ImportToken"], wrapped))
        == EXPIRED_TOKEN
    )


def test_import_token_just_under_24_hours_old_works(client):
    key_id = external_key(client)
    with freeze_time("2031-05-01 12:00:00") as frozen:
        found = parameters(client, key_id)
        wrapped = wrap(found["PublicKey"], os.urandom(32), OAEP_SHA_256)
        frozen.tick(timedelta(hours=23, minutes=59, seconds=59))
        _import_with(client, key_id, found["ImportToken"], wrapped)
        assert metadata(client, key_id)["KeyState"] == "Enabled"


# name -> wrap 32 random bytes given (this token's parameters, other parameters of the key)
WRONG_WRAPPING: dict[str, Callable[[dict[str, Any], dict[str, Any]], bytes]] = {
    "other-wrapping-key": lambda mine, other: wrap(
        other["PublicKey"], os.urandom(32), OAEP_SHA_256
    ),
    "random-bytes": lambda mine, other: os.urandom(256),
    "oaep-sha-1-for-sha-256-token": lambda mine, other: wrap(
        mine["PublicKey"], os.urandom(32), "RSAES_OAEP_SHA_1"
    ),
    "aes-key-wrap-for-oaep-token": lambda mine, other: wrap(
        mine["PublicKey"], os.urandom(32), AES_WRAP_SHA_256
    ),
}


@pytest.mark.parametrize("case", sorted(WRONG_WRAPPING))
def test_import_undecryptable_material_raises_invalid_ciphertext(client, case):
    key_id = external_key(client)
    mine, other = parameters(client, key_id), parameters(client, key_id)
    before = metadata(client, key_id)
    wrapped = WRONG_WRAPPING[case](mine, other)
    assert (
        refused(lambda: _import_with(client, key_id, mine["ImportToken"], wrapped))
        == INVALID_CIPHERTEXT
    )
    assert metadata(client, key_id) == before


@pytest.mark.parametrize("length", [1, 16, 31, 33, 64])
def test_import_symmetric_material_of_wrong_length_raises_incorrect(client, length):
    key_id = external_key(client)
    before = metadata(client, key_id)
    assert (
        refused(lambda: import_material(client, key_id, os.urandom(length))) == INCORRECT_MATERIAL
    )
    assert metadata(client, key_id) == before


def test_import_different_symmetric_material_raises_incorrect(client):
    key_id, _, _ = imported_symmetric_key(client)
    blob = encrypt(client, key_id, b"kept")
    before = metadata(client, key_id)
    assert refused(lambda: import_material(client, key_id, os.urandom(32))) == INCORRECT_MATERIAL
    assert metadata(client, key_id) == before
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"


def test_import_different_symmetric_material_after_delete_raises_incorrect(client):
    key_id, _, _ = imported_symmetric_key(client)
    client.delete_imported_key_material(KeyId=key_id)
    before = metadata(client, key_id)
    assert refused(lambda: import_material(client, key_id, os.urandom(32))) == INCORRECT_MATERIAL
    assert metadata(client, key_id) == before


def test_import_new_key_material_with_key_material_id_raises_validation(client):
    key_id = external_key(client)
    before = metadata(client, key_id)
    assert refused(
        lambda: import_material(
            client,
            key_id,
            os.urandom(32),
            ImportType="NEW_KEY_MATERIAL",
            KeyMaterialId="ab" * 32,
        )
    ) == (
        "ValidationException",
        "KeyMaterialId cannot be specified with ImportType NEW_KEY_MATERIAL.",
    )
    assert metadata(client, key_id) == before


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("ImportType", "NEW_KEY_MATERIAL"),
        ("KeyMaterialId", "ab" * 32),
        ("KeyMaterialDescription", "first"),
    ],
)
@pytest.mark.parametrize("spec", ["ECC_NIST_P256", "HMAC_256"])
def test_import_symmetric_only_member_on_other_key_raises_validation(client, spec, member, value):
    key_id = external_key(client, spec)
    material = pkcs8(new_private_key(spec)) if spec in SIGNING else os.urandom(32)
    before = metadata(client, key_id)
    assert refused(
        lambda: import_material(client, key_id, material, AES_WRAP_SHA_256, **{member: value})
    ) == (
        "ValidationException",
        f"{member} is supported only for symmetric encryption KMS keys.",
    )
    assert metadata(client, key_id) == before


# Asymmetric and HMAC material --------------------------------------------------------------


@pytest.mark.parametrize("spec", sorted(SIGNING))
def test_import_signing_key_signs_with_original_key(client, spec):
    make, algorithm, verify = SIGNING[spec]
    private = make()
    key_id = external_key(client, spec)
    response = import_material(client, key_id, pkcs8(private), AES_WRAP_SHA_256)
    assert_valid_output("ImportKeyMaterial", response)
    assert body(response) == {"KeyId": key_arn(key_id)}
    meta = metadata(client, key_id)
    assert (meta["KeyState"], meta["Enabled"], meta["ExpirationModel"]) == (
        "Enabled",
        True,
        NO_EXPIRY,
    )
    assert "CurrentKeyMaterialId" not in meta

    assert client.get_public_key(KeyId=key_id)["PublicKey"] == spki(private)
    message = b"signed by imported material"
    signature = client.sign(
        KeyId=key_id, Message=message, MessageType="RAW", SigningAlgorithm=algorithm
    )["Signature"]
    verify(private, signature, message)  # raises InvalidSignature if not the original key
    # And KMS accepts what the original key signs.
    if spec == "RSA_2048":
        offline = private.sign(
            message,
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
            hashes.SHA256(),
        )
    elif spec == "ECC_NIST_EDWARDS25519":
        offline = private.sign(message)
    else:
        offline = private.sign(message, ec.ECDSA(hashes.SHA256()))
    verified = client.verify(
        KeyId=key_id,
        Message=message,
        MessageType="RAW",
        Signature=offline,
        SigningAlgorithm=algorithm,
    )
    assert verified["SignatureValid"] is True


def test_import_ecc_key_with_plain_oaep_works(client):
    private = new_private_key("ECC_NIST_P256")
    key_id = external_key(client, "ECC_NIST_P256")
    import_material(client, key_id, pkcs8(private), OAEP_SHA_256)
    assert client.get_public_key(KeyId=key_id)["PublicKey"] == spki(private)


def test_rsa_private_key_does_not_fit_plain_oaep(client):
    # docs/kms-behaviour.md#import-wrapping: RSA private keys need RSA_AES_KEY_WRAP_*; a 2048-bit
    # wrapping key's OAEP carries at most 190 bytes, and an RSA_2048 PKCS#8 is over 1,100.
    material = pkcs8(_rsa_2048())
    key_id = external_key(client, "RSA_2048")
    found = parameters(client, key_id, OAEP_SHA_256)
    with pytest.raises(ValueError, match="Encryption failed"):
        wrap(found["PublicKey"], material, OAEP_SHA_256)
    # What kmsmock answers when the material comes AES-wrapped under an OAEP token.
    wrapped = wrap(found["PublicKey"], material, AES_WRAP_SHA_256)
    before = metadata(client, key_id)
    assert (
        refused(lambda: _import_with(client, key_id, found["ImportToken"], wrapped))
        == INVALID_CIPHERTEXT
    )
    assert metadata(client, key_id) == before


@pytest.mark.parametrize(
    ("spec", "material"),
    [
        ("ECC_NIST_P256", lambda: pkcs8(ec.generate_private_key(ec.SECP384R1()))),
        ("ECC_NIST_P256", lambda: pkcs8(ec.generate_private_key(ec.SECP256K1()))),
        ("ECC_NIST_P256", lambda: pkcs8(ed25519.Ed25519PrivateKey.generate())),
        ("ECC_NIST_P256", lambda: os.urandom(32)),
        ("ECC_SECG_P256K1", lambda: pkcs8(ec.generate_private_key(ec.SECP256R1()))),
        ("ECC_NIST_EDWARDS25519", lambda: pkcs8(ec.generate_private_key(ec.SECP256R1()))),
        ("RSA_2048", lambda: pkcs8(ec.generate_private_key(ec.SECP256R1()))),
    ],
    ids=[
        "p256-given-p384",
        "p256-given-secp256k1",
        "p256-given-ed25519",
        "p256-given-raw-bytes",
        "secp256k1-given-p256",
        "ed25519-given-p256",
        "rsa2048-given-p256",
    ],
)
def test_import_private_key_of_wrong_spec_raises_incorrect(client, spec, material):
    key_id = external_key(client, spec)
    before = metadata(client, key_id)
    assert (
        refused(lambda: import_material(client, key_id, material(), AES_WRAP_SHA_256))
        == INCORRECT_MATERIAL
    )
    assert metadata(client, key_id) == before


def test_asymmetric_key_accepts_only_its_first_key_pair_again(client):
    key_id = external_key(client, "ECC_NIST_P256")
    first = new_private_key("ECC_NIST_P256")
    import_material(client, key_id, pkcs8(first))
    client.delete_imported_key_material(KeyId=key_id)
    before = metadata(client, key_id)
    other = new_private_key("ECC_NIST_P256")
    assert refused(lambda: import_material(client, key_id, pkcs8(other))) == INCORRECT_MATERIAL
    assert metadata(client, key_id) == before
    import_material(client, key_id, pkcs8(first))
    assert metadata(client, key_id)["KeyState"] == "Enabled"
    assert client.get_public_key(KeyId=key_id)["PublicKey"] == spki(first)


def test_asymmetric_key_refuses_other_key_pair_while_enabled(client):
    key_id = external_key(client, "ECC_NIST_EDWARDS25519")
    first = new_private_key("ECC_NIST_EDWARDS25519")
    import_material(client, key_id, pkcs8(first))
    before = metadata(client, key_id)
    other = pkcs8(new_private_key("ECC_NIST_EDWARDS25519"))
    assert refused(lambda: import_material(client, key_id, other)) == INCORRECT_MATERIAL
    assert metadata(client, key_id) == before
    assert client.get_public_key(KeyId=key_id)["PublicKey"] == spki(first)


def test_asymmetric_key_before_import_has_no_public_key(client):
    key_id = external_key(client, "ECC_NIST_P256")
    assert refused(lambda: client.get_public_key(KeyId=key_id)) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending import.",
    )


HMAC_DIGESTS = {
    "HMAC_224": "sha224",
    "HMAC_256": "sha256",
    "HMAC_384": "sha384",
    "HMAC_512": "sha512",
}


@pytest.mark.parametrize(
    ("spec", "length"),
    [
        ("HMAC_256", 32),
        ("HMAC_256", 64),
        ("HMAC_224", 28),
        ("HMAC_384", 128),
        ("HMAC_512", 64),
    ],
)
def test_import_hmac_material_macs_like_hmac_new(client, spec, length):
    material = os.urandom(length)
    key_id = external_key(client, spec)
    response = import_material(client, key_id, material)
    assert body(response) == {"KeyId": key_arn(key_id)}
    assert metadata(client, key_id)["KeyState"] == "Enabled"
    message = b"authenticate me"
    algorithm = spec.replace("HMAC_", "HMAC_SHA_")
    mac = client.generate_mac(KeyId=key_id, Message=message, MacAlgorithm=algorithm)["Mac"]
    expected = hmac.new(material, message, getattr(hashlib, HMAC_DIGESTS[spec])).digest()
    assert mac == expected
    verified = client.verify_mac(
        KeyId=key_id,
        Message=b"other",
        MacAlgorithm=algorithm,
        Mac=hmac.new(material, b"other", HMAC_DIGESTS[spec]).digest(),
    )
    assert verified["MacValid"] is True


@pytest.mark.parametrize(
    ("spec", "length"),
    [("HMAC_256", 31), ("HMAC_256", 65), ("HMAC_224", 27), ("HMAC_512", 63), ("HMAC_512", 129)],
)
def test_import_hmac_material_of_wrong_length_raises_incorrect(client, spec, length):
    key_id = external_key(client, spec)
    before = metadata(client, key_id)
    assert (
        refused(lambda: import_material(client, key_id, os.urandom(length))) == INCORRECT_MATERIAL
    )
    assert metadata(client, key_id) == before


def test_hmac_key_accepts_only_its_first_material_again(client):
    key_id = external_key(client, "HMAC_256")
    material = os.urandom(32)
    import_material(client, key_id, material)
    client.delete_imported_key_material(KeyId=key_id)
    assert refused(lambda: import_material(client, key_id, os.urandom(32))) == INCORRECT_MATERIAL
    import_material(client, key_id, material)
    mac = client.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert mac == hmac.new(material, b"m", hashlib.sha256).digest()


# ListKeyRotations --------------------------------------------------------------------------


def _all_material(client: Any, key_id: str) -> list[dict[str, Any]]:
    response = client.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    assert_valid_output("ListKeyRotations", response)
    assert response["Truncated"] is False
    entries: list[dict[str, Any]] = response["Rotations"]
    return entries


def test_list_key_rotations_shows_imported_material_with_expiry_and_description(client, kms_mock):
    key_id = external_key(client)
    valid_to = mock_now(kms_mock) + timedelta(days=5)
    material_id = import_material(
        client, key_id, os.urandom(32), ValidTo=valid_to, KeyMaterialDescription="first import"
    )["KeyMaterialId"]
    assert _all_material(client, key_id) == [
        {
            "KeyId": key_id,
            "KeyMaterialId": material_id,
            "KeyMaterialDescription": "first import",
            "ImportState": "IMPORTED",
            "KeyMaterialState": "CURRENT",
            "ExpirationModel": EXPIRES,
            "ValidTo": valid_to,
        }
    ]
    rotations_only = client.list_key_rotations(KeyId=key_id)
    assert rotations_only["Rotations"] == []


def test_list_key_rotations_without_expiry_or_description(client):
    key_id, _, material_id = imported_symmetric_key(client)
    assert _all_material(client, key_id) == [
        {
            "KeyId": key_id,
            "KeyMaterialId": material_id,
            "ImportState": "IMPORTED",
            "KeyMaterialState": "CURRENT",
            "ExpirationModel": NO_EXPIRY,
        }
    ]


def test_list_key_rotations_after_delete_shows_pending_import(client):
    key_id = external_key(client)
    material_id = import_material(client, key_id, os.urandom(32), KeyMaterialDescription="v1")[
        "KeyMaterialId"
    ]
    client.delete_imported_key_material(KeyId=key_id)
    assert _all_material(client, key_id) == [
        {
            "KeyId": key_id,
            "KeyMaterialId": material_id,
            "KeyMaterialDescription": "v1",
            "ImportState": "PENDING_IMPORT",
            "KeyMaterialState": "CURRENT",
        }
    ]


def test_list_key_rotations_before_first_import_is_empty(client):
    key_id = external_key(client)
    assert _all_material(client, key_id) == []


# China ------------------------------------------------------------------------------------


def test_china_symmetric_material_is_16_bytes(kms_mock):
    china = boto3.client("kms", region_name=CHINA)
    key_id = external_key(china)
    response = import_material(china, key_id, os.urandom(16), AES_WRAP_SHA_256)
    assert body(response) == {
        "KeyId": key_arn(key_id, region=CHINA),
        "KeyMaterialId": response["KeyMaterialId"],
    }
    assert MATERIAL_ID.fullmatch(response["KeyMaterialId"])
    assert metadata(china, key_id)["KeyState"] == "Enabled"
    blob = encrypt(china, key_id, b"sm4 under imported material")
    decrypted = china.decrypt(CiphertextBlob=blob)
    assert (decrypted["Plaintext"], decrypted["KeyMaterialId"]) == (
        b"sm4 under imported material",
        response["KeyMaterialId"],
    )


def test_china_symmetric_material_of_32_bytes_raises_incorrect(kms_mock):
    china = boto3.client("kms", region_name=CHINA)
    key_id = external_key(china)
    before = metadata(china, key_id)
    assert refused(lambda: import_material(china, key_id, os.urandom(32))) == INCORRECT_MATERIAL
    assert metadata(china, key_id) == before
