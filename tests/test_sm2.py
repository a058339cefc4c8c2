"""kmsmock's own SM2 and SM3 against the worked examples of GB/T 32905 and GB/T 32918.

The examples fix the nonce k, so each signature and ciphertext is checked to the bit.
Interoperability with OpenSSL is tested through boto3 in tests/operations/test_sm2.py.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from kmsmock.crypto import sm2 as _sm2
from kmsmock.crypto.sm3 import sm3, sm3_python


def h(text: str) -> int:
    return int(text.replace(" ", ""), 16)


def fixed(k: int) -> Callable[[int], bytes]:
    """An entropy source that yields the example's nonce."""
    return lambda size: k.to_bytes(size, "big")


# The example curve of GB/T 32918 Annex A (Fp-256), not the one KMS uses.
EXAMPLE_CURVE = _sm2.Curve(
    p=h("8542D69E 4C044F18 E8B92435 BF6FF7DE 45728391 5C45517D 722EDB8B 08F1DFC3"),
    a=h("787968B4 FA32C3FD 2417842E 73BBFEFF 2F3C848B 6831D7E0 EC65228B 3937E498"),
    b=h("63E4C6D3 B23B0C84 9CF84241 484BFE48 F61D59A5 B16BA06E 6E12D1DA 27C5249A"),
    n=h("8542D69E 4C044F18 E8B92435 BF6FF7DD 29772063 0485628D 5AE74EE7 C32E79B7"),
    gx=h("421DEBD6 1B62EAB6 746434EB C3CC315E 32220B3B ADD50BDC 4C4E6C14 7FEDD43D"),
    gy=h("0680512B CBB42C07 D47349D2 153B70C4 E5D7FDFC BFA36EA1 A85841B9 E46E09A2"),
)
RECOMMENDED_D = h("3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8")
RECOMMENDED_K = h("59276E27 D506861A 16680F3A D9C02DCC EF3CC1FA 3CDBE4CE 6D54B80D EAC1BC21")

SM3_VECTORS = [
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
]


@pytest.mark.parametrize(("message", "expected"), SM3_VECTORS)
@pytest.mark.parametrize("implementation", [sm3, sm3_python], ids=["sm3", "sm3_python"])
def test_sm3_matches_gb_t_32905_examples(implementation, message, expected):
    assert implementation(message).hex() == expected


@pytest.mark.parametrize("length", [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000])
def test_sm3_python_matches_openssl_at_padding_boundaries(length):
    if "sm3" not in hashlib.algorithms_available:
        pytest.skip("this Python's OpenSSL has no SM3")
    data = os.urandom(length)
    assert sm3_python(data) == hashlib.new("sm3", data).digest()


def test_private_key_on_recommended_curve_has_the_examples_public_key():
    public = _sm2.private_key(RECOMMENDED_D).public
    assert public.x == h("09F9DF31 1E5421A1 50DD7D16 1E4BC5C6 72179FAD 1833FC07 6BB08FF3 56F35020")
    assert public.y == h("CCEA490C E26775A5 2DC6EA71 8CC1AA60 0AED05FB F35E084A 6632F607 2DA9AD13")


def test_sign_on_recommended_curve_with_default_id_matches_example():
    private = _sm2.private_key(RECOMMENDED_D)
    digest = _sm2.message_digest(private.public, b"message digest")
    r, s = _sm2.sign_digest(private, digest, fixed(RECOMMENDED_K))
    assert r == h("F5A03B06 48D2C463 0EEAC513 E1BB81A1 5944DA38 27D5B741 43AC7EAC EEE720B3")
    assert s == h("B1B6AA29 DF212FD8 763182BC 0D421CA1 BB9038FD 1F7F42D4 840B69C4 85BBC1AA")
    assert _sm2.verify_digest(private.public, digest, r, s)


def test_sign_on_example_curve_with_alice_id_matches_gb_t_32918_annex_a():
    private = _sm2.private_key(
        h("128B2FA8 BD433C6C 068C8D80 3DFF7979 2A519A55 171B1B65 0C23661D 15897263"),
        EXAMPLE_CURVE,
    )
    assert private.public.x == h(
        "0AE4C779 8AA0F119 471BEE11 825BE462 02BB79E2 A5844495 E97C04FF 4DF2548A"
    )
    digest = _sm2.message_digest(private.public, b"message digest", b"ALICE123@YAHOO.COM")
    k = h("6CB28D99 385C175C 94F94E93 4817663F C176D925 DD72B727 260DBAAE 1FB2F96F")
    r, s = _sm2.sign_digest(private, digest, fixed(k))
    assert r == h("40F1EC59 F793D9F4 9E09DCEF 49130D41 94F79FB1 EED2CAA5 5BACDB49 C4E755D1")
    assert s == h("6FC6DAC3 2C5D5CF1 0C77DFB2 0F7C2EB6 67A45787 2FB09EC5 6327A67E C7DEEBE7")
    assert _sm2.verify_digest(private.public, digest, r, s)


def test_encrypt_on_recommended_curve_matches_example():
    private = _sm2.private_key(RECOMMENDED_D)
    x1, y1, c3, c2 = _sm2.encrypt_parts(
        private.public, b"encryption standard", fixed(RECOMMENDED_K)
    )
    assert x1 == h("04EBFC71 8E8D1798 62043226 8E77FEB6 415E2EDE 0E073C0F 4F640ECD 2E149A73")
    assert y1 == h("E858F9D8 1E5430A5 7B36DAAB 8F950A3C 64E6EE6A 63094D99 283AFF76 7E124DF0")
    assert c2 == bytes.fromhex("21886CA989CA9C7D58087307CA93092D651EFA")
    assert c3 == bytes.fromhex("59983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD8766")
    assert _sm2.decrypt_parts(private, x1, y1, c3, c2) == b"encryption standard"


def test_encrypt_on_example_curve_matches_gb_t_32918_annex_a():
    private = _sm2.private_key(
        h("1649AB77 A00637BD 5E2EFE28 3FBF3535 34AA7F7C B89463F2 08DDBC29 20BB0DA0"),
        EXAMPLE_CURVE,
    )
    k = h("4C62EEFD 6ECFC2B9 5B92FD6C 3D957514 8AFA1742 5546D490 18E5388D 49DD7B4F")
    x1, y1, c3, c2 = _sm2.encrypt_parts(private.public, b"encryption standard", fixed(k))
    assert x1 == h("245C26FB 68B1DDDD B12C4B6B F9F2B6D5 FE60A383 B0D18D1C 4144ABF1 7F6252E7")
    assert y1 == h("76CB9264 C2A7E88E 52B19903 FDC47378 F605E368 11F5C074 23A24B84 400F01B8")
    assert c2 == bytes.fromhex("650053A89B41C418B0C3AAD00D886C00286467")
    assert c3 == bytes.fromhex("9C3D7360C30156FAB7C80A0276712DA9D8094A634B766D3A285E07480653426D")


@pytest.fixture
def private() -> _sm2.PrivateKey:
    return _sm2.generate(os.urandom)


def test_verify_rejects_other_digest_and_altered_signature(private):
    digest = _sm2.message_digest(private.public, b"message")
    r, s = _sm2.sign_digest(private, digest, os.urandom)
    assert _sm2.verify(private.public, digest, encode_dss_signature(r, s))
    assert not _sm2.verify(
        private.public, _sm2.message_digest(private.public, b"other"), encode_dss_signature(r, s)
    )
    assert not _sm2.verify(private.public, digest, encode_dss_signature(r, s + 1))
    assert not _sm2.verify(private.public, digest, encode_dss_signature(0, s))
    assert not _sm2.verify(private.public, digest, b"not DER")
    # The same (r, s) with a needless leading zero in r: DER allows one encoding only.
    canonical = encode_dss_signature(r, s)
    r_bytes = r.to_bytes((r.bit_length() + 8) // 8, "big")
    padded = b"\x02" + bytes([len(r_bytes) + 1]) + b"\x00" + r_bytes
    rest = canonical[2 + 2 + len(r_bytes) :]
    body = padded + rest
    assert not _sm2.verify(private.public, digest, b"\x30" + bytes([len(body)]) + body)


def test_decrypt_rejects_tampering_and_malformed_ciphertext(private):
    ciphertext = _sm2.encrypt(private.public, b"secret", os.urandom)
    assert _sm2.decrypt(private, ciphertext) == b"secret"
    for index in range(len(ciphertext)):
        tampered = bytearray(ciphertext)
        tampered[index] ^= 0x01
        assert _sm2.decrypt(private, bytes(tampered)) != b"secret"
    for malformed in (b"", b"\x30\x00", ciphertext[:-1], ciphertext + b"\x00", b"\x30" * 200):
        assert _sm2.decrypt(private, malformed) is None


def test_exchange_is_symmetric(private):
    peer = _sm2.generate(os.urandom)
    assert _sm2.exchange(private, peer.public) == _sm2.exchange(peer, private.public)


def test_load_spki_round_trips_and_rejects_other_keys(private):
    assert _sm2.load_spki(_sm2.spki(private.public)) == private.public
    p256 = ec.generate_private_key(ec.SECP256R1()).public_key()
    assert (
        _sm2.load_spki(p256.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)) is None
    )
    off_curve = bytearray(_sm2.spki(private.public))
    off_curve[-1] ^= 0x01
    assert _sm2.load_spki(bytes(off_curve)) is None


def test_load_pkcs8_round_trips_and_refuses_other_documents(private):
    assert _sm2.load_pkcs8(_sm2.pkcs8(private)) == private
    tampered = bytearray(_sm2.pkcs8(private))
    tampered[-1] ^= 0x01  # the public key no longer belongs to the private one
    assert _sm2.load_pkcs8(bytes(tampered)) is None
    p256 = ec.generate_private_key(ec.SECP256R1())
    p256_der = p256.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    for other in (b"", b"garbage", p256_der, _sm2.pkcs8(private)[:-1]):
        assert _sm2.load_pkcs8(other) is None
