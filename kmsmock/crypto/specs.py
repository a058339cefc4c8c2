"""Key specs: which key usages each allows and the algorithms KMS reports for them.

One table for CreateKey's validation, KeyMetadata and (later) GetPublicKey
(docs/kms-behaviour.md#key-specs).
"""

from __future__ import annotations

from typing import NamedTuple

ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"
SIGN_VERIFY = "SIGN_VERIFY"
GENERATE_VERIFY_MAC = "GENERATE_VERIFY_MAC"
KEY_AGREEMENT = "KEY_AGREEMENT"
ENCAPSULATE_DECAPSULATE = "ENCAPSULATE_DECAPSULATE"

# KeyMetadata carries exactly one algorithm list, chosen by the key usage.
ALGORITHM_FIELD = {
    ENCRYPT_DECRYPT: "EncryptionAlgorithms",
    SIGN_VERIFY: "SigningAlgorithms",
    GENERATE_VERIFY_MAC: "MacAlgorithms",
    KEY_AGREEMENT: "KeyAgreementAlgorithms",
    ENCAPSULATE_DECAPSULATE: "EncapsulationAlgorithms",
}

_RSA_ENCRYPTION = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")
# Order as observed from KMS (docs/kms-behaviour.md#key-specs).
_RSA_SIGNING = (
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
)
_ECDH = ("ECDH",)


class KeySpecInfo(NamedTuple):
    name: str
    algorithms: dict[str, tuple[str, ...]]  # key usage -> algorithms, in KMS's order
    # ML-DSA and Ed25519 are missing from the deprecated CustomerMasterKeySpec enum,
    # so KMS cannot report them under that name.
    has_customer_master_key_spec: bool = True
    china_only: bool = False
    # ML-KEM is the mirror image of SM2: every Region but China's (CreateKey's KeySpec
    # documentation in https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html).
    outside_china_only: bool = False
    symmetric: bool = False


def _spec(name: str, **kwargs: object) -> tuple[str, KeySpecInfo]:
    return name, KeySpecInfo(name, **kwargs)  # type: ignore[arg-type]


KEY_SPECS: dict[str, KeySpecInfo] = dict(
    [
        _spec(
            "SYMMETRIC_DEFAULT",
            algorithms={ENCRYPT_DECRYPT: ("SYMMETRIC_DEFAULT",)},
            symmetric=True,
        ),
        *(
            _spec(f"HMAC_{bits}", algorithms={GENERATE_VERIFY_MAC: (f"HMAC_SHA_{bits}",)})
            for bits in (224, 256, 384, 512)
        ),
        *(
            _spec(
                f"RSA_{bits}",
                algorithms={ENCRYPT_DECRYPT: _RSA_ENCRYPTION, SIGN_VERIFY: _RSA_SIGNING},
            )
            for bits in (2048, 3072, 4096)
        ),
        _spec("ECC_NIST_P256", algorithms={SIGN_VERIFY: ("ECDSA_SHA_256",), KEY_AGREEMENT: _ECDH}),
        _spec("ECC_NIST_P384", algorithms={SIGN_VERIFY: ("ECDSA_SHA_384",), KEY_AGREEMENT: _ECDH}),
        _spec("ECC_NIST_P521", algorithms={SIGN_VERIFY: ("ECDSA_SHA_512",), KEY_AGREEMENT: _ECDH}),
        _spec("ECC_SECG_P256K1", algorithms={SIGN_VERIFY: ("ECDSA_SHA_256",)}),
        _spec(
            "ECC_NIST_EDWARDS25519",
            algorithms={SIGN_VERIFY: ("ED25519_SHA_512", "ED25519_PH_SHA_512")},
            has_customer_master_key_spec=False,
        ),
        *(
            _spec(
                f"ML_DSA_{level}",
                algorithms={SIGN_VERIFY: ("ML_DSA_SHAKE_256",)},
                has_customer_master_key_spec=False,
            )
            for level in (44, 65, 87)
        ),
        _spec(
            "SM2",
            algorithms={
                ENCRYPT_DECRYPT: ("SM2PKE",),
                SIGN_VERIFY: ("SM2DSA",),
                KEY_AGREEMENT: _ECDH,
            },
            china_only=True,
        ),
        *(
            _spec(
                f"ML_KEM_{level}",
                algorithms={ENCAPSULATE_DECAPSULATE: ("ML_KEM",)},
                has_customer_master_key_spec=False,
                outside_china_only=True,
            )
            for level in (512, 768, 1024)
        ),
    ]
)


def available(spec: KeySpecInfo, china: bool) -> bool:
    """Whether KMS offers the spec in a Region of China (``china``) or elsewhere."""
    return not (spec.outside_china_only if china else spec.china_only)


def unavailable_specs(china: bool) -> frozenset[str]:
    """The key specs KMS does not offer in a Region of China (``china``) or elsewhere."""
    return frozenset(name for name, spec in KEY_SPECS.items() if not available(spec, china))
