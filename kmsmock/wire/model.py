"""botocore's KMS service model: loaded once, shared by validation, codec and registry.

kmsmock shapes itself on the model of the botocore that is installed, so an
operation, a member or an enum value that botocore knows is known here too.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel

SERVICE_NAME = "kms"
TARGET_PREFIX = "TrentService."


@functools.cache
def service_model() -> ServiceModel:
    from botocore.loaders import create_loader
    from botocore.model import ServiceModel

    loader = create_loader()
    return ServiceModel(loader.load_service_model(SERVICE_NAME, "service-2"), SERVICE_NAME)


@functools.cache
def operation_names() -> frozenset[str]:
    return frozenset(service_model().operation_names)


def operation_model(name: str) -> OperationModel:
    return service_model().operation_model(name)


@functools.cache
def error_codes() -> frozenset[str]:
    return frozenset(shape.name for shape in service_model().error_shapes)


@functools.cache
def declared_errors(operation: str) -> frozenset[str]:
    """The error codes the model lists for ``operation`` (none for an unknown one)."""
    if operation not in operation_names():
        return frozenset()
    return frozenset(shape.name for shape in operation_model(operation).error_shapes)
