"""Encrypt, Decrypt and ReEncrypt with symmetric keys, and DryRun on the encryption
operations, through a real boto3 client (docs/kms-behaviour.md#encrypt-and-decrypt,
docs/kms-behaviour.md#symmetric-ciphertext, docs/kms-behaviour.md#dry-run)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests._support import (
    ARN_PREFIX,
    DRY_RUN,
    MS,
    OTHER_ACCESS_KEY_ID,
    OTHER_ACCOUNT,
    REGION,
    assert_valid_output,
    body,
    error,
    key_arn,
)

INVALID_CIPHERTEXT = ("InvalidCiphertextException", "")
INCORRECT_KEY = (
    "IncorrectKeyException",
    "The key ID in the request does not identify a CMK that can perform this operation.",
)
UNKNOWN_CIPHERTEXT_KEY = (
    "AccessDeniedException",
    "The ciphertext refers to a customer master key that does not exist, does not exist in "
    "this region, or you are not allowed to access.",
)

HYPOTHESIS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
plaintexts = st.binary(min_size=1, max_size=4096)
contexts = st.dictionaries(st.text(max_size=20), st.text(max_size=40), max_size=4)


def material_id(client: Any, key_id: str) -> str:
    current: str = client.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    return current


def encrypt(client: Any, key_id: str, plaintext: bytes = b"secret", **kwargs: Any) -> bytes:
    blob: bytes = client.encrypt(KeyId=key_id, Plaintext=plaintext, **kwargs)["CiphertextBlob"]
    return blob


def no_use_recorded(client: Any, key_id: str) -> bool:
    usage: dict[str, Any] = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    return usage == {}


def now() -> datetime:
    return datetime.now(timezone.utc)


def create(client: Any, spec: str, usage: str) -> str:
    key_id: str = client.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
    return key_id


# Keys that cannot encrypt: (KeySpec, KeyUsage).
NOT_FOR_ENCRYPTION = {
    "hmac": ("HMAC_256", "GENERATE_VERIFY_MAC"),
    "signing": ("ECC_NIST_P256", "SIGN_VERIFY"),
}


# Encrypt / Decrypt round trips -------------------------------------------------------


@HYPOTHESIS
@given(plaintext=plaintexts, context=contexts)
def test_encrypt_then_decrypt_any_plaintext_and_context_returns_plaintext(
    client, key_id, plaintext, context
):
    encrypted = client.encrypt(KeyId=key_id, Plaintext=plaintext, EncryptionContext=context)
    decrypted = client.decrypt(
        CiphertextBlob=encrypted["CiphertextBlob"], EncryptionContext=context
    )
    assert decrypted["Plaintext"] == plaintext
    assert decrypted["KeyId"] == key_arn(key_id)
    # The key named in the request decrypts too.
    again = client.decrypt(
        CiphertextBlob=encrypted["CiphertextBlob"], EncryptionContext=context, KeyId=key_id
    )
    assert again["Plaintext"] == plaintext


@st.composite
def near_misses(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, str]]:
    """A non-empty context and one that differs from it in one way."""
    context = draw(st.dictionaries(st.text(max_size=20), st.text(max_size=40), min_size=1))
    other = dict(context)
    name = draw(st.sampled_from(sorted(context)))
    new_name = st.text(max_size=20).filter(lambda k: k not in context)
    change = draw(st.sampled_from(["value", "drop", "add", "rename"]))
    if change == "value":
        other[name] = draw(st.text(max_size=40).filter(lambda v: v != context[name]))
    elif change == "drop":
        del other[name]
    elif change == "add":
        other[draw(new_name)] = draw(st.text(max_size=40))
    else:
        other[draw(new_name)] = other.pop(name)
    return context, other


@HYPOTHESIS
@given(plaintext=plaintexts, contexts=near_misses())
def test_decrypt_context_differing_in_one_pair_raises_invalid_ciphertext(
    client, key_id, plaintext, contexts
):
    context, other = contexts
    blob = encrypt(client, key_id, plaintext, EncryptionContext=context)
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob, EncryptionContext=other)
    assert error(info.value) == INVALID_CIPHERTEXT


def test_encrypt_response_has_blob_key_arn_and_algorithm(client, key_id):
    response = client.encrypt(KeyId=key_id, Plaintext=b"attack at dawn")
    assert_valid_output("Encrypt", response)
    result = body(response)
    assert set(result) == {"CiphertextBlob", "KeyId", "EncryptionAlgorithm"}
    assert result["KeyId"] == key_arn(key_id)
    assert result["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    # The plaintext is nowhere in the blob, which carries 113 bytes of overhead
    # (docs/kms-behaviour.md#symmetric-ciphertext).
    assert b"attack at dawn" not in result["CiphertextBlob"]
    assert len(result["CiphertextBlob"]) == len(b"attack at dawn") + 113


def test_decrypt_response_has_key_arn_plaintext_algorithm_and_material_id(client, key_id):
    blob = encrypt(client, key_id, b"attack at dawn")
    response = client.decrypt(CiphertextBlob=blob)
    assert_valid_output("Decrypt", response)
    assert body(response) == {
        "KeyId": key_arn(key_id),
        "Plaintext": b"attack at dawn",
        "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "KeyMaterialId": material_id(client, key_id),
    }


def test_encrypt_explicit_symmetric_default_algorithm_round_trips(client, key_id):
    response = client.encrypt(
        KeyId=key_id, Plaintext=b"data", EncryptionAlgorithm="SYMMETRIC_DEFAULT"
    )
    assert response["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    decrypted = client.decrypt(
        CiphertextBlob=response["CiphertextBlob"], EncryptionAlgorithm="SYMMETRIC_DEFAULT"
    )
    assert decrypted["Plaintext"] == b"data"


def test_encrypt_same_plaintext_twice_gives_different_ciphertexts(client, key_id):
    first = encrypt(client, key_id, b"same")
    second = encrypt(client, key_id, b"same")
    assert first != second
    assert client.decrypt(CiphertextBlob=first)["Plaintext"] == b"same"
    assert client.decrypt(CiphertextBlob=second)["Plaintext"] == b"same"


@pytest.mark.parametrize("size", [1, 4096])
def test_encrypt_plaintext_at_size_limits_round_trips(client, key_id, size):
    plaintext = bytes(range(256)) * 16
    blob = encrypt(client, key_id, plaintext[:size])
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == plaintext[:size]


@pytest.mark.parametrize("form", ["id", "arn", "alias", "alias-arn"])
def test_encrypt_any_identifier_form_reports_key_arn(client, key_id, form):
    client.create_alias(AliasName="alias/enc", TargetKeyId=key_id)
    identifier = {
        "id": key_id,
        "arn": key_arn(key_id),
        "alias": "alias/enc",
        "alias-arn": f"{ARN_PREFIX}:alias/enc",
    }[form]
    response = client.encrypt(KeyId=identifier, Plaintext=b"data")
    assert response["KeyId"] == key_arn(key_id)
    assert client.decrypt(CiphertextBlob=response["CiphertextBlob"])["Plaintext"] == b"data"


# Encryption context -------------------------------------------------------------------

CONTEXT = {"purpose": "invoice", "tenant": "acme"}


@pytest.mark.parametrize(
    "other",
    [
        pytest.param({"purpose": "invoice", "tenant": "ACME"}, id="wrong-value"),
        pytest.param({"purpose": "invoice"}, id="missing-pair"),
        pytest.param({**CONTEXT, "extra": "x"}, id="extra-pair"),
        pytest.param({"Purpose": "invoice", "tenant": "acme"}, id="key-case-differs"),
        pytest.param({}, id="empty"),
    ],
)
def test_decrypt_context_differs_raises_invalid_ciphertext(client, key_id, other):
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob, EncryptionContext=other)
    assert error(info.value) == INVALID_CIPHERTEXT


def test_decrypt_context_omitted_when_used_raises_invalid_ciphertext(client, key_id):
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob)
    assert error(info.value) == INVALID_CIPHERTEXT


def test_decrypt_context_given_when_none_used_raises_invalid_ciphertext(client, key_id):
    blob = encrypt(client, key_id)
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": "invoice"})
    assert error(info.value) == INVALID_CIPHERTEXT


def test_decrypt_context_in_other_order_decrypts(client, key_id):
    blob = encrypt(client, key_id, EncryptionContext={"a": "1", "b": "2", "c": "3"})
    reordered = {"c": "3", "a": "1", "b": "2"}
    assert list(reordered) != ["a", "b", "c"]
    decrypted = client.decrypt(CiphertextBlob=blob, EncryptionContext=reordered)
    assert decrypted["Plaintext"] == b"secret"


@pytest.mark.parametrize(
    ("on_encrypt", "on_decrypt"),
    [({}, None), (None, {}), ({}, {})],
    ids=["empty-then-omitted", "omitted-then-empty", "empty-both"],
)
def test_decrypt_empty_context_equals_omitted_context(client, key_id, on_encrypt, on_decrypt):
    encrypt_args = {} if on_encrypt is None else {"EncryptionContext": on_encrypt}
    decrypt_args = {} if on_decrypt is None else {"EncryptionContext": on_decrypt}
    blob = encrypt(client, key_id, **encrypt_args)
    assert client.decrypt(CiphertextBlob=blob, **decrypt_args)["Plaintext"] == b"secret"


def test_decrypt_unicode_context_round_trips(client, key_id):
    context = {"clé": "valeur ✓", "日本": "東京", "emoji 🔑": ""}
    blob = encrypt(client, key_id, EncryptionContext=context)
    assert client.decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"] == (
        b"secret"
    )
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob, EncryptionContext={**context, "日本": "京都"})
    assert error(info.value) == INVALID_CIPHERTEXT


# Tampered and foreign ciphertext ------------------------------------------------------

PLAINTEXT_32 = bytes(range(32))
# kmsmock/crypto/ciphertext.py: the regions of a blob holding 32 plaintext bytes.
REGIONS = {
    "magic": (0, 5),
    "account": (5, 17),
    "key-id": (17, 53),
    "material-id": (53, 85),
    "iv": (85, 97),
    "body": (97, 129),
    "tag": (129, 145),
}
# Flipping the lowest bit keeps an ASCII byte ASCII, so the account and key-ID regions
# still parse; they then name a key that does not exist.
NAMES_ANOTHER_KEY = {"account", "key-id"}
FLIPS = [
    pytest.param(region, position, id=f"{region}-{where}")
    for region, (start, end) in REGIONS.items()
    for where, position in (("first", start), ("last", end - 1))
]


def flipped(blob: bytes, position: int) -> bytes:
    changed = bytearray(blob)
    changed[position] ^= 0x01
    return bytes(changed)


@pytest.mark.parametrize(("region", "position"), FLIPS)
def test_decrypt_flipped_byte_without_key_id_is_refused(client, key_id, region, position):
    blob = encrypt(client, key_id, PLAINTEXT_32)
    assert len(blob) == 145
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=flipped(blob, position))
    expected = UNKNOWN_CIPHERTEXT_KEY if region in NAMES_ANOTHER_KEY else INVALID_CIPHERTEXT
    assert error(info.value) == expected
    # The untouched blob still decrypts.
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == PLAINTEXT_32


@pytest.mark.parametrize(("region", "position"), FLIPS)
def test_decrypt_flipped_byte_with_key_id_is_refused(client, key_id, region, position):
    blob = encrypt(client, key_id, PLAINTEXT_32)
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=flipped(blob, position), KeyId=key_id)
    expected = INCORRECT_KEY if region in NAMES_ANOTHER_KEY else INVALID_CIPHERTEXT
    assert error(info.value) == expected


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda b: b[:-1], id="truncated-by-one"),
        pytest.param(lambda b: b[:-16], id="tag-removed"),
        pytest.param(lambda b: b[:100], id="truncated-into-header"),
        pytest.param(lambda b: b[:5], id="magic-only"),
        pytest.param(lambda b: b + b"\x00", id="byte-appended"),
        pytest.param(lambda b: b + b, id="doubled"),
    ],
)
@pytest.mark.parametrize("with_key_id", [False, True])
def test_decrypt_truncated_or_extended_blob_raises_invalid_ciphertext(
    client, key_id, change, with_key_id
):
    blob = encrypt(client, key_id, PLAINTEXT_32)
    key_args = {"KeyId": key_id} if with_key_id else {}
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=change(blob), **key_args)
    assert error(info.value) == INVALID_CIPHERTEXT


@pytest.mark.parametrize(
    "blob",
    [
        pytest.param(b"x", id="one-byte"),
        pytest.param(b"not a KMS ciphertext at all, just some text" * 4, id="text"),
        pytest.param(b"\x00" * 200, id="zeros"),
        pytest.param(b"\x01\x02\x02\x00\x78" + b"\xff" * 150, id="familiar-magic-then-junk"),
    ],
)
@pytest.mark.parametrize("with_key_id", [False, True])
def test_decrypt_blob_not_from_kms_raises_invalid_ciphertext(client, key_id, blob, with_key_id):
    key_args = {"KeyId": key_id} if with_key_id else {}
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob, **key_args)
    assert error(info.value) == INVALID_CIPHERTEXT


def test_decrypt_blob_of_deleted_key_raises_access_denied(client, kms_mock, key_id):
    blob = encrypt(client, key_id)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms_mock.clock.advance(days=8)
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob)
    assert error(info.value) == UNKNOWN_CIPHERTEXT_KEY
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob, KeyId=key_id)
    assert error(info.value) == ("NotFoundException", f"Key '{key_arn(key_id)}' does not exist")


# Decrypt: which key --------------------------------------------------------------------


@pytest.mark.parametrize("form", ["none", "id", "arn", "alias", "alias-arn"])
def test_decrypt_key_named_in_any_form_decrypts(client, key_id, form):
    client.create_alias(AliasName="alias/dec", TargetKeyId=key_id)
    blob = encrypt(client, key_id, b"payload")
    key_args = {
        "none": {},
        "id": {"KeyId": key_id},
        "arn": {"KeyId": key_arn(key_id)},
        "alias": {"KeyId": "alias/dec"},
        "alias-arn": {"KeyId": f"{ARN_PREFIX}:alias/dec"},
    }[form]
    response = client.decrypt(CiphertextBlob=blob, **key_args)
    assert response["Plaintext"] == b"payload"
    assert response["KeyId"] == key_arn(key_id)


@pytest.mark.parametrize("form", ["id", "arn", "alias"])
def test_decrypt_another_symmetric_key_raises_incorrect_key(client, key_id, form):
    other = client.create_key()["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName="alias/other", TargetKeyId=other)
    identifier = {"id": other, "arn": key_arn(other), "alias": "alias/other"}[form]
    blob = encrypt(client, key_id)
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob, KeyId=identifier)
    assert error(info.value) == INCORRECT_KEY
    assert no_use_recorded(client, other)


@pytest.mark.parametrize("kind", sorted(NOT_FOR_ENCRYPTION))
def test_decrypt_key_id_of_non_encryption_key_raises_incorrect_key(client, key_id, kind):
    # The key-mismatch check runs before the key-usage check, as observed from AWS
    # (docs/kms-behaviour.md#check-order).
    other = create(client, *NOT_FOR_ENCRYPTION[kind])
    blob = encrypt(client, key_id)
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob, KeyId=other)
    assert error(info.value) == INCORRECT_KEY


def test_decrypt_unknown_key_id_raises_not_found(client, key_id):
    unknown = "1234abcd-12ab-34cd-56ef-1234567890ab"
    blob = encrypt(client, key_id)
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob, KeyId=unknown)
    assert error(info.value) == ("NotFoundException", f"Key '{key_arn(unknown)}' does not exist")


@pytest.mark.parametrize("with_key_id", [False, True])
def test_decrypt_disabled_key_raises_disabled(client, key_id, with_key_id):
    blob = encrypt(client, key_id)
    client.disable_key(KeyId=key_id)
    key_args = {"KeyId": key_id} if with_key_id else {}
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob, **key_args)
    assert error(info.value) == ("DisabledException", f"{key_arn(key_id)} is disabled.")
    client.enable_key(KeyId=key_id)
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_decrypt_pending_deletion_key_raises_invalid_state(client, key_id):
    blob = encrypt(client, key_id)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob)
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending deletion.",
    )


def test_decrypt_without_ciphertext_blob_raises_validation(client, key_id):
    # Optional in the model because of IGNORE_CIPHERTEXT, required by the service
    # (docs/kms-behaviour.md#required-by-the-service).
    for key_args in ({}, {"KeyId": key_id}):
        with pytest.raises(ClientError) as info:
            client.decrypt(**key_args)
        assert error(info.value) == (
            "ValidationException",
            "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy "
            "constraint: Member must not be null",
        )


# Cross-account -------------------------------------------------------------------------


@pytest.fixture
def other_account_key(kms_mock: Any) -> str:
    """The bare ID of a symmetric key in account 111122223333."""
    kms_mock.identities.add(OTHER_ACCESS_KEY_ID, account_id=OTHER_ACCOUNT)
    owner = boto3.client(
        "kms",
        region_name=REGION,
        aws_access_key_id=OTHER_ACCESS_KEY_ID,
        aws_secret_access_key="other-secret",
    )
    meta = owner.create_key()["KeyMetadata"]
    assert meta["AWSAccountId"] == OTHER_ACCOUNT
    key_id: str = meta["KeyId"]
    return key_id


def test_encrypt_other_account_key_by_arn_decrypts_without_key_id(client, other_account_key):
    arn = key_arn(other_account_key, account=OTHER_ACCOUNT)
    encrypted = client.encrypt(KeyId=arn, Plaintext=b"shared")
    assert encrypted["KeyId"] == arn
    # The blob names the owning account, so no KeyId is needed
    # (docs/kms-behaviour.md#symmetric-ciphertext).
    decrypted = client.decrypt(CiphertextBlob=encrypted["CiphertextBlob"])
    assert (decrypted["KeyId"], decrypted["Plaintext"]) == (arn, b"shared")
    by_arn = client.decrypt(CiphertextBlob=encrypted["CiphertextBlob"], KeyId=arn)
    assert (by_arn["KeyId"], by_arn["Plaintext"]) == (arn, b"shared")


def test_encrypt_other_account_key_by_bare_id_raises_not_found(client, other_account_key):
    # A bare ID always means the caller's own account (docs/kms-behaviour.md#cross-account).
    with pytest.raises(ClientError) as info:
        client.encrypt(KeyId=other_account_key, Plaintext=b"shared")
    assert error(info.value) == (
        "NotFoundException",
        f"Key '{key_arn(other_account_key)}' does not exist",
    )


def test_decrypt_other_account_blob_by_bare_id_raises_not_found(client, other_account_key):
    blob = encrypt(client, key_arn(other_account_key, account=OTHER_ACCOUNT))
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob, KeyId=other_account_key)
    assert error(info.value) == (
        "NotFoundException",
        f"Key '{key_arn(other_account_key)}' does not exist",
    )


# Encrypt: refused requests -----------------------------------------------------------


def test_encrypt_empty_plaintext_raises_validation(unchecked_client, key_id):
    with pytest.raises(ClientError) as info:
        unchecked_client.encrypt(KeyId=key_id, Plaintext=b"")
    assert error(info.value) == (
        "ValidationException",
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )


def test_encrypt_4097_bytes_raises_validation(client, key_id):
    with pytest.raises(ClientError) as info:
        client.encrypt(KeyId=key_id, Plaintext=b"x" * 4097)
    assert error(info.value) == (
        "ValidationException",
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length less than or equal to 4096",
    )
    assert no_use_recorded(client, key_id)


@pytest.mark.parametrize("kind", sorted(NOT_FOR_ENCRYPTION))
def test_encrypt_non_encryption_key_raises_invalid_key_usage(client, kind):
    spec, usage = NOT_FOR_ENCRYPTION[kind]
    other = create(client, spec, usage)
    with pytest.raises(ClientError) as info:
        client.encrypt(KeyId=other, Plaintext=b"data")
    assert error(info.value) == (
        "InvalidKeyUsageException",
        f"{key_arn(other)} key usage is {usage} which is not valid for Encrypt.",
    )


@pytest.mark.parametrize("algorithm", ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
def test_encrypt_symmetric_key_rsa_algorithm_raises_invalid_key_usage(client, key_id, algorithm):
    with pytest.raises(ClientError) as info:
        client.encrypt(KeyId=key_id, Plaintext=b"data", EncryptionAlgorithm=algorithm)
    assert error(info.value) == (
        "InvalidKeyUsageException",
        f"Algorithm {algorithm} is incompatible with key spec SYMMETRIC_DEFAULT.",
    )


def test_encrypt_disabled_key_raises_disabled(client, key_id):
    client.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.encrypt(KeyId=key_id, Plaintext=b"data")
    assert error(info.value) == ("DisabledException", f"{key_arn(key_id)} is disabled.")


def test_encrypt_pending_import_key_raises_invalid_state(client):
    key_id = client.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as info:
        client.encrypt(KeyId=key_id, Plaintext=b"data")
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending import.",
    )


# GetKeyLastUsage -----------------------------------------------------------------------


def test_get_key_last_usage_after_encrypt_shows_encrypt_and_request_id(client, key_id):
    before = now()
    response = client.encrypt(KeyId=key_id, Plaintext=b"data")
    after = now()
    usage = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    assert usage["Operation"] == "Encrypt"
    assert usage["KmsRequestId"] == response["ResponseMetadata"]["RequestId"]
    assert before - MS <= usage["Timestamp"] <= after + MS


def test_get_key_last_usage_after_decrypt_shows_decrypt(client, key_id):
    blob = encrypt(client, key_id)
    response = client.decrypt(CiphertextBlob=blob)
    usage = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    assert usage["Operation"] == "Decrypt"
    assert usage["KmsRequestId"] == response["ResponseMetadata"]["RequestId"]


def test_get_key_last_usage_failed_decrypt_is_not_a_use(client, key_id):
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    with pytest.raises(ClientError):
        client.decrypt(CiphertextBlob=blob)
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]["Operation"] == "Encrypt"


# ReEncrypt -----------------------------------------------------------------------------


def test_re_encrypt_to_another_key_returns_all_fields(client, key_id):
    destination = client.create_key()["KeyMetadata"]["KeyId"]
    blob = encrypt(client, key_id, b"move me", EncryptionContext=CONTEXT)
    response = client.re_encrypt(
        CiphertextBlob=blob,
        SourceEncryptionContext=CONTEXT,
        DestinationKeyId=destination,
        DestinationEncryptionContext={"purpose": "archive"},
    )
    assert_valid_output("ReEncrypt", response)
    result = body(response)
    assert result == {
        "CiphertextBlob": result["CiphertextBlob"],
        "SourceKeyId": key_arn(key_id),
        "KeyId": key_arn(destination),
        "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "SourceKeyMaterialId": material_id(client, key_id),
        "DestinationKeyMaterialId": material_id(client, destination),
    }
    new_blob = result["CiphertextBlob"]
    assert new_blob != blob
    decrypted = client.decrypt(CiphertextBlob=new_blob, EncryptionContext={"purpose": "archive"})
    assert (decrypted["KeyId"], decrypted["Plaintext"]) == (key_arn(destination), b"move me")
    # The new blob belongs to the destination key only.
    with pytest.raises(ClientError) as info:
        client.decrypt(
            CiphertextBlob=new_blob, EncryptionContext={"purpose": "archive"}, KeyId=key_id
        )
    assert error(info.value) == INCORRECT_KEY


def test_re_encrypt_same_key_new_context_replaces_context(client, key_id):
    blob = encrypt(client, key_id, EncryptionContext={"v": "1"})
    new_blob = client.re_encrypt(
        CiphertextBlob=blob,
        SourceEncryptionContext={"v": "1"},
        DestinationKeyId=key_id,
        DestinationEncryptionContext={"v": "2"},
    )["CiphertextBlob"]
    assert (
        client.decrypt(CiphertextBlob=new_blob, EncryptionContext={"v": "2"})["Plaintext"]
        == b"secret"
    )
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=new_blob, EncryptionContext={"v": "1"})
    assert error(info.value) == INVALID_CIPHERTEXT


@pytest.mark.parametrize("form", ["id", "arn", "alias", "alias-arn"])
def test_re_encrypt_any_identifier_form_reports_key_arns(client, key_id, form):
    destination = client.create_key()["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName="alias/src", TargetKeyId=key_id)
    client.create_alias(AliasName="alias/dst", TargetKeyId=destination)
    source_id, destination_id = {
        "id": (key_id, destination),
        "arn": (key_arn(key_id), key_arn(destination)),
        "alias": ("alias/src", "alias/dst"),
        "alias-arn": (f"{ARN_PREFIX}:alias/src", f"{ARN_PREFIX}:alias/dst"),
    }[form]
    response = client.re_encrypt(
        CiphertextBlob=encrypt(client, key_id),
        SourceKeyId=source_id,
        DestinationKeyId=destination_id,
    )
    assert (response["SourceKeyId"], response["KeyId"]) == (
        key_arn(key_id),
        key_arn(destination),
    )
    assert client.decrypt(CiphertextBlob=response["CiphertextBlob"])["Plaintext"] == b"secret"


def test_re_encrypt_source_key_id_mismatch_raises_incorrect_key(client, key_id):
    other = client.create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as info:
        client.re_encrypt(
            CiphertextBlob=encrypt(client, key_id), SourceKeyId=other, DestinationKeyId=other
        )
    assert error(info.value) == INCORRECT_KEY


def test_re_encrypt_source_key_id_of_hmac_key_raises_incorrect_key(client, key_id):
    hmac_key = create(client, *NOT_FOR_ENCRYPTION["hmac"])
    with pytest.raises(ClientError) as info:
        client.re_encrypt(
            CiphertextBlob=encrypt(client, key_id), SourceKeyId=hmac_key, DestinationKeyId=key_id
        )
    assert error(info.value) == INCORRECT_KEY


@pytest.mark.parametrize("kind", sorted(NOT_FOR_ENCRYPTION))
def test_re_encrypt_destination_non_encryption_key_raises_invalid_key_usage(client, key_id, kind):
    spec, usage = NOT_FOR_ENCRYPTION[kind]
    destination = create(client, spec, usage)
    with pytest.raises(ClientError) as info:
        client.re_encrypt(CiphertextBlob=encrypt(client, key_id), DestinationKeyId=destination)
    assert error(info.value) == (
        "InvalidKeyUsageException",
        f"{key_arn(destination)} key usage is {usage} which is not valid for ReEncrypt.",
    )


def test_re_encrypt_wrong_source_context_raises_invalid_ciphertext(client, key_id):
    destination = client.create_key()["KeyMetadata"]["KeyId"]
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    with pytest.raises(ClientError) as info:
        client.re_encrypt(
            CiphertextBlob=blob,
            SourceEncryptionContext={**CONTEXT, "tenant": "other"},
            DestinationKeyId=destination,
        )
    assert error(info.value) == INVALID_CIPHERTEXT
    assert no_use_recorded(client, destination)


def test_re_encrypt_tampered_blob_raises_invalid_ciphertext(client, key_id):
    blob = encrypt(client, key_id, PLAINTEXT_32)
    with pytest.raises(ClientError) as info:
        client.re_encrypt(CiphertextBlob=flipped(blob, 100), DestinationKeyId=key_id)
    assert error(info.value) == INVALID_CIPHERTEXT


def test_re_encrypt_disabled_destination_raises_disabled(client, key_id):
    destination = client.create_key()["KeyMetadata"]["KeyId"]
    client.disable_key(KeyId=destination)
    with pytest.raises(ClientError) as info:
        client.re_encrypt(CiphertextBlob=encrypt(client, key_id), DestinationKeyId=destination)
    assert error(info.value) == ("DisabledException", f"{key_arn(destination)} is disabled.")


def test_re_encrypt_disabled_source_raises_disabled(client, key_id):
    destination = client.create_key()["KeyMetadata"]["KeyId"]
    blob = encrypt(client, key_id)
    client.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)
    assert error(info.value) == ("DisabledException", f"{key_arn(key_id)} is disabled.")


def test_re_encrypt_records_use_of_both_keys(client, key_id):
    destination = client.create_key()["KeyMetadata"]["KeyId"]
    response = client.re_encrypt(
        CiphertextBlob=encrypt(client, key_id), DestinationKeyId=destination
    )
    request_id = response["ResponseMetadata"]["RequestId"]
    for key in (key_id, destination):
        usage = client.get_key_last_usage(KeyId=key)["KeyLastUsage"]
        assert (usage["Operation"], usage["KmsRequestId"]) == ("ReEncrypt", request_id)


# DryRun --------------------------------------------------------------------------------

DryRunCall = Callable[[Any, str, bytes], Any]
# Each operation as it would succeed, given a key and a blob of that key made with CONTEXT.
DRY_RUN_CALLS: dict[str, DryRunCall] = {
    "Encrypt": lambda c, k, b: c.encrypt(KeyId=k, Plaintext=b"data", DryRun=True),
    "Decrypt": lambda c, k, b: c.decrypt(CiphertextBlob=b, EncryptionContext=CONTEXT, DryRun=True),
    "ReEncrypt": lambda c, k, b: c.re_encrypt(
        CiphertextBlob=b, SourceEncryptionContext=CONTEXT, DestinationKeyId=k, DryRun=True
    ),
    "GenerateDataKey": lambda c, k, b: c.generate_data_key(KeyId=k, KeySpec="AES_256", DryRun=True),
    "GenerateDataKeyWithoutPlaintext": lambda c, k, b: c.generate_data_key_without_plaintext(
        KeyId=k, KeySpec="AES_256", DryRun=True
    ),
}
DRY_RUN_OPERATIONS = sorted(DRY_RUN_CALLS)


@pytest.mark.parametrize("operation", DRY_RUN_OPERATIONS)
def test_dry_run_valid_request_raises_dry_run_operation(client, key_id, operation):
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    used = client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"]
    with pytest.raises(ClientError) as info:
        DRY_RUN_CALLS[operation](client, key_id, blob)
    assert error(info.value) == DRY_RUN
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # Nothing happened: the last recorded use is still the Encrypt above.
    assert client.get_key_last_usage(KeyId=key_id)["KeyLastUsage"] == used


@pytest.mark.parametrize("operation", DRY_RUN_OPERATIONS)
def test_dry_run_disabled_key_raises_disabled(client, key_id, operation):
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    client.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as info:
        DRY_RUN_CALLS[operation](client, key_id, blob)
    assert error(info.value) == ("DisabledException", f"{key_arn(key_id)} is disabled.")


@pytest.mark.parametrize("operation", [op for op in DRY_RUN_OPERATIONS if op != "Decrypt"])
def test_dry_run_non_encryption_key_raises_invalid_key_usage(client, key_id, operation):
    hmac_key = create(client, *NOT_FOR_ENCRYPTION["hmac"])
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    with pytest.raises(ClientError) as info:
        DRY_RUN_CALLS[operation](client, hmac_key, blob)
    assert error(info.value) == (
        "InvalidKeyUsageException",
        f"{key_arn(hmac_key)} key usage is GENERATE_VERIFY_MAC which is not valid for {operation}.",
    )


def test_dry_run_decrypt_key_id_of_hmac_key_raises_incorrect_key(client, key_id):
    hmac_key = create(client, *NOT_FOR_ENCRYPTION["hmac"])
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT, KeyId=hmac_key, DryRun=True)
    assert error(info.value) == INCORRECT_KEY


def test_dry_run_decrypt_wrong_context_raises_invalid_ciphertext(client, key_id):
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    with pytest.raises(ClientError) as info:
        client.decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": "x"}, DryRun=True)
    assert error(info.value) == INVALID_CIPHERTEXT


def test_dry_run_re_encrypt_wrong_context_raises_invalid_ciphertext(client, key_id):
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    with pytest.raises(ClientError) as info:
        client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key_id, DryRun=True)
    assert error(info.value) == INVALID_CIPHERTEXT


def test_dry_run_encrypt_too_long_plaintext_raises_validation(client, key_id):
    with pytest.raises(ClientError) as info:
        client.encrypt(KeyId=key_id, Plaintext=b"x" * 4097, DryRun=True)
    assert error(info.value) == (
        "ValidationException",
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length less than or equal to 4096",
    )


def test_dry_run_false_encrypt_succeeds(client, key_id):
    response = client.encrypt(KeyId=key_id, Plaintext=b"data", DryRun=False)
    assert client.decrypt(CiphertextBlob=response["CiphertextBlob"])["Plaintext"] == b"data"


def test_dry_run_ignore_ciphertext_decrypt_without_blob_raises_dry_run_operation(client, key_id):
    with pytest.raises(ClientError) as info:
        client.decrypt(KeyId=key_id, DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert error(info.value) == DRY_RUN
    assert no_use_recorded(client, key_id)


def test_dry_run_ignore_ciphertext_decrypt_skips_ciphertext_checks(client, key_id):
    blob = encrypt(client, key_id, EncryptionContext=CONTEXT)
    for bad_blob, context in ((blob, {"wrong": "context"}), (b"junk" * 30, CONTEXT)):
        with pytest.raises(ClientError) as info:
            client.decrypt(
                CiphertextBlob=bad_blob,
                EncryptionContext=context,
                KeyId=key_id,
                DryRun=True,
                DryRunModifiers=["IGNORE_CIPHERTEXT"],
            )
        assert error(info.value) == DRY_RUN


def test_dry_run_ignore_ciphertext_decrypt_without_key_id_raises_validation(
    unchecked_client, key_id
):
    blob = encrypt(unchecked_client, key_id)
    for blob_args in ({}, {"CiphertextBlob": blob}):
        with pytest.raises(ClientError) as info:
            unchecked_client.decrypt(
                DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"], **blob_args
            )
        assert error(info.value) == (
            "ValidationException",
            "1 validation error detected: Value null at 'keyId' failed to satisfy "
            "constraint: Member must not be null",
        )


def test_dry_run_ignore_ciphertext_decrypt_disabled_key_raises_disabled(client, key_id):
    client.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.decrypt(KeyId=key_id, DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert error(info.value) == ("DisabledException", f"{key_arn(key_id)} is disabled.")


def test_dry_run_modifiers_without_dry_run_are_ignored(client, key_id):
    blob = encrypt(client, key_id)
    response = client.decrypt(CiphertextBlob=blob, DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert response["Plaintext"] == b"secret"
    # ... so the ciphertext is still required.
    with pytest.raises(ClientError) as info:
        client.decrypt(KeyId=key_id, DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert error(info.value) == (
        "ValidationException",
        "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy "
        "constraint: Member must not be null",
    )


def test_dry_run_ignore_ciphertext_re_encrypt_without_blob_raises_dry_run_operation(
    unchecked_client, key_id
):
    destination = unchecked_client.create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as info:
        unchecked_client.re_encrypt(
            SourceKeyId=key_id,
            DestinationKeyId=destination,
            DryRun=True,
            DryRunModifiers=["IGNORE_CIPHERTEXT"],
        )
    assert error(info.value) == DRY_RUN
    assert no_use_recorded(unchecked_client, key_id)
    assert no_use_recorded(unchecked_client, destination)


def test_dry_run_ignore_ciphertext_re_encrypt_without_source_key_raises_validation(
    unchecked_client, key_id
):
    with pytest.raises(ClientError) as info:
        unchecked_client.re_encrypt(
            DestinationKeyId=key_id, DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"]
        )
    # kmsmock names the ReEncrypt member, with the text it gives Decrypt's
    # (docs/kms-behaviour.md#required-by-the-service).
    assert error(info.value) == (
        "ValidationException",
        "1 validation error detected: Value null at 'sourceKeyId' failed to satisfy "
        "constraint: Member must not be null",
    )


def test_dry_run_ignore_ciphertext_re_encrypt_disabled_destination_raises_disabled(
    unchecked_client, key_id
):
    destination = unchecked_client.create_key()["KeyMetadata"]["KeyId"]
    unchecked_client.disable_key(KeyId=destination)
    with pytest.raises(ClientError) as info:
        unchecked_client.re_encrypt(
            SourceKeyId=key_id,
            DestinationKeyId=destination,
            DryRun=True,
            DryRunModifiers=["IGNORE_CIPHERTEXT"],
        )
    assert error(info.value) == ("DisabledException", f"{key_arn(destination)} is disabled.")


def test_re_encrypt_without_ciphertext_blob_raises_validation(unchecked_client, key_id):
    with pytest.raises(ClientError) as info:
        unchecked_client.re_encrypt(DestinationKeyId=key_id, SourceKeyId=key_id)
    assert error(info.value) == (
        "ValidationException",
        "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy "
        "constraint: Member must not be null",
    )
