"""``python -m imc_registry``: run the registry service."""

from __future__ import annotations

import functools

from imc_runtime.service import run_service

from imc_registry.bootstrap import build_app
from imc_registry.settings import RegistrySettings

main = functools.partial(run_service, RegistrySettings, build_app)

if __name__ == "__main__":
    main()
