"""The aiobotocore door: the ``AioEndpoint._send`` seam, for aiobotocore and aioboto3.

aiobotocore subclasses botocore's ``Endpoint`` as ``AioEndpoint`` and overrides
``_send`` with a coroutine that hands the prepared request to its HTTP session
(aiohttp's by default; httpx's when the client's ``AioConfig`` names
``HttpxSession``, whose ``AnyioEndpoint`` inherits the same ``_send``). Replacing
it on ``AioEndpoint`` reaches every aiobotocore client, those created before
activation included, and leaves aiobotocore's serialising, signing, retries and
parsing as they are. As in the botocore door, the original is saved from the
class ``__dict__`` and restored by identity.

``AioSession.get_credentials`` is replaced too, with the rule of the botocore door: only
the static keys a test gave, or those of the environment or of the profile's lines in
the shared files, else kmsmock's fake keys; never a process, STS, SSO or a metadata
endpoint.

kmsmock never imports aiobotocore on its own import: the first start installs
this seam only when aiobotocore can be imported, so without it nothing changes.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from kmsmock.errors import ActivationError

if TYPE_CHECKING:
    from kmsmock.doors.botocore_seam import Router
    from kmsmock.service.core import Response

_original: Any = None
_installed: Any = None
_credentials_patch: tuple[Any, Any] | None = None


def available() -> bool:
    """Whether aiobotocore is installed (found without importing it)."""
    try:
        return importlib.util.find_spec("aiobotocore") is not None
    except (ImportError, ValueError):
        return False


def installed() -> bool:
    return _installed is not None


def install(router: Router) -> bool:
    """Route every ``AioEndpoint._send`` through ``router``; False when aiobotocore is
    missing or cannot be imported with this botocore (then no aiobotocore client can
    exist either, and there is nothing to patch)."""
    global _original, _installed
    if _installed is not None:
        raise ActivationError("kmsmock's aiobotocore patch is already installed")
    if not available():
        return False
    try:
        from aiobotocore.endpoint import AioEndpoint
    except Exception:  # an aiobotocore that cannot load has no clients to patch
        return False
    from kmsmock.service.core import answer

    original = AioEndpoint.__dict__["_send"]
    make_response = _response_maker()

    async def _send(self: Any, request: Any) -> Any:
        url: str = request.url or ""
        target = router(self._endpoint_prefix, url)
        if target is None:
            return await original(self, request)
        body = request.body or b""
        if not isinstance(body, bytes):
            # KMS requests are JSON documents aiobotocore serialises to bytes; a
            # stream here would come from a user's own handler.
            body = body.read() if hasattr(body, "read") else bytes(body)
        reply = answer(target.backend, request.headers, body, url, target.region)
        return make_response(self.http_session, url, reply)

    _send.__wrapped__ = original  # type: ignore[attr-defined]
    _install_credentials()
    _original = original
    _installed = _send
    AioEndpoint._send = _send
    return True


def restore() -> None:
    """Put the original ``_send`` back. Called once, by the last stop."""
    global _original, _installed
    if _installed is None:
        raise ActivationError("kmsmock's aiobotocore patch is not installed")
    from aiobotocore.endpoint import AioEndpoint

    try:
        _restore_credentials()
    finally:
        _restore_send(AioEndpoint)


def _restore_send(endpoint_class: Any) -> None:
    global _original, _installed
    current = endpoint_class.__dict__.get("_send")
    original, installed = _original, _installed
    _original = _installed = None
    if current is not installed:
        raise ActivationError(
            f"aiobotocore.endpoint.AioEndpoint._send was replaced while kmsmock was "
            f"active (found {current!r}); kmsmock cannot restore the original safely"
        )
    endpoint_class._send = original


def _install_credentials() -> None:
    global _credentials_patch
    from aiobotocore.credentials import (
        AioConfigProvider,
        AioCredentials,
        AioEnvProvider,
        AioSharedCredentialProvider,
    )
    from aiobotocore.session import AioSession

    from kmsmock.doors.environment import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY

    static = (AioEnvProvider, AioSharedCredentialProvider, AioConfigProvider)
    original = AioSession.__dict__["get_credentials"]

    async def get_credentials(self: Any) -> Any:
        cached = self._credentials
        if type(cached) is AioCredentials:
            return cached
        resolver = self._components.get_component("credential_provider")
        for provider in getattr(resolver, "providers", ()):
            if type(provider) in static:
                found = await provider.load()
                if found is not None:
                    return found
        return AioCredentials(FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, method="kmsmock")

    get_credentials.__wrapped__ = original  # type: ignore[attr-defined]
    _credentials_patch = (original, get_credentials)
    AioSession.get_credentials = get_credentials


def _restore_credentials() -> None:
    global _credentials_patch
    from aiobotocore.session import AioSession

    if _credentials_patch is None:
        return
    original, installed = _credentials_patch
    _credentials_patch = None
    current = AioSession.__dict__.get("get_credentials")
    if current is not installed:
        raise ActivationError(
            f"aiobotocore.session.AioSession.get_credentials was replaced while kmsmock "
            f"was active (found {current!r}); kmsmock cannot restore the original safely"
        )
    AioSession.get_credentials = original


class _Body:
    """The raw stream aiobotocore reads a response body from: ``read()`` for the aiohttp
    backend, ``aread()`` for the httpx one."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def read(self, *_: Any) -> bytes:
        return self._data

    async def aread(self) -> bytes:
        return self._data

    def close(self) -> None:
        """Nothing to release: the body is in memory."""

    async def aclose(self) -> None:
        """Nothing to release: the body is in memory."""


def _response_maker() -> Any:
    """The response each backend's session would return: ``AioAWSResponse`` for aiohttp,
    ``HttpxAWSResponse`` for httpx, with the body already read (as both sessions do for
    a response that does not stream)."""
    from aiobotocore import awsrequest

    from kmsmock.wire.encode import CONTENT_TYPE

    httpx_response = getattr(awsrequest, "HttpxAWSResponse", None)
    httpx_session: Any = None
    if httpx_response is not None:
        try:
            from aiobotocore import httpxsession
        except ImportError:
            httpx_response = None
        else:
            httpx_session = httpxsession.HttpxSession

    def make(session: Any, url: str, reply: Response) -> Any:
        cls = awsrequest.AioAWSResponse
        if httpx_response is not None and isinstance(session, httpx_session):
            cls = httpx_response
        headers = {
            "x-amzn-requestid": reply.request_id,
            "content-type": CONTENT_TYPE,
            "content-length": str(len(reply.body)),
        }
        response = cls(url, reply.status, headers, _Body(reply.body))
        response._content = reply.body
        return response

    return make
