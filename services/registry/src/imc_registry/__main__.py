"""``python -m imc_registry``: run the registry service."""

from __future__ import annotations

from imc_runtime.service import configure, serve
from imc_runtime.settings import load_settings

from imc_registry.bootstrap import build_app
from imc_registry.settings import RegistrySettings


def main() -> None:
    settings = load_settings(RegistrySettings)
    configure(settings)
    serve(build_app(settings), settings)


if __name__ == "__main__":
    main()
