"""Importing kmsmock or its pytest plugin loads neither botocore nor cryptography."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.strip()


def test_import_kmsmock_and_plugin_does_not_import_botocore_or_cryptography():
    output = _run(
        "import kmsmock, kmsmock.pytest_plugin, sys; "
        "print('botocore' in sys.modules, 'cryptography' in sys.modules)"
    )
    assert output == "False False"


def test_import_kmsmock_mock_kms_handle_does_not_import_botocore():
    # Building an activation (not starting it) is still cheap.
    output = _run(
        "import sys; from kmsmock import mock_kms; m = mock_kms(region='eu-west-1'); "
        "print('botocore' in sys.modules)"
    )
    assert output == "False"


def test_import_kmsmock_start_imports_botocore():
    # The check above can fail: the first start does load botocore.
    output = _run(
        "import os, sys; os.environ.update(AWS_ACCESS_KEY_ID='a', AWS_SECRET_ACCESS_KEY='b'); "
        "from kmsmock import mock_kms; m = mock_kms().start(); "
        "print('botocore' in sys.modules); m.stop()"
    )
    assert output == "True"


def test_import_kmsmock_server_does_not_import_botocore_or_cryptography():
    # The server module alone is cheap too: the HTTP door and the core load at start().
    output = _run(
        "import kmsmock.server, sys; "
        "print('botocore' in sys.modules, 'cryptography' in sys.modules)"
    )
    assert output == "False False"


def test_import_kmsmock_public_types_do_not_import_botocore_or_cryptography():
    # The handle's member types are public names too; reaching them stays cheap.
    output = _run(
        "import sys; "
        "from kmsmock import Call, CallJournal, Clock, Faults, Identities, KeyView, KmsMock; "
        "print('botocore' in sys.modules, 'cryptography' in sys.modules)"
    )
    assert output == "False False"


_FIRST_CALLS = (
    "import os, sys\n"
    "os.environ.update(AWS_ACCESS_KEY_ID='a', AWS_SECRET_ACCESS_KEY='b',\n"
    "    AWS_DEFAULT_REGION='us-east-1')\n"
    "import boto3\n"
    "from kmsmock import mock_kms\n"
    "from kmsmock.wire import model\n"
    "with mock_kms():\n"
    "    client = boto3.client('kms')\n"
    "    key = client.create_key()['KeyMetadata']['KeyId']\n"
    "    blob = client.encrypt(KeyId=key, Plaintext=b'hi')['CiphertextBlob']\n"
    "    assert client.decrypt(CiphertextBlob=blob)['Plaintext'] == b'hi'\n"
    "    heavy = ['kmsmock.crypto.asymmetric', 'kmsmock.crypto.attestation',\n"
    "             'kmsmock.crypto.unwrap', 'kmsmock.crypto.mlkem', 'cryptography.x509',\n"
    "             'wrapt', 'unittest', 'difflib']\n"
    "    print([name for name in heavy if name in sys.modules])\n"
    "    shared = client.meta.service_model._service_description\n"
    "    print(model.service_model()._service_description is shared)\n"
)


def test_encrypt_decrypt_first_symmetric_calls_load_no_asymmetric_engine_and_one_model():
    # A cold start's first symmetric calls need neither the asymmetric engines, nor what
    # only decorating or a fault's typo needs, nor a second parse of the KMS model (#12).
    assert _run(_FIRST_CALLS).splitlines() == ["[]", "True"]


def test_sign_first_asymmetric_call_loads_asymmetric_engine():
    # The check above can fail: an asymmetric call loads the engine when it needs it.
    code = _FIRST_CALLS.replace(
        "    heavy =",
        "    signer = client.create_key(KeySpec='ECC_NIST_P256', KeyUsage='SIGN_VERIFY')\n"
        "    client.sign(KeyId=signer['KeyMetadata']['KeyId'], Message=b'm',\n"
        "        SigningAlgorithm='ECDSA_SHA_256')\n"
        "    heavy =",
    )
    assert _run(code).splitlines() == [
        "['kmsmock.crypto.asymmetric', 'kmsmock.crypto.mlkem']",
        "True",
    ]
