"""kms.calls: the journal of every request, with sensitive values redacted."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from kmsmock import mock_kms
from kmsmock.state.journal import REDACTED, Call
from tests._support import ACCOUNT, REGION


def test_calls_start_empty(kms_mock):
    assert len(kms_mock.calls) == 0
    assert list(kms_mock.calls) == []


def test_calls_record_each_operation_in_order(kms_mock, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    client.describe_key(KeyId=key_id)
    client.list_keys()
    assert kms_mock.calls.operations() == ["CreateKey", "DescribeKey", "ListKeys"]
    assert [call.operation for call in kms_mock.calls] == kms_mock.calls.operations()


def test_call_holds_caller_params_response_and_time(kms_mock, client):
    kms_mock.clock.advance(days=1)
    key = client.create_key(Description="orders")["KeyMetadata"]
    call = kms_mock.calls[0]
    assert isinstance(call, Call)
    assert (call.operation, call.region, call.account) == ("CreateKey", REGION, ACCOUNT)
    assert call.principal == f"arn:aws:iam::{ACCOUNT}:root"
    assert call.params == {"Description": "orders"}
    assert call.response is not None
    assert call.response["KeyMetadata"]["KeyId"] == key["KeyId"]
    assert call.response["KeyMetadata"]["CreationDate"] == key["CreationDate"].timestamp()
    assert call.error is None
    assert call.ok
    assert call.time == call.response["KeyMetadata"]["CreationDate"]


def test_failed_call_has_error_and_no_response(kms_mock, client):
    with pytest.raises(ClientError):
        client.describe_key(KeyId="alias/missing")
    call = kms_mock.calls[-1]
    assert call.response is None
    assert call.error == (
        "NotFoundException",
        f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/missing is not found.",
    )
    assert not call.ok


def test_validation_failure_is_recorded(kms_mock, client):
    # botocore does not check lengths: the service (here kmsmock) does.
    with pytest.raises(ClientError):
        client.create_key(Description="x" * 8193)
    call = kms_mock.calls[-1]
    assert call.operation == "CreateKey"
    assert call.error is not None
    assert call.error[0] == "ValidationException"
    assert call.params == {"Description": "x" * 8193}


def test_plaintext_is_redacted_in_request_and_response(kms_mock, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    blob = client.encrypt(KeyId=key_id, Plaintext=b"top secret")["CiphertextBlob"]
    client.decrypt(CiphertextBlob=blob)
    encrypt, decrypt = kms_mock.calls[1], kms_mock.calls[2]
    assert encrypt.params == {"KeyId": key_id, "Plaintext": REDACTED}
    assert encrypt.response is not None
    assert encrypt.response["CiphertextBlob"] == blob  # blobs as bytes, as boto3 gives them
    assert decrypt.params == {"CiphertextBlob": blob}
    assert decrypt.response is not None
    assert decrypt.response["Plaintext"] == REDACTED
    assert b"top secret" not in repr(list(kms_mock.calls)).encode()


def test_data_key_and_key_store_secrets_are_redacted(kms_mock, client):
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    client.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    client.create_custom_key_store(
        CustomKeyStoreName="store",
        CloudHsmClusterId="cluster-234abcdefgh",
        TrustAnchorCertificate="certificate",
        KeyStorePassword="hunter2-password",
    )
    data_key, store = kms_mock.calls[1], kms_mock.calls[2]
    assert data_key.response is not None
    assert data_key.response["Plaintext"] == REDACTED
    assert isinstance(data_key.response["CiphertextBlob"], bytes)
    assert store.params["KeyStorePassword"] == REDACTED
    assert store.params["CloudHsmClusterId"] == "cluster-234abcdefgh"


def test_sign_message_is_redacted(kms_mock, client):
    key_id = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"][
        "KeyId"
    ]
    client.sign(KeyId=key_id, Message=b"invoice 42", SigningAlgorithm="ECDSA_SHA_256")
    assert kms_mock.calls[-1].params["Message"] == REDACTED


def test_calls_see_every_account_and_region(kms_mock):
    kms_mock.identities.add("AKIAOTHERACCOUNT0001", account_id="111122223333")
    other = boto3.client(
        "kms",
        region_name="eu-west-1",
        aws_access_key_id="AKIAOTHERACCOUNT0001",
        aws_secret_access_key="secret",
    )
    other.list_keys()
    call = kms_mock.calls[-1]
    assert (call.region, call.account) == ("eu-west-1", "111122223333")


def test_calls_clear_and_slice(kms_mock, client):
    client.list_keys()
    client.list_aliases()
    assert [call.operation for call in kms_mock.calls[0:2]] == ["ListKeys", "ListAliases"]
    kms_mock.calls.clear()
    assert len(kms_mock.calls) == 0
    client.list_keys()
    assert kms_mock.calls.operations() == ["ListKeys"]


def test_reset_empties_the_journal(kms_mock, client):
    client.list_keys()
    kms_mock.reset()
    assert len(kms_mock.calls) == 0


def test_nested_activations_share_one_journal():
    with mock_kms() as outer:
        boto3.client("kms", region_name=REGION).list_keys()
        with mock_kms() as inner:
            boto3.client("kms", region_name=REGION).list_aliases()
            assert inner.calls.operations() == ["ListKeys", "ListAliases"]
        assert outer.calls.operations() == ["ListKeys", "ListAliases"]


def test_journal_repr_names_the_latest_operations(kms_mock, client):
    for _ in range(6):
        client.list_keys()
    assert repr(kms_mock.calls) == (
        "<CallJournal of 6 calls: [..., ListKeys, ListKeys, ListKeys, ListKeys, ListKeys]>"
    )


def test_calls_journal_default_bound_keeps_the_latest_100000(kms_mock):
    assert kms_mock.calls.max_calls == 100_000


def test_calls_max_calls_set_smaller_keeps_only_the_latest(kms_mock, client):
    for _ in range(3):
        client.list_keys()
    kms_mock.calls.max_calls = 2
    client.list_aliases()
    assert kms_mock.calls.operations() == ["ListKeys", "ListAliases"]
    kms_mock.calls.max_calls = None
    for _ in range(3):
        client.generate_random(NumberOfBytes=8)
    assert len(kms_mock.calls) == 5


def test_calls_max_calls_negative_raises_value_error(kms_mock):
    with pytest.raises(ValueError, match="max_calls must be 0 or more"):
        kms_mock.calls.max_calls = -1
