"""The cases: what each contestant does, per call, around activation, and as a decorated
test suite."""

from __future__ import annotations

import base64
import statistics
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.exceptions import ClientError
from common import (
    ALIAS_KEYS,
    ALIAS_NAME,
    CHINA_REGION,
    CREATE_KEY_SPECS,
    DECORATED_TESTS,
    ENCRYPTION_CONTEXT,
    FLOOR,
    KMSMOCK,
    LIST_KEYS_COUNT,
    MOTO,
    PLAINTEXT,
    QUICK_KEY_SPECS,
    RANDOM_BYTES,
    REGION,
    Contestant,
    MakeCall,
    Run,
)
from floor import (
    Canned,
    check_canned,
    checked,
    decrypt_body,
    encrypt_body,
    floor_client,
    generate_data_key_body,
    generate_mac_body,
    key_metadata,
    list_keys_body,
    re_encrypt_body,
    setup_bodies,
    sign_body,
    verify_body,
)

from kmsmock import mock_kms

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_kms.literals import KeySpecType, KeyUsageTypeType


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


def activation(name: str) -> AbstractContextManager[Any]:
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
        canned = {**setup_bodies(), **responses}
        client = floor_client(canned, region)
        check_canned(client, canned)
        call = (make_floor_call or make_call)(client)
        checked(client, call, responses)
        yield _repeat(call)

    def mocked(name: str) -> Contestant:
        @contextmanager
        def contestant() -> Iterator[Run]:
            with activation(name):
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
    handler: Any = Canned({"KeyMetadata": key_metadata()})

    def floor_cycle() -> None:
        client = boto3.client("kms")
        client.meta.events.register("before-send.kms.DescribeKey", handler)

    def cycle(name: str) -> Callable[[], None]:
        def run_once() -> None:
            with activation(name):
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
    describe_body = {"KeyMetadata": key_metadata()}
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
            per_call_case({"ListKeys": list_keys_body()}, _list_keys),
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
            per_call_case({"Encrypt": encrypt_body()}, _encrypt),
            target=1.2,
        ),
        Case(
            f"Decrypt ({len(PLAINTEXT)} bytes)",
            "call",
            per_call_case({"Decrypt": decrypt_body()}, _decrypt),
            target=1.2,
        ),
        Case(
            "GenerateDataKey AES_256",
            "call",
            per_call_case({"GenerateDataKey": generate_data_key_body()}, _generate_data_key),
            target=1.2,
        ),
        Case(
            "ReEncrypt",
            "call",
            per_call_case({"ReEncrypt": re_encrypt_body()}, _re_encrypt),
            target=1.2,
        ),
        Case(
            "GenerateMac HMAC_256",
            "call",
            per_call_case({"GenerateMac": generate_mac_body()}, _generate_mac),
            target=1.2,
        ),
        Case(
            "Sign+Verify ECC_NIST_P256",
            "pair",
            per_call_case({"Sign": sign_body(), "Verify": verify_body()}, _sign_verify),
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
                    {"CreateKey": {"KeyMetadata": key_metadata(spec, usage, region)}},
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
                    "Encrypt": encrypt_body(),
                    "Decrypt": decrypt_body(),
                },
                _create_encrypt_decrypt,
            ),
            target=1.5,
            exclusive=False,
            fixed_n=DECORATED_TESTS,
        )
    )
    return found
