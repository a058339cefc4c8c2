"""kmsmock next to moto: KMS requests reach kmsmock, every other service reaches moto,
whichever of the two started first."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests._support import REGION

moto = pytest.importorskip("moto")

from moto.core.botocore_stubber import BotocoreStubber  # noqa: E402

from kmsmock import mock_kms  # noqa: E402

mock_aws: Any = moto.mock_aws


def _use_both() -> tuple[str, list[str]]:
    """Creates a key and a bucket; returns the key's ID and the buckets."""
    kms = boto3.client("kms", region_name=REGION)
    s3 = boto3.client("s3", region_name=REGION)
    key_id = kms.create_key(Description="kmsmock's")["KeyMetadata"]["KeyId"]
    s3.create_bucket(Bucket="orders")
    kms.encrypt(KeyId=key_id, Plaintext=b"x")
    return key_id, [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_mock_kms_inside_mock_aws_kms_reaches_kmsmock_s3_reaches_moto():
    with mock_aws():
        with mock_kms() as kms:
            key_id, buckets = _use_both()
            operations = [call.operation for call in kms.calls]
            ours = [view.key_id for view in list(kms.keys())]
        # kmsmock has stopped: KMS is moto's again, and moto never saw the key.
        assert boto3.client("kms", region_name=REGION).list_keys()["Keys"] == []
        assert [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]] == ["orders"]
    assert operations == ["CreateKey", "Encrypt"]
    assert ours == [key_id]
    assert buckets == ["orders"]


def test_mock_aws_inside_mock_kms_kms_reaches_kmsmock_s3_reaches_moto():
    with mock_kms() as kms:
        with mock_aws():
            key_id, buckets = _use_both()
        operations = [call.operation for call in kms.calls]
        ours = [view.key_id for view in list(kms.keys())]
    assert operations == ["CreateKey", "Encrypt"]
    assert ours == [key_id]
    assert buckets == ["orders"]


@mock_aws
@mock_kms
def test_decorators_stacked_mock_aws_outermost():
    key_id, buckets = _use_both()
    assert buckets == ["orders"]
    description = boto3.client("kms", region_name=REGION).describe_key(KeyId=key_id)
    assert description["KeyMetadata"]["Description"] == "kmsmock's"
    # kmsmock's answers carry kmsmock's request IDs, not moto's.
    assert description["ResponseMetadata"]["RequestId"].endswith("000000000003")


@mock_kms
@mock_aws
def test_decorators_stacked_mock_kms_outermost():
    key_id, buckets = _use_both()
    assert buckets == ["orders"]
    description = boto3.client("kms", region_name=REGION).describe_key(KeyId=key_id)
    assert description["ResponseMetadata"]["RequestId"].endswith("000000000003")


def test_moto_answers_kms_again_after_kmsmock_stops_and_patch_restored_by_identity():
    original = BotocoreStubber.__dict__["__call__"]
    with mock_aws():
        with mock_kms():
            assert BotocoreStubber.__dict__["__call__"] is not original
        assert BotocoreStubber.__dict__["__call__"] is original
        key_id = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["KeyId"]
        assert boto3.client("kms", region_name=REGION).list_keys()["Keys"][0]["KeyId"] == key_id


def test_s3_without_moto_active_is_refused_by_kmsmock():
    from kmsmock.errors import RequestRefusedError

    with mock_kms(), pytest.raises(RequestRefusedError, match="'s3'"):
        boto3.client("s3", region_name=REGION).list_buckets()


def _python_block_after(path: Path, heading: str) -> str:
    text = path.read_text()
    section = text[text.index(heading) :]
    match = re.search(r"```python(?: notest)?\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize(
    ("document", "heading"),
    [
        ("docs/migrating-from-moto.md", "## Using both"),
        ("docs/activation.md", "## kmsmock and moto side by side"),
    ],
)
def test_moto_recipe_in_the_docs_runs(document, heading):
    source = _python_block_after(Path(__file__).resolve().parent.parent / document, heading)
    assert "mock_aws" in source
    assert "mock_kms" in source
    exec(compile(source, document, "exec"), {"__name__": "recipe"})
