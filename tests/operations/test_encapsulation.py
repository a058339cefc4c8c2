"""ML-KEM keys and key encapsulation: Encapsulate, Decapsulate (botocore 1.44 on).

The secrets are checked outside kmsmock: with cryptography's ML-KEM-768/1024, and with
kyber-py for ML-KEM-512, which cryptography lacks.
"""

from __future__ import annotations

import sys
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import mlkem, padding, rsa
from kyber_py.ml_kem import ML_KEM_512

from kmsmock import ExtraNotInstalledError, FeatureNotImplementedError, KmsMockError
from tests._support import (
    ACCOUNT,
    ARN_PREFIX,
    CHINA,
    DRY_RUN,
    REGION,
    assert_valid_output,
    body,
    key_arn,
    model_enum,
    model_has_operation,
    new_key,
    refused,
)

pytestmark = pytest.mark.skipif(
    not model_has_operation("Encapsulate"),
    reason="the installed botocore's KMS model has no Encapsulate (botocore 1.44 on)",
)

USAGE = "ENCAPSULATE_DECAPSULATE"
# FIPS 203: key spec -> (ciphertext, SPKI DER, encapsulation key) lengths.
SIZES = {
    "ML_KEM_512": (768, 822, 800),
    "ML_KEM_768": (1088, 1206, 1184),
    "ML_KEM_1024": (1568, 1590, 1568),
}
SPECS = list(SIZES)
PRIVATE_CLASSES: dict[str, Any] = {
    "ML_KEM_768": mlkem.MLKEM768PrivateKey,
    "ML_KEM_1024": mlkem.MLKEM1024PrivateKey,
}
PUBLIC_CLASSES: dict[str, Any] = {
    "ML_KEM_768": mlkem.MLKEM768PublicKey,
    "ML_KEM_1024": mlkem.MLKEM1024PublicKey,
}
# The SPKI of an ML-KEM-512 key: this fixed header, then the 800-byte encapsulation key.
SPKI_512_HEADER = bytes.fromhex("30820332300b06096086480165030404010382032100")
# An ML-KEM-512 PKCS#8 in seed form (OID 2.16.840.1.101.3.4.4.1): this, then the seed.
PKCS8_512_HEADER = bytes.fromhex("3054020100300b0609608648016503040401") + bytes.fromhex("04428040")


def ml_kem_key(client: Any, spec: str = "ML_KEM_768", **extra: Any) -> str:
    """A new ML-KEM key (ML_KEM_768 unless told otherwise)."""
    return new_key(client, spec, USAGE, **extra)


def encapsulate(client: Any, key_id: str, **extra: Any) -> Any:
    return client.encapsulate(KeyId=key_id, EncapsulationAlgorithm="ML_KEM", **extra)


def decapsulate(client: Any, key_id: str, ciphertext: bytes, **extra: Any) -> Any:
    return client.decapsulate(
        KeyId=key_id,
        EncapsulationAlgorithm="ML_KEM",
        SharedSecretCiphertextBlob=ciphertext,
        **extra,
    )


def offline_encapsulate(spec: str, spki: bytes) -> tuple[bytes, bytes]:
    """(shared secret, ciphertext) made outside kmsmock with the key from GetPublicKey."""
    if spec == "ML_KEM_512":
        assert spki.startswith(SPKI_512_HEADER)
        secret, ciphertext = ML_KEM_512.encaps(spki[len(SPKI_512_HEADER) :])
        return secret, ciphertext
    public = serialization.load_der_public_key(spki)
    assert isinstance(public, PUBLIC_CLASSES[spec])
    secret, ciphertext = public.encapsulate()
    return secret, ciphertext


# Encapsulate and Decapsulate ---------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS)
def test_encapsulate_ml_kem_key_returns_secret_and_ciphertext_of_spec(client, spec):
    key_id = ml_kem_key(client, spec)
    response = encapsulate(client, key_id)
    assert_valid_output("Encapsulate", response)
    found = body(response)
    assert found == {
        "KeyId": key_arn(key_id),
        "SharedSecret": found["SharedSecret"],
        "SharedSecretCiphertextBlob": found["SharedSecretCiphertextBlob"],
        "EncapsulationAlgorithm": "ML_KEM",
    }
    assert len(found["SharedSecret"]) == 32
    assert len(found["SharedSecretCiphertextBlob"]) == SIZES[spec][0]


@pytest.mark.parametrize("spec", SPECS)
def test_decapsulate_kms_ciphertext_returns_encapsulated_secret(client, spec):
    key_id = ml_kem_key(client, spec)
    made = encapsulate(client, key_id)
    response = decapsulate(client, key_id, made["SharedSecretCiphertextBlob"])
    assert_valid_output("Decapsulate", response)
    assert body(response) == {
        "KeyId": key_arn(key_id),
        "SharedSecret": made["SharedSecret"],
        "EncapsulationAlgorithm": "ML_KEM",
    }


@pytest.mark.parametrize("spec", SPECS)
def test_decapsulate_offline_encapsulation_with_public_key_returns_same_secret(client, spec):
    key_id = ml_kem_key(client, spec)
    spki = client.get_public_key(KeyId=key_id)["PublicKey"]
    secret, ciphertext = offline_encapsulate(spec, spki)
    assert decapsulate(client, key_id, ciphertext)["SharedSecret"] == secret


def test_encapsulate_twice_returns_fresh_secrets(client):
    key_id = ml_kem_key(client)
    first, second = encapsulate(client, key_id), encapsulate(client, key_id)
    assert first["SharedSecret"] != second["SharedSecret"]
    assert first["SharedSecretCiphertextBlob"] != second["SharedSecretCiphertextBlob"]


@pytest.mark.parametrize("spec", ["ML_KEM_768", "ML_KEM_1024"])
def test_encapsulate_seeded_key_decapsulates_offline_with_its_private_key(kms_mock, client, spec):
    private = PRIVATE_CLASSES[spec].generate()
    pkcs8 = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_id = "7d1c3e5a-0b2f-4c6d-8e9f-a1b2c3d4e5f6"
    kms_mock.seed_key(key_id, pkcs8, key_spec=spec, key_usage=USAGE)
    made = encapsulate(client, key_id)
    assert private.decapsulate(made["SharedSecretCiphertextBlob"]) == made["SharedSecret"]
    expected_spki = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert client.get_public_key(KeyId=key_id)["PublicKey"] == expected_spki


def test_seed_key_ml_kem_512_seed_form_pkcs8_matches_kyber_key(kms_mock, client):
    seed = bytes(range(64))
    encapsulation_key, decapsulation_key = ML_KEM_512.key_derive(seed)
    pkcs8 = PKCS8_512_HEADER + seed
    key_id = "7d1c3e5a-0b2f-4c6d-8e9f-a1b2c3d4e5f7"
    kms_mock.seed_key(key_id, pkcs8, key_spec="ML_KEM_512", key_usage=USAGE)
    assert client.get_public_key(KeyId=key_id)["PublicKey"] == SPKI_512_HEADER + encapsulation_key
    made = encapsulate(client, key_id)
    assert (
        ML_KEM_512.decaps(decapsulation_key, made["SharedSecretCiphertextBlob"])
        == (made["SharedSecret"])
    )


def test_seed_key_ml_kem_expanded_private_key_raises_value_error(kms_mock):
    private = mlkem.MLKEM768PrivateKey.generate()
    not_seed_form = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )[:-1]
    with pytest.raises(ValueError, match="DER PKCS#8 private key"):
        kms_mock.seed_key(
            "7d1c3e5a-0b2f-4c6d-8e9f-a1b2c3d4e5f8",
            not_seed_form,
            key_spec="ML_KEM_768",
            key_usage=USAGE,
        )


# Implicit rejection -------------------------------------------------------------------


def test_decapsulate_altered_ciphertext_returns_implicit_rejection_secret(kms_mock, client):
    private = mlkem.MLKEM768PrivateKey.generate()
    pkcs8 = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_id = "7d1c3e5a-0b2f-4c6d-8e9f-a1b2c3d4e5f9"
    kms_mock.seed_key(key_id, pkcs8, key_spec="ML_KEM_768", key_usage=USAGE)
    made = encapsulate(client, key_id)
    altered = bytearray(made["SharedSecretCiphertextBlob"])
    altered[100] ^= 0x01
    first = decapsulate(client, key_id, bytes(altered))["SharedSecret"]
    assert len(first) == 32
    assert first != made["SharedSecret"]
    # FIPS 203's J(z || c): the same for the same key and ciphertext, here and offline.
    assert decapsulate(client, key_id, bytes(altered))["SharedSecret"] == first
    assert private.decapsulate(bytes(altered)) == first


def test_decapsulate_ciphertext_of_other_key_same_spec_returns_unrelated_secret(client):
    key_id, other = ml_kem_key(client), ml_kem_key(client)
    made = encapsulate(client, other)
    found = decapsulate(client, key_id, made["SharedSecretCiphertextBlob"])["SharedSecret"]
    assert len(found) == 32
    assert found != made["SharedSecret"]


@pytest.mark.parametrize("length", [1, 767, 1087, 1089, 1568, 6144])
def test_decapsulate_wrong_length_raises_invalid_ciphertext(client, length):
    key_id = ml_kem_key(client)
    assert refused(lambda: decapsulate(client, key_id, bytes(length))) == (
        "InvalidCiphertextException",
        "",
    )


def test_decapsulate_ciphertext_of_other_spec_raises_invalid_ciphertext(client):
    key_id, other = ml_kem_key(client, "ML_KEM_768"), ml_kem_key(client, "ML_KEM_1024")
    blob = encapsulate(client, other)["SharedSecretCiphertextBlob"]
    assert refused(lambda: decapsulate(client, key_id, blob)) == ("InvalidCiphertextException", "")


# Validation, key usage, DryRun -------------------------------------------------------


def test_decapsulate_empty_ciphertext_raises_length_validation(unchecked_client):
    key_id = ml_kem_key(unchecked_client)
    assert refused(lambda: decapsulate(unchecked_client, key_id, b"")) == (
        "ValidationException",
        "1 validation error detected: Value at 'sharedSecretCiphertextBlob' failed to "
        "satisfy constraint: Member must have length greater than or equal to 1",
    )


def test_decapsulate_ciphertext_over_6144_bytes_raises_length_validation(unchecked_client):
    key_id = ml_kem_key(unchecked_client)
    assert refused(lambda: decapsulate(unchecked_client, key_id, bytes(6145))) == (
        "ValidationException",
        "1 validation error detected: Value at 'sharedSecretCiphertextBlob' failed to "
        "satisfy constraint: Member must have length less than or equal to 6144",
    )


@pytest.mark.parametrize("operation", ["encapsulate", "decapsulate"])
def test_encapsulation_unknown_algorithm_raises_enum_validation(unchecked_client, operation):
    key_id = ml_kem_key(unchecked_client)
    extra = {"SharedSecretCiphertextBlob": bytes(1088)} if operation == "decapsulate" else {}
    call = getattr(unchecked_client, operation)
    assert refused(lambda: call(KeyId=key_id, EncapsulationAlgorithm="ML_KEM_768", **extra)) == (
        "ValidationException",
        "1 validation error detected: Value 'ML_KEM_768' at 'encapsulationAlgorithm' failed "
        "to satisfy constraint: Member must satisfy enum value set: [ML_KEM]",
    )


@pytest.mark.parametrize(
    ("create", "usage"),
    [
        ({}, "ENCRYPT_DECRYPT"),
        ({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}, "ENCRYPT_DECRYPT"),
        ({"KeySpec": "ECC_NIST_P256", "KeyUsage": "KEY_AGREEMENT"}, "KEY_AGREEMENT"),
        ({"KeySpec": "ML_DSA_44", "KeyUsage": "SIGN_VERIFY"}, "SIGN_VERIFY"),
        ({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}, "GENERATE_VERIFY_MAC"),
    ],
)
@pytest.mark.parametrize("operation", ["Encapsulate", "Decapsulate"])
def test_encapsulation_non_ml_kem_key_raises_invalid_key_usage(client, create, usage, operation):
    key_id = client.create_key(**create)["KeyMetadata"]["KeyId"]
    call = (
        (lambda: encapsulate(client, key_id))
        if operation == "Encapsulate"
        else (lambda: decapsulate(client, key_id, bytes(1088)))
    )
    assert refused(call) == (
        "InvalidKeyUsageException",
        f"{key_arn(key_id)} key usage is {usage} which is not valid for {operation}.",
    )


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("Encrypt", lambda c, k: c.encrypt(KeyId=k, Plaintext=b"p")),
        (
            "Sign",
            lambda c, k: c.sign(KeyId=k, Message=b"m", SigningAlgorithm="ML_DSA_SHAKE_256"),
        ),
        (
            "GenerateMac",
            lambda c, k: c.generate_mac(KeyId=k, Message=b"m", MacAlgorithm="HMAC_SHA_256"),
        ),
        (
            "DeriveSharedSecret",
            lambda c, k: c.derive_shared_secret(
                KeyId=k, KeyAgreementAlgorithm="ECDH", PublicKey=bytes(91)
            ),
        ),
        ("GenerateDataKey", lambda c, k: c.generate_data_key(KeyId=k, KeySpec="AES_256")),
        (
            "GenerateDataKeyPair",
            lambda c, k: c.generate_data_key_pair(KeyId=k, KeyPairSpec="ML_KEM_768"),
        ),
    ],
)
def test_other_operation_with_ml_kem_key_raises_invalid_key_usage(client, operation, call):
    key_id = ml_kem_key(client)
    assert refused(lambda: call(client, key_id)) == (
        "InvalidKeyUsageException",
        f"{key_arn(key_id)} key usage is ENCAPSULATE_DECAPSULATE which is not valid for "
        f"{operation}.",
    )


@pytest.mark.parametrize("operation", ["Decrypt", "ReEncrypt"])
def test_decrypt_symmetric_ciphertext_naming_ml_kem_key_raises_incorrect_key(client, operation):
    # The ciphertext names its own key, and that check runs before the named key's usage
    # is looked at: IncorrectKeyException, as for an HMAC or signing KeyId.
    symmetric = client.create_key()["KeyMetadata"]["KeyId"]
    blob = client.encrypt(KeyId=symmetric, Plaintext=b"p")["CiphertextBlob"]
    kem = ml_kem_key(client)
    call = (
        (lambda: client.decrypt(CiphertextBlob=blob, KeyId=kem))
        if operation == "Decrypt"
        else (
            lambda: client.re_encrypt(
                CiphertextBlob=blob, SourceKeyId=kem, DestinationKeyId=symmetric
            )
        )
    )
    assert refused(call) == (
        "IncorrectKeyException",
        "The key ID in the request does not identify a CMK that can perform this operation.",
    )


def test_decrypt_other_ciphertext_naming_ml_kem_key_raises_invalid_key_usage(client):
    # Bytes that are no symmetric ciphertext name no key: the named key's usage decides.
    kem = ml_kem_key(client)
    assert refused(lambda: client.decrypt(CiphertextBlob=bytes(64), KeyId=kem)) == (
        "InvalidKeyUsageException",
        f"{key_arn(kem)} key usage is ENCAPSULATE_DECAPSULATE which is not valid for Decrypt.",
    )


def test_enable_key_rotation_ml_kem_key_raises_unsupported_operation(client):
    key_id = ml_kem_key(client)
    assert refused(lambda: client.enable_key_rotation(KeyId=key_id)) == (
        "UnsupportedOperationException",
        f"{key_arn(key_id)} key spec ML_KEM_768 is not valid for this operation.",
    )


def test_encapsulate_dry_run_raises_dry_run_and_makes_no_material(kms_mock, client):
    key_id = ml_kem_key(client)
    assert refused(lambda: encapsulate(client, key_id, DryRun=True)) == DRY_RUN
    assert kms_mock.backend.account_region(ACCOUNT, REGION).keys[key_id].secret is None
    assert "Operation" not in client.get_key_last_usage(KeyId=key_id).get("KeyLastUsage", {})


def test_decapsulate_dry_run_checks_length_first(kms_mock, client):
    key_id = ml_kem_key(client)
    assert refused(lambda: decapsulate(client, key_id, bytes(10), DryRun=True)) == (
        "InvalidCiphertextException",
        "",
    )
    assert refused(lambda: decapsulate(client, key_id, bytes(1088), DryRun=True)) == DRY_RUN
    assert kms_mock.backend.account_region(ACCOUNT, REGION).keys[key_id].secret is None


def test_encapsulate_by_alias_and_alias_arn_uses_target_key(client):
    key_id = ml_kem_key(client)
    client.create_alias(AliasName="alias/kem", TargetKeyId=key_id)
    for identifier in ("alias/kem", f"{ARN_PREFIX}:alias/kem"):
        made = encapsulate(client, identifier)
        assert made["KeyId"] == key_arn(key_id)
        blob = made["SharedSecretCiphertextBlob"]
        assert decapsulate(client, identifier, blob)["SharedSecret"] == made["SharedSecret"]


@pytest.mark.parametrize("operation", ["Encapsulate", "Decapsulate"])
def test_get_key_last_usage_after_encapsulation_names_operation(client, operation):
    key_id = ml_kem_key(client)
    blob = encapsulate(client, key_id)["SharedSecretCiphertextBlob"]
    if operation == "Decapsulate":
        blob = bytes(len(blob))  # implicit rejection counts as a use too
        decapsulate(client, key_id, blob)
    usage = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    assert usage["Operation"] == operation
    assert usage["KmsRequestId"]


# GetPublicKey, metadata, China -------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS)
def test_get_public_key_ml_kem_key_returns_spki_and_encapsulation_algorithms(client, spec):
    key_id = ml_kem_key(client, spec)
    response = client.get_public_key(KeyId=key_id)
    assert_valid_output("GetPublicKey", response)
    found = body(response)
    assert found == {
        "KeyId": key_arn(key_id),
        "PublicKey": found["PublicKey"],
        "KeySpec": spec,
        "KeyUsage": USAGE,
        "EncapsulationAlgorithms": ["ML_KEM"],
    }
    assert len(found["PublicKey"]) == SIZES[spec][1]
    if spec in PUBLIC_CLASSES:
        public = serialization.load_der_public_key(found["PublicKey"])
        assert isinstance(public, PUBLIC_CLASSES[spec])
        assert len(public.public_bytes_raw()) == SIZES[spec][2]


def test_create_key_ml_kem_in_china_raises_enum_validation_without_ml_kem(client):
    china = boto3.client("kms", region_name=CHINA)
    listed = ", ".join(v for v in model_enum("KeySpec") if not v.startswith("ML_KEM"))
    assert refused(lambda: ml_kem_key(china, "ML_KEM_768")) == (
        "ValidationException",
        "1 validation error detected: Value 'ML_KEM_768' at 'keySpec' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{listed}]",
    )


# Data key pairs ----------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["ML_KEM_768", "ML_KEM_1024"])
def test_generate_data_key_pair_ml_kem_returns_seed_form_pkcs8_and_spki(client, key_id, spec):
    response = client.generate_data_key_pair(KeyId=key_id, KeyPairSpec=spec)
    assert_valid_output("GenerateDataKeyPair", response)
    assert response["KeyPairSpec"] == spec
    plain = response["PrivateKeyPlaintext"]
    assert len(plain) == 86
    private = serialization.load_der_private_key(plain, password=None)
    assert isinstance(private, PRIVATE_CLASSES[spec])
    assert (
        private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        == (response["PublicKey"])
    )
    opened = client.decrypt(CiphertextBlob=response["PrivateKeyCiphertextBlob"])
    assert opened["Plaintext"] == plain
    secret, ciphertext = private.public_key().encapsulate()
    assert private.decapsulate(ciphertext) == secret


def test_generate_data_key_pair_ml_kem_512_matches_kyber_key(client, key_id):
    response = client.generate_data_key_pair_without_plaintext(
        KeyId=key_id, KeyPairSpec="ML_KEM_512"
    )
    assert "PrivateKeyPlaintext" not in response
    plain = client.decrypt(CiphertextBlob=response["PrivateKeyCiphertextBlob"])["Plaintext"]
    assert len(plain) == 86
    assert plain.startswith(PKCS8_512_HEADER)
    encapsulation_key, _ = ML_KEM_512.key_derive(plain[len(PKCS8_512_HEADER) :])
    assert response["PublicKey"] == SPKI_512_HEADER + encapsulation_key


def test_generate_data_key_pair_ml_kem_in_china_raises_enum_validation(client):
    china = boto3.client("kms", region_name=CHINA)
    wrapping = china.create_key()["KeyMetadata"]["KeyId"]
    listed = ", ".join(v for v in model_enum("DataKeyPairSpec") if not v.startswith("ML_KEM"))
    assert refused(
        lambda: china.generate_data_key_pair(KeyId=wrapping, KeyPairSpec="ML_KEM_1024")
    ) == (
        "ValidationException",
        "1 validation error detected: Value 'ML_KEM_1024' at 'keyPairSpec' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{listed}]",
    )


# The optional extra --------------------------------------------------------------------


def test_ml_kem_512_without_kyber_py_raises_extra_not_installed(client, monkeypatch):
    key_id = ml_kem_key(client, "ML_KEM_512")
    monkeypatch.setitem(sys.modules, "kyber_py.ml_kem", None)
    with pytest.raises(ExtraNotInstalledError) as info:
        client.get_public_key(KeyId=key_id)
    # The feature is built; only the extra is missing.
    assert isinstance(info.value, KmsMockError)
    assert not isinstance(info.value, FeatureNotImplementedError)
    assert info.value.extra == "kmsmock[ml-kem]"
    assert str(info.value) == (
        "KeySpec ML_KEM_512 in KMS operation 'GetPublicKey' needs the optional extra "
        "kmsmock[ml-kem] (the kyber-py package), which is not installed: "
        "pip install 'kmsmock[ml-kem]'"
    )
    monkeypatch.undo()
    assert len(client.get_public_key(KeyId=key_id)["PublicKey"]) == 822


def test_generate_data_key_pair_ml_kem_512_without_kyber_py_raises_extra_not_installed(
    client, key_id, monkeypatch
):
    monkeypatch.setitem(sys.modules, "kyber_py.ml_kem", None)
    with pytest.raises(ExtraNotInstalledError) as info:
        client.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ML_KEM_512")
    assert (info.value.operation, info.value.package) == ("GenerateDataKeyPair", "kyber-py")


def test_seed_key_ml_kem_512_without_kyber_py_raises_extra_not_installed(kms_mock, monkeypatch):
    monkeypatch.setitem(sys.modules, "kyber_py.ml_kem", None)
    with pytest.raises(ExtraNotInstalledError) as info:
        kms_mock.seed_key(
            "7d1c3e5a-0b2f-4c6d-8e9f-a1b2c3d4e5fa",
            PKCS8_512_HEADER + bytes(64),
            key_spec="ML_KEM_512",
            key_usage=USAGE,
        )
    assert str(info.value) == (
        "KeySpec ML_KEM_512 in seed_key() needs the optional extra kmsmock[ml-kem] "
        "(the kyber-py package), which is not installed: pip install 'kmsmock[ml-kem]'"
    )
    assert kms_mock.backend.account_region(ACCOUNT, REGION).keys == {}


def test_ml_kem_768_needs_no_extra(client, monkeypatch):
    monkeypatch.setitem(sys.modules, "kyber_py.ml_kem", None)
    key_id = ml_kem_key(client, "ML_KEM_768")
    made = encapsulate(client, key_id)
    blob = made["SharedSecretCiphertextBlob"]
    assert decapsulate(client, key_id, blob)["SharedSecret"] == made["SharedSecret"]


# Imported material -------------------------------------------------------------------


def test_import_key_material_ml_kem_seed_form_then_encapsulate_decapsulates_offline(client):
    private = mlkem.MLKEM1024PrivateKey.generate()
    material = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_id = ml_kem_key(client, "ML_KEM_1024", Origin="EXTERNAL")
    found = client.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    wrapping = serialization.load_der_public_key(found["PublicKey"])
    assert isinstance(wrapping, rsa.RSAPublicKey)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    client.import_key_material(
        KeyId=key_id,
        ImportToken=found["ImportToken"],
        EncryptedKeyMaterial=wrapping.encrypt(material, oaep),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    made = encapsulate(client, key_id)
    assert private.decapsulate(made["SharedSecretCiphertextBlob"]) == made["SharedSecret"]


# Multi-Region keys ---------------------------------------------------------------------


def test_decapsulate_in_replica_region_returns_secret_encapsulated_by_primary(client):
    key_id = ml_kem_key(client, MultiRegion=True)
    made = encapsulate(client, key_id)
    replica = client.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")["ReplicaKeyMetadata"]
    assert (replica["KeySpec"], replica["EncapsulationAlgorithms"]) == ("ML_KEM_768", ["ML_KEM"])
    elsewhere = boto3.client("kms", region_name="eu-west-1")
    blob = made["SharedSecretCiphertextBlob"]
    assert decapsulate(elsewhere, key_id, blob)["SharedSecret"] == made["SharedSecret"]
    assert (
        elsewhere.get_public_key(KeyId=key_id)["PublicKey"]
        == (client.get_public_key(KeyId=key_id)["PublicKey"])
    )
