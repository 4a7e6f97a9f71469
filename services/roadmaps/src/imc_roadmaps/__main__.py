"""``python -m imc_roadmaps``: run the roadmaps service."""

from __future__ import annotations

from imc_runtime.service import configure, serve
from imc_runtime.settings import load_settings

from imc_roadmaps.bootstrap import build_app
from imc_roadmaps.settings import RoadmapsSettings


def main() -> None:
    settings = load_settings(RoadmapsSettings)
    configure(settings)
    serve(build_app(settings), settings)


if __name__ == "__main__":
    main()
