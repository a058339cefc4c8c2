"""Key agreement: DeriveSharedSecret (docs/kms-behaviour.md#key-agreement)."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from tests._support import (
    ARN_PREFIX,
    DRY_RUN,
    assert_valid_output,
    body,
    key_arn,
    new_key,
    refused,
)

# key spec -> (curve, shared secret length: the field size in bytes)
CURVES: dict[str, tuple[ec.EllipticCurve, int]] = {
    "ECC_NIST_P256": (ec.SECP256R1(), 32),
    "ECC_NIST_P384": (ec.SECP384R1(), 48),
    "ECC_NIST_P521": (ec.SECP521R1(), 66),
}
SPECS = sorted(CURVES)


def der(public: Any) -> bytes:
    encoded: bytes = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return encoded


def kms_public(client: Any, key_id: str) -> ec.EllipticCurvePublicKey:
    public = serialization.load_der_public_key(client.get_public_key(KeyId=key_id)["PublicKey"])
    assert isinstance(public, ec.EllipticCurvePublicKey)
    return public


def peer(spec: str) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(CURVES[spec][0])


def derive(client: Any, key_id: str, public_key: bytes, **extra: Any) -> Any:
    return client.derive_shared_secret(
        KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=public_key, **extra
    )


@pytest.mark.parametrize("spec", SPECS)
def test_derive_shared_secret_equals_peer_side_ecdh(client, spec):
    key_id = new_key(client, spec, "KEY_AGREEMENT")
    other = peer(spec)
    response = derive(client, key_id, der(other.public_key()))
    assert_valid_output("DeriveSharedSecret", response)
    secret = response["SharedSecret"]
    assert body(response) == {
        "KeyId": key_arn(key_id),
        "SharedSecret": secret,
        "KeyAgreementAlgorithm": "ECDH",
        "KeyOrigin": "AWS_KMS",
    }
    assert len(secret) == CURVES[spec][1]
    assert secret == other.exchange(ec.ECDH(), kms_public(client, key_id))


@pytest.mark.parametrize("spec", SPECS)
def test_derive_shared_secret_same_peer_gives_same_secret_other_peer_other_secret(client, spec):
    key_id = new_key(client, spec, "KEY_AGREEMENT")
    first = peer(spec)
    second = peer(spec)
    secret = derive(client, key_id, der(first.public_key()))["SharedSecret"]
    assert derive(client, key_id, der(first.public_key()))["SharedSecret"] == secret
    assert derive(client, key_id, der(second.public_key()))["SharedSecret"] != secret


def test_derive_shared_secret_two_kms_keys_agree_with_each_other(client):
    first = new_key(client, "ECC_NIST_P384", "KEY_AGREEMENT")
    second = new_key(client, "ECC_NIST_P384", "KEY_AGREEMENT")
    one = derive(client, first, der(kms_public(client, second)))["SharedSecret"]
    two = derive(client, second, der(kms_public(client, first)))["SharedSecret"]
    assert one == two
    assert len(one) == 48


def test_derive_shared_secret_matches_openssl_derive(client, tmp_path):
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl CLI on PATH")
    key_id = new_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    other = peer("ECC_NIST_P256")
    (tmp_path / "peer.pem").write_bytes(
        other.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp_path / "kms.der").write_bytes(client.get_public_key(KeyId=key_id)["PublicKey"])
    run = subprocess.run(
        [
            openssl,
            "pkeyutl",
            "-derive",
            "-inkey",
            "peer.pem",
            "-peerkey",
            "kms.der",
            "-peerform",
            "DER",
            "-out",
            "z.bin",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    expected = (tmp_path / "z.bin").read_bytes()
    assert len(expected) == 32
    assert derive(client, key_id, der(other.public_key()))["SharedSecret"] == expected


# Peer public keys KMS cannot use -----------------------------------------------------


@pytest.mark.parametrize(
    "public_key",
    [b"junk", b"\x30\x03\x02\x01\x01", b"\x04" + b"\x01" * 64],
    ids=["text", "der-integer", "raw-point"],
)
def test_derive_shared_secret_unparseable_public_key_raises_validation_with_empty_message(
    client, public_key
):
    key_id = new_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    assert refused(lambda: derive(client, key_id, public_key)) == ("ValidationException", "")


def test_derive_shared_secret_point_not_on_curve_raises_validation(client):
    key_id = new_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    valid = der(peer("ECC_NIST_P256").public_key())
    # Changing y moves the point off the curve (y^2 = x^3 - 3x + b has at most two y per x).
    off_curve = valid[:-1] + bytes([valid[-1] ^ 0x01])
    with pytest.raises(ValueError, match="Invalid key"):
        serialization.load_der_public_key(off_curve)
    assert refused(lambda: derive(client, key_id, off_curve)) == ("ValidationException", "")


def test_derive_shared_secret_public_key_in_pem_raises_validation(client):
    key_id = new_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    pem = (
        peer("ECC_NIST_P256")
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    assert refused(lambda: derive(client, key_id, pem)) == ("ValidationException", "")


@pytest.mark.parametrize(
    ("spec", "peer_curve"),
    [
        ("ECC_NIST_P256", ec.SECP384R1()),
        ("ECC_NIST_P256", ec.SECP256K1()),
        ("ECC_NIST_P384", ec.SECP521R1()),
        ("ECC_NIST_P521", ec.SECP256R1()),
    ],
    ids=["p256-p384", "p256-k1", "p384-p521", "p521-p256"],
)
def test_derive_shared_secret_peer_on_other_curve_raises_validation(client, spec, peer_curve):
    # Rejected (docs/kms-behaviour.md#key-agreement). Unverified against AWS: the exception; kmsmock
    # answers like an unusable key.
    key_id = new_key(client, spec, "KEY_AGREEMENT")
    other = ec.generate_private_key(peer_curve)
    assert refused(lambda: derive(client, key_id, der(other.public_key()))) == (
        "ValidationException",
        "",
    )


@pytest.mark.parametrize("kind", ["rsa", "ed25519"])
def test_derive_shared_secret_peer_key_not_ec_raises_validation(client, kind):
    key_id = new_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    if kind == "rsa":
        public: Any = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    else:
        public = ed25519.Ed25519PrivateKey.generate().public_key()
    assert refused(lambda: derive(client, key_id, der(public))) == ("ValidationException", "")


# Key usage, algorithm, sizes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("ECC_NIST_P521", "SIGN_VERIFY"),
        ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
        ("RSA_2048", "ENCRYPT_DECRYPT"),
        ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ],
)
def test_derive_shared_secret_key_without_key_agreement_usage_raises_invalid_key_usage(
    client, spec, usage
):
    key_id = new_key(client, spec, usage)
    public_key = der(peer("ECC_NIST_P256").public_key())
    assert refused(lambda: derive(client, key_id, public_key)) == (
        "InvalidKeyUsageException",
        f"{key_arn(key_id)} key usage is {usage} which is not valid for DeriveSharedSecret.",
    )


def test_derive_shared_secret_unknown_algorithm_raises_enum_validation(unchecked_client):
    key_id = new_key(unchecked_client, "ECC_NIST_P256", "KEY_AGREEMENT")
    public_key = der(peer("ECC_NIST_P256").public_key())
    assert refused(
        lambda: unchecked_client.derive_shared_secret(
            KeyId=key_id, KeyAgreementAlgorithm="INVALID", PublicKey=public_key
        )
    ) == (
        "ValidationException",
        "1 validation error detected: Value 'INVALID' at 'keyAgreementAlgorithm' failed to "
        "satisfy constraint: Member must satisfy enum value set: [ECDH]",
    )


@pytest.mark.parametrize(
    ("public_key", "constraint"),
    [(b"", "greater than or equal to 1"), (b"\x30" * 8193, "less than or equal to 8192")],
    ids=["empty", "8193-bytes"],
)
def test_derive_shared_secret_public_key_length_outside_model_raises_validation(
    unchecked_client, public_key, constraint
):
    key_id = new_key(unchecked_client, "ECC_NIST_P256", "KEY_AGREEMENT")
    assert refused(lambda: derive(unchecked_client, key_id, public_key)) == (
        "ValidationException",
        "1 validation error detected: Value at 'publicKey' failed to satisfy constraint: "
        f"Member must have length {constraint}",
    )


# DryRun, identifiers, key state, last usage ------------------------------------------


def test_derive_shared_secret_dry_run_raises_dry_run(client):
    key_id = new_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    public_key = der(peer("ECC_NIST_P256").public_key())
    assert refused(lambda: derive(client, key_id, public_key, DryRun=True)) == DRY_RUN
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"] == {}


def test_derive_shared_secret_dry_run_signing_key_raises_invalid_key_usage(client):
    key_id = new_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    public_key = der(peer("ECC_NIST_P256").public_key())
    assert refused(lambda: derive(client, key_id, public_key, DryRun=True)) == (
        "InvalidKeyUsageException",
        f"{key_arn(key_id)} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.",
    )


@pytest.mark.parametrize("form", ["id", "arn", "alias", "alias-arn"])
def test_derive_shared_secret_every_key_id_form_answers_key_arn(client, form):
    key_id = new_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    client.create_alias(AliasName="alias/agree", TargetKeyId=key_id)
    identifier = {
        "id": key_id,
        "arn": key_arn(key_id),
        "alias": "alias/agree",
        "alias-arn": f"{ARN_PREFIX}:alias/agree",
    }[form]
    other = peer("ECC_NIST_P256")
    response = derive(client, identifier, der(other.public_key()))
    assert response["KeyId"] == key_arn(key_id)
    assert response["SharedSecret"] == other.exchange(ec.ECDH(), kms_public(client, key_id))


def test_derive_shared_secret_disabled_key_raises_disabled(client):
    key_id = new_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    client.disable_key(KeyId=key_id)
    public_key = der(peer("ECC_NIST_P256").public_key())
    assert refused(lambda: derive(client, key_id, public_key)) == (
        "DisabledException",
        f"{key_arn(key_id)} is disabled.",
    )


def test_derive_shared_secret_get_key_last_usage_shows_operation(client):
    key_id = new_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    response = derive(client, key_id, der(peer("ECC_NIST_P256").public_key()))
    usage = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    assert (usage["Operation"], usage["KmsRequestId"]) == (
        "DeriveSharedSecret",
        response["ResponseMetadata"]["RequestId"],
    )


def test_derive_shared_secret_unusable_public_key_is_not_recorded_as_use(client):
    key_id = new_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    assert refused(lambda: derive(client, key_id, b"junk")) == ("ValidationException", "")
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"] == {}
