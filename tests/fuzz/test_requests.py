"""The model-driven fuzzer: every operation of the installed model, hostile requests.

For each request: either a response that matches the operation's output shape, or an
AWS error whose code the model declares for the operation (or one any AWS service
answers), and then the mock's state exactly as before. Never a Python exception from
inside the mock. ``KMSMOCK_FUZZ_EXAMPLES`` sets the examples per operation (the suite's
short profile; ``tox -e fuzz`` runs the long one, docs/contributing.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kmsmock import KmsMock, mock_kms
from kmsmock.errors import ExtraNotInstalledError, FeatureNotImplementedError
from tests._support import (
    ACCESS_KEY_ID,
    REGION,
    SECRET_ACCESS_KEY,
    assert_valid_output,
    service_model,
)
from tests.fuzz import requests
from tests.fuzz.world import (
    World,
    build,
    restore,
    save,
    snapshot,
    without_new_aws_managed_keys,
)

EXAMPLES = int(os.environ.get("KMSMOCK_FUZZ_EXAMPLES", "20"))
# KMSMOCK_FUZZ_SHRINK=0 reports the first failure as found, unshrunk: much faster when
# many operations fail at once.
_PHASES = (
    tuple(Phase)
    if os.environ.get("KMSMOCK_FUZZ_SHRINK", "1") == "1"
    else (
        Phase.explicit,
        Phase.generate,
    )
)
FUZZ = settings(
    max_examples=EXAMPLES,
    phases=_PHASES,
    deadline=None,
    database=None,
    # The suite's short profile draws the same examples every run, so that CI does not
    # fail at random; the long profile (KMSMOCK_FUZZ_EXAMPLES set) explores.
    derandomize="KMSMOCK_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=list(HealthCheck),
)

# Codes any AWS JSON service may answer, whatever the operation's model lists.
GENERIC = frozenset({"ValidationException", "SerializationException", "AccessDeniedException"})
OPERATIONS = sorted(service_model().operation_names)


def declared(operation: str) -> frozenset[str]:
    shapes = service_model().operation_model(operation).error_shapes
    return frozenset(shape.name for shape in shapes) | GENERIC


# Its own session: the module's world is built before any test's environment is set.
SESSION = boto3.session.Session(
    aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY, region_name=REGION
)


def _clients() -> dict[str, Any]:
    no_retries: Any = {"total_max_attempts": 1}
    return {
        "checked": SESSION.client("kms", region_name=REGION, config=Config(retries=no_retries)),
        "unchecked": SESSION.client(
            "kms",
            region_name=REGION,
            config=Config(parameter_validation=False, retries=no_retries),
        ),
    }


def send(client: Any, operation: str, params: dict[str, Any]) -> Any:
    return getattr(client, xform_name(operation))(**params)


def send_raw(client: Any, operation: str, body: bytes) -> Any:
    def rewrite(request: Any, **_: Any) -> None:
        request.body = body

    event = f"before-send.kms.{operation}"
    client.meta.events.register(event, rewrite)
    try:
        return send(client, operation, {})
    finally:
        client.meta.events.unregister(event, rewrite)


def check(kms: Any, world: World, clients: dict[str, Any], operation: str, data: Any) -> None:
    """One drawn request of ``operation`` against the world, and what must hold after."""
    shape = service_model().operation_model(operation).input_shape
    way = data.draw(st.sampled_from(["checked", "unchecked", "raw"]), label="way")
    before = snapshot(kms)
    params: dict[str, Any] = {}
    try:
        if way == "raw":
            body = requests.raw_body(data, shape, world)
            response = send_raw(clients["unchecked"], operation, body)
        else:
            params = requests.structure(data, shape, world) if shape is not None else {}
            response = send(clients[way], operation, params)
    except ParamValidationError:
        assert way == "checked"  # botocore refused it; nothing was sent
        assert snapshot(kms) == before
        return
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        assert code in declared(operation), f"{operation} answered undeclared {code}"
        after = without_new_aws_managed_keys(snapshot(kms), before)
        assert after == before, f"{operation} changed state, then answered {code}"
        return
    except (FeatureNotImplementedError, ExtraNotInstalledError):
        # An unbuilt feature or a missing extra: a clear library error, nothing changed.
        assert snapshot(kms) == before
        return
    if service_model().operation_model(operation).output_shape is None:
        assert set(response) == {"ResponseMetadata"}
    else:
        assert_valid_output(operation, response)
    still_usable(clients["checked"], response, params if way != "raw" else {})


def still_usable(client: Any, response: dict[str, Any], params: dict[str, Any]) -> None:
    """After a success, the key it touched still answers: no request may leave a key that
    raises on every later call (a stored policy the authorizer cannot read, say)."""
    key = response.get("KeyMetadata", {}).get("KeyId") or params.get("KeyId")
    if not isinstance(key, str) or not key:
        return
    code = ""
    try:
        client.describe_key(KeyId=key)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
    except ParamValidationError:
        return
    assert not code or code in declared("DescribeKey")


@pytest.fixture(scope="module")
def fuzz_world() -> Iterator[tuple[KmsMock, World, Any]]:
    """One world for every operation: built once, put back before every example."""
    with mock_kms(enforce_policies=True, seed=14) as kms:
        world = build(kms, SESSION)
        yield kms, world, save(kms)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_fuzz_request_gets_modelled_answer_and_error_changes_nothing(
    operation: str, fuzz_world: tuple[KmsMock, World, Any]
) -> None:
    kms, world, saved = fuzz_world
    clients = _clients()

    @FUZZ
    @given(data=st.data())
    def run(data: Any) -> None:
        restore(kms, saved)
        check(kms, world, clients, operation, data)

    run()
