"""The AWS CLI v1, in-process against kmsmock, for ML-KEM keys: create-key, encapsulate and
decapsulate, with ``fileb://`` inputs as users type them. They run where the CLI's botocore
models ML-KEM (botocore 1.44 on); on an older one, the CLI gets the model's enum error."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import mlkem

from tests._support import ACCOUNT, ml_kem_in_model, model_enum, model_has_operation
from tests.cli._cli import Aws, b64, failed, key_arn, ok

USAGE = "ENCAPSULATE_DECAPSULATE"

needs_ml_kem = pytest.mark.skipif(
    not ml_kem_in_model(), reason="the CLI's botocore has no ML-KEM in its KMS model (1.44 on)"
)
needs_encapsulate = pytest.mark.skipif(
    not model_has_operation("Encapsulate"),
    reason="the CLI's botocore has no Encapsulate in its KMS model (1.44 on)",
)


def create_ml_kem_key(aws: Aws, spec: str = "ML_KEM_768") -> str:
    run = aws("kms", "create-key", "--key-spec", spec, "--key-usage", USAGE)
    key_id: str = ok(run)["KeyMetadata"]["KeyId"]
    return key_id


@needs_ml_kem
def test_cli_create_key_ml_kem_prints_encapsulation_algorithms(aws):
    meta = ok(aws("kms", "create-key", "--key-spec", "ML_KEM_1024", "--key-usage", USAGE))[
        "KeyMetadata"
    ]
    key_id = meta["KeyId"]
    assert meta == {
        "AWSAccountId": ACCOUNT,
        "KeyId": key_id,
        "Arn": key_arn(key_id),
        "CreationDate": meta["CreationDate"],
        "Enabled": True,
        "Description": "",
        "KeyUsage": USAGE,
        "KeyState": "Enabled",
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "KeySpec": "ML_KEM_1024",
        "EncapsulationAlgorithms": ["ML_KEM"],
        "MultiRegion": False,
    }


@needs_encapsulate
def test_cli_encapsulate_then_decapsulate_fileb_prints_same_secret(aws, fileb):
    key_id = create_ml_kem_key(aws)
    made = ok(aws("kms", "encapsulate", "--key-id", key_id, "--encapsulation-algorithm", "ML_KEM"))
    assert made == {
        "KeyId": key_arn(key_id),
        "SharedSecret": made["SharedSecret"],
        "SharedSecretCiphertextBlob": made["SharedSecretCiphertextBlob"],
        "EncapsulationAlgorithm": "ML_KEM",
    }
    ciphertext = b64(made["SharedSecretCiphertextBlob"])
    assert len(ciphertext) == 1088
    opened = ok(
        aws(
            "kms",
            "decapsulate",
            "--key-id",
            key_id,
            "--encapsulation-algorithm",
            "ML_KEM",
            "--shared-secret-ciphertext-blob",
            fileb("ciphertext.bin", ciphertext),
        )
    )
    assert opened == {
        "KeyId": key_arn(key_id),
        "SharedSecret": made["SharedSecret"],
        "EncapsulationAlgorithm": "ML_KEM",
    }
    assert len(b64(opened["SharedSecret"])) == 32


@needs_encapsulate
def test_cli_decapsulate_offline_encapsulation_prints_its_secret(aws, fileb):
    key_id = create_ml_kem_key(aws)
    printed = ok(aws("kms", "get-public-key", "--key-id", key_id))
    public = serialization.load_der_public_key(b64(printed["PublicKey"]))
    assert isinstance(public, mlkem.MLKEM768PublicKey)
    secret, ciphertext = public.encapsulate()
    opened = ok(
        aws(
            "kms",
            "decapsulate",
            "--key-id",
            key_id,
            "--encapsulation-algorithm",
            "ML_KEM",
            "--shared-secret-ciphertext-blob",
            fileb("ciphertext.bin", ciphertext),
        )
    )
    assert b64(opened["SharedSecret"]) == secret


@needs_encapsulate
def test_cli_decapsulate_wrong_length_prints_invalid_ciphertext(aws, fileb):
    key_id = create_ml_kem_key(aws)
    run = aws(
        "kms",
        "decapsulate",
        "--key-id",
        key_id,
        "--encapsulation-algorithm",
        "ML_KEM",
        "--shared-secret-ciphertext-blob",
        fileb("short.bin", bytes(100)),
    )
    failed(run, "InvalidCiphertextException", "Decapsulate", "")


@pytest.mark.skipif(ml_kem_in_model(), reason="the CLI's botocore models ML-KEM")
def test_cli_create_key_ml_kem_on_older_model_prints_enum_validation(aws):
    run = aws("kms", "create-key", "--key-spec", "ML_KEM_768", "--key-usage", USAGE)
    usages = ", ".join(model_enum("KeyUsageType"))
    specs = ", ".join(model_enum("KeySpec"))
    failed(
        run,
        "ValidationException",
        "CreateKey",
        "2 validation errors detected: Value 'ENCAPSULATE_DECAPSULATE' at 'keyUsage' failed "
        "to satisfy constraint: Member must satisfy enum value set: "
        f"[{usages}]; Value 'ML_KEM_768' at 'keySpec' failed to satisfy constraint: Member "
        f"must satisfy enum value set: [{specs}]",
    )
