"""Helpers shared by the tests."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.model import ServiceModel
from botocore.validate import validate_parameters
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

from kmsmock.state.keys import KeyState

REGION = "us-east-1"
ACCOUNT = "123456789012"
# Not kmsmock's own fake key, so tests can tell whose credentials a request used.
ACCESS_KEY_ID = "AKIATESTTESTTEST0001"
SECRET_ACCESS_KEY = "testing-secret"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
# A second account, and an access key of its own for requests made from it.
OTHER_ACCOUNT = "111122223333"
OTHER_ACCESS_KEY_ID = "AKIAOTHER00000000001"
CHINA = "cn-north-1"
# A well-formed key ID no test creates.
UNKNOWN_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
MATERIAL_ID = re.compile(r"[0-9a-f]{64}")
MS = timedelta(milliseconds=1)


ARN_PREFIX = f"arn:aws:kms:{REGION}:{ACCOUNT}"
# What every operation with a DryRun member answers when DryRun is true and the call
# would otherwise have succeeded.
DRY_RUN = (
    "DryRunOperationException",
    "The request would have succeeded, but the DryRun option is set.",
)


def key_arn(key_id: str, *, region: str = REGION, account: str = ACCOUNT) -> str:
    """The ARN of key ``key_id``: in the tests' account and Region unless told otherwise,
    in the aws-cn partition for a China Region."""
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    return f"arn:{partition}:kms:{region}:{account}:key/{key_id}"


def body(response: dict[str, Any]) -> dict[str, Any]:
    """A response without its ResponseMetadata: the fields the operation returned."""
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def new_key(client: Any, spec: str | None = None, usage: str | None = None, **params: Any) -> str:
    """The bare ID of a new key: ``new_key(client)`` is CreateKey's default symmetric
    encryption key; KeySpec and KeyUsage are sent only when given, and any other CreateKey
    parameter (Origin, MultiRegion, Policy...) passes through."""
    if spec is not None:
        params["KeySpec"] = spec
    if usage is not None:
        params["KeyUsage"] = usage
    key_id: str = client.create_key(**params)["KeyMetadata"]["KeyId"]
    return key_id


def mock_now(kms_mock: Any) -> datetime:
    """What the mock believes the time is (real time plus the clock's advance)."""
    return datetime.fromtimestamp(kms_mock.clock.now(), timezone.utc)


def force_state(kms_mock: Any, key_id: str, state: str) -> None:
    """Put key ``key_id`` of the tests' account and Region into key state ``state``.

    The one sanctioned reach past the API, for states no API call reaches quickly:
    Unavailable, Creating, Updating and PendingReplicaDeletion need a custom key store or
    a multi-Region set, and an EXTERNAL key without material is only ever PendingImport.
    With it the key-state rules are tested for every state on a plain key; everything
    else goes through a client, as users do.
    """
    kms_mock.backend.account_region(ACCOUNT, REGION).keys[key_id].state = KeyState(state)


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


def refused(call: Callable[[], Any]) -> tuple[str, str]:
    """(Error.Code, Error.Message) of the ClientError ``call`` raises; fails if it raises none."""
    with pytest.raises(ClientError) as info:
        call()
    return error(info.value)


def enum_values(operation: str, member: str) -> list[str]:
    shape = service_model().operation_model(operation).input_shape
    assert shape is not None
    return list(shape.members[member].metadata["enum"])


def model_enum(shape_name: str) -> list[str]:
    """The values of an enum shape of the installed botocore's KMS model, in model order."""
    return list(service_model().shape_for(shape_name).metadata["enum"])


def model_has_enum_value(shape_name: str, value: str) -> bool:
    return value in model_enum(shape_name)


def model_has_member(operation: str, member: str) -> bool:
    """Whether the installed model's ``operation`` takes the input member ``member``."""
    shape = service_model().operation_model(operation).input_shape
    return shape is not None and member in shape.members


def model_has_operation(operation: str) -> bool:
    return operation in service_model().operation_names


ML_KEM_SPECS = ["ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"]
ENCAPSULATE_DECAPSULATE = "ENCAPSULATE_DECAPSULATE"


def ml_kem_in_model() -> bool:
    """Whether the installed botocore's KMS model knows ML-KEM keys (botocore 1.44 on)."""
    return model_has_enum_value("KeySpec", "ML_KEM_768")


def ml_kem_specs_in_model() -> list[str]:
    """The ML-KEM key specs the installed model lists (none before botocore 1.44)."""
    return ML_KEM_SPECS if ml_kem_in_model() else []


def _oaep(algorithm: str) -> padding.OAEP:
    digest: hashes.HashAlgorithm = hashes.SHA1() if algorithm.endswith("SHA_1") else hashes.SHA256()
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


def wrap(public_key_der: bytes, material: bytes, algorithm: str) -> bytes:
    """Wrap ``material`` for ImportKeyMaterial with the caller's own tools: RSA-OAEP of
    the material, or of an AES key that wraps it (RFC 5649) for RSA_AES_KEY_WRAP_*."""
    public = serialization.load_der_public_key(public_key_der)
    assert isinstance(public, rsa.RSAPublicKey)
    if algorithm.startswith("RSAES_OAEP"):
        return public.encrypt(material, _oaep(algorithm))
    aes_key = os.urandom(32)
    return public.encrypt(aes_key, _oaep(algorithm)) + aes_key_wrap_with_padding(aes_key, material)


def import_material(
    client: Any,
    key_id: str,
    material: bytes,
    algorithm: str = "RSAES_OAEP_SHA_256",
    **kwargs: Any,
) -> dict[str, Any]:
    """GetParametersForImport, wrap and ImportKeyMaterial; KEY_MATERIAL_DOES_NOT_EXPIRE
    unless an expiration is given."""
    found = client.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec="RSA_2048"
    )
    if "ExpirationModel" not in kwargs and "ValidTo" not in kwargs:
        kwargs["ExpirationModel"] = "KEY_MATERIAL_DOES_NOT_EXPIRE"
    response: dict[str, Any] = client.import_key_material(
        KeyId=key_id,
        ImportToken=found["ImportToken"],
        EncryptedKeyMaterial=wrap(found["PublicKey"], material, algorithm),
        **kwargs,
    )
    return response


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
