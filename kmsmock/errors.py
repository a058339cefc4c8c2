"""Errors kmsmock raises about itself: misuse of the library or a gap in it.

AWS errors are never raised as these; code under test sees them as botocore's
``ClientError``, exactly as against real KMS.
"""

from __future__ import annotations

__all__ = [
    "ActivationError",
    "ExtraNotInstalledError",
    "FeatureNotImplementedError",
    "KmsMockError",
    "OperationNotImplementedError",
    "ParameterNotImplementedError",
    "RequestRefusedError",
]


class KmsMockError(Exception):
    """Base class of every error kmsmock raises about itself."""


class ActivationError(KmsMockError):
    """``mock_kms`` was started, stopped or nested in a way that cannot work."""


class RequestRefusedError(KmsMockError):
    """A request for another AWS service reached the mock without ``passthrough``."""


class OperationNotImplementedError(KmsMockError):
    """A KMS operation that kmsmock does not implement yet was called."""

    def __init__(self, operation: str, region: str, implemented: list[str]) -> None:
        self.operation = operation
        super().__init__(
            f"kmsmock does not implement KMS operation {operation!r} (region {region}). "
            f"Implemented: {', '.join(implemented)}. See docs/operations.md."
        )


class FeatureNotImplementedError(KmsMockError):
    """A KMS operation was called in a way whose behaviour kmsmock does not model yet."""

    def __init__(self, operation: str, feature: str) -> None:
        self.operation = operation
        self.feature = feature
        super().__init__(
            f"kmsmock does not implement {feature} in KMS operation {operation!r} yet. "
            "See docs/operations.md."
        )


class ParameterNotImplementedError(FeatureNotImplementedError):
    """A request used a parameter whose behaviour kmsmock does not model yet."""

    def __init__(self, operation: str, parameter: str) -> None:
        super().__init__(operation, f"the {parameter} parameter")
        self.parameter = parameter
        self.args = (
            f"kmsmock does not implement the {parameter} parameter of KMS operation "
            f"{operation!r} yet. See docs/operations.md.",
        )


class ExtraNotInstalledError(FeatureNotImplementedError):
    """A request needs an optional extra of kmsmock that is not installed (``kmsmock[ml-kem]``
    for ML-KEM-512 keys, ``kmsmock[ml-dsa]`` for ML-DSA with MessageType EXTERNAL_MU)."""

    def __init__(self, operation: str, feature: str, extra: str, package: str) -> None:
        super().__init__(operation, feature)
        self.extra = extra
        self.package = package
        self.args = (
            f"{feature} in KMS operation {operation!r} needs the optional extra {extra} "
            f"(the {package} package): pip install '{extra}'",
        )
