"""The AWS CLI v1, run in-process against kmsmock, for encryption, data keys and rotation,
with ``fileb://`` inputs as a shell user passes binary data to ``aws kms``."""

from __future__ import annotations

import base64
from pathlib import Path

from tests.cli._cli import Aws, empty, failed, key_arn, ok

SECRET = b"\x00\x01binary secret\xff\xfe\n"


def create_key(aws: Aws) -> str:
    key_id: str = ok(aws("kms", "create-key"))["KeyMetadata"]["KeyId"]
    return key_id


def write(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path``; the ``fileb://`` argument naming it."""
    path.write_bytes(data)
    return f"fileb://{path}"


def material_id(aws: Aws, key_id: str) -> str:
    meta = ok(aws("kms", "describe-key", "--key-id", key_id))["KeyMetadata"]
    current: str = meta["CurrentKeyMaterialId"]
    return current


# Encrypt / Decrypt / ReEncrypt -------------------------------------------------------------


def test_cli_encrypt_then_decrypt_returns_original_bytes(aws, tmp_path: Path):
    key_id = create_key(aws)
    encrypted = ok(
        aws("kms", "encrypt", "--key-id", key_id, "--plaintext", write(tmp_path / "in", SECRET))
    )
    assert encrypted == {
        "CiphertextBlob": encrypted["CiphertextBlob"],
        "KeyId": key_arn(key_id),
        "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
    }
    # As a user does: --query CiphertextBlob --output text | base64 --decode > blob
    blob = base64.b64decode(encrypted["CiphertextBlob"])
    blob_arg = write(tmp_path / "blob", blob)

    decrypted = ok(aws("kms", "decrypt", "--ciphertext-blob", blob_arg))
    assert decrypted == {
        "KeyId": key_arn(key_id),
        "Plaintext": base64.b64encode(SECRET).decode(),
        "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "KeyMaterialId": material_id(aws, key_id),
    }
    assert base64.b64decode(decrypted["Plaintext"]) == SECRET

    text = aws(
        "kms", "decrypt", "--ciphertext-blob", blob_arg, "--query", "Plaintext", output="text"
    )
    assert (text.rc, text.err) == (0, "")
    assert text.out == base64.b64encode(SECRET).decode() + "\n"
    assert base64.b64decode(text.out) == SECRET


def test_cli_encrypt_with_context_decrypts_only_with_context(aws, tmp_path: Path):
    key_id = create_key(aws)
    empty(aws("kms", "create-alias", "--alias-name", "alias/cli", "--target-key-id", key_id))
    encrypted = ok(
        aws(
            "kms",
            "encrypt",
            "--key-id",
            "alias/cli",
            "--plaintext",
            write(tmp_path / "in", SECRET),
            "--encryption-context",
            "purpose=backup,team=ops",
        )
    )
    blob_arg = write(tmp_path / "blob", base64.b64decode(encrypted["CiphertextBlob"]))
    decrypted = ok(
        aws(
            "kms",
            "decrypt",
            "--ciphertext-blob",
            blob_arg,
            "--encryption-context",
            '{"team": "ops", "purpose": "backup"}',
        )
    )
    assert base64.b64decode(decrypted["Plaintext"]) == SECRET
    failed(
        aws("kms", "decrypt", "--ciphertext-blob", blob_arg),
        "InvalidCiphertextException",
        "Decrypt",
        "",
    )


def test_cli_decrypt_with_other_key_id_prints_incorrect_key(aws, tmp_path: Path):
    key_id = create_key(aws)
    other = create_key(aws)
    encrypted = ok(
        aws("kms", "encrypt", "--key-id", key_id, "--plaintext", write(tmp_path / "in", SECRET))
    )
    blob_arg = write(tmp_path / "blob", base64.b64decode(encrypted["CiphertextBlob"]))
    failed(
        aws("kms", "decrypt", "--ciphertext-blob", blob_arg, "--key-id", other),
        "IncorrectKeyException",
        "Decrypt",
        "The key ID in the request does not identify a CMK that can perform this operation.",
    )


def test_cli_re_encrypt_moves_ciphertext_to_destination_key(aws, tmp_path: Path):
    source = create_key(aws)
    destination = create_key(aws)
    encrypted = ok(
        aws("kms", "encrypt", "--key-id", source, "--plaintext", write(tmp_path / "in", SECRET))
    )
    blob_arg = write(tmp_path / "blob", base64.b64decode(encrypted["CiphertextBlob"]))
    moved = ok(
        aws(
            "kms",
            "re-encrypt",
            "--ciphertext-blob",
            blob_arg,
            "--destination-key-id",
            destination,
            "--destination-encryption-context",
            "stage=archive",
        )
    )
    assert moved == {
        "CiphertextBlob": moved["CiphertextBlob"],
        "SourceKeyId": key_arn(source),
        "KeyId": key_arn(destination),
        "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "SourceKeyMaterialId": material_id(aws, source),
        "DestinationKeyMaterialId": material_id(aws, destination),
    }
    new_blob_arg = write(tmp_path / "moved", base64.b64decode(moved["CiphertextBlob"]))
    decrypted = ok(
        aws(
            "kms",
            "decrypt",
            "--ciphertext-blob",
            new_blob_arg,
            "--encryption-context",
            "stage=archive",
        )
    )
    assert decrypted["KeyId"] == key_arn(destination)
    assert base64.b64decode(decrypted["Plaintext"]) == SECRET


# Data keys ---------------------------------------------------------------------------------


def test_cli_generate_data_key_plaintext_matches_decrypted_blob(aws, tmp_path: Path):
    key_id = create_key(aws)
    generated = ok(aws("kms", "generate-data-key", "--key-id", key_id, "--key-spec", "AES_256"))
    assert generated == {
        "CiphertextBlob": generated["CiphertextBlob"],
        "Plaintext": generated["Plaintext"],
        "KeyId": key_arn(key_id),
        "KeyMaterialId": material_id(aws, key_id),
    }
    data_key = base64.b64decode(generated["Plaintext"])
    assert len(data_key) == 32
    blob_arg = write(tmp_path / "key.enc", base64.b64decode(generated["CiphertextBlob"]))
    decrypted = ok(aws("kms", "decrypt", "--ciphertext-blob", blob_arg))
    assert base64.b64decode(decrypted["Plaintext"]) == data_key


def test_cli_generate_data_key_without_plaintext_blob_decrypts(aws, tmp_path: Path):
    key_id = create_key(aws)
    generated = ok(
        aws(
            "kms",
            "generate-data-key-without-plaintext",
            "--key-id",
            key_arn(key_id),
            "--number-of-bytes",
            "64",
            "--encryption-context",
            "file=report.pdf",
        )
    )
    assert generated == {
        "CiphertextBlob": generated["CiphertextBlob"],
        "KeyId": key_arn(key_id),
        "KeyMaterialId": material_id(aws, key_id),
    }
    blob_arg = write(tmp_path / "key.enc", base64.b64decode(generated["CiphertextBlob"]))
    decrypted = ok(
        aws(
            "kms",
            "decrypt",
            "--ciphertext-blob",
            blob_arg,
            "--encryption-context",
            "file=report.pdf",
        )
    )
    assert len(base64.b64decode(decrypted["Plaintext"])) == 64


def test_cli_generate_data_key_neither_size_prints_validation_error(aws):
    key_id = create_key(aws)
    failed(
        aws("kms", "generate-data-key", "--key-id", key_id),
        "ValidationException",
        "GenerateDataKey",
        "Please specify either number of bytes or key spec.",
    )


# Rotation ----------------------------------------------------------------------------------


def test_cli_enable_get_disable_key_rotation(aws, client):
    key_id = create_key(aws)
    assert ok(aws("kms", "get-key-rotation-status", "--key-id", key_id)) == {
        "KeyRotationEnabled": False,
        "KeyId": key_arn(key_id),
    }
    empty(
        aws(
            "kms",
            "enable-key-rotation",
            "--key-id",
            key_id,
            "--rotation-period-in-days",
            "180",
        )
    )
    next_date = client.get_key_rotation_status(KeyId=key_id)["NextRotationDate"]
    assert ok(aws("kms", "get-key-rotation-status", "--key-id", key_arn(key_id))) == {
        "KeyRotationEnabled": True,
        "KeyId": key_arn(key_id),
        "RotationPeriodInDays": 180,
        "NextRotationDate": next_date.timestamp(),
    }
    empty(aws("kms", "disable-key-rotation", "--key-id", key_id))
    assert ok(aws("kms", "get-key-rotation-status", "--key-id", key_id)) == {
        "KeyRotationEnabled": False,
        "KeyId": key_arn(key_id),
    }


def test_cli_enable_key_rotation_long_period_prints_validation_error(aws):
    key_id = create_key(aws)
    # botocore does not check maxima, so kmsmock is what answers
    # (docs/kms-behaviour.md#client-side-validation).
    failed(
        aws("kms", "enable-key-rotation", "--key-id", key_id, "--rotation-period-in-days", "2561"),
        "ValidationException",
        "EnableKeyRotation",
        "1 validation error detected: Value '2561' at 'rotationPeriodInDays' failed to satisfy "
        "constraint: Member must have value less than or equal to 2560",
    )
    assert ok(aws("kms", "get-key-rotation-status", "--key-id", key_id)) == {
        "KeyRotationEnabled": False,
        "KeyId": key_arn(key_id),
    }


def test_cli_rotate_key_on_demand_and_list_key_rotations(aws, client, tmp_path: Path):
    key_id = create_key(aws)
    initial = material_id(aws, key_id)
    encrypted = ok(
        aws("kms", "encrypt", "--key-id", key_id, "--plaintext", write(tmp_path / "in", SECRET))
    )
    assert ok(aws("kms", "rotate-key-on-demand", "--key-id", key_id)) == {"KeyId": key_arn(key_id)}
    rotated = material_id(aws, key_id)
    assert rotated != initial
    date = client.list_key_rotations(KeyId=key_id)["Rotations"][0]["RotationDate"]
    # The CLI follows the paginator, so the paging fields are not printed.
    assert ok(aws("kms", "list-key-rotations", "--key-id", key_id)) == {
        "Rotations": [
            {
                "KeyId": key_id,
                "KeyMaterialId": rotated,
                "KeyMaterialState": "CURRENT",
                "RotationDate": date.timestamp(),
                "RotationType": "ON_DEMAND",
            }
        ]
    }
    listed = ok(
        aws(
            "kms",
            "list-key-rotations",
            "--key-id",
            key_id,
            "--include-key-material",
            "ALL_KEY_MATERIAL",
        )
    )["Rotations"]
    assert [(e["KeyMaterialId"], e["KeyMaterialState"]) for e in listed] == [
        (initial, "NON_CURRENT"),
        (rotated, "CURRENT"),
    ]
    # Ciphertext from before the rotation still decrypts, with the material it names.
    blob_arg = write(tmp_path / "blob", base64.b64decode(encrypted["CiphertextBlob"]))
    decrypted = ok(aws("kms", "decrypt", "--ciphertext-blob", blob_arg))
    assert decrypted["KeyMaterialId"] == initial
    assert base64.b64decode(decrypted["Plaintext"]) == SECRET


def test_cli_rotate_key_on_demand_hmac_key_prints_unsupported_operation(aws):
    key_id = ok(
        aws(
            "kms",
            "create-key",
            "--key-spec",
            "HMAC_256",
            "--key-usage",
            "GENERATE_VERIFY_MAC",
        )
    )["KeyMetadata"]["KeyId"]
    failed(
        aws("kms", "rotate-key-on-demand", "--key-id", key_id),
        "UnsupportedOperationException",
        "RotateKeyOnDemand",
        "",
    )
