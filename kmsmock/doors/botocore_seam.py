"""The botocore door: the ``Endpoint._send`` seam, the only code that touches botocore's
internals.

``Endpoint._send`` is looked up on the class at every request, so replacing it
there reaches clients created before activation too, and leaves botocore's
serialising, signing, retries and parsing exactly as they are. The original is
saved from the class ``__dict__`` (not through ``getattr``, which could hand
back a bound or wrapped object) and restored by identity.

A request reaching the seam goes to the router first (activation's: which mock answers
KMS, and whether another service may pass); a KMS request then goes to the service
core as headers and body, and its answer comes back as botocore's ``AWSResponse``.

The same start replaces two ``Session`` methods. ``get_config_variable("region")``
gives a client that names no region the environment's ``AWS_DEFAULT_REGION`` or else
the mock's region (the profile's region in a config file does not count), without
writing into ``os.environ``. ``get_credentials`` sees to it that while kmsmock is active
no credential provider that runs a process or calls STS, SSO, a container or the
instance metadata endpoint is consulted: a session gets the static keys the test gave
it, or those of the environment or of the profile's lines in the shared files, or
kmsmock's fake keys. Nothing is cached on the session, so after the stop it resolves
credentials as it would have without kmsmock.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from kmsmock.errors import ActivationError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse
    from botocore.endpoint import Endpoint

    from kmsmock.service.core import Response
    from kmsmock.state.backend import KmsBackend


class Target(Protocol):
    """The mock that answers a KMS request: its state and its default Region."""

    @property
    def backend(self) -> KmsBackend: ...
    @property
    def region(self) -> str: ...


# (service's endpoint prefix, URL) -> the mock that answers it; None lets the request
# through to the network; raising refuses it.
Router = Callable[[str, str], "Target | None"]

# Package name of a botocore copy ("botocore", or "awscli.botocore" for the AWS CLI's
# own) -> what was replaced in it: (owner, attribute, original, installed), while active.
_patched: dict[str, list[tuple[Any, str, Any, Any]]] = {}


def installed(package: str = "botocore") -> bool:
    return package in _patched


def install(router: Router, region: str, package: str = "botocore") -> None:
    """Route every ``Endpoint._send`` of the botocore copy ``package`` through
    ``router``, and give clients that name no region ``region``. Called once per copy, by
    the first start."""
    # Imported here, not at the top: this module is imported with kmsmock itself, and the
    # service core pulls in every operation (and botocore, and cryptography).
    from kmsmock.doors import live
    from kmsmock.service.core import answer

    if package in _patched:
        raise ActivationError(f"kmsmock's patch of {package} is already installed")
    endpoint_class: Any = importlib.import_module(f"{package}.endpoint").Endpoint
    original = endpoint_class.__dict__["_send"]
    make_response = _response_maker(package)
    servers = live.PORTS

    def _send(self: Endpoint, request: AWSPreparedRequest) -> AWSResponse:
        url: str = request.url or ""
        if servers and live.serves(url):
            # Sent to a kmsmock server of this process: that server answers, over HTTP.
            return original(self, request)  # type: ignore[no-any-return]
        target = router(self._endpoint_prefix, url)  # type: ignore[attr-defined]
        if target is None:
            return original(self, request)  # type: ignore[no-any-return]
        body: bytes = request.body or b""  # type: ignore[assignment]
        return make_response(url, answer(target.backend, request.headers, body, url, target.region))

    _send.__wrapped__ = original  # type: ignore[attr-defined]
    patches = _session_patches(package, region)
    patches.append((endpoint_class, "_send", original, _send))
    _patched[package] = patches
    for owner, name, _, replacement in patches:
        setattr(owner, name, replacement)


def restore(package: str = "botocore") -> None:
    """Put back what ``install`` replaced in the copy ``package``, by identity. Called
    once per copy, by the last stop."""
    patches = _patched.pop(package, None)
    if patches is None:
        raise ActivationError(f"kmsmock's patch of {package} is not installed")
    replaced = []
    for owner, name, original, installed in patches:
        current = owner.__dict__.get(name)
        if current is not installed:
            # Someone patched over us; putting our original back would drop their patch.
            replaced.append(f"{owner.__module__}.{owner.__qualname__}.{name} (found {current!r})")
            continue
        setattr(owner, name, original)
    if replaced:
        raise ActivationError(
            f"{', '.join(replaced)} replaced while kmsmock was active; kmsmock cannot "
            f"restore the original safely"
        )


def static_credentials_first(
    providers: Iterator[Any], static: tuple[type, ...], fallback: Any
) -> Any:
    """The first credentials a static provider (of the given classes exactly) loads, in
    the resolver's order; ``fallback`` when none does. The other providers are skipped."""
    for provider in providers:
        if type(provider) in static:
            found = provider.load()
            if found is not None:
                return found
    return fallback


def _credential_modules(package: str) -> list[Any]:
    """The ``credentials`` modules whose classes a session of ``package`` may hold. The
    AWS CLI's copy imports its siblings as top-level ``botocore`` (an import alias the
    CLI installs), so a session of ``awscli.botocore`` builds its providers from
    whichever ``botocore`` the process loaded: both count."""
    modules = [importlib.import_module(f"{package}.credentials")]
    top = importlib.import_module("botocore.credentials")
    if top is not modules[0]:
        modules.append(top)
    return modules


def _session_patches(package: str, region: str) -> list[tuple[Any, str, Any, Any]]:
    from kmsmock.doors.environment import (
        FAKE_ACCESS_KEY_ID,
        FAKE_SECRET_ACCESS_KEY,
        default_region,
    )
    from kmsmock.wire.model import offer_loader

    session_class: Any = importlib.import_module(f"{package}.session").Session
    modules = _credential_modules(package)
    own = modules[0]
    static = tuple(
        getattr(module, name)
        for module in modules
        for name in ("EnvProvider", "SharedCredentialProvider", "ConfigProvider")
    )
    plain = tuple(module.Credentials for module in modules)
    original_credentials = session_class.__dict__["get_credentials"]
    original_config = session_class.__dict__["get_config_variable"]

    def get_credentials(self: Any) -> Any:
        # Keys given to the session (or found by a static provider before activation)
        # are used as they are; anything refreshable would refresh through the network
        # or a process.
        cached = self._credentials
        if type(cached) in plain:
            return cached
        resolver = self._components.get_component("credential_provider")
        return static_credentials_first(
            iter(getattr(resolver, "providers", ())),
            static,
            own.Credentials(FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, method="kmsmock"),
        )

    def get_config_variable(self: Any, logical_name: str, methods: Any = None) -> Any:
        # The region: the session's own, else the environment's, else the mock's; a
        # profile's region in a config file does not count, as documented.
        if logical_name == "region" and methods is None:
            given = self.instance_variables().get("region")
            return given or default_region(region)
        if logical_name == "api_versions" and package == "botocore":
            # Asked for as a client is created, just before the session's loader parses
            # the client's model; kmsmock reads the KMS model through the same loader
            # (botocore's own: the AWS CLI's copy carries an older model).
            offer_loader(self.get_component("data_loader"))
        return original_config(self, logical_name, methods)

    get_credentials.__wrapped__ = original_credentials  # type: ignore[attr-defined]
    get_config_variable.__wrapped__ = original_config  # type: ignore[attr-defined]
    return [
        (session_class, "get_credentials", original_credentials, get_credentials),
        (session_class, "get_config_variable", original_config, get_config_variable),
    ]


class _Body:
    """The raw stream botocore reads a response body from."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


ResponseMaker = Callable[[str, "Response"], "AWSResponse"]


def _response_maker(package: str = "botocore") -> ResponseMaker:
    """How responses are made: botocore's constructor, or a cheaper way to the same object.

    ``AWSResponse`` copies the headers into a ``HeadersDict`` one key at a time, which is a
    tenth of what kmsmock spends on a call. With the three header keys made once, the
    same object can be assembled directly; that is used only when it matches what the
    constructor makes with this botocore, checked here once.
    """
    awsrequest: Any = importlib.import_module(f"{package}.awsrequest")
    response_class: Any = awsrequest.AWSResponse
    headers_class: Any = awsrequest.HeadersDict

    from kmsmock.service.core import Response
    from kmsmock.wire.encode import CONTENT_TYPE

    def public(url: str, reply: Response) -> AWSResponse:
        headers = {
            "x-amzn-RequestId": reply.request_id,
            "Content-Type": CONTENT_TYPE,
            "Content-Length": str(len(reply.body)),
        }
        return response_class(url, reply.status, headers, _Body(reply.body))  # type: ignore[no-any-return]

    try:
        template = headers_class({"x-amzn-RequestId": "", "Content-Type": "", "Content-Length": ""})
        request_key, type_key, length_key = template._dict
    except (AttributeError, ValueError):
        return public

    def assembled(url: str, reply: Response) -> AWSResponse:
        data = reply.body
        headers = headers_class.__new__(headers_class)
        headers._dict = {
            request_key: reply.request_id,
            type_key: CONTENT_TYPE,
            length_key: str(len(data)),
        }
        response = response_class.__new__(response_class)
        response.url = url
        response.status_code = reply.status
        response.headers = headers
        response.raw = _Body(data)
        response._content = data
        return response  # type: ignore[no-any-return]

    probe = ("https://kms.us-east-1.amazonaws.com/", Response(200, "request-id", b"{}"))
    made, expected = assembled(*probe), public(*probe)
    same = (
        vars(made).keys() == vars(expected).keys()
        and dict(made.headers) == dict(expected.headers)
        and (made.url, made.status_code, made.content)
        == (expected.url, expected.status_code, expected.content)
    )
    return assembled if same else public
