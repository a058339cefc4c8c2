"""The AWS CLI v1, in-process against kmsmock, for ML-KEM keys: create-key, encapsulate and
decapsulate, with ``fileb://`` inputs as users type them. They run where the CLI's botocore
models ML-KEM (botocore 1.44 on); on an older one, the CLI gets the model's enum error."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import mlkem

from tests._support import (
    ACCOUNT,
    REGION,
    ml_kem_in_model,
    model_enum,
    model_has_operation,
)

# Importing test_awscli first runs its care for AWS_DATA_PATH, whichever module loads first.
from tests.cli.test_awscli import AWSCLI_DATA_PATH, Run, ok

ARN_PREFIX = f"arn:aws:kms:{REGION}:{ACCOUNT}"
USAGE = "ENCAPSULATE_DECAPSULATE"

Aws = Callable[..., Run]

needs_ml_kem = pytest.mark.skipif(
    not ml_kem_in_model(), reason="the CLI's botocore has no ML-KEM in its KMS model (1.44 on)"
)
needs_encapsulate = pytest.mark.skipif(
    not model_has_operation("Encapsulate"),
    reason="the CLI's botocore has no Encapsulate in its KMS model (1.44 on)",
)


def key_arn(key_id: str) -> str:
    return f"{ARN_PREFIX}:key/{key_id}"


@pytest.fixture
def aws(kms_mock: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Aws:
    """``aws("kms", "encapsulate", ...)``: the CLI with JSON output in the test region."""
    from awscli.clidriver import create_clidriver  # type: ignore[import-untyped]

    monkeypatch.setenv("AWS_DATA_PATH", AWSCLI_DATA_PATH)
    for name in ("AWS_DEFAULT_OUTPUT", "AWS_PAGER", "AWS_CLI_AUTO_PROMPT", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> Run:
        capsys.readouterr()
        rc = create_clidriver().main([*args, "--output", "json", "--region", REGION])
        captured = capsys.readouterr()
        return Run(rc, captured.out, captured.err)

    return run


@pytest.fixture
def fileb(tmp_path: Path) -> Callable[[str, bytes], str]:
    def write(name: str, data: bytes) -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return f"fileb://{path}"

    return write


def b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


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
    assert (run.rc, run.out) == (255, "")
    assert run.err == (
        "\nAn error occurred (InvalidCiphertextException) when calling the Decapsulate "
        "operation: \n"
    )


@pytest.mark.skipif(ml_kem_in_model(), reason="the CLI's botocore models ML-KEM")
def test_cli_create_key_ml_kem_on_older_model_prints_enum_validation(aws):
    run = aws("kms", "create-key", "--key-spec", "ML_KEM_768", "--key-usage", USAGE)
    usages = ", ".join(model_enum("KeyUsageType"))
    specs = ", ".join(model_enum("KeySpec"))
    assert (run.rc, run.out) == (255, "")
    assert run.err == (
        "\nAn error occurred (ValidationException) when calling the CreateKey operation: "
        "2 validation errors detected: Value 'ENCAPSULATE_DECAPSULATE' at 'keyUsage' failed "
        "to satisfy constraint: Member must satisfy enum value set: "
        f"[{usages}]; Value 'ML_KEM_768' at 'keySpec' failed to satisfy constraint: Member "
        f"must satisfy enum value set: [{specs}]\n"
    )
