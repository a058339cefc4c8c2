"""The HTTP door over raw HTTP: KMS's JSON 1.1 protocol as SDKs speak it, bad input of
every kind answered with AWS's error or a plain 4xx, and the admin endpoints."""

from __future__ import annotations

import base64
import http.client
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest

from kmsmock.doors.http_server import MAX_BODY
from kmsmock.server import KmsServer
from kmsmock.state.journal import REDACTED
from tests._support import ACCOUNT, server_client

TARGET = "TrentService."
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
JSON_11 = "application/x-amz-json-1.1"
SCOPE = "Credential=AKIAWIRE/20261203/eu-west-1/kms/aws4_request, SignedHeaders=host, Signature=0"


@pytest.fixture
def server() -> Iterator[KmsServer]:
    with KmsServer() as running:
        yield running


def post(
    server: KmsServer, operation: str | None, body: bytes | str, **headers: str
) -> tuple[int, dict[str, str], Any]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    sent = {"Content-Type": JSON_11, **headers}
    if operation is not None:
        sent["X-Amz-Target"] = TARGET + operation
    connection.request("POST", "/", body=body, headers=sent)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, json.loads(data)


def raw(server: KmsServer, data: bytes) -> bytes:
    """Send ``data`` on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_describe_key_over_http_returns_metadata_request_id_and_cors_header(server):
    key = server.kms.seed_key("11111111-2222-3333-4444-555555555555", bytes(32))
    status, headers, body = post(server, "DescribeKey", json.dumps({"KeyId": key.key_id}))
    assert status == 200
    assert body["KeyMetadata"]["Arn"] == key.arn
    assert headers["content-type"] == JSON_11
    assert re.fullmatch(UUID, headers["x-amzn-requestid"])
    assert headers["access-control-allow-origin"] == "*"
    assert "x-amzn-errortype" not in headers


def test_describe_key_unknown_key_returns_400_not_found_with_error_type_header(server):
    status, headers, body = post(server, "DescribeKey", '{"KeyId": "alias/missing"}')
    assert status == 400
    assert body == {
        "__type": "NotFoundException",
        "message": f"Alias arn:aws:kms:us-east-1:{ACCOUNT}:alias/missing is not found.",
    }
    assert headers["x-amzn-errortype"] == "NotFoundException"


def test_request_unknown_target_returns_unknown_operation_exception(server):
    status, headers, body = post(server, "MakeCoffee", "{}")
    assert (status, body) == (400, {"__type": "UnknownOperationException"})
    assert headers["x-amzn-errortype"] == "UnknownOperationException"


def test_request_without_target_returns_unknown_operation_exception(server):
    status, _, body = post(server, None, "{}")
    assert (status, body) == (400, {"__type": "UnknownOperationException"})


@pytest.mark.parametrize("payload", ["{not json", "[1, 2]", b"\xff\xfe{}"])
def test_request_bad_json_returns_serialization_exception(server, payload):
    status, _, body = post(server, "ListKeys", payload)
    assert (status, body) == (
        400,
        {
            "__type": "SerializationException",
            "message": "Start of structure or map found where not expected.",
        },
    )


def test_create_key_missing_body_answers_as_an_empty_request(server):
    # No Content-Length and no body: an empty JSON 1.1 request, which CreateKey accepts.
    with closing(http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)) as connection:
        connection.putrequest("POST", "/")
        connection.putheader("X-Amz-Target", TARGET + "CreateKey")
        connection.endheaders()
        response = connection.getresponse()
        body = json.loads(response.read())
    assert response.status == 200
    assert body["KeyMetadata"]["KeyState"] == "Enabled"
    assert len(server.kms.keys()) == 1


def test_describe_key_missing_required_member_returns_validation_exception(server):
    status, _, body = post(server, "DescribeKey", "{}")
    assert status == 400
    assert body["__type"] == "ValidationException"
    assert body["message"] == (
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_request_oversized_body_returns_413_and_closes_without_reading_it(server):
    head = (
        f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {TARGET}ListKeys\r\n"
        f"Content-Length: {MAX_BODY + 1}\r\n\r\n"
    ).encode()
    answer = raw(server, head)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"
    assert b"Connection: close" in rest
    assert json.loads(rest.split(b"\r\n\r\n", 1)[1]) == {
        "message": f"request bodies are at most {MAX_BODY} bytes"
    }


def test_request_chunked_body_returns_411(server):
    answer = raw(
        server,
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 411 Length Required\r\n")


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"POST / HTTP/9.9\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"POST /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
        b"BREW / HTTP/1.1\r\n\r\n",
        b"POST / HTTP/1.1\r\n" + b"X-Long: " + b"h" * 70_000 + b"\r\n\r\n",
    ],
)
def test_request_malformed_http_returns_plain_4xx_and_server_keeps_serving(server, request_bytes):
    answer = raw(server, request_bytes)
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500 or status == 505
    # The server is unharmed: the next client is answered.
    assert post(server, "ListKeys", "{}")[0] == 200


def test_request_client_hangs_up_mid_body_leaves_server_serving(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"Ke')
    assert post(server, "ListKeys", "{}")[0] == 200


def test_request_stalled_client_does_not_block_others(server):
    # One client sends half a request and stops; another is answered meanwhile.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as stalled:
        stalled.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
        started = time.monotonic()
        kms = server_client(server.url)
        assert kms.list_keys()["Keys"] == []
        assert time.monotonic() - started < 2


def test_options_preflight_allows_the_requested_headers(server):
    answer = raw(
        server,
        b"OPTIONS / HTTP/1.1\r\nHost: x\r\nOrigin: http://page.example\r\n"
        b"Access-Control-Request-Method: POST\r\n"
        b"Access-Control-Request-Headers: x-amz-target,content-type,authorization\r\n"
        b"Connection: close\r\n\r\n",
    )
    head = answer.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
    assert head[0] == "HTTP/1.1 200 OK"
    assert "Access-Control-Allow-Origin: *" in head
    assert "Access-Control-Allow-Methods: GET, POST, OPTIONS" in head
    assert "Access-Control-Allow-Headers: x-amz-target,content-type,authorization" in head


def test_request_expect_100_continue_is_answered(server):
    answer = raw(
        server,
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.ListKeys\r\n"
        b"Expect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    )
    assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
    assert answer.endswith(b'{"Keys":[],"Truncated":false}')


def test_request_http_1_0_gets_its_answer_and_the_connection_closes(server):
    answer = raw(
        server,
        b"POST / HTTP/1.0\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Length: 2\r\n\r\n{}",
    )
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close\r\n" in answer


def test_get_kms_path_returns_405(server):
    with closing(http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)) as connection:
        connection.request("GET", "/")
        response = connection.getresponse()
        answered = (response.status, json.loads(response.read()))
    assert answered == (
        405,
        {"message": "KMS takes POST requests"},
    )


def test_request_region_comes_from_the_credential_scope(server):
    status, _, body = post(server, "CreateKey", "{}", Authorization=f"AWS4-HMAC-SHA256 {SCOPE}")
    assert status == 200
    assert body["KeyMetadata"]["Arn"].startswith(f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/")
    assert server.kms.keys() == []
    assert len(server.kms.keys(region="eu-west-1")) == 1


def test_request_account_comes_from_the_access_key_through_identities(server):
    server.kms.identities.add("AKIAWIRE", account_id="111122223333")
    _, _, body = post(server, "CreateKey", "{}", Authorization=f"AWS4-HMAC-SHA256 {SCOPE}")
    assert body["KeyMetadata"]["AWSAccountId"] == "111122223333"
    assert server.kms.calls[-1].principal == "arn:aws:iam::111122223333:root"


def test_keep_alive_calls_are_not_held_by_delayed_acks(server):
    # With headers and body written apart, each call would wait ~40 ms for TCP's delayed
    # ACK; written in one piece, 100 keep-alive calls take a fraction of that each.
    key = server.kms.seed_key("11111111-2222-3333-4444-555555555555", bytes(32))
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    body = json.dumps({"KeyId": key.key_id})
    headers = {"Content-Type": JSON_11, "X-Amz-Target": TARGET + "DescribeKey"}
    started = time.perf_counter()
    for _ in range(100):
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        assert response.status == 200
        response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    assert elapsed / 100 < 0.02


# Admin endpoints -----------------------------------------------------------------------


def admin(server: KmsServer, method: str, path: str) -> tuple[int, Any]:
    with closing(http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)) as connection:
        connection.request(method, f"/_kmsmock/{path}", body=b"" if method == "POST" else None)
        response = connection.getresponse()
        return response.status, json.loads(response.read())


def test_admin_health_returns_200_json(server):
    assert admin(server, "GET", "health") == (200, {"status": "ok", "region": "us-east-1"})


def test_admin_reset_forgets_keys_and_calls(server):
    kms = server_client(server.url)
    kms.create_key()
    assert admin(server, "POST", "reset") == (200, {"reset": True})
    assert server.kms.keys() == []
    assert len(server.kms.calls) == 0
    assert kms.list_keys()["Keys"] == []


def test_admin_calls_returns_the_journal_redacted(server):
    kms = server_client(server.url)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]
    status, document = admin(server, "GET", "calls")
    assert status == 200
    create, encrypt = document["calls"]
    assert create["operation"] == "CreateKey"
    assert create["region"] == "us-east-1"
    assert create["account"] == ACCOUNT
    assert encrypt["params"] == {"KeyId": key_id, "Plaintext": REDACTED}
    assert base64.b64decode(encrypt["response"]["CiphertextBlob"]) == blob
    assert encrypt["error"] is None


def test_admin_calls_shows_a_failed_call_error(server):
    post(server, "DescribeKey", '{"KeyId": "alias/missing"}')
    _, document = admin(server, "GET", "calls")
    assert document["calls"][0]["error"] == {
        "code": "NotFoundException",
        "message": f"Alias arn:aws:kms:us-east-1:{ACCOUNT}:alias/missing is not found.",
    }


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "reset", (405, {"message": "GET is not allowed on /_kmsmock/reset"})),
        ("POST", "health", (405, {"message": "POST is not allowed on /_kmsmock/health"})),
        ("GET", "nothing", (404, {"message": "no admin endpoint /_kmsmock/nothing"})),
    ],
)
def test_admin_wrong_method_or_path_returns_4xx(server, method, path, expected):
    assert admin(server, method, path) == expected


def test_server_stop_closes_idle_keep_alive_connections_quickly():
    server = KmsServer().start()
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    idle.sendall(b"GET /_kmsmock/health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert idle.recv(4096).startswith(b"HTTP/1.1 200 OK")
    stopping = threading.Thread(target=server.stop)
    started = time.monotonic()
    stopping.start()
    stopping.join(5)
    assert not stopping.is_alive()
    assert time.monotonic() - started < 1
    assert idle.recv(4096) == b""
    idle.close()
