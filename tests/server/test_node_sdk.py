"""The AWS SDK for JavaScript v3 (@aws-sdk/client-kms) against kmsmock's server, run
with node. .ci/run installs the SDK into .ci/node; KMSMOCK_NODE_MODULES names another
node_modules folder. Skipped where node or the SDK is missing."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

from tests._support import server_client

HERE = Path(__file__).parent
NODE_MODULES = Path(
    os.environ.get("KMSMOCK_NODE_MODULES", HERE.parents[1] / ".ci" / "node" / "node_modules")
)
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(
        not (NODE_MODULES / "@aws-sdk" / "client-kms").is_dir(),
        reason=f"@aws-sdk/client-kms is not installed in {NODE_MODULES} (.ci/run installs it)",
    ),
]


def test_javascript_sdk_creates_encrypts_decrypts_signs_verifies_and_catches_not_found(
    kms_server,
):
    assert NODE is not None
    result = subprocess.run(
        [NODE, str(HERE / "js" / "kms_client.cjs"), kms_server.url],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NODE_PATH": str(NODE_MODULES)},
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)

    [symmetric, signing] = kms_server.kms.keys(region="eu-west-1")
    assert out["keyArn"] == symmetric.arn
    assert out["plaintext"] == "hello from node"
    assert out["decryptKeyId"] == symmetric.arn
    assert out["signingKeyId"] == signing.key_id
    assert out["signatureValid"] is True
    assert out["notFound"] == {
        "name": "NotFoundException",
        "message": "Alias arn:aws:kms:eu-west-1:123456789012:alias/missing is not found.",
        "isNotFoundException": True,
        "status": 400,
    }
    # The signature checks out under the key's public key, outside kmsmock.
    client = server_client(kms_server.url, region="eu-west-1")
    public = load_der_public_key(client.get_public_key(KeyId=signing.key_id)["PublicKey"])
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(
        base64.b64decode(out["signature"]),
        b"signed by node",
        ec.ECDSA(hashes.SHA256()),
    )
    assert kms_server.kms.calls.operations() == [
        "CreateKey",
        "Encrypt",
        "Decrypt",
        "CreateKey",
        "Sign",
        "Verify",
        "DescribeKey",
        "GetPublicKey",
    ]
