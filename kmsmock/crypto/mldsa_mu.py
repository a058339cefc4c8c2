"""ML-DSA signing and verifying from an external μ (FIPS 204 §6.2), for MessageType EXTERNAL_MU.

``cryptography`` signs only whole messages, so this uses the pure-Python ``dilithium-py``
(the optional extra ``kmsmock[ml-dsa]``), whose keys derive from the same 32-byte seed.
Verification from μ is FIPS 204 Algorithm 8 with μ given instead of computed; it uses
dilithium-py's building blocks, hence the pinned version range.
"""

from __future__ import annotations

from typing import Any

from kmsmock.crypto.extras import MissingExtra


def _parameters(level: int) -> Any:
    try:
        from dilithium_py import ml_dsa
    except ImportError:
        raise MissingExtra(
            "ML-DSA with MessageType EXTERNAL_MU", "dilithium-py", "kmsmock[ml-dsa]"
        ) from None
    return {44: ml_dsa.ML_DSA_44, 65: ml_dsa.ML_DSA_65, 87: ml_dsa.ML_DSA_87}[level]


def sign(level: int, seed: bytes, mu: bytes) -> bytes:
    scheme = _parameters(level)
    _, secret = scheme.key_derive(seed)
    signature: bytes = scheme.sign_external_mu(secret, mu)
    return signature


def verify(level: int, public: bytes, mu: bytes, signature: bytes) -> bool:
    s = _parameters(level)
    rho, t1 = s._unpack_pk(public)
    try:
        c_tilde, z, h = s._unpack_sig(signature)
    except ValueError:
        return False
    if h.sum_hint() > s.omega or z.check_norm_bound(s.gamma_1 - s.beta):
        return False
    a_hat = s._expand_matrix_from_seed(rho)
    c = s.R.sample_in_ball(c_tilde, s.tau).to_ntt()
    t1 = t1.scale(1 << s.d).to_ntt()
    w = ((a_hat @ z.to_ntt()) - t1.scale(c)).from_ntt()
    w_prime = h.use_hint(w, 2 * s.gamma_2)
    expected: bytes = s._h(mu + w_prime.bit_pack_w(s.gamma_2), s.c_tilde_bytes)
    return bool(c_tilde == expected)
