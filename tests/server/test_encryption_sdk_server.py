"""The AWS Encryption SDK for Python against kmsmock's server: its KMS master key
provider reaches the server through AWS_ENDPOINT_URL_KMS, as a deployed service would."""

from __future__ import annotations

import botocore.session
import pytest

pytest.importorskip("aws_encryption_sdk")
from aws_encryption_sdk import (  # type: ignore[import-untyped]
    CommitmentPolicy,
    EncryptionSDKClient,
    StrictAwsKmsMasterKeyProvider,
)

from tests._support import server_client

MESSAGE = bytes(range(256)) * 64
CONTEXT = {"purpose": "kmsmock server test"}


def test_encryption_sdk_through_server_round_trips_with_context(kms_server, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", kms_server.url)
    key_arn = server_client(kms_server.url).create_key()["KeyMetadata"]["Arn"]
    keys = StrictAwsKmsMasterKeyProvider(
        key_ids=[key_arn], botocore_session=botocore.session.Session()
    )
    sdk = EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)

    ciphertext, header = sdk.encrypt(source=MESSAGE, key_provider=keys, encryption_context=CONTEXT)
    plaintext, _ = sdk.decrypt(source=ciphertext, key_provider=keys)

    assert plaintext == MESSAGE
    assert MESSAGE[:64] not in ciphertext
    [data_key] = header.encrypted_data_keys
    assert data_key.key_provider.key_info.decode() == key_arn
    assert kms_server.kms.calls.operations() == ["CreateKey", "GenerateDataKey", "Decrypt"]
    assert kms_server.kms.calls[1].params["EncryptionContext"].items() >= CONTEXT.items()
