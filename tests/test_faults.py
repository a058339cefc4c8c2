"""kms.faults: AWS errors on demand, answered before the request is looked at."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from kmsmock import mock_kms
from tests._support import REGION, error


@pytest.fixture
def no_retries(kms_mock: Any) -> Any:
    """A client that does not retry, so each injected fault reaches the test."""
    return boto3.client("kms", region_name=REGION, config=Config(retries={"max_attempts": 0}))


def status(exc: ClientError) -> int:
    code: int = exc.response["ResponseMetadata"]["HTTPStatusCode"]
    return code


@pytest.mark.parametrize(
    ("code", "http_status", "message"),
    [
        ("ThrottlingException", 400, "Rate exceeded"),
        ("KMSInternalException", 500, "An internal error occurred (injected by kmsmock)."),
        ("DependencyTimeoutException", 503, "The request timed out (injected by kmsmock)."),
        ("KeyUnavailableException", 500, "The KMS key is unavailable (injected by kmsmock)."),
    ],
)
def test_injected_fault_answers_with_code_status_and_message(
    kms_mock, no_retries, code, http_status, message
):
    kms_mock.faults.inject("ListKeys", code)
    with pytest.raises(ClientError) as info:
        no_retries.list_keys()
    assert error(info.value) == (code, message)
    assert status(info.value) == http_status


def test_fault_applies_times_then_stops(kms_mock, no_retries):
    kms_mock.faults.inject("ListKeys", "ThrottlingException", times=2)
    for _ in range(2):
        with pytest.raises(ClientError):
            no_retries.list_keys()
    assert no_retries.list_keys()["Keys"] == []
    assert not kms_mock.faults


def test_fault_only_hits_its_operation(kms_mock, no_retries):
    kms_mock.faults.inject("Encrypt", "KMSInternalException")
    key_id = no_retries.create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as info:
        no_retries.encrypt(KeyId=key_id, Plaintext=b"x")
    assert error(info.value)[0] == "KMSInternalException"


def test_fault_for_every_operation(kms_mock, no_retries):
    kms_mock.faults.inject(None, "DependencyTimeoutException", times=None)
    for call in (no_retries.list_keys, no_retries.list_aliases, no_retries.create_key):
        with pytest.raises(ClientError) as info:
            call()
        assert error(info.value)[0] == "DependencyTimeoutException"
    kms_mock.faults.clear()
    assert no_retries.list_keys()["Keys"] == []


def test_fault_changes_nothing(kms_mock, no_retries):
    kms_mock.faults.inject("CreateKey", "KMSInternalException")
    with pytest.raises(ClientError):
        no_retries.create_key()
    assert no_retries.list_keys()["Keys"] == []


def test_fault_with_custom_message(kms_mock, no_retries):
    kms_mock.faults.inject("ListKeys", "ThrottlingException", message="Slow down")
    with pytest.raises(ClientError) as info:
        no_retries.list_keys()
    assert error(info.value) == ("ThrottlingException", "Slow down")


def test_botocore_retries_injected_throttling_and_journal_shows_each_attempt(kms_mock, client):
    # botocore's default (legacy) retry mode makes up to five attempts.
    kms_mock.faults.inject("ListKeys", "ThrottlingException", times=2)
    response = client.list_keys()
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert [call.error for call in kms_mock.calls] == [
        ("ThrottlingException", "Rate exceeded"),
        ("ThrottlingException", "Rate exceeded"),
        None,
    ]


def test_faults_apply_in_order_of_injection(kms_mock, no_retries):
    kms_mock.faults.inject("ListKeys", "ThrottlingException")
    kms_mock.faults.inject(None, "KMSInternalException")
    codes = []
    for _ in range(2):
        with pytest.raises(ClientError) as info:
            no_retries.list_keys()
        codes.append(error(info.value)[0])
    assert codes == ["ThrottlingException", "KMSInternalException"]


def test_probability_draws_from_the_seed():
    def outcomes() -> list[bool]:
        with mock_kms(seed=11) as kms:
            client = boto3.client(
                "kms", region_name=REGION, config=Config(retries={"max_attempts": 0})
            )
            kms.faults.inject("ListKeys", "ThrottlingException", probability=0.5, times=None)
            found = []
            for _ in range(40):
                try:
                    client.list_keys()
                    found.append(True)
                except ClientError:
                    found.append(False)
            return found

    first = outcomes()
    assert first == outcomes()
    assert 5 < first.count(False) < 35


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"code": "AccessDeniedException"}, "ListKeys does not fail with 'AccessDeniedException'"),
        ({"code": "ThrottlingException", "times": 0}, "times must be at least 1"),
        ({"code": "ThrottlingException", "probability": 0}, "probability must be in (0, 1]"),
        ({"code": "ThrottlingException", "probability": 1.5}, "probability must be in (0, 1]"),
    ],
)
def test_inject_refuses_what_it_cannot_do(kms_mock, kwargs, message):
    # The parameter dicts live as long as the module, which a second pytest run in the same
    # process (mutmut's) reuses: read them, never pop from them.
    options = {name: value for name, value in kwargs.items() if name != "code"}
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("]", r"\]")):
        kms_mock.faults.inject("ListKeys", kwargs["code"], **options)
    assert not kms_mock.faults


def test_reset_clears_faults(kms_mock, client):
    kms_mock.faults.inject(None, "KMSInternalException", times=None)
    kms_mock.reset()
    assert client.list_keys()["Keys"] == []


def test_inject_unknown_operation_raises_with_the_nearest_name(kms_mock):
    with pytest.raises(ValueError, match="not a KMS operation") as info:
        kms_mock.faults.inject("Encrpyt", "ThrottlingException")
    assert str(info.value) == "'Encrpyt' is not a KMS operation; did you mean 'Encrypt'?"
    with pytest.raises(ValueError, match="not a KMS operation") as info:
        kms_mock.faults.inject("Frobnicate", "ThrottlingException")
    assert str(info.value) == "'Frobnicate' is not a KMS operation"
    assert not kms_mock.faults


def test_inject_error_the_operation_cannot_return_raises_with_what_it_can(kms_mock):
    with pytest.raises(ValueError, match="does not fail with") as info:
        kms_mock.faults.inject("ListKeys", "NotFoundException")
    assert str(info.value) == (
        "ListKeys does not fail with 'NotFoundException'; it fails with "
        "['DependencyTimeoutException', 'InvalidMarkerException', 'KMSInternalException', "
        "'KeyUnavailableException', 'ThrottlingException']"
    )
    with pytest.raises(ValueError, match="for every operation") as info:
        kms_mock.faults.inject(None, "NotFoundException")
    assert str(info.value) == (
        "a fault for every operation (operation=None) takes one of ['DependencyTimeoutException', "
        "'KMSInternalException', 'KeyUnavailableException', 'ThrottlingException'], "
        "not 'NotFoundException'"
    )
    assert not kms_mock.faults


def test_injected_modelled_error_of_the_operation_answers_400_and_is_modelled(kms_mock, no_retries):
    key_id = no_retries.create_key()["KeyMetadata"]["KeyId"]
    kms_mock.faults.inject("Encrypt", "KMSInvalidStateException", message="Key is pending import")
    with pytest.raises(no_retries.exceptions.KMSInvalidStateException) as info:
        no_retries.encrypt(KeyId=key_id, Plaintext=b"x")
    assert error(info.value) == ("KMSInvalidStateException", "Key is pending import")
    assert status(info.value) == 400
    # Fired once, and the key is untouched.
    assert no_retries.encrypt(KeyId=key_id, Plaintext=b"x")["KeyId"].endswith(key_id)
