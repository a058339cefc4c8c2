"""Helpers shared by the tests."""

from __future__ import annotations

import functools
from typing import Any

import botocore.session
from botocore.exceptions import ClientError
from botocore.model import ServiceModel
from botocore.validate import validate_parameters

REGION = "us-east-1"
ACCOUNT = "123456789012"
# Not kmsmock's own fake key, so tests can tell whose credentials a request used.
ACCESS_KEY_ID = "AKIATESTTESTTEST0001"
SECRET_ACCESS_KEY = "testing-secret"


@functools.cache
def service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("kms")


def assert_valid_output(operation: str, response: Any) -> None:
    """Check a response against the operation's output shape, as Stubber does."""
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    shape = service_model().operation_model(operation).output_shape
    assert shape is not None
    validate_parameters(body, shape)


def error(exc: ClientError) -> tuple[str, str]:
    """(Error.Code, Error.Message) of a ClientError."""
    err = exc.response["Error"]
    return err["Code"], err["Message"]


def enum_values(operation: str, member: str) -> list[str]:
    shape = service_model().operation_model(operation).input_shape
    assert shape is not None
    return list(shape.members[member].metadata["enum"])


# Server mode -------------------------------------------------------------------------


def loopback_works() -> bool:
    """Whether this process can reach a socket of its own on 127.0.0.1.

    In a fresh network namespace (``unshare -rn``, as CI runs the suite offline) the
    loopback interface starts down; the namespace's root may bring it up, which changes
    nothing outside the namespace. A machine where neither works skips the server tests.
    """
    import socket

    def reachable() -> bool:
        with socket.socket() as listener:
            try:
                listener.bind(("127.0.0.1", 0))
                listener.listen(1)
                with socket.create_connection(listener.getsockname(), timeout=2):
                    return True
            except OSError:
                return False

    return reachable() or (_bring_loopback_up() and reachable())


def _bring_loopback_up() -> bool:
    import fcntl
    import socket
    import struct

    get_flags, set_flags, up = 0x8913, 0x8914, 0x1  # SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            request = struct.pack("16sH", b"lo", 0)
            flags = struct.unpack("16sH", fcntl.ioctl(sock, get_flags, request))[1]
            fcntl.ioctl(sock, set_flags, struct.pack("16sH", b"lo", flags | up))
    except OSError:
        return False
    return True


def server_client(url: str, region: str = REGION, access_key_id: str = ACCESS_KEY_ID) -> Any:
    """A boto3 KMS client sending to kmsmock's server at ``url``, as an application would."""
    import boto3

    return boto3.client(
        "kms",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=SECRET_ACCESS_KEY,
    )
