"""README.md is also the package index's page: its links must work from there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPOSITORY = "https://github.com/kmsmock/kmsmock/blob/main/"
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_readme_links_absolute_to_files_of_the_repository():
    links = _LINK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert links, "README.md has no links: the pattern no longer matches"
    relative = [link for link in links if not link.startswith(("https://", "http://", "#"))]
    assert relative == [], "the package index cannot follow relative links"
    missing = [
        link
        for link in links
        if link.startswith(REPOSITORY)
        and not (ROOT / link.removeprefix(REPOSITORY).split("#")[0]).exists()
    ]
    assert missing == []
