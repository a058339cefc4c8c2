"""Marker pagination as KMS list operations do it (reference §4.0)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any, TypeVar

from kmsmock._aws_errors import InvalidMarkerException

T = TypeVar("T")


def paginate(
    items: Sequence[T],
    ids: Sequence[str],
    params: dict[str, Any],
    *,
    default_limit: int,
    max_limit: int,
) -> tuple[Sequence[T], dict[str, Any]]:
    """One page of ``items`` (whose stable identities are ``ids``) and its paging fields.

    The marker names the first item of the next page, so a page boundary stays put
    when earlier items are added or removed.
    """
    start = 0
    marker = params.get("Marker")
    if marker is not None:
        start = _position(marker, ids)
    # Limits above the documented maximum are clamped (reference §4.0, open question 14).
    limit = min(params.get("Limit", default_limit), max_limit)
    end = start + limit
    fields: dict[str, Any] = {"Truncated": end < len(items)}
    if end < len(items):
        fields["NextMarker"] = base64.urlsafe_b64encode(ids[end].encode()).decode()
    return items[start:end], fields


def _position(marker: str, ids: Sequence[str]) -> int:
    try:
        wanted = base64.urlsafe_b64decode(marker.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        wanted = None
    if wanted is not None:
        for position, identity in enumerate(ids):
            if identity == wanted:
                return position
    # Message unverified against AWS (reference §4.0).
    raise InvalidMarkerException(f"Invalid marker: {marker}")
