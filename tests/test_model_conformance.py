"""kmsmock agrees with botocore's KMS model: handler names, error classes."""

from __future__ import annotations

import inspect

import botocore
import pytest

from kmsmock.operations import HANDLERS
from kmsmock.wire import aws_errors as _aws_errors
from tests._support import service_model

# Codes KMS answers with that the model does not declare as error shapes (reference §10.2).
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


# Reference §10.2: every client error is 400 on the wire; server faults keep 5xx.
SERVER_STATUS = {
    "KMSInternalException": 500,
    "KeyUnavailableException": 500,
    "DependencyTimeoutException": 503,
}


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda cls: cls.__name__)
def test_aws_error_class_status_is_observed_wire_status(cls):
    assert cls.status == SERVER_STATUS.get(cls.__name__, 400)
