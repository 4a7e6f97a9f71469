"""Bearer tokens: who is calling, and what their role lets them do.

Locally, tokens are HS256 JWTs signed with the shared secret from settings; ``python -m
imc_runtime.auth`` mints them. In production the services may be pointed at an identity
provider's public key instead — a PEM file (``IMC_JWT_PUBLIC_KEY_FILE``) or a JWKS document
(``IMC_JWT_JWKS_FILE``, keys chosen by the token's ``kid``), read once at start-up, with an
optional audience (``IMC_JWT_AUDIENCE``). The claims are the same either way: ``sub``,
``role``, ``municipality_id``, ``language``. A request's ``Accept-Language`` (one of the
programme's languages) outranks the token's ``language``: the person reads the answer in the
language their screen is in, whatever their account says.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, cast, get_args

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from imc_contracts import Language
from pydantic import ValidationError

from imc_runtime.principal import Principal, Role
from imc_runtime.settings import ServiceSettings

__all__ = ["CurrentPrincipal", "InvalidToken", "Principal", "Role", "TokenVerifier", "mint"]


VERIFIED_KEPT = 1_000
"""How many verified tokens a service remembers (each until its expiry), so a caller's next
request costs a dictionary look-up, not a signature check."""


class InvalidToken(Exception):
    """A token that is malformed, expired, wrongly signed or missing a claim."""


def mint(
    settings: ServiceSettings,
    *,
    subject: str,
    role: Role,
    municipality_id: str | None = None,
    language: Language | None = None,
    valid_for: timedelta = timedelta(days=30),
) -> str:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": subject,
        "role": role,
        "iss": settings.jwt_issuer,
        "iat": now,
        "exp": now + valid_for,
    }
    if municipality_id:
        claims["municipality_id"] = municipality_id
    if language:
        claims["language"] = language
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


class TokenVerifier:
    """Checks a token's signature, issuer, audience and expiry, and reads its principal."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._keys: dict[str | None, Any] = {}
        if settings.jwt_jwks_file is not None:
            self._algorithms = ["RS256"]
            jwks = jwt.PyJWKSet.from_dict(_read_json(settings.jwt_jwks_file))
            self._keys = {key.key_id: key.key for key in jwks.keys}
        elif settings.jwt_public_key_file is not None:
            self._algorithms = ["RS256"]
            self._keys = {None: Path(settings.jwt_public_key_file).read_text("utf-8")}
        else:
            self._algorithms = ["HS256"]
            self._keys = {None: settings.jwt_secret.get_secret_value()}
        self._verified: dict[str, tuple[float, Principal]] = {}

    @property
    def algorithms(self) -> list[str]:
        return list(self._algorithms)

    def verify(self, token: str) -> Principal:
        """The token's principal; a token verified before is not verified again until it
        expires (the keys are read once, at start-up, so its answer cannot change)."""
        kept = self._verified.get(token)
        if kept is not None and time.time() < kept[0]:
            return kept[1]
        expires, principal = self._verify(token)
        self._verified.pop(token, None)
        self._verified[token] = (expires, principal)
        if len(self._verified) > VERIFIED_KEPT:
            del self._verified[next(iter(self._verified))]  # the one verified longest ago
        return principal

    def _verify(self, token: str) -> tuple[float, Principal]:
        try:
            header = jwt.get_unverified_header(token)
            key = self._key_for(header.get("kid"))
            claims = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["sub", "exp", "iss"], "verify_aud": bool(self._audience)},
            )
            principal = Principal(
                subject=claims["sub"],
                role=claims.get("role", "viewer"),
                municipality_id=claims.get("municipality_id"),
                language=claims.get("language"),
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(_why(error)) from error
        except ValidationError as error:
            # The claim's name, never its value: a token's contents are not echoed back.
            wrong = sorted({str(item["loc"][0]) for item in error.errors() if item["loc"]})
            raise InvalidToken(f"the token's claims are not valid: {', '.join(wrong)}") from error
        if principal.role == "officer" and not principal.municipality_id:
            raise InvalidToken("an officer token must name its municipality")
        return float(claims["exp"]), principal

    def _key_for(self, key_id: object) -> Any:
        if None in self._keys:
            return self._keys[None]
        if isinstance(key_id, str) and key_id in self._keys:
            return self._keys[key_id]
        raise InvalidToken("the token's key (kid) is not one of the identity provider's keys")


def _why(error: jwt.PyJWTError) -> str:
    """What is wrong with a token, in words of our own: PyJWT's messages may quote it."""
    if isinstance(error, jwt.ExpiredSignatureError):
        return "the token has expired"
    if isinstance(error, jwt.ImmatureSignatureError):
        return "the token is not valid yet"
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"the token lacks the {error.claim!r} claim"
    if isinstance(error, jwt.InvalidIssuerError):
        return "the token was issued by someone else"
    if isinstance(error, jwt.InvalidAudienceError):
        return "the token is meant for another audience"
    if isinstance(error, jwt.InvalidSignatureError):
        return "the token's signature does not verify"
    if isinstance(error, jwt.InvalidAlgorithmError):
        return "the token is signed with an algorithm this service does not accept"
    return "the token is malformed"


def _read_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text("utf-8"))
    return data


def verify(settings: ServiceSettings, token: str) -> Principal:
    """Verify one token with ``settings``' keys (a verifier reads its key files once)."""
    return TokenVerifier(settings).verify(token)


LANGUAGES: frozenset[str] = frozenset(get_args(Language))


def preferred_language(accept_language: str | None) -> Language | None:
    """The programme's language an ``Accept-Language`` header ranks first (``ar-MA`` counts
    as ``ar``; ``q=0`` refuses), or None when it names none of them."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    if not ranked:
        return None
    return cast(Language, min(ranked)[2])  # one of LANGUAGES, checked above


class BearerPrincipal(HTTPBearer):
    """The caller, from the bearer token: FastAPI's ``HTTPBearer`` (so the OpenAPI document
    names the scheme), verifying the token in the same step — one dependency a request, not
    a second one nested in it."""

    def __init__(self) -> None:
        super().__init__(scheme_name="HTTPBearer", auto_error=False)

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "a bearer token is required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        verifier: TokenVerifier = request.app.state.verifier
        try:
            principal = verifier.verify(token)
        except InvalidToken as error:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                f"invalid token: {error}",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from error
        chosen = preferred_language(request.headers.get("accept-language"))
        if chosen is not None and chosen != principal.language:
            principal = principal.model_copy(update={"language": chosen})
        return principal


CurrentPrincipal = Annotated[Principal, Depends(BearerPrincipal())]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Mint a bearer token for local use.")
    parser.add_argument("--subject", required=True)
    parser.add_argument("--role", choices=["coordinator", "officer", "viewer"], required=True)
    parser.add_argument("--municipality")
    parser.add_argument("--language", choices=["ar", "fr", "nl", "en"])
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args(argv)
    print(
        mint(
            ServiceSettings(),
            subject=args.subject,
            role=args.role,
            municipality_id=args.municipality,
            language=args.language,
            valid_for=timedelta(days=args.days),
        )
    )


if __name__ == "__main__":
    main()
