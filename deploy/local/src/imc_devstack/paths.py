"""Where the local stack keeps things: a user-level cache shared by every clone, and data per run."""

from __future__ import annotations

import os
from pathlib import Path

DEPLOY_LOCAL = Path(__file__).resolve().parents[2]
"""deploy/local in the source tree (the packages install in editable mode)."""

REPO_ROOT = DEPLOY_LOCAL.parents[1]


def cache_dir() -> Path:
    """``$IMC_CACHE_DIR``, else ``$XDG_CACHE_HOME/imc-hub``, else ``~/.cache/imc-hub``."""
    if explicit := os.environ.get("IMC_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "imc-hub"


def data_dir() -> Path:
    """``$IMC_DATA_DIR``, else ``.data`` in the repository."""
    return Path(os.environ.get("IMC_DATA_DIR") or REPO_ROOT / ".data")
