"""The layering of docs/architecture.md holds, and `lint-imports` notices when it breaks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter")

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    script = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"
    return subprocess.run(
        [sys.executable, "-c", script, "--no-cache", "pyproject.toml"],
        cwd=project,
        env={"PYTHONPATH": str(project), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "kmsmock", tmp_path / "kmsmock")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_lint_imports_contracts_are_kept(project):
    result = _lint_imports(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_lint_imports_state_importing_the_service_core_breaks_the_layers(project):
    clock = project / "kmsmock" / "state" / "clock.py"
    clock.write_text(clock.read_text() + "\nfrom kmsmock.service import core  # noqa\n")
    result = _lint_imports(project)
    assert result.returncode == 1
    assert "Each layer imports only the layers below it BROKEN" in result.stdout
    assert "kmsmock.state.clock -> kmsmock.service.core" in result.stdout


def test_lint_imports_operation_importing_cryptography_breaks_the_crypto_contract(project):
    handler = project / "kmsmock" / "operations" / "mac.py"
    handler.write_text(handler.read_text() + "\nimport cryptography.hazmat  # noqa\n")
    result = _lint_imports(project)
    assert result.returncode == 1
    assert "Only the crypto engine imports cryptography BROKEN" in result.stdout


def test_lint_imports_state_importing_awscli_breaks_the_awscli_contract(project):
    # Checked whether or not awscli is installed: the import is seen in the source.
    clock = project / "kmsmock" / "state" / "clock.py"
    clock.write_text(clock.read_text() + "\nimport awscli  # noqa\n")
    result = _lint_imports(project)
    assert result.returncode == 1
    assert "Only the doors import awscli BROKEN" in result.stdout
    assert "kmsmock.state.clock -> awscli" in result.stdout
