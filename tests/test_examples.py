"""The scripts in examples/ run as a user would run them, and exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ["quickstart.py", "envelope_encryption.py", "bring_your_own_key.py"]


def run_example(name: str) -> subprocess.CompletedProcess[str]:
    script = ROOT / "examples" / name
    if not script.exists():
        pytest.skip(f"examples/{name} is not in this checkout")
    return subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_and_exits_zero(name):
    run = run_example(name)
    assert (run.returncode, run.stderr) == (0, ""), run.stderr
    assert run.stdout


def test_envelope_encryption_example_reports_each_step():
    run = run_example("envelope_encryption.py")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("Created KMS key ")
    assert lines[0].endswith(" with alias alias/documents")
    key_id = lines[0].split()[3]
    arn = f"arn:aws:kms:us-east-1:123456789012:key/{key_id}"
    assert f"GenerateDataKey under {arn}" in lines
    assert f"Decrypt of the data key used {arn}" in lines
    assert lines[-1] == "Decrypted report.txt.enc: 22018 bytes, identical"


def test_bring_your_own_key_example_reports_each_step():
    run = run_example("bring_your_own_key.py")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("Created mrk-")
    assert lines[0].endswith(": PendingImport")
    assert lines[1].startswith("Imported material ")
    assert lines[1].endswith("...: Enabled")
    assert lines[2:] == [
        "Replica in eu-west-1: Creating",
        "Replica before import: PendingImport",
        "Decrypted in eu-west-1: quarterly numbers",
        "Grants on the key: [['Decrypt']]",
        "Grants after retiring: []",
    ]
