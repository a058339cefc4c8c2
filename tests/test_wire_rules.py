"""Rules of the wire that only a hostile body reaches: strict base64, members of the wrong
JSON type, encryption contexts with values that are not strings, secrets kept out of
validation messages, and the grant limit per key. Bodies are written over botocore's
with a ``before-send`` hook, as a client without botocore's serializer would send them.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

from kmsmock import KmsMock
from kmsmock.state.grants import MAX_GRANTS_PER_KEY
from tests._support import REGION, ROOT, error, key_arn


@pytest.fixture
def key_id(client: Any) -> str:
    found: str = client.create_key()["KeyMetadata"]["KeyId"]
    return found


@pytest.fixture
def raw(kms_mock: KmsMock) -> Any:
    """send(operation, body) -> (code, message) of the AWS error the body gets."""
    client = boto3.client(
        "kms",
        region_name=REGION,
        config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
    )

    def send(operation: str, body: dict[str, Any]) -> tuple[str, str]:
        def rewrite(request: Any, **_: Any) -> None:
            request.body = json.dumps(body).encode()

        event = f"before-send.kms.{operation}"
        client.meta.events.register(event, rewrite)
        try:
            with pytest.raises(ClientError) as info:
                getattr(client, xform_name(operation))()
        finally:
            client.meta.events.unregister(event, rewrite)
        return error(info.value)

    return send


def _undecodable(member: str) -> tuple[str, str]:
    return ("SerializationException", f"Base64 encoded bytes at '{member}' could not be decoded")


@pytest.mark.parametrize("text", ["YQ", "YQ=", "Y Q==", "YQ==\n", "Y\u00e9Q=", "=YQ="])
def test_encrypt_plaintext_not_strict_base64_raises_serialization_exception(
    raw: Any, key_id: str, text: str
) -> None:
    assert raw("Encrypt", {"KeyId": key_id, "Plaintext": text}) == _undecodable("plaintext")


def test_encrypt_plaintext_strict_base64_succeeds(client: Any, key_id: str) -> None:
    # The control: the same path accepts a correctly padded value.
    blob = client.encrypt(KeyId=key_id, Plaintext=b"a")["CiphertextBlob"]
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"a"


@pytest.mark.parametrize(
    ("operation", "member", "value", "message"),
    [
        ("Encrypt", "Plaintext", 5, "NUMBER_VALUE can not be converted to a Blob"),
        ("Encrypt", "Plaintext", ["eA=="], "START_ARRAY can not be converted to a Blob"),
        ("Encrypt", "GrantTokens", "t", "STRING_VALUE can not be converted to a List"),
        ("Encrypt", "GrantTokens", {"a": 1}, "START_OBJECT can not be converted to a List"),
        ("Encrypt", "EncryptionContext", ["a"], "Start of list found where not expected"),
        ("Encrypt", "KeyId", 7, "NUMBER_VALUE can not be converted to a String"),
        ("CreateGrant", "Constraints", "x", "Start of list found where not expected"),
        ("CreateGrant", "Constraints", ["x"], "Start of list found where not expected"),
        ("TagResource", "Tags", [["a"]], "Start of list found where not expected"),
        (
            "ImportKeyMaterial",
            "ValidTo",
            "tomorrow",
            "STRING_VALUE can not be converted to a Timestamp",
        ),
        ("ImportKeyMaterial", "ValidTo", True, "TRUE_VALUE can not be converted to a Timestamp"),
        (
            "ScheduleKeyDeletion",
            "PendingWindowInDays",
            "7",
            "STRING_VALUE can not be converted to an Integer",
        ),
        ("CreateKey", "MultiRegion", "true", "STRING_VALUE can not be converted to a Boolean"),
    ],
)
def test_member_of_wrong_json_type_raises_serialization_exception(
    raw: Any, key_id: str, kms_mock: KmsMock, operation: str, member: str, value: Any, message: str
) -> None:
    body: dict[str, Any] = {"KeyId": key_id, "Plaintext": "eA=="}
    extra: dict[str, dict[str, Any]] = {
        "CreateGrant": {"GranteePrincipal": ROOT, "Operations": ["Encrypt"]},
        "TagResource": {"Tags": []},
        "ImportKeyMaterial": {"ImportToken": "eA==", "EncryptedKeyMaterial": "eA=="},
    }
    body.update(extra.get(operation, {}))
    body[member] = value
    before = kms_mock.keys()
    assert raw(operation, body) == ("SerializationException", message)
    assert kms_mock.keys() == before


@pytest.mark.parametrize(
    ("value", "token"),
    [
        (1, "NUMBER_VALUE"),
        (True, "TRUE_VALUE"),
        ({"b": "c"}, "START_OBJECT"),
        (["c"], "START_ARRAY"),
    ],
)
def test_encrypt_encryption_context_value_not_string_raises_serialization_exception(
    raw: Any, key_id: str, value: Any, token: str
) -> None:
    body = {"KeyId": key_id, "Plaintext": "eA==", "EncryptionContext": {"a": value}}
    assert raw("Encrypt", body) == (
        "SerializationException",
        f"{token} can not be converted to a String",
    )


# Sensitive members -----------------------------------------------------------------------

PASSWORD = "hunter2-is-my-secret-password-and-far-too-long"
SECRET_KEY = "not/a+valid!secret"


def test_create_custom_key_store_long_password_kept_out_of_message(raw: Any) -> None:
    body = {
        "CustomKeyStoreName": "store",
        "CloudHsmClusterId": "cluster-234abcdefgh",
        "TrustAnchorCertificate": "certificate",
        "KeyStorePassword": PASSWORD,
    }
    code, message = raw("CreateCustomKeyStore", body)
    assert (code, message) == (
        "ValidationException",
        "1 validation error detected: Value at 'keyStorePassword' failed to satisfy "
        "constraint: Member must have length less than or equal to 32",
    )
    assert PASSWORD not in message


def test_create_custom_key_store_bad_secret_access_key_kept_out_of_message(raw: Any) -> None:
    body = {
        "CustomKeyStoreName": "store",
        "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "XksProxyUriEndpoint": "https://xks.example.com",
        "XksProxyUriPath": "/kms/xks/v1",
        "XksProxyConnectivity": "PUBLIC_ENDPOINT",
        "XksProxyAuthenticationCredential": {
            "AccessKeyId": "ABCDEFGHIJKLMNOPQRST",
            "RawSecretAccessKey": SECRET_KEY,
        },
    }
    code, message = raw("CreateCustomKeyStore", body)
    path = "xksProxyAuthenticationCredential.rawSecretAccessKey"
    assert (code, message) == (
        "ValidationException",
        f"2 validation errors detected: Value at '{path}' failed to satisfy constraint: "
        f"Member must have length greater than or equal to 43; Value at '{path}' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        "^[a-zA-Z0-9\\/+=]+$",
    )
    assert SECRET_KEY not in message


def test_encrypt_too_long_plaintext_kept_out_of_message(raw: Any, key_id: str) -> None:
    secret = "QUFB" * 1400  # 4200 bytes of "A", base64
    code, message = raw("Encrypt", {"KeyId": key_id, "Plaintext": secret})
    assert (code, message) == (
        "ValidationException",
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length less than or equal to 4096",
    )
    assert "AAA" not in message
    assert "QUFB" not in message


def test_update_alias_bad_name_shows_value_in_message(raw: Any) -> None:
    # The control: a member that is not sensitive is shown, so the tests above see a
    # redaction, not a message that never shows values.
    code, message = raw("UpdateAlias", {"AliasName": "alias/bad!", "TargetKeyId": "x"})
    assert code == "ValidationException"
    assert "Value 'alias/bad!' at 'aliasName'" in message


# The grant limit ---------------------------------------------------------------------------


def test_create_grant_past_limit_per_key_raises_limit_exceeded(
    client: Any, key_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # AWS allows 50,000 grants per key; a lower limit shows the rule without making them.
    monkeypatch.setattr("kmsmock.operations.grants.MAX_GRANTS_PER_KEY", 3)
    for _ in range(3):
        client.create_grant(KeyId=key_id, GranteePrincipal=ROOT, Operations=["Encrypt"])
    with pytest.raises(ClientError) as info:
        client.create_grant(KeyId=key_id, GranteePrincipal=ROOT, Operations=["Decrypt"])
    arn = key_arn(key_id)
    assert error(info.value) == (
        "LimitExceededException",
        f"The grant limit of 3 for KMS key {arn} has been reached.",
    )
    assert len(client.list_grants(KeyId=key_id)["Grants"]) == 3


def test_max_grants_per_key_is_fifty_thousand() -> None:
    assert MAX_GRANTS_PER_KEY == 50_000
