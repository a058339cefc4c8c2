"""The AWS JSON 1.1 wire protocol: a prepared botocore request in, an AWSResponse out.

Requests are decoded and validated against the model's input shape; results are
encoded by the output shape (blobs as base64, timestamps as epoch seconds,
absent members omitted); AWS errors become ``{"__type", "message"}`` bodies.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kmsmock import _aws_errors as errors
from kmsmock._context import RequestContext
from kmsmock._grants import check_tokens
from kmsmock._model import TARGET_PREFIX, operation_model, operation_names
from kmsmock._validation import input_decoder
from kmsmock.errors import OperationNotImplementedError
from kmsmock.operations import HANDLERS, Handler, implemented

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse
    from botocore.model import Shape

    from kmsmock._backend import KmsBackend

_JSON = "application/x-amz-json-1.1"
# One encoder for every response: json.dumps would build a new one per call.
_dumps = json.JSONEncoder(separators=(",", ":")).encode


class _Body:
    """The raw stream botocore reads a response body from."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


# Credential scope -> (region, access key ID). A client signs every request with the
# same scope for a day, so parsing it once per scope is enough.
_SCOPES: dict[str, tuple[str, str]] = {}


def caller(request: AWSPreparedRequest, default_region: str) -> tuple[str, str | None]:
    """(region, access key ID) from the SigV4 credential scope, else from the host."""
    auth: str | bytes | None = request.headers.get("Authorization")
    if auth:
        if isinstance(auth, bytes):
            auth = auth.decode()
        start = auth.find("Credential=")
        if start != -1:
            credential = auth[start + 11 :].split(",", 1)[0]
            found = _SCOPES.get(credential)
            if found is not None:
                return found
            scope = credential.split("/")
            if len(scope) >= 3:
                if len(_SCOPES) > 1024:
                    _SCOPES.clear()
                found = _SCOPES[credential] = (scope[2], scope[0])
                return found
    host = (request.url or "").split("://", 1)[-1].split("/", 1)[0]
    parts = host.split(".")
    if len(parts) >= 3 and parts[0] == "kms":
        return parts[1], None
    return default_region, None


def handle(
    backend: KmsBackend,
    request: AWSPreparedRequest,
    region: str,
    account: str,
    principal: str,
) -> AWSResponse:
    """Answer one KMS request as the service would, and note it in the call journal."""
    request_id = backend.entropy.request_id()
    operation = ""
    body: bytes = request.body or b""  # type: ignore[assignment]
    try:
        target: str | bytes = request.headers.get("X-Amz-Target") or ""
        if isinstance(target, bytes):
            target = target.decode()
        operation = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else ""
        if backend.faults:
            fault = backend.faults.take(operation)
            if fault is not None:
                raise fault
        plan = _PLANS.get(operation)
        # The registry is a plain dict that may change while running (tests take a
        # handler out to see OperationNotImplementedError): follow it.
        if plan is None or plan.handler is not HANDLERS.get(operation):
            plan = _plan(operation, region)
        params = plan.decode(_decode_body(body))
        if plan.takes_grant_tokens and "GrantTokens" in params:
            check_tokens(backend.grant_tokens, params["GrantTokens"])
        ctx = RequestContext(
            backend, operation, region, account, principal, request_id, params=params
        )
        with backend.lock:
            backend.settle()
            result = plan.handler(ctx, params)
        data = _dumps(plan.encode(result)).encode()
        backend.calls.record((operation, region, account, principal, body, data, None, ctx.now()))
        return _response(request, 200, request_id, data)
    except errors.AwsError as error:
        body_dict = {"__type": error.code}
        if error.message or not isinstance(error, errors.UnknownOperationException):
            body_dict["message"] = error.message
        outcome = (error.code, error.message)
        now = backend.clock.now()
        backend.calls.record((operation, region, account, principal, body, None, outcome, now))
        return _response(request, error.status, request_id, _dumps(body_dict).encode())


@dataclass(frozen=True, slots=True)
class _Plan:
    """What answering one operation takes, worked out once from the model."""

    handler: Handler
    decode: Callable[[dict[str, Any]], dict[str, Any]]
    encode: Callable[[dict[str, Any]], dict[str, Any]]
    takes_grant_tokens: bool


_PLANS: dict[str, _Plan] = {}


def _plan(operation: str, region: str) -> _Plan:
    if operation not in operation_names():
        raise errors.UnknownOperationException()
    handler = HANDLERS.get(operation)
    if handler is None:
        raise OperationNotImplementedError(operation, region, implemented())
    model = operation_model(operation)
    output = model.output_shape
    encoder = _encoder(output) if output is not None else None
    plan = _PLANS[operation] = _Plan(
        handler=handler,
        decode=input_decoder(model.input_shape),
        encode=encoder if encoder is not None else (lambda result: result),
        takes_grant_tokens=model.input_shape is not None
        and "GrantTokens" in model.input_shape.members,
    )
    return plan


def _decode_body(raw: bytes | str) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        # botocore sends UTF-8; decoding here spares json its encoding detection.
        body = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    except ValueError:
        raise errors.SerializationException(
            "Start of structure or map found where not expected."
        ) from None
    if not isinstance(body, dict):
        raise errors.SerializationException("Start of structure or map found where not expected.")
    return body


def _response(
    request: AWSPreparedRequest, status: int, request_id: str, data: bytes
) -> AWSResponse:
    global _make_response
    if _make_response is None:
        _make_response = _response_maker()
    return _make_response(request.url, status, request_id, data)


ResponseMaker = Callable[[str, int, str, bytes], "AWSResponse"]
_make_response: ResponseMaker | None = None


def _response_maker() -> ResponseMaker:
    """How responses are made: botocore's constructor, or a cheaper way to the same object.

    ``AWSResponse`` copies the headers into a ``HeadersDict`` one key at a time, which is a
    tenth of what kmsmock spends on a call. With the three header keys made once, the
    same object can be assembled directly; that is used only when it matches what the
    constructor makes with this botocore, checked here once.
    """
    from botocore.awsrequest import AWSResponse, HeadersDict

    def public(url: str, status: int, request_id: str, data: bytes) -> AWSResponse:
        headers = {
            "x-amzn-RequestId": request_id,
            "Content-Type": _JSON,
            "Content-Length": str(len(data)),
        }
        return AWSResponse(url, status, headers, _Body(data))  # type: ignore[arg-type]

    try:
        template = HeadersDict({"x-amzn-RequestId": "", "Content-Type": "", "Content-Length": ""})
        request_key, type_key, length_key = template._dict  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return public

    def assembled(url: str, status: int, request_id: str, data: bytes) -> AWSResponse:
        headers = HeadersDict.__new__(HeadersDict)
        headers._dict = {  # type: ignore[attr-defined]
            request_key: request_id,
            type_key: _JSON,
            length_key: str(len(data)),
        }
        response = AWSResponse.__new__(AWSResponse)
        response.url = url
        response.status_code = status
        response.headers = headers
        response.raw = _Body(data)
        response._content = data  # type: ignore[attr-defined]
        return response

    probe = ("https://kms.us-east-1.amazonaws.com/", 200, "request-id", b"{}")
    made, expected = assembled(*probe), public(*probe)
    same = (
        vars(made).keys() == vars(expected).keys()
        and dict(made.headers) == dict(expected.headers)
        and (made.url, made.status_code, made.content)
        == (expected.url, expected.status_code, expected.content)
    )
    return assembled if same else public


# Output encoding -----------------------------------------------------------------
# Handlers return plain values: bytes for blobs, epoch seconds (floats) for timestamps.
# Each output shape compiles into a function that rewrites only the members that need
# it (blobs become base64), or into None when nothing below it does.

Encoder = Callable[[Any], Any]
_ENCODERS: dict[str, Encoder | None] = {}


def _encoder(shape: Shape) -> Encoder | None:
    if shape.name not in _ENCODERS:
        _ENCODERS[shape.name] = _compile(shape)
    return _ENCODERS[shape.name]


def _blob(value: bytes) -> str:
    return binascii.b2a_base64(value, newline=False).decode("ascii")


def _compile(shape: Shape) -> Encoder | None:
    kind = shape.type_name
    if kind == "blob":
        return _blob
    if kind == "timestamp":
        # Handlers give epoch seconds already, to the millisecond (the clock's unit).
        return None
    if kind == "list":
        item = _encoder(shape.member)  # type: ignore[attr-defined]
        if item is None:
            return None
        return lambda values: [item(v) for v in values]
    if kind == "map":
        value_encoder = _encoder(shape.value)  # type: ignore[attr-defined]
        if value_encoder is None:
            return None
        return lambda mapping: {k: value_encoder(v) for k, v in mapping.items()}
    if kind != "structure":
        return None
    members = [
        (name, enc)
        for name, member in shape.members.items()  # type: ignore[attr-defined]
        if (enc := _encoder(member)) is not None
    ]
    if not members:
        return None

    def encode(value: dict[str, Any]) -> dict[str, Any]:
        for name, enc in members:
            member_value = value.get(name)
            if member_value is not None:
                value[name] = enc(member_value)
        return value

    return encode
