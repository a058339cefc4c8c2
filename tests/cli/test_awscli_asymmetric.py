"""The AWS CLI v1, in-process against kmsmock, for the asymmetric, HMAC and key agreement
commands, with ``fileb://`` inputs as users type them."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from tests.cli._cli import Aws, b64, failed, key_arn, ok

MESSAGE = b"signed from the command line\n"


def create_key(aws: Aws, spec: str, usage: str) -> str:
    run = aws("kms", "create-key", "--key-spec", spec, "--key-usage", usage)
    key_id: str = ok(run)["KeyMetadata"]["KeyId"]
    return key_id


def public_key(aws: Aws, key_id: str) -> Any:
    printed = ok(aws("kms", "get-public-key", "--key-id", key_id))
    return serialization.load_der_public_key(b64(printed["PublicKey"]))


# Sign / Verify / GetPublicKey ------------------------------------------------------


def test_cli_get_public_key_prints_base64_der_and_metadata(aws):
    key_id = create_key(aws, "ECC_NIST_P256", "SIGN_VERIFY")
    printed = ok(aws("kms", "get-public-key", "--key-id", key_id))
    assert printed == {
        "KeyId": key_arn(key_id),
        "PublicKey": printed["PublicKey"],
        "CustomerMasterKeySpec": "ECC_NIST_P256",
        "KeySpec": "ECC_NIST_P256",
        "KeyUsage": "SIGN_VERIFY",
        "SigningAlgorithms": ["ECDSA_SHA_256"],
    }
    public = serialization.load_der_public_key(b64(printed["PublicKey"]))
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert isinstance(public.curve, ec.SECP256R1)


def test_cli_sign_fileb_message_prints_signature_that_verifies_offline_and_in_cli(aws, fileb):
    key_id = create_key(aws, "ECC_NIST_P384", "SIGN_VERIFY")
    message = fileb("message.txt", MESSAGE)
    printed = ok(
        aws(
            "kms",
            "sign",
            "--key-id",
            key_id,
            "--message",
            message,
            "--message-type",
            "RAW",
            "--signing-algorithm",
            "ECDSA_SHA_384",
        )
    )
    assert printed == {
        "KeyId": key_arn(key_id),
        "Signature": printed["Signature"],
        "SigningAlgorithm": "ECDSA_SHA_384",
    }
    signature = b64(printed["Signature"])
    public_key(aws, key_id).verify(signature, MESSAGE, ec.ECDSA(hashes.SHA384()))
    verified = ok(
        aws(
            "kms",
            "verify",
            "--key-id",
            key_id,
            "--message",
            message,
            "--signature",
            fileb("signature.bin", signature),
            "--signing-algorithm",
            "ECDSA_SHA_384",
        )
    )
    assert verified == {
        "KeyId": key_arn(key_id),
        "SignatureValid": True,
        "SigningAlgorithm": "ECDSA_SHA_384",
    }


def test_cli_sign_digest_rsa_pss_verifies_offline(aws, fileb):
    key_id = create_key(aws, "RSA_2048", "SIGN_VERIFY")
    digest = fileb("digest.bin", hashlib.sha256(MESSAGE).digest())
    printed = ok(
        aws(
            "kms",
            "sign",
            "--key-id",
            key_id,
            "--message",
            digest,
            "--message-type",
            "DIGEST",
            "--signing-algorithm",
            "RSASSA_PSS_SHA_256",
        )
    )
    signature = b64(printed["Signature"])
    assert len(signature) == 256
    public = public_key(aws, key_id)
    assert isinstance(public, rsa.RSAPublicKey)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    public.verify(signature, MESSAGE, pss, hashes.SHA256())


def test_cli_sign_ed25519_query_text_output_is_base64_signature(aws, fileb):
    key_id = create_key(aws, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY")
    run = aws(
        "kms",
        "sign",
        "--key-id",
        key_id,
        "--message",
        fileb("message.txt", MESSAGE),
        "--signing-algorithm",
        "ED25519_SHA_512",
        "--query",
        "Signature",
        output="text",
    )
    assert (run.rc, run.err) == (0, "")
    signature = b64(run.out.strip())
    assert len(signature) == 64
    public = public_key(aws, key_id)
    assert isinstance(public, ed25519.Ed25519PublicKey)
    public.verify(signature, MESSAGE)


def test_cli_verify_other_message_prints_invalid_signature(aws, fileb):
    key_id = create_key(aws, "ECC_NIST_P256", "SIGN_VERIFY")
    printed = ok(
        aws(
            "kms",
            "sign",
            "--key-id",
            key_id,
            "--message",
            fileb("message.txt", MESSAGE),
            "--signing-algorithm",
            "ECDSA_SHA_256",
        )
    )
    run = aws(
        "kms",
        "verify",
        "--key-id",
        key_id,
        "--message",
        fileb("other.txt", b"other"),
        "--signature",
        fileb("signature.bin", b64(printed["Signature"])),
        "--signing-algorithm",
        "ECDSA_SHA_256",
    )
    failed(run, "KMSInvalidSignatureException", "Verify", "")


def test_cli_sign_wrong_digest_length_prints_validation_error(aws, fileb):
    key_id = create_key(aws, "ECC_NIST_P256", "SIGN_VERIFY")
    run = aws(
        "kms",
        "sign",
        "--key-id",
        key_id,
        "--message",
        fileb("digest.bin", b"\x01" * 20),
        "--message-type",
        "DIGEST",
        "--signing-algorithm",
        "ECDSA_SHA_256",
    )
    failed(
        run, "ValidationException", "Sign", "Digest is invalid length for algorithm ECDSA_SHA_256."
    )


# Data key pairs ----------------------------------------------------------------------


def test_cli_generate_data_key_pair_prints_matching_base64_keys(aws, fileb):
    key_id = ok(aws("kms", "create-key"))["KeyMetadata"]["KeyId"]
    printed = ok(
        aws(
            "kms",
            "generate-data-key-pair",
            "--key-id",
            key_id,
            "--key-pair-spec",
            "ECC_NIST_P256",
            "--encryption-context",
            "app=cli",
        )
    )
    material = ok(aws("kms", "describe-key", "--key-id", key_id))["KeyMetadata"][
        "CurrentKeyMaterialId"
    ]
    assert printed == {
        "PrivateKeyCiphertextBlob": printed["PrivateKeyCiphertextBlob"],
        "PrivateKeyPlaintext": printed["PrivateKeyPlaintext"],
        "PublicKey": printed["PublicKey"],
        "KeyId": key_arn(key_id),
        "KeyPairSpec": "ECC_NIST_P256",
        "KeyMaterialId": material,
    }
    private_der = b64(printed["PrivateKeyPlaintext"])
    private = serialization.load_der_private_key(private_der, password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    assert private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == b64(printed["PublicKey"])
    blob = fileb("private.enc", b64(printed["PrivateKeyCiphertextBlob"]))
    decrypted = ok(
        aws("kms", "decrypt", "--ciphertext-blob", blob, "--encryption-context", "app=cli")
    )
    assert b64(decrypted["Plaintext"]) == private_der


def test_cli_generate_data_key_pair_without_plaintext_prints_no_private_key(aws, fileb):
    key_id = ok(aws("kms", "create-key"))["KeyMetadata"]["KeyId"]
    printed = ok(
        aws(
            "kms",
            "generate-data-key-pair-without-plaintext",
            "--key-id",
            key_id,
            "--key-pair-spec",
            "ECC_NIST_EDWARDS25519",
        )
    )
    assert sorted(printed) == [
        "KeyId",
        "KeyMaterialId",
        "KeyPairSpec",
        "PrivateKeyCiphertextBlob",
        "PublicKey",
    ]
    assert printed["KeyPairSpec"] == "ECC_NIST_EDWARDS25519"
    blob = fileb("private.enc", b64(printed["PrivateKeyCiphertextBlob"]))
    private_der = b64(ok(aws("kms", "decrypt", "--ciphertext-blob", blob))["Plaintext"])
    private = serialization.load_der_private_key(private_der, password=None)
    assert isinstance(private, ed25519.Ed25519PrivateKey)
    assert private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == b64(printed["PublicKey"])


# MAC ---------------------------------------------------------------------------------


def test_cli_generate_mac_then_verify_mac(aws, fileb):
    key_id = create_key(aws, "HMAC_384", "GENERATE_VERIFY_MAC")
    message = fileb("message.txt", MESSAGE)
    printed = ok(
        aws(
            "kms",
            "generate-mac",
            "--key-id",
            key_id,
            "--message",
            message,
            "--mac-algorithm",
            "HMAC_SHA_384",
        )
    )
    assert printed == {
        "Mac": printed["Mac"],
        "MacAlgorithm": "HMAC_SHA_384",
        "KeyId": key_arn(key_id),
    }
    tag = b64(printed["Mac"])
    assert len(tag) == 48
    verified = ok(
        aws(
            "kms",
            "verify-mac",
            "--key-id",
            key_id,
            "--message",
            message,
            "--mac-algorithm",
            "HMAC_SHA_384",
            "--mac",
            fileb("mac.bin", tag),
        )
    )
    assert verified == {"KeyId": key_arn(key_id), "MacValid": True, "MacAlgorithm": "HMAC_SHA_384"}
    run = aws(
        "kms",
        "verify-mac",
        "--key-id",
        key_id,
        "--message",
        message,
        "--mac-algorithm",
        "HMAC_SHA_384",
        "--mac",
        fileb("short.bin", tag[:-1]),
    )
    failed(run, "KMSInvalidMacException", "VerifyMac", "")


# Key agreement -----------------------------------------------------------------------


def test_cli_derive_shared_secret_matches_offline_ecdh(aws, fileb):
    key_id = create_key(aws, "ECC_NIST_P521", "KEY_AGREEMENT")
    peer = ec.generate_private_key(ec.SECP521R1())
    peer_der = peer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    printed = ok(
        aws(
            "kms",
            "derive-shared-secret",
            "--key-id",
            key_id,
            "--key-agreement-algorithm",
            "ECDH",
            "--public-key",
            fileb("peer.der", peer_der),
        )
    )
    assert printed == {
        "KeyId": key_arn(key_id),
        "SharedSecret": printed["SharedSecret"],
        "KeyAgreementAlgorithm": "ECDH",
        "KeyOrigin": "AWS_KMS",
    }
    secret = b64(printed["SharedSecret"])
    assert len(secret) == 66
    assert secret == peer.exchange(ec.ECDH(), public_key(aws, key_id))


# RSA encryption ----------------------------------------------------------------------


def test_cli_encrypt_then_decrypt_with_rsa_key(aws, fileb):
    key_id = create_key(aws, "RSA_2048", "ENCRYPT_DECRYPT")
    printed = ok(
        aws(
            "kms",
            "encrypt",
            "--key-id",
            key_id,
            "--plaintext",
            fileb("plain.txt", MESSAGE),
            "--encryption-algorithm",
            "RSAES_OAEP_SHA_256",
        )
    )
    assert printed == {
        "CiphertextBlob": printed["CiphertextBlob"],
        "KeyId": key_arn(key_id),
        "EncryptionAlgorithm": "RSAES_OAEP_SHA_256",
    }
    blob = b64(printed["CiphertextBlob"])
    assert len(blob) == 256
    decrypted = ok(
        aws(
            "kms",
            "decrypt",
            "--key-id",
            key_id,
            "--ciphertext-blob",
            fileb("cipher.bin", blob),
            "--encryption-algorithm",
            "RSAES_OAEP_SHA_256",
        )
    )
    assert decrypted == {
        "KeyId": key_arn(key_id),
        "Plaintext": base64.b64encode(MESSAGE).decode(),
        "EncryptionAlgorithm": "RSAES_OAEP_SHA_256",
    }


def test_cli_decrypt_ciphertext_made_offline_with_rsa_public_key(aws, fileb):
    key_id = create_key(aws, "RSA_3072", "ENCRYPT_DECRYPT")
    public = public_key(aws, key_id)
    assert isinstance(public, rsa.RSAPublicKey)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    blob = public.encrypt(MESSAGE, oaep)
    decrypted = ok(
        aws(
            "kms",
            "decrypt",
            "--key-id",
            key_id,
            "--ciphertext-blob",
            fileb("cipher.bin", blob),
            "--encryption-algorithm",
            "RSAES_OAEP_SHA_1",
            "--query",
            "Plaintext",
        )
    )
    assert b64(decrypted) == MESSAGE


def test_cli_encrypt_rsa_key_without_algorithm_prints_invalid_key_usage(aws, fileb):
    key_id = create_key(aws, "RSA_4096", "ENCRYPT_DECRYPT")
    run = aws("kms", "encrypt", "--key-id", key_id, "--plaintext", fileb("plain.txt", MESSAGE))
    failed(
        run,
        "InvalidKeyUsageException",
        "Encrypt",
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_4096.",
    )
