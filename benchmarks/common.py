"""What every part of the in-process benchmark shares: the environment every contestant
runs in, the names of the contestants, and the sizes of the cases."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

# Every contestant signs with the same fake credentials and never looks at ~/.aws,
# the instance metadata service or a profile. Set on import: botocore reads the
# environment when a session is made, which happens only once ``main`` runs.
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

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_kms.literals import KeySpecType, KeyUsageTypeType

Run = Callable[[int], None]  # performs n operations
Contestant = Callable[[], AbstractContextManager[Run]]
MakeCall = Callable[["KMSClient"], Callable[[], object]]  # sets up, returns the call

FLOOR, KMSMOCK, MOTO = "floor", "kmsmock", "moto"
ACCOUNT = "123456789012"
REGION = "us-east-1"
LIST_KEYS_COUNT = 10
RANDOM_BYTES = 32
DECORATED_TESTS = 200
PLAINTEXT = bytes(range(64))  # what Encrypt encrypts and GenerateMac, Sign and Verify take
ENCRYPTION_CONTEXT = {"purpose": "benchmark", "tenant": "example"}
ALIAS_KEYS = 10_000  # keys in the account DescribeKey by alias looks through
ALIAS_NAME = "alias/benchmark"
# Memory per symmetric key: keys created after a warmup, inside one mock.
MEMORY_KEYS, MEMORY_WARMUP = 2_000, 200
MOTO_MEMORY_KEYS, MOTO_MEMORY_WARMUP = 100, 20  # moto makes an RSA key for each: fewer
MEMORY_TARGET = 1024  # bytes per symmetric key kmsmock holds itself to

# (KeySpec, KeyUsage) pairs CreateKey is measured with, and the subset --quick keeps.
CREATE_KEY_SPECS: list[tuple[KeySpecType, KeyUsageTypeType]] = [
    ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
    ("HMAC_256", "GENERATE_VERIFY_MAC"),
    ("RSA_2048", "SIGN_VERIFY"),
    ("RSA_3072", "SIGN_VERIFY"),
    ("RSA_4096", "SIGN_VERIFY"),
    ("ECC_NIST_P256", "SIGN_VERIFY"),
    ("ECC_NIST_P384", "SIGN_VERIFY"),
    ("ECC_NIST_P521", "SIGN_VERIFY"),
    ("ECC_SECG_P256K1", "SIGN_VERIFY"),
    ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"),
    ("ML_DSA_44", "SIGN_VERIFY"),
    ("ML_DSA_65", "SIGN_VERIFY"),
    ("ML_DSA_87", "SIGN_VERIFY"),
    ("SM2", "SIGN_VERIFY"),
]
# SM2 exists only in China's Regions (docs/kms-behaviour.md#china-regions): its case runs there.
CHINA_REGION = "cn-north-1"
QUICK_KEY_SPECS = {"SYMMETRIC_DEFAULT", "HMAC_256", "RSA_2048", "ECC_NIST_P256", "ML_DSA_44"}
