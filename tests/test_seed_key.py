"""kms.seed_key: keys with known IDs and material, and kms.keys: snapshots of the keys."""

from __future__ import annotations

import hashlib
import hmac

import boto3
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from kmsmock import mock_kms
from tests._support import key_arn

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
MATERIAL = bytes(range(32))


def pkcs8(private: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def test_seeded_symmetric_key_is_enabled_with_its_aliases_and_tags(kms_mock, client):
    view = kms_mock.seed_key(
        KEY_ID, MATERIAL, aliases=["alias/orders"], tags={"team": "a"}, description="seeded"
    )
    assert (view.key_id, view.state, view.aliases, view.tags) == (
        KEY_ID,
        "Enabled",
        ("alias/orders",),
        {"team": "a"},
    )
    metadata = client.describe_key(KeyId="alias/orders")["KeyMetadata"]
    assert metadata["Arn"] == key_arn(KEY_ID)
    assert (metadata["KeyState"], metadata["Origin"], metadata["Description"]) == (
        "Enabled",
        "AWS_KMS",
        "seeded",
    )
    assert client.list_resource_tags(KeyId=KEY_ID)["Tags"] == [{"TagKey": "team", "TagValue": "a"}]


def test_seeded_material_gives_ciphertext_that_decrypts_in_another_mock():
    with mock_kms() as kms:
        kms.seed_key(KEY_ID, MATERIAL)
        blob = boto3.client("kms").encrypt(KeyId=KEY_ID, Plaintext=b"fixture")["CiphertextBlob"]
        first_id = kms.keys()[0].metadata["CurrentKeyMaterialId"]
    with mock_kms() as kms:
        kms.seed_key(KEY_ID, MATERIAL)
        assert kms.keys()[0].metadata["CurrentKeyMaterialId"] == first_id
        assert boto3.client("kms").decrypt(CiphertextBlob=blob)["Plaintext"] == b"fixture"
    with mock_kms() as kms:
        kms.seed_key(KEY_ID, bytes(32))  # other material: the blob does not open
        with pytest.raises(boto3.client("kms").exceptions.InvalidCiphertextException):
            boto3.client("kms").decrypt(CiphertextBlob=blob)


def test_seeded_hmac_key_macs_with_the_given_secret(kms_mock, client):
    secret = b"k" * 32
    kms_mock.seed_key(KEY_ID, secret, key_spec="HMAC_256", key_usage="GENERATE_VERIFY_MAC")
    mac = client.generate_mac(KeyId=KEY_ID, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert mac == hmac.new(secret, b"m", hashlib.sha256).digest()


def test_seeded_signing_key_signs_with_the_given_private_key(kms_mock, client):
    private = ec.generate_private_key(ec.SECP256R1())
    kms_mock.seed_key(KEY_ID, pkcs8(private), key_spec="ECC_NIST_P256", key_usage="SIGN_VERIFY")
    signature = client.sign(KeyId=KEY_ID, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")[
        "Signature"
    ]
    private.public_key().verify(signature, b"m", ec.ECDSA(hashes.SHA256()))


def test_seeded_rsa_key_decrypts_what_the_given_public_key_encrypted(kms_mock, client):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kms_mock.seed_key(KEY_ID, pkcs8(private), key_spec="RSA_2048", key_usage="ENCRYPT_DECRYPT")
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    blob = private.public_key().encrypt(b"offline", oaep)
    plaintext = client.decrypt(
        KeyId=KEY_ID, CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    )["Plaintext"]
    assert plaintext == b"offline"


def test_seed_key_in_another_account_and_region(kms_mock):
    kms_mock.seed_key(KEY_ID, MATERIAL, account_id="111122223333", region="eu-west-1")
    assert kms_mock.keys() == []
    [view] = kms_mock.keys(account_id="111122223333", region="eu-west-1")
    assert view.arn == f"arn:aws:kms:eu-west-1:111122223333:key/{KEY_ID}"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"key_id": "not-a-key-id"}, "key_id must be a lowercase key ID"),
        ({"key_id": KEY_ID.upper()}, "key_id must be a lowercase key ID"),
        ({"material": bytes(31)}, "symmetric key material is 32 bytes, got 31"),
        ({"key_spec": "AES_256"}, "unknown key spec 'AES_256'"),
        ({"key_spec": "RSA_2048"}, "key_usage must be one of"),
        (
            {"key_spec": "HMAC_256", "key_usage": "GENERATE_VERIFY_MAC", "material": b"short"},
            "material for HMAC_256 must be an HMAC key",
        ),
        (
            {"key_spec": "ECC_NIST_P256", "key_usage": "SIGN_VERIFY"},
            "material for ECC_NIST_P256 must be a DER PKCS#8 private key",
        ),
        ({"key_spec": "SM2", "key_usage": "SIGN_VERIFY"}, "SM2 keys exist only in China"),
        ({"aliases": ["orders"]}, "'orders' is not an alias name"),
        ({"aliases": ["alias/aws/s3"]}, "'alias/aws/s3' is not an alias name"),
        ({"tags": {"aws:reserved": "x"}}, "Tags beginning with aws: are reserved"),
    ],
)
def test_seed_key_refuses_what_kms_could_not_hold_and_changes_nothing(kms_mock, kwargs, message):
    arguments = {"key_id": KEY_ID, "material": MATERIAL, **kwargs}
    with pytest.raises(ValueError, match=message):
        kms_mock.seed_key(arguments.pop("key_id"), arguments.pop("material"), **arguments)
    assert kms_mock.keys() == []
    aliases = boto3.client("kms").list_aliases()["Aliases"]
    assert [a["AliasName"] for a in aliases if not a["AliasName"].startswith("alias/aws/")] == []


def test_seed_key_refuses_an_existing_key_id_or_alias(kms_mock):
    kms_mock.seed_key(KEY_ID, MATERIAL, aliases=["alias/taken"])
    with pytest.raises(ValueError, match=f"a key {KEY_ID} already exists"):
        kms_mock.seed_key(KEY_ID, MATERIAL)
    other = "22222222-2222-3333-4444-555555555555"
    with pytest.raises(ValueError, match="alias alias/taken already exists"):
        kms_mock.seed_key(other, MATERIAL, aliases=["alias/taken"])
    views = kms_mock.keys()
    assert [view.key_id for view in views] == [KEY_ID]


def test_keys_are_snapshots_in_creation_order(kms_mock, client):
    first = client.create_key(Description="first")["KeyMetadata"]["KeyId"]
    second = client.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"][
        "KeyId"
    ]
    client.create_alias(AliasName="alias/first", TargetKeyId=first)
    views = kms_mock.keys()
    assert [view.key_id for view in views] == [first, second]
    assert (views[0].description, views[0].aliases, views[0].enabled) == (
        "first",
        ("alias/first",),
        True,
    )
    assert (views[1].key_spec, views[1].key_usage) == ("HMAC_256", "GENERATE_VERIFY_MAC")
    assert views[0].metadata == {
        **client.describe_key(KeyId=first)["KeyMetadata"],
        "CreationDate": views[0].metadata["CreationDate"],
    }
    assert views[0].policy == client.get_key_policy(KeyId=first)["Policy"]
    client.disable_key(KeyId=first)
    assert views[0].state == "Enabled"  # taken before the change
    assert kms_mock.keys()[0].state == "Disabled"


def test_keys_of_an_unused_account_is_empty(kms_mock):
    assert kms_mock.keys(account_id="999988887777") == []
