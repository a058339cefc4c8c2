"""Tag rules KMS applies on CreateKey and TagResource (docs/kms-behaviour.md#tags)."""

from __future__ import annotations

from typing import Any

from kmsmock.wire.aws_errors import TagException

MAX_TAGS = 50


def merged_tags(existing: dict[str, str] | None, new: list[dict[str, Any]]) -> dict[str, str]:
    """The key's tags after adding ``new``; raises without touching ``existing``."""
    incoming: dict[str, str] = {}
    for tag in new:
        name = tag["TagKey"]
        if name in incoming:
            raise TagException("Duplicate tag keys")
        # Reserved in any letter case: "AWS:x" is refused too (docs/kms-behaviour.md#tags).
        if name[:4].lower() == "aws:":
            raise TagException("Tags beginning with aws: are reserved")
        incoming[name] = tag["TagValue"]
    result = dict(existing or {})
    result.update(incoming)
    if len(result) > MAX_TAGS:
        raise TagException("Too many tags")
    return result
