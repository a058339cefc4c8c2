"""examples/sign_jwt.py runs as a user would run it, and its token is a real ES256 JWT."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "examples" / "sign_jwt.py"


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_sign_jwt_example_exits_zero_and_prints_verified_token():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-W", "error", str(SCRIPT)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (run.returncode, run.stderr) == (0, "")
    token, verified = run.stdout.splitlines()
    assert verified == "verified"
    header, payload, signature = token.split(".")
    assert json.loads(b64url_decode(header))["alg"] == "ES256"
    assert json.loads(b64url_decode(payload))["sub"] == "user-1234"
    # JOSE's raw r || s, not the DER KMS answers with.
    assert len(b64url_decode(signature)) == 64
