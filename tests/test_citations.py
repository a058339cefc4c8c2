"""Every citation in the repository leads somewhere a reader of the repository can go.

Comments, docstrings and docs cite KMS facts by an AWS documentation URL or by a section
of docs/kms-behaviour.md (docs/contributing.md, "Citing KMS behaviour"). These tests fail
on a section-sign citation into a document outside the repository, on a provenance tag in
brackets, and on a docs/kms-behaviour.md anchor the page does not define.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BEHAVIOUR = ROOT / "docs" / "kms-behaviour.md"
SEARCHED = ["kmsmock", "tests", "benchmarks", "scripts", "examples", "docs", "README.md"]
SUFFIXES = {".py", ".md", ".toml", ".yml", ".yaml", ".txt", ".cfg", ".ini"}

SECTION = "\u00a7"  # spelled out so that this file does not match its own pattern
# A section of a published standard stays citable: "RFC 8032 <sign>5.1", "FIPS 204 <sign>6.2",
# "GB/T 32918.2 <sign>5.5". Any other section sign points into a document outside the
# repository.
_STANDARD = re.compile(r"(?:RFC \d+|FIPS \d+|GB/T [\d.]+|SP 800-[\w-]+) $")
# A provenance tag in brackets: one of the letters O, M, D, E, U between square brackets,
# alone or before a word. docs/kms-behaviour.md names each fact's source instead.
_TAG = re.compile(r"\[[OMDEU](\]| [a-z])")
_CITED_ANCHOR = re.compile(r"kms-behaviour\.md#([A-Za-z0-9_-]+)")
_DEFINED_ANCHOR = re.compile(r"^#+ .*\{ *#([A-Za-z0-9_-]+) *\}\s*$", re.M)


@cache
def _files() -> list[Path]:
    found: list[Path] = []
    for name in SEARCHED:
        path = ROOT / name
        if path.is_file():
            found.append(path)
            continue
        found.extend(
            p
            for p in sorted(path.rglob("*"))
            if p.is_file() and p.suffix in SUFFIXES and "__pycache__" not in p.parts
        )
    return found


@cache
def _lines(path: Path) -> list[tuple[int, str]]:
    return list(enumerate(path.read_text(encoding="utf-8").splitlines(), start=1))


def _where(path: Path, number: int) -> str:
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return f"{shown}:{number}"


def outside_citations(paths: list[Path]) -> list[str]:
    """Section signs that do not follow a standard's name, as 'path:line: text'."""
    found = []
    for path in paths:
        for number, line in _lines(path):
            for match in re.finditer(SECTION, line):
                if not _STANDARD.search(line[: match.start()]):
                    found.append(f"{_where(path, number)}: {line.strip()}")
                    break
    return found


def provenance_tags(paths: list[Path]) -> list[str]:
    return [
        f"{_where(path, number)}: {line.strip()}"
        for path in paths
        for number, line in _lines(path)
        if _TAG.search(line)
    ]


def defined_anchors(text: str) -> set[str]:
    return set(_DEFINED_ANCHOR.findall(text))


def missing_anchors(paths: list[Path], defined: set[str]) -> list[str]:
    """Cited docs/kms-behaviour.md anchors the page does not define."""
    return [
        f"{_where(path, number)}: #{anchor}"
        for path in paths
        for number, line in _lines(path)
        for anchor in _CITED_ANCHOR.findall(line)
        if anchor not in defined
    ]


def test_citations_no_section_sign_outside_standards_passes():
    assert outside_citations(_files()) == []


def test_citations_no_bracketed_provenance_tags_passes():
    assert provenance_tags(_files()) == []


def test_citations_every_behaviour_anchor_cited_exists():
    defined = defined_anchors(BEHAVIOUR.read_text(encoding="utf-8"))
    cited = {a for p in _files() for _, line in _lines(p) for a in _CITED_ANCHOR.findall(line)}
    # The page is cited at all, so this check is not vacuous.
    assert len(cited) > 40
    assert missing_anchors(_files(), defined) == []


def test_citations_every_behaviour_anchor_is_unique():
    anchors = _DEFINED_ANCHOR.findall(BEHAVIOUR.read_text(encoding="utf-8"))
    assert len(anchors) == len(set(anchors))


@pytest.mark.parametrize(
    ("line", "flagged"),
    [
        (f"# The model allows 1-365 (reference {SECTION}4.1).", True),
        (f"# Optional in the model ({SECTION}0.1 #9).", True),
        (f"# dom2(phflag=1): RFC 8032 {SECTION}5.1.", False),
        (f'"""ML-DSA from an external mu (FIPS 204 {SECTION}6.2)."""', False),
        (f"# d stops at n - 2 (GB/T 32918.1 {SECTION}6.1).", False),
    ],
)
def test_citations_section_sign_checker_flags_only_outside_references(tmp_path, line, flagged):
    path = tmp_path / "probe.py"
    path.write_text(line + "\n", encoding="utf-8")
    assert bool(outside_citations([path])) is flagged


@pytest.mark.parametrize(
    ("line", "flagged"),
    [
        ("# Observed from KMS [" + "O].", True),
        ("# As the key's description says [" + "U wording].", True),
        ("values = [D, E]", False),
        ("# Observed from AWS (docs/kms-behaviour.md#key-ids).", False),
    ],
)
def test_citations_tag_checker_flags_bracketed_provenance(tmp_path, line, flagged):
    path = tmp_path / "probe.py"
    path.write_text(line + "\n", encoding="utf-8")
    assert bool(provenance_tags([path])) is flagged


def test_citations_anchor_checker_flags_unknown_anchor(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text(
        "# (docs/kms-behaviour.md#key-ids) (docs/kms-behaviour.md" + "#no-such-section)\n",
        encoding="utf-8",
    )
    assert missing_anchors([path], {"key-ids"}) == ["probe.py:1: #no-such-section"]


def test_citations_anchor_reader_reads_attr_list_headings():
    text = "## Key IDs { #key-ids }\n### Plain heading\nA { #not-a-heading }\n"
    assert defined_anchors(text) == {"key-ids"}
