"""Credentials, region and environment while kmsmock is active: nothing is resolved
through a process, STS, SSO or a metadata endpoint, and after the stop everything
resolves as it would have without kmsmock."""

from __future__ import annotations

import os
import sys

import boto3
import botocore.session
import pytest
from botocore.credentials import Credentials
from botocore.exceptions import SSOTokenLoadError

from kmsmock import mock_kms
from tests._support import ACCOUNT, OTHER_ACCOUNT, ROOT


@pytest.fixture
def aws_files(monkeypatch, tmp_path, fresh_default_session):
    """Empty config and credentials files, and no keys in the environment."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("")
    credentials.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    return config, credentials


@pytest.fixture
def process_profile(aws_files, tmp_path):
    """A ``credential_process`` profile whose process leaves a file behind when it runs."""
    config, _ = aws_files
    marker = tmp_path / "the-process-ran"
    script = tmp_path / "credential_process.py"
    script.write_text(
        "import json, pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('ran')\n"
        "print(json.dumps({'Version': 1, 'AccessKeyId': 'AKIAFROMPROCESS00001',"
        " 'SecretAccessKey': 'from-process'}))\n"
    )
    config.write_text(f"[profile proc]\ncredential_process = {sys.executable} {script}\n")
    return marker


def _credentials(session: boto3.session.Session) -> Credentials:
    credentials = session.get_credentials()
    assert credentials is not None
    return credentials


SSO_PROFILE = (
    "[profile sso]\n"
    "sso_start_url = https://example.awsapps.com/start\n"
    "sso_region = us-east-1\n"
    "sso_account_id = 111122223333\n"
    "sso_role_name = Developer\n"
)
ASSUME_ROLE_PROFILE = (
    "[profile role]\nrole_arn = arn:aws:iam::111122223333:role/Developer\nsource_profile = base\n"
)


def test_create_key_with_credential_process_profile_never_runs_the_process(
    process_profile, monkeypatch
):
    monkeypatch.setenv("AWS_PROFILE", "proc")
    with mock_kms() as kms:
        metadata = boto3.client("kms").create_key()["KeyMetadata"]
        assert _credentials(boto3.session.Session()).access_key == "AKIAIOSFODNN7EXAMPLE"
        calls = list(kms.calls)
    assert metadata["AWSAccountId"] == ACCOUNT
    assert calls[0].principal == ROOT
    assert not process_profile.exists()


def test_credential_process_profile_runs_again_after_the_stop(process_profile):
    with mock_kms():
        session = boto3.session.Session(profile_name="proc")
        session.client("kms").list_keys()
    assert not process_profile.exists()
    # The same session, after the stop: resolution as without kmsmock (nothing cached).
    assert _credentials(session).access_key == "AKIAFROMPROCESS00001"
    assert process_profile.read_text() == "ran"


def test_create_key_with_sso_profile_passes_without_network(aws_files, monkeypatch):
    config, _ = aws_files
    config.write_text(SSO_PROFILE)
    monkeypatch.setenv("AWS_PROFILE", "sso")
    with mock_kms() as kms:
        metadata = boto3.client("kms").create_key()["KeyMetadata"]
        calls = list(kms.calls)
    assert metadata["AWSAccountId"] == ACCOUNT
    assert [call.operation for call in calls] == ["CreateKey"]
    # Without kmsmock the same profile needs an SSO login.
    with pytest.raises(SSOTokenLoadError):
        _credentials(boto3.session.Session(profile_name="sso")).get_frozen_credentials()


def test_session_with_assume_role_profile_name_never_calls_sts(aws_files):
    config, credentials = aws_files
    config.write_text(ASSUME_ROLE_PROFILE)
    credentials.write_text(
        "[base]\naws_access_key_id = AKIABASEPROFILE00001\naws_secret_access_key = s\n"
    )
    with mock_kms() as kms:
        client = boto3.session.Session(profile_name="role").client("kms")
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        client.describe_key(KeyId=key_id)
        calls = list(kms.calls)
    # Only KMS was asked (an STS AssumeRole would have been refused, and failed the call).
    assert [call.operation for call in calls] == ["CreateKey", "DescribeKey"]
    assert {call.principal for call in calls} == {ROOT}


def test_explicit_static_keys_decide_the_account_whatever_the_profile(process_profile, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "proc")
    with mock_kms() as kms:
        kms.identities.add("AKIAEXPLICIT00000001", account_id=OTHER_ACCOUNT)
        client = boto3.client(
            "kms", aws_access_key_id="AKIAEXPLICIT00000001", aws_secret_access_key="s"
        )
        session = boto3.session.Session(
            aws_access_key_id="AKIAEXPLICIT00000001", aws_secret_access_key="s"
        )
        from_client = client.create_key()["KeyMetadata"]["AWSAccountId"]
        from_session = session.client("kms").create_key()["KeyMetadata"]["AWSAccountId"]
    assert (from_client, from_session) == (OTHER_ACCOUNT, OTHER_ACCOUNT)
    assert not process_profile.exists()


def test_static_keys_of_profile_in_shared_file_decide_the_account(aws_files):
    _, credentials = aws_files
    credentials.write_text(
        "[dev]\naws_access_key_id = AKIAFROMPROFILE00002\naws_secret_access_key = s\n"
    )
    with mock_kms() as kms:
        kms.identities.add("AKIAFROMPROFILE00002", account_id=OTHER_ACCOUNT)
        client = boto3.session.Session(profile_name="dev").client("kms")
        assert client.create_key()["KeyMetadata"]["AWSAccountId"] == OTHER_ACCOUNT


def test_refreshable_credentials_resolved_before_activation_are_not_refreshed(
    process_profile,
):
    session = boto3.session.Session(profile_name="proc")
    assert _credentials(session).access_key == "AKIAFROMPROCESS00001"
    process_profile.unlink()
    with mock_kms() as kms:
        session.client("kms").list_keys()
        principal = kms.calls[0].principal
    # The process's credentials (refreshable) were not used, and it did not run again.
    assert principal == ROOT
    assert not process_profile.exists()


def test_botocore_session_get_credentials_restored_by_identity():
    original = botocore.session.Session.__dict__["get_credentials"]
    original_config = botocore.session.Session.__dict__["get_config_variable"]
    with mock_kms():
        assert botocore.session.Session.__dict__["get_credentials"] is not original
    assert botocore.session.Session.__dict__["get_credentials"] is original
    assert botocore.session.Session.__dict__["get_config_variable"] is original_config


# The region ---------------------------------------------------------------------------


def test_default_region_is_the_environments_when_set(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    with mock_kms(region="eu-west-1") as kms:
        kms.seed_key("11111111-2222-3333-4444-555555555555", bytes(32))
        arn = boto3.client("kms").describe_key(KeyId="11111111-2222-3333-4444-555555555555")
        assert kms.default_region == "ap-southeast-2"
        assert [view.arn for view in list(kms.keys())] == [arn["KeyMetadata"]["Arn"]]
    assert arn["KeyMetadata"]["Arn"].startswith(f"arn:aws:kms:ap-southeast-2:{ACCOUNT}:key/")


def test_default_region_is_the_mocks_without_environment(monkeypatch, fresh_default_session):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with mock_kms(region="eu-west-1") as kms:
        key_id = boto3.client("kms").create_key()["KeyMetadata"]["KeyId"]
        assert kms.default_region == "eu-west-1"
        assert [view.key_id for view in list(kms.keys())] == [key_id]
        assert "AWS_DEFAULT_REGION" not in os.environ
    assert "AWS_DEFAULT_REGION" not in os.environ


# The environment ----------------------------------------------------------------------


def test_variables_the_test_sets_while_active_stay_after_the_stop(monkeypatch):
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    before = dict(os.environ)
    mock = mock_kms().start()
    os.environ["AWS_EC2_METADATA_DISABLED"] = "false"
    os.environ["AWS_DEFAULT_REGION"] = "eu-central-1"
    mock.stop()
    assert os.environ["AWS_EC2_METADATA_DISABLED"] == "false"
    assert os.environ["AWS_DEFAULT_REGION"] == "eu-central-1"
    del os.environ["AWS_EC2_METADATA_DISABLED"], os.environ["AWS_DEFAULT_REGION"]
    assert dict(os.environ) == before


def test_monkeypatched_variables_inside_the_mock_leave_nothing_of_kmsmock(
    monkeypatch, fresh_default_session
):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    before = dict(os.environ)
    with mock_kms(), monkeypatch.context() as inner:
        inner.setenv("AWS_DEFAULT_REGION", "eu-west-3")
        inner.setenv("AWS_ACCESS_KEY_ID", "AKIAINNERTEST0000001")
        inner.setenv("AWS_SECRET_ACCESS_KEY", "s")
        boto3.client("kms").list_keys()
    assert dict(os.environ) == before
