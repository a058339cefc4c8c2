"""Server tests reach kmsmock's server over loopback; without loopback they skip."""

from __future__ import annotations

import functools

import pytest

from tests._support import loopback_works


@functools.cache
def _loopback() -> bool:
    return loopback_works()


@pytest.fixture(autouse=True)
def _needs_loopback() -> None:
    if not _loopback():
        pytest.skip("the loopback interface is unavailable here")
