"""Activation: ``mock_kms`` as decorator and context manager, and the activation stack.

One patch serves every thread (boto3 users run thread pools), so activation is
process-wide state, like the time in time-machine: the first start installs the
patch and creates the backend, nested starts join it, and the last stop
restores botocore and discards the state.
"""

from __future__ import annotations

import inspect
import sys
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from kmsmock._handle import Handle
from kmsmock.doors import (
    aiobotocore_seam,
    botocore_seam,
    environment,
    moto_seam,
    vendored_botocore_seam,
)
from kmsmock.errors import ActivationError, RequestRefusedError
from kmsmock.state.identities import check_account_id

if TYPE_CHECKING:
    import unittest

    from typing_extensions import ParamSpec, Self

    from kmsmock.state.backend import KmsBackend

    P = ParamSpec("P")

R = TypeVar("R")
TC = TypeVar("TC", bound="unittest.TestCase")
K = TypeVar("K")

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"

_LOCK = threading.Lock()
# Started activations, outermost first. Read without the lock on the request path:
# CPython list reads are atomic, and an empty list simply lets a request through.
_ACTIVE: list[KmsMock] = []
_saved_environment: environment.Saved = {}


class KmsMock(Handle):
    """A handle on the mocked KMS: start it, stop it, and look inside.

    Examples:
        >>> from kmsmock import mock_kms
        >>> import boto3
        >>> with mock_kms() as kms:
        ...     client = boto3.client("kms")
        ...     key_id = client.create_key()["KeyMetadata"]["KeyId"]
    """

    def __init__(
        self,
        *,
        region: str | None = None,
        account_id: str | None = None,
        seed: int | None = None,
        passthrough: Iterable[str] | None = None,
        enforce_policies: bool | None = None,
    ) -> None:
        given: dict[str, Any] = {}
        if region is not None:
            given["region"] = region
        if account_id is not None:
            given["account_id"] = check_account_id(account_id)
        if seed is not None:
            given["seed"] = seed
        if passthrough is not None:
            if isinstance(passthrough, str):
                raise TypeError("passthrough takes service names, e.g. passthrough=['s3']")
            given["passthrough"] = frozenset(passthrough)
        if enforce_policies is not None:
            given["enforce_policies"] = bool(enforce_policies)
        # Only options the caller named take part in the nesting conflict check.
        self._given = given
        self.region: str = given.get("region", DEFAULT_REGION)
        self.account_id: str = given.get("account_id", DEFAULT_ACCOUNT)
        self.seed: int | None = seed
        self.passthrough: frozenset[str] = given.get("passthrough", frozenset())
        # Key policies and grants decide access (docs/kms-behaviour.md#authorization); off by
        # default.
        self.enforce_policies: bool = given.get("enforce_policies", False)
        self._backend: KmsBackend | None = None
        self._stopped = False

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in sorted(self._given.items()))
        return f"mock_kms({options})"

    # Starting and stopping ----------------------------------------------------

    def start(self) -> Self:
        """Activate; a start nested in another activation joins its state."""
        with _LOCK:
            if any(active is self for active in _ACTIVE):
                raise ActivationError(f"{self!r} is already started")
            if _ACTIVE:
                outer = _ACTIVE[0]
                conflicts = [
                    f"{name}={value!r} (active: {getattr(outer, name)!r})"
                    for name, value in self._given.items()
                    if getattr(outer, name) != value
                ]
                if conflicts:
                    raise ActivationError(
                        "a nested mock_kms joins the active one and cannot change its "
                        "settings: " + ", ".join(conflicts)
                    )
                self._backend = outer._backend
            else:
                self._backend = self._first_start()
            self._stopped = False
            _ACTIVE.append(self)
        return self

    def _first_start(self) -> KmsBackend:
        global _saved_environment
        # Imported here so that importing kmsmock (or its pytest plugin) stays cheap.
        from kmsmock.state.backend import KmsBackend

        backend = KmsBackend(
            account_id=self.account_id, seed=self.seed, enforce_policies=self.enforce_policies
        )
        _saved_environment = environment.apply()
        try:
            botocore_seam.install(_route, self.region)
            try:
                # aiobotocore's clients have their own send path, and moto answers
                # before botocore's; each is patched only when it is there, and
                # neither is imported by kmsmock; nor is the AWS CLI, whose own copy of
                # botocore is patched when the CLI is already imported.
                vendored_botocore_seam.install(_route, self.region)
                aiobotocore_seam.install(_route)
                moto_seam.install(_route)
            except BaseException:
                _restore_optional_doors()
                botocore_seam.restore()
                raise
        except BaseException:
            environment.restore(_saved_environment)
            raise
        return backend

    def stop(self) -> None:
        """Deactivate this activation (and only this one)."""
        with _LOCK:
            for position, active in enumerate(_ACTIVE):
                if active is self:
                    del _ACTIVE[position]
                    break
            else:
                raise ActivationError(f"{self!r} is not started")
            # The state stays reachable through no stale handle: what the last stop
            # discards must not be read or changed as if it were still the mock's.
            self._backend = None
            self._stopped = True
            if not _ACTIVE:
                try:
                    try:
                        _restore_optional_doors()
                    finally:
                        botocore_seam.restore()
                finally:
                    environment.restore(_saved_environment)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # Looking inside -------------------------------------------------------------

    @property
    def backend(self) -> KmsBackend:
        if self._backend is None:
            if self._stopped:
                raise ActivationError(
                    f"{self!r} has stopped: its handle no longer reaches the mocked KMS; "
                    f"look at kms.calls, kms.keys() and the rest before the mock stops"
                )
            raise ActivationError(f"{self!r} has not been started")
        return self._backend

    @property
    def default_region(self) -> str:
        """The region a client gets when neither it nor its session names one, and so
        the one ``keys()`` and ``seed_key()`` use by default: ``AWS_DEFAULT_REGION`` when
        the environment sets it, else the ``region`` option (default ``us-east-1``)."""
        return environment.default_region(self.region)

    # Decorating -----------------------------------------------------------------

    @overload
    def __call__(self, target: type[K]) -> type[K]: ...
    @overload
    def __call__(self, target: Callable[P, R]) -> Callable[P, R]: ...

    def __call__(self, target: Any) -> Any:
        if isinstance(target, type):
            # unittest is looked up, not imported: a TestCase exists only once it is.
            unittest = sys.modules.get("unittest")
            if unittest is not None and issubclass(target, unittest.TestCase):
                return _decorate_test_case(target, self._given)
            return _decorate_test_class(target, self._given)
        if not callable(target):
            raise TypeError(f"mock_kms cannot decorate {target!r}")
        return _decorate_function(target, self._given)


def _decorate_function(function: Callable[..., Any], options: dict[str, Any]) -> Any:
    # Each call gets its own activation: no per-call state lives on the decorator.
    # wrapt is imported here, not with kmsmock: it brings asyncio, and a mock used as a
    # context manager or fixture would pay for it at every cold start.
    import wrapt

    if inspect.isasyncgenfunction(function):

        @wrapt.decorator
        async def async_gen_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            with KmsMock(**options):
                async for item in wrapped(*args, **kwargs):
                    yield item

        return async_gen_wrapper(function)
    if inspect.iscoroutinefunction(function):

        @wrapt.decorator
        async def coroutine_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            with KmsMock(**options):
                return await wrapped(*args, **kwargs)

        return coroutine_wrapper(function)
    if inspect.isgeneratorfunction(function):

        @wrapt.decorator
        def generator_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            with KmsMock(**options):
                return (yield from wrapped(*args, **kwargs))

        return generator_wrapper(function)

    @wrapt.decorator
    def wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
        with KmsMock(**options):
            return wrapped(*args, **kwargs)

    return wrapper(function)


def _decorate_test_case(cls: type[TC], options: dict[str, Any]) -> type[TC]:
    original_set_up = cls.setUp

    def setUp(self: unittest.TestCase) -> None:
        # A decorated subclass's setUp runs first and starts the test's mock, with its
        # options; a decorated base's setUp reached through it (or through super())
        # finds that mock and does not start another.
        if getattr(self, "_kmsmock_test_mock", None) is None:
            mock = KmsMock(**options)
            mock.start()
            self._kmsmock_test_mock = mock  # type: ignore[attr-defined]
            # Registered before the test's own setUp, so it runs even when that fails.
            self.addCleanup(mock.stop)
            self.addCleanup(setattr, self, "_kmsmock_test_mock", None)
        original_set_up(self)

    cls.setUp = setUp  # type: ignore[method-assign]
    return cls


def _decorate_test_class(cls: type[K], options: dict[str, Any]) -> type[K]:
    """A test class pytest runs (no ``unittest.TestCase``): it gets the ``kms_mock``
    marker, with which the plugin starts one fresh mock per test before
    ``setup_method`` and stops it after ``teardown_method``. Marks are inherited by
    subclasses and apply to classes nested in this one, as with moto's ``mock_aws``."""
    # Imported only here: decorating a plain class means the tests run under pytest.
    import pytest

    marked: type[K] = pytest.mark.kms_mock(**options)(cls)
    return marked


def _restore_optional_doors() -> None:
    try:
        if moto_seam.installed():
            moto_seam.restore()
    finally:
        try:
            if aiobotocore_seam.installed():
                aiobotocore_seam.restore()
        finally:
            if vendored_botocore_seam.installed():
                vendored_botocore_seam.restore()


def _route(service: str, url: str) -> KmsMock | None:
    """Which activation answers a request to ``service``: the outermost one for KMS,
    none for a service let through; any other request is refused."""
    try:
        outermost = _ACTIVE[0]
    except IndexError:
        return None
    if service == "kms":
        return outermost
    if service in outermost.passthrough:
        return None
    # The way out keeps the services already let through: the option replaces, not adds.
    names = sorted(outermost.passthrough | {service})
    raise RequestRefusedError(
        f"kmsmock refused a request to AWS service {service!r} ({url}): "
        f"only KMS is mocked. To let {service!r} requests reach the network, "
        f"use mock_kms(passthrough={names!r})."
    )


@overload
def mock_kms(target: type[K], /) -> type[K]: ...
@overload
def mock_kms(target: Callable[P, R], /) -> Callable[P, R]: ...
@overload
def mock_kms(
    *,
    region: str | None = None,
    account_id: str | None = None,
    seed: int | None = None,
    passthrough: Iterable[str] | None = None,
    enforce_policies: bool | None = None,
) -> KmsMock: ...


def mock_kms(
    target: Any = None,
    /,
    *,
    region: str | None = None,
    account_id: str | None = None,
    seed: int | None = None,
    passthrough: Iterable[str] | None = None,
    enforce_policies: bool | None = None,
) -> Any:
    """Mock AWS KMS for botocore and boto3, in-process.

    Decorates test functions (sync, async, generators) and test classes (each test,
    with its ``setUp``/``tearDown`` or ``setup_method``/``teardown_method``, in a fresh
    mock), or serves as a context manager returning the ``KmsMock`` handle.

    Examples:
        >>> @mock_kms
        ... def test_encrypt(): ...

        >>> with mock_kms(region="eu-west-1") as kms:
        ...     boto3.client("kms").create_key()
    """
    mock = KmsMock(
        region=region,
        account_id=account_id,
        seed=seed,
        passthrough=passthrough,
        enforce_policies=enforce_policies,
    )
    if target is None:
        return mock
    return mock(target)
