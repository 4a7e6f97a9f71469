"""Roadmaps' composition root: the one place real dependencies are wired."""

from __future__ import annotations

import datetime as dt
import functools

from fastapi import FastAPI
from imc_runtime.periodic import Periodic
from imc_runtime.rebuild import rebuild_read_models
from imc_runtime.service import Infrastructure, ServiceParts, bind, create_app
from imc_runtime.settings import load_settings

from imc_roadmaps.adapters.store import RoadmapsStore
from imc_roadmaps.entrypoints import events, http, reports
from imc_roadmaps.service_layer.ports import Dependencies, Today
from imc_roadmaps.service_layer.schedule import check_due_dates_now
from imc_roadmaps.settings import RoadmapsSettings


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def build_dependencies(
    settings: RoadmapsSettings, store: RoadmapsStore, today: Today | None = None
) -> Dependencies:
    if today is None:
        fixed = settings.fixed_today
        today = (lambda: fixed) if fixed is not None else _utc_today
    return Dependencies(store=store, today=today, due_soon_days=settings.due_soon_days)


def build_app(settings: RoadmapsSettings | None = None, today: Today | None = None) -> FastAPI:
    settings = settings or RoadmapsSettings()
    infra = Infrastructure.build(settings)
    store = RoadmapsStore(infra.db, infra.commits)
    deps = build_dependencies(settings, store, today)
    return create_app(
        infra,
        ServiceParts(
            title="IMC Hub roadmaps",
            dependencies=deps,
            routers=[http.router, reports.router],
            events=bind("roadmaps", events.HANDLERS, deps),
            consumer_group=settings.consumer_group,
            # The read models again from the log, in case a crash left them behind it.
            start=[store.ensure_indexes, store.catch_up],
            periodic=[
                Periodic(
                    "schedule",
                    functools.partial(check_due_dates_now, deps),
                    settings.schedule_interval_seconds,
                )
            ],
        ),
    )


async def rebuild() -> int:
    """``imc-ops rebuild roadmaps``: the read models again from the commit log."""
    return await rebuild_read_models(load_settings(RoadmapsSettings), RoadmapsStore)
