"""Who is calling, and in which role: what a use case needs to know of a verified token.

Plain data, with no web framework behind it, so a domain rule or a use case can take a
``Principal`` without importing HTTP (``imc_runtime.auth`` verifies tokens into these).
"""

from __future__ import annotations

from typing import Literal

from imc_contracts import Actor, Language
from pydantic import BaseModel

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
