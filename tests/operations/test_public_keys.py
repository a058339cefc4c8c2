"""GetPublicKey for every asymmetric key spec and usage (docs/kms-behaviour.md#key-specs,
docs/kms-behaviour.md#get-public-key)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, padding, rsa

from tests._support import ARN_PREFIX, assert_valid_output, body, key_arn, new_key, refused

RSA_ENCRYPTION = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
RSA_SIGNING = [
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
]
# (key spec, key usage) -> the one algorithm field and its list, in the order of
# docs/kms-behaviour.md#key-specs.
ALGORITHMS: dict[tuple[str, str], tuple[str, list[str]]] = {
    **{
        (f"RSA_{bits}", "ENCRYPT_DECRYPT"): ("EncryptionAlgorithms", RSA_ENCRYPTION)
        for bits in (2048, 3072, 4096)
    },
    **{
        (f"RSA_{bits}", "SIGN_VERIFY"): ("SigningAlgorithms", RSA_SIGNING)
        for bits in (2048, 3072, 4096)
    },
    ("ECC_NIST_P256", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_256"]),
    ("ECC_NIST_P384", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_384"]),
    ("ECC_NIST_P521", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_512"]),
    ("ECC_SECG_P256K1", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_256"]),
    ("ECC_NIST_P256", "KEY_AGREEMENT"): ("KeyAgreementAlgorithms", ["ECDH"]),
    ("ECC_NIST_P384", "KEY_AGREEMENT"): ("KeyAgreementAlgorithms", ["ECDH"]),
    ("ECC_NIST_P521", "KEY_AGREEMENT"): ("KeyAgreementAlgorithms", ["ECDH"]),
    ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"): (
        "SigningAlgorithms",
        ["ED25519_SHA_512", "ED25519_PH_SHA_512"],
    ),
    ("ML_DSA_44", "SIGN_VERIFY"): ("SigningAlgorithms", ["ML_DSA_SHAKE_256"]),
    ("ML_DSA_65", "SIGN_VERIFY"): ("SigningAlgorithms", ["ML_DSA_SHAKE_256"]),
    ("ML_DSA_87", "SIGN_VERIFY"): ("SigningAlgorithms", ["ML_DSA_SHAKE_256"]),
}
CURVES = {
    "ECC_NIST_P256": ec.SECP256R1,
    "ECC_NIST_P384": ec.SECP384R1,
    "ECC_NIST_P521": ec.SECP521R1,
    "ECC_SECG_P256K1": ec.SECP256K1,
}
ML_DSA_TYPES: dict[str, type[Any]] = {
    "ML_DSA_44": mldsa.MLDSA44PublicKey,
    "ML_DSA_65": mldsa.MLDSA65PublicKey,
    "ML_DSA_87": mldsa.MLDSA87PublicKey,
}
# FIPS 204 public key sizes (raw bytes).
ML_DSA_PUBLIC_BYTES = {"ML_DSA_44": 1312, "ML_DSA_65": 1952, "ML_DSA_87": 2592}
# Specs that are missing from the deprecated CustomerMasterKeySpec enum
# (docs/kms-behaviour.md#key-specs).
NO_CUSTOMER_MASTER_KEY_SPEC = {"ECC_NIST_EDWARDS25519", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87"}


def assert_public_key_of_spec(public: Any, spec: str) -> None:
    """``public`` (loaded by ``cryptography``) is the kind of key ``spec`` names."""
    if spec.startswith("RSA_"):
        assert isinstance(public, rsa.RSAPublicKey)
        assert public.key_size == int(spec[4:])
        assert public.public_numbers().e == 65537
    elif spec in CURVES:
        assert isinstance(public, ec.EllipticCurvePublicKey)
        assert isinstance(public.curve, CURVES[spec])
    elif spec == "ECC_NIST_EDWARDS25519":
        assert isinstance(public, ed25519.Ed25519PublicKey)
        assert len(public.public_bytes_raw()) == 32
    else:
        assert isinstance(public, ML_DSA_TYPES[spec])
        assert len(public.public_bytes_raw()) == ML_DSA_PUBLIC_BYTES[spec]


@pytest.mark.parametrize(("spec", "usage"), sorted(ALGORITHMS))
def test_get_public_key_every_asymmetric_spec_answers_der_spki_and_metadata(client, spec, usage):
    key_id = new_key(client, spec, usage)
    response = client.get_public_key(KeyId=key_id)
    assert_valid_output("GetPublicKey", response)
    der = response["PublicKey"]
    field, algorithms = ALGORITHMS[spec, usage]
    expected = {
        "KeyId": key_arn(key_id),
        "PublicKey": der,
        "KeySpec": spec,
        "KeyUsage": usage,
        field: algorithms,
    }
    if spec not in NO_CUSTOMER_MASTER_KEY_SPEC:
        expected["CustomerMasterKeySpec"] = spec
    assert body(response) == expected
    public = serialization.load_der_public_key(der)
    assert_public_key_of_spec(public, spec)
    # Canonical DER SubjectPublicKeyInfo (uncompressed EC points): it re-encodes unchanged.
    assert (
        public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        == der
    )
    # The same algorithm list as DescribeKey reports.
    assert client.describe_key(KeyId=key_id)["KeyMetadata"][field] == algorithms


@pytest.mark.parametrize(
    ("spec", "oid"),
    [
        # rsaEncryption with NULL parameters, RFC 3279.
        ("RSA_2048", "06092a864886f70d0101010500"),
        # id-ecPublicKey and the named curve, RFC 5480.
        ("ECC_NIST_P256", "06072a8648ce3d020106082a8648ce3d030107"),
        ("ECC_NIST_P384", "06072a8648ce3d020106052b81040022"),
        ("ECC_NIST_P521", "06072a8648ce3d020106052b81040023"),
        ("ECC_SECG_P256K1", "06072a8648ce3d020106052b8104000a"),
        # RFC 8410 and FIPS 204.
        ("ECC_NIST_EDWARDS25519", "06032b6570"),
        ("ML_DSA_44", "0609608648016503040311"),
        ("ML_DSA_65", "0609608648016503040312"),
        ("ML_DSA_87", "0609608648016503040313"),
    ],
)
def test_get_public_key_algorithm_identifier_names_the_spec(client, spec, oid):
    der = client.get_public_key(KeyId=new_key(client, spec, "SIGN_VERIFY"))["PublicKey"]
    assert bytes.fromhex(oid) in der[:30]


@pytest.mark.parametrize("spec", ["ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521"])
def test_get_public_key_ec_point_is_uncompressed(client, spec):
    der = client.get_public_key(KeyId=new_key(client, spec, "KEY_AGREEMENT"))["PublicKey"]
    public = serialization.load_der_public_key(der)
    point = public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert point[0] == 0x04
    assert der.endswith(point)


@pytest.mark.parametrize(
    "spec", ["SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512"]
)
def test_get_public_key_symmetric_or_hmac_key_raises_unsupported_operation(client, spec):
    if spec == "SYMMETRIC_DEFAULT":
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
    else:
        key_id = new_key(client, spec, "GENERATE_VERIFY_MAC")
    # Unverified against AWS: the text, which is kmsmock's (docs/kms-behaviour.md#get-public-key).
    assert refused(lambda: client.get_public_key(KeyId=key_id)) == (
        "UnsupportedOperationException",
        f"{key_arn(key_id)} key spec {spec} is not valid for this operation.",
    )


@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("RSA_2048", "SIGN_VERIFY"),
        ("ECC_NIST_P384", "KEY_AGREEMENT"),
        ("ECC_SECG_P256K1", "SIGN_VERIFY"),
        ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"),
        ("ML_DSA_65", "SIGN_VERIFY"),
    ],
)
def test_get_public_key_repeated_calls_answer_same_key(client, spec, usage):
    key_id = new_key(client, spec, usage)
    first = client.get_public_key(KeyId=key_id)["PublicKey"]
    assert client.get_public_key(KeyId=key_id)["PublicKey"] == first
    assert client.get_public_key(KeyId=key_arn(key_id))["PublicKey"] == first


@pytest.mark.parametrize(
    ("spec", "usage"),
    [("ECC_NIST_P256", "SIGN_VERIFY"), ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY")],
)
def test_get_public_key_two_keys_of_one_spec_differ(client, spec, usage):
    first = client.get_public_key(KeyId=new_key(client, spec, usage))["PublicKey"]
    second = client.get_public_key(KeyId=new_key(client, spec, usage))["PublicKey"]
    assert first != second


def test_get_public_key_before_sign_is_key_that_verifies_signature(client):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    public = serialization.load_der_public_key(client.get_public_key(KeyId=key_id)["PublicKey"])
    signature = client.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")[
        "Signature"
    ]
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, b"m", ec.ECDSA(hashes.SHA256()))


def test_get_public_key_after_sign_is_key_that_verifies_signature(client):
    key_id = new_key(client, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY")
    signature = client.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ED25519_SHA_512")[
        "Signature"
    ]
    public = serialization.load_der_public_key(client.get_public_key(KeyId=key_id)["PublicKey"])
    assert isinstance(public, ed25519.Ed25519PublicKey)
    public.verify(signature, b"m")


def test_get_public_key_encryption_key_encrypts_for_kms_decrypt(client):
    key_id = new_key(client, "RSA_2048", "ENCRYPT_DECRYPT")
    public = serialization.load_der_public_key(client.get_public_key(KeyId=key_id)["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    blob = public.encrypt(b"secret", oaep)
    decrypted = client.decrypt(
        KeyId=key_id, CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    )
    assert decrypted["Plaintext"] == b"secret"


@pytest.mark.parametrize("form", ["id", "arn", "alias", "alias-arn"])
def test_get_public_key_every_key_id_form_answers_key_arn(client, form):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    client.create_alias(AliasName="alias/public", TargetKeyId=key_id)
    identifier = {
        "id": key_id,
        "arn": key_arn(key_id),
        "alias": "alias/public",
        "alias-arn": f"{ARN_PREFIX}:alias/public",
    }[form]
    response = client.get_public_key(KeyId=identifier)
    assert response["KeyId"] == key_arn(key_id)
    assert response["PublicKey"] == client.get_public_key(KeyId=key_id)["PublicKey"]


def test_get_public_key_disabled_key_raises_disabled(client):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    client.disable_key(KeyId=key_id)
    assert refused(lambda: client.get_public_key(KeyId=key_id)) == (
        "DisabledException",
        f"{key_arn(key_id)} is disabled.",
    )


def test_get_public_key_reenabled_key_answers_same_key(client):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    before = client.get_public_key(KeyId=key_id)["PublicKey"]
    client.disable_key(KeyId=key_id)
    client.enable_key(KeyId=key_id)
    assert client.get_public_key(KeyId=key_id)["PublicKey"] == before


def test_get_public_key_unknown_key_raises_not_found(client):
    unknown = "1234abcd-12ab-34cd-56ef-1234567890ab"
    assert refused(lambda: client.get_public_key(KeyId=unknown)) == (
        "NotFoundException",
        f"Key '{key_arn(unknown)}' does not exist",
    )


def test_get_public_key_is_not_recorded_as_use(client):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    client.get_public_key(KeyId=key_id)
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"] == {}
    client.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
    signed = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    client.get_public_key(KeyId=key_id)
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"] == signed
