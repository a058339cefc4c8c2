"""aiobotocore and aioboto3 clients, answered in-process by the same service core.

These run where aiobotocore is installed (the ``async`` extra; CI's own venv for it)
and are skipped elsewhere. Each test that can runs against every HTTP backend the
installed aiobotocore offers: aiohttp always, httpx when it is importable.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kmsmock import mock_kms
from kmsmock.errors import RequestRefusedError
from tests._support import ACCOUNT, REGION, key_arn

aiobotocore = pytest.importorskip("aiobotocore")

from aiobotocore.config import AioConfig  # noqa: E402
from aiobotocore.endpoint import AioEndpoint  # noqa: E402
from aiobotocore.session import get_session  # noqa: E402

try:
    from aiobotocore._httpx import httpx as _httpx_module
    from aiobotocore.httpxsession import HttpxSession
except ImportError:  # an aiobotocore without the httpx backend
    _httpx_module = None

# The httpx backend runs on httpx2 when installed, else (deprecated) on httpx: which one
# is the environment's choice, not the test's.
pytestmark = pytest.mark.filterwarnings(
    "ignore:aiobotocore's httpx backend now prefers httpx2:DeprecationWarning"
)

BACKENDS = ["aiohttp"] + (["httpx"] if _httpx_module is not None else [])


@contextlib.asynccontextmanager
async def _client(backend: str = "aiohttp", service: str = "kms") -> AsyncIterator[Any]:
    config = None
    if backend == "httpx":
        config = AioConfig(http_session_cls=HttpxSession)
    async with get_session().create_client(service, region_name=REGION, config=config) as client:
        yield client


@pytest.fixture
def original_aio_send() -> Iterator[Any]:
    original = AioEndpoint.__dict__["_send"]
    yield original
    assert AioEndpoint.__dict__["_send"] is original


@pytest.mark.parametrize("backend", BACKENDS)
async def test_async_with_mock_kms_encrypt_round_trips_with_real_aes_gcm(
    backend, original_aio_send
):
    material = bytes(range(32))
    async with mock_kms() as kms:
        kms.seed_key("11111111-2222-3333-4444-555555555555", material)
        async with _client(backend) as client:
            encrypted = await client.encrypt(
                KeyId="11111111-2222-3333-4444-555555555555", Plaintext=b"secret"
            )
            decrypted = await client.decrypt(CiphertextBlob=encrypted["CiphertextBlob"])
        assert AioEndpoint.__dict__["_send"] is not original_aio_send
        calls = list(kms.calls)
    assert decrypted["Plaintext"] == b"secret"
    assert decrypted["KeyId"] == (
        f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
    )
    assert [call.operation for call in calls] == ["Encrypt", "Decrypt"]
    assert AioEndpoint.__dict__["_send"] is original_aio_send


async def test_generate_mac_with_seeded_secret_matches_hmac_computed_outside(kms_mock):
    secret = b"k" * 32
    kms_mock.seed_key(
        "0a0a0a0a-0000-4000-8000-000000000001",
        secret,
        key_spec="HMAC_256",
        key_usage="GENERATE_VERIFY_MAC",
    )
    async with _client() as client:
        mac = (
            await client.generate_mac(
                KeyId="0a0a0a0a-0000-4000-8000-000000000001",
                Message=b"attack at dawn",
                MacAlgorithm="HMAC_SHA_256",
            )
        )["Mac"]
    assert mac == hmac.new(secret, b"attack at dawn", hashlib.sha256).digest()


@mock_kms
async def test_mock_kms_decorator_async_def_answers_create_key():
    async with _client() as client:
        metadata = (await client.create_key(Description="async"))["KeyMetadata"]
    assert metadata["AWSAccountId"] == ACCOUNT
    assert metadata["Description"] == "async"
    assert metadata["Arn"] == key_arn(metadata["KeyId"])


async def test_kms_mock_fixture_answers_async_client_and_records_calls(kms_mock):
    async with _client() as client:
        key_id = (await client.create_key())["KeyMetadata"]["KeyId"]
        await client.describe_key(KeyId=key_id)
    assert [(c.operation, c.region, c.account) for c in kms_mock.calls] == [
        ("CreateKey", REGION, ACCOUNT),
        ("DescribeKey", REGION, ACCOUNT),
    ]
    assert kms_mock.calls[-1].params == {"KeyId": key_id}
    assert [view.key_id for view in list(kms_mock.keys())] == [key_id]


async def test_client_created_before_activation_is_answered_while_active(original_aio_send):
    async with _client() as client:
        with mock_kms() as kms:
            key_id = (await client.create_key())["KeyMetadata"]["KeyId"]
            assert [view.key_id for view in list(kms.keys())] == [key_id]
    assert AioEndpoint.__dict__["_send"] is original_aio_send


@pytest.mark.parametrize("backend", BACKENDS)
async def test_describe_key_unknown_alias_raises_modelled_not_found(backend, kms_mock):
    async with _client(backend) as client:
        with pytest.raises(client.exceptions.NotFoundException) as caught:
            await client.describe_key(KeyId="alias/missing")
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "NotFoundException",
        f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/missing is not found.",
    )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert kms_mock.calls[-1].error == error_tuple(error)


def error_tuple(error: dict[str, str]) -> tuple[str, str]:
    return error["Code"], error["Message"]


async def test_encrypt_invalid_plaintext_length_raises_validation_exception(kms_mock):
    async with _client() as client:
        key_id = (await client.create_key())["KeyMetadata"]["KeyId"]
        with pytest.raises(client.exceptions.ClientError) as caught:
            await client.encrypt(KeyId=key_id, Plaintext=b"x" * 4097)
    assert error_tuple(caught.value.response["Error"]) == (
        "ValidationException",
        "1 validation error detected: Value at 'plaintext' failed to satisfy "
        "constraint: Member must have length less than or equal to 4096",
    )


async def test_injected_throttling_is_retried_by_aiobotocore(kms_mock, monkeypatch):
    slept: list[float] = []

    async def no_sleep(self: Any, seconds: float) -> None:
        slept.append(seconds)

    # aiobotocore's retry handler decides to retry and for how long; only the wait is cut.
    monkeypatch.setattr(AioEndpoint, "_sleep", no_sleep)
    kms_mock.faults.inject("ListKeys", "ThrottlingException", times=2)
    async with _client() as client:
        response = await client.list_keys()
    assert response["Keys"] == []
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(slept) == 2
    assert [c.error[0] if c.error else "ok" for c in kms_mock.calls] == [
        "ThrottlingException",
        "ThrottlingException",
        "ok",
    ]


@pytest.mark.parametrize("backend", BACKENDS)
async def test_concurrent_calls_in_one_event_loop_each_get_their_answer(backend, kms_mock):
    async with _client(backend) as client:
        key_id = (await client.create_key())["KeyMetadata"]["KeyId"]
        plaintexts = [f"message {n}".encode() for n in range(20)]
        blobs = await asyncio.gather(
            *(client.encrypt(KeyId=key_id, Plaintext=p) for p in plaintexts)
        )
        decrypted = await asyncio.gather(
            *(client.decrypt(CiphertextBlob=b["CiphertextBlob"]) for b in blobs)
        )
    assert [d["Plaintext"] for d in decrypted] == plaintexts
    assert sum(c.operation == "Encrypt" for c in kms_mock.calls) == 20


def test_event_loops_in_several_threads_share_one_mock():
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    async def create(n: int) -> None:
        async with _client() as client:
            metadata = (await client.create_key(Description=f"thread {n}"))["KeyMetadata"]
            results[n] = metadata["Description"]

    def run(n: int) -> None:
        try:
            asyncio.run(create(n))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with mock_kms() as kms:
        threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        descriptions = sorted(view.description for view in list(kms.keys()))
    assert errors == []
    assert results == {n: f"thread {n}" for n in range(4)}
    assert descriptions == [f"thread {n}" for n in range(4)]


async def test_list_keys_paginator_walks_every_page(kms_mock):
    async with _client() as client:
        created = [(await client.create_key())["KeyMetadata"]["KeyId"] for _ in range(5)]
        paginator = client.get_paginator("list_keys")
        pages = [page async for page in paginator.paginate(PaginationConfig={"PageSize": 2})]
    assert [len(page["Keys"]) for page in pages] == [2, 2, 1]
    assert sorted(k["KeyId"] for page in pages for k in page["Keys"]) == sorted(created)
    assert [c.params.get("Limit") for c in kms_mock.calls if c.operation == "ListKeys"] == [
        2,
        2,
        2,
    ]


async def test_other_service_request_is_refused_without_network(kms_mock):
    async with _client(service="s3") as s3:
        with pytest.raises(RequestRefusedError) as caught:
            await s3.list_buckets()
    assert str(caught.value) == (
        "kmsmock refused a request to AWS service 's3' "
        "(https://s3.amazonaws.com/): only KMS is mocked. To let 's3' requests "
        "reach the network, use mock_kms(passthrough=['s3'])."
    )


async def test_passthrough_service_reaches_the_original_send(monkeypatch):
    sent: list[str] = []

    async def recording_send(self: Any, request: Any) -> Any:
        sent.append(request.url)
        raise RuntimeError("stop here: the request reached aiobotocore's own send")

    monkeypatch.setattr(AioEndpoint, "_send", recording_send)
    async with mock_kms(passthrough=["sts"]):
        async with _client(service="sts") as sts:
            with pytest.raises(RuntimeError, match="reached aiobotocore's own send"):
                await sts.get_caller_identity()
        async with _client() as kms_client:
            assert (await kms_client.list_keys())["Keys"] == []
    assert sent == [f"https://sts.{REGION}.amazonaws.com/"]
    assert AioEndpoint.__dict__["_send"] is recording_send


def test_patch_replaced_while_active_is_reported_at_stop():
    from kmsmock.errors import ActivationError

    mock = mock_kms().start()
    ours = AioEndpoint.__dict__["_send"]
    try:
        AioEndpoint._send = lambda self, request: None
        with pytest.raises(ActivationError, match=r"AioEndpoint\._send was replaced"):
            mock.stop()
    finally:
        AioEndpoint._send = ours.__wrapped__
    assert AioEndpoint.__dict__["_send"] is ours.__wrapped__


def test_importing_kmsmock_does_not_import_aiobotocore():
    script = (
        "import sys, kmsmock, kmsmock.pytest_plugin; "
        "print(sorted(m for m in sys.modules if m.startswith(('aiobotocore', 'aiohttp'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out == "[]\n"


# aioboto3 ------------------------------------------------------------------------------


def _aioboto3() -> Any:
    return pytest.importorskip("aioboto3")


async def test_aioboto3_client_generate_data_key_plaintext_opens_ciphertext(kms_mock):
    aioboto3 = _aioboto3()
    async with aioboto3.Session().client("kms", region_name=REGION) as client:
        key_id = (await client.create_key())["KeyMetadata"]["KeyId"]
        data_key = await client.generate_data_key(KeyId=key_id, KeySpec="AES_256")
        opened = await client.decrypt(CiphertextBlob=data_key["CiphertextBlob"])
    assert len(data_key["Plaintext"]) == 32
    assert opened["Plaintext"] == data_key["Plaintext"]
    # The data key works as an AES-256 key outside kmsmock.
    nonce = bytes(12)
    sealed = AESGCM(data_key["Plaintext"]).encrypt(nonce, b"payload", None)
    assert AESGCM(opened["Plaintext"]).decrypt(nonce, sealed, None) == b"payload"
    assert [c.operation for c in kms_mock.calls] == ["CreateKey", "GenerateDataKey", "Decrypt"]


@mock_kms(region="eu-west-1")
async def test_aioboto3_under_decorator_with_region_option_uses_it(monkeypatch):
    aioboto3 = _aioboto3()
    async with aioboto3.Session().client("kms", region_name="eu-west-1") as client:
        arn = (await client.create_key())["KeyMetadata"]["Arn"]
        with pytest.raises(client.exceptions.NotFoundException) as caught:
            await client.disable_key(KeyId="00000000-0000-0000-0000-000000000000")
    assert arn.startswith(f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/")
    assert error_tuple(caught.value.response["Error"]) == (
        "NotFoundException",
        f"Key 'arn:aws:kms:eu-west-1:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000' "
        "does not exist",
    )


# Credentials ---------------------------------------------------------------------------


async def test_aiobotocore_credential_process_profile_never_runs_the_process(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    marker = tmp_path / "the-process-ran"
    script = tmp_path / "credential_process.py"
    script.write_text(
        "import json, pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('ran')\n"
        "print(json.dumps({'Version': 1, 'AccessKeyId': 'AKIAFROMPROCESS00001',"
        " 'SecretAccessKey': 'from-process'}))\n"
    )
    config = tmp_path / "config"
    config.write_text(f"[profile proc]\ncredential_process = {sys.executable} {script}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "proc")
    async with mock_kms() as kms, _client() as client:
        await client.list_keys()
        principal = kms.calls[0].principal
    assert principal == f"arn:aws:iam::{ACCOUNT}:root"
    assert not marker.exists()
    # After the stop the profile resolves as without kmsmock: the process runs.
    credentials = await get_session().get_credentials()
    assert credentials.access_key == "AKIAFROMPROCESS00001"
    assert marker.read_text() == "ran"


async def test_aiobotocore_sso_profile_passes_without_network(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    config = tmp_path / "config"
    config.write_text(
        "[profile sso]\nsso_start_url = https://example.awsapps.com/start\n"
        "sso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = Dev\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "sso")
    async with mock_kms() as kms, _client() as client:
        metadata = (await client.create_key())["KeyMetadata"]
        calls = list(kms.calls)
    assert metadata["AWSAccountId"] == ACCOUNT
    assert [call.operation for call in calls] == ["CreateKey"]
