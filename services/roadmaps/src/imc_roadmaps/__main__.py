"""``python -m imc_roadmaps``: run the roadmaps service."""

from __future__ import annotations

import functools

from imc_runtime.service import run_service

from imc_roadmaps.bootstrap import build_app
from imc_roadmaps.settings import RoadmapsSettings

main = functools.partial(run_service, RoadmapsSettings, build_app)

if __name__ == "__main__":
    main()
