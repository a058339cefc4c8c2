"""Helpers shared by the tests."""

from __future__ import annotations

import functools
from typing import Any

import botocore.session
from botocore.exceptions import ClientError
from botocore.model import ServiceModel
from botocore.validate import validate_parameters

REGION = "us-east-1"
ACCOUNT = "123456789012"
# Not kmsmock's own fake key, so tests can tell whose credentials a request used.
ACCESS_KEY_ID = "AKIATESTTESTTEST0001"
SECRET_ACCESS_KEY = "testing-secret"


@functools.cache
def service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("kms")


def assert_valid_output(operation: str, response: Any) -> None:
    """Check a response against the operation's output shape, as Stubber does."""
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    shape = service_model().operation_model(operation).output_shape
    assert shape is not None
    validate_parameters(body, shape)


def error(exc: ClientError) -> tuple[str, str]:
    """(Error.Code, Error.Message) of a ClientError."""
    err = exc.response["Error"]
    return err["Code"], err["Message"]


def enum_values(operation: str, member: str) -> list[str]:
    shape = service_model().operation_model(operation).input_shape
    assert shape is not None
    return list(shape.members[member].metadata["enum"])


def model_enum(shape_name: str) -> list[str]:
    """The values of an enum shape of the installed botocore's KMS model, in model order."""
    return list(service_model().shape_for(shape_name).metadata["enum"])


def model_has_enum_value(shape_name: str, value: str) -> bool:
    return value in model_enum(shape_name)


def model_has_operation(operation: str) -> bool:
    return operation in service_model().operation_names


ML_KEM_SPECS = ["ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"]
ENCAPSULATE_DECAPSULATE = "ENCAPSULATE_DECAPSULATE"


def ml_kem_in_model() -> bool:
    """Whether the installed botocore's KMS model knows ML-KEM keys (botocore 1.44 on)."""
    return model_has_enum_value("KeySpec", "ML_KEM_768")


def ml_kem_specs_in_model() -> list[str]:
    """The ML-KEM key specs the installed model lists (none before botocore 1.44)."""
    return ML_KEM_SPECS if ml_kem_in_model() else []
