"""Bring your own key material, replicate the key to a second Region, and grant its use.

Run from a checkout: ``python examples/bring_your_own_key.py``. Everything happens
against kmsmock: no AWS account and no network are needed.

1. Create a multi-Region key with no material (Origin EXTERNAL) and fetch a wrapping key.
2. Wrap 32 bytes of our own material offline with RSA-OAEP and import them.
3. Encrypt in us-east-1, replicate the key to eu-west-1, import the same material
   there, and decrypt in eu-west-1.
4. Grant an application role Decrypt, then retire the grant with its token.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import boto3
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kmsmock import mock_kms

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

APP_ROLE = "arn:aws:iam::123456789012:role/app"


def import_material(kms: KMSClient, key_id: str, material: bytes) -> str:
    """GetParametersForImport, wrap ``material`` offline, ImportKeyMaterial; the material ID."""
    parameters = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    wrapping_key = serialization.load_der_public_key(parameters["PublicKey"])
    assert isinstance(wrapping_key, rsa.RSAPublicKey)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    response = kms.import_key_material(
        KeyId=key_id,
        ImportToken=parameters["ImportToken"],
        EncryptedKeyMaterial=wrapping_key.encrypt(material, oaep),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    material_id: str = response["KeyMaterialId"]
    return material_id


def main() -> None:
    with mock_kms():
        east = boto3.client("kms", region_name="us-east-1")
        west = boto3.client("kms", region_name="eu-west-1")

        key = east.create_key(Origin="EXTERNAL", MultiRegion=True)["KeyMetadata"]
        key_id = key["KeyId"]
        print(f"Created {key_id}: {key['KeyState']}")

        material = os.urandom(32)  # in real life, from your own key management
        material_id = import_material(east, key_id, material)
        state = east.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
        print(f"Imported material {material_id[:16]}...: {state}")

        blob = east.encrypt(KeyId=key_id, Plaintext=b"quarterly numbers")["CiphertextBlob"]

        replica = east.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
        print(f"Replica in eu-west-1: {replica['ReplicaKeyMetadata']['KeyState']}")
        state = west.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
        print(f"Replica before import: {state}")
        same_id = import_material(west, key_id, material)
        assert same_id == material_id  # the same bytes give the same material ID
        plaintext = west.decrypt(CiphertextBlob=blob)["Plaintext"]
        print(f"Decrypted in eu-west-1: {plaintext.decode()}")

        grant = east.create_grant(KeyId=key_id, GranteePrincipal=APP_ROLE, Operations=["Decrypt"])
        listed = east.list_grants(KeyId=key_id)["Grants"]
        print(f"Grants on the key: {[g['Operations'] for g in listed]}")
        east.decrypt(CiphertextBlob=blob, GrantTokens=[grant["GrantToken"]])
        east.retire_grant(GrantToken=grant["GrantToken"])
        print(f"Grants after retiring: {east.list_grants(KeyId=key_id)['Grants']}")


if __name__ == "__main__":
    main()
