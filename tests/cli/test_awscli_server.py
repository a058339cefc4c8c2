"""The AWS CLI v1 as a subprocess against ``KmsServer`` with ``--endpoint-url``, as a shell
script or CI step would call it."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("awscli")

from kmsmock.server import KmsServer
from tests._support import ACCOUNT, loopback_works

REGION = "eu-north-1"


@pytest.fixture
def server() -> Any:
    if not loopback_works():
        pytest.skip("the loopback interface is unavailable here")
    with KmsServer() as running:
        yield running


def aws(server: KmsServer, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("AWS_DATA_PATH")
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "awscli",
            *args,
            "--endpoint-url",
            server.url,
            "--region",
            REGION,
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**environment, "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1"},
    )


def test_cli_subprocess_create_key_encrypt_decrypt_through_the_server(server, tmp_path: Path):
    created = aws(server, "kms", "create-key", "--description", "from a shell")
    assert (created.returncode, created.stderr) == (0, "")
    metadata = json.loads(created.stdout)["KeyMetadata"]
    assert metadata["Arn"].startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/")
    assert metadata["Description"] == "from a shell"

    plaintext = tmp_path / "plain.txt"
    plaintext.write_bytes(b"shell secret")
    encrypted = aws(
        server,
        "kms",
        "encrypt",
        "--key-id",
        metadata["KeyId"],
        "--plaintext",
        f"fileb://{plaintext}",
    )
    assert encrypted.returncode == 0, encrypted.stderr
    blob = tmp_path / "blob.bin"
    blob.write_bytes(base64.b64decode(json.loads(encrypted.stdout)["CiphertextBlob"]))
    decrypted = aws(server, "kms", "decrypt", "--ciphertext-blob", f"fileb://{blob}")
    assert decrypted.returncode == 0, decrypted.stderr
    assert base64.b64decode(json.loads(decrypted.stdout)["Plaintext"]) == b"shell secret"
    assert server.kms.calls.operations() == ["CreateKey", "Encrypt", "Decrypt"]
    assert [key.key_id for key in server.kms.keys(region=REGION)] == [metadata["KeyId"]]


def test_cli_subprocess_describe_missing_key_exits_255_with_not_found(server):
    result = aws(server, "kms", "describe-key", "--key-id", "alias/missing")
    assert result.returncode == 255
    assert result.stderr.strip() == (
        "An error occurred (NotFoundException) when calling the DescribeKey operation: "
        f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/missing is not found."
    )
