"""The pytest plugin: the kms_mock fixture and the kms_mock marker."""

from __future__ import annotations

import pytest
from botocore.endpoint import Endpoint

pytest_plugins = ["pytester"]

# Plugins the inner runs do not need; hypothesis's would be re-imported by every run.
_QUIET_PLUGINS = (
    "-p",
    "no:randomly",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:hypothesispytest",
    "-p",
    "no:benchmark",
)

_PREAMBLE = """
import boto3
import pytest

import kmsmock
from botocore.endpoint import Endpoint
"""


def _ini(pytester: pytest.Pytester) -> None:
    # pytest-asyncio warns without this option, and warnings are errors here.
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )


def _run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    _ini(pytester)
    pytester.makepyfile(_PREAMBLE + source)
    return pytester.runpytest(*_QUIET_PLUGINS, *args)


def test_kms_mock_fixture_yields_kms_mock_and_mocks_kms(pytester):
    before = Endpoint.__dict__["_send"]
    result = _run(
        pytester,
        """
def test_inside(kms_mock):
    assert isinstance(kms_mock, kmsmock.KmsMock)
    client = boto3.client("kms", region_name="us-east-1")
    key = client.create_key()["KeyMetadata"]
    assert key["AWSAccountId"] == "123456789012"
    assert client.list_keys()["Keys"] == [{"KeyId": key["KeyId"], "KeyArn": key["Arn"]}]
""",
    )
    result.assert_outcomes(passed=1)
    assert Endpoint.__dict__["_send"] is before


def test_kms_mock_fixture_each_test_gets_fresh_state(pytester):
    result = _run(
        pytester,
        """
@pytest.mark.parametrize("run", [1, 2])
def test_fresh(kms_mock, run):
    client = boto3.client("kms", region_name="us-east-1")
    assert client.list_keys()["Keys"] == []
    client.create_key()
""",
    )
    result.assert_outcomes(passed=2)


def test_kms_mock_fixture_is_stopped_after_test(pytester):
    result = _run(
        pytester,
        """
ORIGINAL = Endpoint.__dict__["_send"]

def test_first(kms_mock):
    assert Endpoint.__dict__["_send"] is not ORIGINAL

def test_second():
    assert Endpoint.__dict__["_send"] is ORIGINAL
""",
    )
    result.assert_outcomes(passed=2)


def test_kms_mock_marker_configures_fixture(pytester, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    result = _run(
        pytester,
        """
@pytest.mark.kms_mock(region="eu-west-1", account_id="111122223333", seed=4)
def test_marked(kms_mock):
    assert (kms_mock.region, kms_mock.account_id, kms_mock.seed) == (
        "eu-west-1", "111122223333", 4
    )
    client = boto3.client("kms")
    assert client.meta.region_name == "eu-west-1"
    arn = client.create_key()["KeyMetadata"]["Arn"]
    assert arn.startswith("arn:aws:kms:eu-west-1:111122223333:key/")

def test_unmarked(kms_mock):
    assert kms_mock.region == "us-east-1"
    assert kms_mock.account_id == "123456789012"
""",
    )
    result.assert_outcomes(passed=2)


def test_kms_mock_marker_on_class_configures_fixture(pytester):
    result = _run(
        pytester,
        """
@pytest.mark.kms_mock(account_id="111122223333")
class TestMarked:
    def test_account(self, kms_mock):
        client = boto3.client("kms", region_name="us-east-1")
        assert client.create_key()["KeyMetadata"]["AWSAccountId"] == "111122223333"
""",
    )
    result.assert_outcomes(passed=1)


def test_kms_mock_marker_is_registered_under_strict_markers(pytester):
    result = _run(
        pytester,
        """
@pytest.mark.kms_mock(seed=1)
def test_marked(kms_mock):
    assert kms_mock.seed == 1
""",
        "--strict-markers",
        "-W",
        "error::pytest.PytestUnknownMarkWarning",
    )
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*PytestUnknownMarkWarning*")


def test_kms_mock_marker_is_listed_by_markers(pytester):
    _ini(pytester)
    result = pytester.runpytest(*_QUIET_PLUGINS, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.kms_mock(**options): *"])


def test_kms_mock_marker_positional_argument_raises(pytester):
    result = _run(
        pytester,
        """
@pytest.mark.kms_mock("eu-west-1")
def test_marked(kms_mock):
    pass
""",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "E *TypeError: @pytest.mark.kms_mock takes mock_kms's keyword options (region, "
            "account_id, seed, passthrough, enforce_policies), "
            "got @pytest.mark.kms_mock('eu-west-1')"
        ]
    )


def test_kms_mock_marker_positional_and_keyword_arguments_shows_both(pytester):
    result = _run(
        pytester,
        """
@pytest.mark.kms_mock("eu-west-1", seed=3)
def test_marked(kms_mock):
    pass
""",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["E *TypeError: *got @pytest.mark.kms_mock('eu-west-1', seed=3)"])


def test_kms_mock_marker_unknown_option_raises(pytester):
    result = _run(
        pytester,
        """
@pytest.mark.kms_mock(regoin="eu-west-1")
def test_marked(kms_mock):
    pass
""",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "E *TypeError: @pytest.mark.kms_mock takes mock_kms's keyword options (region, "
            "account_id, seed, passthrough, enforce_policies), "
            "got @pytest.mark.kms_mock(regoin='eu-west-1')"
        ]
    )


def test_kms_mock_fixture_in_async_test_mocks_kms(pytester):
    result = _run(
        pytester,
        """
async def test_async(kms_mock):
    client = boto3.client("kms", region_name="us-east-1")
    assert len(client.generate_random(NumberOfBytes=4)["Plaintext"]) == 4
""",
    )
    result.assert_outcomes(passed=1)


def test_kms_mock_marker_alone_activates_the_mock(pytester, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    result = _run(
        pytester,
        """
ORIGINAL = Endpoint.__dict__["_send"]

@pytest.mark.kms_mock(region="eu-west-1", account_id="111122223333")
def test_marked():
    client = boto3.client("kms")
    arn = client.create_key()["KeyMetadata"]["Arn"]
    assert arn.startswith("arn:aws:kms:eu-west-1:111122223333:key/")

@pytest.mark.kms_mock
class TestMarkedClass:
    def test_method(self):
        assert boto3.client("kms").list_keys()["Keys"] == []

def test_unmarked_after():
    assert Endpoint.__dict__["_send"] is ORIGINAL
""",
    )
    result.assert_outcomes(passed=3)


def test_kms_mock_marker_from_pytestmark_activates_every_test_of_the_module(pytester):
    result = _run(
        pytester,
        """
pytestmark = pytest.mark.kms_mock(seed=7)

@pytest.fixture
def key_id():
    # The test's own fixtures already run inside the mock.
    return boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]

def test_first(key_id):
    client = boto3.client("kms", region_name="us-east-1")
    assert [k["KeyId"] for k in client.list_keys()["Keys"]] == [key_id]

async def test_second_is_fresh():
    client = boto3.client("kms", region_name="us-east-1")
    assert client.list_keys()["Keys"] == []
""",
    )
    result.assert_outcomes(passed=2)


def test_kms_mock_marker_and_fixture_share_one_mock(pytester):
    result = _run(
        pytester,
        """
pytestmark = pytest.mark.kms_mock(account_id="111122223333")

@pytest.fixture
def key_id():
    return boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]

def test_both(key_id, kms_mock):
    assert kms_mock.account_id == "111122223333"
    assert [view.key_id for view in list(kms_mock.keys())] == [key_id]
    assert [call.operation for call in kms_mock.calls] == ["CreateKey"]
""",
    )
    result.assert_outcomes(passed=1)


def test_kms_mock_marker_alone_unknown_option_errors_the_test(pytester):
    result = _run(
        pytester,
        """
@pytest.mark.kms_mock(regoin="eu-west-1")
def test_marked():
    pass
""",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "E *TypeError: @pytest.mark.kms_mock takes mock_kms's keyword options (region, "
            "account_id, seed, passthrough, enforce_policies), "
            "got @pytest.mark.kms_mock(regoin='eu-west-1')"
        ]
    )


# @mock_kms on test classes ---------------------------------------------------------------


def test_mock_kms_on_plain_class_each_test_and_its_setup_in_a_fresh_mock(pytester):
    result = _run(
        pytester,
        """
ORIGINAL = Endpoint.__dict__["_send"]
SEEN = []

@kmsmock.mock_kms(account_id="111122223333")
class TestKeys:
    def setup_method(self, method):
        self.client = boto3.client("kms", region_name="us-east-1")
        self.key_id = self.client.create_key()["KeyMetadata"]["KeyId"]

    def teardown_method(self, method):
        # Still inside the test's mock: the key is there.
        SEEN.append(self.client.describe_key(KeyId=self.key_id)["KeyMetadata"]["KeyId"])

    def test_one_key(self):
        keys = self.client.list_keys()["Keys"]
        assert [k["KeyId"] for k in keys] == [self.key_id]
        assert keys[0]["KeyArn"].startswith("arn:aws:kms:us-east-1:111122223333:key/")

    async def test_async_one_key_again(self):
        assert len(self.client.list_keys()["Keys"]) == 1

    def test_handle_through_fixture(self, kms_mock):
        assert kms_mock.account_id == "111122223333"
        assert [view.key_id for view in list(kms_mock.keys())] == [self.key_id]

def test_after_the_class():
    assert Endpoint.__dict__["_send"] is ORIGINAL
    assert len(SEEN) == 3 and len(set(SEEN)) == 3
""",
    )
    result.assert_outcomes(passed=4)


def test_mock_kms_on_plain_class_inherited_and_nested_as_moto_does(pytester):
    result = _run(
        pytester,
        """
@kmsmock.mock_kms(account_id="111122223333")
class TestBase:
    expected = "111122223333"

    def account(self):
        client = boto3.client("kms", region_name="us-east-1")
        return client.create_key()["KeyMetadata"]["AWSAccountId"]

    def test_base(self):
        assert self.account() == self.expected

class TestChild(TestBase):
    def setup_method(self, method):
        # Overrides the base's setup without super(): still mocked.
        self.first = self.account()

    def test_child(self):
        assert self.first == "111122223333"

@kmsmock.mock_kms(account_id="444455556666")
class TestChildWithOwnOptions(TestBase):
    expected = "444455556666"

@kmsmock.mock_kms(seed=3)
class TestOuter:
    class TestNested:
        def test_nested(self, kms_mock):
            assert kms_mock.seed == 3
            assert boto3.client("kms", region_name="us-east-1").list_keys()["Keys"] == []
""",
    )
    # TestBase's test runs for it and for both subclasses, with the subclass's options.
    result.assert_outcomes(passed=5)


def test_mock_kms_on_test_case_set_up_and_tear_down_inside_the_mock(pytester):
    result = _run(
        pytester,
        """
import unittest

ORIGINAL = Endpoint.__dict__["_send"]
TORN_DOWN = []

@kmsmock.mock_kms(region="eu-west-1")
class TestCase(unittest.TestCase):
    def setUp(self):
        self.client = boto3.client("kms", region_name="eu-west-1")
        self.key_id = self.client.create_key()["KeyMetadata"]["KeyId"]

    def tearDown(self):
        self.client.schedule_key_deletion(KeyId=self.key_id, PendingWindowInDays=7)
        TORN_DOWN.append(self.key_id)

    def test_first(self):
        self.assertEqual(len(self.client.list_keys()["Keys"]), 1)

    def test_second(self):
        self.assertEqual(len(self.client.list_keys()["Keys"]), 1)

def test_after():
    assert Endpoint.__dict__["_send"] is ORIGINAL
    assert len(set(TORN_DOWN)) == 2
""",
    )
    result.assert_outcomes(passed=3)


def test_mock_kms_on_test_case_subclass_with_own_options_uses_them(pytester):
    result = _run(
        pytester,
        """
import unittest

@kmsmock.mock_kms(account_id="111122223333")
class TestBase(unittest.TestCase):
    expected = "111122223333"

    def test_account(self):
        client = boto3.client("kms", region_name="us-east-1")
        self.assertEqual(client.create_key()["KeyMetadata"]["AWSAccountId"], self.expected)

@kmsmock.mock_kms(account_id="444455556666")
class TestChild(TestBase):
    expected = "444455556666"

    def setUp(self):
        super().setUp()
        self.client = boto3.client("kms", region_name="us-east-1")

    def test_fresh(self):
        self.assertEqual(self.client.list_keys()["Keys"], [])

class TestInherits(TestBase):
    pass
""",
    )
    # test_account runs in all three classes, test_fresh in TestChild.
    result.assert_outcomes(passed=4)
