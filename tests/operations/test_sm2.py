"""SM2 keys, which exist in the China Regions only: GetPublicKey, SM2DSA signatures, SM2PKE
encryption, ECDH key agreement and SM2 data key pairs, through boto3 in cn-north-1.

Checked independently with the ``openssl`` CLI where it can: it reads the public keys and
private keys, verifies the signatures, and encrypts what KMS decrypts. OpenSSL 3.0 has no
ECDH for SM2 keys, so the peer side of DeriveSharedSecret is computed with kmsmock's own
``_sm2``, which tests/test_sm2.py checks against the standard's worked examples.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

from kmsmock.crypto import sm2 as _sm2
from tests._support import (
    CHINA,
    DRY_RUN,
    REGION,
    assert_valid_output,
    body,
    error,
    key_arn,
    new_key,
    refused,
)

MESSAGE = b"The quick brown fox jumps over the lazy dog"
PLAINTEXT = b"attack at dawn"
CONTEXT = {"purpose": "sm2 data key pair"}
# The signer's distinguishing ID KMS uses for SM2DSA (GB/T 32918.2's default), written
# out here rather than taken from kmsmock.
KMS_ID = "1234567812345678"
OWN_ID = "alice@example.com"
# DER SubjectPublicKeyInfo up to the point: { id-ecPublicKey, the SM2 curve
# 1.2.156.10197.1.301 } and a BIT STRING of 66 bytes (no unused bits, 04 || x || y).
SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")
USAGES = {
    "SIGN_VERIFY": ("SigningAlgorithms", ["SM2DSA"]),
    "ENCRYPT_DECRYPT": ("EncryptionAlgorithms", ["SM2PKE"]),
    "KEY_AGREEMENT": ("KeyAgreementAlgorithms", ["ECDH"]),
}


@pytest.fixture
def china(kms_mock: Any) -> Any:
    """A KMS client in cn-north-1, where SM2 keys can be made."""
    return boto3.client("kms", region_name=CHINA)


# KMS helpers ---------------------------------------------------------------------------


def public_der(client: Any, key_id: str) -> bytes:
    der: bytes = client.get_public_key(KeyId=key_id)["PublicKey"]
    return der


def sm2_public(client: Any, key_id: str) -> _sm2.PublicKey:
    public = _sm2.load_spki(public_der(client, key_id))
    assert public is not None
    return public


def sign(client: Any, key_id: str, message: bytes, **extra: Any) -> bytes:
    signature: bytes = client.sign(
        KeyId=key_id, Message=message, SigningAlgorithm="SM2DSA", **extra
    )["Signature"]
    return signature


def verify_in_kms(
    client: Any, key_id: str, message: bytes, signature: bytes, **extra: Any
) -> dict[str, Any]:
    response = client.verify(
        KeyId=key_id, Message=message, Signature=signature, SigningAlgorithm="SM2DSA", **extra
    )
    assert_valid_output("Verify", response)
    return body(response)


def valid(key_id: str) -> dict[str, Any]:
    return {
        "KeyId": key_arn(key_id, region=CHINA),
        "SignatureValid": True,
        "SigningAlgorithm": "SM2DSA",
    }


def sign_or_verify(client: Any, operation: str, **params: Any) -> Any:
    """Call Sign, or Verify with a placeholder signature, with the same parameters."""
    if operation == "Sign":
        return client.sign(**params)
    return client.verify(Signature=b"\x30\x06\x02\x01\x01\x02\x01\x01", **params)


def encrypt(client: Any, key_id: str, plaintext: bytes) -> bytes:
    blob: bytes = client.encrypt(KeyId=key_id, Plaintext=plaintext, EncryptionAlgorithm="SM2PKE")[
        "CiphertextBlob"
    ]
    return blob


def decrypt(client: Any, key_id: str, blob: bytes) -> dict[str, Any]:
    response = client.decrypt(KeyId=key_id, CiphertextBlob=blob, EncryptionAlgorithm="SM2PKE")
    assert_valid_output("Decrypt", response)
    return body(response)


def decrypted(key_id: str, plaintext: bytes) -> dict[str, Any]:
    # No KeyMaterialId: asymmetric keys have none.
    return {
        "KeyId": key_arn(key_id, region=CHINA),
        "Plaintext": plaintext,
        "EncryptionAlgorithm": "SM2PKE",
    }


def derive(client: Any, key_id: str, public_key: bytes, **extra: Any) -> Any:
    return client.derive_shared_secret(
        KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=public_key, **extra
    )


def current_material(client: Any, key_id: str) -> str:
    material: str = client.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    return material


def last_operation(client: Any, key_id: str) -> str | None:
    usage = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    return str(usage["Operation"]) if usage else None


def p256_der() -> bytes:
    der: bytes = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return der


# The openssl CLI -----------------------------------------------------------------------


@cache
def openssl_has_sm2(openssl: str) -> bool:
    """Whether the local openssl lists SM2 keys and the SM3 digest."""
    listed = [
        subprocess.run([openssl, "list", kind], capture_output=True, text=True, check=False).stdout
        for kind in ("-public-key-algorithms", "-digest-algorithms")
    ]
    return "SM2" in listed[0].upper() and "SM3" in listed[1].upper()


class OpenSSL:
    """The openssl CLI, run in one test's tmp_path."""

    def __init__(self, executable: str, directory: Path) -> None:
        self.executable = executable
        self.directory = directory

    def write(self, name: str, data: bytes) -> str:
        (self.directory / name).write_bytes(data)
        return name

    def read(self, name: str) -> bytes:
        return (self.directory / name).read_bytes()

    def run(self, command: str) -> subprocess.CompletedProcess[bytes]:
        """Run ``openssl command`` (arguments split at spaces) in the directory."""
        return subprocess.run(
            [self.executable, *command.split()],
            cwd=self.directory,
            capture_output=True,
            check=False,
        )

    def ok(self, command: str) -> bytes:
        """The standard output of a command that must succeed."""
        done = self.run(command)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        return done.stdout

    def text(self, command: str) -> str:
        return self.ok(command).decode()

    # SM2 with SM3, as KMS uses them.

    def verify(
        self, public: bytes, message: bytes, signature: bytes, distid: str = KMS_ID
    ) -> subprocess.CompletedProcess[bytes]:
        self.write("pub.der", public)
        self.write("msg.bin", message)
        self.write("sig.bin", signature)
        return self.run(
            f"dgst -sm3 -verify pub.der -keyform DER -sigopt distid:{distid} "
            "-signature sig.bin msg.bin"
        )

    def sign(self, private: bytes, message: bytes, distid: str = KMS_ID) -> bytes:
        self.write("priv.der", private)
        self.write("msg.bin", message)
        self.ok(
            f"dgst -sm3 -sign priv.der -keyform DER -sigopt distid:{distid} -out sig.bin msg.bin"
        )
        return self.read("sig.bin")

    def encrypt(self, public: bytes, plaintext: bytes) -> bytes:
        self.write("pub.der", public)
        self.write("plain.bin", plaintext)
        self.ok("pkeyutl -encrypt -pubin -inkey pub.der -keyform DER -in plain.bin -out cipher.bin")
        return self.read("cipher.bin")

    def decrypt(self, private: bytes, ciphertext: bytes) -> bytes:
        self.write("priv.der", private)
        self.write("cipher.bin", ciphertext)
        return self.ok("pkeyutl -decrypt -inkey priv.der -keyform DER -in cipher.bin")

    def public_of(self, private: bytes) -> bytes:
        """The DER SubjectPublicKeyInfo of a DER PKCS #8 private key."""
        self.write("priv.der", private)
        return self.ok("pkey -inform DER -in priv.der -pubout -outform DER")


def require_openssl() -> str:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl CLI on PATH")
    if not openssl_has_sm2(openssl):
        pytest.skip("the local openssl does not support SM2 and SM3")
    return openssl


@pytest.fixture
def openssl(tmp_path: Path) -> OpenSSL:
    return OpenSSL(require_openssl(), tmp_path)


def text_field(text: str, name: str) -> bytes:
    """The colon-separated hex dump under ``name:`` in ``openssl pkey -text`` output."""
    lines = text.splitlines()
    start = lines.index(f"{name}:") + 1
    dump = []
    for line in lines[start:]:
        if not line.startswith(" "):
            break
        dump.append(line.strip().replace(":", ""))
    return bytes.fromhex("".join(dump))


# GetPublicKey ----------------------------------------------------------------------------


@pytest.mark.parametrize("usage", sorted(USAGES))
def test_create_key_sm2_get_public_key_answers_spki_and_metadata(china, usage):
    field, algorithms = USAGES[usage]
    metadata = china.create_key(KeySpec="SM2", KeyUsage=usage)["KeyMetadata"]
    key_id = metadata["KeyId"]
    assert (metadata["Arn"], metadata["KeySpec"], metadata["KeyUsage"], metadata[field]) == (
        key_arn(key_id, region=CHINA),
        "SM2",
        usage,
        algorithms,
    )
    response = china.get_public_key(KeyId=key_id)
    assert_valid_output("GetPublicKey", response)
    der = response["PublicKey"]
    assert body(response) == {
        "KeyId": key_arn(key_id, region=CHINA),
        "PublicKey": der,
        "CustomerMasterKeySpec": "SM2",
        "KeySpec": "SM2",
        "KeyUsage": usage,
        field: algorithms,
    }
    assert len(der) == len(SPKI_PREFIX) + 65
    assert der.startswith(SPKI_PREFIX + b"\x04")
    public = _sm2.load_spki(der)
    assert public is not None
    assert public.point() == der[len(SPKI_PREFIX) :]


@pytest.mark.parametrize("usage", sorted(USAGES))
def test_get_public_key_sm2_reads_in_openssl_as_key_on_sm2_curve(china, openssl, usage):
    key_id = new_key(china, "SM2", usage)
    der = public_der(china, key_id)
    openssl.write("pub.der", der)
    text = openssl.text("pkey -pubin -inform DER -in pub.der -text -noout")
    assert "Public-Key: (256 bit)" in text
    assert "ASN1 OID: SM2" in text
    assert text_field(text, "pub") == der[-65:]
    # OpenSSL writes the same DER back: the encoding is the canonical one.
    rewritten = openssl.ok("pkey -pubin -inform DER -in pub.der -outform DER")
    assert rewritten == der


def test_get_public_key_two_sm2_keys_differ(china):
    first = public_der(china, new_key(china, "SM2", "SIGN_VERIFY"))
    second = public_der(china, new_key(china, "SM2", "SIGN_VERIFY"))
    assert first != second


# SM2DSA: RAW ---------------------------------------------------------------------------


def test_sign_sm2dsa_raw_message_verifies_in_kms(china):
    key_id = new_key(china, "SM2", "SIGN_VERIFY")
    response = china.sign(
        KeyId=key_id, Message=MESSAGE, MessageType="RAW", SigningAlgorithm="SM2DSA"
    )
    assert_valid_output("Sign", response)
    signature = response["Signature"]
    assert body(response) == {
        "KeyId": key_arn(key_id, region=CHINA),
        "Signature": signature,
        "SigningAlgorithm": "SM2DSA",
    }
    assert verify_in_kms(china, key_id, MESSAGE, signature) == valid(key_id)
    assert verify_in_kms(china, key_id, MESSAGE, signature, MessageType="RAW") == valid(key_id)
    # RAW signs e = SM3(Z_A || M) with KMS's distinguishing ID; DIGEST takes that e as is.
    e = _sm2.message_digest(sm2_public(china, key_id), MESSAGE, KMS_ID.encode())
    assert verify_in_kms(china, key_id, e, signature, MessageType="DIGEST") == valid(key_id)


def test_sign_sm2dsa_raw_signature_verifies_with_openssl(china, openssl):
    key_id = new_key(china, "SM2", "SIGN_VERIFY")
    signature = sign(china, key_id, MESSAGE, MessageType="RAW")
    der = public_der(china, key_id)
    good = openssl.verify(der, MESSAGE, signature)
    assert (good.returncode, good.stdout.strip()) == (0, b"Verified OK"), good.stderr
    other_message = openssl.verify(der, MESSAGE + b".", signature)
    assert other_message.returncode != 0
    assert b"Verification failure" in other_message.stdout + other_message.stderr
    # The signature binds KMS's distinguishing ID: under another ID it does not verify.
    other_id = openssl.verify(der, MESSAGE, signature, distid=OWN_ID)
    assert other_id.returncode != 0
    assert b"Verification failure" in other_id.stdout + other_id.stderr


def test_sign_sm2dsa_gives_new_signature_each_time(china, openssl):
    key_id = new_key(china, "SM2", "SIGN_VERIFY")
    signatures = {sign(china, key_id, MESSAGE) for _ in range(3)}
    assert len(signatures) == 3
    der = public_der(china, key_id)
    for signature in signatures:
        assert openssl.verify(der, MESSAGE, signature).returncode == 0


def test_sign_sm2dsa_message_of_4096_bytes_verifies_with_openssl(china, openssl):
    key_id = new_key(china, "SM2", "SIGN_VERIFY")
    message = bytes(range(256)) * 16
    signature = sign(china, key_id, message)
    good = openssl.verify(public_der(china, key_id), message, signature)
    assert good.returncode == 0, good.stderr
    assert verify_in_kms(china, key_id, message, signature) == valid(key_id)


# SM2DSA: DIGEST ------------------------------------------------------------------------


def test_sign_sm2dsa_digest_with_own_distinguishing_id_verifies_with_openssl(china, openssl):
    key_id = new_key(china, "SM2", "SIGN_VERIFY")
    e = _sm2.message_digest(sm2_public(china, key_id), MESSAGE, OWN_ID.encode())
    response = china.sign(KeyId=key_id, Message=e, MessageType="DIGEST", SigningAlgorithm="SM2DSA")
    assert_valid_output("Sign", response)
    signature = response["Signature"]
    assert body(response) == {
        "KeyId": key_arn(key_id, region=CHINA),
        "Signature": signature,
        "SigningAlgorithm": "SM2DSA",
    }
    der = public_der(china, key_id)
    good = openssl.verify(der, MESSAGE, signature, distid=OWN_ID)
    assert (good.returncode, good.stdout.strip()) == (0, b"Verified OK"), good.stderr
    assert openssl.verify(der, MESSAGE, signature).returncode != 0
    assert verify_in_kms(china, key_id, e, signature, MessageType="DIGEST") == valid(key_id)
    # RAW verification uses KMS's own ID, not the one the digest was made with.
    assert refused(lambda: verify_in_kms(china, key_id, MESSAGE, signature)) == (
        "KMSInvalidSignatureException",
        "",
    )


# SM2DSA: signatures that do not verify ---------------------------------------------------


@pytest.mark.parametrize("index", [0, 10, -1], ids=["der-tag", "in-r", "last-byte-of-s"])
def test_verify_sm2dsa_signature_changed_in_one_byte_raises_invalid_signature(china, index):
    key_id = new_key(china, "SM2", "SIGN_VERIFY")
    signature = bytearray(sign(china, key_id, MESSAGE))
    signature[index] ^= 0x01
    assert refused(lambda: verify_in_kms(china, key_id, MESSAGE, bytes(signature))) == (
        "KMSInvalidSignatureException",
        "",
    )


def test_verify_sm2dsa_other_message_raises_invalid_signature(china):
    key_id = new_key(china, "SM2", "SIGN_VERIFY")
    signature = sign(china, key_id, MESSAGE)
    with pytest.raises(china.exceptions.KMSInvalidSignatureException) as info:
        china.verify(
            KeyId=key_id, Message=MESSAGE + b".", Signature=signature, SigningAlgorithm="SM2DSA"
        )
    assert error(info.value) == ("KMSInvalidSignatureException", "")


def test_verify_sm2dsa_signature_of_other_sm2_key_raises_invalid_signature(china):
    signer = new_key(china, "SM2", "SIGN_VERIFY")
    other = new_key(china, "SM2", "SIGN_VERIFY")
    signature = sign(china, signer, MESSAGE)
    assert refused(lambda: verify_in_kms(china, other, MESSAGE, signature)) == (
        "KMSInvalidSignatureException",
        "",
    )


# SM2DSA: requests KMS refuses ------------------------------------------------------------


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
@pytest.mark.parametrize("length", [31, 33])
def test_sign_verify_sm2dsa_digest_of_wrong_length_raises_validation(china, operation, length):
    key_id = new_key(china, "SM2", "SIGN_VERIFY")
    assert refused(
        lambda: sign_or_verify(
            china,
            operation,
            KeyId=key_id,
            Message=b"\x01" * length,
            MessageType="DIGEST",
            SigningAlgorithm="SM2DSA",
        )
    ) == ("ValidationException", "Digest is invalid length for algorithm SM2DSA.")


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
def test_sign_verify_sm2dsa_external_mu_raises_validation(china, operation):
    key_id = new_key(china, "SM2", "SIGN_VERIFY")
    assert refused(
        lambda: sign_or_verify(
            china,
            operation,
            KeyId=key_id,
            Message=b"\x01" * 64,
            MessageType="EXTERNAL_MU",
            SigningAlgorithm="SM2DSA",
        )
    ) == (
        "ValidationException",
        "MessageType EXTERNAL_MU is not valid for signing algorithm SM2DSA.",
    )


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
@pytest.mark.parametrize("algorithm", ["ECDSA_SHA_256", "RSASSA_PSS_SHA_256", "ED25519_SHA_512"])
def test_sign_verify_sm2_key_other_algorithm_raises_invalid_key_usage(china, operation, algorithm):
    key_id = new_key(china, "SM2", "SIGN_VERIFY")
    assert refused(
        lambda: sign_or_verify(
            china, operation, KeyId=key_id, Message=MESSAGE, SigningAlgorithm=algorithm
        )
    ) == ("InvalidKeyUsageException", f"Algorithm {algorithm} is incompatible with key spec SM2.")


@pytest.mark.parametrize("operation", ["Sign", "Verify"])
@pytest.mark.parametrize("usage", ["ENCRYPT_DECRYPT", "KEY_AGREEMENT"])
def test_sign_verify_sm2_key_without_sign_verify_usage_raises_invalid_key_usage(
    china, operation, usage
):
    key_id = new_key(china, "SM2", usage)
    assert refused(
        lambda: sign_or_verify(
            china, operation, KeyId=key_id, Message=MESSAGE, SigningAlgorithm="SM2DSA"
        )
    ) == (
        "InvalidKeyUsageException",
        f"{key_arn(key_id, region=CHINA)} key usage is {usage} which is not valid for {operation}.",
    )


# SM2PKE: round trips ---------------------------------------------------------------------


def test_encrypt_decrypt_sm2pke_round_trip_returns_plaintext(china):
    key_id = new_key(china, "SM2", "ENCRYPT_DECRYPT")
    response = china.encrypt(KeyId=key_id, Plaintext=PLAINTEXT, EncryptionAlgorithm="SM2PKE")
    assert_valid_output("Encrypt", response)
    blob = response["CiphertextBlob"]
    assert body(response) == {
        "CiphertextBlob": blob,
        "KeyId": key_arn(key_id, region=CHINA),
        "EncryptionAlgorithm": "SM2PKE",
    }
    # Randomized: a new ephemeral key each time.
    assert encrypt(china, key_id, PLAINTEXT) != blob
    assert decrypt(china, key_id, blob) == decrypted(key_id, PLAINTEXT)


def test_encrypt_sm2pke_ciphertext_is_der_sm2_cipher(china, openssl):
    """GM/T 0009's SEQUENCE {x, y, SM3 hash, ciphertext}, with (x, y) on the SM2 curve."""
    key_id = new_key(china, "SM2", "ENCRYPT_DECRYPT")
    openssl.write("cipher.der", encrypt(china, key_id, PLAINTEXT))
    parsed = openssl.text("asn1parse -inform DER -in cipher.der")
    fields = re.findall(
        r"d=1\s+hl=\d+\s+l=\s*(\d+)\s+prim:\s*(INTEGER|OCTET STRING)\s+(?:\[HEX DUMP\])?:(\w+)",
        parsed,
    )
    assert [kind for _, kind, _ in fields] == ["INTEGER", "INTEGER", "OCTET STRING", "OCTET STRING"]
    (_, _, x), (_, _, y), (hash_length, _, _), (data_length, _, _) = fields
    assert _sm2.on_curve(_sm2.SM2_P256, int(x, 16), int(y, 16))
    assert (int(hash_length), int(data_length)) == (32, len(PLAINTEXT))


def test_decrypt_sm2pke_ciphertext_made_by_openssl_returns_plaintext(china, openssl):
    key_id = new_key(china, "SM2", "ENCRYPT_DECRYPT")
    blob = openssl.encrypt(public_der(china, key_id), PLAINTEXT)
    assert decrypt(china, key_id, blob) == decrypted(key_id, PLAINTEXT)


def test_encrypt_sm2pke_1024_bytes_round_trips_1025_raises_validation(china):
    key_id = new_key(china, "SM2", "ENCRYPT_DECRYPT")
    largest = bytes(range(256)) * 4
    blob = encrypt(china, key_id, largest)
    assert decrypt(china, key_id, blob) == decrypted(key_id, largest)
    assert refused(lambda: encrypt(china, key_id, largest + b"!")) == (
        "ValidationException",
        "Algorithm SM2PKE and key spec SM2 cannot encrypt data larger than 1024 bytes.",
    )


def test_encrypt_one_byte_plaintext_round_trips(china):
    key_id = new_key(china, "SM2", "ENCRYPT_DECRYPT")
    assert decrypt(china, key_id, encrypt(china, key_id, b"\x00")) == decrypted(key_id, b"\x00")


# SM2PKE: ciphertext that does not decrypt ------------------------------------------------


@pytest.mark.parametrize(
    "damage", ["flip_first_byte", "flip_in_x", "flip_last_byte", "truncate", "extend"]
)
def test_decrypt_damaged_sm2pke_ciphertext_raises_invalid_ciphertext(china, damage):
    key_id = new_key(china, "SM2", "ENCRYPT_DECRYPT")
    blob = encrypt(china, key_id, PLAINTEXT)
    damaged = {
        "flip_first_byte": bytes([blob[0] ^ 0x01]) + blob[1:],
        "flip_in_x": blob[:10] + bytes([blob[10] ^ 0x01]) + blob[11:],
        "flip_last_byte": blob[:-1] + bytes([blob[-1] ^ 0x01]),
        "truncate": blob[:-1],
        "extend": blob + b"\x00",
    }[damage]
    assert refused(lambda: decrypt(china, key_id, damaged)) == ("InvalidCiphertextException", "")


def test_decrypt_sm2pke_ciphertext_of_other_sm2_key_raises_invalid_ciphertext(china):
    first = new_key(china, "SM2", "ENCRYPT_DECRYPT")
    second = new_key(china, "SM2", "ENCRYPT_DECRYPT")
    blob = encrypt(china, first, PLAINTEXT)
    assert refused(lambda: decrypt(china, second, blob)) == ("InvalidCiphertextException", "")


# SM2PKE: algorithms, usage, encryption context --------------------------------------------


@pytest.mark.parametrize("operation", ["Encrypt", "Decrypt"])
@pytest.mark.parametrize("algorithm", [None, "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_256"])
def test_encrypt_decrypt_sm2_key_other_algorithm_raises_invalid_key_usage(
    china, operation, algorithm
):
    key_id = new_key(china, "SM2", "ENCRYPT_DECRYPT")
    blob = encrypt(china, key_id, PLAINTEXT)
    extra = {} if algorithm is None else {"EncryptionAlgorithm": algorithm}
    call = {
        "Encrypt": lambda: china.encrypt(KeyId=key_id, Plaintext=PLAINTEXT, **extra),
        "Decrypt": lambda: china.decrypt(KeyId=key_id, CiphertextBlob=blob, **extra),
    }[operation]
    named = algorithm or "SYMMETRIC_DEFAULT"
    assert refused(call) == (
        "InvalidKeyUsageException",
        f"Algorithm {named} is incompatible with key spec SM2.",
    )


@pytest.mark.parametrize(
    ("spec", "usage"), [("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"), ("RSA_2048", "ENCRYPT_DECRYPT")]
)
def test_encrypt_other_key_spec_with_sm2pke_raises_invalid_key_usage(china, spec, usage):
    key_id = new_key(china, spec, usage)
    assert refused(
        lambda: china.encrypt(KeyId=key_id, Plaintext=PLAINTEXT, EncryptionAlgorithm="SM2PKE")
    ) == ("InvalidKeyUsageException", f"Algorithm SM2PKE is incompatible with key spec {spec}.")


@pytest.mark.parametrize("operation", ["Encrypt", "Decrypt"])
@pytest.mark.parametrize("usage", ["SIGN_VERIFY", "KEY_AGREEMENT"])
def test_encrypt_decrypt_sm2_key_without_encrypt_decrypt_usage_raises_invalid_key_usage(
    china, operation, usage
):
    key_id = new_key(china, "SM2", usage)
    call = {
        "Encrypt": lambda: china.encrypt(
            KeyId=key_id, Plaintext=PLAINTEXT, EncryptionAlgorithm="SM2PKE"
        ),
        "Decrypt": lambda: china.decrypt(
            KeyId=key_id, CiphertextBlob=b"\x30" * 120, EncryptionAlgorithm="SM2PKE"
        ),
    }[operation]
    assert refused(call) == (
        "InvalidKeyUsageException",
        f"{key_arn(key_id, region=CHINA)} key usage is {usage} which is not valid for {operation}.",
    )


@pytest.mark.parametrize("operation", ["Encrypt", "Decrypt"])
def test_encrypt_decrypt_sm2_key_with_encryption_context_raises_validation(china, operation):
    key_id = new_key(china, "SM2", "ENCRYPT_DECRYPT")
    blob = encrypt(china, key_id, PLAINTEXT)
    common = {"KeyId": key_id, "EncryptionAlgorithm": "SM2PKE", "EncryptionContext": CONTEXT}
    call = {
        "Encrypt": lambda: china.encrypt(Plaintext=PLAINTEXT, **common),
        "Decrypt": lambda: china.decrypt(CiphertextBlob=blob, **common),
    }[operation]
    assert refused(call) == (
        "ValidationException",
        "EncryptionContext is not supported with asymmetric KMS keys.",
    )


# ReEncrypt -------------------------------------------------------------------------------


def test_re_encrypt_sm2pke_to_symmetric_and_back_returns_plaintext(china):
    sm2 = new_key(china, "SM2", "ENCRYPT_DECRYPT")
    symmetric = new_key(china)
    material = current_material(china, symmetric)
    blob = encrypt(china, sm2, PLAINTEXT)

    to_symmetric = china.re_encrypt(
        CiphertextBlob=blob,
        SourceKeyId=sm2,
        SourceEncryptionAlgorithm="SM2PKE",
        DestinationKeyId=symmetric,
    )
    assert_valid_output("ReEncrypt", to_symmetric)
    assert body(to_symmetric) == {
        "CiphertextBlob": to_symmetric["CiphertextBlob"],
        "SourceKeyId": key_arn(sm2, region=CHINA),
        "KeyId": key_arn(symmetric, region=CHINA),
        "SourceEncryptionAlgorithm": "SM2PKE",
        "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "DestinationKeyMaterialId": material,
    }
    assert china.decrypt(CiphertextBlob=to_symmetric["CiphertextBlob"])["Plaintext"] == PLAINTEXT

    back = china.re_encrypt(
        CiphertextBlob=to_symmetric["CiphertextBlob"],
        DestinationKeyId=sm2,
        DestinationEncryptionAlgorithm="SM2PKE",
    )
    assert_valid_output("ReEncrypt", back)
    assert body(back) == {
        "CiphertextBlob": back["CiphertextBlob"],
        "SourceKeyId": key_arn(symmetric, region=CHINA),
        "KeyId": key_arn(sm2, region=CHINA),
        "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "DestinationEncryptionAlgorithm": "SM2PKE",
        "SourceKeyMaterialId": material,
    }
    assert back["CiphertextBlob"] != blob
    assert decrypt(china, sm2, back["CiphertextBlob"]) == decrypted(sm2, PLAINTEXT)


def test_re_encrypt_sm2pke_to_other_sm2_key_returns_plaintext(china):
    source = new_key(china, "SM2", "ENCRYPT_DECRYPT")
    destination = new_key(china, "SM2", "ENCRYPT_DECRYPT")
    response = china.re_encrypt(
        CiphertextBlob=encrypt(china, source, PLAINTEXT),
        SourceKeyId=source,
        SourceEncryptionAlgorithm="SM2PKE",
        DestinationKeyId=destination,
        DestinationEncryptionAlgorithm="SM2PKE",
    )
    assert_valid_output("ReEncrypt", response)
    assert body(response) == {
        "CiphertextBlob": response["CiphertextBlob"],
        "SourceKeyId": key_arn(source, region=CHINA),
        "KeyId": key_arn(destination, region=CHINA),
        "SourceEncryptionAlgorithm": "SM2PKE",
        "DestinationEncryptionAlgorithm": "SM2PKE",
    }
    assert decrypt(china, destination, response["CiphertextBlob"]) == decrypted(
        destination, PLAINTEXT
    )


# DeriveSharedSecret ----------------------------------------------------------------------


def test_derive_shared_secret_sm2_equals_peer_side_exchange(china):
    key_id = new_key(china, "SM2", "KEY_AGREEMENT")
    peer = _sm2.generate(os.urandom)
    response = derive(china, key_id, _sm2.spki(peer.public))
    assert_valid_output("DeriveSharedSecret", response)
    secret = response["SharedSecret"]
    assert body(response) == {
        "KeyId": key_arn(key_id, region=CHINA),
        "SharedSecret": secret,
        "KeyAgreementAlgorithm": "ECDH",
        "KeyOrigin": "AWS_KMS",
    }
    assert len(secret) == 32
    assert secret == _sm2.exchange(peer, sm2_public(china, key_id))
    # The same peer gives the same secret; another peer another one.
    assert derive(china, key_id, _sm2.spki(peer.public))["SharedSecret"] == secret
    other = _sm2.generate(os.urandom)
    assert derive(china, key_id, _sm2.spki(other.public))["SharedSecret"] != secret


def test_derive_shared_secret_sm2_peer_key_made_by_openssl(china, openssl):
    key_id = new_key(china, "SM2", "KEY_AGREEMENT")
    openssl.ok("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:SM2 -out p.pem")
    text = openssl.text("pkey -in p.pem -text -noout")
    assert "ASN1 OID: SM2" in text
    peer = _sm2.private_key(int.from_bytes(text_field(text, "priv"), "big"))
    # The scalar was read right: it gives the public point openssl printed.
    assert peer.public.point() == text_field(text, "pub")
    peer_der = openssl.ok("pkey -in p.pem -pubout -outform DER")
    secret = derive(china, key_id, peer_der)["SharedSecret"]
    assert secret == _sm2.exchange(peer, sm2_public(china, key_id))


def test_derive_shared_secret_two_sm2_keys_agree_with_each_other(china):
    first = new_key(china, "SM2", "KEY_AGREEMENT")
    second = new_key(china, "SM2", "KEY_AGREEMENT")
    one = derive(china, first, public_der(china, second))["SharedSecret"]
    two = derive(china, second, public_der(china, first))["SharedSecret"]
    assert one == two
    assert len(one) == 32


def test_derive_shared_secret_sm2_key_p256_peer_raises_validation(china):
    key_id = new_key(china, "SM2", "KEY_AGREEMENT")
    assert refused(lambda: derive(china, key_id, p256_der())) == ("ValidationException", "")


def test_derive_shared_secret_sm2_key_peer_off_curve_raises_validation(china):
    key_id = new_key(china, "SM2", "KEY_AGREEMENT")
    valid_der = _sm2.spki(_sm2.generate(os.urandom).public)
    off_curve = valid_der[:-1] + bytes([valid_der[-1] ^ 0x01])
    assert _sm2.load_spki(off_curve) is None
    assert refused(lambda: derive(china, key_id, off_curve)) == ("ValidationException", "")


def test_derive_shared_secret_p256_key_sm2_peer_raises_validation(kms_mock):
    client = boto3.client("kms", region_name=REGION)
    key_id = new_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    peer_der = _sm2.spki(_sm2.generate(os.urandom).public)
    assert refused(lambda: derive(client, key_id, peer_der)) == ("ValidationException", "")


@pytest.mark.parametrize("usage", ["SIGN_VERIFY", "ENCRYPT_DECRYPT"])
def test_derive_shared_secret_sm2_key_without_key_agreement_usage_raises_invalid_key_usage(
    china, usage
):
    key_id = new_key(china, "SM2", usage)
    peer_der = _sm2.spki(_sm2.generate(os.urandom).public)
    assert refused(lambda: derive(china, key_id, peer_der)) == (
        "InvalidKeyUsageException",
        f"{key_arn(key_id, region=CHINA)} key usage is {usage} "
        "which is not valid for DeriveSharedSecret.",
    )


# Data key pairs --------------------------------------------------------------------------


def test_generate_data_key_pair_sm2_answers_pair_and_decryptable_ciphertext(china):
    key_id = new_key(china)
    response = china.generate_data_key_pair(
        KeyId=key_id, KeyPairSpec="SM2", EncryptionContext=CONTEXT
    )
    assert_valid_output("GenerateDataKeyPair", response)
    private_der = response["PrivateKeyPlaintext"]
    material = current_material(china, key_id)
    assert body(response) == {
        "PrivateKeyCiphertextBlob": response["PrivateKeyCiphertextBlob"],
        "PrivateKeyPlaintext": private_der,
        "PublicKey": response["PublicKey"],
        "KeyId": key_arn(key_id, region=CHINA),
        "KeyPairSpec": "SM2",
        "KeyMaterialId": material,
    }
    assert _sm2.load_spki(response["PublicKey"]) is not None
    plain = china.decrypt(
        CiphertextBlob=response["PrivateKeyCiphertextBlob"], EncryptionContext=CONTEXT
    )
    assert_valid_output("Decrypt", plain)
    assert body(plain) == {
        "KeyId": key_arn(key_id, region=CHINA),
        "Plaintext": private_der,
        "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "KeyMaterialId": material,
    }


def test_generate_data_key_pair_sm2_private_key_works_in_openssl(china, openssl):
    key_id = new_key(china)
    response = china.generate_data_key_pair(KeyId=key_id, KeyPairSpec="SM2")
    private_der, public = response["PrivateKeyPlaintext"], response["PublicKey"]
    openssl.write("priv.der", private_der)
    text = openssl.text("pkey -inform DER -in priv.der -text -noout")
    assert "ASN1 OID: SM2" in text
    assert text_field(text, "pub") == public[-65:]
    assert openssl.public_of(private_der) == public
    # DER PKCS #8 as OpenSSL writes it.
    rewritten = openssl.ok("pkcs8 -topk8 -nocrypt -inform DER -in priv.der -outform DER")
    assert rewritten == private_der
    # The pair signs and encrypts.
    message = b"made with the data key pair"
    signature = openssl.sign(private_der, message)
    sm2_public = _sm2.load_spki(public)
    assert sm2_public is not None
    assert _sm2.verify(sm2_public, _sm2.message_digest(sm2_public, message), signature)
    assert openssl.verify(public, message, signature).returncode == 0
    assert openssl.decrypt(private_der, openssl.encrypt(public, PLAINTEXT)) == PLAINTEXT


def test_generate_data_key_pair_without_plaintext_sm2_ciphertext_holds_private_key(china, openssl):
    key_id = new_key(china)
    response = china.generate_data_key_pair_without_plaintext(
        KeyId=key_id, KeyPairSpec="SM2", EncryptionContext=CONTEXT
    )
    assert_valid_output("GenerateDataKeyPairWithoutPlaintext", response)
    public = response["PublicKey"]
    assert body(response) == {
        "PrivateKeyCiphertextBlob": response["PrivateKeyCiphertextBlob"],
        "PublicKey": public,
        "KeyId": key_arn(key_id, region=CHINA),
        "KeyPairSpec": "SM2",
        "KeyMaterialId": current_material(china, key_id),
    }
    private_der = china.decrypt(
        CiphertextBlob=response["PrivateKeyCiphertextBlob"], EncryptionContext=CONTEXT
    )["Plaintext"]
    assert openssl.public_of(private_der) == public


def test_generate_data_key_pair_sm2_two_calls_give_different_pairs(china):
    key_id = new_key(china)
    first = china.generate_data_key_pair(KeyId=key_id, KeyPairSpec="SM2")
    second = china.generate_data_key_pair(KeyId=key_id, KeyPairSpec="SM2")
    assert first["PublicKey"] != second["PublicKey"]
    assert first["PrivateKeyPlaintext"] != second["PrivateKeyPlaintext"]


# DryRun ----------------------------------------------------------------------------------


DRY_RUN_USAGES = {
    "Sign": "SIGN_VERIFY",
    "Verify": "SIGN_VERIFY",
    "Encrypt": "ENCRYPT_DECRYPT",
    "Decrypt": "ENCRYPT_DECRYPT",
    "DeriveSharedSecret": "KEY_AGREEMENT",
}


def dry_run(client: Any, operation: str, key_id: str) -> Any:
    """Call ``operation`` with DryRun on a key of the right usage, with valid input."""
    if operation == "Sign":
        return client.sign(KeyId=key_id, Message=MESSAGE, SigningAlgorithm="SM2DSA", DryRun=True)
    if operation == "Verify":
        return client.verify(
            KeyId=key_id,
            Message=MESSAGE,
            Signature=sign(client, key_id, MESSAGE),
            SigningAlgorithm="SM2DSA",
            DryRun=True,
        )
    if operation == "Encrypt":
        return client.encrypt(
            KeyId=key_id, Plaintext=PLAINTEXT, EncryptionAlgorithm="SM2PKE", DryRun=True
        )
    if operation == "Decrypt":
        return client.decrypt(
            KeyId=key_id,
            CiphertextBlob=encrypt(client, key_id, PLAINTEXT),
            EncryptionAlgorithm="SM2PKE",
            DryRun=True,
        )
    peer_der = _sm2.spki(_sm2.generate(os.urandom).public)
    return derive(client, key_id, peer_der, DryRun=True)


@pytest.mark.parametrize("operation", sorted(DRY_RUN_USAGES))
def test_sm2_key_dry_run_raises_dry_run_and_records_no_use(china, operation):
    key_id = new_key(china, "SM2", DRY_RUN_USAGES[operation])
    with pytest.raises(ClientError) as info:
        dry_run(china, operation, key_id)
    assert error(info.value) == DRY_RUN
    # Only the Sign or Encrypt that made the Verify's or Decrypt's input was a use.
    expected = {"Verify": "Sign", "Decrypt": "Encrypt"}.get(operation)
    assert last_operation(china, key_id) == expected


# Imported and seeded SM2 material ------------------------------------------------------


def test_import_sm2_material_signs_with_the_imported_key(china):
    key_id = china.create_key(KeySpec="SM2", KeyUsage="SIGN_VERIFY", Origin="EXTERNAL")[
        "KeyMetadata"
    ]["KeyId"]
    parameters = china.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    wrapping_key = serialization.load_der_public_key(parameters["PublicKey"])
    assert isinstance(wrapping_key, rsa.RSAPublicKey)
    own = _sm2.generate(os.urandom)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    response = china.import_key_material(
        KeyId=key_id,
        ImportToken=parameters["ImportToken"],
        EncryptedKeyMaterial=wrapping_key.encrypt(_sm2.pkcs8(own), oaep),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    assert body(response) == {"KeyId": key_arn(key_id, region=CHINA)}
    assert public_der(china, key_id) == _sm2.spki(own.public)
    signature = sign(china, key_id, b"imported")
    assert _sm2.verify(own.public, _sm2.message_digest(own.public, b"imported"), signature)


def test_import_sm2_material_refuses_a_p256_key(china):
    key_id = china.create_key(KeySpec="SM2", KeyUsage="SIGN_VERIFY", Origin="EXTERNAL")[
        "KeyMetadata"
    ]["KeyId"]
    parameters = china.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSA_AES_KEY_WRAP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    wrapping_key = serialization.load_der_public_key(parameters["PublicKey"])
    assert isinstance(wrapping_key, rsa.RSAPublicKey)
    p256 = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    aes_key = os.urandom(32)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    wrapped = wrapping_key.encrypt(aes_key, oaep) + aes_key_wrap_with_padding(aes_key, p256)
    code, _ = refused(
        lambda: china.import_key_material(
            KeyId=key_id,
            ImportToken=parameters["ImportToken"],
            EncryptedKeyMaterial=wrapped,
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        )
    )
    assert code == "IncorrectKeyMaterialException"
    assert china.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"


def test_seed_sm2_key_encrypts_for_the_given_private_key(kms_mock, china):
    own = _sm2.generate(os.urandom)
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    kms_mock.seed_key(
        key_id, _sm2.pkcs8(own), key_spec="SM2", key_usage="ENCRYPT_DECRYPT", region=CHINA
    )
    blob = encrypt(china, key_id, b"seeded")
    assert _sm2.decrypt(own, blob) == b"seeded"
