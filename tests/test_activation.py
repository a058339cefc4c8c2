"""Activation: every decorator target, context managers, nesting, stop-by-identity, environment."""

from __future__ import annotations

import os
import re
import unittest
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from typing import Any

import boto3
import pytest
from botocore.endpoint import Endpoint
from botocore.exceptions import NoCredentialsError

import kmsmock
from kmsmock import ActivationError, KmsMock, mock_kms
from tests._support import ACCESS_KEY_ID, ACCOUNT, OTHER_ACCOUNT, REGION


class _BodyError(Exception):
    """Raised by test bodies; nothing else raises it."""


def _send() -> Any:
    return Endpoint.__dict__["_send"]


def _kms(region: str | None = REGION) -> Any:
    if region is None:
        return boto3.client("kms")
    return boto3.client("kms", region_name=region)


def _key_ids(client: Any) -> list[str]:
    return [k["KeyId"] for k in client.list_keys()["Keys"]]


@pytest.fixture
def original_send() -> Any:
    """``Endpoint._send`` as it is before the test activates anything."""
    original = _send()
    yield original
    assert _send() is original


# Decorating plain functions -------------------------------------------------------


def test_mock_kms_bare_decorator_function_mocks_kms_only_during_call(original_send):
    @mock_kms
    def create() -> dict[str, Any]:
        assert _send() is not original_send
        metadata: dict[str, Any] = _kms().create_key()["KeyMetadata"]
        return metadata

    assert _send() is original_send  # decorating does not activate
    metadata = create()
    assert metadata["AWSAccountId"] == ACCOUNT
    assert metadata["Arn"].startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/")
    assert _send() is original_send


def test_mock_kms_decorator_with_options_function_uses_options(monkeypatch, original_send):
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    @mock_kms(region="eu-west-1", account_id=OTHER_ACCOUNT, seed=5)
    def create() -> tuple[str, dict[str, Any]]:
        client = _kms(region=None)
        return client.meta.region_name, client.create_key()["KeyMetadata"]

    region, metadata = create()
    assert region == "eu-west-1"
    assert metadata["AWSAccountId"] == OTHER_ACCOUNT
    assert metadata["Arn"] == f"arn:aws:kms:eu-west-1:{OTHER_ACCOUNT}:key/{metadata['KeyId']}"
    # The same seed again gives the same key ID: each call is its own activation.
    assert create()[1]["KeyId"] == metadata["KeyId"]
    assert "AWS_DEFAULT_REGION" not in os.environ


def test_mock_kms_decorated_function_each_call_gets_fresh_state():
    @mock_kms
    def create_and_count() -> int:
        client = _kms()
        client.create_key()
        return len(_key_ids(client))

    assert create_and_count() == 1
    assert create_and_count() == 1


def test_mock_kms_decorated_function_keeps_name_and_arguments():
    @mock_kms
    def add(a: int, b: int = 2) -> int:
        """Adds."""
        return a + b

    assert add(1, b=5) == 6
    assert add.__name__ == "add"
    assert add.__doc__ == "Adds."


def test_mock_kms_decorated_function_raising_propagates_and_restores(original_send):
    @mock_kms
    def fail() -> None:
        _kms().create_key()
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError) as exc:
        fail()
    assert str(exc.value) == "boom"
    assert _send() is original_send


# Decorating coroutines and generators ---------------------------------------------


async def test_mock_kms_bare_decorator_coroutine_mocks_kms_during_await(original_send):
    @mock_kms
    async def create() -> str:
        assert _send() is not original_send
        key_id: str = _kms().create_key()["KeyMetadata"]["KeyId"]
        return key_id

    coroutine = create()
    assert _send() is original_send  # activation starts when the coroutine runs
    key_id = await coroutine
    assert len(key_id) == 36
    assert _send() is original_send


async def test_mock_kms_decorator_with_options_coroutine_uses_options(original_send):
    @mock_kms(account_id=OTHER_ACCOUNT)
    async def create() -> str:
        account: str = _kms().create_key()["KeyMetadata"]["AWSAccountId"]
        return account

    assert await create() == OTHER_ACCOUNT
    assert _send() is original_send


def test_mock_kms_bare_decorator_generator_mocks_kms_during_iteration(original_send):
    @mock_kms
    def keys() -> Iterator[int]:
        client = _kms()
        for _ in range(3):
            client.create_key()
            yield len(_key_ids(client))

    iterator = keys()
    assert _send() is original_send  # nothing runs before the first next()
    assert next(iterator) == 1
    assert _send() is not original_send  # still active between items
    assert list(iterator) == [2, 3]
    assert _send() is original_send


def test_mock_kms_decorator_with_options_generator_uses_options(original_send):
    @mock_kms(account_id=OTHER_ACCOUNT)
    def accounts() -> Iterator[str]:
        yield _kms().create_key()["KeyMetadata"]["AWSAccountId"]

    assert list(accounts()) == [OTHER_ACCOUNT]
    assert _send() is original_send


def test_mock_kms_decorated_generator_closed_early_restores(original_send):
    @mock_kms
    def numbers() -> Generator[int, None, None]:
        yield 1
        yield 2

    iterator = numbers()
    assert next(iterator) == 1
    iterator.close()
    assert _send() is original_send


def test_mock_kms_decorated_generator_return_value_is_kept():
    @mock_kms
    def inner() -> Generator[int, None, int]:
        yield 1
        return 42

    def outer() -> Generator[int, None, None]:
        result = yield from inner()
        yield result

    assert list(outer()) == [1, 42]


async def test_mock_kms_bare_decorator_async_generator_mocks_kms_during_iteration(
    original_send,
):
    @mock_kms
    async def keys() -> AsyncIterator[int]:
        client = _kms()
        for _ in range(2):
            client.create_key()
            yield len(_key_ids(client))

    seen = []
    async for count in keys():
        assert _send() is not original_send
        seen.append(count)
    assert seen == [1, 2]
    assert _send() is original_send


# Decorating classes ----------------------------------------------------------------


def _run(case: type[unittest.TestCase]) -> unittest.TestResult:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    return result


def _problems(result: unittest.TestResult) -> list[str]:
    return [text for _, text in result.errors + result.failures]


def test_mock_kms_bare_decorator_test_case_gives_each_test_a_fresh_backend(original_send):
    @mock_kms
    class Case(unittest.TestCase):
        def setUp(self) -> None:
            self.client = _kms()
            self.client.create_key(Description="from setUp")

        def test_one(self) -> None:
            self.client.create_key()
            assert len(_key_ids(self.client)) == 2

        def test_two(self) -> None:
            assert len(_key_ids(self.client)) == 1

        def test_three(self) -> None:
            assert _send() is not original_send

    result = _run(Case)
    assert _problems(result) == []
    assert result.testsRun == 3
    assert _send() is original_send


def test_mock_kms_decorator_with_options_test_case_uses_options(original_send):
    @mock_kms(account_id=OTHER_ACCOUNT)
    class Case(unittest.TestCase):
        def test_account(self) -> None:
            metadata = _kms().create_key()["KeyMetadata"]
            assert metadata["AWSAccountId"] == OTHER_ACCOUNT

    result = _run(Case)
    assert _problems(result) == []
    assert result.testsRun == 1
    assert _send() is original_send


def test_mock_kms_test_case_without_own_setup_is_mocked(original_send):
    @mock_kms
    class Case(unittest.TestCase):
        def test_create(self) -> None:
            assert len(_kms().create_key()["KeyMetadata"]["KeyId"]) == 36

    result = _run(Case)
    assert _problems(result) == []
    assert result.testsRun == 1
    assert _send() is original_send


def test_mock_kms_test_case_setup_raising_still_stops(original_send):
    @mock_kms
    class Case(unittest.TestCase):
        def setUp(self) -> None:
            _kms().create_key()
            raise RuntimeError("setUp failed")

        def test_never_runs(self) -> None:
            raise AssertionError("unreachable")

    result = _run(Case)
    assert len(result.errors) == 1
    assert "RuntimeError: setUp failed" in result.errors[0][1]
    assert _send() is original_send
    with mock_kms():
        assert _key_ids(_kms()) == []


def test_mock_kms_test_case_teardown_still_mocked(original_send):
    seen: list[int] = []

    @mock_kms
    class Case(unittest.TestCase):
        def test_create(self) -> None:
            _kms().create_key()

        def tearDown(self) -> None:
            # Cleanups (and so the stop) run after tearDown.
            seen.append(len(_key_ids(_kms())))

    result = _run(Case)
    assert _problems(result) == []
    assert seen == [1]
    assert _send() is original_send


def test_mock_kms_decorated_method_gets_self(original_send):
    class Suite:
        prefix = "made by "

        @mock_kms
        def create(self, name: str) -> str:
            description: str = _kms().create_key(Description=self.prefix + name)["KeyMetadata"][
                "Description"
            ]
            return description

    assert Suite().create("method") == "made by method"
    assert _send() is original_send


def test_mock_kms_test_case_failing_test_still_stops(original_send):
    @mock_kms
    class Case(unittest.TestCase):
        def test_fails(self) -> None:
            self.fail("expected failure")

    result = _run(Case)
    assert len(result.failures) == 1
    assert _send() is original_send


def test_mock_kms_non_callable_raises_type_error():
    with pytest.raises(TypeError) as exc:
        mock_kms()(42)  # type: ignore[call-overload]
    assert str(exc.value) == "mock_kms cannot decorate 42"


# Context managers and start/stop ---------------------------------------------------


def test_mock_kms_with_statement_returns_the_kms_mock(original_send):
    activation = mock_kms()
    assert isinstance(activation, KmsMock)
    with activation as kms:
        assert kms is activation
        assert _send() is not original_send
        assert len(_kms().create_key()["KeyMetadata"]["KeyId"]) == 36
    assert _send() is original_send


async def test_mock_kms_async_with_returns_the_kms_mock(original_send):
    activation = mock_kms(account_id=OTHER_ACCOUNT)
    async with activation as kms:
        assert kms is activation
        assert _kms().create_key()["KeyMetadata"]["AWSAccountId"] == OTHER_ACCOUNT
    assert _send() is original_send


async def test_mock_kms_async_with_body_raising_propagates_and_restores(original_send):
    async def body() -> None:
        async with mock_kms():
            raise _BodyError("inside")

    with pytest.raises(_BodyError) as exc:
        await body()
    assert str(exc.value) == "inside"
    assert _send() is original_send


def test_mock_kms_start_stop_activates_and_restores(original_send):
    activation = mock_kms()
    assert activation.start() is activation
    try:
        assert _send() is not original_send
        assert _key_ids(_kms()) == []
    finally:
        activation.stop()
    assert _send() is original_send


def test_mock_kms_kms_mock_exposes_options():
    activation = mock_kms(region="eu-west-1", account_id=OTHER_ACCOUNT, seed=3)
    assert activation.region == "eu-west-1"
    assert activation.account_id == OTHER_ACCOUNT
    assert activation.seed == 3
    assert activation.passthrough == frozenset()
    defaults = mock_kms()
    assert (defaults.region, defaults.account_id, defaults.seed) == (REGION, ACCOUNT, None)


def test_mock_kms_backend_before_start_raises_activation_error():
    activation = mock_kms()
    with pytest.raises(ActivationError) as exc:
        activation.backend  # noqa: B018
    assert str(exc.value) == "mock_kms() has not been started"


def test_mock_kms_stop_not_started_raises_activation_error():
    with pytest.raises(ActivationError) as exc:
        mock_kms(region="eu-west-1").stop()
    assert str(exc.value) == "mock_kms(region='eu-west-1') is not started"


def test_mock_kms_stop_twice_raises_activation_error(original_send):
    activation = mock_kms()
    activation.start()
    activation.stop()
    with pytest.raises(ActivationError) as exc:
        activation.stop()
    assert str(exc.value) == "mock_kms() is not started"
    assert _send() is original_send


def test_mock_kms_start_twice_raises_activation_error(original_send):
    activation = mock_kms()
    activation.start()
    try:
        with pytest.raises(ActivationError) as exc:
            activation.start()
        assert str(exc.value) == "mock_kms() is already started"
        assert _send() is not original_send
    finally:
        activation.stop()
    assert _send() is original_send


def test_mock_kms_restart_after_stop_gets_fresh_state(original_send):
    activation = mock_kms()
    with activation:
        _kms().create_key()
    with activation:
        assert _key_ids(_kms()) == []
    assert _send() is original_send


def test_mock_kms_body_raising_propagates_and_restores(original_send):
    def body() -> None:
        with mock_kms():
            _kms().create_key()
            raise KeyError("body")

    with pytest.raises(KeyError):
        body()
    assert _send() is original_send


def test_mock_kms_last_stop_restores_send_by_identity():
    before = Endpoint.__dict__["_send"]
    with mock_kms():
        assert Endpoint.__dict__["_send"] is not before
        with mock_kms():
            pass
        assert Endpoint.__dict__["_send"] is not before
    assert Endpoint.__dict__["_send"] is before


def test_mock_kms_after_outermost_stop_state_is_discarded():
    with mock_kms():
        _kms().create_key()
        assert len(_key_ids(_kms())) == 1
    with mock_kms():
        assert _key_ids(_kms()) == []


def test_mock_kms_reset_forgets_every_key():
    with mock_kms() as kms:
        _kms().create_key()
        _kms("eu-west-1").create_key()
        kms.reset()
        assert _key_ids(_kms()) == []
        assert _key_ids(_kms("eu-west-1")) == []


# Nesting ------------------------------------------------------------------------------


def test_mock_kms_nested_joins_outer_state(original_send):
    client = _kms()
    with mock_kms() as outer:
        outer_key = client.create_key()["KeyMetadata"]["KeyId"]
        with mock_kms() as inner:
            assert inner.backend is outer.backend
            assert _key_ids(client) == [outer_key]
            inner_key = client.create_key()["KeyMetadata"]["KeyId"]
        # The inner stop neither restores botocore nor discards anything.
        assert _send() is not original_send
        assert _key_ids(client) == [outer_key, inner_key]
    assert _send() is original_send


def test_mock_kms_nested_decorator_joins_outer_state():
    @mock_kms
    def inner() -> list[str]:
        return _key_ids(_kms())

    with mock_kms():
        key_id = _kms().create_key()["KeyMetadata"]["KeyId"]
        assert inner() == [key_id]


@pytest.mark.parametrize(
    ("outer_options", "inner_options"),
    [
        ({}, {}),
        ({"region": "eu-west-1", "seed": 1}, {}),
        ({"region": "eu-west-1", "seed": 1}, {"region": "eu-west-1"}),
        ({"account_id": OTHER_ACCOUNT}, {"account_id": OTHER_ACCOUNT}),
        ({}, {"region": REGION, "account_id": ACCOUNT}),  # explicit, equal to the defaults
        ({"passthrough": ["sts"]}, {"passthrough": ("sts",)}),
    ],
)
def test_mock_kms_nested_same_or_no_options_joins(outer_options, inner_options):
    with mock_kms(**outer_options) as outer, mock_kms(**inner_options) as inner:
        assert inner.backend is outer.backend


@pytest.mark.parametrize(
    ("outer_options", "inner_options", "conflict"),
    [
        ({}, {"region": "eu-west-1"}, "region='eu-west-1' (active: 'us-east-1')"),
        (
            {"region": "eu-west-1"},
            {"region": "us-west-2"},
            "region='us-west-2' (active: 'eu-west-1')",
        ),
        (
            {},
            {"account_id": OTHER_ACCOUNT},
            "account_id='111122223333' (active: '123456789012')",
        ),
        ({"seed": 1}, {"seed": 2}, "seed=2 (active: 1)"),
        ({}, {"seed": 2}, "seed=2 (active: None)"),
        (
            {},
            {"passthrough": ["s3"]},
            "passthrough=frozenset({'s3'}) (active: frozenset())",
        ),
    ],
)
def test_mock_kms_nested_conflicting_option_raises_activation_error(
    original_send, outer_options, inner_options, conflict
):
    with mock_kms(**outer_options) as outer:
        key_id = _kms().create_key()["KeyMetadata"]["KeyId"]
        inner = mock_kms(**inner_options)
        with pytest.raises(ActivationError) as exc:
            inner.start()
        assert str(exc.value) == (
            "a nested mock_kms joins the active one and cannot change its settings: " + conflict
        )
        # The refused activation never started; the outer one is untouched.
        with pytest.raises(ActivationError):
            inner.stop()
        assert _key_ids(_kms()) == [key_id]
        assert outer.backend is not None
    assert _send() is original_send


def test_mock_kms_nested_several_conflicts_are_all_named():
    with mock_kms(), pytest.raises(ActivationError) as exc:
        mock_kms(region="eu-west-1", seed=9).start()
    assert str(exc.value) == (
        "a nested mock_kms joins the active one and cannot change its settings: "
        "region='eu-west-1' (active: 'us-east-1'), seed=9 (active: None)"
    )


def test_mock_kms_stop_by_identity_outer_first_keeps_mocking(original_send):
    a = mock_kms()
    b = mock_kms()
    a.start()
    b.start()
    try:
        key_id = _kms().create_key()["KeyMetadata"]["KeyId"]
        a.stop()
        assert _send() is not original_send
        # B still runs on the backend A created.
        assert _key_ids(_kms()) == [key_id]
        with pytest.raises(ActivationError):
            a.stop()
    finally:
        b.stop()
    assert _send() is original_send
    with mock_kms():
        assert _key_ids(_kms()) == []


def test_mock_kms_stop_by_identity_inner_first_keeps_mocking(original_send):
    a = mock_kms()
    b = mock_kms()
    a.start()
    b.start()
    b.stop()
    assert _send() is not original_send
    a.stop()
    assert _send() is original_send


# Determinism --------------------------------------------------------------------------


def _seeded_run(seed: int) -> tuple[list[str], bytes]:
    with mock_kms(seed=seed):
        client = _kms()
        key_ids = [client.create_key()["KeyMetadata"]["KeyId"] for _ in range(3)]
        key_ids.append(client.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"])
        random: bytes = client.generate_random(NumberOfBytes=64)["Plaintext"]
    return key_ids, random


def test_mock_kms_seed_makes_key_ids_and_random_bytes_reproducible():
    first = _seeded_run(7)
    second = _seeded_run(7)
    assert first == second
    assert len(set(first[0])) == 4
    assert first[0][3].startswith("mrk-")
    assert _seeded_run(8) != first


def test_mock_kms_seed_key_ids_are_uuid4_shaped():
    key_ids, _ = _seeded_run(1)
    for key_id in key_ids[:3]:
        assert key_id[14] == "4"  # version nibble
        assert key_id[19] in "89ab"  # variant


def test_mock_kms_without_seed_key_ids_differ_between_activations():
    with mock_kms():
        first = _kms().create_key()["KeyMetadata"]["KeyId"]
    with mock_kms():
        second = _kms().create_key()["KeyMetadata"]["KeyId"]
    assert first != second


# Environment: region and credentials --------------------------------------------------


def test_mock_kms_region_option_client_without_region_gets_it(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    with mock_kms(region="eu-west-1"):
        client = _kms(region=None)
        assert client.meta.region_name == "eu-west-1"
        arn = client.create_key()["KeyMetadata"]["Arn"]
        assert arn.startswith(f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/")
    assert "AWS_DEFAULT_REGION" not in os.environ
    assert "AWS_REGION" not in os.environ


def test_mock_kms_default_region_client_without_region_gets_us_east_1(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with mock_kms():
        assert _kms(region=None).meta.region_name == "us-east-1"
    assert "AWS_DEFAULT_REGION" not in os.environ


def test_mock_kms_region_option_environment_region_wins(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    with mock_kms(region="eu-west-1"):
        assert _kms(region=None).meta.region_name == "ap-southeast-2"
    assert os.environ["AWS_DEFAULT_REGION"] == "ap-southeast-2"


def test_mock_kms_region_option_only_aws_region_set_client_gets_option(monkeypatch):
    # botocore reads AWS_DEFAULT_REGION only; AWS_REGION (other SDKs' name) gives it no
    # region, so a client naming none must still get the option instead of NoRegionError.
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")
    with mock_kms(region="eu-west-1"):
        assert _kms(region=None).meta.region_name == "eu-west-1"
    assert os.environ["AWS_REGION"] == "ap-southeast-2"
    assert "AWS_DEFAULT_REGION" not in os.environ


def test_mock_kms_region_option_explicit_client_region_wins():
    with mock_kms(region="eu-west-1"):
        arn = _kms("us-west-2").create_key()["KeyMetadata"]["Arn"]
    assert arn.startswith(f"arn:aws:kms:us-west-2:{ACCOUNT}:key/")


@pytest.fixture
def no_credentials(monkeypatch, tmp_path, fresh_default_session):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "missing-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing-config"))
    # Without kmsmock there really are none.
    assert boto3.session.Session().get_credentials() is None


def test_mock_kms_no_credentials_client_works_and_environment_restored(no_credentials, monkeypatch):
    with pytest.raises(NoCredentialsError):
        _kms().list_keys()
    # Without credentials botocore would ask the instance metadata service, over the network.
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    with mock_kms() as kms:
        assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
        # The fake keys are the session's, not the environment's.
        assert "AWS_ACCESS_KEY_ID" not in os.environ
        client = _kms()
        metadata = client.create_key()["KeyMetadata"]
        assert metadata["AWSAccountId"] == ACCOUNT
        assert _key_ids(client) == [metadata["KeyId"]]
        assert kms.calls[0].principal == f"arn:aws:iam::{ACCOUNT}:root"
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_EC2_METADATA_DISABLED",
    ):
        assert name not in os.environ
    with pytest.raises(NoCredentialsError):
        _kms().list_keys()


def test_mock_kms_no_credentials_with_session_token_left_over_is_not_sent(
    no_credentials, monkeypatch
):
    # A token without keys is not credentials; a stale one must not be sent along.
    monkeypatch.setenv("AWS_SESSION_TOKEN", "stale-token")
    sent: list[Any] = []
    with mock_kms():
        client = _kms()
        client.meta.events.register("before-send.kms", lambda request, **_: sent.append(request))
        assert client.list_keys()["Keys"] == []
    assert "X-Amz-Security-Token" not in sent[0].headers
    assert (
        sent[0]
        .headers["Authorization"]
        .startswith(b"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/")
    )
    assert os.environ["AWS_SESSION_TOKEN"] == "stale-token"


def test_mock_kms_existing_credentials_are_kept(monkeypatch, fresh_default_session):
    monkeypatch.setenv("AWS_SESSION_TOKEN", "a-session-token")
    with mock_kms() as kms:
        assert os.environ["AWS_ACCESS_KEY_ID"] == ACCESS_KEY_ID
        assert os.environ["AWS_SESSION_TOKEN"] == "a-session-token"
        # Requests are signed with the environment's key: its identity decides the account.
        kms.identities.add(ACCESS_KEY_ID, account_id=OTHER_ACCOUNT)
        assert _kms().create_key()["KeyMetadata"]["AWSAccountId"] == OTHER_ACCOUNT
    assert os.environ["AWS_ACCESS_KEY_ID"] == ACCESS_KEY_ID
    assert os.environ["AWS_SESSION_TOKEN"] == "a-session-token"


def test_mock_kms_credentials_in_shared_file_are_kept(no_credentials, tmp_path, monkeypatch):
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[default]\naws_access_key_id = AKIAFROMFILE00000001\naws_secret_access_key = s\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    with mock_kms() as kms:
        assert "AWS_ACCESS_KEY_ID" not in os.environ
        kms.identities.add("AKIAFROMFILE00000001", account_id=OTHER_ACCOUNT)
        assert _kms().create_key()["KeyMetadata"]["AWSAccountId"] == OTHER_ACCOUNT


def test_mock_kms_profile_in_environment_is_kept(no_credentials, tmp_path, monkeypatch):
    config = tmp_path / "credentials"
    config.write_text(
        "[dev]\naws_access_key_id = AKIAFROMPROFILE00001\naws_secret_access_key = s\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "dev")
    with mock_kms() as kms:
        assert "AWS_ACCESS_KEY_ID" not in os.environ
        kms.identities.add("AKIAFROMPROFILE00001", account_id=OTHER_ACCOUNT)
        assert _kms().create_key()["KeyMetadata"]["AWSAccountId"] == OTHER_ACCOUNT


def test_mock_kms_account_id_not_twelve_digits_raises_value_error():
    message = "account_id must be a string of 12 digits, got '123'"
    with pytest.raises(ValueError, match=re.escape(message)) as exc:
        mock_kms(account_id="123")
    assert str(exc.value) == message


def test_mock_kms_account_id_of_non_ascii_digits_raises_value_error():
    # str.isdigit() holds for these; an AWS account ID has ASCII digits only.
    arabic_indic = "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662"
    with pytest.raises(ValueError, match=r"^account_id must be a string of 12 digits") as exc:
        mock_kms(account_id=arabic_indic)
    assert str(exc.value) == f"account_id must be a string of 12 digits, got {arabic_indic!r}"


def test_mock_kms_passthrough_string_raises_type_error():
    with pytest.raises(TypeError, match=r"^passthrough takes service names, e\.g\."):
        mock_kms(passthrough="s3")


def test_mock_kms_is_exported_with_errors():
    assert kmsmock.mock_kms is mock_kms
    assert issubclass(ActivationError, kmsmock.KmsMockError)
    assert issubclass(kmsmock.RequestRefusedError, kmsmock.KmsMockError)
    assert issubclass(kmsmock.OperationNotImplementedError, kmsmock.KmsMockError)


def test_handle_members_after_the_stop_raise_activation_error():
    with mock_kms() as kms:
        kms.seed_key("11111111-2222-3333-4444-555555555555", bytes(32))
    message = (
        "mock_kms() has stopped: its handle no longer reaches the mocked KMS; "
        "look at kms.calls, kms.keys() and the rest before the mock stops"
    )
    members: list[Callable[[], Any]] = [
        lambda: kms.calls,
        lambda: kms.keys(),
        lambda: kms.faults,
        lambda: kms.clock,
        lambda: kms.identities,
        lambda: kms.backend,
        lambda: kms.reset(),
        lambda: kms.seed_key("11111111-2222-3333-4444-555555555556", bytes(32)),
    ]
    for member in members:
        with pytest.raises(ActivationError) as exc:
            member()
        assert str(exc.value) == message


def test_nested_handle_after_its_own_stop_raises_while_outer_works():
    with mock_kms() as outer:
        with mock_kms() as inner:
            inner.seed_key("11111111-2222-3333-4444-555555555555", bytes(32))
        with pytest.raises(ActivationError, match=r"^mock_kms\(\) has stopped"):
            inner.keys()
        assert [view.key_id for view in list(outer.keys())] == [
            "11111111-2222-3333-4444-555555555555"
        ]


def test_handle_started_again_after_the_stop_works_on_fresh_state():
    mock = mock_kms()
    with mock:
        mock.seed_key("11111111-2222-3333-4444-555555555555", bytes(32))
    with mock:
        assert mock.keys() == []
