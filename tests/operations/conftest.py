"""Fixtures for the operation-family tests: a fresh key, and a client without botocore's checks."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests._support import REGION


@pytest.fixture
def key_id(client: Any) -> str:
    """The bare ID of a new symmetric encryption key (Enabled)."""
    key_id: str = client.create_key()["KeyMetadata"]["KeyId"]
    return key_id


@pytest.fixture
def unchecked_client(kms_mock: Any) -> Any:
    """A client with botocore's own parameter validation off, so kmsmock's is what answers."""
    return boto3.client("kms", region_name=REGION, config=Config(parameter_validation=False))
