"""How the Python examples of README.md and docs/*.md run (pytest-markdown-docs).

`pytest` collects every ```python block of the Markdown files it is given (pyproject.toml's
testpaths name README.md and docs/) and runs it as a reader who copies it would:

- a block that defines tests (``test_*`` functions, ``Test*`` classes) is a test module:
  pytest runs it in a fresh process from an empty directory, and every test must pass;
- any other block is a script: it runs in a fresh namespace and must not raise.

Both run with no AWS settings in the environment. A block fenced ```python notest is a
deliberate fragment and is skipped.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import boto3
import pytest
from pytest_markdown_docs._runners import DefaultRunner, register_runner
from pytest_markdown_docs.definitions import FenceTestDefinition
from pytest_markdown_docs.plugin import MarkdownTextFile

# What a developer's shell may hold that would change how botocore builds a client.
_AWS_SETTINGS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_KMS",
    "AWS_CA_BUNDLE",
)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    # Markdown files only: `--markdown-docs` would also read every module's docstrings,
    # and kmsmock's docstrings hold doctest-style examples, not fenced ones.
    if file_path.suffix == ".md" and not parent.config.option.markdowndocs:
        return MarkdownTextFile.from_parent(parent, path=file_path)
    return None


def _defines_tests(source: str) -> bool:
    return any(
        (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"))
        or (isinstance(node, ast.ClassDef) and node.name.startswith("Test"))
        for node in ast.parse(source).body
    )


@register_runner(default=True)
class DocExampleRunner(DefaultRunner):
    """Runs a block as a script, or as a test module when it defines tests."""

    def runtest(
        self, test: FenceTestDefinition, args: dict[str, Any], *, asyncio_runner: Any = None
    ) -> None:
        if not _defines_tests(test.source):
            super().runtest(test, args, asyncio_runner=asyncio_runner)
            return
        output = io.StringIO()
        with tempfile.TemporaryDirectory(prefix="kmsmock-doc-example-") as directory:
            stem = re.sub(r"\W", "_", Path(test.source_path).stem).lower()
            path = Path(directory, f"test_{stem}_line{test.start_line}.py")
            # The block keeps its line numbers, so a failure points into the Markdown file.
            path.write_text(test.source, encoding="utf-8")
            # In this process (a new one would cost seconds per block), with no
            # configuration but pytest's own: as in a user's fresh project.
            with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                exit_code = pytest.main(
                    [
                        "-q",
                        "-s",
                        "-W",
                        "error",
                        "--import-mode=importlib",
                        f"--rootdir={directory}",
                        "-c",
                        os.devnull,
                        "-p",
                        "no:cacheprovider",
                        "-p",
                        "no:randomly",
                        "-o",
                        "asyncio_mode=auto",
                        "-o",
                        "asyncio_default_fixture_loop_scope=function",
                        str(path),
                    ]
                )
        if exit_code != 0:
            raise AssertionError(
                f"the tests of the block at {test.source_path}:{test.start_line} failed "
                f"(pytest exit {exit_code!s}):\n{output.getvalue()}"
            )


@pytest.fixture(autouse=True)
def _doc_example_environment(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """A doc example starts as in a fresh process with no AWS configuration."""
    if request.node.get_closest_marker("markdown-docs") is None:
        return
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    for name in _AWS_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-such-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-such-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # boto3's default session caches the credentials it found: each block finds its own.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
