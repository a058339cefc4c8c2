"""botocore's KMS service model: loaded once, shared by validation, codec and registry.

kmsmock shapes itself on the model of the botocore that is installed, so an
operation, a member or an enum value that botocore knows is known here too.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.loaders import Loader
    from botocore.model import OperationModel, ServiceModel

SERVICE_NAME = "kms"
TARGET_PREFIX = "TrentService."

# A botocore session's loader, offered by the door as a client is created: the model it
# parses for the client (about 50 ms of JSON) is then parsed once, not twice.
_offered: list[Loader] = []


def offer_loader(loader: Any) -> None:
    """Let ``service_model`` read the model through ``loader`` (the first one offered),
    whose cache then serves the client and kmsmock alike."""
    if not _offered and not service_model.cache_info().currsize:
        _offered.append(loader)


@functools.cache
def service_model() -> ServiceModel:
    from botocore.loaders import create_loader
    from botocore.model import ServiceModel

    own = create_loader()
    # Only a loader that searches first where kmsmock's own would (boto3 adds its own
    # data, which holds no KMS model, after botocore's): the same model either way.
    paths = own.search_paths
    loader = next((found for found in _offered if found.search_paths[: len(paths)] == paths), own)
    _offered.clear()
    # ``api_version=None`` as botocore's client passes it, so that its cache entry serves.
    return ServiceModel(
        loader.load_service_model(SERVICE_NAME, "service-2", api_version=None), SERVICE_NAME
    )


def botocore_version() -> str:
    """The installed botocore's version, whose KMS model this is."""
    import botocore

    return str(botocore.__version__)


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
