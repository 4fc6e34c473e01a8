"""Keys, JWKS and signed client assertions for the SMART tests (only `cryptography` and
`jwt`, as a real backend client would use)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


def jwks_of(*keys: tuple[Any, str]) -> dict[str, Any]:
    """The public JWKS of (private key, kid) pairs."""
    out = []
    for private, kid in keys:
        if isinstance(private, rsa.RSAPrivateKey):
            jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
            jwk["alg"] = "RS384"
        else:
            jwk = json.loads(ECAlgorithm.to_jwk(private.public_key()))
            jwk["alg"] = "ES384"
        jwk.update(kid=kid, use="sig")
        out.append(jwk)
    return {"keys": out}


def assertion(*, client_id: str, token_url: str, key: Any, kid: str, alg: str | None = None,
              exp_in: int = 240, jti: str | None = None, **overrides: Any) -> str:
    """A SMART Backend Services client assertion (SMART App Launch 2, 'Backend Services')."""
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": token_url, "exp": now + exp_in,
              "jti": jti or uuid.uuid4().hex, **overrides}
    alg = alg or ("RS384" if isinstance(key, rsa.RSAPrivateKey) else "ES384")
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid, "typ": "JWT"})


def token_form(signed: str, scope: str = "system/*.rs") -> dict[str, str]:
    return {"grant_type": "client_credentials", "scope": scope,
            "client_assertion_type": JWT_BEARER, "client_assertion": signed}
