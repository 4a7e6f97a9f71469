"""Verifying bearer tokens: the local HS256 secret, or an identity provider's RS256 keys."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from imc_runtime import auth as auth_module
from imc_runtime.auth import (
    CurrentPrincipal,
    InvalidToken,
    TokenVerifier,
    mint,
    preferred_language,
    verify,
)
from imc_runtime.settings import DEFAULT_JWT_SECRET, ServiceSettings

SETTINGS_SECRET = DEFAULT_JWT_SECRET
FUTURE = datetime.now(UTC) + timedelta(days=1)
PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def claims(**extra: object) -> dict[str, object]:
    return {
        "sub": "karim.ouali@example.net",
        "role": "officer",
        "municipality_id": "berkane",
        "iss": "imc-hub",
        "exp": datetime.now(UTC) + timedelta(minutes=5),
        **extra,
    }


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_locally_tokens_are_hs256_with_the_shared_secret() -> None:
    settings = ServiceSettings()
    principal = TokenVerifier(settings).verify(
        mint(settings, subject="a@example.org", role="coordinator")
    )
    assert (principal.subject, principal.role) == ("a@example.org", "coordinator")


def test_with_a_public_key_file_only_rs256_tokens_of_that_key_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "idp.pem"
    key_file.write_bytes(public_pem(PRIVATE))
    monkeypatch.setenv("IMC_JWT_PUBLIC_KEY_FILE", str(key_file))
    settings = ServiceSettings()
    verifier = TokenVerifier(settings)
    principal = verifier.verify(jwt.encode(claims(), PRIVATE, algorithm="RS256"))
    assert (principal.role, principal.municipality_id) == ("officer", "berkane")
    with pytest.raises(InvalidToken):
        verifier.verify(jwt.encode(claims(), OTHER, algorithm="RS256"))
    with pytest.raises(InvalidToken):
        verifier.verify(mint(settings, subject="a@example.org", role="coordinator"))


def test_with_a_jwks_file_the_key_is_chosen_by_its_kid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PRIVATE.public_key()))
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig"}]}))
    monkeypatch.setenv("IMC_JWT_JWKS_FILE", str(jwks_file))
    monkeypatch.setenv("IMC_JWT_AUDIENCE", "imc-hub-api")
    verifier = TokenVerifier(ServiceSettings())
    good = jwt.encode(claims(aud="imc-hub-api"), PRIVATE, algorithm="RS256", headers={"kid": "k1"})
    assert verifier.verify(good).subject == "karim.ouali@example.net"
    unknown_kid = jwt.encode(
        claims(aud="imc-hub-api"), PRIVATE, algorithm="RS256", headers={"kid": "k2"}
    )
    with pytest.raises(InvalidToken):
        verifier.verify(unknown_kid)
    wrong_audience = jwt.encode(
        claims(aud="elsewhere"), PRIVATE, algorithm="RS256", headers={"kid": "k1"}
    )
    with pytest.raises(InvalidToken):
        verifier.verify(wrong_audience)


def test_an_officer_token_without_a_municipality_is_refused() -> None:
    settings = ServiceSettings()
    token = jwt.encode(
        claims(municipality_id=None), settings.jwt_secret.get_secret_value(), algorithm="HS256"
    )
    with pytest.raises(InvalidToken):
        TokenVerifier(settings).verify(token)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr", "fr"),
        ("ar-MA,ar;q=0.9,fr;q=0.8", "ar"),
        ("de-DE,de;q=0.9,nl;q=0.5,en;q=0.4", "nl"),
        ("en;q=0.2, fr;q=0.7", "fr"),
        ("fr;q=0, en", "en"),
        ("de, es", None),
        ("fr;q=abc, nl", "nl"),
        ("", None),
        (None, None),
    ],
)
def test_accept_language_names_the_programme_language_ranked_first(
    header: str | None, expected: str | None
) -> None:
    assert preferred_language(header) == expected


def app_answering_the_callers_language() -> FastAPI:
    app = FastAPI()
    app.state.verifier = TokenVerifier(ServiceSettings())

    @app.get("/me")
    def me(principal: CurrentPrincipal) -> dict[str, str | None]:
        return {"language": principal.language}

    return app


def test_the_screens_language_outranks_the_tokens_and_the_token_decides_otherwise() -> None:
    settings = ServiceSettings()
    token = mint(settings, subject="karim.ouali@example.net", role="viewer", language="ar")
    client = TestClient(app_answering_the_callers_language())
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/me", headers=bearer).json() == {"language": "ar"}
    french = {**bearer, "Accept-Language": "fr-BE,fr;q=0.9"}
    assert client.get("/me", headers=french).json() == {"language": "fr"}
    german = {**bearer, "Accept-Language": "de-DE"}
    assert client.get("/me", headers=german).json() == {"language": "ar"}


def forged(claims: dict[str, object], secret: str = SETTINGS_SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (
            lambda: forged(
                {"sub": "x@example.org", "role": "admin<script>", "iss": "imc-hub", "exp": FUTURE}
            ),
            "the token's claims are not valid: role",
        ),
        (lambda: "abc.<script>.def", "the token is malformed"),
        (
            lambda: forged(
                {"sub": "x", "iss": "imc-hub", "exp": FUTURE}, "another-secret-0123456789-abcdefgh"
            ),
            "the token's signature does not verify",
        ),
        (lambda: forged({"sub": "x", "iss": "evil<b>", "exp": FUTURE}), "issued by someone else"),
        (lambda: forged({"sub": "x", "iss": "imc-hub", "exp": 1}), "the token has expired"),
        (lambda: forged({"iss": "imc-hub", "exp": FUTURE}), "lacks the 'sub' claim"),
    ],
)
def test_a_refused_token_is_named_in_words_of_our_own_never_its_contents(
    token: Callable[[], str], reason: str
) -> None:
    with pytest.raises(InvalidToken) as refused:
        verify(ServiceSettings(), token())
    message = str(refused.value)
    assert reason in message
    assert "<" not in message
    assert "input" not in message


def test_a_token_verified_once_is_checked_again_only_once_past_its_expiry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = ServiceSettings()
    verifier = TokenVerifier(settings)
    token = forged(claims(exp=datetime.now(UTC) + timedelta(seconds=30)))
    decoded: list[str] = []
    real_decode = jwt.decode

    def counting(*args: Any, **kwargs: Any) -> Any:
        decoded.append(args[0])
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    first, again = verifier.verify(token), verifier.verify(token)
    assert first == again
    assert first.subject == "karim.ouali@example.net"
    assert len(decoded) == 1
    later = time.time() + 31
    monkeypatch.setattr(time, "time", lambda: later)  # its 30 seconds have passed
    verifier.verify(token)  # checked again (PyJWT's clock, not patched, still accepts it)
    assert len(decoded) == 2


def test_the_verified_tokens_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth_module, "VERIFIED_KEPT", 3)
    verifier = TokenVerifier(ServiceSettings())
    tokens = [forged(claims(sub=f"officer{n}@example.org")) for n in range(5)]
    assert [verifier.verify(token).subject for token in tokens] == [
        f"officer{n}@example.org" for n in range(5)
    ]
    assert len(verifier._verified) == 3
