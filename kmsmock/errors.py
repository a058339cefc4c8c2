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


# Where the coverage page lives for a user: docs/ is not part of an installed kmsmock.
COVERAGE_URL = "https://github.com/kmsmock/kmsmock/blob/main/docs/operations.md"


def _unknown_to_kmsmock(what: str, installed_botocore: str, known_botocore: str) -> str:
    # kmsmock checks every request against the KMS model it is written against; a part
    # of the installed model outside it comes from another botocore release.
    return (
        f"kmsmock does not know {what} of the installed botocore {installed_botocore} (it "
        f"knows botocore {known_botocore}'s KMS model): upgrade kmsmock, or pin "
        f"botocore=={known_botocore}. Coverage: {COVERAGE_URL}"
    )


class OperationNotImplementedError(KmsMockError):
    """A KMS operation that kmsmock does not implement was called.

    Every operation of the KMS model kmsmock is written against is implemented, so this
    names an operation of the installed botocore's model that kmsmock does not know
    (``installed_botocore`` and ``known_botocore`` given), unless a release declares one
    not built yet.
    """

    def __init__(
        self,
        operation: str,
        *,
        installed_botocore: str | None = None,
        known_botocore: str | None = None,
    ) -> None:
        self.operation = operation
        self.installed_botocore = installed_botocore
        self.known_botocore = known_botocore
        if installed_botocore is not None and known_botocore is not None:
            message = _unknown_to_kmsmock(
                f"KMS operation {operation!r}", installed_botocore, known_botocore
            )
        else:
            message = (
                f"kmsmock does not implement KMS operation {operation!r} yet. "
                f"Coverage: {COVERAGE_URL}"
            )
        super().__init__(message)


class FeatureNotImplementedError(KmsMockError):
    """A KMS operation was called in a way whose behaviour kmsmock does not model.

    With ``installed_botocore`` and ``known_botocore``, ``feature`` (an enum value, say)
    is in the installed botocore's model but not in the one kmsmock knows.
    """

    def __init__(
        self,
        operation: str,
        feature: str,
        *,
        installed_botocore: str | None = None,
        known_botocore: str | None = None,
    ) -> None:
        self.operation = operation
        self.feature = feature
        self.installed_botocore = installed_botocore
        self.known_botocore = known_botocore
        super().__init__(self._message())

    def _message(self) -> str:
        if self.installed_botocore is not None and self.known_botocore is not None:
            return _unknown_to_kmsmock(
                f"{self.feature} in KMS operation {self.operation!r}",
                self.installed_botocore,
                self.known_botocore,
            )
        return (
            f"kmsmock does not implement {self.feature} in KMS operation "
            f"{self.operation!r} yet. Coverage: {COVERAGE_URL}"
        )


class ParameterNotImplementedError(FeatureNotImplementedError):
    """A request used a parameter whose behaviour kmsmock does not model."""

    def __init__(
        self,
        operation: str,
        parameter: str,
        *,
        installed_botocore: str | None = None,
        known_botocore: str | None = None,
    ) -> None:
        self.parameter = parameter
        super().__init__(
            operation,
            f"the {parameter} parameter",
            installed_botocore=installed_botocore,
            known_botocore=known_botocore,
        )

    def _message(self) -> str:
        if self.installed_botocore is not None and self.known_botocore is not None:
            return super()._message()
        return (
            f"kmsmock does not implement the {self.parameter} parameter of KMS operation "
            f"{self.operation!r} yet. Coverage: {COVERAGE_URL}"
        )


class ExtraNotInstalledError(KmsMockError):
    """A request needs an optional extra of kmsmock that is not installed (``kmsmock[ml-kem]``
    for ML-KEM-512 keys, ``kmsmock[ml-dsa]`` for ML-DSA with MessageType EXTERNAL_MU).

    The feature is implemented; installing the extra is all it takes. ``operation`` is the
    KMS operation, or the handle's method (``seed_key``) that needed it.
    """

    def __init__(self, operation: str, feature: str, extra: str, package: str) -> None:
        self.operation = operation
        self.feature = feature
        self.extra = extra
        self.package = package
        # Handle methods are snake_case; KMS operations are not.
        where = f"{operation}()" if operation.islower() else f"KMS operation {operation!r}"
        super().__init__(
            f"{feature} in {where} needs the optional extra {extra} (the {package} "
            f"package), which is not installed: pip install '{extra}'"
        )
