"""Asymmetric and HMAC key material is made when first needed, once, and is reproducible
with a seed (kmsmock's design, kmsmock/_asymmetric.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kmsmock import mock_kms
from tests._support import ACCOUNT, REGION, ml_kem_specs_in_model, new_key

# Every asymmetric (key spec, key usage) outside China, and the HMAC specs.
SPEC_USAGES = [
    *(
        (f"RSA_{bits}", usage)
        for bits in (2048, 3072, 4096)
        for usage in ("ENCRYPT_DECRYPT", "SIGN_VERIFY")
    ),
    *(
        (spec, usage)
        for spec in ("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521")
        for usage in ("SIGN_VERIFY", "KEY_AGREEMENT")
    ),
    ("ECC_SECG_P256K1", "SIGN_VERIFY"),
    ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"),
    *((f"ML_DSA_{level}", "SIGN_VERIFY") for level in (44, 65, 87)),
    *((f"HMAC_{bits}", "GENERATE_VERIFY_MAC") for bits in (224, 256, 384, 512)),
    *((spec, "ENCAPSULATE_DECAPSULATE") for spec in ml_kem_specs_in_model()),
]
# Material a seed reproduces: everything but RSA, which has no seeded generation.
SEEDED = [(spec, usage) for spec, usage in SPEC_USAGES if not spec.startswith("RSA_")]
HMAC_BYTES = {"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64}


def secret(kms_mock: Any, key_id: str) -> Any:
    return kms_mock.backend.account_region(ACCOUNT, REGION).keys[key_id].secret


def spki(private: Any) -> bytes:
    der: bytes = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


@pytest.mark.parametrize(("spec", "usage"), SPEC_USAGES)
def test_create_key_and_metadata_operations_make_no_material(client, kms_mock, spec, usage):
    key_id = new_key(client, spec, usage)
    assert secret(kms_mock, key_id) is None
    client.describe_key(KeyId=key_id)
    client.list_keys()
    client.get_key_policy(KeyId=key_id)
    client.tag_resource(KeyId=key_id, Tags=[{"TagKey": "k", "TagValue": "v"}])
    client.create_alias(AliasName="alias/lazy", TargetKeyId=key_id)
    client.describe_key(KeyId="alias/lazy")
    client.update_key_description(KeyId=key_id, Description="still lazy")
    client.disable_key(KeyId=key_id)
    client.enable_key(KeyId=key_id)
    client.get_key_last_usage(KeyId=key_id)
    assert secret(kms_mock, key_id) is None


@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("RSA_2048", "ENCRYPT_DECRYPT"),
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("ECC_NIST_P384", "KEY_AGREEMENT"),
        ("ECC_SECG_P256K1", "SIGN_VERIFY"),
        ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"),
        ("ML_DSA_44", "SIGN_VERIFY"),
    ],
)
def test_get_public_key_makes_material_once(client, kms_mock, spec, usage):
    key_id = new_key(client, spec, usage)
    der = client.get_public_key(KeyId=key_id)["PublicKey"]
    made = secret(kms_mock, key_id)
    assert made is not None
    assert spki(made.private) == der
    assert client.get_public_key(KeyId=key_id)["PublicKey"] == der
    assert secret(kms_mock, key_id) is made


@pytest.mark.parametrize(
    ("spec", "algorithm"),
    [
        ("RSA_2048", "RSASSA_PSS_SHA_256"),
        ("ECC_NIST_P521", "ECDSA_SHA_512"),
        ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512"),
        ("ML_DSA_65", "ML_DSA_SHAKE_256"),
    ],
)
def test_sign_makes_material_get_public_key_then_reuses(client, kms_mock, spec, algorithm):
    key_id = new_key(client, spec, "SIGN_VERIFY")
    client.sign(KeyId=key_id, Message=b"m", SigningAlgorithm=algorithm)
    made = secret(kms_mock, key_id)
    assert made is not None
    assert client.get_public_key(KeyId=key_id)["PublicKey"] == spki(made.private)
    assert secret(kms_mock, key_id) is made


@pytest.mark.parametrize("spec", sorted(HMAC_BYTES))
def test_generate_mac_makes_hmac_secret_of_digest_length(client, kms_mock, spec):
    key_id = new_key(client, spec, "GENERATE_VERIFY_MAC")
    client.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm=f"HMAC_SHA_{spec[5:]}")
    made = secret(kms_mock, key_id)
    assert isinstance(made, bytes)
    assert len(made) == HMAC_BYTES[spec]
    client.verify_mac(
        KeyId=key_id,
        Message=b"m",
        MacAlgorithm=f"HMAC_SHA_{spec[5:]}",
        Mac=client.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm=f"HMAC_SHA_{spec[5:]}")[
            "Mac"
        ],
    )
    assert secret(kms_mock, key_id) is made


def test_derive_shared_secret_makes_material(client, kms_mock):
    key_id = new_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    other = new_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    client.derive_shared_secret(
        KeyId=key_id,
        KeyAgreementAlgorithm="ECDH",
        PublicKey=client.get_public_key(KeyId=other)["PublicKey"],
    )
    assert secret(kms_mock, key_id) is not None


def test_dry_run_and_failed_calls_make_no_material(client, kms_mock):
    signer = new_key(client, "RSA_4096", "SIGN_VERIFY")
    encrypter = new_key(client, "RSA_4096", "ENCRYPT_DECRYPT")
    mac_key = new_key(client, "HMAC_512", "GENERATE_VERIFY_MAC")
    agreer = new_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    calls: list[Callable[[], Any]] = [
        lambda: client.sign(
            KeyId=signer, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256", DryRun=True
        ),
        lambda: client.sign(KeyId=signer, Message=b"m", SigningAlgorithm="ECDSA_SHA_256"),
        lambda: client.sign(
            KeyId=signer,
            Message=b"short",
            MessageType="DIGEST",
            SigningAlgorithm="RSASSA_PSS_SHA_256",
        ),
        lambda: client.encrypt(
            KeyId=encrypter, Plaintext=b"p", EncryptionAlgorithm="RSAES_OAEP_SHA_1", DryRun=True
        ),
        lambda: client.encrypt(
            KeyId=encrypter, Plaintext=b"p" * 471, EncryptionAlgorithm="RSAES_OAEP_SHA_1"
        ),
        lambda: client.encrypt(KeyId=encrypter, Plaintext=b"p"),
        lambda: client.generate_mac(
            KeyId=mac_key, Message=b"m", MacAlgorithm="HMAC_SHA_512", DryRun=True
        ),
        lambda: client.generate_mac(KeyId=mac_key, Message=b"m", MacAlgorithm="HMAC_SHA_256"),
        lambda: client.derive_shared_secret(
            KeyId=agreer, KeyAgreementAlgorithm="ECDH", PublicKey=b"junk", DryRun=True
        ),
    ]
    for call in calls:
        with pytest.raises(ClientError):
            call()
    for key_id in (signer, encrypter, mac_key, agreer):
        assert secret(kms_mock, key_id) is None


# Seeds -----------------------------------------------------------------------------


def fingerprints(seed: int | None) -> list[bytes]:
    """In a fresh activation, one key of each seeded spec: its public key or a MAC."""
    with mock_kms(seed=seed):
        client: Any = boto3.client("kms", region_name=REGION)
        found = []
        for spec, usage in SEEDED:
            key_id = new_key(client, spec, usage)
            if usage == "GENERATE_VERIFY_MAC":
                found.append(
                    client.generate_mac(
                        KeyId=key_id, Message=b"m", MacAlgorithm=f"HMAC_SHA_{spec[5:]}"
                    )["Mac"]
                )
            else:
                found.append(client.get_public_key(KeyId=key_id)["PublicKey"])
        return found


def test_mock_kms_same_seed_makes_same_material():
    first = fingerprints(7)
    assert fingerprints(7) == first
    assert len(set(first)) == len(SEEDED)


def test_mock_kms_other_seed_makes_other_material():
    seven = fingerprints(7)
    eight = fingerprints(8)
    assert all(a != b for a, b in zip(seven, eight, strict=True))


def test_mock_kms_without_seed_makes_new_material_each_activation():
    first = fingerprints(None)
    second = fingerprints(None)
    assert all(a != b for a, b in zip(first, second, strict=True))


def test_mock_kms_seeded_ec_key_signs_for_its_public_key():
    with mock_kms(seed=7):
        client: Any = boto3.client("kms", region_name=REGION)
        key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
        signature = client.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")[
            "Signature"
        ]
        der = client.get_public_key(KeyId=key_id)["PublicKey"]
    public = serialization.load_der_public_key(der)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, b"m", ec.ECDSA(hashes.SHA256()))
    assert der == fingerprints(7)[0]
