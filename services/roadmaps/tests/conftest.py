"""Fixtures of roadmaps' fast tests."""

from __future__ import annotations

import pytest
from imc_roadmaps.service_layer.ports import Dependencies

from .steps import partnered


@pytest.fixture
async def deps() -> Dependencies:
    """Berkane and Saint-Gilles in partnership for 2022–2026, on storage in memory."""
    return await partnered()
