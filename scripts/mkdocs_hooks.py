"""MkDocs hooks for the documentation site (mkdocs.yml): the pages stay plain Markdown.

- A link that leaves docs/ (``../examples/quickstart.py``) works on GitHub but not on the
  site: it becomes a link to the file in the repository, once the file is known to exist,
  so that `mkdocs build --strict` still fails on a broken one.
- A fence's pytest-markdown-docs flags (```python notest) are dropped before rendering:
  the highlighter wants the language alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

REPOSITORY = "https://github.com/kmsmock/kmsmock/blob/main"
ROOT = Path(__file__).resolve().parent.parent

_OUTSIDE_LINK = re.compile(r"\]\((\.\./[^)#\s]+)(#[^)\s]*)?\)")
_FENCE_FLAGS = re.compile(r"^(\s*(?:```|~~~)+\s*(?:python|py|python3))[ \t]+[^\n{]*$", re.M)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    page_dir = (Path(config["docs_dir"]) / page.file.src_path).resolve().parent

    def outside(match: re.Match[str]) -> str:
        target = (page_dir / match.group(1)).resolve()
        if not target.is_relative_to(ROOT) or not target.exists():
            raise PluginError(f"{page.file.src_path}: link to a missing file {match.group(1)}")
        relative = target.relative_to(ROOT).as_posix()
        return f"]({REPOSITORY}/{relative}{match.group(2) or ''})"

    markdown = _OUTSIDE_LINK.sub(outside, markdown)
    return _FENCE_FLAGS.sub(r"\1", markdown)
