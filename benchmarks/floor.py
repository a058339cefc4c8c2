"""The floor: botocore's own cost of a KMS call, with canned responses checked against
the model's output shapes."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.awsrequest import AWSResponse
from botocore.model import ListShape, Shape, StringShape, StructureShape
from botocore.validate import validate_parameters
from common import (
    ACCOUNT,
    LIST_KEYS_COUNT,
    PLAINTEXT,
    REGION,
)

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient


# KMS's algorithm lists per key spec, written out here rather than read from kmsmock: the
# floor's answers must not depend on the contestant they are the baseline for.
_RSA_SIGNING = [
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
]
# The algorithm list KeyMetadata carries for each measured (spec, usage), as KMS reports it.
_ALGORITHMS: dict[tuple[str, str], tuple[str, list[str]]] = {
    ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"): ("EncryptionAlgorithms", ["SYMMETRIC_DEFAULT"]),
    ("HMAC_256", "GENERATE_VERIFY_MAC"): ("MacAlgorithms", ["HMAC_SHA_256"]),
    ("RSA_2048", "SIGN_VERIFY"): ("SigningAlgorithms", _RSA_SIGNING),
    ("RSA_3072", "SIGN_VERIFY"): ("SigningAlgorithms", _RSA_SIGNING),
    ("RSA_4096", "SIGN_VERIFY"): ("SigningAlgorithms", _RSA_SIGNING),
    ("ECC_NIST_P256", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_256"]),
    ("ECC_NIST_P384", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_384"]),
    ("ECC_NIST_P521", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_512"]),
    ("ECC_SECG_P256K1", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_256"]),
    ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"): (
        "SigningAlgorithms",
        ["ED25519_SHA_512", "ED25519_PH_SHA_512"],
    ),
    ("ML_DSA_44", "SIGN_VERIFY"): ("SigningAlgorithms", ["ML_DSA_SHAKE_256"]),
    ("ML_DSA_65", "SIGN_VERIFY"): ("SigningAlgorithms", ["ML_DSA_SHAKE_256"]),
    ("ML_DSA_87", "SIGN_VERIFY"): ("SigningAlgorithms", ["ML_DSA_SHAKE_256"]),
    ("SM2", "SIGN_VERIFY"): ("SigningAlgorithms", ["SM2DSA"]),
}
# Specs newer than the deprecated CustomerMasterKeySpec field, which KMS leaves out for them.
_NO_CUSTOMER_MASTER_KEY_SPEC = {"ECC_NIST_EDWARDS25519", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87"}

# Canned responses for the floor ------------------------------------------------------
# Bodies follow the examples of the KMS API reference, with this run's account and region,
# and are checked against the model's output shapes before anything is measured. Blobs
# have the sizes of kmsmock's: a ciphertext is its plaintext plus a 113-byte header and tag.

_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
_OTHER_KEY_ID = "0987dcba-09fe-87dc-65ba-ab0987654321"
_MATERIAL_ID = "a" * 64
_CIPHERTEXT_OVERHEAD = 113


def _arn(key_id: str = _KEY_ID, region: str = REGION) -> str:
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    return f"arn:{partition}:kms:{region}:{ACCOUNT}:key/{key_id}"


def _blob(size: int, seed: int = 1) -> str:
    """``size`` deterministic bytes that look random enough, base64-encoded as in the JSON."""
    return base64.b64encode(bytes((seed + 151 * i) % 256 for i in range(size))).decode()


def _ciphertext(plaintext_size: int) -> str:
    return _blob(plaintext_size + _CIPHERTEXT_OVERHEAD, seed=2)


def _der_signature() -> str:
    """A 72-byte DER ECDSA signature: r and s each 33 bytes with the sign-padding zero."""
    r, s = base64.b64decode(_blob(32, seed=3)), base64.b64decode(_blob(32, seed=4))
    der = b"\x30\x46" + b"\x02\x21\x00" + r + b"\x02\x21\x00" + s
    return base64.b64encode(der).decode()


def key_metadata(
    spec: str = "SYMMETRIC_DEFAULT", usage: str = "ENCRYPT_DECRYPT", region: str = REGION
) -> Any:
    algorithms_field, algorithms = _ALGORITHMS[(spec, usage)]
    metadata: dict[str, Any] = {
        "AWSAccountId": ACCOUNT,
        "KeyId": _KEY_ID,
        "Arn": _arn(region=region),
        "CreationDate": 1.499988169234e9,
        "Enabled": True,
        "Description": "",
        "KeyUsage": usage,
        "KeyState": "Enabled",
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": spec,
        "KeySpec": spec,
        algorithms_field: algorithms,
        "MultiRegion": False,
    }
    if spec in _NO_CUSTOMER_MASTER_KEY_SPEC:
        del metadata["CustomerMasterKeySpec"]
    if spec == "SYMMETRIC_DEFAULT":
        metadata["CurrentKeyMaterialId"] = _MATERIAL_ID
    return metadata


def list_keys_body() -> Any:
    ids = [f"{i:08x}-12ab-34cd-56ef-1234567890ab" for i in range(LIST_KEYS_COUNT)]
    keys = [{"KeyId": k, "KeyArn": _arn(k)} for k in ids]
    return {"Keys": keys, "Truncated": False}


def encrypt_body() -> Any:
    return {
        "CiphertextBlob": _ciphertext(len(PLAINTEXT)),
        "KeyId": _arn(),
        "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
    }


def decrypt_body() -> Any:
    return {
        "KeyId": _arn(),
        "Plaintext": base64.b64encode(PLAINTEXT).decode(),
        "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "KeyMaterialId": _MATERIAL_ID,
    }


def generate_data_key_body() -> Any:
    return {
        "CiphertextBlob": _ciphertext(32),
        "Plaintext": _blob(32, seed=5),
        "KeyId": _arn(),
        "KeyMaterialId": _MATERIAL_ID,
    }


def re_encrypt_body() -> Any:
    return {
        "CiphertextBlob": _ciphertext(len(PLAINTEXT)),
        "SourceKeyId": _arn(),
        "KeyId": _arn(_OTHER_KEY_ID),
        "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "SourceKeyMaterialId": _MATERIAL_ID,
        "DestinationKeyMaterialId": "b" * 64,
    }


def generate_mac_body() -> Any:
    return {"Mac": _blob(32, seed=6), "MacAlgorithm": "HMAC_SHA_256", "KeyId": _arn()}


def sign_body() -> Any:
    return {"KeyId": _arn(), "Signature": _der_signature(), "SigningAlgorithm": "ECDSA_SHA_256"}


def verify_body() -> Any:
    return {"KeyId": _arn(), "SignatureValid": True, "SigningAlgorithm": "ECDSA_SHA_256"}


# What the floor answers the setting up of a case with (a key to use, a blob to decrypt),
# unless the case measures that operation itself.
def setup_bodies() -> dict[str, Any]:
    return {"CreateKey": {"KeyMetadata": key_metadata()}, "Encrypt": encrypt_body()}


class _Raw:
    """The raw stream botocore reads a response body from."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


class Canned:
    """A before-send handler answering every call with one fixed KMS response."""

    def __init__(self, body: Any) -> None:
        self.data = json.dumps(body, separators=(",", ":")).encode()
        self.headers = {
            "x-amzn-RequestId": "b8e2a1c4-6f0e-4a8e-9a1d-3c2b1a0f9e8d",
            "Content-Type": "application/x-amz-json-1.1",
            "Content-Length": str(len(self.data)),
        }

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        # A new response per call: botocore caches the body it has read on the object.
        return AWSResponse(request.url, 200, cast(Any, self.headers), _Raw(self.data))


def floor_client(responses: dict[str, Any], region: str | None = None) -> KMSClient:
    """A real boto3 KMS client whose listed operations are answered by canned responses."""
    client = boto3.client("kms", region_name=region)
    for operation, body in responses.items():
        handler: Any = Canned(body)  # botocore-stubs type handlers as returning None
        client.meta.events.register(f"before-send.kms.{operation}", handler)
    return client


def check_output(client: KMSClient, operation: str, response: Any) -> None:
    """Fail unless ``response`` is valid for the operation's output shape (as Stubber checks)."""
    shape = client.meta.service_model.operation_model(operation).output_shape
    assert shape is not None
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    validate_parameters(body, shape)


def _check_json(shape: Shape, value: Any, where: str) -> None:
    """Fail unless ``value`` is what KMS's JSON could hold for ``shape``."""
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        assert isinstance(value, dict), where
        unknown = set(value) - set(shape.members)
        missing = set(shape.required_members) - set(value)
        assert not unknown, f"{where}: unknown members {sorted(unknown)}"
        assert not missing, f"{where}: missing members {sorted(missing)}"
        for name, member in value.items():
            _check_json(shape.members[name], member, f"{where}.{name}")
    elif isinstance(shape, ListShape):
        assert isinstance(value, list), where
        for index, item in enumerate(value):
            _check_json(shape.member, item, f"{where}[{index}]")
    elif kind == "blob":
        assert isinstance(value, str), where
        base64.b64decode(value, validate=True)
    elif isinstance(shape, StringShape):
        assert isinstance(value, str), where
        assert not shape.enum or value in shape.enum, f"{where}: {value!r} not in its enum"
    elif kind == "timestamp":
        assert isinstance(value, (int, float)), where
    else:
        assert kind in {"boolean", "integer", "long"}, f"{where}: no check for {kind}"
        assert isinstance(value, bool) == (kind == "boolean"), where


def check_canned(client: KMSClient, responses: dict[str, Any]) -> None:
    """Fail unless each canned body is one KMS could send for its operation: members of the
    output shape only, required ones present, enum values in their enum, blobs in base64.
    (A parsed response drops unknown members and botocore does not check enums.)"""
    for operation, body in responses.items():
        shape = client.meta.service_model.operation_model(operation).output_shape
        assert shape is not None
        _check_json(shape, body, operation)


def checked(client: KMSClient, call: Callable[[], object], operations: Collection[str]) -> None:
    """Make ``call`` once, failing unless it calls each of ``operations`` and every response
    it gets is valid for its operation's output shape."""
    seen: set[str] = set()

    def check(parsed: Any, model: Any, **_: Any) -> None:
        seen.add(model.name)
        if model.output_shape is not None:
            check_output(client, model.name, parsed)

    handler: Any = check
    client.meta.events.register("after-call.kms", handler, unique_id="benchmark-check")
    try:
        call()
    finally:
        client.meta.events.unregister("after-call.kms", unique_id="benchmark-check")
    missing = set(operations) - seen
    assert not missing, f"not called: {sorted(missing)}"
