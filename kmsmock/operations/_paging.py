"""Marker pagination as KMS list operations do it (reference §4.0)."""

from __future__ import annotations

import base64
import binascii
import bisect
from collections.abc import Sequence
from typing import Any, TypeVar

from kmsmock.wire.aws_errors import InvalidMarkerException

T = TypeVar("T")
# Marks a marker as one kmsmock issued; anything else is refused.
_TAG = "kmsmock:"


def paginate(
    items: Sequence[T],
    order: Sequence[str],
    params: dict[str, Any],
    *,
    default_limit: int,
    max_limit: int,
) -> tuple[Sequence[T], dict[str, Any]]:
    """One page of ``items`` and its paging fields (``Truncated``, ``NextMarker``).

    ``order`` holds each item's position as an ascending string, stable across calls.
    The marker carries the position of the next page's first item, so a page boundary
    stays put when items are added or removed, that item included.
    """
    start = 0
    marker = params.get("Marker")
    if marker is not None:
        start = bisect.bisect_left(order, _position(marker))
    # Limits above the documented maximum are clamped (reference §4.0, open question 14).
    limit = min(params.get("Limit", default_limit), max_limit)
    end = start + limit
    fields: dict[str, Any] = {"Truncated": end < len(items)}
    if end < len(items):
        fields["NextMarker"] = marker_at(order[end])
    return items[start:end], fields


def marker_at(position: str) -> str:
    """The marker of a page that starts at ``position``."""
    return base64.urlsafe_b64encode(f"{_TAG}{position}".encode()).decode()


def marker_position(marker: str) -> str:
    """The position a marker kmsmock issued points at; InvalidMarkerException otherwise."""
    return _position(marker)


def sequence_order(count: int) -> list[str]:
    """Positions for items kept in a fixed order with no identity of their own."""
    return [f"{i:012d}" for i in range(count)]


def _position(marker: str) -> str:
    try:
        decoded = base64.urlsafe_b64decode(marker.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        decoded = ""
    if not decoded.startswith(_TAG):
        # Message unverified against AWS (reference §4.0).
        raise InvalidMarkerException(f"Invalid marker: {marker}")
    return decoded[len(_TAG) :]
