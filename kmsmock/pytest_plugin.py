"""pytest plugin: the ``kms_mock`` fixture and marker (which activates the mock by itself),
and the ``kms_server`` fixture.

Registered as a ``pytest11`` entry point, so it loads in every pytest run where
kmsmock is installed; it imports kmsmock itself (and so botocore) only when a
test asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from kmsmock import KmsMock
    from kmsmock.server import KmsServer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "kms_mock(**options): mock KMS for the test, with mock_kms's options (region, "
        "account_id, seed, passthrough, enforce_policies); the kms_mock fixture, if the "
        "test asks for it, is that mock's handle.",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A marked test gets the fixture even when it does not ask for it, first among its
    # fixtures, so that the test's own fixtures already run inside the mock.
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None or item.get_closest_marker("kms_mock") is None:
            continue
        if "kms_mock" in names:
            names.remove("kms_mock")
        names.insert(0, "kms_mock")


def _closest_marker(node: pytest.Item) -> pytest.Mark | None:
    for owner, _ in node.iter_markers_with_node("kms_mock"):
        marks = [mark for mark in owner.own_markers if mark.name == "kms_mock"]
        if not marks:
            continue
        # pytest lists a class's marks base classes first; a subclass's own options win,
        # as with moto's mock_aws on a subclass.
        return marks[-1] if isinstance(owner, pytest.Class) else marks[0]
    return None


@pytest.fixture(name="kms_mock")
def kms_mock_fixture(request: pytest.FixtureRequest) -> Iterator[KmsMock]:
    """KMS mocked for the test; yields the :class:`kmsmock.KmsMock` handle.

    def test_encrypt(kms_mock):
        boto3.client("kms").create_key()
    """
    from kmsmock import mock_kms

    marker = _closest_marker(request.node)
    options = {}
    if marker is not None:
        options = _options(marker)
    with mock_kms(**options) as kms:
        yield kms


def _options(marker: pytest.Mark) -> dict[str, Any]:
    """The marker's options for ``mock_kms``; a TypeError showing what it was given if
    they are not mock_kms's keyword options."""
    import inspect

    from kmsmock import mock_kms

    known = [
        name
        for name, parameter in inspect.signature(mock_kms).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    unknown = [name for name in marker.kwargs if name not in known]
    if marker.args or unknown:
        given = ", ".join(
            [repr(arg) for arg in marker.args]
            + [f"{name}={value!r}" for name, value in marker.kwargs.items()]
        )
        raise TypeError(
            f"@pytest.mark.kms_mock takes mock_kms's keyword options ({', '.join(known)}), "
            f"got @pytest.mark.kms_mock({given})"
        )
    return dict(marker.kwargs)


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
