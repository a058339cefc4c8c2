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
"""

from __future__ import annotations

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

_original: Any = None
_installed: Any = None


def install(router: Router) -> None:
    """Route every ``Endpoint._send`` through ``router``. Called once, by the first start."""
    global _original, _installed
    from botocore.endpoint import Endpoint

    # Imported here, not at the top: this module is imported with kmsmock itself, and the
    # service core pulls in every operation (and botocore, and cryptography).
    from kmsmock.doors import live
    from kmsmock.service.core import answer

    if _installed is not None:
        raise ActivationError("kmsmock's patch is already installed")
    original = Endpoint.__dict__["_send"]
    make_response = _response_maker()
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
    _original = original
    _installed = _send
    Endpoint._send = _send  # type: ignore[attr-defined]


def restore() -> None:
    """Put the original ``_send`` back. Called once, by the last stop."""
    global _original, _installed
    from botocore.endpoint import Endpoint

    if _installed is None:
        raise ActivationError("kmsmock's patch is not installed")
    current = Endpoint.__dict__.get("_send")
    original, installed = _original, _installed
    _original = _installed = None
    if current is not installed:
        # Someone patched over us; putting our original back would drop their patch.
        raise ActivationError(
            f"botocore.endpoint.Endpoint._send was replaced while kmsmock was active "
            f"(found {current!r}); kmsmock cannot restore the original safely"
        )
    Endpoint._send = original  # type: ignore[attr-defined]


class _Body:
    """The raw stream botocore reads a response body from."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


ResponseMaker = Callable[[str, "Response"], "AWSResponse"]


def _response_maker() -> ResponseMaker:
    """How responses are made: botocore's constructor, or a cheaper way to the same object.

    ``AWSResponse`` copies the headers into a ``HeadersDict`` one key at a time, which is a
    tenth of what kmsmock spends on a call. With the three header keys made once, the
    same object can be assembled directly; that is used only when it matches what the
    constructor makes with this botocore, checked here once.
    """
    from botocore.awsrequest import AWSResponse, HeadersDict

    from kmsmock.service.core import Response
    from kmsmock.wire.encode import CONTENT_TYPE

    def public(url: str, reply: Response) -> AWSResponse:
        headers = {
            "x-amzn-RequestId": reply.request_id,
            "Content-Type": CONTENT_TYPE,
            "Content-Length": str(len(reply.body)),
        }
        return AWSResponse(url, reply.status, headers, _Body(reply.body))  # type: ignore[arg-type]

    try:
        template = HeadersDict({"x-amzn-RequestId": "", "Content-Type": "", "Content-Length": ""})
        request_key, type_key, length_key = template._dict  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return public

    def assembled(url: str, reply: Response) -> AWSResponse:
        data = reply.body
        headers = HeadersDict.__new__(HeadersDict)
        headers._dict = {  # type: ignore[attr-defined]
            request_key: reply.request_id,
            type_key: CONTENT_TYPE,
            length_key: str(len(data)),
        }
        response = AWSResponse.__new__(AWSResponse)
        response.url = url
        response.status_code = reply.status
        response.headers = headers
        response.raw = _Body(data)
        response._content = data  # type: ignore[attr-defined]
        return response

    probe = ("https://kms.us-east-1.amazonaws.com/", Response(200, "request-id", b"{}"))
    made, expected = assembled(*probe), public(*probe)
    same = (
        vars(made).keys() == vars(expected).keys()
        and dict(made.headers) == dict(expected.headers)
        and (made.url, made.status_code, made.content)
        == (expected.url, expected.status_code, expected.content)
    )
    return assembled if same else public
