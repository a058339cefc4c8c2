"""Every operation the model marks "Cross-account use: Yes" works on another account's key
through its key ARN; every other operation that takes a key refuses one.

The lists come from the installed model's documentation, so a table entry removed from
kmsmock (or a botocore release that changes the list) fails here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from kmsmock import KmsMock
from tests._support import (
    OTHER_ACCOUNT,
    REGION,
    ROOT,
    assert_valid_output,
    error,
    service_model,
)

OTHER_ACCESS_KEY = "AKIACROSSACCOUNT0001"


def _marked(answer: str) -> list[str]:
    model = service_model()
    pattern = re.compile(rf"Cross-account use</b>:\s*{answer}")
    return sorted(
        name
        for name in model.operation_names
        if pattern.search(model.operation_model(name).documentation or "")
    )


CROSS_ACCOUNT = _marked("Yes")
SAME_ACCOUNT = [
    name
    for name in _marked("No")
    if (shape := service_model().operation_model(name).input_shape) is not None
    and "KeyId" in shape.members
]


def test_cross_account_operations_are_those_of_the_aws_docs() -> None:
    # Nineteen before botocore 1.44; ML-KEM's Encapsulate and Decapsulate join them.
    ml_kem = {"Encapsulate", "Decapsulate"} & set(service_model().operation_names)
    assert len(CROSS_ACCOUNT) == 19 + len(ml_kem)
    assert ml_kem <= set(CROSS_ACCOUNT)
    assert "CreateAlias" not in CROSS_ACCOUNT
    assert "RetireGrant" in CROSS_ACCOUNT


class Keys:
    """Keys of every kind the cross-account operations need, owned by the other account."""

    def __init__(self, owner: Any) -> None:
        def arn(**kwargs: Any) -> str:
            found: str = owner.create_key(**kwargs)["KeyMetadata"]["Arn"]
            return found

        self.symmetric = arn()
        self.hmac = arn(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
        self.signer = arn(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
        self.agreement = arn(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")
        self.ciphertext = owner.encrypt(KeyId=self.symmetric, Plaintext=b"x")["CiphertextBlob"]
        self.signature = owner.sign(
            KeyId=self.signer, Message=b"m", SigningAlgorithm="ECDSA_SHA_256"
        )["Signature"]
        self.mac = owner.generate_mac(KeyId=self.hmac, Message=b"m", MacAlgorithm="HMAC_SHA_256")[
            "Mac"
        ]
        self.public_key = owner.get_public_key(KeyId=self.agreement)["PublicKey"]
        self.kem = self.kem_ciphertext = None
        if "Encapsulate" in service_model().operation_names:
            self.kem = arn(KeySpec="ML_KEM_768", KeyUsage="ENCAPSULATE_DECAPSULATE")
            self.kem_ciphertext = owner.encapsulate(
                KeyId=self.kem, EncapsulationAlgorithm="ML_KEM"
            )["SharedSecretCiphertextBlob"]
        # A grant the calling account may retire, on the other account's key.
        self.grant_id = owner.create_grant(
            KeyId=self.symmetric,
            GranteePrincipal=ROOT,
            RetiringPrincipal=ROOT,
            Operations=["Encrypt"],
        )["GrantId"]


@pytest.fixture
def foreign(kms_mock: KmsMock) -> Keys:
    kms_mock.identities.add(OTHER_ACCESS_KEY, account_id=OTHER_ACCOUNT)
    owner = boto3.client(
        "kms",
        region_name=REGION,
        aws_access_key_id=OTHER_ACCESS_KEY,
        aws_secret_access_key="other",
    )
    return Keys(owner)


def cross_account_call(client: Any, operation: str, keys: Keys) -> Callable[[], Any]:
    """``operation`` on the other account's key, named by its key ARN."""
    sym = keys.symmetric
    calls: dict[str, Callable[[], Any]] = {
        "CreateGrant": lambda: client.create_grant(
            KeyId=sym, GranteePrincipal=ROOT, Operations=["Decrypt"]
        ),
        "Decapsulate": lambda: client.decapsulate(
            KeyId=keys.kem,
            SharedSecretCiphertextBlob=keys.kem_ciphertext,
            EncapsulationAlgorithm="ML_KEM",
        ),
        "Decrypt": lambda: client.decrypt(KeyId=sym, CiphertextBlob=keys.ciphertext),
        "DeriveSharedSecret": lambda: client.derive_shared_secret(
            KeyId=keys.agreement, KeyAgreementAlgorithm="ECDH", PublicKey=keys.public_key
        ),
        "DescribeKey": lambda: client.describe_key(KeyId=sym),
        "Encapsulate": lambda: client.encapsulate(KeyId=keys.kem, EncapsulationAlgorithm="ML_KEM"),
        "Encrypt": lambda: client.encrypt(KeyId=sym, Plaintext=b"x"),
        "GenerateDataKey": lambda: client.generate_data_key(KeyId=sym, KeySpec="AES_256"),
        "GenerateDataKeyPair": lambda: client.generate_data_key_pair(
            KeyId=sym, KeyPairSpec="ECC_NIST_P256"
        ),
        "GenerateDataKeyPairWithoutPlaintext": (
            lambda: client.generate_data_key_pair_without_plaintext(
                KeyId=sym, KeyPairSpec="ECC_NIST_P256"
            )
        ),
        "GenerateDataKeyWithoutPlaintext": lambda: client.generate_data_key_without_plaintext(
            KeyId=sym, KeySpec="AES_256"
        ),
        "GenerateMac": lambda: client.generate_mac(
            KeyId=keys.hmac, Message=b"m", MacAlgorithm="HMAC_SHA_256"
        ),
        "GetKeyRotationStatus": lambda: client.get_key_rotation_status(KeyId=sym),
        "GetPublicKey": lambda: client.get_public_key(KeyId=keys.signer),
        "ListGrants": lambda: client.list_grants(KeyId=sym),
        "ReEncrypt": lambda: client.re_encrypt(
            CiphertextBlob=keys.ciphertext, SourceKeyId=sym, DestinationKeyId=sym
        ),
        "RetireGrant": lambda: client.retire_grant(KeyId=sym, GrantId=keys.grant_id),
        "RevokeGrant": lambda: client.revoke_grant(KeyId=sym, GrantId=keys.grant_id),
        "Sign": lambda: client.sign(
            KeyId=keys.signer, Message=b"m", SigningAlgorithm="ECDSA_SHA_256"
        ),
        "Verify": lambda: client.verify(
            KeyId=keys.signer,
            Message=b"m",
            Signature=keys.signature,
            SigningAlgorithm="ECDSA_SHA_256",
        ),
        "VerifyMac": lambda: client.verify_mac(
            KeyId=keys.hmac, Message=b"m", Mac=keys.mac, MacAlgorithm="HMAC_SHA_256"
        ),
    }
    return calls[operation]


@pytest.mark.parametrize("operation", CROSS_ACCOUNT)
def test_cross_account_operation_with_other_accounts_key_arn_succeeds(
    client: Any, foreign: Keys, operation: str
) -> None:
    response = cross_account_call(client, operation, foreign)()
    if service_model().operation_model(operation).output_shape is not None:
        assert_valid_output(operation, response)
    arns = {foreign.symmetric, foreign.hmac, foreign.signer, foreign.agreement, foreign.kem}
    if "KeyId" in response:
        assert response["KeyId"] in arns
    if operation == "DescribeKey":
        assert response["KeyMetadata"]["AWSAccountId"] == OTHER_ACCOUNT


@pytest.mark.parametrize("operation", SAME_ACCOUNT)
def test_same_account_operation_with_other_accounts_key_arn_raises_access_denied(
    client: Any, foreign: Keys, kms_mock: KmsMock, operation: str
) -> None:
    shape = service_model().operation_model(operation).input_shape
    assert shape is not None
    # Only KeyId matters here: it is resolved before the other members are read, and
    # botocore's own validation is off so that no other member is needed.
    unchecked = boto3.client(
        "kms",
        region_name=REGION,
        config=Config(parameter_validation=False),
    )
    before = kms_mock.keys(account_id=OTHER_ACCOUNT)
    params: dict[str, Any] = {"KeyId": foreign.symmetric}
    if operation == "CreateAlias":
        params = {"AliasName": "alias/theirs", "TargetKeyId": foreign.symmetric}
    with pytest.raises(ClientError) as info:
        getattr(unchecked, _snake(operation))(**_complete(operation, params))
    assert error(info.value) == (
        "AccessDeniedException",
        f"User: {ROOT} is not authorized to perform: kms:{operation} on resource: "
        f"{foreign.symmetric} because no resource-based policy allows the kms:{operation} "
        "action",
    )
    assert kms_mock.keys(account_id=OTHER_ACCOUNT) == before


def test_create_alias_with_other_accounts_key_arn_raises_access_denied(
    client: Any, foreign: Keys, kms_mock: KmsMock
) -> None:
    with pytest.raises(ClientError) as info:
        client.create_alias(AliasName="alias/theirs", TargetKeyId=foreign.symmetric)
    assert error(info.value) == (
        "AccessDeniedException",
        f"User: {ROOT} is not authorized to perform: kms:CreateAlias on resource: "
        f"{foreign.symmetric} because no resource-based policy allows the kms:CreateAlias "
        "action",
    )
    mine = kms_mock.keys()
    assert all(view.aliases == () for view in mine)
    assert all(view.aliases == () for view in kms_mock.keys(account_id=OTHER_ACCOUNT))


def _snake(operation: str) -> str:
    from botocore import xform_name

    return xform_name(operation)


# Members a same-account operation needs besides KeyId to get past the model's checks.
_REQUIRED: dict[str, dict[str, Any]] = {
    "EnableKeyRotation": {},
    "GetKeyPolicy": {},
    "GetParametersForImport": {
        "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
        "WrappingKeySpec": "RSA_2048",
    },
    "ImportKeyMaterial": {"ImportToken": b"t", "EncryptedKeyMaterial": b"m"},
    "PutKeyPolicy": {"Policy": "{}"},
    "ReplicateKey": {"ReplicaRegion": "us-west-2"},
    "TagResource": {"Tags": [{"TagKey": "k", "TagValue": "v"}]},
    "UntagResource": {"TagKeys": ["k"]},
    "UpdateKeyDescription": {"Description": "d"},
    "UpdatePrimaryRegion": {"PrimaryRegion": "us-west-2"},
}


def _complete(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    return {**_REQUIRED.get(operation, {}), **params}
