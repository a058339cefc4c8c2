"""Hostile input: what once raised a Python exception from inside the mock, or broke it for
good, now gets AWS's error (or a clear library error) and leaves the state as it was.

The request cases (deep nesting, conditions without values, undeclared error codes) are
what the model-driven fuzzer in tests/fuzz/ found, kept here as explicit examples; the
handle's cases (seed_key, clock, identities) and the fault count under threads are not
requests, so the fuzzer cannot reach them.
"""

from __future__ import annotations

import json
import math
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

from kmsmock import KmsMock
from tests._support import ACCOUNT, REGION, refused, service_model

OTHER_REGION = "us-west-2"
MRK_ID = "mrk-1234abcd12ab34cd56ef1234567890ab"
DEEP = 5000  # past the interpreter's default recursion limit of 1000

# A malformed key ARN: an ARN with neither key/ nor alias/.
BAD_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:nothing"


def statement_policy(**extra: Any) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
        **extra,
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture
def unchecked(kms_mock: KmsMock) -> Any:
    return boto3.client("kms", region_name=REGION, config=Config(parameter_validation=False))


# 1. Deeply nested policies ------------------------------------------------------------

NESTED_POLICIES = {
    "list": "[" * DEEP + "]" * DEEP,
    "object": '{"a":' * DEEP + "1" + "}" * DEEP,
    "statement": '{"Statement": ' + "[" * DEEP + "]" * DEEP + "}",
}


@pytest.mark.parametrize("shape", list(NESTED_POLICIES))
def test_create_key_deeply_nested_policy_raises_malformed_policy_document(
    client: Any, kms_mock: KmsMock, shape: str
) -> None:
    assert refused(lambda: client.create_key(Policy=NESTED_POLICIES[shape])) == (
        "MalformedPolicyDocumentException",
        "The policy document is not valid JSON.",
    )
    assert kms_mock.keys() == []


@pytest.mark.parametrize("shape", list(NESTED_POLICIES))
def test_put_key_policy_deeply_nested_policy_raises_malformed_policy_document(
    client: Any, kms_mock: KmsMock, shape: str
) -> None:
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    before = kms_mock.keys()
    assert refused(
        lambda: client.put_key_policy(
            KeyId=key_id, PolicyName="default", Policy=NESTED_POLICIES[shape]
        )
    ) == ("MalformedPolicyDocumentException", "The policy document is not valid JSON.")
    assert kms_mock.keys() == before


def test_replicate_key_deeply_nested_policy_raises_malformed_policy_document(
    client: Any, kms_mock: KmsMock
) -> None:
    key_id = client.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    assert refused(
        lambda: client.replicate_key(
            KeyId=key_id, ReplicaRegion=OTHER_REGION, Policy=NESTED_POLICIES["list"]
        )
    ) == ("MalformedPolicyDocumentException", "The policy document is not valid JSON.")
    assert kms_mock.keys(region=OTHER_REGION) == []


# 2. A Null condition without values under enforce_policies ----------------------------

EMPTY_CONDITIONS = {
    "null-empty-list": {"Null": {"kms:EncryptionContextKeys": []}},
    "string-empty-list": {"StringEquals": {"kms:CallerAccount": []}},
    "empty-block": {"StringEquals": {}},
    "object-value": {"StringEquals": {"kms:CallerAccount": {"a": "b"}}},
    "not-an-object": ["Null"],
}


@pytest.mark.kms_mock(enforce_policies=True)
@pytest.mark.parametrize("name", list(EMPTY_CONDITIONS))
def test_put_key_policy_condition_without_values_raises_malformed_policy_document(
    client: Any, kms_mock: KmsMock, name: str
) -> None:
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    policy = statement_policy(Condition=EMPTY_CONDITIONS[name])
    assert refused(
        lambda: client.put_key_policy(KeyId=key_id, PolicyName="default", Policy=policy)
    ) == (
        "MalformedPolicyDocumentException",
        "Policy contains a statement with an invalid Condition.",
    )
    # The key is as usable as before.
    assert client.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    blob = client.encrypt(KeyId=key_id, Plaintext=b"still usable")["CiphertextBlob"]
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"still usable"


@pytest.mark.kms_mock(enforce_policies=True)
def test_create_key_null_condition_without_values_raises_malformed_policy_document(
    client: Any, kms_mock: KmsMock
) -> None:
    policy = statement_policy(Condition=EMPTY_CONDITIONS["null-empty-list"])
    assert refused(lambda: client.create_key(Policy=policy)) == (
        "MalformedPolicyDocumentException",
        "Policy contains a statement with an invalid Condition.",
    )
    assert kms_mock.keys() == []


@pytest.mark.kms_mock(enforce_policies=True)
@pytest.mark.parametrize(
    ("value", "context", "allowed"),
    [
        ("true", {}, True),  # no encryption context: the key is null
        ("true", {"k": "v"}, False),
        ("false", {"k": "v"}, True),
        ("false", {}, False),
        ("maybe", {}, False),  # neither true nor false: never matches
    ],
)
def test_encrypt_null_condition_on_encryption_context_keys_decides_access(
    client: Any, kms_mock: KmsMock, value: str, context: dict[str, str], allowed: bool
) -> None:
    # The admin statement keeps the key manageable; the second one alone allows Encrypt.
    admin = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": ["kms:PutKeyPolicy", "kms:DescribeKey"],
        "Resource": "*",
    }
    conditional = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:Encrypt",
        "Resource": "*",
        "Condition": {"Null": {"kms:EncryptionContextKeys": value}},
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [admin, conditional]})
    key_id = client.create_key(Policy=policy)["KeyMetadata"]["KeyId"]

    def call() -> Any:
        return client.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext=context)

    if allowed:
        assert call()["KeyId"].endswith(key_id)
    else:
        code, _ = refused(call)
        assert code == "AccessDeniedException"


# 3. A request body nested past the recursion limit -------------------------------------


def test_describe_key_body_nested_past_recursion_limit_raises_serialization_exception(
    client: Any,
) -> None:
    depth = sys.getrecursionlimit() * 2

    def nest(request: Any, **_: Any) -> None:
        request.body = b'{"KeyId":' + b"[" * depth + b"]" * depth + b"}"

    client.meta.events.register("before-send.kms.DescribeKey", nest)
    assert refused(lambda: client.describe_key(KeyId="alias/anything")) == (
        "SerializationException",
        "Start of structure or map found where not expected.",
    )


def test_calls_journal_reads_body_nested_past_recursion_limit(
    client: Any, kms_mock: KmsMock
) -> None:
    def nest(request: Any, **_: Any) -> None:
        request.body = b"[" * DEEP + b"]" * DEEP

    client.meta.events.register("before-send.kms.ListKeys", nest)
    assert refused(client.list_keys)[0] == "SerializationException"
    assert kms_mock.calls[-1].params == {}


# 4. seed_key and multi-Region key IDs ----------------------------------------------------


def test_seed_key_same_multi_region_id_in_two_regions_raises_value_error(
    kms_mock: KmsMock,
) -> None:
    kms_mock.seed_key(MRK_ID, bytes(32))
    message = (
        f"the multi-Region key {MRK_ID} already exists in {ACCOUNT}/{REGION}; "
        "seed it once and call ReplicateKey for its replicas"
    )
    with pytest.raises(ValueError, match="already exists") as info:
        kms_mock.seed_key(MRK_ID, bytes(32), region=OTHER_REGION)
    assert str(info.value) == message
    assert kms_mock.keys(region=OTHER_REGION) == []


def test_seed_key_multi_region_then_replicate_and_update_primary_region_succeeds(
    kms_mock: KmsMock, client: Any
) -> None:
    kms_mock.seed_key(MRK_ID, bytes(32))
    client.replicate_key(KeyId=MRK_ID, ReplicaRegion=OTHER_REGION)
    client.update_primary_region(KeyId=MRK_ID, PrimaryRegion=OTHER_REGION)
    west = boto3.client("kms", region_name=OTHER_REGION)
    config = west.describe_key(KeyId=MRK_ID)["KeyMetadata"]["MultiRegionConfiguration"]
    assert config["MultiRegionKeyType"] == "PRIMARY"


def test_seed_key_same_multi_region_id_in_another_account_succeeds(kms_mock: KmsMock) -> None:
    kms_mock.seed_key(MRK_ID, bytes(32))
    seeded = kms_mock.seed_key(MRK_ID, bytes(32), account_id="111122223333")
    assert seeded.arn == f"arn:aws:kms:{REGION}:111122223333:key/{MRK_ID}"


@pytest.mark.parametrize(
    ("kwargs", "kind", "message"),
    [
        ({"key_id": 7}, TypeError, "key_id must be a string, got 7"),
        ({"material": "0" * 32}, TypeError, "material must be bytes, got str"),
        ({"account_id": "12"}, ValueError, "account_id must be a string of 12 digits, got '12'"),
        (
            {"region": "mars"},
            ValueError,
            "region must be an AWS Region name such as us-east-1, got 'mars'",
        ),
        (
            {"description": "d" * 8193},
            ValueError,
            "description must be a string of at most 8192 characters",
        ),
        (
            {"tags": {"team": 1}},
            TypeError,
            "tags must map strings to strings, got 'team': 1",
        ),
    ],
)
def test_seed_key_argument_of_wrong_kind_raises_clear_error(
    kms_mock: KmsMock, kwargs: dict[str, Any], kind: type[Exception], message: str
) -> None:
    arguments: dict[str, Any] = {"key_id": "1234abcd-12ab-34cd-56ef-1234567890ab"}
    arguments["material"] = bytes(32)
    arguments.update(kwargs)
    with pytest.raises(kind) as info:
        kms_mock.seed_key(**arguments)
    assert str(info.value) == message
    assert kms_mock.keys() == []


# 5. clock.advance ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "kind", "message"),
    [
        (math.nan, ValueError, "days must be a finite number, got nan"),
        (math.inf, ValueError, "days must be a finite number, got inf"),
        (
            1e300,
            ValueError,
            "the KMS clock moves at most 365250 days ahead of real time; it is 0 days "
            "ahead, asked for 1e+300 more",
        ),
        ("7", TypeError, "days must be a number, got '7'"),
        (True, TypeError, "days must be a number, got True"),
    ],
)
def test_clock_advance_unusable_amount_raises_clear_error(
    kms_mock: KmsMock, client: Any, amount: Any, kind: type[Exception], message: str
) -> None:
    with pytest.raises(kind) as info:
        kms_mock.clock.advance(days=amount)
    assert str(info.value) == message
    assert kms_mock.clock.offset == 0
    # The mock still answers with timestamps botocore can read.
    assert client.create_key()["KeyMetadata"]["CreationDate"].year >= 2024


def test_clock_advance_nan_hours_leaves_clock_usable(kms_mock: KmsMock) -> None:
    with pytest.raises(ValueError, match="hours must be a finite number"):
        kms_mock.clock.advance(hours=math.nan)
    assert kms_mock.clock.advance(days=1) == pytest.approx(kms_mock.clock.now(), abs=1)


def test_clock_advance_past_limit_in_steps_raises_value_error(kms_mock: KmsMock) -> None:
    kms_mock.clock.advance(days=365_000)
    with pytest.raises(ValueError, match="moves at most 365250 days ahead"):
        kms_mock.clock.advance(days=300)
    assert kms_mock.clock.offset == 365_000 * 86400


# identities.add ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "kind", "message"),
    [
        (("",), {"account_id": "111122223333"}, TypeError, "access_key_id must be a non-empty "),
        ((None,), {"account_id": "111122223333"}, TypeError, "access_key_id must be a non-empty "),
        (
            ("AKIA1",),
            {"account_id": 111122223333},
            ValueError,
            "account_id must be a string of 12 digits",
        ),
        (
            ("AKIA1",),
            {"account_id": "111122223333", "arn": "bob"},
            ValueError,
            "arn must be an IAM principal ARN",
        ),
        (
            ("AKIA1",),
            {"account_id": "111122223333", "arn": "arn:aws:iam::444455556666:role/app"},
            ValueError,
            "arn arn:aws:iam::444455556666:role/app is not in account 111122223333",
        ),
    ],
)
def test_identities_add_unusable_argument_raises_clear_error(
    kms_mock: KmsMock,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    kind: type[Exception],
    message: str,
) -> None:
    with pytest.raises(kind) as info:
        kms_mock.identities.add(*args, **kwargs)
    assert str(info.value).startswith(message)
    assert kms_mock.identities.resolve("AKIA1") == (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", None)


# 6. Error codes the model declares for each operation ------------------------------------


def _operations_without(code: str) -> list[str]:
    """Operations that take a KeyId the model does not let answer ``code``."""
    model = service_model()
    found = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        declared = {shape.name for shape in operation.error_shapes}
        members = operation.input_shape.members if operation.input_shape else {}
        takes_key = {"KeyId", "TargetKeyId", "DestinationKeyId"} & set(members)
        if takes_key and code not in declared:
            found.append(name)
    return found


WITHOUT_INVALID_ARN = _operations_without("InvalidArnException")


def test_operations_without_invalid_arn_are_the_ones_the_model_names() -> None:
    # Guards the table below: a botocore release that changes the list shows up here.
    assert set(WITHOUT_INVALID_ARN) >= {
        "CreateAlias",
        "Decrypt",
        "DeriveSharedSecret",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateMac",
        "ReEncrypt",
        "Sign",
        "UpdateAlias",
        "Verify",
        "VerifyMac",
    }


def _bad_arn_call(client: Any, operation: str, blob: bytes) -> Callable[[], Any]:
    """A call of ``operation`` valid in every way but its malformed key ARN."""
    calls: dict[str, Callable[[], Any]] = {
        "CreateAlias": lambda: client.create_alias(AliasName="alias/new", TargetKeyId=BAD_ARN),
        "Decapsulate": lambda: client.decapsulate(
            KeyId=BAD_ARN, SharedSecretCiphertextBlob=blob, EncapsulationAlgorithm="ML_KEM"
        ),
        "Decrypt": lambda: client.decrypt(KeyId=BAD_ARN, CiphertextBlob=blob),
        "DeriveSharedSecret": lambda: client.derive_shared_secret(
            KeyId=BAD_ARN, KeyAgreementAlgorithm="ECDH", PublicKey=blob
        ),
        "Encapsulate": lambda: client.encapsulate(KeyId=BAD_ARN, EncapsulationAlgorithm="ML_KEM"),
        "Encrypt": lambda: client.encrypt(KeyId=BAD_ARN, Plaintext=b"x"),
        "GenerateDataKey": lambda: client.generate_data_key(KeyId=BAD_ARN, KeySpec="AES_256"),
        "GenerateDataKeyPair": lambda: client.generate_data_key_pair(
            KeyId=BAD_ARN, KeyPairSpec="RSA_2048"
        ),
        "GenerateDataKeyPairWithoutPlaintext": (
            lambda: client.generate_data_key_pair_without_plaintext(
                KeyId=BAD_ARN, KeyPairSpec="RSA_2048"
            )
        ),
        "GenerateDataKeyWithoutPlaintext": lambda: client.generate_data_key_without_plaintext(
            KeyId=BAD_ARN, KeySpec="AES_256"
        ),
        "GenerateMac": lambda: client.generate_mac(
            KeyId=BAD_ARN, Message=b"m", MacAlgorithm="HMAC_SHA_256"
        ),
        "ReEncrypt": lambda: client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=BAD_ARN),
        "Sign": lambda: client.sign(KeyId=BAD_ARN, Message=b"m", SigningAlgorithm="ECDSA_SHA_256"),
        "UpdateAlias": lambda: client.update_alias(AliasName="alias/old", TargetKeyId=BAD_ARN),
        "Verify": lambda: client.verify(
            KeyId=BAD_ARN, Message=b"m", Signature=blob, SigningAlgorithm="ECDSA_SHA_256"
        ),
        "VerifyMac": lambda: client.verify_mac(
            KeyId=BAD_ARN, Message=b"m", Mac=blob, MacAlgorithm="HMAC_SHA_256"
        ),
    }
    return calls[operation]


@pytest.mark.parametrize("operation", WITHOUT_INVALID_ARN)
def test_malformed_key_arn_where_invalid_arn_undeclared_raises_not_found(
    client: Any, kms_mock: KmsMock, operation: str
) -> None:
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName="alias/old", TargetKeyId=key_id)
    blob = client.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    before = kms_mock.keys()
    assert refused(_bad_arn_call(client, operation, blob)) == (
        "NotFoundException",
        f"ARN {BAD_ARN} is not valid",
    )
    assert kms_mock.keys() == before


def test_disable_key_malformed_key_arn_raises_invalid_arn(client: Any) -> None:
    # DisableKey declares InvalidArnException, so it keeps answering it.
    assert refused(lambda: client.disable_key(KeyId=BAD_ARN)) == (
        "InvalidArnException",
        f"ARN {BAD_ARN} is not valid",
    )


def test_describe_key_malformed_grant_token_raises_validation_exception(
    client: Any,
) -> None:
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    assert refused(lambda: client.describe_key(KeyId=key_id, GrantTokens=["garbage"])) == (
        "ValidationException",
        "Grant token is not valid",
    )


def test_list_key_policies_foreign_marker_raises_validation_exception(
    client: Any,
) -> None:
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    assert refused(lambda: client.list_key_policies(KeyId=key_id, Marker="garbage")) == (
        "ValidationException",
        "Invalid marker: garbage",
    )


def test_list_keys_foreign_marker_raises_invalid_marker(client: Any) -> None:
    # ListKeys declares InvalidMarkerException, so it keeps answering it.
    assert refused(lambda: client.list_keys(Marker="garbage")) == (
        "InvalidMarkerException",
        "Invalid marker: garbage",
    )


# Every operation that takes a key identifier, grant tokens or a marker, each given one
# kmsmock cannot accept: the answer is the code the operation's model declares for it, or
# the one KMS gives where the model declares none. Each handler decides this where the
# error arises; nothing rewrites a code afterwards, so this is the safety net.
_KEY_MEMBERS = ("KeyId", "TargetKeyId", "DestinationKeyId")
# Codes any AWS JSON service may answer, whatever the operation's model lists.
_GENERIC = frozenset({"ValidationException", "SerializationException", "AccessDeniedException"})
# What is wrong -> (its declared code, the code where the model declares none, the text).
_HOSTILE = {
    "key ARN": ("InvalidArnException", "NotFoundException", f"ARN {BAD_ARN} is not valid"),
    "grant token": ("InvalidGrantTokenException", "ValidationException", ""),
    "marker": ("InvalidMarkerException", "ValidationException", "Invalid marker: garbage"),
}


def _hostile_cases() -> list[tuple[str, str, str]]:
    model = service_model()
    cases = []
    for operation in sorted(model.operation_names):
        shape = model.operation_model(operation).input_shape
        members = shape.members if shape is not None else {}
        cases += [(operation, member, "key ARN") for member in _KEY_MEMBERS if member in members]
        if "GrantTokens" in members:
            cases.append((operation, "GrantTokens", "grant token"))
        if "Marker" in members:
            cases.append((operation, "Marker", "marker"))
    return cases


def _minimal(shape: Any) -> Any:
    """A value of ``shape`` with only its required members, each the simplest it can be."""
    kind = shape.type_name
    if kind == "structure":
        return {name: _minimal(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return [_minimal(shape.member)]
    if kind == "string":
        return (shape.metadata.get("enum") or ["x"])[0]
    return {"blob": b"x", "integer": 1, "long": 1, "boolean": False, "map": {}}[kind]


@pytest.mark.parametrize(("operation", "member", "hostile"), _hostile_cases())
def test_any_operation_hostile_member_answers_declared_code(
    unchecked: Any, kms_mock: KmsMock, operation: str, member: str, hostile: str
) -> None:
    key_id = unchecked.create_key()["KeyMetadata"]["KeyId"]
    unchecked.create_alias(AliasName="alias/x", TargetKeyId=key_id)
    # What the other members need to get past their own checks to the hostile one.
    valid = {
        "AliasName": "alias/x",
        "CiphertextBlob": unchecked.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"],
        "NumberOfBytes": 32,
        "GranteePrincipal": f"arn:aws:iam::{ACCOUNT}:role/app",
        "RetiringPrincipal": f"arn:aws:iam::{ACCOUNT}:role/app",
        "ReplicaRegion": OTHER_REGION,
        "PrimaryRegion": OTHER_REGION,
        **dict.fromkeys(_KEY_MEMBERS, key_id),
    }
    shape = service_model().operation_model(operation).input_shape
    assert shape is not None
    params = _minimal(shape)
    params.update({name: value for name, value in valid.items() if name in shape.members})
    if "GrantId" in shape.required_members or operation == "RetireGrant":
        params["GrantId"] = "0" * 64  # RetireGrant's KeyId goes with a GrantId
    params[member] = {"key ARN": BAD_ARN, "grant token": ["garbage"], "marker": "garbage"}[hostile]
    code, fallback, message = _HOSTILE[hostile]
    declared = {error.name for error in service_model().operation_model(operation).error_shapes}
    expected = (
        (code, message) if code in declared else (fallback, message or "Grant token is not valid")
    )
    before = kms_mock.keys()
    answer = refused(lambda: getattr(unchecked, xform_name(operation))(**params))
    assert answer == expected
    assert answer[0] in declared | _GENERIC
    assert kms_mock.keys() == before


def test_injected_fault_undeclared_code_kept(kms_mock: KmsMock) -> None:
    # An injected fault is what the test asked for, declared or not.
    client = boto3.client("kms", region_name=REGION, config=Config(retries={"max_attempts": 0}))
    kms_mock.faults.inject("DescribeKey", "ThrottlingException")
    assert refused(lambda: client.describe_key(KeyId="alias/x")) == (
        "ThrottlingException",
        "Rate exceeded",
    )


# 7. Faults under threads -----------------------------------------------------------------


@pytest.fixture
def fast_switching() -> Iterator[None]:
    # Switch threads as often as the interpreter can, to give a race every chance.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def test_faults_inject_times_fails_exactly_that_many_calls_under_threads(
    kms_mock: KmsMock, fast_switching: None
) -> None:
    times, threads, calls_each = 7, 8, 6
    kms_mock.faults.inject("ListKeys", "ThrottlingException", times=times)
    config = Config(retries={"total_max_attempts": 1})
    clients = [boto3.client("kms", region_name=REGION, config=config) for _ in range(threads)]
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(client: Any) -> None:
        for _ in range(calls_each):
            try:
                client.list_keys()
                outcome = "ok"
            except ClientError as exc:
                outcome = exc.response["Error"]["Code"]
            with lock:
                outcomes.append(outcome)

    workers = [threading.Thread(target=work, args=(c,)) for c in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert outcomes.count("ThrottlingException") == times
    assert outcomes.count("ok") == threads * calls_each - times
    assert not kms_mock.faults


def test_faults_take_runs_under_backend_lock(
    kms_mock: KmsMock, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The count of a times=N fault is only safe if no other request runs between its
    # check and its decrement: the backend lock is what serialises requests.
    faults = kms_mock.faults
    held: list[bool] = []
    take = faults.take

    def watched(operation: str) -> Any:
        held.append(kms_mock.backend.lock._is_owned())  # type: ignore[attr-defined]
        return take(operation)

    monkeypatch.setattr(faults, "take", watched)
    faults.inject("ListKeys", "ThrottlingException", times=1)
    with pytest.raises(ClientError):
        boto3.client(
            "kms", region_name=REGION, config=Config(retries={"total_max_attempts": 1})
        ).list_keys()
    assert held == [True]
