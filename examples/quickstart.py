"""A first look at kmsmock: real boto3 calls, answered in-process by a mocked KMS.

Run it with ``python examples/quickstart.py``; it needs no AWS account, credentials or network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

from kmsmock import mock_kms

if TYPE_CHECKING:
    from mypy_boto3_kms.literals import KeySpecType, KeyUsageTypeType

# (KeySpec, KeyUsage): every asymmetric or HMAC key must say what it is for.
KEY_SPECS: list[tuple[KeySpecType, KeyUsageTypeType]] = [
    ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
    ("RSA_2048", "SIGN_VERIFY"),
    ("ECC_NIST_P256", "SIGN_VERIFY"),
    ("HMAC_256", "GENERATE_VERIFY_MAC"),
]


def main() -> None:
    # seed=7 makes key IDs and random bytes the same on every run.
    with mock_kms(seed=7) as kms:
        # No region or credentials configured? kmsmock fills in fake ones while active.
        client = boto3.client("kms")
        print(f"Mocked KMS in account {kms.account_id}, region {client.meta.region_name}\n")

        print("Created keys:")
        arns = []
        for spec, usage in KEY_SPECS:
            metadata = client.create_key(
                KeySpec=spec, KeyUsage=usage, Description=f"quickstart {spec}"
            )["KeyMetadata"]
            arns.append(metadata["Arn"])
            print(f"  {metadata['KeyId']}  {spec:<18} {usage}")

        # DescribeKey takes the key ID or the key ARN.
        first_id = arns[0].rsplit("/", 1)[1]
        by_id = client.describe_key(KeyId=first_id)["KeyMetadata"]
        by_arn = client.describe_key(KeyId=arns[0])["KeyMetadata"]
        assert by_id == by_arn
        print("\nDescribeKey by ID and by ARN agree:")
        for field in ("Arn", "KeyState", "KeySpec", "EncryptionAlgorithms", "CreationDate"):
            print(f"  {field:<20} {by_id.get(field)}")

        # ListKeys pages with Marker/Truncated; the paginator follows them for us.
        paginator = client.get_paginator("list_keys")
        pages = paginator.paginate(PaginationConfig={"PageSize": 2})
        listed = [key["KeyArn"] for page in pages for key in page["Keys"]]
        assert sorted(listed) == sorted(arns)
        print(f"\nListKeys (pages of 2) found all {len(listed)} keys.")

        random_bytes = client.generate_random(NumberOfBytes=16)["Plaintext"]
        print(f"\nGenerateRandom(16): {random_bytes.hex()}")

        # Real cryptography: the ciphertext names its key, so Decrypt needs no KeyId, and
        # the encryption context must match exactly.
        context = {"purpose": "quickstart"}
        blob = client.encrypt(KeyId=arns[0], Plaintext=b"hello, KMS", EncryptionContext=context)
        plaintext = client.decrypt(CiphertextBlob=blob["CiphertextBlob"], EncryptionContext=context)
        print(f"\nEncrypt, then Decrypt without a KeyId: {plaintext['Plaintext']!r}")

        # A signature verifies outside KMS, with the public key from GetPublicKey.
        message = b"signed by KMS"
        signature = client.sign(KeyId=arns[2], Message=message, SigningAlgorithm="ECDSA_SHA_256")[
            "Signature"
        ]
        public_key = load_der_public_key(client.get_public_key(KeyId=arns[2])["PublicKey"])
        assert isinstance(public_key, ec.EllipticCurvePublicKey)
        public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        print("Sign with ECC_NIST_P256, verified offline with cryptography: ok")

        # Errors come back as AWS sends them: botocore raises ClientError with AWS's code
        # and message, and the client's modelled exception classes match them.
        missing = "1234abcd-12ab-34cd-56ef-1234567890ab"
        try:
            client.describe_key(KeyId=missing)
        except client.exceptions.NotFoundException as error:
            print(f"\nDescribeKey of a key that does not exist raised {type(error).__name__}:")
            print(f"  {error.response['Error']['Message']}")

        try:
            client.create_key(KeySpec="RSA_2048")
        except ClientError as error:
            code = error.response["Error"]["Code"]
            print(f"\nCreateKey(KeySpec='RSA_2048') without a KeyUsage raised {code}:")
            print(f"  {error.response['Error']['Message']}")


if __name__ == "__main__":
    main()
