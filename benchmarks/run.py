"""How close kmsmock comes to the floor: botocore's own cost of a KMS call.

Three contestants make the same boto3 calls:

floor    the same boto3 client with a ``before-send.kms.<Op>`` handler returning a canned,
         valid ``AWSResponse``: only botocore's serialising, signing and parsing remain,
         the cost no in-process mock can go under.
kmsmock  ``mock_kms()``.
moto     moto's ``mock_aws()``, when moto is installed.

Samples of the contestants are interleaved (so drift in machine speed hits all of them
alike) and each result is the median of the samples; each mock's ratio is taken against
the floor samples interleaved with its own. Run ``python benchmarks/run.py`` (a minute or
two), ``--quick`` for a rough look, ``--json PATH`` to keep the numbers. See
benchmarks/README.md.
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
from collections.abc import Callable, Iterator
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
from botocore.validate import validate_parameters  # noqa: E402

import kmsmock  # noqa: E402
from kmsmock import mock_kms  # noqa: E402

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_kms.literals import KeySpecType, KeyUsageTypeType

Run = Callable[[int], None]  # performs n operations
Contestant = Callable[[], AbstractContextManager[Run]]

FLOOR, KMSMOCK, MOTO = "floor", "kmsmock", "moto"
ACCOUNT = "123456789012"
REGION = "us-east-1"
LIST_KEYS_COUNT = 10
RANDOM_BYTES = 32
DECORATED_TESTS = 200

# (KeySpec, KeyUsage) pairs CreateKey is measured with.
CREATE_KEY_SPECS: list[tuple[KeySpecType, KeyUsageTypeType]] = [
    ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
    ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ("RSA_4096", "SIGN_VERIFY"),
    ("ECC_NIST_P256", "SIGN_VERIFY"),
]

# The algorithm list KeyMetadata carries for each measured (spec, usage), as KMS reports it.
_ALGORITHMS: dict[tuple[str, str], tuple[str, list[str]]] = {
    ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"): ("EncryptionAlgorithms", ["SYMMETRIC_DEFAULT"]),
    ("HMAC_256", "GENERATE_VERIFY_MAC"): ("MacAlgorithms", ["HMAC_SHA_256"]),
    ("RSA_4096", "SIGN_VERIFY"): (
        "SigningAlgorithms",
        [
            "RSASSA_PKCS1_V1_5_SHA_256",
            "RSASSA_PKCS1_V1_5_SHA_384",
            "RSASSA_PKCS1_V1_5_SHA_512",
            "RSASSA_PSS_SHA_256",
            "RSASSA_PSS_SHA_384",
            "RSASSA_PSS_SHA_512",
        ],
    ),
    ("ECC_NIST_P256", "SIGN_VERIFY"): ("SigningAlgorithms", ["ECDSA_SHA_256"]),
}


# Canned responses for the floor ------------------------------------------------------
# Bodies follow the examples of the KMS API reference (DescribeKey, CreateKey, ListKeys,
# GenerateRandom), with this run's account and region, and are checked against the
# model's output shapes before anything is measured.

_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


def _key_metadata(spec: str = "SYMMETRIC_DEFAULT", usage: str = "ENCRYPT_DECRYPT") -> Any:
    algorithms_field, algorithms = _ALGORITHMS[(spec, usage)]
    metadata: dict[str, Any] = {
        "AWSAccountId": ACCOUNT,
        "KeyId": _KEY_ID,
        "Arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{_KEY_ID}",
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
    if spec == "SYMMETRIC_DEFAULT":
        metadata["CurrentKeyMaterialId"] = "a" * 64
    return metadata


def _list_keys_body() -> Any:
    ids = [f"{i:08x}-12ab-34cd-56ef-1234567890ab" for i in range(LIST_KEYS_COUNT)]
    keys = [{"KeyId": k, "KeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{k}"} for k in ids]
    return {"Keys": keys, "Truncated": False}


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


def floor_client(responses: dict[str, Any]) -> KMSClient:
    """A real boto3 KMS client whose listed operations are answered by canned responses."""
    client = boto3.client("kms")
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


# Contestants for each case ------------------------------------------------------------


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
    operation: str, body: Any, make_call: Callable[[KMSClient], Callable[[], object]]
) -> dict[str, Contestant]:
    """Contestants repeating one call on a client set up by ``make_call``."""

    @contextmanager
    def floor() -> Iterator[Run]:
        # CreateKey answers the setup of DescribeKey and ListKeys, unless it is measured.
        client = floor_client({"CreateKey": {"KeyMetadata": _key_metadata()}, operation: body})
        call = make_call(client)
        check_output(client, operation, call())
        yield _repeat(call)

    def mocked(name: str) -> Contestant:
        @contextmanager
        def contestant() -> Iterator[Run]:
            with _activation(name):
                client = boto3.client("kms")
                call = make_call(client)
                response = call()
                if name == KMSMOCK:
                    check_output(client, operation, response)
                yield _repeat(call)

        return contestant

    return {FLOOR: floor, KMSMOCK: mocked(KMSMOCK), MOTO: mocked(MOTO)}


def _describe_key(client: KMSClient) -> Callable[[], object]:
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    return lambda: client.describe_key(KeyId=key_id)


def _list_keys(client: KMSClient) -> Callable[[], object]:
    for _ in range(LIST_KEYS_COUNT):
        client.create_key()
    return lambda: client.list_keys()


def _generate_random(client: KMSClient) -> Callable[[], object]:
    return lambda: client.generate_random(NumberOfBytes=RANDOM_BYTES)


def _create_key(
    spec: KeySpecType, usage: KeyUsageTypeType
) -> Callable[[KMSClient], Callable[[], object]]:
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


def decorated_tests_case() -> dict[str, Contestant]:
    """A suite of decorated tests, each making a client, creating a key and describing it."""
    responses = {
        "CreateKey": {"KeyMetadata": _key_metadata()},
        "DescribeKey": {"KeyMetadata": _key_metadata()},
    }

    def body() -> None:
        client = boto3.client("kms")
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        client.describe_key(KeyId=key_id)

    def floor_body() -> None:
        client = floor_client(responses)
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        client.describe_key(KeyId=key_id)

    def suite(
        decorate: Callable[[Callable[[], None]], Callable[[], None]],
        test_body: Callable[[], None] = body,
    ) -> list[Callable[[], None]]:
        # Distinct functions, as a test module has them; decorated once, at "import".
        def make(index: int) -> Callable[[], None]:
            def test() -> None:
                test_body()

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
                tests.extend(make_tests())

            def run(n: int) -> None:
                for test in tests[:n]:
                    test()

            yield run

        return start

    return {
        FLOOR: contestant(lambda: suite(lambda test: test, floor_body)),
        KMSMOCK: contestant(lambda: suite(mock_kms)),
        MOTO: contestant(lambda: suite(moto_decorator)),
    }


@dataclass
class Settings:
    repeats: int  # samples of each contestant per case
    target: float  # seconds one sample of a calibrated case should last
    max_n: int  # most operations in one sample
    rival_budget: float  # seconds of samples a slow contestant may take per case
    suite_repeats: int  # samples of each contestant for the decorated suite
    suite_budget: float  # seconds moto's share of the decorated suite may take per sample


QUICK = Settings(
    repeats=7, target=0.015, max_n=50, rival_budget=3.0, suite_repeats=3, suite_budget=1.0
)
FULL = Settings(
    repeats=21, target=0.04, max_n=200, rival_budget=6.0, suite_repeats=5, suite_budget=2.0
)


@dataclass
class Case:
    name: str
    unit: str
    contestants: dict[str, Contestant]
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

    def median_us(self, name: str) -> float | None:
        found = self.samples.get(name)
        return statistics.median(found) * 1e6 if found else None

    def floor_us(self) -> float | None:
        found = self.floor_samples.get(KMSMOCK) or self.samples.get(FLOOR)
        return statistics.median(found) * 1e6 if found else None

    def ratio(self, name: str) -> float | None:
        """Median of ``name`` over the median of the floor samples interleaved with it."""
        ours, floor = self.samples.get(name), self.floor_samples.get(name)
        if not ours or not floor:
            return None
        return statistics.median(ours) / statistics.median(floor)


def cases() -> list[Case]:
    random_body = {"Plaintext": base64.b64encode(bytes(range(RANDOM_BYTES))).decode()}
    found = [
        Case(
            "DescribeKey",
            "call",
            per_call_case("DescribeKey", {"KeyMetadata": _key_metadata()}, _describe_key),
        ),
        Case(
            f"ListKeys ({LIST_KEYS_COUNT} keys)",
            "call",
            per_call_case("ListKeys", _list_keys_body(), _list_keys),
        ),
        Case(
            f"GenerateRandom ({RANDOM_BYTES} bytes)",
            "call",
            per_call_case("GenerateRandom", random_body, _generate_random),
        ),
    ]
    for spec, usage in CREATE_KEY_SPECS:
        found.append(
            Case(
                f"CreateKey {spec}",
                "call",
                per_call_case(
                    "CreateKey",
                    {"KeyMetadata": _key_metadata(spec, usage)},
                    _create_key(spec, usage),
                ),
            )
        )
    found.append(Case("enter + client + exit", "cycle", enter_exit_case(), exclusive=False))
    found.append(
        Case(
            f"{DECORATED_TESTS} decorated tests",
            "test",
            decorated_tests_case(),
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
    rivals = [name for name in names if name != FLOOR]
    phases = [[FLOOR, rival] for rival in rivals] if case.exclusive else [names]
    for phase in phases:
        with ExitStack() as stack:
            runs = {name: stack.enter_context(case.contestants[name]()) for name in phase}
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
            seconds = sum(per_op[name] * case.counts[name] for name in phase)
            if case.fixed_n is None:
                repeats = max(3, min(settings.repeats, int(settings.rival_budget / seconds)))
            else:
                repeats = settings.suite_repeats
            for repeat in range(repeats):
                # Rotate the order so no contestant always runs first or last.
                shift = repeat % len(phase)
                for name in phase[shift:] + phase[:shift]:
                    count = case.counts[name]
                    sample = timed(runs[name], count) / count
                    case.samples.setdefault(name, []).append(sample)
                    if name == FLOOR:
                        for rival in phase[1:]:
                            case.floor_samples.setdefault(rival, []).append(sample)


# Reporting ------------------------------------------------------------------------------


def _cell(value: float | None, fmt: str) -> str:
    return format(value, fmt) if value is not None else "-"


def table(found: list[Case], names: list[str]) -> str:
    header = f"{'case':<30} {'unit':<6} {'floor µs':>9} {'kmsmock µs':>11} {'/floor':>7}"
    if MOTO in names:
        header += f" {'moto µs':>10} {'/floor':>8} {'moto/kmsmock':>13}"
    lines = [header, "-" * len(header)]
    for case in found:
        ours = case.median_us(KMSMOCK)
        line = (
            f"{case.name:<30} {case.unit:<6} {_cell(case.floor_us(), '9.1f')}"
            f" {_cell(ours, '11.1f')} {_cell(case.ratio(KMSMOCK), '7.2f')}"
        )
        if MOTO in names:
            theirs = case.median_us(MOTO)
            versus = theirs / ours if theirs is not None and ours else None
            line += (
                f" {_cell(theirs, '10.1f')} {_cell(case.ratio(MOTO), '8.2f')}"
                f" {_cell(versus, '13.2f')}"
            )
        lines.append(line)
    for case in found:
        count = case.counts.get(MOTO)
        if case.fixed_n is not None and count is not None and count < case.fixed_n:
            lines.append(
                f"{case.name}: moto ran {count} of the {case.fixed_n} per sample, to fit"
                " the time budget; its µs per unit are measured on those."
            )
    return "\n".join(lines)


def report(found: list[Case], names: list[str], settings: Settings) -> dict[str, Any]:
    results = []
    for case in found:
        entry: dict[str, Any] = {
            "case": case.name,
            "unit": case.unit,
            "units_per_sample": dict(case.counts),
            "floor_us": case.floor_us(),
        }
        for name in names:
            entry[f"{name}_samples_us"] = [s * 1e6 for s in case.samples.get(name, [])]
            if name != FLOOR:
                entry[f"{name}_us"] = case.median_us(name)
                entry[f"{name}_ratio_to_floor"] = case.ratio(name)
                floor = case.floor_samples.get(name, [])
                entry[f"floor_samples_with_{name}_us"] = [s * 1e6 for s in floor]
        results.append(entry)
    return {
        "python": platform.python_version(),
        "botocore": botocore.__version__,
        "kmsmock": kmsmock.__version__,
        "moto": _moto_version() if MOTO in names else None,
        "settings": vars(settings),
        "statistic": "median of interleaved samples, µs per unit; ratios against the floor "
        "samples interleaved with each contestant",
        "results": results,
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
    found = cases()
    started = time.perf_counter()
    for case in found:
        print(f"  {case.name} ...", end="", flush=True)
        case_start = time.perf_counter()
        measure(case, names, settings)
        print(f" {time.perf_counter() - case_start:.1f}s", flush=True)
    print(
        "\nMedian µs per unit over interleaved samples; /floor divides by the floor samples"
        f" taken in turn with them (took {time.perf_counter() - started:.0f}s)\n"
    )
    print(table(found, names))

    if args.json:
        data = json.dumps(report(found, names, settings), indent=2)
        if args.json == "-":
            print(data)
        else:
            with open(args.json, "w", encoding="utf-8") as out:
                out.write(data + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
