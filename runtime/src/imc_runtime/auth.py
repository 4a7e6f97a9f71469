"""Bearer tokens: who is calling, and what their role lets them do.

Tokens are HS256 JWTs signed with the shared secret from settings; ``python -m
imc_runtime.auth`` mints them for local use. Production may put an identity provider in
front; only ``verify`` would change.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from imc_contracts import Actor, Language
from pydantic import BaseModel, ValidationError

from imc_runtime.settings import ServiceSettings

Role = Literal["coordinator", "officer", "viewer"]


class Principal(BaseModel):
    """The caller behind a verified token."""

    subject: str
    role: Role
    municipality_id: str | None = None
    language: Language | None = None

    def as_actor(self) -> Actor:
        return Actor(
            kind=self.role,
            id=self.subject,
            municipality_id=self.municipality_id,
            language=self.language,
        )


class InvalidToken(Exception):
    pass


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


def verify(settings: ServiceSettings, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=["HS256"],
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp", "iss"]},
        )
        principal = Principal(
            subject=claims["sub"],
            role=claims.get("role", "viewer"),
            municipality_id=claims.get("municipality_id"),
            language=claims.get("language"),
        )
    except (jwt.PyJWTError, ValidationError) as error:
        raise InvalidToken(str(error)) from error
    if principal.role == "officer" and not principal.municipality_id:
        raise InvalidToken("an officer token must name its municipality")
    return principal


_bearer = HTTPBearer(auto_error=False)


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    settings: ServiceSettings = request.app.state.settings
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        return verify(settings, credentials.credentials)
    except InvalidToken as error:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            f"invalid token: {error}",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from error


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


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
