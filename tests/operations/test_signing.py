"""Signatures: Sign and Verify for every signing key spec and algorithm, checked against
KMS's own Verify and independently with ``cryptography`` and the ``openssl`` CLI
(docs/kms-behaviour.md#key-specs, docs/kms-behaviour.md#signing)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, padding, rsa, utils
from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87

from kmsmock import ExtraNotInstalledError
from kmsmock.crypto import ed25519ph as _ed25519ph
from tests._support import (
    ARN_PREFIX,
    DRY_RUN,
    UNKNOWN_KEY_ID,
    assert_valid_output,
    body,
    error,
    key_arn,
    new_key,
    refused,
)

MESSAGE = b"The quick brown fox jumps over the lazy dog"

# docs/kms-behaviour.md#key-specs, in KMS's order.
RSA_ALGORITHMS = (
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
)
RSA_BYTES = {"RSA_2048": 256, "RSA_3072": 384, "RSA_4096": 512}
ECDSA = {
    "ECC_NIST_P256": ("ECDSA_SHA_256", ec.SECP256R1()),
    "ECC_NIST_P384": ("ECDSA_SHA_384", ec.SECP384R1()),
    "ECC_NIST_P521": ("ECDSA_SHA_512", ec.SECP521R1()),
    "ECC_SECG_P256K1": ("ECDSA_SHA_256", ec.SECP256K1()),
}
ML_DSA = {"ML_DSA_44": ML_DSA_44, "ML_DSA_65": ML_DSA_65, "ML_DSA_87": ML_DSA_87}
ML_DSA_SIGNATURE_BYTES = {"ML_DSA_44": 2420, "ML_DSA_65": 3309, "ML_DSA_87": 4627}
HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA_256": hashes.SHA256,
    "SHA_384": hashes.SHA384,
    "SHA_512": hashes.SHA512,
}

# Every (key spec, algorithm) that signs a RAW message: all six RSA algorithms on
# RSA_2048, one PKCS #1 and one PSS on the larger sizes, and every other spec.
RAW_CASES = [
    *(("RSA_2048", algorithm) for algorithm in RSA_ALGORITHMS),
    ("RSA_3072", "RSASSA_PKCS1_V1_5_SHA_256"),
    ("RSA_3072", "RSASSA_PSS_SHA_384"),
    ("RSA_4096", "RSASSA_PKCS1_V1_5_SHA_512"),
    ("RSA_4096", "RSASSA_PSS_SHA_256"),
    *((spec, algorithm) for spec, (algorithm, _) in ECDSA.items()),
    ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512"),
    *((spec, "ML_DSA_SHAKE_256") for spec in ML_DSA),
]
# Algorithms that take MessageType DIGEST with a SHA-2 digest of the message.
DIGEST_CASES = [
    ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256"),
    ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384"),
    ("RSA_2048", "RSASSA_PSS_SHA_256"),
    ("RSA_2048", "RSASSA_PSS_SHA_512"),
    *((spec, algorithm) for spec, (algorithm, _) in ECDSA.items()),
]
# One of each kind of signature, for the checks that do not depend on the size.
KINDS = [
    ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256"),
    ("RSA_2048", "RSASSA_PSS_SHA_256"),
    ("ECC_NIST_P256", "ECDSA_SHA_256"),
    ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512"),
    ("ML_DSA_44", "ML_DSA_SHAKE_256"),
]


def public_der(client: Any, key_id: str) -> bytes:
    der: bytes = client.get_public_key(KeyId=key_id)["PublicKey"]
    return der


def public_key(client: Any, key_id: str) -> Any:
    return serialization.load_der_public_key(public_der(client, key_id))


def hash_of(algorithm: str) -> hashes.HashAlgorithm:
    return HASHES[algorithm[-7:]]()


def digest(algorithm: str, message: bytes) -> bytes:
    return hashlib.new(hash_of(algorithm).name, message).digest()


def sign(client: Any, key_id: str, algorithm: str, message: bytes, **extra: Any) -> bytes:
    signature: bytes = client.sign(
        KeyId=key_id, Message=message, SigningAlgorithm=algorithm, **extra
    )["Signature"]
    return signature


def verify_in_kms(
    client: Any, key_id: str, algorithm: str, message: bytes, signature: bytes, **extra: Any
) -> dict[str, Any]:
    response = client.verify(
        KeyId=key_id, Message=message, Signature=signature, SigningAlgorithm=algorithm, **extra
    )
    assert_valid_output("Verify", response)
    return body(response)


def valid(key_id: str, algorithm: str) -> dict[str, Any]:
    return {"KeyId": key_arn(key_id), "SignatureValid": True, "SigningAlgorithm": algorithm}


def verify_offline(public: Any, algorithm: str, message: bytes, signature: bytes) -> None:
    """Raise InvalidSignature unless ``signature`` is ``algorithm``'s signature of ``message``,
    checked by ``cryptography`` alone."""
    if algorithm.startswith("RSASSA_PSS_"):
        chosen = hash_of(algorithm)
        assert isinstance(public, rsa.RSAPublicKey)
        # KMS's PSS salt is exactly as long as the digest (docs/kms-behaviour.md#signing).
        pss = padding.PSS(mgf=padding.MGF1(chosen), salt_length=chosen.digest_size)
        public.verify(signature, message, pss, chosen)
    elif algorithm.startswith("RSASSA_PKCS1_V1_5_"):
        assert isinstance(public, rsa.RSAPublicKey)
        public.verify(signature, message, padding.PKCS1v15(), hash_of(algorithm))
    elif algorithm.startswith("ECDSA_"):
        assert isinstance(public, ec.EllipticCurvePublicKey)
        public.verify(signature, message, ec.ECDSA(hash_of(algorithm)))
    elif algorithm == "ED25519_SHA_512":
        assert isinstance(public, ed25519.Ed25519PublicKey)
        public.verify(signature, message)
    else:
        assert algorithm == "ML_DSA_SHAKE_256"
        assert isinstance(
            public, (mldsa.MLDSA44PublicKey, mldsa.MLDSA65PublicKey, mldsa.MLDSA87PublicKey)
        )
        public.verify(signature, message)


def sign_or_verify(client: Any, operation: str, **params: Any) -> Any:
    """Call Sign, or Verify with a placeholder signature, with the same parameters."""
    if operation == "Sign":
        return client.sign(**params)
    return client.verify(Signature=b"\x30\x06\x02\x01\x01\x02\x01\x01", **params)


def flip_last_bit(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


# Sign then Verify, RAW -------------------------------------------------------------


@pytest.mark.parametrize(("spec", "algorithm"), RAW_CASES)
def test_sign_raw_message_verifies_in_kms_and_offline(client, spec, algorithm):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    response = client.sign(KeyId=key_id, Message=MESSAGE, SigningAlgorithm=algorithm)
    assert_valid_output("Sign", response)
    signature = response["Signature"]
    assert body(response) == {
        "KeyId": key_arn(key_id),
        "Signature": signature,
        "SigningAlgorithm": algorithm,
    }
    assert verify_in_kms(client, key_id, algorithm, MESSAGE, signature) == valid(key_id, algorithm)
    public = public_key(client, key_id)
    verify_offline(public, algorithm, MESSAGE, signature)
    with pytest.raises(InvalidSignature):
        verify_offline(public, algorithm, MESSAGE + b".", signature)


def test_sign_message_type_omitted_signs_raw_message(client):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    explicit = sign(client, key_id, "ECDSA_SHA_256", MESSAGE, MessageType="RAW")
    implicit = sign(client, key_id, "ECDSA_SHA_256", MESSAGE)
    public = public_key(client, key_id)
    verify_offline(public, "ECDSA_SHA_256", MESSAGE, explicit)
    verify_offline(public, "ECDSA_SHA_256", MESSAGE, implicit)


# DIGEST ------------------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "algorithm"), DIGEST_CASES)
def test_sign_digest_verifies_against_original_message(client, spec, algorithm):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    signature = sign(client, key_id, algorithm, digest(algorithm, MESSAGE), MessageType="DIGEST")
    # The digest was signed as the hash of MESSAGE, not as a message of its own.
    verify_offline(public_key(client, key_id), algorithm, MESSAGE, signature)
    assert verify_in_kms(client, key_id, algorithm, MESSAGE, signature) == valid(key_id, algorithm)
    assert verify_in_kms(
        client, key_id, algorithm, digest(algorithm, MESSAGE), signature, MessageType="DIGEST"
    ) == valid(key_id, algorithm)


@pytest.mark.parametrize(
    ("spec", "algorithm"),
    [("RSA_2048", "RSASSA_PSS_SHA_384"), ("ECC_NIST_P384", "ECDSA_SHA_384")],
)
def test_verify_digest_of_raw_signed_message_is_valid(client, spec, algorithm):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    signature = sign(client, key_id, algorithm, MESSAGE)
    assert verify_in_kms(
        client, key_id, algorithm, digest(algorithm, MESSAGE), signature, MessageType="DIGEST"
    ) == valid(key_id, algorithm)


@pytest.mark.parametrize(
    ("spec", "algorithm"),
    [("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_512"), ("ECC_NIST_P256", "ECDSA_SHA_256")],
)
def test_verify_digest_of_other_message_raises_invalid_signature(client, spec, algorithm):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    signature = sign(client, key_id, algorithm, MESSAGE)
    other = digest(algorithm, MESSAGE + b".")
    assert refused(
        lambda: client.verify(
            KeyId=key_id,
            Message=other,
            MessageType="DIGEST",
            Signature=signature,
            SigningAlgorithm=algorithm,
        )
    ) == ("KMSInvalidSignatureException", "")


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
@pytest.mark.parametrize(
    ("spec", "algorithm", "length"),
    [
        ("ECC_NIST_P256", "ECDSA_SHA_256", 31),
        ("ECC_NIST_P256", "ECDSA_SHA_256", 33),
        ("ECC_NIST_P256", "ECDSA_SHA_256", 64),
        ("ECC_SECG_P256K1", "ECDSA_SHA_256", 20),
        ("ECC_NIST_P384", "ECDSA_SHA_384", 32),
        ("ECC_NIST_P521", "ECDSA_SHA_512", 66),
        ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", 48),
        ("RSA_2048", "RSASSA_PSS_SHA_384", 32),
        ("RSA_4096", "RSASSA_PSS_SHA_512", 63),
        ("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", 32),
    ],
)
def test_sign_verify_digest_of_wrong_length_raises_validation(
    client, operation, spec, algorithm, length
):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    assert refused(
        lambda: sign_or_verify(
            client,
            operation,
            KeyId=key_id,
            Message=b"\x01" * length,
            MessageType="DIGEST",
            SigningAlgorithm=algorithm,
        )
    ) == ("ValidationException", f"Digest is invalid length for algorithm {algorithm}.")


# Ed25519 and Ed25519ph -----------------------------------------------------------------


def test_ed25519ph_rfc_8032_test_vector_signs_and_verifies():
    # RFC 8032 §7.3, "TEST abc".
    secret = bytes.fromhex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42")
    public = bytes.fromhex("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf")
    signature = bytes.fromhex(
        "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"
        "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406"
    )
    assert _ed25519ph.public_key(secret) == public
    assert _ed25519ph.sign(secret, b"abc") == signature
    assert _ed25519ph.verify(public, b"abc", signature)
    assert not _ed25519ph.verify(public, b"abd", signature)
    assert not _ed25519ph.verify(public, b"abc", flip_last_bit(signature))
    assert not _ed25519ph.verify(public, b"abc", signature[:63])


def test_sign_ed25519_ph_digest_is_ed25519ph_signature_of_digest(client):
    key_id = new_key(client, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY")
    prehash = hashlib.sha512(MESSAGE).digest()
    response = client.sign(
        KeyId=key_id, Message=prehash, MessageType="DIGEST", SigningAlgorithm="ED25519_PH_SHA_512"
    )
    assert_valid_output("Sign", response)
    signature = response["Signature"]
    assert body(response) == {
        "KeyId": key_arn(key_id),
        "Signature": signature,
        "SigningAlgorithm": "ED25519_PH_SHA_512",
    }
    assert len(signature) == 64
    public = public_key(client, key_id)
    assert isinstance(public, ed25519.Ed25519PublicKey)
    # KMS runs Ed25519ph over the 64-byte input, which Ed25519ph hashes once more.
    assert _ed25519ph.verify(public.public_bytes_raw(), prehash, signature)
    assert not _ed25519ph.verify(public.public_bytes_raw(), MESSAGE, signature)
    # It is not a pure Ed25519 signature of either.
    for signed in (MESSAGE, prehash):
        with pytest.raises(InvalidSignature):
            public.verify(signature, signed)
    assert verify_in_kms(
        client, key_id, "ED25519_PH_SHA_512", prehash, signature, MessageType="DIGEST"
    ) == valid(key_id, "ED25519_PH_SHA_512")


def test_verify_ed25519_pure_signature_as_ed25519_ph_raises_invalid_signature(client):
    key_id = new_key(client, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY")
    prehash = hashlib.sha512(MESSAGE).digest()
    pure = sign(client, key_id, "ED25519_SHA_512", prehash)
    assert refused(
        lambda: client.verify(
            KeyId=key_id,
            Message=prehash,
            MessageType="DIGEST",
            Signature=pure,
            SigningAlgorithm="ED25519_PH_SHA_512",
        )
    ) == ("KMSInvalidSignatureException", "")


# ML-DSA and EXTERNAL_MU --------------------------------------------------------------


@pytest.mark.parametrize("spec", sorted(ML_DSA))
def test_sign_ml_dsa_external_mu_verifies_against_message(client, spec):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    public = public_key(client, key_id)
    mu = ML_DSA[spec].prehash_external_mu(public.public_bytes_raw(), MESSAGE)
    assert len(mu) == 64
    response = client.sign(
        KeyId=key_id, Message=mu, MessageType="EXTERNAL_MU", SigningAlgorithm="ML_DSA_SHAKE_256"
    )
    assert_valid_output("Sign", response)
    signature = response["Signature"]
    assert body(response) == {
        "KeyId": key_arn(key_id),
        "Signature": signature,
        "SigningAlgorithm": "ML_DSA_SHAKE_256",
    }
    assert len(signature) == ML_DSA_SIGNATURE_BYTES[spec]
    public.verify(signature, MESSAGE)
    with pytest.raises(InvalidSignature):
        public.verify(signature, MESSAGE + b".")
    assert verify_in_kms(client, key_id, "ML_DSA_SHAKE_256", MESSAGE, signature) == valid(
        key_id, "ML_DSA_SHAKE_256"
    )
    assert verify_in_kms(
        client, key_id, "ML_DSA_SHAKE_256", mu, signature, MessageType="EXTERNAL_MU"
    ) == valid(key_id, "ML_DSA_SHAKE_256")


@pytest.mark.parametrize("spec", sorted(ML_DSA))
def test_verify_ml_dsa_raw_signature_with_external_mu_is_valid(client, spec):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    raw_public = public_key(client, key_id).public_bytes_raw()
    signature = sign(client, key_id, "ML_DSA_SHAKE_256", MESSAGE)
    mu = ML_DSA[spec].prehash_external_mu(raw_public, MESSAGE)
    assert verify_in_kms(
        client, key_id, "ML_DSA_SHAKE_256", mu, signature, MessageType="EXTERNAL_MU"
    ) == valid(key_id, "ML_DSA_SHAKE_256")
    other_mu = ML_DSA[spec].prehash_external_mu(raw_public, MESSAGE + b".")
    assert refused(
        lambda: client.verify(
            KeyId=key_id,
            Message=other_mu,
            MessageType="EXTERNAL_MU",
            Signature=signature,
            SigningAlgorithm="ML_DSA_SHAKE_256",
        )
    ) == ("KMSInvalidSignatureException", "")


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
@pytest.mark.parametrize("length", [32, 63, 65])
def test_sign_verify_external_mu_not_64_bytes_raises_validation(client, operation, length):
    # Exactly 64 bytes (docs/kms-behaviour.md#signing). Unverified against AWS: the text, kmsmock's.
    key_id = new_key(client, "ML_DSA_44", "SIGN_VERIFY")
    assert refused(
        lambda: sign_or_verify(
            client,
            operation,
            KeyId=key_id,
            Message=b"\x01" * length,
            MessageType="EXTERNAL_MU",
            SigningAlgorithm="ML_DSA_SHAKE_256",
        )
    ) == ("ValidationException", "Digest is invalid length for algorithm ML_DSA_SHAKE_256.")


# MessageType rules (docs/kms-behaviour.md#signing; Unverified against AWS: the texts, kmsmock's) --

ED25519_NEEDS_RAW = "ED25519_SHA_512 signing algorithm requires KMS MessageType:RAW"
ED25519_PH_NEEDS_DIGEST = "ED25519_PH_SHA_512 signing algorithm requires KMS MessageType:DIGEST"


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
@pytest.mark.parametrize(
    ("spec", "algorithm", "message_type", "message"),
    [
        ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "DIGEST", ED25519_NEEDS_RAW),
        ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "EXTERNAL_MU", ED25519_NEEDS_RAW),
        ("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "RAW", ED25519_PH_NEEDS_DIGEST),
        ("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", None, ED25519_PH_NEEDS_DIGEST),
        ("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "EXTERNAL_MU", ED25519_PH_NEEDS_DIGEST),
        (
            "ECC_NIST_P256",
            "ECDSA_SHA_256",
            "EXTERNAL_MU",
            "MessageType EXTERNAL_MU is not valid for signing algorithm ECDSA_SHA_256.",
        ),
        (
            "RSA_2048",
            "RSASSA_PSS_SHA_512",
            "EXTERNAL_MU",
            "MessageType EXTERNAL_MU is not valid for signing algorithm RSASSA_PSS_SHA_512.",
        ),
        (
            "ML_DSA_65",
            "ML_DSA_SHAKE_256",
            "DIGEST",
            "MessageType DIGEST is not valid for signing algorithm ML_DSA_SHAKE_256.",
        ),
    ],
)
def test_sign_verify_message_type_not_allowed_for_algorithm_raises_validation(
    client, operation, spec, algorithm, message_type, message
):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    extra = {} if message_type is None else {"MessageType": message_type}
    assert refused(
        lambda: sign_or_verify(
            client,
            operation,
            KeyId=key_id,
            Message=b"\x01" * 64,
            SigningAlgorithm=algorithm,
            **extra,
        )
    ) == ("ValidationException", message)


# Algorithm and key usage ------------------------------------------------------------


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
@pytest.mark.parametrize(
    ("spec", "algorithm"),
    [
        ("ECC_NIST_P256", "ECDSA_SHA_384"),
        ("ECC_NIST_P256", "ECDSA_SHA_512"),
        ("ECC_NIST_P384", "ECDSA_SHA_256"),
        ("ECC_NIST_P521", "ECDSA_SHA_384"),
        ("ECC_SECG_P256K1", "ECDSA_SHA_512"),
        ("ECC_NIST_P256", "RSASSA_PSS_SHA_256"),
        ("ECC_NIST_P256", "ED25519_SHA_512"),
        ("RSA_2048", "ECDSA_SHA_256"),
        ("RSA_3072", "ML_DSA_SHAKE_256"),
        ("ECC_NIST_EDWARDS25519", "ECDSA_SHA_512"),
        ("ML_DSA_44", "ED25519_SHA_512"),
        ("ML_DSA_87", "RSASSA_PKCS1_V1_5_SHA_256"),
        ("ECC_NIST_P256", "SM2DSA"),
    ],
)
def test_sign_verify_algorithm_of_other_key_spec_raises_invalid_key_usage(
    client, operation, spec, algorithm
):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    assert refused(
        lambda: sign_or_verify(
            client, operation, KeyId=key_id, Message=MESSAGE, SigningAlgorithm=algorithm
        )
    ) == (
        "InvalidKeyUsageException",
        f"Algorithm {algorithm} is incompatible with key spec {spec}.",
    )


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
@pytest.mark.parametrize(
    ("spec", "usage", "algorithm"),
    [
        ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "ECDSA_SHA_256"),
        ("HMAC_256", "GENERATE_VERIFY_MAC", "ECDSA_SHA_256"),
        ("RSA_2048", "ENCRYPT_DECRYPT", "RSASSA_PSS_SHA_256"),
        ("ECC_NIST_P256", "KEY_AGREEMENT", "ECDSA_SHA_256"),
    ],
)
def test_sign_verify_key_without_sign_verify_usage_raises_invalid_key_usage(
    client, operation, spec, usage, algorithm
):
    key_id = new_key(client, spec, usage)
    assert refused(
        lambda: sign_or_verify(
            client, operation, KeyId=key_id, Message=MESSAGE, SigningAlgorithm=algorithm
        )
    ) == (
        "InvalidKeyUsageException",
        f"{key_arn(key_id)} key usage is {usage} which is not valid for {operation}.",
    )


def test_sign_key_usage_is_checked_before_algorithm(client):
    key_id = new_key(client, "HMAC_256", "GENERATE_VERIFY_MAC")
    assert refused(
        lambda: client.sign(KeyId=key_id, Message=MESSAGE, SigningAlgorithm="ED25519_SHA_512")
    ) == (
        "InvalidKeyUsageException",
        f"{key_arn(key_id)} key usage is GENERATE_VERIFY_MAC which is not valid for Sign.",
    )


# Verify failures --------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "algorithm"), KINDS)
def test_verify_other_message_raises_invalid_signature_with_empty_message(client, spec, algorithm):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    signature = sign(client, key_id, algorithm, MESSAGE)
    with pytest.raises(client.exceptions.KMSInvalidSignatureException) as info:
        client.verify(
            KeyId=key_id, Message=MESSAGE + b".", Signature=signature, SigningAlgorithm=algorithm
        )
    assert error(info.value) == ("KMSInvalidSignatureException", "")


@pytest.mark.parametrize(("spec", "algorithm"), KINDS)
@pytest.mark.parametrize("damage", ["flip_first_byte", "flip_last_bit", "truncate", "extend"])
def test_verify_damaged_signature_raises_invalid_signature(client, spec, algorithm, damage):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    signature = sign(client, key_id, algorithm, MESSAGE)
    damaged = {
        "flip_first_byte": bytes([signature[0] ^ 0x80]) + signature[1:],
        "flip_last_bit": flip_last_bit(signature),
        "truncate": signature[:-1],
        "extend": signature + b"\x00",
    }[damage]
    assert refused(
        lambda: client.verify(
            KeyId=key_id, Message=MESSAGE, Signature=damaged, SigningAlgorithm=algorithm
        )
    ) == ("KMSInvalidSignatureException", "")


@pytest.mark.parametrize(("spec", "algorithm"), KINDS)
def test_verify_signature_of_other_key_raises_invalid_signature(client, spec, algorithm):
    signer = new_key(client, spec, "SIGN_VERIFY")
    verifier = new_key(client, spec, "SIGN_VERIFY")
    signature = sign(client, signer, algorithm, MESSAGE)
    assert refused(
        lambda: client.verify(
            KeyId=verifier, Message=MESSAGE, Signature=signature, SigningAlgorithm=algorithm
        )
    ) == ("KMSInvalidSignatureException", "")


@pytest.mark.parametrize(
    ("signed_with", "verified_with"),
    [
        ("RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PSS_SHA_256"),
        ("RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_256"),
        ("RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384"),
        ("RSASSA_PKCS1_V1_5_SHA_512", "RSASSA_PKCS1_V1_5_SHA_384"),
    ],
)
def test_verify_signature_of_other_algorithm_raises_invalid_signature(
    client, signed_with, verified_with
):
    key_id = new_key(client, "RSA_2048", "SIGN_VERIFY")
    signature = sign(client, key_id, signed_with, MESSAGE)
    assert refused(
        lambda: client.verify(
            KeyId=key_id, Message=MESSAGE, Signature=signature, SigningAlgorithm=verified_with
        )
    ) == ("KMSInvalidSignatureException", "")


@pytest.mark.parametrize(
    ("spec", "algorithm", "message_type"),
    [
        ("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "DIGEST"),
        ("ML_DSA_44", "ML_DSA_SHAKE_256", "EXTERNAL_MU"),
        ("ML_DSA_87", "ML_DSA_SHAKE_256", "EXTERNAL_MU"),
    ],
)
@pytest.mark.parametrize(
    "damage", ["flip_first_byte", "flip_last_byte", "truncate", "extend", "zeros", "ones"]
)
def test_verify_damaged_pre_hashed_signature_raises_invalid_signature(
    client, spec, algorithm, message_type, damage
):
    # Ed25519ph and external-mu ML-DSA are verified by kmsmock's own code, not cryptography's.
    key_id = new_key(client, spec, "SIGN_VERIFY")
    message = hashlib.sha512(MESSAGE).digest()
    signature = sign(client, key_id, algorithm, message, MessageType=message_type)
    damaged = {
        "flip_first_byte": bytes([signature[0] ^ 0x01]) + signature[1:],
        "flip_last_byte": signature[:-1] + bytes([signature[-1] ^ 0xFF]),
        "truncate": signature[:-1],
        "extend": signature + b"\x00",
        "zeros": bytes(len(signature)),
        "ones": b"\xff" * len(signature),
    }[damage]
    assert refused(
        lambda: client.verify(
            KeyId=key_id,
            Message=message,
            MessageType=message_type,
            Signature=damaged,
            SigningAlgorithm=algorithm,
        )
    ) == ("KMSInvalidSignatureException", "")
    assert verify_in_kms(
        client, key_id, algorithm, message, signature, MessageType=message_type
    ) == valid(key_id, algorithm)


def test_verify_ecdsa_signature_not_der_raises_invalid_signature(client):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    r, s = utils.decode_dss_signature(sign(client, key_id, "ECDSA_SHA_256", MESSAGE))
    # The same r and s, raw r || s as JOSE writes them: KMS wants DER
    # (docs/kms-behaviour.md#signing).
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert refused(
        lambda: client.verify(
            KeyId=key_id, Message=MESSAGE, Signature=raw, SigningAlgorithm="ECDSA_SHA_256"
        )
    ) == ("KMSInvalidSignatureException", "")


# Signature encodings ----------------------------------------------------------------


@pytest.mark.parametrize("spec", sorted(ECDSA))
def test_sign_ecdsa_signature_is_der_sequence_of_r_and_s(client, spec):
    algorithm, curve = ECDSA[spec]
    key_id = new_key(client, spec, "SIGN_VERIFY")
    signature = sign(client, key_id, algorithm, MESSAGE)
    r, s = utils.decode_dss_signature(signature)
    assert 0 < r < 2**curve.key_size
    assert 0 < s < 2**curve.key_size
    # Minimal DER: re-encoding r and s gives the same bytes.
    assert utils.encode_dss_signature(r, s) == signature
    assert signature[0] == 0x30


@pytest.mark.parametrize("spec", sorted(RSA_BYTES))
def test_sign_rsa_signature_length_is_modulus_bytes(client, spec):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    public = public_key(client, key_id)
    for algorithm in ("RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PSS_SHA_512"):
        signature = sign(client, key_id, algorithm, MESSAGE)
        assert len(signature) == RSA_BYTES[spec] == public.key_size // 8


def test_sign_ed25519_signature_is_64_bytes(client):
    key_id = new_key(client, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY")
    assert len(sign(client, key_id, "ED25519_SHA_512", MESSAGE)) == 64
    assert len(sign(client, key_id, "ED25519_SHA_512", b"x" * 4096)) == 64


@pytest.mark.parametrize("spec", sorted(ML_DSA))
def test_sign_ml_dsa_signature_has_fips_204_length(client, spec):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    for message in (b"x", b"x" * 4096):
        assert (
            len(sign(client, key_id, "ML_DSA_SHAKE_256", message)) == (ML_DSA_SIGNATURE_BYTES[spec])
        )


@pytest.mark.parametrize(
    "algorithm", ["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"]
)
def test_sign_rsa_pss_salt_length_is_digest_length(client, algorithm):
    key_id = new_key(client, "RSA_2048", "SIGN_VERIFY")
    public = public_key(client, key_id)
    signature = sign(client, key_id, algorithm, MESSAGE)
    chosen = hash_of(algorithm)
    for salt in range(0, 80, 4):
        pss = padding.PSS(mgf=padding.MGF1(chosen), salt_length=salt)
        if salt == chosen.digest_size:
            public.verify(signature, MESSAGE, pss, chosen)
        else:
            with pytest.raises(InvalidSignature):
                public.verify(signature, MESSAGE, pss, chosen)


@pytest.mark.parametrize(
    ("spec", "algorithm", "extra"),
    [
        ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", {}),
        ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_512", {}),
        ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", {}),
        ("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", {"MessageType": "DIGEST"}),
    ],
    ids=["pkcs1-sha256", "pkcs1-sha512", "ed25519", "ed25519ph"],
)
def test_sign_deterministic_algorithm_repeats_signature(client, spec, algorithm, extra):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    message = hashlib.sha512(MESSAGE).digest()
    first = sign(client, key_id, algorithm, message, **extra)
    assert sign(client, key_id, algorithm, message, **extra) == first
    assert sign(client, key_id, algorithm, message[::-1], **extra) != first


@pytest.mark.parametrize(
    ("spec", "algorithm"),
    [
        ("RSA_2048", "RSASSA_PSS_SHA_256"),
        ("ECC_NIST_P256", "ECDSA_SHA_256"),
        ("ECC_SECG_P256K1", "ECDSA_SHA_256"),
        ("ML_DSA_44", "ML_DSA_SHAKE_256"),
    ],
)
def test_sign_randomized_algorithm_gives_new_signature_each_time(client, spec, algorithm):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    signatures = {sign(client, key_id, algorithm, MESSAGE) for _ in range(3)}
    assert len(signatures) == 3
    public = public_key(client, key_id)
    for signature in signatures:
        verify_offline(public, algorithm, MESSAGE, signature)


# The openssl CLI --------------------------------------------------------------------


@cache
def openssl_names() -> str:
    """What the local openssl lists as signature and public key algorithms, and curves."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return ""
    listed = []
    for args in (
        ["list", "-signature-algorithms"],
        ["list", "-public-key-algorithms"],
        ["ecparam", "-list_curves"],
    ):
        run = subprocess.run([openssl, *args], capture_output=True, text=True, check=False)
        listed.append(run.stdout)
    return "\n".join(listed).upper()


def require_openssl(name: str) -> str:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl CLI on PATH")
    if name.upper() not in openssl_names():
        pytest.skip(f"the local openssl does not support {name}")
    return openssl


# How the local openssl names what each key spec needs.
OPENSSL_NAMES = {
    "RSA_2048": "RSA",
    "RSA_3072": "RSA",
    "ECC_NIST_P256": "prime256v1",
    "ECC_NIST_P384": "secp384r1",
    "ECC_NIST_P521": "secp521r1",
    "ECC_SECG_P256K1": "secp256k1",
}


def openssl_dgst_verify(
    openssl: str,
    tmp_path: Path,
    public: Any,
    flag: str,
    sigopts: Any,
    message: bytes,
    signature: bytes,
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pub.pem").write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    (tmp_path / "msg.bin").write_bytes(message)
    (tmp_path / "sig.bin").write_bytes(signature)
    options = [arg for sigopt in sigopts for arg in ("-sigopt", sigopt)]
    return subprocess.run(
        [openssl, "dgst", flag, "-verify", "pub.pem", *options, "-signature", "sig.bin", "msg.bin"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


def openssl_rawin_verify(
    openssl: str, tmp_path: Path, public_der_bytes: bytes, message: bytes, signature: bytes
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pub.der").write_bytes(public_der_bytes)
    (tmp_path / "msg.bin").write_bytes(message)
    (tmp_path / "sig.bin").write_bytes(signature)
    return subprocess.run(
        [
            openssl,
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "pub.der",
            "-keyform",
            "DER",
            "-rawin",
            "-in",
            "msg.bin",
            "-sigfile",
            "sig.bin",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("spec", "algorithm", "message_type"),
    [
        ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "RAW"),
        ("RSA_3072", "RSASSA_PKCS1_V1_5_SHA_512", "DIGEST"),
        ("RSA_2048", "RSASSA_PSS_SHA_256", "RAW"),
        ("RSA_2048", "RSASSA_PSS_SHA_384", "DIGEST"),
        ("ECC_NIST_P256", "ECDSA_SHA_256", "RAW"),
        ("ECC_NIST_P384", "ECDSA_SHA_384", "DIGEST"),
        ("ECC_NIST_P521", "ECDSA_SHA_512", "RAW"),
        ("ECC_SECG_P256K1", "ECDSA_SHA_256", "DIGEST"),
    ],
)
def test_sign_signature_verifies_with_openssl_dgst(client, tmp_path, spec, algorithm, message_type):
    openssl = require_openssl(OPENSSL_NAMES[spec])
    key_id = new_key(client, spec, "SIGN_VERIFY")
    message = MESSAGE if message_type == "RAW" else digest(algorithm, MESSAGE)
    signature = sign(client, key_id, algorithm, message, MessageType=message_type)
    flag = "-" + hash_of(algorithm).name
    sigopts: tuple[str, ...] = ()
    if algorithm.startswith("RSASSA_PSS_"):
        sigopts = ("rsa_padding_mode:pss", "rsa_pss_saltlen:digest")
    public = public_key(client, key_id)
    good = openssl_dgst_verify(openssl, tmp_path, public, flag, sigopts, MESSAGE, signature)
    assert (good.returncode, good.stdout.strip()) == (0, "Verified OK"), good.stderr
    bad = openssl_dgst_verify(openssl, tmp_path, public, flag, sigopts, MESSAGE + b".", signature)
    assert bad.returncode != 0
    assert "Verification failure" in bad.stdout + bad.stderr


@pytest.mark.parametrize(
    ("spec", "openssl_name"),
    [
        ("ECC_NIST_EDWARDS25519", "ED25519"),
        ("ML_DSA_44", "ML-DSA-44"),
        ("ML_DSA_65", "ML-DSA-65"),
        ("ML_DSA_87", "ML-DSA-87"),
    ],
)
def test_sign_signature_verifies_with_openssl_pkeyutl_rawin(client, tmp_path, spec, openssl_name):
    openssl = require_openssl(openssl_name)
    algorithm = "ED25519_SHA_512" if spec == "ECC_NIST_EDWARDS25519" else "ML_DSA_SHAKE_256"
    key_id = new_key(client, spec, "SIGN_VERIFY")
    signature = sign(client, key_id, algorithm, MESSAGE)
    der = public_der(client, key_id)
    good = openssl_rawin_verify(openssl, tmp_path, der, MESSAGE, signature)
    assert (good.returncode, good.stdout.strip()) == (0, "Signature Verified Successfully"), (
        good.stderr
    )
    bad = openssl_rawin_verify(openssl, tmp_path, der, MESSAGE + b".", signature)
    assert bad.returncode != 0
    assert "Signature Verification Failure" in bad.stdout + bad.stderr


# Message and signature lengths, enums -------------------------------------------------


def too_long(member: str, limit: int) -> tuple[str, str]:
    return (
        "ValidationException",
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        f"Member must have length less than or equal to {limit}",
    )


def too_short(member: str) -> tuple[str, str]:
    return (
        "ValidationException",
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )


@pytest.mark.parametrize(
    ("spec", "algorithm"),
    [("ECC_NIST_P256", "ECDSA_SHA_256"), ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512")],
)
def test_sign_message_of_4096_bytes_is_signed(client, spec, algorithm):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    message = bytes(range(256)) * 16
    signature = sign(client, key_id, algorithm, message)
    verify_offline(public_key(client, key_id), algorithm, message, signature)
    assert verify_in_kms(client, key_id, algorithm, message, signature) == valid(key_id, algorithm)


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
def test_sign_verify_message_of_4097_bytes_raises_validation(unchecked_client, operation):
    key_id = new_key(unchecked_client, "ECC_NIST_P256", "SIGN_VERIFY")
    assert refused(
        lambda: sign_or_verify(
            unchecked_client,
            operation,
            KeyId=key_id,
            Message=b"x" * 4097,
            SigningAlgorithm="ECDSA_SHA_256",
        )
    ) == too_long("message", 4096)


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
def test_sign_verify_empty_message_raises_validation(unchecked_client, operation):
    key_id = new_key(unchecked_client, "ECC_NIST_P256", "SIGN_VERIFY")
    assert refused(
        lambda: sign_or_verify(
            unchecked_client,
            operation,
            KeyId=key_id,
            Message=b"",
            SigningAlgorithm="ECDSA_SHA_256",
        )
    ) == too_short("message")


@pytest.mark.parametrize(
    ("signature", "expected"),
    [
        (b"", too_short("signature")),
        (b"\x30" * 6145, too_long("signature", 6144)),
    ],
    ids=["empty", "6145-bytes"],
)
def test_verify_signature_length_outside_model_raises_validation(
    unchecked_client, signature, expected
):
    key_id = new_key(unchecked_client, "ECC_NIST_P256", "SIGN_VERIFY")
    assert (
        refused(
            lambda: unchecked_client.verify(
                KeyId=key_id, Message=MESSAGE, Signature=signature, SigningAlgorithm="ECDSA_SHA_256"
            )
        )
        == expected
    )


def test_verify_signature_of_6144_bytes_raises_invalid_signature(client):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    assert refused(
        lambda: client.verify(
            KeyId=key_id,
            Message=MESSAGE,
            Signature=b"\x30" * 6144,
            SigningAlgorithm="ECDSA_SHA_256",
        )
    ) == ("KMSInvalidSignatureException", "")


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
def test_sign_verify_unknown_signing_algorithm_raises_enum_validation(unchecked_client, operation):
    key_id = new_key(unchecked_client, "ECC_NIST_P256", "SIGN_VERIFY")
    assert refused(
        lambda: sign_or_verify(
            unchecked_client,
            operation,
            KeyId=key_id,
            Message=MESSAGE,
            SigningAlgorithm="ECDSA_SHA_1",
        )
    ) == (
        "ValidationException",
        "1 validation error detected: Value 'ECDSA_SHA_1' at 'signingAlgorithm' failed to "
        "satisfy constraint: Member must satisfy enum value set: [RSASSA_PSS_SHA_256, "
        "RSASSA_PSS_SHA_384, RSASSA_PSS_SHA_512, RSASSA_PKCS1_V1_5_SHA_256, "
        "RSASSA_PKCS1_V1_5_SHA_384, RSASSA_PKCS1_V1_5_SHA_512, ECDSA_SHA_256, ECDSA_SHA_384, "
        "ECDSA_SHA_512, SM2DSA, ML_DSA_SHAKE_256, ED25519_SHA_512, ED25519_PH_SHA_512]",
    )


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
def test_sign_verify_unknown_message_type_raises_enum_validation(unchecked_client, operation):
    key_id = new_key(unchecked_client, "ECC_NIST_P256", "SIGN_VERIFY")
    assert refused(
        lambda: sign_or_verify(
            unchecked_client,
            operation,
            KeyId=key_id,
            Message=MESSAGE,
            SigningAlgorithm="ECDSA_SHA_256",
            MessageType="HASH",
        )
    ) == (
        "ValidationException",
        "1 validation error detected: Value 'HASH' at 'messageType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [RAW, DIGEST, EXTERNAL_MU]",
    )


# DryRun -------------------------------------------------------------------------------


def test_sign_dry_run_raises_dry_run_and_records_no_use(client):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    assert (
        refused(
            lambda: client.sign(
                KeyId=key_id, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256", DryRun=True
            )
        )
        == DRY_RUN
    )
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"] == {}


def test_verify_dry_run_valid_signature_raises_dry_run(client):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    signature = sign(client, key_id, "ECDSA_SHA_256", MESSAGE)
    assert (
        refused(
            lambda: client.verify(
                KeyId=key_id,
                Message=MESSAGE,
                Signature=signature,
                SigningAlgorithm="ECDSA_SHA_256",
                DryRun=True,
            )
        )
        == DRY_RUN
    )
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]["Operation"] == "Sign"


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
def test_sign_verify_dry_run_incompatible_algorithm_raises_invalid_key_usage(client, operation):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    assert refused(
        lambda: sign_or_verify(
            client,
            operation,
            KeyId=key_id,
            Message=MESSAGE,
            SigningAlgorithm="ECDSA_SHA_384",
            DryRun=True,
        )
    ) == (
        "InvalidKeyUsageException",
        "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.",
    )


# Key identifiers, key state, last usage ---------------------------------------------


@pytest.mark.parametrize("form", ["id", "arn", "alias", "alias-arn"])
def test_sign_verify_every_key_id_form_answers_key_arn(client, form):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    client.create_alias(AliasName="alias/signer", TargetKeyId=key_id)
    identifier = {
        "id": key_id,
        "arn": key_arn(key_id),
        "alias": "alias/signer",
        "alias-arn": f"{ARN_PREFIX}:alias/signer",
    }[form]
    response = client.sign(KeyId=identifier, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256")
    assert response["KeyId"] == key_arn(key_id)
    verified = verify_in_kms(client, identifier, "ECDSA_SHA_256", MESSAGE, response["Signature"])
    assert verified == valid(key_id, "ECDSA_SHA_256")


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
def test_sign_verify_unknown_key_raises_not_found(client, operation):
    assert refused(
        lambda: sign_or_verify(
            client,
            operation,
            KeyId=UNKNOWN_KEY_ID,
            Message=MESSAGE,
            SigningAlgorithm="ECDSA_SHA_256",
        )
    ) == ("NotFoundException", f"Key '{key_arn(UNKNOWN_KEY_ID)}' does not exist")


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
def test_sign_verify_disabled_key_raises_disabled(client, operation):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    client.disable_key(KeyId=key_id)
    assert refused(
        lambda: sign_or_verify(
            client, operation, KeyId=key_id, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256"
        )
    ) == ("DisabledException", f"{key_arn(key_id)} is disabled.")


def test_sign_then_verify_get_key_last_usage_shows_each_operation(client):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"] == {}
    signed = client.sign(KeyId=key_id, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256")
    usage = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    assert (usage["Operation"], usage["KmsRequestId"]) == (
        "Sign",
        signed["ResponseMetadata"]["RequestId"],
    )
    verified = client.verify(
        KeyId=key_id,
        Message=MESSAGE,
        Signature=signed["Signature"],
        SigningAlgorithm="ECDSA_SHA_256",
    )
    usage = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    assert (usage["Operation"], usage["KmsRequestId"]) == (
        "Verify",
        verified["ResponseMetadata"]["RequestId"],
    )
    assert usage["Timestamp"] >= client.describe_key(KeyId=key_id)["KeyMetadata"]["CreationDate"]


def test_verify_invalid_signature_is_not_recorded_as_use(client):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    signature = sign(client, key_id, "ECDSA_SHA_256", MESSAGE)
    with pytest.raises(ClientError):
        client.verify(
            KeyId=key_id, Message=b"other", Signature=signature, SigningAlgorithm="ECDSA_SHA_256"
        )
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]["Operation"] == "Sign"


def test_sign_external_mu_without_dilithium_py_raises_extra_not_installed(client, monkeypatch):
    key_id = client.create_key(KeySpec="ML_DSA_44", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    monkeypatch.setitem(sys.modules, "dilithium_py", None)
    with pytest.raises(ExtraNotInstalledError) as info:
        client.sign(
            KeyId=key_id,
            Message=bytes(64),
            MessageType="EXTERNAL_MU",
            SigningAlgorithm="ML_DSA_SHAKE_256",
        )
    assert info.value.extra == "kmsmock[ml-dsa]"
    assert str(info.value) == (
        "ML-DSA with MessageType EXTERNAL_MU in KMS operation 'Sign' needs the optional extra "
        "kmsmock[ml-dsa] (the dilithium-py package), which is not installed: "
        "pip install 'kmsmock[ml-dsa]'"
    )
