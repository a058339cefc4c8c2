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
