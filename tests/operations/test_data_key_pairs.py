"""Data key pairs: GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext
(docs/kms-behaviour.md#data-keys)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from tests._support import (
    ARN_PREFIX,
    DRY_RUN,
    assert_valid_output,
    body,
    key_arn,
    ml_kem_specs_in_model,
    new_key,
    refused,
)

CONTEXT = {"purpose": "data key pair", "tenant": "acme"}
CURVES = {
    "ECC_NIST_P256": ec.SECP256R1,
    "ECC_NIST_P384": ec.SECP384R1,
    "ECC_NIST_P521": ec.SECP521R1,
    "ECC_SECG_P256K1": ec.SECP256K1,
}
# Every DataKeyPairSpec but SM2 (China only, docs/kms-behaviour.md#china-regions).
PAIR_SPECS = ["RSA_2048", "RSA_3072", "RSA_4096", *CURVES, "ECC_NIST_EDWARDS25519"]
OPERATIONS = ["GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"]
# botocore 1.44 appended the ML-KEM specs to DataKeyPairSpec; older models end before them.
ML_KEM_TAIL = "".join(f", {spec}" for spec in ml_kem_specs_in_model())


def generate(client: Any, operation: str, **params: Any) -> Any:
    if operation == "GenerateDataKeyPair":
        return client.generate_data_key_pair(**params)
    return client.generate_data_key_pair_without_plaintext(**params)


def current_material(client: Any, key_id: str) -> str:
    material: str = client.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    return material


def assert_pair_of_spec(private: Any, spec: str) -> None:
    if spec.startswith("RSA_"):
        assert isinstance(private, rsa.RSAPrivateKey)
        assert private.key_size == int(spec[4:])
    elif spec in CURVES:
        assert isinstance(private, ec.EllipticCurvePrivateKey)
        assert isinstance(private.curve, CURVES[spec])
    else:
        assert spec == "ECC_NIST_EDWARDS25519"
        assert isinstance(private, ed25519.Ed25519PrivateKey)


def spki(private: Any) -> bytes:
    der: bytes = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


def pkcs8(private: Any) -> bytes:
    der: bytes = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return der


def assert_private_key_works(private: Any, public_der: bytes) -> None:
    """The private key signs what the public key in the response verifies."""
    public = serialization.load_der_public_key(public_der)
    message = b"made with the data key pair"
    if isinstance(private, rsa.RSAPrivateKey):
        assert isinstance(public, rsa.RSAPublicKey)
        signature = private.sign(message, padding.PKCS1v15(), hashes.SHA256())
        public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    elif isinstance(private, ec.EllipticCurvePrivateKey):
        assert isinstance(public, ec.EllipticCurvePublicKey)
        signature = private.sign(message, ec.ECDSA(hashes.SHA256()))
        public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    else:
        assert isinstance(private, ed25519.Ed25519PrivateKey)
        assert isinstance(public, ed25519.Ed25519PublicKey)
        public.verify(private.sign(message), message)


@pytest.mark.parametrize("spec", PAIR_SPECS)
def test_generate_data_key_pair_private_key_is_pkcs8_of_public_key(client, spec):
    key_id = new_key(client)
    response = client.generate_data_key_pair(
        KeyId=key_id, KeyPairSpec=spec, EncryptionContext=CONTEXT
    )
    assert_valid_output("GenerateDataKeyPair", response)
    private_der = response["PrivateKeyPlaintext"]
    public_der = response["PublicKey"]
    material = current_material(client, key_id)
    assert body(response) == {
        "PrivateKeyCiphertextBlob": response["PrivateKeyCiphertextBlob"],
        "PrivateKeyPlaintext": private_der,
        "PublicKey": public_der,
        "KeyId": key_arn(key_id),
        "KeyPairSpec": spec,
        "KeyMaterialId": material,
    }
    private = serialization.load_der_private_key(private_der, password=None)
    assert_pair_of_spec(private, spec)
    # DER PKCS #8 and DER SubjectPublicKeyInfo, canonical, of one key pair.
    assert pkcs8(private) == private_der
    assert spki(private) == public_der
    assert_private_key_works(private, public_der)
    plain = client.decrypt(
        CiphertextBlob=response["PrivateKeyCiphertextBlob"], EncryptionContext=CONTEXT
    )
    assert_valid_output("Decrypt", plain)
    assert body(plain) == {
        "KeyId": key_arn(key_id),
        "Plaintext": private_der,
        "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "KeyMaterialId": material,
    }


@pytest.mark.parametrize("spec", PAIR_SPECS)
def test_generate_data_key_pair_without_plaintext_ciphertext_holds_private_key(client, spec):
    key_id = new_key(client)
    response = client.generate_data_key_pair_without_plaintext(
        KeyId=key_id, KeyPairSpec=spec, EncryptionContext=CONTEXT
    )
    assert_valid_output("GenerateDataKeyPairWithoutPlaintext", response)
    public_der = response["PublicKey"]
    assert body(response) == {
        "PrivateKeyCiphertextBlob": response["PrivateKeyCiphertextBlob"],
        "PublicKey": public_der,
        "KeyId": key_arn(key_id),
        "KeyPairSpec": spec,
        "KeyMaterialId": current_material(client, key_id),
    }
    private_der = client.decrypt(
        CiphertextBlob=response["PrivateKeyCiphertextBlob"], EncryptionContext=CONTEXT
    )["Plaintext"]
    private = serialization.load_der_private_key(private_der, password=None)
    assert_pair_of_spec(private, spec)
    assert pkcs8(private) == private_der
    assert spki(private) == public_der
    public = serialization.load_der_public_key(public_der)
    assert spki(private) == public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("spec", ["ECC_NIST_P256", "ECC_NIST_EDWARDS25519", "RSA_2048"])
def test_generate_data_key_pair_two_calls_give_different_pairs(client, operation, spec):
    key_id = new_key(client)
    first = generate(client, operation, KeyId=key_id, KeyPairSpec=spec)
    second = generate(client, operation, KeyId=key_id, KeyPairSpec=spec)
    assert first["PublicKey"] != second["PublicKey"]
    assert first["PrivateKeyCiphertextBlob"] != second["PrivateKeyCiphertextBlob"]
    first_private = client.decrypt(CiphertextBlob=first["PrivateKeyCiphertextBlob"])["Plaintext"]
    second_private = client.decrypt(CiphertextBlob=second["PrivateKeyCiphertextBlob"])["Plaintext"]
    assert first_private != second_private


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    "context",
    [
        None,
        {},
        {"purpose": "data key pair"},
        {**CONTEXT, "extra": "x"},
        {**CONTEXT, "tenant": "ACME"},
    ],
    ids=["missing", "empty", "fewer-pairs", "more-pairs", "other-value"],
)
def test_decrypt_private_key_ciphertext_wrong_context_raises_invalid_ciphertext(
    client, operation, context
):
    key_id = new_key(client)
    blob = generate(
        client, operation, KeyId=key_id, KeyPairSpec="ECC_NIST_P256", EncryptionContext=CONTEXT
    )["PrivateKeyCiphertextBlob"]
    extra = {} if context is None else {"EncryptionContext": context}
    assert refused(lambda: client.decrypt(CiphertextBlob=blob, **extra)) == (
        "InvalidCiphertextException",
        "",
    )


@pytest.mark.parametrize("operation", OPERATIONS)
def test_generate_data_key_pair_without_context_decrypts_without_context(client, operation):
    key_id = new_key(client)
    response = generate(client, operation, KeyId=key_id, KeyPairSpec="ECC_NIST_P384")
    private_der = client.decrypt(CiphertextBlob=response["PrivateKeyCiphertextBlob"])["Plaintext"]
    private = serialization.load_der_private_key(private_der, password=None)
    assert spki(private) == response["PublicKey"]
    assert refused(
        lambda: client.decrypt(
            CiphertextBlob=response["PrivateKeyCiphertextBlob"], EncryptionContext={"a": "b"}
        )
    ) == ("InvalidCiphertextException", "")


@pytest.mark.parametrize("operation", OPERATIONS)
def test_generate_data_key_pair_after_rotation_uses_new_material(client, operation):
    key_id = new_key(client)
    before = current_material(client, key_id)
    client.rotate_key_on_demand(KeyId=key_id)
    after = current_material(client, key_id)
    assert after != before
    response = generate(client, operation, KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    assert response["KeyMaterialId"] == after
    plain = client.decrypt(CiphertextBlob=response["PrivateKeyCiphertextBlob"])
    assert plain["KeyMaterialId"] == after


@pytest.mark.parametrize("operation", OPERATIONS)
def test_generate_data_key_pair_sm2_outside_china_raises_enum_validation(client, operation):
    key_id = new_key(client)
    assert refused(lambda: generate(client, operation, KeyId=key_id, KeyPairSpec="SM2")) == (
        "ValidationException",
        "1 validation error detected: Value 'SM2' at 'keyPairSpec' failed to satisfy "
        "constraint: Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, "
        "ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, ECC_NIST_EDWARDS25519"
        f"{ML_KEM_TAIL}]",
    )


@pytest.mark.parametrize("operation", OPERATIONS)
def test_generate_data_key_pair_unknown_key_pair_spec_raises_enum_validation(
    unchecked_client, operation
):
    key_id = new_key(unchecked_client)
    assert refused(
        lambda: generate(unchecked_client, operation, KeyId=key_id, KeyPairSpec="ML_DSA_44")
    ) == (
        "ValidationException",
        "1 validation error detected: Value 'ML_DSA_44' at 'keyPairSpec' failed to satisfy "
        "constraint: Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, "
        "ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SM2, "
        f"ECC_NIST_EDWARDS25519{ML_KEM_TAIL}]",
    )


# The wrapping key must be a symmetric encryption key ---------------------------------


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("spec", ["RSA_2048", "RSA_4096"])
def test_generate_data_key_pair_rsa_encryption_key_raises_invalid_key_usage(
    client, operation, spec
):
    key_id = new_key(client, spec, "ENCRYPT_DECRYPT")
    assert refused(
        lambda: generate(client, operation, KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    ) == (
        "InvalidKeyUsageException",
        f"Algorithm SYMMETRIC_DEFAULT is incompatible with key spec {spec}.",
    )


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("HMAC_256", "GENERATE_VERIFY_MAC"),
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("ECC_NIST_P384", "KEY_AGREEMENT"),
        ("RSA_2048", "SIGN_VERIFY"),
    ],
)
def test_generate_data_key_pair_non_encryption_key_raises_invalid_key_usage(
    client, operation, spec, usage
):
    key_id = new_key(client, spec, usage)
    assert refused(
        lambda: generate(client, operation, KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    ) == (
        "InvalidKeyUsageException",
        f"{key_arn(key_id)} key usage is {usage} which is not valid for {operation}.",
    )


# DryRun, identifiers, key state, last usage ------------------------------------------


@pytest.mark.parametrize("operation", OPERATIONS)
def test_generate_data_key_pair_dry_run_raises_dry_run(client, operation):
    key_id = new_key(client)
    assert (
        refused(
            lambda: generate(client, operation, KeyId=key_id, KeyPairSpec="RSA_2048", DryRun=True)
        )
        == DRY_RUN
    )
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"] == {}


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("form", ["id", "arn", "alias", "alias-arn"])
def test_generate_data_key_pair_every_key_id_form_answers_key_arn(client, operation, form):
    key_id = new_key(client)
    client.create_alias(AliasName="alias/pairs", TargetKeyId=key_id)
    identifier = {
        "id": key_id,
        "arn": key_arn(key_id),
        "alias": "alias/pairs",
        "alias-arn": f"{ARN_PREFIX}:alias/pairs",
    }[form]
    response = generate(client, operation, KeyId=identifier, KeyPairSpec="ECC_NIST_P256")
    assert response["KeyId"] == key_arn(key_id)
    assert client.decrypt(CiphertextBlob=response["PrivateKeyCiphertextBlob"])["KeyId"] == (
        key_arn(key_id)
    )


@pytest.mark.parametrize("operation", OPERATIONS)
def test_generate_data_key_pair_disabled_key_raises_disabled(client, operation):
    key_id = new_key(client)
    client.disable_key(KeyId=key_id)
    assert refused(
        lambda: generate(client, operation, KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    ) == ("DisabledException", f"{key_arn(key_id)} is disabled.")


@pytest.mark.parametrize("operation", OPERATIONS)
def test_generate_data_key_pair_get_key_last_usage_shows_operation(client, operation):
    key_id = new_key(client)
    response = generate(client, operation, KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    usage = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    assert (usage["Operation"], usage["KmsRequestId"]) == (
        operation,
        response["ResponseMetadata"]["RequestId"],
    )
