"""Marker pagination as KMS list operations do it (docs/kms-behaviour.md#pagination)."""

from __future__ import annotations

import base64
import binascii
import bisect
from collections.abc import Sequence
from typing import Any, TypeVar

from kmsmock.wire.aws_errors import (
    AwsError,
    InvalidMarkerException,
    ValidationException,
    declared_or,
)

T = TypeVar("T")
# Marks a marker as one kmsmock issued; anything else is refused.
_TAG = "kmsmock:"


def paginate(
    items: Sequence[T],
    order: Sequence[str],
    params: dict[str, Any],
    *,
    operation: str,
    default_limit: int,
    max_limit: int,
) -> tuple[Sequence[T], dict[str, Any]]:
    """One page of ``items`` and its paging fields (``Truncated``, ``NextMarker``).

    ``order`` holds each item's position as an ascending string, stable across calls.
    The marker carries the position of the next page's first item, so a page boundary
    stays put when items are added or removed, that item included. For lists that can
    grow large, ``page_start`` and ``paging_fields`` page from an index instead, so that
    a page costs the page, not the list.
    """
    start_position, limit = page_start(
        params, operation=operation, default_limit=default_limit, max_limit=max_limit
    )
    start = bisect.bisect_left(order, start_position) if start_position else 0
    end = start + limit
    following = order[end] if end < len(items) else None
    return items[start:end], paging_fields(following)


def page_start(
    params: dict[str, Any], *, operation: str, default_limit: int, max_limit: int
) -> tuple[str, int]:
    """(position of the page's first item, "" for the first page; the page's size)."""
    marker = params.get("Marker")
    start = _position(marker, operation) if marker is not None else ""
    # Limits above the documented maximum are clamped (docs/kms-behaviour.md#pagination).
    return start, min(params.get("Limit", default_limit), max_limit)


def paging_fields(following: str | None) -> dict[str, Any]:
    """``Truncated``, and ``NextMarker`` naming ``following``, the next page's first item."""
    if following is None:
        return {"Truncated": False}
    return {"Truncated": True, "NextMarker": marker_at(following)}


def marker_at(position: str) -> str:
    """The marker of a page that starts at ``position``."""
    return base64.urlsafe_b64encode(f"{_TAG}{position}".encode()).decode()


def marker_position(marker: str, operation: str) -> str:
    """The position a marker kmsmock issued points at; ``invalid_marker`` otherwise."""
    return _position(marker, operation)


def invalid_marker(marker: str, operation: str) -> AwsError:
    """The error for a marker ``operation`` did not issue."""
    # Unverified against AWS: the message (docs/kms-behaviour.md#pagination).
    message = f"Invalid marker: {marker}"
    # ListKeyPolicies takes a Marker but never returns one, and does not declare
    # InvalidMarkerException. Unverified against AWS: the code and text there.
    return declared_or(operation, InvalidMarkerException(message), ValidationException(message))


def sequence_order(count: int) -> list[str]:
    """Positions for items kept in a fixed order with no identity of their own."""
    return [f"{i:012d}" for i in range(count)]


def _position(marker: str, operation: str) -> str:
    try:
        decoded = base64.urlsafe_b64decode(marker.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        decoded = ""
    if not decoded.startswith(_TAG):
        raise invalid_marker(marker, operation)
    return decoded[len(_TAG) :]
