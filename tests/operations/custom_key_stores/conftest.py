"""Fixtures of the custom key store tests: connected stores of each type, a key in
one, and a frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from tests.operations.custom_key_stores._stores import (
    KINDS,
    UTC,
    new_store,
    new_store_key,
)


@pytest.fixture
def now(kms_mock: Any) -> Iterator[datetime]:
    """Real time frozen and the mock's clock a day ahead of it: the mock's now."""
    start = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)
    with freeze_time(start):
        kms_mock.clock.advance(days=1)
        yield start + timedelta(days=1)


@pytest.fixture
def hsm_store(client: Any) -> str:
    """A CONNECTED CloudHSM key store."""
    return new_store(client, "cloudhsm")


@pytest.fixture
def xks_store(client: Any) -> str:
    """A CONNECTED external key store with a public endpoint."""
    return new_store(client, "external")


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def store(client: Any, kind: str) -> str:
    """A CONNECTED store of each type."""
    return new_store(client, kind)


@pytest.fixture
def store_key(client: Any, kind: str, store: str) -> str:
    """An Enabled key in ``store``."""
    return new_store_key(client, kind, store)
