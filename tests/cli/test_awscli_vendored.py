"""The AWS CLI v1 from 1.46 on, which ships its own copy of botocore (``awscli.botocore``).

The CLI's code imports ``botocore``, which awscli's import finder resolves to its own copy
when no botocore is loaded yet: a process that imports awscli first runs the CLI (and
boto3) on that copy under the name ``botocore``, as ``pytest -p awscli`` does in CI.
Code may also import the copy by its package name, which loads it a second time with its
own ``Session`` and ``Endpoint`` classes. Every test here holds whichever way it is loaded.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import botocore.endpoint
import pytest

pytest.importorskip("awscli")
import awscli  # type: ignore[import-untyped]

from kmsmock import mock_kms
from kmsmock.errors import ActivationError, RequestRefusedError
from tests._support import ACCOUNT, REGION

if not os.path.isfile(os.path.join(os.path.dirname(awscli.__file__), "botocore", "__init__.py")):
    pytest.skip(
        f"awscli {awscli.__version__} depends on botocore and ships no copy of its own",
        allow_module_level=True,
    )

# The copy by its package name, imported before any mock starts, as a test module would.
import awscli.botocore.endpoint  # type: ignore[import-untyped]
import awscli.botocore.session  # type: ignore[import-untyped]

from tests.cli._cli import Aws, failed, key_arn, ok
from tests.cli.test_awscli import create_key

SECRET = b"the CLI's own botocore"
FAKE_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"


def _originals() -> list[Any]:
    endpoint = awscli.botocore.endpoint.Endpoint.__dict__
    session = awscli.botocore.session.Session.__dict__
    return [endpoint["_send"], session["get_credentials"], session["get_config_variable"]]


def test_create_key_cli_own_botocore_is_answered_by_the_mock(aws: Aws, kms_mock: Any) -> None:
    meta = create_key(aws, "--description", "vendored")
    assert (meta["Arn"], meta["Description"]) == (key_arn(meta["KeyId"]), "vendored")
    keys = kms_mock.keys()
    assert [key.key_id for key in keys] == [meta["KeyId"]]


def test_encrypt_cli_then_decrypt_cli_returns_plaintext(aws: Aws, tmp_path: Path) -> None:
    key_id = create_key(aws)["KeyId"]
    (tmp_path / "in").write_bytes(SECRET)
    encrypted = ok(
        aws("kms", "encrypt", "--key-id", key_id, "--plaintext", f"fileb://{tmp_path}/in")
    )
    assert (encrypted["KeyId"], encrypted["EncryptionAlgorithm"]) == (
        key_arn(key_id),
        "SYMMETRIC_DEFAULT",
    )
    (tmp_path / "blob").write_bytes(base64.b64decode(encrypted["CiphertextBlob"]))
    decrypted = ok(aws("kms", "decrypt", "--ciphertext-blob", f"fileb://{tmp_path}/blob"))
    assert base64.b64decode(decrypted["Plaintext"]) == SECRET
    assert decrypted["KeyId"] == key_arn(key_id)


def test_describe_key_cli_unknown_key_prints_not_found(aws: Aws) -> None:
    unknown = "1234abcd-12ab-34cd-56ef-1234567890ab"
    run = aws("kms", "describe-key", "--key-id", unknown)
    failed(run, "NotFoundException", "DescribeKey", f"Key '{key_arn(unknown)}' does not exist")


def test_calls_cli_requests_are_recorded(aws: Aws, kms_mock: Any) -> None:
    key_id = create_key(aws)["KeyId"]
    ok(aws("kms", "list-keys"))
    assert kms_mock.calls.operations() == ["CreateKey", "ListKeys"]
    create, _ = kms_mock.calls
    assert (create.region, create.account) == (REGION, ACCOUNT)
    assert create.response["KeyMetadata"]["KeyId"] == key_id


def test_list_keys_copy_client_built_before_activation_is_mocked() -> None:
    session = awscli.botocore.session.Session()
    session.set_credentials(FAKE_ACCESS_KEY_ID, "secret")
    client = session.create_client("kms", region_name=REGION)
    with mock_kms() as kms:
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        assert client.list_keys()["Keys"] == [{"KeyId": key_id, "KeyArn": key_arn(key_id)}]
        assert kms.calls.operations() == ["CreateKey", "ListKeys"]


def test_stop_copy_patches_restored_by_identity() -> None:
    before = _originals()
    with mock_kms():
        during = _originals()
        assert all(
            getattr(patched, "__wrapped__", None) is original
            for patched, original in zip(during, before, strict=True)
        )
    assert all(after is original for after, original in zip(_originals(), before, strict=True))


def test_get_caller_identity_cli_other_service_is_refused(aws: Aws) -> None:
    run = aws("sts", "get-caller-identity")
    assert (run.rc, run.out) == (255, "")
    assert "kmsmock refused a request to AWS service 'sts'" in run.err


def test_get_caller_identity_copy_client_other_service_raises_refused(kms_mock: Any) -> None:
    client = awscli.botocore.session.Session().create_client("sts", region_name=REGION)
    with pytest.raises(RequestRefusedError, match="only KMS is mocked"):
        client.get_caller_identity()


@pytest.fixture
def process_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A ``credential_process`` profile ``proc`` whose process leaves a file behind."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    marker = tmp_path / "the-process-ran"
    script = tmp_path / "credential_process.py"
    script.write_text(
        "import json, pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('ran')\n"
        "print(json.dumps({'Version': 1, 'AccessKeyId': 'AKIAFROMPROCESS00001',"
        " 'SecretAccessKey': 'from-process'}))\n"
    )
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text(f"[profile proc]\ncredential_process = {sys.executable} {script}\n")
    credentials.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    return marker


def test_list_keys_cli_credential_process_profile_never_runs(
    aws: Aws, kms_mock: Any, process_profile: Path
) -> None:
    assert ok(aws("kms", "list-keys", "--profile", "proc")) == {"Keys": []}
    session = awscli.botocore.session.Session(profile="proc")
    assert session.get_credentials().access_key == FAKE_ACCESS_KEY_ID
    assert kms_mock.calls.operations() == ["ListKeys"]
    assert not process_profile.exists()


def test_list_keys_cli_awscli_imported_first_runs_on_its_own_copy(tmp_path: Path) -> None:
    """A fresh process that imports awscli before botocore: the CLI's copy is
    ``botocore`` for the whole process, and it is mocked (no network namespace needed:
    a request that left would fail on the fake endpoint's DNS, not succeed)."""
    script = (
        "import os, awscli, botocore\n"
        "from awscli.clidriver import create_clidriver\n"
        "from kmsmock import mock_kms\n"
        "assert botocore.__file__.startswith(os.path.dirname(awscli.__file__)), botocore.__file__\n"
        "with mock_kms() as kms:\n"
        "    rc = create_clidriver().main(['kms', 'create-key', '--region', 'us-east-1',\n"
        "        '--output', 'text', '--query', 'KeyMetadata.Arn'])\n"
        "    print(rc, kms.calls.operations())\n"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and key != "PYTHONPATH"
    }
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none")
    )
    env["AWS_ENDPOINT_URL_KMS"] = "https://kms.invalid"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    arn, summary = done.stdout.splitlines()
    assert arn.startswith(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/")
    assert summary == "0 ['CreateKey']"


def test_start_awscli_installed_but_not_imported_never_imports_it() -> None:
    # Importing awscli rewrites AWS_DATA_PATH and the import system for the whole
    # process: kmsmock, its plugin and its first start leave that to the user.
    script = (
        "import os, sys\n"
        "import kmsmock, kmsmock.pytest_plugin\n"
        "from kmsmock import mock_kms\n"
        "with mock_kms():\n"
        "    print('awscli' in sys.modules, 'AWS_DATA_PATH' in os.environ)\n"
        "print('awscli' in sys.modules)\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "AWS_DATA_PATH"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert (done.returncode, done.stdout) == (0, "False False\nFalse\n"), done.stderr


def test_stop_copy_send_replaced_while_active_raises_activation_error() -> None:
    endpoint = awscli.botocore.endpoint.Endpoint
    original = endpoint.__dict__["_send"]

    def someone_elses(self: Any, request: Any) -> Any:
        raise AssertionError("never called")

    mock = mock_kms().start()
    endpoint._send = someone_elses
    try:
        with pytest.raises(ActivationError) as raised:
            mock.stop()
        assert str(raised.value) == (
            f"awscli.botocore.endpoint.Endpoint._send (found {someone_elses!r}) replaced "
            f"while kmsmock was active; kmsmock cannot restore the original safely"
        )
        # The rest of the copy and botocore itself are restored all the same.
        session = awscli.botocore.session.Session.__dict__["get_credentials"]
        assert not hasattr(session, "__wrapped__")
        assert not hasattr(botocore.endpoint.Endpoint.__dict__["_send"], "__wrapped__")
    finally:
        endpoint._send = original
