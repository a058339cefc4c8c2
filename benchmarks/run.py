"""How close kmsmock comes to the floor: botocore's own cost of a KMS call.

Three contestants make the same boto3 calls:

floor    the same boto3 client with a ``before-send.kms.<Op>`` handler returning a canned,
         valid ``AWSResponse``: only botocore's serialising, signing and parsing remain,
         the cost no in-process mock can go under.
kmsmock  ``mock_kms()``.
moto     moto's ``mock_aws()``, when moto is installed.

Samples of the contestants are short (about 5 ms) and interleaved, so drift in machine
speed hits all of them alike. Each cost is the median of its samples; each mock's ratio to
the floor is the median of the ratios of its samples to the floor samples taken just
before or after them, which cancels what a noisy machine does to both.

Run ``python benchmarks/run.py`` (three or four minutes), ``--quick`` for a rough look
(under a minute), ``--json PATH`` to keep the numbers. After the table comes the memory
the Python heap keeps per symmetric key. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

# Every contestant signs with the same fake credentials and never looks at ~/.aws,
# the instance metadata service or a profile: set before botocore reads anything.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
)
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
    os.environ.pop(_name, None)

import boto3  # noqa: E402
import botocore  # noqa: E402
from botocore.awsrequest import AWSResponse  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from botocore.model import ListShape, Shape, StringShape, StructureShape  # noqa: E402
from botocore.validate import validate_parameters  # noqa: E402

import kmsmock  # noqa: E402
from kmsmock import mock_kms  # noqa: E402

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_kms.literals import KeySpecType, KeyUsageTypeType

Run = Callable[[int], None]  # performs n operations
Contestant = Callable[[], AbstractContextManager[Run]]
MakeCall = Callable[["KMSClient"], Callable[[], object]]  # sets up, returns the call

FLOOR, KMSMOCK, MOTO = "floor", "kmsmock", "moto"
ACCOUNT = "123456789012"
REGION = "us-east-1"
LIST_KEYS_COUNT = 10
RANDOM_BYTES = 32
DECORATED_TESTS = 200
PLAINTEXT = bytes(range(64))  # what Encrypt encrypts and GenerateMac, Sign and Verify take
ENCRYPTION_CONTEXT = {"purpose": "benchmark", "tenant": "example"}
ALIAS_KEYS = 10_000  # keys in the account DescribeKey by alias looks through
ALIAS_NAME = "alias/benchmark"
# Memory per symmetric key: keys created after a warmup, inside one mock.
MEMORY_KEYS, MEMORY_WARMUP = 2_000, 200
MOTO_MEMORY_KEYS, MOTO_MEMORY_WARMUP = 100, 20  # moto makes an RSA key for each: fewer
MEMORY_TARGET = 1024  # bytes per symmetric key kmsmock holds itself to

# (KeySpec, KeyUsage) pairs CreateKey is measured with, and the subset --quick keeps.
CREATE_KEY_SPECS: list[tuple[KeySpecType, KeyUsageTypeType]] = [
    ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
    ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ("RSA_2048", "SIGN_VERIFY"),
    ("RSA_3072", "SIGN_VERIFY"),
    ("RSA_4096", "SIGN_VERIFY"),
    ("ECC_NIST_P256", "SIGN_VERIFY"),
    ("ECC_NIST_P384", "SIGN_VERIFY"),
    ("ECC_NIST_P521", "SIGN_VERIFY"),
    ("ECC_SECG_P256K1", "SIGN_VERIFY"),
    ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"),
    ("ML_DSA_44", "SIGN_VERIFY"),
    ("ML_DSA_65", "SIGN_VERIFY"),
    ("ML_DSA_87", "SIGN_VERIFY"),
    ("SM2", "SIGN_VERIFY"),
]
# SM2 exists only in China's Regions (docs/kms-behaviour.md#china-regions): its case runs there.
CHINA_REGION = "cn-north-1"
QUICK_KEY_SPECS = {"SYMMETRIC_DEFAULT", "HMAC_256", "RSA_2048", "ECC_NIST_P256", "ML_DSA_44"}

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


def _key_metadata(
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


def _list_keys_body() -> Any:
    ids = [f"{i:08x}-12ab-34cd-56ef-1234567890ab" for i in range(LIST_KEYS_COUNT)]
    keys = [{"KeyId": k, "KeyArn": _arn(k)} for k in ids]
    return {"Keys": keys, "Truncated": False}


def _encrypt_body() -> Any:
    return {
        "CiphertextBlob": _ciphertext(len(PLAINTEXT)),
        "KeyId": _arn(),
        "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
    }


def _decrypt_body() -> Any:
    return {
        "KeyId": _arn(),
        "Plaintext": base64.b64encode(PLAINTEXT).decode(),
        "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "KeyMaterialId": _MATERIAL_ID,
    }


def _generate_data_key_body() -> Any:
    return {
        "CiphertextBlob": _ciphertext(32),
        "Plaintext": _blob(32, seed=5),
        "KeyId": _arn(),
        "KeyMaterialId": _MATERIAL_ID,
    }


def _re_encrypt_body() -> Any:
    return {
        "CiphertextBlob": _ciphertext(len(PLAINTEXT)),
        "SourceKeyId": _arn(),
        "KeyId": _arn(_OTHER_KEY_ID),
        "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "SourceKeyMaterialId": _MATERIAL_ID,
        "DestinationKeyMaterialId": "b" * 64,
    }


def _generate_mac_body() -> Any:
    return {"Mac": _blob(32, seed=6), "MacAlgorithm": "HMAC_SHA_256", "KeyId": _arn()}


def _sign_body() -> Any:
    return {"KeyId": _arn(), "Signature": _der_signature(), "SigningAlgorithm": "ECDSA_SHA_256"}


def _verify_body() -> Any:
    return {"KeyId": _arn(), "SignatureValid": True, "SigningAlgorithm": "ECDSA_SHA_256"}


# What the floor answers the setting up of a case with (a key to use, a blob to decrypt),
# unless the case measures that operation itself.
def _setup_bodies() -> dict[str, Any]:
    return {"CreateKey": {"KeyMetadata": _key_metadata()}, "Encrypt": _encrypt_body()}


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


# Contestants for each case ------------------------------------------------------------


class Unavailable(Exception):
    """moto cannot run a case: it lacks the operation or spec, or raises where KMS does not."""


def _summary(error: Exception) -> str:
    if isinstance(error, ClientError):
        found = error.response.get("Error", {})
        text = f"{found.get('Code', 'ClientError')}: {found.get('Message', '')}"
    else:
        text = f"{type(error).__name__}: {error}"
    text = " ".join(text.split())
    return text if len(text) <= 90 else text[:87] + "..."


def _optional(contestant: Contestant) -> Contestant:
    """``contestant``, reporting an error in its setting up (or first call) as Unavailable."""

    @contextmanager
    def guarded() -> Iterator[Run]:
        with ExitStack() as stack:
            try:
                run = stack.enter_context(contestant())
            except Exception as error:
                raise Unavailable(_summary(error)) from error
            yield run

    return guarded


def _mock_aws() -> AbstractContextManager[Any]:
    from moto import mock_aws

    return cast(AbstractContextManager[Any], mock_aws())


def _activation(name: str) -> AbstractContextManager[Any]:
    return mock_kms() if name == KMSMOCK else _mock_aws()


def _repeat(call: Callable[[], object]) -> Run:
    def run(n: int) -> None:
        for _ in range(n):
            call()

    return run


def per_call_case(
    responses: dict[str, Any],
    make_call: MakeCall,
    make_floor_call: MakeCall | None = None,
    *,
    moto: bool = True,
    region: str | None = None,
) -> dict[str, Contestant]:
    """Contestants repeating one call on a client set up by ``make_call``.

    ``responses`` holds the canned body of each measured operation; the floor sets up with
    ``make_floor_call`` when given. Without ``moto``, moto is left out of the case. Clients
    are made for ``region`` when given, else for the default one.
    """

    @contextmanager
    def floor() -> Iterator[Run]:
        canned = {**_setup_bodies(), **responses}
        client = floor_client(canned, region)
        check_canned(client, canned)
        call = (make_floor_call or make_call)(client)
        checked(client, call, responses)
        yield _repeat(call)

    def mocked(name: str) -> Contestant:
        @contextmanager
        def contestant() -> Iterator[Run]:
            with _activation(name):
                client = boto3.client("kms", region_name=region)
                call = make_call(client)
                if name == KMSMOCK:
                    checked(client, call, responses)
                else:
                    call()
                yield _repeat(call)

        return contestant

    found = {FLOOR: floor, KMSMOCK: mocked(KMSMOCK)}
    if moto:
        found[MOTO] = _optional(mocked(MOTO))
    return found


def _new_key(client: KMSClient) -> str:
    return client.create_key()["KeyMetadata"]["KeyId"]


def _describe_key(client: KMSClient) -> Callable[[], object]:
    key_id = _new_key(client)
    return lambda: client.describe_key(KeyId=key_id)


def _describe_key_by_alias(client: KMSClient) -> Callable[[], object]:
    key_ids = [_new_key(client) for _ in range(ALIAS_KEYS)]
    client.create_alias(AliasName=ALIAS_NAME, TargetKeyId=key_ids[len(key_ids) // 2])
    return lambda: client.describe_key(KeyId=ALIAS_NAME)


def _describe_canned_alias(client: KMSClient) -> Callable[[], object]:
    return lambda: client.describe_key(KeyId=ALIAS_NAME)


def _list_keys(client: KMSClient) -> Callable[[], object]:
    for _ in range(LIST_KEYS_COUNT):
        client.create_key()
    return lambda: client.list_keys()


def _generate_random(client: KMSClient) -> Callable[[], object]:
    return lambda: client.generate_random(NumberOfBytes=RANDOM_BYTES)


def _encrypt(client: KMSClient) -> Callable[[], object]:
    key_id = _new_key(client)
    return lambda: client.encrypt(
        KeyId=key_id, Plaintext=PLAINTEXT, EncryptionContext=ENCRYPTION_CONTEXT
    )


def _encrypted(client: KMSClient) -> bytes:
    """A ciphertext blob of PLAINTEXT under a new key."""
    key_id = _new_key(client)
    response = client.encrypt(
        KeyId=key_id, Plaintext=PLAINTEXT, EncryptionContext=ENCRYPTION_CONTEXT
    )
    return response["CiphertextBlob"]


def _decrypt(client: KMSClient) -> Callable[[], object]:
    blob = _encrypted(client)
    return lambda: client.decrypt(CiphertextBlob=blob, EncryptionContext=ENCRYPTION_CONTEXT)


def _generate_data_key(client: KMSClient) -> Callable[[], object]:
    key_id = _new_key(client)
    return lambda: client.generate_data_key(
        KeyId=key_id, KeySpec="AES_256", EncryptionContext=ENCRYPTION_CONTEXT
    )


def _re_encrypt(client: KMSClient) -> Callable[[], object]:
    blob = _encrypted(client)
    destination = _new_key(client)
    return lambda: client.re_encrypt(
        CiphertextBlob=blob,
        SourceEncryptionContext=ENCRYPTION_CONTEXT,
        DestinationKeyId=destination,
        DestinationEncryptionContext=ENCRYPTION_CONTEXT,
    )


def _generate_mac(client: KMSClient) -> Callable[[], object]:
    created = client.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    key_id = created["KeyMetadata"]["KeyId"]
    return lambda: client.generate_mac(KeyId=key_id, Message=PLAINTEXT, MacAlgorithm="HMAC_SHA_256")


def _sign_verify(client: KMSClient) -> Callable[[], object]:
    created = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    key_id = created["KeyMetadata"]["KeyId"]

    def sign_then_verify() -> object:
        signature = client.sign(
            KeyId=key_id, Message=PLAINTEXT, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256"
        )["Signature"]
        return client.verify(
            KeyId=key_id,
            Message=PLAINTEXT,
            MessageType="RAW",
            Signature=signature,
            SigningAlgorithm="ECDSA_SHA_256",
        )

    return sign_then_verify


def _create_key(spec: KeySpecType, usage: KeyUsageTypeType) -> MakeCall:
    def make_call(client: KMSClient) -> Callable[[], object]:
        return lambda: client.create_key(KeySpec=spec, KeyUsage=usage)

    return make_call


def enter_exit_case() -> dict[str, Contestant]:
    """Start, make a client, stop; the floor makes a client and registers its handler."""
    handler: Any = Canned({"KeyMetadata": _key_metadata()})

    def floor_cycle() -> None:
        client = boto3.client("kms")
        client.meta.events.register("before-send.kms.DescribeKey", handler)

    def cycle(name: str) -> Callable[[], None]:
        def run_once() -> None:
            with _activation(name):
                boto3.client("kms")

        return run_once

    @contextmanager
    def wrap(call: Callable[[], None]) -> Iterator[Run]:
        yield _repeat(call)

    return {
        FLOOR: lambda: wrap(floor_cycle),
        KMSMOCK: lambda: wrap(cycle(KMSMOCK)),
        MOTO: lambda: wrap(cycle(MOTO)),
    }


def _create_describe(client: KMSClient) -> None:
    client.describe_key(KeyId=_new_key(client))


def _create_encrypt_decrypt(client: KMSClient) -> None:
    key_id = _new_key(client)
    blob = client.encrypt(KeyId=key_id, Plaintext=PLAINTEXT)["CiphertextBlob"]
    client.decrypt(CiphertextBlob=blob)


def decorated_tests_case(
    responses: dict[str, Any], test_body: Callable[[KMSClient], None]
) -> dict[str, Contestant]:
    """A suite of decorated tests, each making a client and running ``test_body`` on it; the
    floor's tests make a client answered by ``responses``."""

    def body() -> None:
        test_body(boto3.client("kms"))

    def floor_body() -> None:
        test_body(floor_client(responses))

    def suite(
        decorate: Callable[[Callable[[], None]], Callable[[], None]],
        run_body: Callable[[], None] = body,
    ) -> list[Callable[[], None]]:
        # Distinct functions, as a test module has them; decorated once, at "import".
        def make(index: int) -> Callable[[], None]:
            def test() -> None:
                run_body()

            test.__name__ = f"test_{index}"
            return decorate(test)

        return [make(i) for i in range(DECORATED_TESTS)]

    def moto_decorator(function: Callable[[], None]) -> Callable[[], None]:
        from moto import mock_aws

        return cast(Callable[[], None], mock_aws(function))

    def contestant(make_tests: Callable[[], list[Callable[[], None]]]) -> Contestant:
        tests: list[Callable[[], None]] = []

        @contextmanager
        def start() -> Iterator[Run]:
            if not tests:
                check_canned(boto3.client("kms"), responses)
                tests.extend(make_tests())
                tests[0]()  # fails early, before any sample, if a test cannot run

            def run(n: int) -> None:
                for test in tests[:n]:
                    test()

            yield run

        return start

    return {
        FLOOR: contestant(lambda: suite(lambda test: test, floor_body)),
        KMSMOCK: contestant(lambda: suite(mock_kms)),
        MOTO: _optional(contestant(lambda: suite(moto_decorator))),
    }


@dataclass
class Settings:
    repeats: int  # samples of each contestant per case
    target: float  # seconds one sample of a calibrated case should last
    max_n: int  # most operations in one sample
    rival_budget: float  # seconds of samples a slow contestant may take per case
    suite_repeats: int  # samples of each contestant for the decorated suite
    suite_budget: float  # seconds moto's share of the decorated suite may take per sample
    every_key_spec: bool  # CreateKey for every spec, or only QUICK_KEY_SPECS
    moto_memory: bool  # also measure moto's memory per key


QUICK = Settings(
    repeats=31,
    target=0.005,
    max_n=50,
    rival_budget=3.0,
    suite_repeats=3,
    suite_budget=0.5,
    every_key_spec=False,
    moto_memory=False,
)
FULL = Settings(
    repeats=101,
    target=0.005,
    max_n=200,
    rival_budget=6.0,
    suite_repeats=5,
    suite_budget=2.0,
    every_key_spec=True,
    moto_memory=True,
)


@dataclass
class Case:
    name: str
    unit: str
    contestants: dict[str, Contestant]
    # The ratio to the floor kmsmock holds itself to, if any.
    target: float | None = None
    # kmsmock and moto cannot be active at once: each is measured in its own phase,
    # interleaved with fresh samples of the floor.
    exclusive: bool = True
    # Operations per sample when not calibrated (the decorated suite); moto runs as many
    # of them as fit in the suite budget.
    fixed_n: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)
    # Contestant -> the floor samples taken in turn with its own.
    floor_samples: dict[str, list[float]] = field(default_factory=dict)
    # Contestant -> why it has no samples (moto lacking an operation, or left out).
    unavailable: dict[str, str] = field(default_factory=dict)

    def best_us(self, name: str) -> float | None:
        found = self.samples.get(name)
        return min(found) * 1e6 if found else None

    def median_us(self, name: str) -> float | None:
        found = self.samples.get(name)
        return statistics.median(found) * 1e6 if found else None

    def floor_us(self) -> float | None:
        found = self.floor_samples.get(KMSMOCK) or self.samples.get(FLOOR)
        return statistics.median(found) * 1e6 if found else None

    def ratio(self, name: str) -> float | None:
        """The median over repeats of ``name``'s sample over the floor sample of that repeat."""
        ours, floor = self.samples.get(name), self.floor_samples.get(name)
        if not ours or not floor:
            return None
        return statistics.median(a / b for a, b in zip(ours, floor, strict=True))

    def meets_target(self) -> bool | None:
        ratio = self.ratio(KMSMOCK)
        if self.target is None or ratio is None:
            return None
        return ratio <= self.target


def cases(settings: Settings) -> list[Case]:
    random_body = {"Plaintext": base64.b64encode(bytes(range(RANDOM_BYTES))).decode()}
    describe_body = {"KeyMetadata": _key_metadata()}
    found = [
        Case(
            "DescribeKey",
            "call",
            per_call_case({"DescribeKey": describe_body}, _describe_key),
            target=1.2,
        ),
        Case(
            f"DescribeKey by alias ({ALIAS_KEYS:,} keys)",
            "call",
            per_call_case(
                {"DescribeKey": describe_body},
                _describe_key_by_alias,
                _describe_canned_alias,
                moto=False,
            ),
            target=1.2,
            unavailable={
                MOTO: f"not measured: creating {ALIAS_KEYS:,} keys takes moto many minutes"
            },
        ),
        Case(
            f"ListKeys ({LIST_KEYS_COUNT} keys)",
            "call",
            per_call_case({"ListKeys": _list_keys_body()}, _list_keys),
        ),
        Case(
            f"GenerateRandom ({RANDOM_BYTES} bytes)",
            "call",
            per_call_case({"GenerateRandom": random_body}, _generate_random),
            target=1.2,
        ),
        Case(
            f"Encrypt ({len(PLAINTEXT)} bytes)",
            "call",
            per_call_case({"Encrypt": _encrypt_body()}, _encrypt),
            target=1.2,
        ),
        Case(
            f"Decrypt ({len(PLAINTEXT)} bytes)",
            "call",
            per_call_case({"Decrypt": _decrypt_body()}, _decrypt),
            target=1.2,
        ),
        Case(
            "GenerateDataKey AES_256",
            "call",
            per_call_case({"GenerateDataKey": _generate_data_key_body()}, _generate_data_key),
            target=1.2,
        ),
        Case(
            "ReEncrypt",
            "call",
            per_call_case({"ReEncrypt": _re_encrypt_body()}, _re_encrypt),
            target=1.2,
        ),
        Case(
            "GenerateMac HMAC_256",
            "call",
            per_call_case({"GenerateMac": _generate_mac_body()}, _generate_mac),
            target=1.2,
        ),
        Case(
            "Sign+Verify ECC_NIST_P256",
            "pair",
            per_call_case({"Sign": _sign_body(), "Verify": _verify_body()}, _sign_verify),
            target=1.3,
        ),
    ]
    for spec, usage in CREATE_KEY_SPECS:
        if not settings.every_key_spec and spec not in QUICK_KEY_SPECS:
            continue
        region = CHINA_REGION if spec == "SM2" else REGION
        found.append(
            Case(
                f"CreateKey {spec}" + (f" ({region})" if region != REGION else ""),
                "call",
                per_call_case(
                    {"CreateKey": {"KeyMetadata": _key_metadata(spec, usage, region)}},
                    _create_key(spec, usage),
                    region=region,
                ),
                target=1.3,
            )
        )
    found.append(
        Case("enter + client + exit", "cycle", enter_exit_case(), target=1.3, exclusive=False)
    )
    found.append(
        Case(
            f"{DECORATED_TESTS} decorated tests (create, describe)",
            "test",
            decorated_tests_case(
                {"CreateKey": describe_body, "DescribeKey": describe_body}, _create_describe
            ),
            exclusive=False,
            fixed_n=DECORATED_TESTS,
        )
    )
    found.append(
        Case(
            f"{DECORATED_TESTS} decorated tests (create, encrypt, decrypt)",
            "test",
            decorated_tests_case(
                {
                    "CreateKey": describe_body,
                    "Encrypt": _encrypt_body(),
                    "Decrypt": _decrypt_body(),
                },
                _create_encrypt_decrypt,
            ),
            target=1.5,
            exclusive=False,
            fixed_n=DECORATED_TESTS,
        )
    )
    return found


# Measuring ------------------------------------------------------------------------------


def timed(run: Run, n: int) -> float:
    """Seconds for ``run(n)``, with the garbage collector held off as timeit does."""
    gc.disable()
    try:
        start = time.perf_counter()
        run(n)
        return time.perf_counter() - start
    finally:
        gc.enable()


def calibrate(run: Run, target: float, max_n: int) -> tuple[int, float]:
    """Operations per sample for a sample of about ``target`` seconds, and seconds per one."""
    n, elapsed = 1, timed(run, 1)
    while elapsed < target / 4 and n < max_n:
        n *= 4
        elapsed = timed(run, n)
    per_op = max(elapsed, 1e-9) / n
    return max(1, min(max_n, round(target / per_op))), per_op


def measure(case: Case, names: list[str], settings: Settings) -> None:
    present = [name for name in names if name in case.contestants]
    rivals = [name for name in present if name != FLOOR]
    phases = [[FLOOR, rival] for rival in rivals] if case.exclusive else [present]
    for phase in phases:
        with ExitStack() as stack:
            runs: dict[str, Run] = {}
            for name in phase:
                try:
                    runs[name] = stack.enter_context(case.contestants[name]())
                except Unavailable as error:
                    case.unavailable[name] = str(error)
            if case.exclusive and len(runs) < len(phase):
                continue  # the rival of this phase is n/a: no floor samples needed for it
            active = list(runs)
            gc.collect()
            per_op: dict[str, float] = {}
            for name, run in runs.items():
                timed(run, 1)  # warmup: first-call imports and caches
                if case.fixed_n is None:
                    count, per_op[name] = calibrate(run, settings.target, settings.max_n)
                else:
                    per_op[name] = timed(run, 2) / 2
                    count = case.fixed_n
                    if name == MOTO:
                        # moto runs part of the suite; kmsmock and the floor run all of it.
                        count = int(settings.suite_budget / per_op[name])
                        count = max(1, min(case.fixed_n, count))
                case.counts.setdefault(name, count)
            seconds = sum(per_op[name] * case.counts[name] for name in active)
            if case.fixed_n is None:
                repeats = max(3, min(settings.repeats, int(settings.rival_budget / seconds)))
            else:
                repeats = settings.suite_repeats
            for repeat in range(repeats):
                # Rotate the order so no contestant always runs first or last.
                shift = repeat % len(active)
                for name in active[shift:] + active[:shift]:
                    count = case.counts[name]
                    sample = timed(runs[name], count) / count
                    case.samples.setdefault(name, []).append(sample)
                    if name == FLOOR:
                        for rival in active[1:]:
                            case.floor_samples.setdefault(rival, []).append(sample)


def memory_per_key(name: str, keys: int, warmup: int) -> float:
    """Bytes the Python heap keeps per symmetric key, for ``keys`` keys created in one mock
    after ``warmup`` keys (tracemalloc: memory allocated outside Python's allocators, as
    OpenSSL's for a private key, is not seen). kmsmock's call journal, which holds every
    request rather than every key, is emptied before the count; ``JOURNAL`` gets its
    bytes per call."""
    with _activation(name) as mock:
        client = boto3.client("kms")
        for _ in range(warmup):
            client.create_key()
        gc.collect()
        tracemalloc.start()
        try:
            for _ in range(keys):
                client.create_key()
            gc.collect()
            kept, _peak = tracemalloc.get_traced_memory()
            if name == KMSMOCK:
                mock.calls.clear()
                gc.collect()
                without_journal, _peak = tracemalloc.get_traced_memory()
                JOURNAL[KMSMOCK] = (kept - without_journal) / keys
                kept = without_journal
        finally:
            tracemalloc.stop()
    return kept / keys


# Bytes kmsmock's call journal (kms.calls) keeps per CreateKey call.
JOURNAL: dict[str, float] = {}


# Reporting ------------------------------------------------------------------------------


def _cell(value: float | None, fmt: str) -> str:
    return format(value, fmt) if value is not None else "-"


def _target_cell(case: Case) -> str:
    if case.target is None:
        return "-"
    met = case.meets_target()
    verdict = "" if met is None else " ok" if met else " OVER"
    return f"≤{case.target:.1f}{verdict}"


def table(found: list[Case], names: list[str]) -> str:
    width = max(len("case"), *(len(case.name) for case in found))
    header = (
        f"{'case':<{width}} {'unit':<5} {'floor µs':>9} {'kmsmock µs':>11} {'/floor':>7}"
        f" {'target':<9}"
    )
    if MOTO in names:
        header += f" {'moto µs':>10} {'/floor':>8} {'moto/kmsmock':>13}"
    header = header.rstrip()
    lines = [header, "-" * len(header)]
    for case in found:
        ours = case.median_us(KMSMOCK)
        line = (
            f"{case.name:<{width}} {case.unit:<5} {_cell(case.floor_us(), '9.1f')}"
            f" {_cell(ours, '11.1f')} {_cell(case.ratio(KMSMOCK), '7.2f')}"
            f" {_target_cell(case):<9}"
        )
        if MOTO in names:
            if MOTO in case.unavailable:
                line += f" {'n/a':>10} {'n/a':>8} {'n/a':>13}"
            else:
                theirs = case.median_us(MOTO)
                versus = theirs / ours if theirs is not None and ours else None
                line += (
                    f" {_cell(theirs, '10.1f')} {_cell(case.ratio(MOTO), '8.2f')}"
                    f" {_cell(versus, '13.2f')}"
                )
        lines.append(line.rstrip())
    for case in found:
        count = case.counts.get(MOTO)
        if case.fixed_n is not None and count is not None and count < case.fixed_n:
            lines.append(
                f"{case.name}: moto ran {count} of the {case.fixed_n} per sample, to fit"
                " the time budget; its µs per unit are measured on those."
            )
    if MOTO in names:
        for case in found:
            if MOTO in case.unavailable:
                lines.append(f"moto n/a, {case.name}: {case.unavailable[MOTO]}")
    return "\n".join(lines)


def memory_line(memory: dict[str, float]) -> str:
    parts = [f"{name} {round(value):,} B" for name, value in memory.items()]
    notes = [f"kmsmock over {MEMORY_KEYS:,} keys"]
    if MOTO in memory:
        notes.append(f"moto over {MOTO_MEMORY_KEYS} keys, Python heap only")
    journal = JOURNAL.get(KMSMOCK)
    if journal is not None:
        notes.append(f"kmsmock's call journal apart, {round(journal):,} B per CreateKey call")
    return (
        f"memory per symmetric key: {', '.join(parts)}"
        f" ({'; '.join(notes)}; kmsmock target: under {MEMORY_TARGET:,} B)"
    )


def report(
    found: list[Case], names: list[str], settings: Settings, memory: dict[str, float]
) -> dict[str, Any]:
    results = []
    for case in found:
        entry: dict[str, Any] = {
            "case": case.name,
            "unit": case.unit,
            "units_per_sample": dict(case.counts),
            "floor_us": case.floor_us(),
            "kmsmock_target_ratio": case.target,
            "kmsmock_meets_target": case.meets_target(),
        }
        for name in names:
            entry[f"{name}_samples_us"] = [s * 1e6 for s in case.samples.get(name, [])]
            if name != FLOOR:
                entry[f"{name}_us"] = case.median_us(name)
                entry[f"{name}_best_us"] = case.best_us(name)
                entry[f"{name}_ratio_to_floor"] = case.ratio(name)
                floor = case.floor_samples.get(name, [])
                entry[f"floor_samples_with_{name}_us"] = [s * 1e6 for s in floor]
                if name in case.unavailable:
                    entry[f"{name}_unavailable"] = case.unavailable[name]
        results.append(entry)
    return {
        "python": platform.python_version(),
        "botocore": botocore.__version__,
        "kmsmock": kmsmock.__version__,
        "moto": _moto_version() if MOTO in names else None,
        "settings": vars(settings),
        "statistic": "median of interleaved samples, µs per unit (best alongside); ratios "
        "are medians of per-repeat ratios to the floor sample taken in turn",
        "results": results,
        "memory_per_symmetric_key": {
            "statistic": "bytes tracemalloc sees kept per key created after a warmup",
            "target_bytes": MEMORY_TARGET,
            "kmsmock_keys": MEMORY_KEYS,
            "kmsmock_warmup": MEMORY_WARMUP,
            "kmsmock_bytes": memory.get(KMSMOCK),
            "moto_keys": MOTO_MEMORY_KEYS if MOTO in memory else None,
            "moto_warmup": MOTO_MEMORY_WARMUP if MOTO in memory else None,
            "moto_bytes": memory.get(MOTO),
        },
    }


def _moto_version() -> str | None:
    try:
        import moto
    except ImportError:
        return None
    version: str = moto.__version__
    return version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples")
    parser.add_argument("--no-moto", action="store_true", help="leave moto out even if installed")
    parser.add_argument(
        "--json", metavar="PATH", help="also write the results as JSON to PATH ('-': stdout)"
    )
    args = parser.parse_args(argv)

    settings = QUICK if args.quick else FULL
    # Floor and kmsmock use a default session made before moto is imported, so moto's
    # before-send hook (added to every session created after its import) stays out of them.
    boto3.setup_default_session()
    names = [FLOOR, KMSMOCK]
    if not args.no_moto and _moto_version() is not None:
        names.append(MOTO)

    print(
        f"kmsmock {kmsmock.__version__}, botocore {botocore.__version__}, "
        f"Python {platform.python_version()}"
        + (f", moto {_moto_version()}" if MOTO in names else " (moto: not measured)"),
        flush=True,
    )
    found = cases(settings)
    started = time.perf_counter()
    for case in found:
        print(f"  {case.name} ...", end="", flush=True)
        case_start = time.perf_counter()
        measure(case, names, settings)
        print(f" {time.perf_counter() - case_start:.1f}s", flush=True)
    print("  memory per symmetric key ...", end="", flush=True)
    case_start = time.perf_counter()
    memory = {KMSMOCK: memory_per_key(KMSMOCK, MEMORY_KEYS, MEMORY_WARMUP)}
    if MOTO in names and settings.moto_memory:
        memory[MOTO] = memory_per_key(MOTO, MOTO_MEMORY_KEYS, MOTO_MEMORY_WARMUP)
    print(f" {time.perf_counter() - case_start:.1f}s", flush=True)
    print(
        "\nMedian µs per unit over interleaved samples; /floor is the median ratio of each"
        " sample to the floor sample taken in turn with it"
        f" (took {time.perf_counter() - started:.0f}s)\n"
    )
    print(table(found, names))
    print()
    print(memory_line(memory))
    missed = [case for case in found if case.meets_target() is False]
    for case in missed:
        print(f"kmsmock over its target: {case.name} {case.ratio(KMSMOCK):.2f} > {case.target}")
    if memory[KMSMOCK] >= MEMORY_TARGET:
        print(f"kmsmock over its target: memory per symmetric key {memory[KMSMOCK]:,.0f} B")

    if args.json:
        data = json.dumps(report(found, names, settings, memory), indent=2)
        if args.json == "-":
            print(data)
        else:
            with open(args.json, "w", encoding="utf-8") as out:
                out.write(data + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
