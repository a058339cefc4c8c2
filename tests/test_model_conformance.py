"""kmsmock agrees with botocore's KMS model: handler names, error classes."""

from __future__ import annotations

import inspect
from pathlib import Path

import botocore
import pytest

import kmsmock
from kmsmock.errors import FeatureNotImplementedError
from kmsmock.operations import HANDLERS
from kmsmock.wire import aws_errors as _aws_errors
from kmsmock.wire import known_model
from kmsmock.wire.guard import guard_for, member_paths
from tests._support import service_model

# Codes KMS answers with that the model does not declare as error shapes
# (docs/kms-behaviour.md#http-status).
UNMODELED_CODES = {
    "ValidationException",
    "SerializationException",
    "UnknownOperationException",
    "AccessDeniedException",
    "ThrottlingException",
}


def _error_classes() -> list[type[_aws_errors.AwsError]]:
    return [
        cls
        for _, cls in inspect.getmembers(_aws_errors, inspect.isclass)
        if issubclass(cls, _aws_errors.AwsError) and cls is not _aws_errors.AwsError
    ]


def test_handlers_registry_is_not_empty():
    assert {"CreateKey", "DescribeKey", "ListKeys", "GenerateRandom"} <= set(HANDLERS)


# Operations newer than the oldest supported botocore (1.42.97): their handlers exist on
# every botocore, and are reached only where the installed model has them.
NEWER_THAN_OLDEST = {"Encapsulate", "Decapsulate"}


@pytest.mark.parametrize("operation", sorted(HANDLERS))
def test_handler_operation_is_in_kms_model(operation):
    in_model = operation in service_model().operation_names
    assert in_model or operation in NEWER_THAN_OLDEST


@pytest.mark.parametrize("operation", sorted(HANDLERS))
def test_handler_function_is_named_after_operation(operation):
    assert HANDLERS[operation].__name__ == botocore.xform_name(operation)


def test_aws_error_classes_exist():
    names = {cls.__name__ for cls in _error_classes()}
    assert {"NotFoundException", "ValidationException", "InvalidMarkerException"} <= names


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda cls: cls.__name__)
def test_aws_error_class_names_a_model_error_shape(cls):
    modeled = {shape.name for shape in service_model().error_shapes}
    assert cls.code == cls.__name__
    assert cls.__name__ in modeled | UNMODELED_CODES


# Every client error is 400 on the wire; server faults keep 5xx (docs/kms-behaviour.md#http-status).
SERVER_STATUS = {
    "KMSInternalException": 500,
    "KeyUnavailableException": 500,
    "DependencyTimeoutException": 503,
}


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda cls: cls.__name__)
def test_aws_error_class_status_is_observed_wire_status(cls):
    assert cls.status == SERVER_STATUS.get(cls.__name__, 400)


# The installed model against what kmsmock knows and declares (kmsmock/wire/known_model.py).
# A newer botocore that adds an operation, a member or an enum value fails these until
# kmsmock handles it (and scripts/gen_known_model.py --write takes it in) or declares it.


def _installed_paths() -> dict[str, dict[str, tuple[str, ...] | None]]:
    model = service_model()
    return {
        name: member_paths(model.operation_model(name).input_shape)
        for name in model.operation_names
    }


def _declared(operation: str, path: str) -> bool:
    gaps = known_model.GAPS.get(operation, {})
    return any(path == gap or path.startswith((f"{gap}.", f"{gap}[]")) for gap in gaps)


def test_every_model_operation_is_handled_or_declared():
    missing = sorted(
        name
        for name in service_model().operation_names
        if name not in HANDLERS and name not in known_model.OPERATION_GAPS
    )
    assert missing == [], "implement or declare in known_model.OPERATION_GAPS"


def test_every_model_input_member_is_known_or_declared():
    missing = [
        f"{operation}.{path}"
        for operation, paths in sorted(_installed_paths().items())
        for path in paths
        if path not in known_model.OPERATIONS.get(operation, {}) and not _declared(operation, path)
    ]
    assert missing == [], "handle and run scripts/gen_known_model.py --write, or declare"


def test_every_model_enum_value_is_known_or_declared():
    missing = [
        f"{operation}.{path} {value}"
        for operation, paths in sorted(_installed_paths().items())
        for path, values in paths.items()
        if not _declared(operation, path)
        for value in values or ()
        if value not in (known_model.OPERATIONS.get(operation, {}).get(path) or ())
    ]
    assert missing == [], "handle and run scripts/gen_known_model.py --write, or declare"


def test_declared_gaps_are_model_members():
    known = known_model.OPERATIONS
    for operation, gaps in known_model.GAPS.items():
        for path in gaps:
            assert path in known[operation], f"{operation}.{path}"
    assert not known_model.OPERATION_GAPS & set(HANDLERS)


_KMSMOCK = Path(kmsmock.__file__).parent
_SOURCE = "\n".join(
    path.read_text(encoding="utf-8")
    for folder in ("operations", "state", "service", "crypto")
    for path in sorted((_KMSMOCK / folder).glob("*.py"))
)


@pytest.mark.parametrize(
    ("operation", "member"),
    sorted(
        (operation, path)
        for operation, paths in known_model.OPERATIONS.items()
        for path in paths
        if "." not in path and "[]" not in path and not _declared(operation, path)
    ),
)
def test_known_input_member_is_read_by_kmsmock(operation, member):
    # A member no handler ever names would be silently ignored.
    assert f'"{member}"' in _SOURCE


@pytest.mark.parametrize(
    ("operation", "path"),
    sorted((operation, path) for operation, gaps in known_model.GAPS.items() for path in gaps),
)
def test_declared_gap_raises_library_error_naming_it(operation, path):
    check = guard_for(operation)
    assert check is not None
    params: dict[str, object] = {}
    target = params
    *parents, leaf = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})  # type: ignore[assignment]
    target[leaf] = "value"
    with pytest.raises(FeatureNotImplementedError) as info:
        check(params)
    assert info.value.operation == operation
    assert path in str(info.value)
