"""The service core: one KMS request (headers and body) in, one KMS response out.

Every door calls :func:`answer`: it finds the caller (Region from the SigV4 credential
scope, account and principal from the access key), answers an injected fault, decodes
and validates the body against the model, runs the operation's handler under the
backend's lock, encodes the result or the AWS error, and notes the call in the journal.
Doors only translate their own request and response objects to and from these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

from kmsmock.crypto.extras import MissingExtra
from kmsmock.errors import ExtraNotInstalledError, OperationNotImplementedError
from kmsmock.operations import HANDLERS, Handler, implemented
from kmsmock.state.backend import KmsBackend
from kmsmock.state.context import RequestContext
from kmsmock.state.faults import InjectedError
from kmsmock.state.grants import check_tokens
from kmsmock.state.journal import Entry
from kmsmock.wire import aws_errors as aws
from kmsmock.wire.decode import input_decoder, json_body
from kmsmock.wire.encode import error_body, result_encoder
from kmsmock.wire.guard import Guard, guard_for
from kmsmock.wire.model import TARGET_PREFIX, declared_errors, operation_model, operation_names


class Headers(Protocol):
    """Request headers, looked up case-insensitively (botocore's, http.server's)."""

    def get(self, name: str, default: Any = None, /) -> Any: ...


class Response(NamedTuple):
    """What KMS answers: an HTTP status, the request ID, and the JSON body."""

    status: int
    request_id: str
    body: bytes
    error_code: str | None = None  # the AWS error code of a failed call


def answer(
    backend: KmsBackend, headers: Headers, body: bytes, url: str, default_region: str
) -> Response:
    """Answer one KMS request as the service would, and note it in the call journal.

    ``url`` gives the Region when the request is unsigned (``kms.<region>.amazonaws.com``);
    ``default_region`` is the mock's own, for a request that names none.
    """
    region, access_key_id = caller(headers, url, default_region)
    account, principal, source_arn = backend.identities.resolve(access_key_id)
    request_id = backend.entropy.request_id()
    operation = ""
    try:
        target: str | bytes = headers.get("X-Amz-Target") or ""
        if isinstance(target, bytes):
            target = target.decode()
        operation = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else ""
        if backend.faults:
            # Under the lock, so that a fault injected for N calls fails N calls even
            # when threads call at once.
            with backend.lock:
                fault = backend.faults.take(operation)
            if fault is not None:
                raise fault
        plan = _PLANS.get(operation)
        # The registry is a plain dict that may change while running (tests take a
        # handler out to see OperationNotImplementedError): follow it.
        if plan is None or plan.handler is not HANDLERS.get(operation):
            plan = _plan(operation, region)
        params = plan.decode(json_body(body))
        if plan.guard is not None:
            plan.guard(params)
        if plan.takes_grant_tokens and "GrantTokens" in params:
            check_tokens(backend.grant_tokens, params["GrantTokens"])
        ctx = RequestContext(
            backend,
            operation,
            region,
            account,
            principal,
            request_id,
            params=params,
            source_arn=source_arn,
        )
        with backend.lock:
            backend.settle()
            try:
                result = plan.handler(ctx, params)
            except MissingExtra as missing:
                # Raised wherever an engine behind an extra is first needed (ML-KEM-512
                # keys, data key pairs and imports; ML-DSA from μ): one translation.
                raise ExtraNotInstalledError(
                    operation, missing.feature, missing.extra, missing.package
                ) from None
        data = plan.encode(result)
        backend.calls.record(
            Entry(operation, region, account, principal, body, data, None, ctx.now())
        )
        return Response(200, request_id, data)
    except aws.AwsError as raised:
        error = _as_declared(operation, raised)
        outcome = (error.code, error.message)
        now = backend.clock.now()
        backend.calls.record(Entry(operation, region, account, principal, body, None, outcome, now))
        return Response(error.status, request_id, error_body(error), error.code)


# Credential scope -> (region, access key ID). A client signs every request with the
# same scope for a day, so parsing it once per scope is enough.
_SCOPES: dict[str, tuple[str, str]] = {}


def caller(headers: Headers, url: str, default_region: str) -> tuple[str, str | None]:
    """(region, access key ID) from the SigV4 credential scope, else from the host."""
    auth: str | bytes | None = headers.get("Authorization")
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
    host = url.split("://", 1)[-1].split("/", 1)[0]
    parts = host.split(".")
    if len(parts) >= 3 and parts[0] == "kms":
        return parts[1], None
    return default_region, None


class _Plan(NamedTuple):
    """What answering one operation takes, worked out once from the model."""

    handler: Handler
    decode: Callable[[dict[str, Any]], dict[str, Any]]
    encode: Callable[[dict[str, Any]], bytes]
    takes_grant_tokens: bool
    guard: Guard | None


_PLANS: dict[str, _Plan] = {}


def _plan(operation: str, region: str) -> _Plan:
    if operation not in operation_names():
        raise aws.UnknownOperationException()
    handler = HANDLERS.get(operation)
    if handler is None:
        raise OperationNotImplementedError(operation, region, implemented())
    model = operation_model(operation)
    plan = _PLANS[operation] = _Plan(
        handler=handler,
        decode=input_decoder(model.input_shape),
        encode=result_encoder(model.output_shape),
        takes_grant_tokens=model.input_shape is not None
        and "GrantTokens" in model.input_shape.members,
        guard=guard_for(operation),
    )
    return plan


# Errors a handler may meet for an operation whose model does not declare them, and what
# KMS answers instead: SDKs map declared codes to exception classes, so an operation only
# answers the codes its model lists, plus the ones any AWS service may answer.
# - A malformed key ARN where InvalidArnException is not declared: the key cannot be
#   found, NotFoundException, as for any identifier that names no key.
# - A malformed grant token or marker where the operation does not declare them (grant
#   tokens on DescribeKey, a marker on ListKeyPolicies, which never returns one): the
#   request is invalid, ValidationException (Unverified against AWS: the text there; an
#   empty message gets kmsmock's own).
_UNDECLARED: dict[str, Callable[[str], aws.AwsError]] = {
    "InvalidArnException": aws.NotFoundException,
    "InvalidGrantTokenException": lambda message: aws.ValidationException(
        message or "Grant token is not valid"
    ),
    "InvalidMarkerException": aws.ValidationException,
}


def _as_declared(operation: str, error: aws.AwsError) -> aws.AwsError:
    if error.code not in _UNDECLARED or error.code in declared_errors(operation):
        return error
    if isinstance(error, InjectedError):
        return error  # a test asked for exactly this code
    return _UNDECLARED[error.code](error.message)
