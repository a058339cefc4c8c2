"""KmsServer from Python: boto3 and the AWS Encryption SDK with an endpoint URL, the
server's own handle and state, the kms_server fixture, and many clients at once."""

from __future__ import annotations

import hashlib
import hmac
import threading
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kmsmock import ActivationError, mock_kms
from kmsmock.server import DEFAULT_MAX_CALLS, KmsServer
from tests._support import ACCOUNT, REGION, error, key_arn, server_client

KEY_ID = "0b7c0e3c-1f2a-4e5b-9c8d-7a6b5c4d3e2f"
MATERIAL = bytes(range(32))


def test_encrypt_through_server_round_trips_with_a_seeded_key(kms_server):
    kms_server.kms.seed_key(KEY_ID, MATERIAL, aliases=["alias/orders"])
    kms = server_client(kms_server.url)
    blob = kms.encrypt(KeyId="alias/orders", Plaintext=b"order 66")["CiphertextBlob"]
    answer = kms.decrypt(CiphertextBlob=blob)
    assert answer["Plaintext"] == b"order 66"
    assert answer["KeyId"] == key_arn(KEY_ID)
    assert kms_server.kms.calls.operations() == ["Encrypt", "Decrypt"]


def test_generate_mac_through_server_matches_hmac_of_the_seeded_secret(kms_server):
    secret = bytes(range(32, 64))
    kms_server.kms.seed_key(KEY_ID, secret, key_spec="HMAC_256", key_usage="GENERATE_VERIFY_MAC")
    kms = server_client(kms_server.url)
    mac = kms.generate_mac(KeyId=KEY_ID, Message=b"payload", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert mac == hmac.new(secret, b"payload", hashlib.sha256).digest()


def test_generate_data_key_through_server_returns_a_working_aes_key(kms_server):
    kms = server_client(kms_server.url)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    data_key = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    sealed = AESGCM(data_key["Plaintext"]).encrypt(bytes(12), b"data", None)
    again = kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"]
    assert AESGCM(again).decrypt(bytes(12), sealed, None) == b"data"


def test_describe_key_through_server_missing_key_raises_not_found(kms_server):
    kms = server_client(kms_server.url)
    with pytest.raises(ClientError) as caught:
        kms.describe_key(KeyId="alias/missing")
    assert error(caught.value) == (
        "NotFoundException",
        f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/missing is not found.",
    )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_encrypt_through_server_injected_fault_is_answered(kms_server):
    kms_server.kms.faults.inject("Encrypt", "KMSInternalException")
    kms = server_client(kms_server.url)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    # botocore retries a 500 by itself; the fault fires once, so the retry succeeds.
    kms.encrypt(KeyId=key_id, Plaintext=b"x")
    assert kms_server.kms.calls.operations() == ["CreateKey", "Encrypt", "Encrypt"]
    assert kms_server.kms.calls[1].error == (
        "KMSInternalException",
        "An internal error occurred (injected by kmsmock).",
    )


def test_schedule_key_deletion_through_server_follows_the_server_clock(kms_server):
    kms = server_client(kms_server.url)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms_server.kms.clock.advance(days=8)
    assert kms.list_keys()["Keys"] == []


def test_create_key_in_region_of_the_client_lands_in_that_region(kms_server):
    kms = server_client(kms_server.url, region="ap-southeast-2")
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    assert arn.startswith(f"arn:aws:kms:ap-southeast-2:{ACCOUNT}:key/")
    assert [view.arn for view in kms_server.kms.keys(region="ap-southeast-2")] == [arn]


def test_two_servers_and_an_in_process_mock_hold_separate_state():
    with KmsServer() as first, KmsServer(account_id="111122223333") as second, mock_kms() as local:
        one = server_client(first.url).create_key()["KeyMetadata"]
        two = server_client(second.url).create_key()["KeyMetadata"]
        boto3.client("kms", region_name=REGION).create_key()
        first_keys, second_keys = first.kms.keys(), second.kms.keys()
        assert [key.key_id for key in first_keys] == [one["KeyId"]]
        assert [key.key_id for key in second_keys] == [two["KeyId"]]
        assert two["AWSAccountId"] == "111122223333"
        assert len(local.keys()) == 1
        assert first.port != second.port


def test_kms_server_handle_reset_forgets_the_server_state(kms_server):
    kms = server_client(kms_server.url)
    kms.create_key()
    kms_server.kms.reset()
    assert kms.list_keys()["Keys"] == []


@pytest.mark.kms_mock(region="eu-central-1", account_id="444455556666")
def test_kms_server_fixture_takes_the_marker_options(kms_server):
    assert (kms_server.kms.region, kms_server.kms.account_id) == ("eu-central-1", "444455556666")
    assert kms_server.url == f"http://127.0.0.1:{kms_server.port}"


def test_kms_server_url_before_start_raises_activation_error():
    with pytest.raises(ActivationError, match="the server has not been started"):
        _ = KmsServer().url


def test_kms_server_bad_account_raises_value_error():
    with pytest.raises(ValueError, match="account_id must be a string of 12 digits"):
        KmsServer(account_id="12")


def test_calls_journal_keeps_only_max_calls_latest():
    with KmsServer(max_calls=3) as server:
        kms = server_client(server.url)
        for _ in range(5):
            kms.list_keys()
        kms.list_aliases()
        assert server.kms.calls.operations() == ["ListKeys", "ListKeys", "ListAliases"]
        assert server.kms.calls.max_calls == 3
    assert KmsServer().max_calls == DEFAULT_MAX_CALLS


def test_encrypt_decrypt_from_many_threads_loses_no_call(kms_server):
    kms_server.kms.seed_key(KEY_ID, MATERIAL)
    threads, rounds = 8, 40
    failures: list[BaseException] = []
    session = botocore.session.Session()

    def work(number: int) -> None:
        kms: Any = session.create_client(
            "kms",
            endpoint_url=kms_server.url,
            region_name=REGION,
            aws_access_key_id="AKIATHREADS",
            aws_secret_access_key="x",
        )
        try:
            for count in range(rounds):
                plaintext = f"{number}:{count}".encode()
                blob = kms.encrypt(KeyId=KEY_ID, Plaintext=plaintext)["CiphertextBlob"]
                assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == plaintext
        except BaseException as failure:
            failures.append(failure)
        finally:
            kms.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert failures == []
    operations = kms_server.kms.calls.operations()
    assert len(operations) == threads * rounds * 2
    assert operations.count("Encrypt") == operations.count("Decrypt") == threads * rounds


def test_encrypt_from_many_threads_injected_faults_fail_exactly_that_many_calls(kms_server):
    kms_server.kms.seed_key(KEY_ID, MATERIAL)
    kms_server.kms.faults.inject("Encrypt", "ThrottlingException", times=25)
    session = botocore.session.Session()
    failures: list[str] = []

    def work() -> None:
        kms: Any = session.create_client(
            "kms",
            endpoint_url=kms_server.url,
            region_name=REGION,
            aws_access_key_id="AKIATHREADS",
            aws_secret_access_key="x",
            config=Config(retries={"total_max_attempts": 1}),
        )
        try:
            for _ in range(20):
                try:
                    kms.encrypt(KeyId=KEY_ID, Plaintext=b"x")
                except ClientError as caught:
                    failures.append(error(caught)[0])
        finally:
            kms.close()

    workers = [threading.Thread(target=work) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert failures == ["ThrottlingException"] * 25
    assert len(kms_server.kms.calls) == 160
