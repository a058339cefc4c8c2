"""What the in-process AWS CLI tests share: running a command, and the checks of what the
CLI printed (the ``aws`` and ``fileb`` fixtures are in conftest.py). Importing this
module skips a test module where awscli is not installed."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

# Importing awscli sets AWS_DATA_PATH for the whole process: note its value for the
# ``aws`` fixture, and put the variable back as it was for every other test.
_data_path_before = os.environ.get("AWS_DATA_PATH")
pytest.importorskip("awscli")
from awscli.clidriver import create_clidriver  # type: ignore[import-untyped]  # noqa: E402

AWSCLI_DATA_PATH = os.environ.get("AWS_DATA_PATH", "")
if _data_path_before is None:
    os.environ.pop("AWS_DATA_PATH", None)
else:
    os.environ["AWS_DATA_PATH"] = _data_path_before

from tests._support import ACCOUNT, REGION  # noqa: E402

ARN_PREFIX = f"arn:aws:kms:{REGION}:{ACCOUNT}"


def key_arn(key_id: str) -> str:
    return f"{ARN_PREFIX}:key/{key_id}"


@dataclass
class Run:
    """One ``aws`` command: its exit code and what it printed."""

    rc: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


Aws = Callable[..., Run]


def runner(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Aws:
    """``aws("kms", "create-key")``: run the CLI in the test region, with JSON output
    unless ``output=`` says otherwise, as a shell user would."""
    monkeypatch.setenv("AWS_DATA_PATH", AWSCLI_DATA_PATH)
    for name in ("AWS_DEFAULT_OUTPUT", "AWS_PAGER", "AWS_CLI_AUTO_PROMPT", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str, output: str = "json") -> Run:
        capsys.readouterr()
        rc = create_clidriver().main([*args, "--output", output, "--region", REGION])
        captured = capsys.readouterr()
        return Run(rc, captured.out, captured.err)

    return run


def ok(run: Run) -> Any:
    """What a command that succeeded printed, as JSON."""
    assert (run.rc, run.err) == (0, ""), run.err
    return run.json


def empty(run: Run) -> None:
    """A command that succeeded and printed nothing."""
    assert (run.rc, run.out, run.err) == (0, "", "")


def failed(run: Run, code: str, operation: str, message: str) -> None:
    """A command that failed with AWS's error, as the CLI prints it."""
    assert (run.rc, run.out) == (255, "")
    assert run.err == (
        f"\nAn error occurred ({code}) when calling the {operation} operation: {message}\n"
    )


def b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)
