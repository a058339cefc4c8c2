"""The botocore seam: which requests kmsmock answers, which it refuses, and what it restores."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import boto3
import botocore
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.endpoint import Endpoint

from kmsmock import OperationNotImplementedError, RequestRefusedError, mock_kms
from kmsmock.operations import HANDLERS
from kmsmock.wire import known_model
from tests._support import ACCOUNT, REGION, error, key_arn

_STS_BODY = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetCallerIdentityResult>"
    b"<Arn>arn:aws:iam::444455556666:user/canned</Arn>"
    b"<UserId>AIDACANNEDUSER000001</UserId>"
    b"<Account>444455556666</Account>"
    b"</GetCallerIdentityResult>"
    b"<ResponseMetadata><RequestId>canned-request</RequestId></ResponseMetadata>"
    b"</GetCallerIdentityResponse>"
)


class _Raw:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


@pytest.fixture
def recorded_sends(monkeypatch) -> list[AWSPreparedRequest]:
    """Replace the network send (before any activation) with one that records and answers."""
    sent: list[AWSPreparedRequest] = []

    def fake_send(self: Endpoint, request: AWSPreparedRequest) -> AWSResponse:
        sent.append(request)
        headers = {"Content-Type": "text/xml", "Content-Length": str(len(_STS_BODY))}
        return AWSResponse(request.url, 200, headers, _Raw(_STS_BODY))  # type: ignore[arg-type]

    monkeypatch.setattr(Endpoint, "_send", fake_send)
    return sent


def test_create_key_client_created_before_activation_is_mocked():
    client = boto3.client("kms", region_name=REGION)
    with mock_kms():
        metadata = client.create_key()["KeyMetadata"]
        assert client.list_keys()["Keys"] == [
            {"KeyId": metadata["KeyId"], "KeyArn": metadata["Arn"]}
        ]


def test_create_key_client_outlives_activation_is_mocked_again():
    client = boto3.client("kms", region_name=REGION)
    with mock_kms():
        client.create_key()
    with mock_kms():
        assert client.list_keys()["Keys"] == []


@pytest.mark.usefixtures("kms_mock")
def test_get_caller_identity_other_service_raises_request_refused_error():
    sts = boto3.client("sts", region_name=REGION)
    with pytest.raises(RequestRefusedError) as exc:
        sts.get_caller_identity()
    assert str(exc.value) == (
        "kmsmock refused a request to AWS service 'sts' (https://sts.us-east-1.amazonaws.com/): "
        "only KMS is mocked. To let 'sts' requests reach the network, "
        "use mock_kms(passthrough=['sts'])."
    )


@pytest.mark.usefixtures("kms_mock")
def test_list_buckets_s3_raises_request_refused_error_naming_s3():
    s3 = boto3.client("s3", region_name=REGION)
    with pytest.raises(RequestRefusedError) as exc:
        s3.list_buckets()
    message = str(exc.value)
    assert message.startswith("kmsmock refused a request to AWS service 's3' (https://")
    assert message.endswith(
        "only KMS is mocked. To let 's3' requests reach the network, "
        "use mock_kms(passthrough=['s3'])."
    )


def test_get_caller_identity_passthrough_reaches_original_send(recorded_sends):
    fake_send = Endpoint.__dict__["_send"]
    with mock_kms(passthrough=["sts"]):
        identity = boto3.client("sts", region_name=REGION).get_caller_identity()
        # KMS is still answered by kmsmock, not by the original send.
        boto3.client("kms", region_name=REGION).create_key()
    assert identity["Account"] == "444455556666"
    assert identity["Arn"] == "arn:aws:iam::444455556666:user/canned"
    assert [r.url for r in recorded_sends] == ["https://sts.us-east-1.amazonaws.com/"]
    assert Endpoint.__dict__["_send"] is fake_send


def test_list_buckets_passthrough_other_service_still_refused(recorded_sends):
    with mock_kms(passthrough=["sts"]), pytest.raises(RequestRefusedError) as exc:
        boto3.client("s3", region_name=REGION).list_buckets()
    assert recorded_sends == []
    # The way out named keeps the service already let through.
    assert str(exc.value) == (
        "kmsmock refused a request to AWS service 's3' (https://s3.amazonaws.com/): "
        "only KMS is mocked. To let 's3' requests reach the network, "
        "use mock_kms(passthrough=['s3', 'sts'])."
    )


def test_describe_key_unknown_key_raises_modeled_not_found_exception(client):
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    with pytest.raises(client.exceptions.NotFoundException) as exc:
        client.describe_key(KeyId=key_id)
    assert error(exc.value) == (
        "NotFoundException",
        f"Key '{key_arn(key_id)}' does not exist",
    )
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # Modeled exceptions carry the message at the top level too, as from AWS.
    assert exc.value.response["message"] == error(exc.value)[1]


def test_describe_key_unknown_target_returns_unknown_operation_exception(client):
    def retarget(request: Any, **kwargs: Any) -> None:
        del request.headers["X-Amz-Target"]
        request.headers["X-Amz-Target"] = "TrentService.NoSuchOp"

    client.meta.events.register("before-sign.kms.DescribeKey", retarget)
    with pytest.raises(client.exceptions.ClientError) as exc:
        client.describe_key(KeyId="1234abcd-12ab-34cd-56ef-1234567890ab")
    assert error(exc.value) == ("UnknownOperationException", "")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_describe_key_missing_target_returns_unknown_operation_exception(client):
    def drop_target(request: Any, **kwargs: Any) -> None:
        del request.headers["X-Amz-Target"]

    client.meta.events.register("before-sign.kms.DescribeKey", drop_target)
    with pytest.raises(client.exceptions.ClientError) as exc:
        client.describe_key(KeyId="1234abcd-12ab-34cd-56ef-1234567890ab")
    assert error(exc.value) == ("UnknownOperationException", "")


def test_describe_key_body_not_json_returns_serialization_exception(client):
    def garble(request: Any, **kwargs: Any) -> None:
        request.data = b"{not json"

    client.meta.events.register("before-sign.kms.DescribeKey", garble)
    with pytest.raises(client.exceptions.ClientError) as exc:
        client.describe_key(KeyId="1234abcd-12ab-34cd-56ef-1234567890ab")
    assert error(exc.value) == (
        "SerializationException",
        "Start of structure or map found where not expected.",
    )


def test_describe_key_body_json_array_returns_serialization_exception(client):
    def garble(request: Any, **kwargs: Any) -> None:
        request.data = b"[]"

    client.meta.events.register("before-sign.kms.DescribeKey", garble)
    with pytest.raises(client.exceptions.ClientError) as exc:
        client.describe_key(KeyId="1234abcd-12ab-34cd-56ef-1234567890ab")
    assert error(exc.value) == (
        "SerializationException",
        "Start of structure or map found where not expected.",
    )


def test_generate_random_unknown_to_kmsmock_raises_operation_not_implemented_naming_botocore(
    client, monkeypatch
):
    # As a botocore newer than kmsmock meets it: the operation is in the installed model,
    # but neither in the model kmsmock knows nor among its handlers.
    monkeypatch.delitem(HANDLERS, "GenerateRandom")
    monkeypatch.delitem(known_model.OPERATIONS, "GenerateRandom")
    monkeypatch.setattr(known_model, "BOTOCORE_VERSION", "1.40.0")
    with pytest.raises(OperationNotImplementedError) as exc:
        client.generate_random(NumberOfBytes=8)
    assert exc.value.operation == "GenerateRandom"
    assert (exc.value.installed_botocore, exc.value.known_botocore) == (
        botocore.__version__,
        "1.40.0",
    )
    assert str(exc.value) == (
        "kmsmock does not know KMS operation 'GenerateRandom' of the installed botocore "
        f"{botocore.__version__} (it knows botocore 1.40.0's KMS model): upgrade kmsmock, "
        "or pin botocore==1.40.0. "
        "Coverage: https://github.com/kmsmock/kmsmock/blob/main/docs/operations.md"
    )


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("GetKeyPolicy", lambda c: c.get_key_policy(KeyId="x", PolicyName="default")),
        ("Encrypt", lambda c: c.encrypt(KeyId="x", Plaintext=b"data")),
    ],
)
def test_operation_known_without_handler_raises_operation_not_implemented_yet(
    client, monkeypatch, operation, call
):
    # An operation of the known model that a release declares not built yet.
    monkeypatch.delitem(HANDLERS, operation, raising=False)
    with pytest.raises(OperationNotImplementedError) as exc:
        call(client)
    assert exc.value.operation == operation
    assert exc.value.installed_botocore is None
    assert str(exc.value) == (
        f"kmsmock does not implement KMS operation {operation!r} yet. "
        "Coverage: https://github.com/kmsmock/kmsmock/blob/main/docs/operations.md"
    )


def test_list_keys_unknown_to_kmsmock_names_installed_and_known_botocore(kms_mock, monkeypatch):
    monkeypatch.delitem(HANDLERS, "ListKeys")
    monkeypatch.delitem(known_model.OPERATIONS, "ListKeys")
    with pytest.raises(OperationNotImplementedError) as exc:
        boto3.client("kms", region_name="eu-central-1").list_keys()
    assert (exc.value.installed_botocore, exc.value.known_botocore) == (
        botocore.__version__,
        known_model.BOTOCORE_VERSION,
    )
    assert f"pin botocore=={known_model.BOTOCORE_VERSION}." in str(exc.value)


def test_create_key_sockets_forbidden_full_flow_stays_in_process(monkeypatch):
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with mock_kms():
        client = boto3.client("kms", region_name=REGION)
        key_id = client.create_key(Description="offline")["KeyMetadata"]["KeyId"]
        assert client.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "offline"
        assert [k["KeyId"] for k in client.list_keys()["Keys"]] == [key_id]
        assert len(client.generate_random(NumberOfBytes=16)["Plaintext"]) == 16
    assert attempts == []


def test_describe_key_endpoint_host_gives_region_without_signature(kms_mock):
    # An unsigned request (no Authorization header) takes its region from the host.
    from botocore import UNSIGNED
    from botocore.config import Config

    client = boto3.client("kms", region_name="eu-west-3", config=Config(signature_version=UNSIGNED))
    arn = client.create_key()["KeyMetadata"]["Arn"]
    assert arn.startswith(f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/")


def test_create_key_custom_endpoint_url_unsigned_uses_option_region(monkeypatch):
    from botocore import UNSIGNED
    from botocore.config import Config

    with mock_kms(region="ap-south-1"):
        client = boto3.client(
            "kms",
            region_name="eu-west-3",
            endpoint_url="http://localhost:4566",
            config=Config(signature_version=UNSIGNED),
        )
        arn = client.create_key()["KeyMetadata"]["Arn"]
    # Neither a signature nor a kms.<region> host names a region: the option's region applies.
    assert arn.startswith(f"arn:aws:kms:ap-south-1:{ACCOUNT}:key/")
