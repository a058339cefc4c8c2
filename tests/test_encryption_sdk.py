"""The AWS Encryption SDK for Python against kmsmock: its KMS master key provider calls
GenerateDataKey and Decrypt through botocore, as an application using the SDK would."""

from __future__ import annotations

import gc
import logging
from typing import Any

import botocore.session
import pytest
from cryptography.exceptions import InvalidTag

pytest.importorskip("aws_encryption_sdk")
from aws_encryption_sdk import (  # type: ignore[import-untyped]
    CommitmentPolicy,
    EncryptionSDKClient,
    StrictAwsKmsMasterKeyProvider,
)
from aws_encryption_sdk.exceptions import DecryptKeyError  # type: ignore[import-untyped]

from tests._support import ACCOUNT

MESSAGE = bytes(range(256)) * 4096  # 1 MiB
CONTEXT = {"purpose": "kmsmock test", "tenant": "acme"}
# kmsmock's symmetric ciphertext starts with these bytes and the owning account
# (docs/kms-behaviour.md#symmetric-ciphertext).
KMS_BLOB_START = b"\x01\x02\x02\x00\x78" + ACCOUNT.encode()

# When a decryption fails, the SDK's StreamDecryptor cannot close cleanly: its finaliser
# raises SerializationError("Footer not read"), which Python reports as an unraisable
# exception in development mode (PYTHONDEVMODE=1, as the suite runs) and pytest turns into
# this warning. Only that warning is ignored, and only in this module.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <aws_encryption_sdk.streaming_client.StreamDecryptor"
    ":pytest.PytestUnraisableExceptionWarning"
)
# The SDK also logs the failure with its traceback, and pytest keeps captured log records
# until the test phase ends: the traceback would keep the stream alive, so that the
# warning surfaced later in some other test. ``decrypt_fails`` silences these loggers for
# the failing call and collects the stream before it returns.
_FAILURE_LOGGERS = [
    logging.getLogger("aws_encryption_sdk.streaming_client"),  # "Error on closing"
    logging.getLogger("aws_encryption_sdk.key_providers.kms"),  # KMS Decrypt refused
]


def provider(*key_arns: str) -> StrictAwsKmsMasterKeyProvider:
    # A botocore session of its own, reading the test's fake credentials and region.
    return StrictAwsKmsMasterKeyProvider(
        key_ids=list(key_arns), botocore_session=botocore.session.Session()
    )


def decrypt_fails(
    sdk: EncryptionSDKClient, ciphertext: bytes, keys: Any, expected: type[Exception]
) -> None:
    """``sdk.decrypt`` raises ``expected``; the failed stream is finalised before returning."""

    def attempt() -> None:
        with pytest.raises(expected):
            sdk.decrypt(source=ciphertext, key_provider=keys)

    for logger in _FAILURE_LOGGERS:
        logger.disabled = True
    try:
        attempt()
    finally:
        for logger in _FAILURE_LOGGERS:
            logger.disabled = False
    gc.collect()


@pytest.fixture
def sdk() -> EncryptionSDKClient:
    return EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)


@pytest.fixture
def key(client: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = client.create_key()["KeyMetadata"]
    return metadata


def test_encryption_sdk_one_mebibyte_round_trips_with_context(client, sdk, key):
    keys = provider(key["Arn"])
    ciphertext, encrypt_header = sdk.encrypt(
        source=MESSAGE, key_provider=keys, encryption_context=CONTEXT
    )
    assert MESSAGE[:64] not in ciphertext
    usage = client.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"]
    assert usage["Operation"] == "GenerateDataKey"
    [encrypted_key] = encrypt_header.encrypted_data_keys
    assert encrypted_key.key_provider.key_info.decode() == key["Arn"]

    plaintext, decrypt_header = sdk.decrypt(source=ciphertext, key_provider=keys)

    assert plaintext == MESSAGE
    # The SDK adds its own signing-key pair to the context; ours is all there.
    assert decrypt_header.encryption_context.items() >= CONTEXT.items()
    assert decrypt_header.encryption_context == encrypt_header.encryption_context
    usage = client.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"]
    assert usage["Operation"] == "Decrypt"


def test_encryption_sdk_tampered_message_body_fails(sdk, key):
    keys = provider(key["Arn"])
    ciphertext, _ = sdk.encrypt(source=MESSAGE, key_provider=keys, encryption_context=CONTEXT)
    tampered = bytearray(ciphertext)
    tampered[len(tampered) // 2] ^= 0x01
    decrypt_fails(sdk, bytes(tampered), keys, InvalidTag)


def test_encryption_sdk_tampered_encrypted_data_key_fails(client, sdk, key):
    keys = provider(key["Arn"])
    ciphertext, _ = sdk.encrypt(source=MESSAGE, key_provider=keys, encryption_context=CONTEXT)
    # Change one byte inside the KMS ciphertext of the data key: KMS refuses to decrypt it.
    start = ciphertext.index(KMS_BLOB_START)
    tampered = bytearray(ciphertext)
    tampered[start + 100] ^= 0x01
    decrypt_fails(sdk, bytes(tampered), keys, DecryptKeyError)
    usage = client.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"]
    assert usage["Operation"] == "GenerateDataKey"


def test_encryption_sdk_provider_with_other_key_cannot_decrypt(client, sdk, key):
    other = client.create_key()["KeyMetadata"]["Arn"]
    ciphertext, _ = sdk.encrypt(
        source=MESSAGE, key_provider=provider(key["Arn"]), encryption_context=CONTEXT
    )
    decrypt_fails(sdk, ciphertext, provider(other), DecryptKeyError)
    # A provider that knows both keys finds the one that works.
    plaintext, _ = sdk.decrypt(source=ciphertext, key_provider=provider(other, key["Arn"]))
    assert plaintext == MESSAGE


def test_encryption_sdk_disabled_key_cannot_decrypt(client, sdk, key):
    keys = provider(key["Arn"])
    ciphertext, _ = sdk.encrypt(source=MESSAGE, key_provider=keys, encryption_context=CONTEXT)
    client.disable_key(KeyId=key["KeyId"])
    decrypt_fails(sdk, ciphertext, keys, DecryptKeyError)
    client.enable_key(KeyId=key["KeyId"])
    plaintext, _ = sdk.decrypt(source=ciphertext, key_provider=keys)
    assert plaintext == MESSAGE
