"""The fixtures of the in-process AWS CLI tests (their helpers are in _cli.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.cli._cli import Aws


@pytest.fixture
def aws(kms_mock: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Aws:
    """``aws("kms", "create-key")``: the AWS CLI in the test region, against the mock, with
    JSON output unless ``output=`` says otherwise."""
    # Imported here, not above: only a test module that imported _cli (and so has
    # awscli) asks for this fixture.
    from tests.cli._cli import runner

    return runner(capsys, monkeypatch)


@pytest.fixture
def fileb(tmp_path: Path) -> Callable[[str, bytes], str]:
    """Write ``data`` to a file and answer the ``fileb://`` argument naming it, as a shell
    user passes binary data to ``aws kms``."""

    def write(name: str, data: bytes) -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return f"fileb://{path}"

    return write
