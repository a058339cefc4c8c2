"""pytest plugin: the ``kms_mock`` fixture and marker, and the ``kms_server`` fixture.

Registered as a ``pytest11`` entry point, so it loads in every pytest run where
kmsmock is installed; it imports kmsmock itself (and so botocore) only when a
test asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kmsmock import KmsMock
    from kmsmock.server import KmsServer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "kms_mock(**options): options for the kms_mock fixture "
        "(region, account_id, seed, passthrough), as mock_kms takes them.",
    )


@pytest.fixture(name="kms_mock")
def kms_mock_fixture(request: pytest.FixtureRequest) -> Iterator[KmsMock]:
    """KMS mocked for the test; yields the :class:`kmsmock.KmsMock` handle.

    def test_encrypt(kms_mock):
        boto3.client("kms").create_key()
    """
    from kmsmock import mock_kms

    marker = request.node.get_closest_marker("kms_mock")
    options = {}
    if marker is not None:
        if marker.args:
            raise TypeError("@pytest.mark.kms_mock takes keyword options only")
        options = dict(marker.kwargs)
    with mock_kms(**options) as kms:
        yield kms


@pytest.fixture(name="kms_server")
def kms_server_fixture(request: pytest.FixtureRequest) -> Iterator[KmsServer]:
    """A KMS server on a free loopback port for the test; yields the
    :class:`kmsmock.server.KmsServer` (``.url`` for clients, ``.kms`` to look inside).

    Takes the options of ``@pytest.mark.kms_mock`` that a server has (region,
    account_id, seed, enforce_policies).

    def test_encrypt(kms_server):
        boto3.client("kms", endpoint_url=kms_server.url).create_key()
    """
    from kmsmock.server import KmsServer

    marker = request.node.get_closest_marker("kms_mock")
    options = {}
    if marker is not None:
        options = {k: v for k, v in marker.kwargs.items() if k != "passthrough"}
    with KmsServer(**options) as server:
        yield server
