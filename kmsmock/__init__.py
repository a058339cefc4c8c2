"""kmsmock: an in-process mock of AWS Key Management Service for botocore and boto3.

>>> import boto3
>>> from kmsmock import mock_kms
>>> with mock_kms():
...     kms = boto3.client("kms")
...     key = kms.create_key(Description="example")["KeyMetadata"]
"""

from __future__ import annotations

from kmsmock._activation import KmsMock, mock_kms
from kmsmock.errors import (
    ActivationError,
    ExtraNotInstalledError,
    FeatureNotImplementedError,
    KmsMockError,
    OperationNotImplementedError,
    ParameterNotImplementedError,
    RequestRefusedError,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "ActivationError",
    "ExtraNotInstalledError",
    "FeatureNotImplementedError",
    "KmsMock",
    "KmsMockError",
    "OperationNotImplementedError",
    "ParameterNotImplementedError",
    "RequestRefusedError",
    "__version__",
    "mock_kms",
]
