"""``kmsmock serve`` as a subprocess: its first line, its options, its state file across a
restart, and a clean stop on SIGTERM and SIGINT."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

from tests._support import ACCOUNT, error, server_client

FIRST_LINE = re.compile(r"kmsmock listening on http://127\.0\.0\.1:(\d+)")
KEY_ID = "0b7c0e3c-1f2a-4e5b-9c8d-7a6b5c4d3e2f"
MATERIAL = bytes(range(32))


class Serving:
    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url

    def stop(self, how: int = signal.SIGTERM) -> float:
        """Send ``how``, wait for the exit; the seconds it took."""
        started = time.monotonic()
        self.process.send_signal(how)
        self.process.wait(10)
        return time.monotonic() - started


@contextmanager
def serve(*options: str, module: bool = False) -> Iterator[Serving]:
    command = (
        [sys.executable, "-m", "kmsmock", "serve"]
        if module
        else [str(Path(sys.executable).with_name("kmsmock")), "serve"]
    )
    process = subprocess.Popen(
        [*command, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = FIRST_LINE.fullmatch(line.rstrip("\n"))
        assert found is not None, (line, process.stderr.read() if process.stderr else "")
        yield Serving(process, f"http://127.0.0.1:{found[1]}")
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


@pytest.fixture(autouse=True)
def _console_script_installed() -> None:
    if not Path(sys.executable).with_name("kmsmock").exists():
        pytest.skip("the kmsmock console script is not installed next to this Python")


def test_serve_first_line_names_the_url_and_the_server_answers():
    with serve("--region", "eu-west-2") as server:
        kms = server_client(server.url, region="eu-west-2")
        arn = kms.create_key()["KeyMetadata"]["Arn"]
        assert arn.startswith(f"arn:aws:kms:eu-west-2:{ACCOUNT}:key/")
        assert server.stop() < 1
        assert server.process.returncode == 0


def test_serve_as_module_prints_the_same_first_line():
    with serve("--port", "0", module=True) as server:
        assert server_client(server.url).list_keys()["Keys"] == []
        assert server.stop(signal.SIGINT) < 1
        assert server.process.returncode == 0


def test_serve_sigterm_with_an_idle_keep_alive_client_stops_within_a_second():
    with serve() as server:
        kms = server_client(server.url)
        kms.list_keys()  # leaves a keep-alive connection open in the client's pool
        assert server.stop(signal.SIGTERM) < 1
        assert server.process.returncode == 0


def test_serve_account_id_and_enforce_policies_take_effect():
    with serve("--account-id", "111122223333", "--enforce-policies") as server:
        kms = server_client(server.url)
        key = kms.create_key(
            Policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                            "Action": "kms:DescribeKey",
                            "Resource": "*",
                        }
                    ],
                }
            ),
            BypassPolicyLockoutSafetyCheck=True,
        )["KeyMetadata"]
        assert key["AWSAccountId"] == "111122223333"
        with pytest.raises(ClientError) as caught:
            kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
        assert error(caught.value)[0] == "AccessDeniedException"


def test_serve_seed_file_creates_keys_with_known_ids_material_and_aliases(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps(
            {
                "keys": [
                    {
                        "key_id": KEY_ID,
                        "material": base64.b64encode(MATERIAL).decode(),
                        "aliases": ["alias/orders"],
                        "description": "orders",
                        "tags": {"team": "payments"},
                    }
                ],
                "identities": [{"access_key_id": "AKIAOTHER", "account_id": "111122223333"}],
            }
        )
    )
    with serve("--seed-file", str(seed)) as server:
        kms = server_client(server.url)
        metadata = kms.describe_key(KeyId="alias/orders")["KeyMetadata"]
        assert (metadata["KeyId"], metadata["Description"]) == (KEY_ID, "orders")
        assert kms.list_resource_tags(KeyId=KEY_ID)["Tags"] == [
            {"TagKey": "team", "TagValue": "payments"}
        ]
        other = server_client(server.url, access_key_id="AKIAOTHER")
        assert other.create_key()["KeyMetadata"]["AWSAccountId"] == "111122223333"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("[1]", '--seed-file holds a JSON object: {"keys": [...], "identities": [...]}'),
        ('{"keys": [{"key_id": "x"}]}', "--seed-file keys[0] needs key_id and material (base64)"),
        (
            '{"keys": [{"key_id": "x", "material": "AAAA", "colour": 1}]}',
            "--seed-file keys[0] has unknown fields ['colour']",
        ),
        (
            '{"keys": [{"key_id": "NOT-A-UUID", "material": "AAAA"}]}',
            "--seed-file keys[0]: key_id must be a lowercase key ID (a UUID), got 'NOT-A-UUID'",
        ),
        ("{nope", "is not JSON"),
    ],
)
def test_serve_bad_seed_file_exits_2_naming_the_problem(tmp_path, document, message):
    seed = tmp_path / "seed.json"
    seed.write_text(document)
    result = subprocess.run(
        [str(Path(sys.executable).with_name("kmsmock")), "serve", "--seed-file", str(seed)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_serve_state_file_keeps_keys_aliases_grants_and_material_across_a_restart(tmp_path):
    state = tmp_path / "state.json"
    with serve("--state-file", str(state)) as server:
        kms = server_client(server.url)
        key_id = kms.create_key(Description="kept")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/kept", TargetKeyId=key_id)
        blob = kms.encrypt(KeyId="alias/kept", Plaintext=b"across restarts")["CiphertextBlob"]
        grant = kms.create_grant(
            KeyId=key_id,
            GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:role/reader",
            Operations=["Decrypt"],
        )
        signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        signature = kms.sign(
            KeyId=signing["KeyId"], Message=b"signed", SigningAlgorithm="ECDSA_SHA_256"
        )["Signature"]
        assert server.stop() < 1
    document = json.loads(state.read_text())
    assert (document["format"], document["version"]) == ("kmsmock-state", 2)

    with serve("--state-file", str(state)) as server:
        kms = server_client(server.url)
        assert kms.describe_key(KeyId="alias/kept")["KeyMetadata"]["Description"] == "kept"
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"across restarts"
        [kept] = kms.list_grants(KeyId=key_id)["Grants"]
        assert kept["GrantId"] == grant["GrantId"]
        kms.retire_grant(GrantToken=grant["GrantToken"])
        assert kms.list_grants(KeyId=key_id)["Grants"] == []
        # The private key survived: the old signature checks out under the public key.
        public = kms.get_public_key(KeyId=signing["KeyId"])["PublicKey"]
        verifier = load_der_public_key(public)
        assert isinstance(verifier, ec.EllipticCurvePublicKey)
        verifier.verify(signature, b"signed", ec.ECDSA(hashes.SHA256()))
        new_key = kms.create_key()["KeyMetadata"]["KeyId"]
        assert [key["KeyId"] for key in kms.list_keys()["Keys"]] == [
            key_id,
            signing["KeyId"],
            new_key,
        ]


def test_serve_state_file_not_kmsmocks_exits_2(tmp_path):
    state = tmp_path / "state.json"
    state.write_text('{"format": "other"}')
    result = subprocess.run(
        [str(Path(sys.executable).with_name("kmsmock")), "serve", "--state-file", str(state)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "not a kmsmock state file" in result.stderr
    assert state.read_text() == '{"format": "other"}'


def test_serve_port_in_use_exits_2(tmp_path):
    with serve() as server:
        port = server.url.rsplit(":", 1)[1]
        result = subprocess.run(
            [str(Path(sys.executable).with_name("kmsmock")), "serve", "--port", port],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
