"""Envelope encryption with KMS data keys, against a mocked KMS.

KMS encrypts at most 4 KiB, so files are encrypted locally with a data key: KMS
generates the key, returns it in plaintext and encrypted under a KMS key, the
plaintext key encrypts the file (AES-256-GCM) and is then forgotten. Only the
encrypted data key is stored next to the encrypted file; to read the file, KMS
decrypts the data key again. Decrypt needs no key ID: the encrypted data key
names the KMS key that made it.

Run it with ``python examples/envelope_encryption.py``; it needs no AWS account,
credentials or network.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kmsmock import mock_kms

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

ALIAS = "alias/documents"
NONCE_SIZE = 12


def encrypt_file(kms: KMSClient, source: Path, directory: Path) -> tuple[Path, Path]:
    """Encrypt ``source`` under a new data key; returns (encrypted file, encrypted data key)."""
    # The file's name goes into the encryption context: the data key only decrypts for it.
    context = {"file": source.name}
    data_key = kms.generate_data_key(KeyId=ALIAS, KeySpec="AES_256", EncryptionContext=context)
    print(f"GenerateDataKey under {data_key['KeyId']}")

    nonce = os.urandom(NONCE_SIZE)
    sealed = AESGCM(data_key["Plaintext"]).encrypt(nonce, source.read_bytes(), source.name.encode())
    encrypted_file = directory / f"{source.name}.enc"
    encrypted_key = directory / f"{source.name}.key"
    encrypted_file.write_bytes(nonce + sealed)
    encrypted_key.write_bytes(data_key["CiphertextBlob"])
    print(f"Wrote {encrypted_file.name} ({encrypted_file.stat().st_size} bytes)")
    print(f"Wrote {encrypted_key.name} ({encrypted_key.stat().st_size} bytes)")
    # The plaintext data key is not kept anywhere.
    del data_key
    return encrypted_file, encrypted_key


def decrypt_file(kms: KMSClient, encrypted_file: Path, encrypted_key: Path) -> bytes:
    """The original contents of ``encrypted_file``, using the stored encrypted data key."""
    name = encrypted_file.name.removesuffix(".enc")
    # No KeyId: the encrypted data key names its KMS key.
    response = kms.decrypt(
        CiphertextBlob=encrypted_key.read_bytes(), EncryptionContext={"file": name}
    )
    print(f"Decrypt of the data key used {response['KeyId']}")
    stored = encrypted_file.read_bytes()
    return AESGCM(response["Plaintext"]).decrypt(
        stored[:NONCE_SIZE], stored[NONCE_SIZE:], name.encode()
    )


def main() -> None:
    with mock_kms():
        kms = boto3.client("kms")
        key = kms.create_key(Description="protects documents")["KeyMetadata"]
        kms.create_alias(AliasName=ALIAS, TargetKeyId=key["KeyId"])
        print(f"Created KMS key {key['KeyId']} with alias {ALIAS}")

        with tempfile.TemporaryDirectory() as temp:
            directory = Path(temp)
            report = directory / "report.txt"
            contents = b"Quarterly figures\n" + b"revenue,42\n" * 2000
            report.write_bytes(contents)
            print(f"Encrypting {report.name} ({len(contents)} bytes)")

            encrypted_file, encrypted_key = encrypt_file(kms, report, directory)
            report.unlink()

            recovered = decrypt_file(kms, encrypted_file, encrypted_key)
            if recovered != contents:
                raise SystemExit("the decrypted file differs from the original")
            print(f"Decrypted {encrypted_file.name}: {len(recovered)} bytes, identical")


if __name__ == "__main__":
    main()
