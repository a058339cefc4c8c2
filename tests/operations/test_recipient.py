"""The Recipient parameter (AWS Nitro Enclaves, NitroTPM) on Decrypt, GenerateDataKey,
GenerateDataKeyPair, GenerateRandom and DeriveSharedSecret:
CiphertextForRecipient is opened here with the enclave's private key, by a BER reader
of this file (and by `openssl cms` where installed), never by kmsmock."""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import padding as symmetric_padding
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests._support import (
    ACCOUNT,
    DRY_RUN,
    REGION,
    assert_valid_output,
    body,
    key_arn,
    refused,
)

INVALID_DOCUMENT = (
    "ValidationException",
    "The attestation document in the Recipient parameter is not valid.",
)
IMAGE = bytes(range(48))


@functools.cache
def enclave_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def spki(private: Any) -> bytes:
    der: bytes = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


def recipient(kms_mock: Any, **options: Any) -> dict[str, Any]:
    document = kms_mock.attestation_document(spki(enclave_key()), **options)
    return {"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256", "AttestationDocument": document}


# A BER reader of this test's own: (tag, value, end) of the element at ``at``. ---------


def read(data: bytes, at: int) -> tuple[int, bytes, int]:
    tag, first = data[at], data[at + 1]
    at += 2
    if first == 0x80:  # indefinite length: the elements up to the end-of-contents octets
        start = at
        while data[at : at + 2] != b"\x00\x00":
            at = read(data, at)[2]
        return tag, data[start:at], at + 2
    if first & 0x80:
        size = int.from_bytes(data[at : at + (first & 0x7F)], "big")
        at += first & 0x7F
    else:
        size = first
    return tag, data[at : at + size], at + size


def elements(data: bytes) -> list[tuple[int, bytes]]:
    found, at = [], 0
    while at < len(data):
        tag, value, at = read(data, at)
        found.append((tag, value))
    return found


OID = {
    "enveloped-data": bytes.fromhex("2a864886f70d010703"),
    "data": bytes.fromhex("2a864886f70d010701"),
    "rsaes-oaep": bytes.fromhex("2a864886f70d010107"),
    "mgf1": bytes.fromhex("2a864886f70d010108"),
    "sha256": bytes.fromhex("608648016503040201"),
    "aes-256-cbc": bytes.fromhex("60864801650304012a"),
}


def open_envelope(envelope: bytes, private: rsa.RSAPrivateKey) -> bytes:
    """RFC 5652 EnvelopedData opened with the enclave's private key, checking its layout:
    one KeyTransRecipientInfo naming the key by subjectKeyIdentifier, RSAES-OAEP with
    SHA-256, AES-256-CBC content."""
    tag, content_info, end = read(envelope, 0)
    assert (tag, end) == (0x30, len(envelope))
    (oid_tag, content_type), (explicit, inner) = elements(content_info)
    assert (oid_tag, content_type, explicit) == (0x06, OID["enveloped-data"], 0xA0)
    [(sequence, enveloped)] = elements(inner)
    version, recipient_infos, encrypted_content_info = elements(enveloped)
    assert (sequence, version) == (0x30, (0x02, b"\x02"))
    assert recipient_infos[0] == 0x31
    [(_, ktri)] = elements(recipient_infos[1])
    ktri_version, rid, algorithm, encrypted_key = elements(ktri)
    assert ktri_version == (0x02, b"\x02")
    public_bits = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    assert rid == (0x80, hashlib.sha1(public_bits).digest())
    oaep_oid, oaep_params = elements(algorithm[1])
    assert oaep_oid == (0x06, OID["rsaes-oaep"])
    hash_algorithm, mask_algorithm = elements(oaep_params[1])
    assert elements(elements(hash_algorithm[1])[0][1]) == [(0x06, OID["sha256"])]
    mgf = elements(elements(mask_algorithm[1])[0][1])
    assert mgf[0] == (0x06, OID["mgf1"])
    assert elements(mgf[1][1]) == [(0x06, OID["sha256"])]
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    content_key = private.decrypt(encrypted_key[1], oaep)
    assert len(content_key) == 32
    data_type, cipher, encrypted = elements(encrypted_content_info[1])
    assert data_type == (0x06, OID["data"])
    cipher_oid, iv = elements(cipher[1])
    assert cipher_oid == (0x06, OID["aes-256-cbc"])
    assert encrypted[0] == 0xA0
    ciphertext = b"".join(chunk for _, chunk in elements(encrypted[1]))
    decryptor = Cipher(algorithms.AES(content_key), modes.CBC(iv[1])).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = symmetric_padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


# Each operation ------------------------------------------------------------------------


def test_decrypt_recipient_returns_envelope_without_plaintext(client, kms_mock, key_id):
    blob = client.encrypt(KeyId=key_id, Plaintext=b"enclave secret")["CiphertextBlob"]
    response = client.decrypt(CiphertextBlob=blob, Recipient=recipient(kms_mock))
    assert_valid_output("Decrypt", response)
    envelope = response["CiphertextForRecipient"]
    assert body(response) == {
        "KeyId": key_arn(key_id),
        "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "CiphertextForRecipient": envelope,
    }
    assert open_envelope(envelope, enclave_key()) == b"enclave secret"


def test_generate_data_key_recipient_envelopes_the_data_key(client, kms_mock, key_id):
    response = client.generate_data_key(
        KeyId=key_id, KeySpec="AES_256", Recipient=recipient(kms_mock)
    )
    assert_valid_output("GenerateDataKey", response)
    assert set(body(response)) == {"CiphertextBlob", "KeyId", "CiphertextForRecipient"}
    data_key = open_envelope(response["CiphertextForRecipient"], enclave_key())
    assert len(data_key) == 32
    assert client.decrypt(CiphertextBlob=response["CiphertextBlob"])["Plaintext"] == data_key


def test_generate_data_key_pair_recipient_envelopes_the_private_key(client, kms_mock, key_id):
    response = client.generate_data_key_pair(
        KeyId=key_id, KeyPairSpec="ECC_NIST_P256", Recipient=recipient(kms_mock)
    )
    assert_valid_output("GenerateDataKeyPair", response)
    assert set(body(response)) == {
        "PrivateKeyCiphertextBlob",
        "PublicKey",
        "KeyId",
        "KeyPairSpec",
        "KeyMaterialId",
        "CiphertextForRecipient",
    }
    pkcs8 = open_envelope(response["CiphertextForRecipient"], enclave_key())
    private = serialization.load_der_private_key(pkcs8, password=None)
    assert spki(private) == response["PublicKey"]
    stored = client.decrypt(CiphertextBlob=response["PrivateKeyCiphertextBlob"])["Plaintext"]
    assert stored == pkcs8


def test_generate_random_recipient_envelopes_the_bytes(client, kms_mock):
    response = client.generate_random(NumberOfBytes=24, Recipient=recipient(kms_mock))
    assert_valid_output("GenerateRandom", response)
    assert set(body(response)) == {"CiphertextForRecipient"}
    assert len(open_envelope(response["CiphertextForRecipient"], enclave_key())) == 24


def test_derive_shared_secret_recipient_envelopes_the_secret(client, kms_mock):
    key_id = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"][
        "KeyId"
    ]
    peer = ec.generate_private_key(ec.SECP256R1())
    response = client.derive_shared_secret(
        KeyId=key_id,
        KeyAgreementAlgorithm="ECDH",
        PublicKey=spki(peer),
        Recipient=recipient(kms_mock),
    )
    assert_valid_output("DeriveSharedSecret", response)
    assert set(body(response)) == {
        "KeyId",
        "KeyAgreementAlgorithm",
        "KeyOrigin",
        "CiphertextForRecipient",
    }
    kms_public = serialization.load_der_public_key(client.get_public_key(KeyId=key_id)["PublicKey"])
    assert isinstance(kms_public, ec.EllipticCurvePublicKey)
    expected = peer.exchange(ec.ECDH(), kms_public)
    assert open_envelope(response["CiphertextForRecipient"], enclave_key()) == expected


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_decrypt_recipient_envelope_opens_with_openssl_cms(client, kms_mock, key_id, tmp_path):
    blob = client.encrypt(KeyId=key_id, Plaintext=b"opened by openssl")["CiphertextBlob"]
    envelope = client.decrypt(CiphertextBlob=blob, Recipient=recipient(kms_mock))[
        "CiphertextForRecipient"
    ]
    key_file, envelope_file = Path(tmp_path, "enclave.pem"), Path(tmp_path, "envelope.ber")
    key_file.write_bytes(
        enclave_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    envelope_file.write_bytes(envelope)
    command = ["openssl", "cms", "-decrypt", "-inform", "DER", "-in", str(envelope_file)]
    opened = subprocess.run([*command, "-inkey", str(key_file)], capture_output=True, check=True)
    assert opened.stdout == b"opened by openssl"


# Attestation documents ------------------------------------------------------------------


def cbor(value: Any) -> bytes:
    """CBOR (RFC 8949) of ints, bytes, str, lists, dicts and None, for documents made
    here rather than by kmsmock."""

    def head(major: int, n: int) -> bytes:
        if n < 24:
            return bytes([major << 5 | n])
        size = next(s for s in (1, 2, 4, 8) if n < 1 << (8 * s))
        return bytes([major << 5 | {1: 24, 2: 25, 4: 26, 8: 27}[size]]) + n.to_bytes(size, "big")

    if value is None:
        return b"\xf6"
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        return head(3, len(value.encode())) + value.encode()
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(cbor(v) for v in value)
    assert isinstance(value, dict)
    return head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())


def own_document(public_key: bytes, *, tamper: bool = False) -> bytes:
    """A COSE_Sign1 document (tagged 18) signed here with a self-made P-384 certificate."""
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    signer = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test enclave")])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(signer.public_key())
        .serial_number(7)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(signer, hashes.SHA384())
        .public_bytes(serialization.Encoding.DER)
    )
    payload = cbor(
        {
            "module_id": "i-0fedcba9876543210-enc0fedcba987654321",
            "digest": "SHA384",
            "timestamp": 1764547200000,
            "pcrs": {0: IMAGE, 1: bytes(48), 2: bytes(48)},
            "certificate": certificate,
            "cabundle": [certificate],
            "public_key": public_key,
            "user_data": None,
            "nonce": None,
        }
    )
    protected = cbor({1: -35})
    r, s = decode_dss_signature(
        signer.sign(cbor(["Signature1", protected, b"", payload]), ec.ECDSA(hashes.SHA384()))
    )
    if tamper:
        payload = payload.replace(IMAGE, bytes(48))
    return b"\xd2" + cbor([protected, {}, payload, r.to_bytes(48, "big") + s.to_bytes(48, "big")])


def test_decrypt_recipient_accepts_document_made_outside_kmsmock(client, key_id):
    blob = client.encrypt(KeyId=key_id, Plaintext=b"tagged COSE")["CiphertextBlob"]
    document = own_document(spki(enclave_key()))
    response = client.decrypt(
        CiphertextBlob=blob,
        Recipient={"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256", "AttestationDocument": document},
    )
    assert open_envelope(response["CiphertextForRecipient"], enclave_key()) == b"tagged COSE"


# name -> attestation document that is not valid
BAD_DOCUMENTS: dict[str, Callable[[Any], bytes]] = {
    "not-cbor": lambda kms_mock: b"\xff\x00garbage",
    "cbor-but-not-cose": lambda kms_mock: cbor({"public_key": spki(enclave_key())}),
    "payload-changed-after-signing": lambda kms_mock: own_document(
        spki(enclave_key()), tamper=True
    ),
    "ec-public-key": lambda kms_mock: kms_mock.attestation_document(
        spki(ec.generate_private_key(ec.SECP256R1()))
    ),
    "public-key-not-der": lambda kms_mock: kms_mock.attestation_document(b"not a key"),
    "truncated": lambda kms_mock: kms_mock.attestation_document(spki(enclave_key()))[:-9],
    "indefinite-length-array": lambda kms_mock: b"\x9f\x40\xa0\x40\x40\xff",
    "nested-too-deeply": lambda kms_mock: b"\x81" * 200 + b"\x00",
    "cose-with-three-members": lambda kms_mock: cbor([b"", {}, b""]),
}


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
def test_decrypt_recipient_invalid_document_raises_validation(client, kms_mock, key_id, case):
    blob = client.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    document = BAD_DOCUMENTS[case](kms_mock)
    assert (
        refused(
            lambda: client.decrypt(CiphertextBlob=blob, Recipient={"AttestationDocument": document})
        )
        == INVALID_DOCUMENT
    )


def test_generate_random_recipient_invalid_document_raises_validation(client):
    assert (
        refused(
            lambda: client.generate_random(
                NumberOfBytes=8, Recipient={"AttestationDocument": b"\x84\x40\xa0\x40\x40"}
            )
        )
        == INVALID_DOCUMENT
    )


def test_generate_data_key_recipient_without_document_raises_validation(client, key_id):
    assert refused(
        lambda: client.generate_data_key(
            KeyId=key_id,
            NumberOfBytes=16,
            Recipient={"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256"},
        )
    ) == (
        "ValidationException",
        "1 validation error detected: Value null at 'recipient.attestationDocument' failed "
        "to satisfy constraint: Member must not be null",
    )


def test_generate_data_key_dry_run_with_recipient_raises_dry_run(client, kms_mock, key_id):
    assert (
        refused(
            lambda: client.generate_data_key(
                KeyId=key_id, KeySpec="AES_128", Recipient=recipient(kms_mock), DryRun=True
            )
        )
        == DRY_RUN
    )
    assert (
        refused(
            lambda: client.generate_data_key(
                KeyId=key_id,
                KeySpec="AES_128",
                Recipient={"AttestationDocument": b"\x00"},
                DryRun=True,
            )
        )
        == INVALID_DOCUMENT
    )


# kms:RecipientAttestation:* under enforce_policies ------------------------------------

ADMIN = f"arn:aws:iam::{ACCOUNT}:user/admin"
ENCLAVE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/enclave"


@pytest.fixture
def as_enclave(kms_mock: Any) -> tuple[Any, Any]:
    """(admin client, enclave role client) under enforce_policies."""
    clients = []
    for number, principal in enumerate((ADMIN, ENCLAVE_ROLE)):
        access_key_id = f"AKIARECIPIENT{number:07d}"
        kms_mock.identities.add(access_key_id, account_id=ACCOUNT, arn=principal)
        clients.append(
            boto3.client(
                "kms",
                region_name=REGION,
                aws_access_key_id=access_key_id,
                aws_secret_access_key="x",
            )
        )
    return clients[0], clients[1]


def guarded_key(admin: Any, condition: dict[str, Any]) -> str:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ADMIN}, "Action": "kms:*", "Resource": "*"},
            {
                "Effect": "Allow",
                "Principal": {"AWS": ENCLAVE_ROLE},
                "Action": "kms:GenerateDataKey",
                "Resource": "*",
                "Condition": condition,
            },
        ],
    }
    arn: str = admin.create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]
    return arn


def not_allowed(key: str) -> tuple[str, str]:
    return (
        "AccessDeniedException",
        f"User: {ENCLAVE_ROLE} is not authorized to perform: kms:GenerateDataKey on resource: "
        f"{key} because no resource-based policy allows the kms:GenerateDataKey action",
    )


# name -> (condition, attestation document options that match, options that do not)
CONDITIONS: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    "image-sha384": (
        {"StringEqualsIgnoreCase": {"kms:RecipientAttestation:ImageSha384": IMAGE.hex()}},
        {"pcrs": {0: IMAGE}},
        {"pcrs": {0: bytes(48)}},
    ),
    "pcr-n": (
        {"StringEquals": {"kms:RecipientAttestation:PCR4": IMAGE.hex()}},
        {"pcrs": {0: bytes(48), 4: IMAGE}},
        {"pcrs": {0: bytes(48), 4: bytes(48)}},
    ),
    "nitro-tpm-pcr-n": (
        {"StringEquals": {"kms:RecipientAttestation:NitroTPMPCR7": IMAGE.hex()}},
        {"pcrs": {7: IMAGE}, "nitro_tpm": True},
        {"pcrs": {7: IMAGE}},  # the same PCR in an enclave's document is not a TPM's
    ),
}


@pytest.mark.kms_mock(enforce_policies=True)
@pytest.mark.parametrize("case", sorted(CONDITIONS))
def test_generate_data_key_recipient_attestation_condition(kms_mock, as_enclave, case):
    admin, enclave = as_enclave
    condition, matching, other = CONDITIONS[case]
    key = guarded_key(admin, condition)

    def call(**extra: Any) -> Any:
        return enclave.generate_data_key(KeyId=key, NumberOfBytes=32, **extra)

    response = call(Recipient=recipient(kms_mock, **matching))
    assert len(open_envelope(response["CiphertextForRecipient"], enclave_key())) == 32
    assert refused(lambda: call(Recipient=recipient(kms_mock, **other))) == not_allowed(key)
    assert refused(call) == not_allowed(key)
