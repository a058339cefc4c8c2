"""docs/operations.md matches the registry and botocore's model (scripts/gen_operations.py)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import botocore
import pytest

from kmsmock.wire import known_model

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gen_operations.py"
PAGE = ROOT / "docs" / "operations.md"


def _pinned_botocore() -> str:
    match = re.search(r"^botocore==(\S+)$", (ROOT / "constraints.txt").read_text(), re.M)
    assert match is not None
    return match.group(1)


# The page is generated with the botocore constraints.txt pins; another botocore (the
# oldest-supported or the newest job) has another model, so the page cannot match it.
pinned_botocore_only = pytest.mark.skipif(
    botocore.__version__ != _pinned_botocore(),
    reason=f"docs/operations.md follows the pinned botocore {_pinned_botocore()}",
)


@pytest.fixture(scope="module")
def gen_operations() -> ModuleType:
    # scripts/ is not a package; load the script from its path.
    spec = importlib.util.spec_from_file_location("gen_operations", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _table_rows(page: str) -> list[str]:
    return [line for line in page.splitlines() if line.startswith("| [")]


@pinned_botocore_only
def test_operations_page_is_up_to_date(gen_operations: ModuleType) -> None:
    expected: str = gen_operations.expected_page()
    assert PAGE.read_text(encoding="utf-8") == expected, (
        "docs/operations.md is stale: run `python scripts/gen_operations.py`"
    )


@pinned_botocore_only
def test_operations_page_lists_every_model_operation_once(gen_operations: ModuleType) -> None:
    rows = _table_rows(PAGE.read_text(encoding="utf-8"))
    names = [row.split("]", 1)[0].removeprefix("| [") for row in rows]
    assert names == gen_operations.model_operations()


@pinned_botocore_only
def test_operations_page_summary_counts_implemented_rows(gen_operations: ModuleType) -> None:
    page = PAGE.read_text(encoding="utf-8")
    implemented = [row for row in _table_rows(page) if row.endswith("| implemented |")]
    total = len(gen_operations.model_operations())
    assert f"**{len(implemented)} of {total} operations implemented.**" in page


def test_render_rejects_a_handler_the_model_lacks(gen_operations: ModuleType) -> None:
    with pytest.raises(ValueError, match="NoSuchOperation"):
        gen_operations.render(["CreateKey"], ["CreateKey", "NoSuchOperation"])


def test_check_mode_fails_on_a_stale_page(gen_operations: ModuleType, tmp_path: Path) -> None:
    page = tmp_path / "operations.md"
    page.write_text("stale\n", encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text("1 of 2 operations of botocore's KMS model (0.0.1): keys\n")
    paths = ["--output", str(page), "--readme", str(readme)]
    assert gen_operations.main(["--check", *paths]) == 1
    assert gen_operations.main(paths) == 0
    assert gen_operations.main(["--check", *paths]) == 0
    total = len(gen_operations.model_operations())
    count = len(gen_operations.implemented_operations())
    assert readme.read_text() == (
        f"{count} of {total} operations of botocore's KMS model ({botocore.__version__}): keys\n"
    )


@pinned_botocore_only
def test_readme_counts_the_model_operations(gen_operations: ModuleType) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert gen_operations.expected_readme(readme) == readme
    total = len(gen_operations.model_operations())
    assert f"{total} of {total} operations of botocore's KMS model ({botocore.__version__})" in (
        readme
    )


def test_operations_page_lists_declared_gaps(gen_operations: ModuleType) -> None:
    page = gen_operations.expected_page()
    for line in gen_operations.declared_gaps():
        assert line in page
    declared = sum(len(gaps) for gaps in known_model.GAPS.values())
    assert len(gen_operations.declared_gaps()) == declared + len(known_model.OPERATION_GAPS)
