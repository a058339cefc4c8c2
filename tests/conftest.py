"""Make every test safe: fake credentials, a fixed region, UTC, and no network at all."""

from __future__ import annotations

import functools
import os
import socket
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests._support import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY

# Timestamps in failure output read the same on every machine.
os.environ["TZ"] = "UTC"
time.tzset()


_CLEARED = (
    "AWS_REGION",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_KMS",
    "AWS_CA_BUNDLE",
)


class NetworkUsedError(AssertionError):
    """A test tried to open a network connection."""


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise NetworkUsedError(f"a test tried to reach the network: {args!r}")


_LOOPBACK = ("127.0.0.1", "::1", "localhost")
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_create_connection = socket.create_connection


def _loopback(address: Any) -> bool:
    return isinstance(address, tuple) and address[0] in _LOOPBACK


# Loopback only: kmsmock's own server (tests/server) is the one thing a test may reach.
def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _loopback(address):
        _refuse(address)
    _connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if not _loopback(address):
        _refuse(address)
    return _connect_ex(self, address)


def _guarded_create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
    if not _loopback(address):
        _refuse(address)
    return _create_connection(address, *args, **kwargs)


@functools.cache
def _shared_session() -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY
    )


@pytest.fixture(autouse=True)
def _safe_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    # The developer's ~/.aws must not leak in.
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-such-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-such-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # One default session for all tests: building a session costs ~0.2 s. It caches the
    # credentials above; tests that change credentials use ``fresh_default_session``.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", _shared_session())
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.setattr(socket, "create_connection", _guarded_create_connection)


@pytest.fixture
def client(kms_mock: Any) -> Any:
    """A KMS client in us-east-1, inside the plugin's ``kms_mock``."""
    return boto3.client("kms", region_name=REGION)


@pytest.fixture
def fresh_default_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """boto3's next default session reads credentials from the environment as it is then."""
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
